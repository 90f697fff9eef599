"""The programme's pages: every demo role against every page (the same 404 for others),
forms that explain errors and keep what was entered, the report page, XLSX and CSV holding
the same figures, every export audited."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from casework.models import Indicator, IndicatorValue, MeasureYearStatus, ProgrammeMeasure, Role
from casework.services import programme as s
from permissions.models import AuditEntry
from tests.page_compare import comparable
from workflows.pages.programme_render import display, status_label

from .conftest import THIS_YEAR, D, item, make_case

pytestmark = pytest.mark.django_db
LAST_YEAR = THIS_YEAR - 1


def pages(programme) -> dict:
    p = programme.uuid
    measure = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta")
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    return {
        "detail": reverse("programme:detail", args=[p]),
        "edit": reverse("programme:edit", args=[p]),
        "theme_add": reverse("programme:theme_add", args=[p]),
        "measure_edit": reverse("programme:item_edit", args=[p, "measures", measure.uuid]),
        "remove": reverse("programme:item_remove", args=[p, "measures", measure.uuid]),
        "year": reverse("programme:year", args=[p, LAST_YEAR]),
        "value": reverse("programme:value", args=[p, LAST_YEAR, count.uuid]),
        "status": reverse("programme:status", args=[p, LAST_YEAR, measure.uuid]),
        "summary": reverse("programme:summary", args=[p, LAST_YEAR]),
        "report": reverse("programme:report", args=[p, LAST_YEAR]),
        "xlsx": reverse("programme:report_xlsx", args=[p, LAST_YEAR]),
        "csv": reverse("programme:report_csv", args=[p, LAST_YEAR]),
        "publish": reverse("programme:publish", args=[p, LAST_YEAR]),
    }


# Every demo role: Kokkola's coordinator and manager see and edit Kokkola's programme; no one
# else sees anything of it (Kannus's coordinator and manager have their own organisation).
SEES = {"kirsi", "maria"}
EVERYONE = ["kirsi", "maria", "anna", "bertil", "kimmo", "kalle", "kaisa", "tuomas", "teija",
            "sanna", "sakari", "sirpa", "aino"]  # fmt: skip


def test_every_role_against_every_page(client, programme, people):
    urls = pages(programme)
    for name in EVERYONE:
        client.force_login(people[name])
        for page, url in urls.items():
            response = client.get(url)
            expected = 200 if name in SEES else 404
            assert response.status_code == expected, (name, page, response.status_code)
            if expected == 404:
                assert b"Kotouttamisohjelma" not in response.content
    # the list: the programme only for its people; those who may create one see an empty list
    for name in EVERYONE:
        client.force_login(people[name])
        response = client.get(reverse("programme:list"))
        if name in SEES:
            assert "Kotouttamisohjelma" in response.content.decode()
        elif name in ("kimmo", "kalle", "teija", "sirpa"):  # may create their own
            assert (
                response.status_code == 200
                and "Kotouttamisohjelma" not in response.content.decode()
            )
        else:
            assert response.status_code == 404, name


def test_the_same_404_for_a_programme_that_does_not_exist(client, programme, people):
    import uuid

    client.force_login(people["kalle"])
    missing_url = reverse("programme:report", args=[uuid.uuid4(), LAST_YEAR])
    other_url = reverse("programme:report", args=[programme.uuid, LAST_YEAR])
    missing = client.get(missing_url)
    other = client.get(other_url)
    assert missing.status_code == other.status_code == 404
    assert comparable(missing, missing_url) == comparable(other, other_url)
    client.force_login(people["kirsi"])
    # a year outside the period, and a part of another programme, are not found either
    assert (
        client.get(reverse("programme:report", args=[programme.uuid, THIS_YEAR + 5])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("programme:item_edit", args=[programme.uuid, "measures", uuid.uuid4()])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("programme:item_edit", args=[programme.uuid, "nonsense", uuid.uuid4()])
        ).status_code
        == 404
    )


def test_the_navigation_link_is_for_coordinators_and_managers(client, programme, people):
    for name, shown in (("kirsi", True), ("maria", True), ("anna", False), ("aino", False)):
        client.force_login(people[name])
        body = client.get(reverse("workflows:inbox")).content.decode()
        assert (reverse("programme:list") in body) == shown, name


def test_a_value_outside_the_scale_is_explained_and_nothing_is_lost(
    client, programme, people, in_english
):
    client.force_login(people["kirsi"])
    scale = item(programme, Indicator, name_fi="Arvio kielitaidosta")
    url = reverse("programme:value", args=[programme.uuid, LAST_YEAR, scale.uuid])
    response = client.post(url, {"value": "7", "comment": "Kyselyn tulos, n=120"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary"' in body and 'href="#id_value"' in body
    assert "on the scale from 1 to 5" in body
    assert "Kyselyn tulos, n=120" in body and 'value="7"' in body
    assert not IndicatorValue.objects.exists()
    # a decimal comma, as a Finn types it (in Finnish)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    response = client.post(url, {"value": "4", "comment": "Kyselyn tulos, n=120"})
    assert response.status_code == 302
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    with translation.override("fi"):
        count_url = reverse("programme:value", args=[programme.uuid, LAST_YEAR, count.uuid])
    client.post(count_url, {"value": "12,5"})
    assert IndicatorValue.objects.get(indicator=count).value == Decimal("12.5")
    # a computed indicator takes no values
    computed = item(programme, Indicator, name_fi="Uudet asiakkaat")
    assert (
        client.get(
            reverse("programme:value", args=[programme.uuid, LAST_YEAR, computed.uuid])
        ).status_code
        == 404
    )


def test_a_measure_without_a_responsible_party_is_explained(client, programme, people, in_english):
    client.force_login(people["kirsi"])
    goal = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta").goal
    url = reverse("programme:measure_add", args=[programme.uuid, goal.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"text_fi": "Vertaisryhmät", "schedule": "2025–2026", "partners": "SPR"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_responsible_unit"' in body and "Vertaisryhmät" in body and "SPR" in body
    assert "Fields marked * are required." in body
    response = client.post(
        url,
        {
            "text_fi": "Vertaisryhmät",
            "schedule": "2025–2026",
            "partners": "SPR",
            "responsible_other": "Järjestöt",
        },
    )
    assert response.status_code == 302
    assert ProgrammeMeasure.objects.get(text_fi="Vertaisryhmät").responsible == "Järjestöt"


def test_adding_a_theme_goal_and_indicator_through_the_pages(client, programme, people):
    client.force_login(people["maria"])
    response = client.post(
        reverse("programme:theme_add", args=[programme.uuid]),
        {"name_fi": "Turvallisuus", "name_sv": "Trygghet"},
    )
    assert response.status_code == 302
    theme = programme.themes.get(name_fi="Turvallisuus")
    client.post(
        reverse("programme:goal_add", args=[programme.uuid, theme.uuid]),
        {"text_fi": "Turvallinen arki"},
    )
    goal = theme.goals.get()
    response = client.post(
        reverse("programme:indicator_add", args=[programme.uuid, goal.uuid]),
        {"name_fi": "Suljetut polut", "kind": "computed", "computation": "cases_closed"},
    )
    assert (
        response.status_code == 400 and 'href="#id_computation_option"' in response.content.decode()
    )
    response = client.post(
        reverse("programme:indicator_add", args=[programme.uuid, goal.uuid]),
        {
            "name_fi": "Suljetut polut",
            "kind": "computed",
            "computation": "cases_closed",
            "computation_option": "all",
        },
    )
    assert response.status_code == 302
    assert goal.indicators.get().computation_option == "all"


def test_marking_a_measure_done_and_removing_what_has_no_follow_up(
    client, programme, people, in_english
):
    client.force_login(people["kirsi"])
    measure = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta")
    url = reverse("programme:status", args=[programme.uuid, LAST_YEAR, measure.uuid])
    assert measure.responsible in client.get(url).content.decode()  # the default
    response = client.post(
        url, {"status": "dropped", "comment": "", "responsible": "Welcome Office"}
    )
    assert response.status_code == 400 and 'href="#id_comment"' in response.content.decode()
    response = client.post(
        url, {"status": "done", "comment": "Valmis", "responsible": "Welcome Office"}, follow=True
    )
    assert "was saved" in response.content.decode()
    assert MeasureYearStatus.objects.get().status == "done"
    remove = reverse("programme:item_remove", args=[programme.uuid, "measures", measure.uuid])
    response = client.post(remove)
    assert response.status_code == 400 and "set its last year" in response.content.decode()
    other = item(programme, ProgrammeMeasure, text_fi="Kielikurssit")
    assert (
        client.post(
            reverse("programme:item_remove", args=[programme.uuid, "measures", other.uuid])
        ).status_code
        == 302
    )
    assert not ProgrammeMeasure.objects.filter(pk=other.pk).exists()


@pytest.fixture
def followed_up(programme, people):
    """Last year's and this year's follow-up, and clients whose path began in both years."""
    kirsi = people["kirsi"]
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    scale = item(programme, Indicator, name_fi="Arvio kielitaidosta")
    s.indicator_value_record(by=kirsi, indicator=count, year=THIS_YEAR - 2, value=Decimal(80))
    s.indicator_value_record(
        by=kirsi, indicator=count, year=LAST_YEAR, value=Decimal("112.5"), comment="arvio"
    )
    s.indicator_value_record(by=kirsi, indicator=scale, year=LAST_YEAR, value=Decimal(3))
    s.measure_status_record(
        by=kirsi,
        measure=item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta"),
        year=LAST_YEAR,
        status="done",
    )
    s.year_summary_save(
        by=kirsi,
        programme=programme,
        year=LAST_YEAR,
        summary_fi="Vuosi sujui.",
        summary_sv="Året gick bra.",
    )
    for day in (D(LAST_YEAR, 2, 1), D(LAST_YEAR, 3, 1), D(THIS_YEAR - 2, 5, 1)):
        make_case(contacted=day)
    make_case(contacted=D(LAST_YEAR, 4, 1), municipality="217")  # Kannus: not in the programme
    return programme


def _page_figures(body: str) -> dict:
    """Indicator name -> {year: shown value} from the report page's tables."""
    figures = {}
    for block in re.findall(r'<div class="indicator".*?</table>', body, re.S):
        name = unescape(re.search(r"<h4>(.*?)</h4>", block, re.S).group(1)).strip()
        rows = re.findall(r'<th scope="row">(\d{4})</th><td class="num">(.*?)</td>', block, re.S)
        figures[name] = {int(year): unescape(value).strip() for year, value in rows}
    return figures


