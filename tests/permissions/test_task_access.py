"""Who may open a task and who has a queue (issue 14, points 1, 2 and the invitations page).

- A wellbeing-area invitation is open to the unit's colleagues only while it waits unclaimed
  in their queue; after that only to the participant, and only while the participation lasts.
- Only roles that work a queue have one: the auditor and the administrator see no clients
  in queues, neither on the page nor in the API.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from casework import services as casework_services
from casework.models import Role, Unit
from permissions.models import AuditEntry
from tests.api.conftest import Api
from tests.workflows.conftest import act, assessment, open_task, plan
from workflows import services

REASON = "Epäily mielenterveyden ongelmista"


def _unit(org, code):
    return Unit.objects.get(organisation__code=org, code=code)


@pytest.fixture
def others(staff):
    """The auditor and the administrator of Kokkola, as the demo has them, and an auditor in
    the wellbeing area's unit."""
    users = {}
    for name, unit, role in (
        ("aino", ("kokkola", "kotoutumispalvelut"), Role.AUDITOR),
        ("admin", ("kokkola", "kotoutumispalvelut"), Role.ADMINISTRATOR),
        ("sauli", ("soite", "monialainen-kotoutuminen"), Role.AUDITOR),
    ):
        user = get_user_model().objects.create_user(
            username=name, password="x", is_staff=role == Role.ADMINISTRATOR
        )
        casework_services.membership_grant(by=None, user=user, unit=_unit(*unit), role=role)
        users[name] = user
    return {**staff, **users}


@pytest.fixture
def invited(start_path, staff):
    """A case whose assessment invited the wellbeing area, with a reason naming health needs."""
    case = start_path(first_names="Salainen", last_name="Asiakas", non_disclosure=True)
    act(case, "intake", staff["anna"])
    act(
        case,
        "assess",
        staff["anna"],
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason=REASON),
    )
    return case


def _task_status(client, user, case_task) -> tuple[int, int]:
    """(page, API) status of the task for ``user``."""
    client.force_login(user)
    page = client.get(reverse("workflows:task", args=[case_task.uuid])).status_code
    api = Api(user).get(f"/tasks/{case_task.uuid}/").status_code
    return page, api


def test_an_invitation_is_open_to_colleagues_only_while_it_waits(client, staff, invited):
    task = open_task(invited, "wellbeing_contribution")
    # waiting unclaimed in the unit's queue: every worker of the unit may look before taking it
    assert _task_status(client, staff["sakari"], task) == (200, 200)
    assert _task_status(client, staff["sanna"], task) == (200, 200)

    services.task_claim(by=staff["sanna"], case_task=task)
    # claimed: only the participant; her colleague gets the same 404 as for a stranger
    assert _task_status(client, staff["sanna"], task) == (200, 200)
    denied_before = AuditEntry.objects.filter(action="access.denied").count()
    assert _task_status(client, staff["sakari"], task) == (404, 404)
    assert AuditEntry.objects.filter(action="access.denied").count() == denied_before + 2
    client.force_login(staff["sakari"])
    body = client.get(reverse("workflows:task", args=[task.uuid])).content.decode()
    assert REASON not in body and "Salainen" not in body
    assert client.post(reverse("workflows:claim", args=[task.uuid])).status_code == 404


def test_a_finished_participation_is_closed_to_everyone_in_the_unit(client, staff, invited):
    anna, sanna = staff["anna"], staff["sanna"]
    task = open_task(invited, "wellbeing_contribution")
    act(invited, "wellbeing_contribution", sanna, {"contribution": "perhetyö"})
    assert _task_status(client, sanna, task) == (200, 200)  # her part lasts until the plan
    assert _task_status(client, staff["sakari"], task) == (404, 404)
    act(
        invited,
        "responsible_contribution",
        anna,
        {"multi_professional_summary": "yhteinen arvio", "plan_needed": True},
    )
    act(invited, "draft_plan", anna, plan(invited))
    act(invited, "client_decision", anna, {"decision": "agree", "decided_on": timezone.localdate()})
    act(invited, "approve", anna, {"confirm": True})
    assert invited.participations.get().ended_at is not None
    for name in ("sanna", "sakari", "sirpa"):
        assert _task_status(client, staff[name], task) == (404, 404), name


def test_the_invitations_page_shows_colleagues_nothing_once_claimed(client, staff, invited):
    client.force_login(staff["sakari"])
    assert REASON in client.get(reverse("workflows:invitations")).content.decode()
    services.task_claim(by=staff["sanna"], case_task=open_task(invited, "wellbeing_contribution"))
    body = client.get(reverse("workflows:invitations")).content.decode()
    assert REASON not in body and invited.number not in body
    client.force_login(staff["sanna"])
    assert REASON in client.get(reverse("workflows:invitations")).content.decode()


@pytest.mark.parametrize("name", ["aino", "admin", "sauli"])
def test_auditors_and_administrators_have_no_queue(client, others, invited, start_path, name):
    """Kokkola's intake queue holds a protected client's task, Soite's the invitation."""
    waiting = start_path(first_names="Piilotettu", last_name="Henkilö", non_disclosure=True)
    assert open_task(waiting, "intake").status == "NEW"
    user = others[name]
    client.force_login(user)
    for url in (reverse("workflows:queue"), reverse("workflows:invitations")):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        for secret in ("Salainen", "Piilotettu", invited.number, waiting.number, REASON):
            assert secret not in body, (url, secret)
    api = Api(user)
    queue = api.get("/tasks/queue/")
    assert queue.status_code == 200 and queue.json()["count"] == 0
    assert api.post("/tasks/queue/next/").status_code == 409
    for task in (open_task(invited, "wellbeing_contribution"), open_task(waiting, "intake")):
        assert _task_status(client, user, task) == (404, 404)
        assert api.post(f"/tasks/{task.uuid}/claim/").status_code in (403, 404)


def test_a_role_without_a_queue_does_not_borrow_one_from_another_unit(staff, invited):
    """An auditor in Soite's invitation unit who works as a wellbeing-area worker in another
    Soite unit still cannot see or take the invitations of the first unit."""
    other_unit = Unit.objects.create(
        organisation=_unit("soite", "monialainen-kotoutuminen").organisation,
        code="perhepalvelut",
        name_fi="Perhepalvelut",
    )
    user = get_user_model().objects.create_user(username="ulla", password="x")
    casework_services.membership_grant(
        by=None, user=user, unit=_unit("soite", "monialainen-kotoutuminen"), role=Role.AUDITOR
    )
    casework_services.membership_grant(
        by=None, user=user, unit=other_unit, role=Role.WELLBEING_WORKER
    )
    task = open_task(invited, "wellbeing_contribution")
    assert not services.can_claim(user, task)
    assert Api(user).get(f"/tasks/{task.uuid}/").status_code == 404
    assert Api(user).post(f"/tasks/{task.uuid}/claim/").status_code == 404
