"""Every role against the pages of one case: who gets data, who gets 403/404 (never data),
before the wellbeing area is invited, while it takes part and after its part ended; and the
roles that hold no client data (the auditor, the administrator, a superuser) against every
list and task endpoint of the pages and the API."""

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
    """The staff, the auditor and the administrator as the demo has them (the administrator
    is staff of the admin site, not a superuser), and a true superuser with no role."""
    users = dict(staff)
    for name, (org, unit, role) in ROLES.items():
        user = get_user_model().objects.create_user(
            username=name, password="x", is_staff=role == Role.ADMINISTRATOR
        )
        casework_services.membership_grant(
            by=None, user=user, unit=Unit.objects.get(organisation__code=org, code=unit), role=role
        )
        users[name] = user
    users["root"] = get_user_model().objects.create_superuser(username="root", password="x")
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
    "root": NOTHING,
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
    for name in ("anna", "maria", "kaisa", "sanna", "admin", "root"):
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


# --- the roles that hold no client data, on every list and task endpoint ---------------------

SECRETS = ("Salainen", "Piilotie", "family support")


def _no_secrets(name, where, response, numbers):
    body = response.content.decode(errors="replace")
    for secret in (*SECRETS, *numbers):
        assert secret not in body, (name, where, secret)


def _page_matrix(case, tasks):
    """(method, url, expected status) for every page that lists tasks or clients or acts on
    one task or case."""
    case_uuid, client_uuid = case.uuid, case.client.uuid
    rows = [
        ("get", reverse("workflows:inbox"), 200),
        ("get", reverse("workflows:start"), 302),  # where signing in leads: never data
        ("get", reverse("workflows:queue"), 200),
        ("get", reverse("workflows:invitations"), 200),
        ("get", reverse("workflows:client_search") + "?q=Salai", 200),
        ("get", reverse("workflows:client_register"), 403),
        ("get", reverse("workflows:dashboard"), 403),
        ("get", reverse("workflows:manager_tasks"), 403),
        ("get", reverse("workflows:manager_tasks") + "?format=csv", 403),
        ("post", reverse("workflows:claim_next"), 302),  # "nothing to take", back to the queue
        ("get", reverse("workflows:case", args=[case_uuid]), 404),
        ("get", reverse("workflows:case_chart", args=[case_uuid]), 404),
        ("get", reverse("workflows:client_change", args=[case_uuid]), 404),
        ("post", reverse("workflows:client_change", args=[case_uuid]), 404),
        ("get", reverse("workflows:case_close", args=[case_uuid]), 404),
        ("post", reverse("workflows:case_close", args=[case_uuid]), 404),
        ("get", reverse("workflows:plan_print", args=[case_uuid, 1]), 404),
        ("get", reverse("permissions:client_export", args=[client_uuid]), 404),
        ("get", reverse("permissions:client_access_log", args=[client_uuid]), 404),
    ]
    for task in tasks:
        rows += [
            ("get", reverse("workflows:task", args=[task.uuid]), 404),
            ("post", reverse("workflows:task", args=[task.uuid]), 404),
            ("post", reverse("workflows:claim", args=[task.uuid]), 404),
            ("post", reverse("workflows:release", args=[task.uuid]), 404),
        ]
    return rows


def _api_matrix(case, tasks):
    case_uuid, client_uuid = case.uuid, case.client.uuid
    rows = [
        ("get", "/me/", 200),
        ("get", "/municipalities/", 200),
        ("get", "/services/", 200),
        ("get", "/clients/", 200),
        ("get", "/clients/?search=Salai", 200),
        ("post", "/clients/", 403),
        ("get", f"/clients/{client_uuid}/", 404),
        ("patch", f"/clients/{client_uuid}/", 404),
        ("post", "/intake/", 404),
        ("get", "/cases/", 200),
        ("get", f"/cases/{case_uuid}/", 404),
        ("get", f"/cases/{case_uuid}/timeline/", 404),
        ("get", f"/cases/{case_uuid}/tasks/", 404),
        ("get", f"/cases/{case_uuid}/plans/", 404),
        ("get", "/tasks/inbox/", 200),
        ("get", "/tasks/queue/", 200),
        ("post", "/tasks/queue/next/", 409),
        ("get", "/reports/queues/", 403),
    ]
    for task in tasks:
        rows += [
            ("get", f"/tasks/{task.uuid}/", 404),
            ("post", f"/tasks/{task.uuid}/claim/", 404),
            ("post", f"/tasks/{task.uuid}/release/", 404),
            ("post", f"/tasks/{task.uuid}/complete/", 404),
            ("post", f"/tasks/{task.uuid}/draft/", 404),
        ]
    return rows


@pytest.mark.parametrize("name", ["aino", "admin", "root"])
def test_roles_without_client_data_on_every_list_and_task_endpoint(
    client, people, case, start_path, name
):
    """Tasks wait in Kokkola's queue (a protected client at intake) and in Soite's (the
    invitation); one is in anna's list. The auditor, the administrator and a superuser get
    empty lists and the same 404 as for a case that does not exist; never a name."""
    from tests.api.conftest import Api
    from workflows.models import CaseTask

    waiting = start_path(first_names="Salainen", last_name="Toinen", non_disclosure=True)
    tasks = list(CaseTask.objects.filter(case__in=[case, waiting], status__in=["NEW", "ASSIGNED"]))
    assert {t.status for t in tasks} == {"NEW", "ASSIGNED"}
    numbers = (case.number, waiting.number)
    user = people[name]
    client.force_login(user)
    for method, url, expected in _page_matrix(case, tasks):
        response = getattr(client, method)(url)
        assert response.status_code == expected, (name, method, url, response.status_code)
        _no_secrets(name, url, response, numbers)
    api = Api(user)
    for method, path, expected in _api_matrix(case, tasks):
        body = {"client": str(case.client.uuid)} if path == "/intake/" else {}
        response = getattr(api, method)(path, body) if method != "get" else api.get(path)
        assert response.status_code == expected, (name, method, path, response.status_code)
        reference = path in ("/municipalities/", "/services/")  # not client data
        if expected == 200 and "results" in response.json() and not reference:
            assert response.json()["count"] == 0, (name, path)
        _no_secrets(name, path, response, numbers)
    # nothing was taken or changed on their behalf
    assert {t.status for t in CaseTask.objects.filter(pk__in=[t.pk for t in tasks])} == {
        t.status for t in tasks
    }
