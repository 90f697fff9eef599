"""Issue 18, "everyday work without friction": one browser test per point, as the role that
meets it, with axe-core on every page it changed and the Content-Security-Policy watched
(a page that breaks the policy logs a console error, which fails the test)."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from casework import services as casework_services
from casework.models import Municipality, WellbeingParticipation
from workflows import services
from workflows.models import CaseTask

from ..workflows.conftest import act, assessment, drive_to_plan_active, open_task
from .conftest import PASSWORD, axe_violations, login, with_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def csp_violation(message) -> bool:
    """A console message saying the Content-Security-Policy refused something."""
    text = message.text.lower()
    return "content security policy" in text or "refused to" in text


@pytest.fixture
def watched(page):
    """The page, with every Content-Security-Policy violation it logs collected."""
    page.errors = []
    page.on("console", lambda m: csp_violation(m) and page.errors.append(m.text))
    page.set_viewport_size(DESKTOP)
    return page


def check(page, where):
    """No serious accessibility violation and no Content-Security-Policy violation."""
    violations = axe_violations(page)
    assert not violations, (where, violations)
    assert not page.errors, (where, page.errors)


def new_page(browser, live_server, viewport, locale="fi-FI"):
    context = with_axe(browser.new_context(viewport=viewport, locale=locale))
    p = context.new_page()
    p.set_default_timeout(15000)
    p.base_url = live_server.url
    p.errors = []
    p.on("console", lambda m: csp_violation(m) and p.errors.append(m.text))
    return p


def _fill_client(page, *, last_name, labour="outside_labour_force", basis="quota_refugee"):
    page.fill("#id_first_names", "Hodan")
    page.fill("#id_last_name", last_name)
    page.fill("#id_date_of_birth", "1994-04-12")
    page.select_option("#id_municipality", str(Municipality.objects.get(code="272").pk))
    page.fill(
        "#id_first_residence_permit_date",
        (timezone.localdate() - dt.timedelta(days=90)).isoformat(),
    )
    page.select_option("#id_residence_basis", basis)
    page.select_option("#id_labour_market_status", labour)


# 1 ---------------------------------------------------------------------------------------
def test_1_registering_ends_on_a_confirmation_saying_where_the_case_went(watched, browser_staff):
    page = watched
    login(page, "anna")
    page.goto(page.base_url + "/clients/new/")
    _fill_client(page, last_name="Abdi")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/registered/**")
    assert page.locator(".panel-confirmation h1").inner_text()
    body = page.inner_text("main")
    assert "Kokkola" in body and re.search(r"\d{4}-\d{6}", body)
    check(page, "confirmation, own organisation")
    page.click("main a.button[href^='/cases/']")
    page.wait_for_url("**/cases/**")
    # a jobseeker goes to the employment authority: no link, but where and why
    page.goto(page.base_url + "/clients/new/")
    _fill_client(page, last_name="Jobseeker", labour="unemployed_jobseeker", basis="work")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/registered/**")
    body = page.inner_text("main")
    assert "työllisyysalue" in body.lower()
    assert page.locator("main a[href^='/cases/']").count() == 0
    check(page, "confirmation, another organisation")


# 2 ---------------------------------------------------------------------------------------
def test_2_client_search_finds_numbers_and_near_spellings(watched, browser_staff, start_path):
    case = start_path(first_names="Amina", last_name="Hassan")
    page = watched
    login(page, "anna")
    for query in ("Hasan", case.number.split("-")[1], case.number, "amina hassan"):
        page.goto(page.base_url + "/clients/")
        page.fill("#q", query)
        page.click("main form[role=search] button")
        page.wait_for_url("**/clients/?q=*")
        assert page.locator("main table tbody a", has_text=case.number).count() == 1, query
    check(page, "client search")


# 3 ---------------------------------------------------------------------------------------
def test_3_task_lists_filter_sort_and_page_in_the_url(watched, browser_staff, start_path):
    cases = [start_path(last_name=f"Lista{i}") for i in range(3)]
    for case in cases:
        services.task_claim(by=browser_staff["anna"], case_task=open_task(case, "intake"))
    CaseTask.objects.filter(case=cases[0]).update(due_on=dt.date(2020, 1, 1))
    page = watched
    login(page, "anna")
    page.goto(page.base_url + "/")
    page.select_option("#id_due", "overdue")
    page.click("main form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*due=overdue.*"))
    assert page.locator("main table tbody tr").count() == 1
    assert "myöhässä" in page.inner_text("main table tbody")  # overdue in words, not colour only
    check(page, "inbox filtered")
    # the bookmark brings the same view back, filter visible and editable
    url = page.url
    page.goto(page.base_url + "/queue/")
    page.goto(url)
    assert page.input_value("#id_due") == "overdue"
    # sort by client, descending
    page.goto(page.base_url + "/")
    page.locator("main th a", has_text="Asiakas").click()
    page.wait_for_url(re.compile(r".*sort=client.*"))
    page.locator("main th a", has_text="Asiakas").click()
    page.wait_for_url(re.compile(r".*sort=-client.*"))
    assert "sort=-client" in page.url
    names = page.locator("main table tbody td:nth-child(4)").all_inner_texts()
    assert names == sorted(names, reverse=True)
    # the manager: client column, task links, select all
    page.context.clear_cookies()
    login(page, "maria")
    page.goto(page.base_url + "/manager/")
    page.click("main .figures a[href*='due=overdue']")
    assert page.input_value("#id_due") == "overdue"  # the dashboard's filter stays editable
    page.goto(page.base_url + "/manager/tasks/?q=Lista")
    assert page.locator("main table tbody tr").count() == 3
    assert page.locator("main table tbody td a[href^='/tasks/']").count() == 3
    page.check("#select-all")
    assert page.locator("input[name=tasks]:checked").count() == 3
    check(page, "manager tasks")


def test_3_invitations_show_status_due_and_client_and_contributed_ones_open(
    watched, browser_staff, start_path
):
    anna, sanna = browser_staff["anna"], browser_staff["sanna"]
    invited = start_path(last_name="Kutsuttu")
    act(invited, "intake", anna)
    act(
        invited,
        "assess",
        anna,
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason="perhe"),
    )
    act(invited, "wellbeing_contribution", sanna, {"contribution": "Perheneuvola mukaan."})
    page = watched
    login(page, "sanna")
    page.goto(page.base_url + "/invitations/?status=contributed")
    row = page.locator("main table tbody tr").first
    text = row.inner_text()
    assert "Kutsuttu" in text and invited.number in text
    row.locator("a.button").click()
    page.wait_for_url("**/tasks/**")
    assert "Perheneuvola mukaan." in page.inner_text("main")
    check(page, "read back the contribution")
    page.goto(page.base_url + "/invitations/?status=all")
    check(page, "invitations")


# 4 ---------------------------------------------------------------------------------------
def test_4_required_marks_and_an_error_summary_that_takes_focus(watched, browser_staff):
    page = watched
    login(page, "anna")
    page.goto(page.base_url + "/clients/new/")
    assert page.locator("label[for=id_last_name] .required-mark").count() == 1  # before submitting
    assert page.locator("label[for=id_phone] .required-mark").count() == 0
    page.fill("#id_first_names", "Säilyy")
    page.click("main button[type=submit]")
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    summary.locator("a[href='#id_last_name']").click()
    assert page.evaluate("document.activeElement.id") == "id_last_name"
    assert page.input_value("#id_first_names") == "Säilyy"
    check(page, "form with errors")


# 5 ---------------------------------------------------------------------------------------
def test_5_a_task_page_shows_its_context_to_each_who_may_see_it(watched, browser_staff, start_path):
    anna, sanna = browser_staff["anna"], browser_staff["sanna"]
    case = start_path(
        last_name="Konteksti",
        interpreter_needed=True,
        interpreter_language="ar",
        street_address="Isokatu 5",
        phone="040 123",
    )
    act(case, "intake", anna)
    act(
        case,
        "assess",
        anna,
        assessment(
            wellbeing_participation_needed=True, wellbeing_participation_reason="lapsiperhe"
        ),
    )
    page = watched
    login(page, "anna")
    page.goto(page.base_url + f"/tasks/{open_task(case, 'responsible_contribution').uuid}/")
    text = page.inner_text("main")
    assert "Isokatu 5" in text and "040 123" in text and "arabia" in text.lower()
    assert "shop assistant" in text  # the assessment the step builds on
    assert page.locator("#about-task").count() == 1
    check(page, "task context, responsible worker")
    # the wellbeing worker: the invitation and her part of the assessment only
    task = services.task_claim(by=sanna, case_task=open_task(case, "wellbeing_contribution"))
    page.context.clear_cookies()
    login(page, "sanna")
    page.goto(page.base_url + f"/tasks/{task.uuid}/")
    text = page.inner_text("main")
    assert "lapsiperhe" in text and "family of four" in text
    assert "shop assistant" not in text and "Isokatu" not in text
    page.fill("#id_contribution", "Sosiaalityön arvio.")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    page.goto(page.base_url + f"/tasks/{task.uuid}/")
    assert "Sosiaalityön arvio." in page.inner_text("main")  # read back while taking part
    check(page, "task context, wellbeing worker")
    participation = WellbeingParticipation.objects.get(case=case)
    casework_services.wellbeing_end(by=anna, participation=participation)
    assert page.goto(page.base_url + f"/tasks/{task.uuid}/").status == 404  # access ended


# 6 ---------------------------------------------------------------------------------------
def test_6_defaults_do_not_decide_for_the_worker(watched, browser_staff):
    page = watched
    login(page, "anna")
    page.goto(page.base_url + "/clients/new/")
    assert page.input_value("#id_residence_basis") == ""
    assert page.input_value("#id_labour_market_status") == ""
    page.context.clear_cookies()
    login(page, "kaisa")  # Kannus serves one municipality: nothing to choose
    page.goto(page.base_url + "/clients/new/")
    assert page.input_value("#id_municipality") == str(Municipality.objects.get(code="217").pk)
    check(page, "registration form")


# 7 ---------------------------------------------------------------------------------------
def test_7_error_pages_belong_to_the_app(watched, browser_staff, live_server):
    page = watched
    login(page, "sanna")
    response = page.goto(page.base_url + "/manager/")
    assert response.status == 403
    assert page.locator("header.top nav").count() == 1  # our layout, not the engine's
    assert page.locator("html[lang=fi] main h1").count() == 1
    assert "rights to access" not in page.content()
    page.errors.clear()  # the 403 itself is logged by the browser
    check(page, "403")
    response = page.goto(page.base_url + "/sv/cases/00000000-0000-0000-0000-000000000000/")
    assert response.status == 404 and page.locator("html[lang=sv]").count() == 1
    assert page.locator("main a[href='/sv/']").count() >= 1  # a way back
    # a form sent without its security token
    other = new_page(browser=page.context.browser, live_server=live_server, viewport=DESKTOP)
    login(other, "anna")
    other.context.clear_cookies(name="csrftoken")
    other.goto(other.base_url + "/clients/new/")
    other.context.clear_cookies(name="csrftoken")
    with other.expect_response(lambda r: r.request.method == "POST") as sent:
        other.click("main button[type=submit]")
    assert sent.value.status == 403
    assert other.locator("header.top").count() == 1 and other.locator("main h1").count() == 1
    assert other.locator("main a.button[href='/']").count() == 1  # a way back


# 8 ---------------------------------------------------------------------------------------
def test_8_works_on_a_phone(browser, live_server, browser_staff, start_path):
    case = start_path(last_name="Puhelin")
    drive_to_plan_active(start_path(last_name="Voimassa"), browser_staff["anna"])
    services.task_claim(by=browser_staff["anna"], case_task=open_task(case, "intake"))
    for user, urls in {
        "anna": ["/", "/queue/", "/clients/?q=Puhelin", f"/cases/{case.uuid}/", "/clients/new/"],
        "maria": ["/manager/", "/manager/tasks/"],
    }.items():
        page = new_page(browser, live_server, PHONE)
        login(page, user)
        for url in urls:
            page.goto(page.base_url + url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (user, url, width)
            # the row's action button is inside the screen
            for button in page.locator(
                "main td.row-action .button, main td.row-action button"
            ).all()[:3]:
                box = button.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (url, box)
            violations = axe_violations(page)
            assert not violations, (user, url, violations)
        page.context.close()


# 9 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "dari", "sorani"),
    [
        ("fi", "dari", "soranî"),
        ("sv", "dari", "centralkurdiska (sorani)"),
        ("en", "Dari", "Central Kurdish (Sorani)"),
    ],
)
def test_9_language_and_country_lists_from_cldr(watched, browser_staff, locale, dari, sorani):
    page = watched
    login(page, "anna")
    prefix = "" if locale == "fi" else f"/{locale}"
    page.goto(page.base_url + prefix + "/clients/new/")
    options = page.locator("#id_mother_tongue option").all_inner_texts()
    assert dari in options and sorani in options
    assert len(options) == len(set(options))  # no duplicates
    countries = page.locator("#id_citizenship option").all_inner_texts()
    assert len(countries) == len(set(countries)) > 240
    if locale == "sv":
        assert "Palestinska territorierna" in countries
        municipality = page.locator(
            "#id_municipality option:checked, #id_municipality option"
        ).all_inner_texts()
        assert "Karleby" in municipality
    check(page, f"registration form in {locale}")


# 10 --------------------------------------------------------------------------------------
def test_10_dates_follow_the_language_and_empty_parts_show_a_dash(
    watched, browser_staff, start_path
):
    case = start_path(last_name="Päiväys", date_of_birth=dt.date(1990, 5, 5))
    page = watched
    login(page, "anna")
    page.goto(page.base_url + f"/en/cases/{case.uuid}/")
    text = page.inner_text("main")
    assert "05/05/1990" in text  # day before month in English
    assert ", ;" not in text
    header = page.locator("main dl.summary").first.inner_text()
    assert header.count("Integration Services") == 1  # the unit named like its department, once
    page.goto(page.base_url + f"/cases/{case.uuid}/")
    assert "5.5.1990" in page.inner_text("main")
    check(page, "case page in Finnish")


# 11 --------------------------------------------------------------------------------------
def test_11_manager_downloads_the_list_as_csv_and_xlsx(watched, browser_staff, start_path):
    start_path(last_name="Vienti")
    page = watched
    login(page, "maria")
    page.goto(page.base_url + "/manager/tasks/")
    with page.expect_download() as csv_download:
        page.click("main a[href*='format=csv']")
    content = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].startswith("Asia;Asiakas;Asiakasryhmä")
    assert "Vienti" in content and "NEW" not in content and "intake" not in content
    with page.expect_download() as xlsx_download:
        page.click("main a[href*='format=xlsx']")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert sheet["A1"].value == "Asia" and sheet.max_row == 2
    check(page, "manager tasks with export links")


# 12 --------------------------------------------------------------------------------------
def test_12_the_case_page_shows_the_path_step_by_step_and_as_a_chart(
    watched, browser_staff, start_path
):
    case = drive_to_plan_active(start_path(last_name="Polku"), browser_staff["anna"])
    page = watched
    login(page, "anna")
    page.goto(page.base_url + f"/cases/{case.uuid}/")
    steps = page.locator("ol.progress li")
    assert steps.count() == 6
    assert page.locator("ol.progress li[aria-current=step]").count() == 1
    assert page.locator("ol.progress li.current").evaluate("e => e === e.parentNode.children[4]")
    assert "skipped" in steps.nth(2).get_attribute("class")  # no wellbeing area: not taken
    loaded = page.evaluate("document.querySelector('.chart img').naturalWidth")
    assert loaded > 600
    svg = page.request.get(page.base_url + f"/cases/{case.uuid}/chart.svg").text()
    assert "<style" not in svg and " style=" not in svg  # nothing the CSP would refuse
    assert "Arvioi osaaminen ja" in svg and "Arvioi Osaaminen" not in svg  # sentence case
    assert svg.count('<rect x="') >= 5 + 8  # the legend's swatches besides the tasks
    check(page, "case page")


# 13 --------------------------------------------------------------------------------------
def test_13_dashboard_lists_everyone_and_shows_zero_weeks_and_overdue_history(
    watched, browser_staff, start_path
):
    case = start_path(last_name="Kojelauta")
    services.task_claim(by=browser_staff["anna"], case_task=open_task(case, "intake"))
    CaseTask.objects.filter(case=case).update(due_on=timezone.localdate() - dt.timedelta(days=20))
    page = watched
    login(page, "maria")
    page.goto(page.base_url + "/manager/")
    workload = page.locator("table", has=page.locator("th", has_text="Työntekijä")).inner_text()
    assert "Bertil" in workload  # no task, still listed (at zero)
    assert page.locator("#weeks-chart-title").count() == 1
    assert page.locator("figure[aria-labelledby=weeks] svg rect").count() == 8
    assert page.locator("figure[aria-labelledby=overdue-history] svg polyline").count() >= 1
    check(page, "dashboard")


def test_no_page_breaks_the_content_security_policy(watched, browser_staff):
    page = watched
    login(page, "anna")
    for url in ("/", "/queue/", "/clients/new/", "/api/docs/"):
        response = page.goto(page.base_url + url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_timeout(300)
    assert not page.errors, page.errors
    assert PASSWORD  # the shared test password logs everyone in


def test_other_changed_pages_pass_axe(watched, browser_staff, start_path):
    case = drive_to_plan_active(start_path(last_name="Muut"), browser_staff["anna"])
    page = watched
    login(page, "anna")
    for url in (
        "/queue/",
        f"/cases/{case.uuid}/client/",
        f"/cases/{case.uuid}/close/",
        f"/cases/{case.uuid}/plans/1/print/",
        "/en/clients/?q=Muut",
        "/no-such-page/",
    ):
        page.goto(page.base_url + url)
        check(page, url)
