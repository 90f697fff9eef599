"""The manager's dashboard: figures, drill-down, reassigning many tasks, CSV; a fixed number
of queries whatever the number of tasks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workflows.models import CaseTask

from .conftest import act, open_task


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_dashboard_figures_and_drilldown(client, start_path, staff):
    cases = [start_path(last_name=f"C{i}") for i in range(4)]
    act(cases[0], "intake", staff["anna"])  # anna has the assessment of case 0
    CaseTask.objects.filter(case=cases[1]).update(due_on=dt.date(2020, 1, 1))  # overdue
    client.force_login(staff["maria"])
    page = client.get(reverse("workflows:dashboard"))
    d = page.context["d"]
    assert d.totals == {"open": 4, "unassigned": 3, "overdue": 1}
    assert {(r["step"], r["open"], r["unassigned"]) for r in d.per_queue_step} == {
        ("intake", 3, 3),
        ("assess", 1, 0),
    }
    # every active member of the unit is listed, also those with no task (issue 18)
    assert [(w["name"], w["open"]) for w in d.per_worker] == [
        ("Anna", 1),
        ("Bertil", 0),
        ("Maria", 0),
    ]
    assert sum(a["count"] for a in d.ages) == 4
    assert len(d.per_week) == 8 and sum(w["done"] for w in d.per_week) == 1
    # drill down from "overdue" and from "unassigned intake"
    overdue = client.get(reverse("workflows:manager_tasks"), {"overdue": "1"})
    assert [t.case for t in overdue.context["page"]] == [cases[1]]
    queue = client.get(reverse("workflows:manager_tasks"), {"step": "intake", "owner": "none"})
    assert queue.context["page"].paginator.count == 3
    bad = client.get(reverse("workflows:manager_tasks"), {"owner": "x';drop", "age": "zzz"})
    assert bad.status_code == 200
    assert len(bad.context["errors"]) == 1  # the age bucket
    assert bad.context["listing"].ignored  # the assignee


def test_dashboard_and_lists_cost_a_fixed_number_of_queries(client, start_path, staff):
    from workflows import services

    client.force_login(staff["maria"])
    first = start_path(last_name="First")
    services.task_claim(by=staff["maria"], case_task=open_task(first, "intake"))
    start_path(last_name="Second")
    few = {
        "inbox": _queries(client, reverse("workflows:inbox"))[0],
        "dashboard": _queries(client, reverse("workflows:dashboard"))[0],
        "tasks": _queries(client, reverse("workflows:manager_tasks"))[0],
        "queue": _queries(client, reverse("workflows:queue"))[0],
    }
    for i in range(12):
        start_path(last_name=f"More{i}")
    for case_task in CaseTask.objects.filter(step="intake", status="NEW")[:6]:
        services.task_claim(by=staff["maria"], case_task=case_task)
    many = {
        "dashboard": _queries(client, reverse("workflows:dashboard"))[0],
        "tasks": _queries(client, reverse("workflows:manager_tasks"))[0],
        "queue": _queries(client, reverse("workflows:queue"))[0],
        "inbox": _queries(client, reverse("workflows:inbox"))[0],
    }
    assert many["dashboard"] == few["dashboard"]
    assert many["tasks"] == few["tasks"]
    assert many["queue"] == few["queue"]
    assert many["inbox"] == few["inbox"]


def test_manager_reassigns_from_the_list_and_wrong_input_is_explained(client, start_path, staff):
    cases = [start_path(last_name=f"C{i}") for i in range(3)]
    tasks = [open_task(c, "intake") for c in cases]
    client.force_login(staff["maria"])
    url = reverse("workflows:manager_tasks")
    response = client.post(url, {"tasks": [str(t.uuid) for t in tasks[:2]], "worker": ""})
    assert response.status_code == 400
    assert response.context["selected"] == {str(t.uuid) for t in tasks[:2]}  # kept
    response = client.post(
        url, {"tasks": [str(t.uuid) for t in tasks[:2]], "worker": staff["bertil"].pk}
    )
    assert response.status_code == 302
    assert {t.owner for t in CaseTask.objects.filter(pk__in=[t.pk for t in tasks[:2]])} == {
        staff["bertil"]
    }
    assert open_task(cases[2], "intake").owner is None
    csv = client.get(url, {"format": "csv"})
    assert csv.content.decode().count("\n") == 1 + 3


@pytest.mark.parametrize("who", ["anna", "kaisa", "sanna"])
def test_only_managers_see_the_dashboard(client, staff, who):
    client.force_login(staff[who])
    assert client.get(reverse("workflows:dashboard")).status_code == 403
    assert client.get(reverse("workflows:manager_tasks")).status_code == 403


def test_inbox_and_queue_show_one_page_at_a_time(client, start_path, staff):
    from workflows.pages.tasks import TASKS_PER_PAGE

    for i in range(TASKS_PER_PAGE + 3):
        start_path(last_name=f"Q{i}")
    client.force_login(staff["anna"])
    first = client.get(reverse("workflows:queue"))
    assert len(first.context["tasks"]) == TASKS_PER_PAGE
    assert first.context["page"].paginator.count == TASKS_PER_PAGE + 3
    second = client.get(reverse("workflows:queue"), {"page": 2})
    assert len(second.context["tasks"]) == 3
    assert client.get(reverse("workflows:queue"), {"page": "zz"}).status_code == 200