def _xlsx_figures(content: bytes, language: str) -> tuple[dict, list]:
    workbook = load_workbook(io.BytesIO(content))
    figures = {}
    with translation.override(language):
        for sheet in workbook.worksheets[1:]:
            header = None
            for row in sheet.iter_rows(values_only=True):
                if not row or row[0] is None:
                    header = None  # a blank row ends a table
                elif row[0] in ("Indicator", "Mittari", "Indikator"):
                    header = row
                elif header is not None:
                    years = [y for y in header[2:] if isinstance(y, int)]
                    figures[row[0]] = {year: display(row[2 + i]) for i, year in enumerate(years)}
    return figures, workbook.sheetnames


def test_report_page_xlsx_and_csv_hold_the_same_figures(client, followed_up, people):
    client.force_login(people["maria"])
    urls = pages(followed_up)
    body = client.get(urls["report"] + "?lang=fi").content.decode()
    page = _page_figures(body)
    assert page["Neuvontakäynnit"] == {THIS_YEAR - 2: "80", LAST_YEAR: "112,5"}
    assert page["Arvio kielitaidosta"] == {THIS_YEAR - 2: "–", LAST_YEAR: "3"}
    assert page["Uudet asiakkaat"] == {THIS_YEAR - 2: "1", LAST_YEAR: "2"}
    assert "Vuosi sujui." in body and "<svg" in body and 'role="img"' in body

    before = AuditEntry.objects.filter(action="programme.report_exported").count()
    response = client.get(urls["xlsx"] + "?lang=fi")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    xlsx, sheets = _xlsx_figures(response.content, "fi")
    assert len(sheets) == 3 and sheets[1:] == ["Asuminen", "Kieli"]  # a cover, one per theme
    # the workbook holds numbers; shown as the page shows them, they are the same figures
    assert xlsx == page
    csv_text = client.get(urls["csv"] + "?lang=fi").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    expected = ["Neuvontakäynnit", str(LAST_YEAR), "112.5", "käyntiä", "arvio", ""]
    assert any(r[:2] == ["Asuminen", "Asuntoja riittää"] and r[3:] == expected for r in rows)
    with translation.override("fi"):
        done = status_label("done")
    assert any(r[3] == "Asumisneuvonta" and r[4] == str(LAST_YEAR) and r[5] == done for r in rows)
    assert AuditEntry.objects.filter(action="programme.report_exported").count() == before + 2

    # in Swedish: the Swedish texts (Finnish where none was written) and decimal comma
    body_sv = client.get(urls["report"] + "?lang=sv").content.decode()
    assert 'lang="sv"' in body_sv and "Året gick bra." in body_sv and "Rådgivningsbesök" in body_sv
    assert _page_figures(body_sv)["Rådgivningsbesök"][LAST_YEAR] == "112,5"
    xlsx_sv, sheets_sv = _xlsx_figures(client.get(urls["xlsx"] + "?lang=sv").content, "sv")
    assert sheets_sv[1:] == ["Asuminen", "Språk"]
    assert xlsx_sv == _page_figures(body_sv)


