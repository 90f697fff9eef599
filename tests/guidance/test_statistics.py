"""The statistics beyond seed 000's table: a fixed number of queries whatever the number of
visits, the default period (the point's operating year), the exports with translated headers,
small numbers hidden outside the unit, and the configuration lists."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casework import guidance_stats as gs
from casework.models import GuidanceOption, GuidanceVisit

from .conftest import api_as, at, log_visit

OURS = "kokkola-welcome-office"


def _log_many(point, by, n, day, **overrides):
    for index in range(n):
        log_visit(
            point,
            by,
            visited_at=at(day - dt.timedelta(days=index % 20), 9 + index % 6),
            topics=["benefits", "work"][: 1 + index % 2],
            referrals=["kela"] if index % 3 == 0 else [],
            country_of_origin=["SY", "UA", "IQ", ""][index % 4],
            **overrides,
        )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)


def test_the_statistics_cost_a_fixed_number_of_queries(client, people, point):
    kannus = gs.points_visible_to(people["maria"], gs.STATISTICS).get(code="kokkola-kannus")
    today = timezone.localdate()
    period = gs.Period(today - dt.timedelta(days=60), today)
    client.force_login(people["maria"])
    url = reverse("guidance:statistics")
    api = api_as(people["maria"])

    def measure():
        selector = _queries(lambda: gs.guidance_statistics(points=[point, kannus], period=period))
        page = _queries(lambda: client.get(url))
        endpoint = _queries(lambda: api.get("/guidance/statistics/"))
        return selector, page, endpoint

    _log_many(point, people["leila"], 3, today)
    few = measure()
    _log_many(point, people["leila"], 40, today)
    _log_many(kannus, people["leila"], 25, today, channel="phone")
    many = measure()
    assert few == many
    assert many[0] == 2  # the selector: see guidance_statistics' docstring


def test_the_default_period_is_the_operating_year_so_far(client, people, point):
    client.force_login(people["maria"])
    today = timezone.localdate()
    start, end = point.operating_year(today)
    assert start.day == 1 and start.month == 9 and start <= today <= end
    response = client.get(reverse("guidance:statistics"))
    assert response.context["period"] == gs.Period(start, today)
    assert response.context["stats"].previous_period.end == start - dt.timedelta(days=1)
    body = response.content.decode()
    assert f'value="{start.isoformat()}"' in body  # the form shows the period it stands for
    # a point whose year starts on 1.1.
    point.year_starts_month = 1
    point.save()
    response = client.get(reverse("guidance:statistics"), {"point": OURS})
    assert response.context["period"].start == dt.date(today.year, 1, 1)


def test_a_period_that_ends_before_it_starts(client, people, point):
    client.force_login(people["maria"])
    response = client.get(
        reverse("guidance:statistics"), {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "The end of the period cannot be before its start." in response.content.decode()
    assert 'href="#id_end"' in response.content.decode()
    answer = api_as(people["maria"]).get(
        "/guidance/statistics/", {"from": "2026-05-01", "to": "2026-04-01"}
    )
    assert answer.status_code == 400 and "to" in answer.json()["errors"]


def test_change_against_the_previous_period(people, point):
    today = timezone.localdate()
    period = gs.Period(today - dt.timedelta(days=9), today)
    for index in range(5):
        log_visit(point, people["leila"], visited_at=at(today - dt.timedelta(days=12 + index)))
    for index in range(8):
        log_visit(point, people["leila"], visited_at=at(today - dt.timedelta(days=index)))
    stats = gs.guidance_statistics(points=[point], period=period)
    assert stats.previous_period == gs.Period(
        today - dt.timedelta(days=19), today - dt.timedelta(days=10)
    )
    assert (stats.visits, stats.previous_visits, stats.change_percent) == (8, 5, 60.0)


def _export(client, fmt, audience, period):
    return client.get(
        reverse("guidance:statistics"),
        {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "point": OURS,
            "format": fmt,
            "audience": audience,
        },
    )


@pytest.fixture
def some_visits(point, people):
    today = timezone.localdate()
    # 12 Syrian men aged 30–49, 3 Ukrainian women under 18, 1 man of 65+ from Iraq
    for _ in range(12):
        log_visit(
            point,
            people["leila"],
            age_band="30_49",
            gender="man",
            country_of_origin="SY",
            topics=["benefits"],
            visited_at=at(today),
        )
    for _ in range(3):
        log_visit(
            point,
            people["leila"],
            age_band="under_18",
            gender="woman",
            country_of_origin="UA",
            topics=["education"],
            visited_at=at(today),
        )
    log_visit(
        point,
        people["leila"],
        age_band="65_plus",
        gender="man",
        country_of_origin="IQ",
        visited_at=at(today),
    )
    return gs.Period(today - dt.timedelta(days=30), today)


def test_the_units_export_holds_the_pages_figures(client, people, point, some_visits):
    client.force_login(people["maria"])
    page = client.get(
        reverse("guidance:statistics"),
        {"start": some_visits.start.isoformat(), "end": some_visits.end.isoformat(), "point": OURS},
    )
    stats = page.context["stats"]
    response = _export(client, "xlsx", "unit", some_visits)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "About"
    sheet = book["Visits by age and gender"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == (
        "Age",
        "Visits",
        "Women",
        "Men",
        "Other gender",
        "Gender not told",
        "Guidance in own language",
    )
    assert rows[2][:4] == ("All visits", 16, 3, 13)
    by_band = {row[0]: row[1:] for row in rows[3:]}
    assert by_band["30–49"][:3] == (12, 0, 12)
    assert by_band["under 18"][:3] == (3, 3, 0)
    countries = {
        row[0]: row[1]
        for row in book["Visits by country of origin"].iter_rows(min_row=3, values_only=True)
    }
    assert countries == {item.label: item.count for item in stats.countries}
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert any("every figure is shown" in line for line in about)

    csv_response = _export(client, "csv", "unit", some_visits)
    text = csv_response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert ["All visits", "16", "3", "13", "0", "0", "0"] in lines


def test_an_export_for_outside_the_unit_hides_small_numbers_and_says_so(
    client, people, point, some_visits
):
    client.force_login(people["maria"])
    response = _export(client, "xlsx", "outside", some_visits)
    book = load_workbook(io.BytesIO(response.content))
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert any("figures under 5 are hidden" in line for line in about)
    rows = list(book["Visits by age and gender"].iter_rows(values_only=True))
    total = rows[2]
    assert total[:3] == ("All visits", 16, "..")  # 3 women: hidden
    assert total[3] == 13
    by_band = {row[0]: row[1:] for row in rows[3:]}
    assert by_band["30–49"][:3] == (12, 0, 12)
    assert by_band["under 18"][0] == ".." and by_band["65 or over"][0] == ".."
    # no hidden figure can be worked out from the others: each sum with one hidden figure
    # has another one hidden
    for row in rows[2:]:
        if row[1] != "..":  # a row whose total is shown
            assert sum(1 for c in row[2:6] if c == "..") != 1, row
    for column in range(1, 7):
        cells = [row[column] for row in rows[3:]]
        if rows[2][column] != "..":
            assert sum(1 for c in cells if c == "..") != 1, column
    countries = {
        row[0]: row[1]
        for row in book["Visits by country of origin"].iter_rows(min_row=3, values_only=True)
    }
    assert countries["Syria"] == 12 and countries["Ukraine"] == ".." and countries["Iraq"] == ".."
    # the unit's own page still shows every figure
    page = client.get(
        reverse("guidance:statistics"),
        {"start": some_visits.start.isoformat(), "end": some_visits.end.isoformat(), "point": OURS},
    )
    assert page.context["stats"].total.woman == 3
    answer = api_as(people["maria"]).get(
        "/guidance/statistics/",
        {
            "point": OURS,
            "audience": "outside",
            "from": some_visits.start.isoformat(),
            "to": some_visits.end.isoformat(),
        },
    )
    data = answer.json()
    assert data["total"]["woman"] is None and data["total"]["man"] == 13
    assert (
        api_as(people["maria"])
        .get("/guidance/statistics/", {"point": OURS, "audience": "everyone"})
        .status_code
        == 400
    )


def test_exports_are_audited(client, people, point, some_visits):
    from permissions.models import AuditEntry

    client.force_login(people["maria"])
    _export(client, "csv", "outside", some_visits)
    entry = AuditEntry.objects.get(action="guidance.statistics_exported")
    assert entry.data["audience"] == "outside" and entry.data["points"] == [OURS]


def test_the_print_view(client, people, point, some_visits):
    client.force_login(people["maria"])
    response = client.get(reverse("guidance:statistics"), {"point": OURS, "print": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "guidance.css" in body and "print-view" in body
    assert 'name="start"' not in body  # no form in the print view


def test_a_manager_configures_the_lists(client, people, point):
    client.force_login(people["maria"])
    url = reverse("guidance:option_new", args=["kokkola", "topic"])
    response = client.post(
        url,
        {
            "code": "driving-licence",
            "name_fi": "Ajokortti",
            "name_sv": "Körkort",
            "name_en": "Driving licence",
            "position": "95",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    client.force_login(people["leila"])
    form = client.get(reverse("guidance:visit_new", args=[OURS])).context["form"]
    assert ("driving-licence", "Driving licence") in form.fields["topics"].choices
    log_visit(point, people["leila"], topics=["driving-licence"])

    # retired: no longer offered nor accepted, still counted in earlier statistics
    client.force_login(people["maria"])
    edit = reverse("guidance:option_edit", args=["kokkola", "topic", "driving-licence"])
    response = client.post(
        edit,
        {
            "code": "renamed",
            "name_fi": "Ajokortti",
            "name_sv": "Körkort",
            "name_en": "Driving licence",
            "position": "95",
        },
    )
    assert response.status_code == 302
    option = GuidanceOption.objects.get(
        organisation__code="kokkola", kind="topic", code="driving-licence"
    )
    assert not option.is_active  # and the code did not change
    answer = api_as(people["leila"]).post(
        "/guidance/visits/", {"point": OURS, "duration_minutes": 5, "topics": ["driving-licence"]}
    )
    assert answer.status_code == 400
    today = timezone.localdate()
    stats = gs.guidance_statistics(points=[point], period=gs.Period(today, today))
    assert {i.code: i.count for i in stats.topics}["driving-licence"] == 1
    # a duplicate code is refused beside the field
    response = client.post(url, {"code": "benefits", "name_fi": "Etuudet", "position": "1"})
    assert response.status_code == 400
    assert "already has an entry with this code" in response.content.decode()


def test_a_manager_sets_the_operating_year_and_the_threshold(client, people, point):
    client.force_login(people["maria"])
    url = reverse("guidance:point_settings", args=[OURS])
    response = client.post(
        url, {"year_starts_day": "1", "year_starts_month": "8", "small_number_threshold": "10"}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.year_starts_month, point.small_number_threshold) == (8, 10)
    response = client.post(
        url, {"year_starts_day": "31", "year_starts_month": "13", "small_number_threshold": "0"}
    )
    assert response.status_code == 400
    assert GuidanceVisit.objects.count() == 0
