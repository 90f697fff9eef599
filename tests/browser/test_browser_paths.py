"""Real users in a real browser: a case worker takes a quota refugee from registration to an
approved plan; a wellbeing-area worker adds a contribution; a manager reassigns an overdue task."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import CaseState, Client, Municipality
from workflows.models import CaseTask

from ..workflows.conftest import act, assessment, open_task
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _select(page, selector, value):
    page.select_option(selector, value)


def test_case_worker_takes_a_quota_refugee_to_an_approved_plan(page, browser_staff):
    login(page, "anna")
    page.click("nav a[href='/clients/new/']")
    page.fill("#id_first_names", "Hodan")
    page.fill("#id_last_name", "Abdi")
    page.fill("#id_date_of_birth", "1994-04-12")
    _select(page, "#id_gender", "female")
    _select(page, "#id_citizenship", "SO")
    _select(page, "#id_mother_tongue", "so")
    _select(page, "#id_preferred_language", "fi")
    page.check("#id_interpreter_needed")
    # forget the interpreter's language: the error is explained and nothing is lost
    _select(page, "#id_municipality", str(Municipality.objects.get(code="272").pk))
    page.fill("#id_first_residence_permit_date", "2026-05-02")
    _select(page, "#id_residence_basis", "quota_refugee")
    _select(page, "#id_labour_market_status", "outside_labour_force")
    page.fill("#id_street_address", "Isokatu 5")
    page.click("main button[type=submit]")
    assert page.locator(".has-error #id_interpreter_language").count() == 1
    assert page.input_value("#id_street_address") == "Isokatu 5"
    _select(page, "#id_interpreter_language", "so")
    page.click("main button[type=submit]")
    page.wait_for_url("**/clients/registered/**")  # the confirmation says where it went
    page.click("main a.button[href^='/cases/']")
    page.wait_for_url("**/cases/**")
    client = Client.objects.get(last_name="Abdi")
    case = client.cases.get()
    assert case.responsible_organisation.code == "kokkola"

    # take the first task from the queue and complete it
    page.click("nav a[href='/queue/']")
    intake = open_task(case, "intake")
    page.click(f"form[action='/tasks/{intake.uuid}/claim/'] button")
    page.wait_for_url(f"**/tasks/{intake.uuid}/")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    # the assessment, with every statutory field, opened from the case page
    page.click(f"a[href='/tasks/{open_task(case, 'assess').uuid}/']")
    page.fill("#id_interview_date", timezone.localdate().isoformat())
    _select(page, "#id_literacy", "latin")
    _select(page, "#id_finnish_level", "A1")
    _select(page, "#id_swedish_level", "none")
    for field in (
        "learning_skills",
        "working_life_skills",
        "education_history",
        "work_history",
        "education_goals",
        "life_situation",
    ):
        page.fill(f"#id_{field}", f"{field} noted")
    page.click("button[value=draft]")  # a draft first, then resume
    assert page.input_value("#id_work_history") == "work_history noted"
    _select(page, "#id_plan_needed", "true")
    _select(page, "#id_wellbeing_participation_needed", "false")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    case.refresh_from_db()
    assert case.state == CaseState.PLANNING

    page.goto(page.base_url + f"/tasks/{open_task(case, 'draft_plan').uuid}/")
    today = timezone.localdate()
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=300)).isoformat())
    page.fill("#id_long_term_goals", "Työ lähihoitajana")
    page.fill("#id_period_goals", "Suomen kieli A2-tasolle")
    page.fill("#id_follow_up", "Tapaaminen puolen vuoden välein")
    page.select_option("#id_measures-0-service", label="Kotoutumiskoulutus (suomi)")
    page.fill("#id_measures-0-starts_on", (today + dt.timedelta(days=14)).isoformat())
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")

    page.goto(page.base_url + f"/tasks/{open_task(case, 'client_decision').uuid}/")
    page.check("input[name=decision][value=agree]")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    page.goto(page.base_url + f"/tasks/{open_task(case, 'approve').uuid}/")
    page.check("#id_confirm")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    case.refresh_from_db()
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plans.get().measures.count() == 1


def test_wellbeing_worker_adds_a_contribution(page, browser_staff, start_path):
    anna = browser_staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    act(
        case,
        "assess",
        anna,
        assessment(
            wellbeing_participation_needed=True, wellbeing_participation_reason="Perhetyön tarve"
        ),
    )
    login(page, "sanna")
    page.click("nav a[href='/invitations/']")
    task = open_task(case, "wellbeing_contribution")
    page.click(f"a[href='/tasks/{task.uuid}/']")
    page.click(f"form[action='/tasks/{task.uuid}/claim/'] button")
    page.wait_for_url(f"**/tasks/{task.uuid}/")
    page.fill("#id_contribution", "Perhetyö kahdesti viikossa")
    page.click("button[value=complete]")
    page.wait_for_url("**/cases/**")
    assert case.participations.get().contribution == "Perhetyö kahdesti viikossa"


def test_manager_reassigns_an_overdue_task(page, browser_staff, start_path):
    case = start_path()
    act(case, "intake", browser_staff["anna"])
    CaseTask.objects.filter(case=case, step="assess").update(due_on=dt.date(2026, 1, 1))
    login(page, "maria")
    page.click("nav a[href='/manager/']")
    page.click("a[href='/manager/tasks/?due=overdue']")
    page.check(f"input[name=tasks][value='{open_task(case, 'assess').uuid}']")
    page.select_option("#f-worker", str(browser_staff["bertil"].pk))
    page.click("#reassign")
    page.wait_for_selector(".message.success")
    assert open_task(case, "assess").owner == browser_staff["bertil"]
