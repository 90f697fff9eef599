"""Issue 18 on the server side: the task lists' search, filters, sorting and pagination; the
manager's exports; the dashboard's figures; error pages; CSP; names from CLDR; the
registration confirmation; defaults that do not decide."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from casework.languages import country_name, language_choices, language_name
from casework.models import Municipality
from workflows import services
from workflows.models import CaseTask

from ..workflows.conftest import open_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(start_path, staff):
    cases = [start_path(last_name=name) for name in ("Aalto", "Berg", "Cederberg")]
    for case in cases:
        services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    CaseTask.objects.filter(case=cases[1]).update(due_on=dt.date(2020, 1, 1), priority=1)
    return cases


def _names(response):
    return [t.case.client.last_name for t in response.context["tasks"]]


def test_inbox_search_filter_sort_and_page(client, staff, three):
    client.force_login(staff["anna"])
    url = reverse("workflows:inbox")
    assert _names(client.get(url, {"q": "berg"})) == ["Berg", "Cederberg"]
    assert _names(client.get(url, {"q": three[2].number.split("-")[1]})) == ["Cederberg"]
    assert _names(client.get(url, {"due": "overdue"})) == ["Berg"]
    assert _names(client.get(url, {"priority": "1"})) == ["Berg"]
    assert _names(client.get(url, {"sort": "-client"})) == ["Cederberg", "Berg", "Aalto"]
    assert _names(client.get(url, {"sort": "client"})) == ["Aalto", "Berg", "Cederberg"]
    assert _names(client.get(url, {"sort": "due"}))[0] == "Berg"  # overdue first
    page = client.get(url, {"sort": "client", "per_page": "25", "page": "1"})
    assert page.context["page"].paginator.count == 3
    # links keep the other parameters
    html = page.content.decode()
    assert "sort=-client" in html and "per_page=25" in html
    # nonsense is ignored and said, never an error page
    bad = client.get(url, {"due": "someday", "sort": "x", "priority": "9"})
    assert bad.status_code == 200 and len(bad.context["listing"].ignored) == 3


def test_queue_filters_by_step_and_category(client, staff, start_path):
    start_path(
        last_name="Minor",
        unaccompanied_minor=True,
        minor_representative="R",
        date_of_birth=dt.date.today() - dt.timedelta(days=16 * 365),
    )
    start_path(last_name="Adult")
    client.force_login(staff["anna"])
    url = reverse("workflows:queue")
    assert sorted(_names(client.get(url))) == ["Adult", "Minor"]
    assert _names(client.get(url, {"category": "unaccompanied_minor"})) == ["Minor"]
    assert _names(client.get(url, {"step": "assess"})) == []


def test_manager_list_and_exports_speak_the_users_language(client, staff, three):
    client.force_login(staff["maria"])
    url = reverse("workflows:manager_tasks")
    listing = client.get(url, {"q": "Berg", "due": "overdue"})
    assert _names(listing) == ["Berg"]
    body = listing.content.decode()
    assert 'name="tasks"' in body and 'data-select-all="tasks"' in body
    assert f'href="/tasks/{open_task(three[1], "intake").uuid}/"' in body
    response = client.get(url, {"format": "csv", "sort": "client"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Asia", "Asiakas", "Asiakasryhmä", "Tehtävä"]
    assert [r[1].split()[-1] for r in rows[1:]] == ["Aalto", "Berg", "Cederberg"]
    assert rows[1][6] == "Anna"  # a name, not a user name
    assert "intake" not in response.content.decode() and "ASSIGNED" not in response.content.decode()
    with translation.override("en"):
        response = client.get("/en" + url, {"format": "xlsx", "due": "overdue"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["Case", "Client", "Client category", "Task"]
    assert sheet.max_row == 2 and sheet["J2"].value == "yes"
    assert isinstance(sheet["I2"].value, dt.datetime)  # a real date the spreadsheet can sort


def test_dashboard_weeks_with_zero_and_overdue_history(client, staff, three):
    CaseTask.objects.filter(case=three[0]).update(
        due_on=timezone.localdate() - dt.timedelta(days=10)
    )
    CaseTask.objects.filter(case=three[0]).update(created_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(staff["maria"])
    d = client.get(reverse("workflows:dashboard")).context["d"]
    assert len(d.per_week) == 8 and all(w["done"] == 0 for w in d.per_week)
    assert d.per_week[-1]["week"] == timezone.localdate() - dt.timedelta(
        days=timezone.localdate().weekday()
    )
    history = d.overdue_history
    assert len(history["days"]) == 8 and history["days"][-1] == timezone.localdate()
    # overdue today: Berg (due 2020) and Aalto (10 days ago); a week ago Aalto was not yet due
    assert history["series"]["intake"][-1] == 2
    assert history["series"]["intake"][-2] == 1


def test_error_pages_in_the_apps_layout_and_language(client, staff):
    client.force_login(staff["sanna"])
    forbidden = client.get(reverse("workflows:dashboard"))
    assert forbidden.status_code == 403
    assert b'class="top"' in forbidden.content and b"have no rights" not in forbidden.content
    missing = client.get("/sv/cases/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404 and b'lang="sv"' in missing.content


def test_a_refused_form_gets_the_apps_page(staff):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff["anna"])
    response = browser.post(reverse("workflows:client_register"), {})
    assert response.status_code == 403 and b'class="top"' in response.content


def test_content_security_policy_header(client, staff):
    client.force_login(staff["anna"])
    policy = client.get(reverse("workflows:inbox"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_language_and_country_names_from_cldr():
    for lang in ("fi", "sv", "en"):
        names = [name for _code, name in language_choices(lang)]
        assert len(names) == len(set(names))
    assert language_name("prs", "fi") == "dari"
    assert language_name("ckb", "en") == "Central Kurdish (Sorani)"
    assert language_name("kmr", "sv") == "kurdiska (kurmanji)"
    assert country_name("PS", "sv") == "Palestinska territorierna"
    assert [n for _c, n in language_choices("fi")][-1] in ("zulu", "zhuang")


def test_all_municipalities_with_swedish_names(reference_data):
    assert Municipality.objects.count() == 309
    assert Municipality.objects.get(code="499").name_sv == "Korsholm"
    assert Municipality.objects.get(code="837").name_sv == "Tammerfors"


def test_registration_confirmation_only_for_the_session_that_registered(client, staff):
    client.force_login(staff["anna"])
    data = {
        "first_names": "Test",
        "last_name": "Vahvistus",
        "municipality": Municipality.objects.get(code="272").pk,
        "residence_basis": "work",
        "labour_market_status": "unemployed_jobseeker",
        "gender": "unknown",
        "contacted_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("workflows:client_register"), data)
    assert response.status_code == 302 and "/clients/registered/" in response["Location"]
    page = client.get(response["Location"])
    assert page.context["visible"] is False  # went to the employment authority
    assert page.context["case"].responsible_organisation.code == "kp-tyollisyysalue"
    assert page.context["rule"] is not None
    other = client.__class__()
    other.force_login(staff["bertil"])
    assert other.get(response["Location"]).status_code == 404


def test_routing_facts_start_empty_and_are_required(client, staff):
    client.force_login(staff["anna"])
    form = client.get(reverse("workflows:client_register")).context["form"]
    assert form["residence_basis"].value() in ("", None)
    assert form["municipality"].value() == Municipality.objects.get(code="272").pk  # only one
    response = client.post(reverse("workflows:client_register"), {"first_names": "X"})
    assert "residence_basis" in response.context["form"].errors


def test_the_server_error_page_has_the_layout_and_falls_back_to_plain(rf, staff, monkeypatch):
    from config import errors

    request = rf.get("/sv/")
    request.user = staff["anna"]
    with translation.override("sv"):
        response = errors.server_error(request)
    assert response.status_code == 500 and b'class="top"' in response.content

    def broken(*args, **kwargs):
        raise RuntimeError("the layout itself fails")

    monkeypatch.setattr(errors, "render", broken)
    plain = errors.server_error(request)
    assert plain.status_code == 500 and b"Virhe" in plain.content
