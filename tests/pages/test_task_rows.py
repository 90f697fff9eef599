"""The task lists' rows: each row's title, links, due badges and the navigation come from
what the page already has (no query per row, links reversed once), and say the same as
before."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from workflows import services
from workflows.flows import IntegrationFlow
from workflows.models import TASK_TITLES, CaseTask
from workflows.steps import STEPS

from ..workflows.conftest import open_task

pytestmark = pytest.mark.django_db


def test_every_human_step_has_its_title_from_one_place():
    nodes = {node.name: node for node in IntegrationFlow.instance.nodes()}
    assert set(TASK_TITLES) == set(STEPS)
    for name, title in TASK_TITLES.items():
        assert nodes[name].task_title == title
    with translation.override("fi"):
        assert str(CaseTask(step="assess").title) == "Arvioi osaaminen ja palvelutarve"


def _due(task, today):
    return Template("{% load kotopolku %}{% due t %}").render(Context({"t": task, "today": today}))


def test_due_badges():
    today = dt.date(2026, 12, 2)
    with translation.override("en"):
        assert _due(CaseTask(status="NEW", priority=2), today) == "–"
        overdue = _due(CaseTask(status="NEW", due_on=dt.date(2026, 12, 1), priority=1), today)
        assert "badge high" in overdue and "overdue" in overdue and "high priority" in overdue
        assert "due today" in _due(CaseTask(status="ASSIGNED", due_on=today, priority=2), today)
        done = _due(CaseTask(status="DONE", due_on=dt.date(2026, 11, 1), priority=2), today)
        assert "overdue" not in done and "badge" not in done


def test_rows_link_to_their_own_task_and_case_with_a_fixed_number_of_queries(
    client, staff, start_path
):
    cases = [start_path(last_name=name) for name in ("Aalto", "Berg")]
    client.force_login(staff["anna"])
    url = reverse("workflows:queue")
    with CaptureQueriesContext(connection) as two:
        html = client.get(url).content.decode()
    for case in cases:
        task = open_task(case, "intake")
        assert f'action="{reverse("workflows:claim", args=[task.uuid])}"' in html
        assert f'href="{reverse("workflows:case", args=[case.uuid])}"' in html
    assert "00000000-0000-0000-0000-000000000000" not in html
    cases.extend(start_path(last_name=f"Lisä{n}") for n in range(3))
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(two)
    # the inbox: every row opens its own task
    for case in cases:
        services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    html = client.get(reverse("workflows:inbox")).content.decode()
    hrefs = set(re.findall(r'href="(/(?:[a-z]{2}/)?tasks/[0-9a-f-]+/)"', html))
    assert hrefs == {reverse("workflows:task", args=[open_task(c, "intake").uuid]) for c in cases}


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("anna", ["Find a client", "Register a client"], ["Dashboard", "Audit trail"]),
        ("maria", ["Dashboard"], ["Invitations", "Audit trail"]),
        ("sanna", ["Invitations"], ["Register a client", "Dashboard"]),
    ],
)
def test_navigation_follows_the_roles(client, staff, who, shown, hidden):
    client.force_login(staff[who])
    with translation.override("en"):
        nav = client.get("/en/").content.decode().split("</nav>")[0]
    for text in shown:
        assert text in nav
    for text in hidden:
        assert text not in nav


def test_navigation_forgets_a_membership_at_once(client, staff):
    client.force_login(staff["maria"])
    assert "Dashboard" in client.get("/en/").content.decode().split("</nav>")[0]
    staff["maria"].memberships.update(is_active=False)
    page = client.get("/en/")
    assert page.status_code == 200
    assert "Dashboard" not in page.content.decode().split("</nav>")[0]


def test_rows_escape_what_they_show(client, staff, start_path):
    case = start_path(last_name='<b>Nimi</b> & "Co"')
    client.force_login(staff["anna"])
    html = client.get(reverse("workflows:queue")).content.decode()
    assert "&lt;b&gt;Nimi&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert "<b>Nimi</b>" not in html
    services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    html = client.get(reverse("workflows:inbox")).content.decode()
    assert "&lt;b&gt;Nimi&lt;/b&gt;" in html and "<b>Nimi</b>" not in html