def test_publishing_through_the_page_freezes_what_the_board_reads(client, followed_up, people):
    client.force_login(people["kirsi"])
    urls = pages(followed_up)
    response = client.post(urls["publish"], {"note": "KH"})
    assert response.status_code == 400 and 'href="#id_confirm"' in response.content.decode()
    response = client.post(urls["publish"], {"note": "KH", "confirm": "on"})
    assert response.status_code == 302 and "version=1" in response["Location"]
    count = item(followed_up, Indicator, name_fi="Neuvontakäynnit")
    s.indicator_value_record(
        by=people["kirsi"], indicator=count, year=LAST_YEAR, value=Decimal(999)
    )
    make_case(contacted=D(LAST_YEAR, 6, 1))
    frozen = _page_figures(client.get(urls["report"]).content.decode())
    assert frozen["Neuvontakäynnit"][LAST_YEAR] == "112,5"
    assert frozen["Uudet asiakkaat"][LAST_YEAR] == "2"
    live = _page_figures(client.get(urls["report"] + "?live=1").content.decode())
    assert live["Neuvontakäynnit"][LAST_YEAR] == "999" and live["Uudet asiakkaat"][LAST_YEAR] == "3"
    xlsx, _sheets = _xlsx_figures(client.get(urls["xlsx"] + "?version=1").content, "fi")
    assert xlsx == frozen
    assert client.get(urls["report"] + "?version=7").status_code == 404


def test_the_report_query_count_does_not_grow_with_the_clients(client, followed_up, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people["maria"])
    url = pages(followed_up)["report"] + "?live=1"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        make_case(
            contacted=D(LAST_YEAR, 1, 1 + n),
            started=D(LAST_YEAR, 2, 1),
            completed=D(LAST_YEAR, 3, 1),
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_demo_programme_loads(db, reference_data):
    from workflows.demo_programme import load_demo_programme

    programme = load_demo_programme(password="kotopolku-demo")
    assert programme.themes.count() == 6
    assert programme.reports.count() == 3
    assert load_demo_programme(password="kotopolku-demo") is None  # once only
    kirsi = programme.reports.first().published_by
    assert kirsi.username == "kirsi"
    assert kirsi.memberships.get().role == Role.COORDINATOR
