"""Every role against the pages of one case: who gets data, who gets 403/404 (never data),
before the wellbeing area is invited, while it takes part and after its part ended."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Role, Unit
from permissions.models import AuditEntry
from tests.workflows.conftest import act, assessment, open_task, plan

ROLES = {
    "aino": ("kokkola", "kotoutumispalvelut", Role.AUDITOR),
    "admin": ("kokkola", "kotoutumispalvelut", Role.ADMINISTRATOR),
}


@pytest.fixture
def people(staff):
    users = dict(staff)
    for name, (org, unit, role) in ROLES.items():
        user = get_user_model().objects.create_user(
            username=name, password="x", is_staff=True, is_superuser=name == "admin"
        )
        casework_services.membership_grant(
            by=None, user=user, unit=Unit.objects.get(organisation__code=org, code=unit), role=role
        )
        users[name] = user
    return users


@pytest.fixture
def case(start_path, people):
    case = start_path(
        first_names="Salainen",
        last_name="Asiakas",
        non_disclosure=True,
        street_address="Piilotie 7",
    )
    act(case, "intake", people["anna"])
    act(
        case,
        "assess",
        people["anna"],
        assessment(
            wellbeing_participation_needed=True, wellbeing_participation_reason="family support"
        ),
    )
    return case


def _pages(case):
    return {
        "case": reverse("workflows:case", args=[case.uuid]),
        "chart": reverse("workflows:case_chart", args=[case.uuid]),
        "export": reverse("permissions:client_export", args=[case.client.uuid]),
        "access_log": reverse("permissions:client_access_log", args=[case.client.uuid]),
    }


FULL = {"case": 200, "chart": 200, "export": 200, "access_log": 200}
NOTHING = {"case": 404, "chart": 404, "export": 404, "access_log": 404}
SUMMARY = {"case": 200, "chart": 200, "export": 404, "access_log": 404}

BEFORE_INVITATION_CLAIMED = {
    "anna": FULL,
    "bertil": FULL,
    "maria": FULL,
    "kaisa": NOTHING,
    "tuomas": NOTHING,
    "teija": NOTHING,
    "sanna": NOTHING,
    "sakari": NOTHING,
    "sirpa": NOTHING,
    "aino": NOTHING,
    "admin": NOTHING,
}


def _check(client, people, case, expected):
    pages = _pages(case)
    for name, statuses in expected.items():
        client.force_login(people[name])
        for page, status in statuses.items():
            response = client.get(pages[page])
            assert response.status_code == status, (name, page, response.status_code)
            if status != 200 or page == "chart":
                continue
            body = response.content.decode()
            if page in ("case", "export"):
                # the non-disclosure marking: only named staff see the address
                assert ("Piilotie 7" in body) == (name in ("anna", "maria")), (name, page)


def test_access_before_during_and_after_the_wellbeing_areas_part(client, people, case):
    # anna and maria are named staff for protected details; bertil is not
    from casework.models import Membership

    Membership.objects.filter(user__in=[people["anna"], people["maria"]]).update(
        can_see_protected_details=True
    )
    _check(client, people, case, BEFORE_INVITATION_CLAIMED)

    # sanna takes the invitation: she now sees the case summary, and nothing more
    act(case, "wellbeing_contribution", people["sanna"], {"contribution": "support family"})
    during = {**BEFORE_INVITATION_CLAIMED, "sanna": SUMMARY}
    _check(client, people, case, during)
    client.force_login(people["sanna"])
    response = client.get(_pages(case)["case"])
    body = response.content.decode()
    assert "Piilotie 7" not in body and "family support" not in body
    assert {t.step for t in response.context["tasks"]} == {"wellbeing_contribution"}
    assert response.context["events"] is None and response.context["plans"] is None

    # the plan is approved: her part ends and the access goes with it
    act(
        case,
        "responsible_contribution",
        people["anna"],
        {"multi_professional_summary": "joint", "plan_needed": True},
    )
    act(case, "draft_plan", people["anna"], plan(case))
    act(
        case,
        "client_decision",
        people["anna"],
        {"decision": "agree", "decided_on": timezone.localdate()},
    )
    act(case, "approve", people["anna"], {"confirm": True})
    _check(client, people, case, BEFORE_INVITATION_CLAIMED)


def test_denied_attempts_are_audited_and_leak_nothing(client, people, case):
    client.force_login(people["kaisa"])
    before = AuditEntry.objects.filter(action="access.denied").count()
    response = client.get(_pages(case)["case"])
    assert response.status_code == 404
    assert "Salainen" not in response.content.decode()
    assert AuditEntry.objects.filter(action="access.denied").count() == before + 1
    entry = AuditEntry.objects.filter(action="access.denied").latest("pk")
    assert entry.actor == people["kaisa"] and entry.client_id == case.client_id
    task = open_task(case, "responsible_contribution")
    assert client.get(reverse("workflows:task", args=[task.uuid])).status_code == 404
    assert client.post(reverse("workflows:claim", args=[task.uuid])).status_code == 404


def test_audit_trail_is_for_auditors_only(client, people, case):
    url = reverse("permissions:audit_log")
    for name in ("anna", "maria", "kaisa", "sanna", "admin"):
        client.force_login(people[name])
        assert client.get(url).status_code == 403, name
    client.force_login(people["aino"])
    response = client.get(url, {"client": str(case.client.uuid)})
    assert response.status_code == 200
    assert (
        "client.viewed" in response.content.decode() or "case.opened" in response.content.decode()
    )
    csv = client.get(url, {"client": str(case.client.uuid), "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode().strip().splitlines()
    assert rows[0].startswith("time,user,action")
    assert any(",case.opened," in row for row in rows[1:])
    assert all("Salainen" not in row for row in rows)  # the trail never names the client
    response = client.get(url, {"client": "not-a-uuid"})
    assert response.status_code == 200 and "errorlist" not in response.content.decode()
