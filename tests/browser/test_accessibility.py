"""axe-core on each main page, as the user who works there: no serious or critical
violation of WCAG 2.1 A/AA (Finnish public-sector services must meet WCAG 2.1 AA)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from casework import services as casework_services
from casework.models import Role, Unit
from workflows.models import CaseTask

from ..workflows.conftest import act, assessment, drive_to_plan_active, open_task
from .conftest import PASSWORD, axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(browser_staff, start_path):
    anna = browser_staff["anna"]
    active = start_path(last_name="Active", non_disclosure=True)
    drive_to_plan_active(active, anna)
    invited = start_path(last_name="Invited")
    act(invited, "intake", anna)
    act(
        invited,
        "assess",
        anna,
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason="family"),
    )
    waiting = start_path(last_name="Waiting")
    CaseTask.objects.filter(case=waiting).update(due_on=dt.date(2026, 1, 1))
    auditor = get_user_model().objects.create_user(username="aino", password=PASSWORD)
    casework_services.membership_grant(
        by=None,
        user=auditor,
        role=Role.AUDITOR,
        unit=Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut"),
    )
    return {"active": active, "invited": invited, "waiting": waiting}


def _pages(scene):
    invited, active = scene["invited"], scene["active"]
    return {
        "anna": [
            "/",
            "/queue/",
            "/clients/new/",
            "/clients/?q=Active",
            f"/cases/{active.uuid}/",
            f"/tasks/{open_task(invited, 'responsible_contribution').uuid}/",
            f"/cases/{active.uuid}/plans/1/print/",
            f"/clients/{active.client.uuid}/access-log/",
        ],
        "maria": ["/manager/", "/manager/tasks/?overdue=1"],
        "sanna": ["/invitations/", f"/tasks/{open_task(invited, 'wellbeing_contribution').uuid}/"],
        "aino": ["/audit/"],
    }


def test_main_pages_have_no_serious_accessibility_violations(page, scene):
    failures = {}
    for user, urls in _pages(scene).items():
        login(page, user)
        for url in urls:
            response = page.goto(page.base_url + url)
            assert response.status == 200, (user, url, response.status)
            violations = axe_violations(page)
            if violations:
                failures[f"{user} {url}"] = violations
        page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    if violations := axe_violations(page):
        failures["login"] = violations
    assert not failures, failures


def test_a_form_with_errors_stays_accessible(page, scene):
    login(page, "anna")
    task = open_task(scene["invited"], "responsible_contribution")
    page.goto(page.base_url + f"/tasks/{task.uuid}/")
    page.click("button[value=complete]")  # empty: errors next to the fields
    assert page.locator(".errorlist").count() >= 1
    assert not axe_violations(page)


def test_keyboard_reaches_the_main_navigation_and_skip_link(page, scene):
    login(page, "anna")
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
