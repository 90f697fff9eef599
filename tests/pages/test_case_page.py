"""The case page: where the chart is focused, and a fixed number of queries whatever the
case holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from workflows import services
from workflows.pages import flowchart

from ..workflows.conftest import open_task

pytestmark = pytest.mark.django_db


def _focus_from_the_whole_drawing(process_pk):
    """What the page showed before: the focus found by drawing the whole chart for the case."""
    drawing = flowchart._drawing(process_pk)
    x0, y0, width, height = drawing["view"]
    for wanted in (flowchart.FILL["current"], flowchart.FILL["waiting"], flowchart.FILL["done"]):
        found = [s for s in drawing["shapes"] if s.fill == wanted]
        if found:
            shape = found[-1] if wanted == flowchart.FILL["done"] else found[0]
            return (round((shape.cx - x0) / width, 3), round((shape.cy - y0) / height, 3))
    return None


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_chart_focus_is_where_the_whole_drawing_puts_it(start_path, staff, language):
    case = start_path(last_name="Fokus")
    path = case.process.pk
    with translation.override(language):
        assert flowchart.chart_focus(case.pk) == _focus_from_the_whole_drawing(path)
    services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    with translation.override(language):
        focus = flowchart.chart_focus(case.pk)
        assert focus == _focus_from_the_whole_drawing(path)
        assert focus is not None


def test_the_case_page_reads_a_fixed_number_of_queries(client, staff, start_path):
    cases = [start_path(last_name=name) for name in ("Ensi", "Toinen")]
    services.task_claim(by=staff["anna"], case_task=open_task(cases[1], "intake"))
    client.force_login(staff["anna"])
    counts = []
    for case in cases:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("workflows:case", args=[case.uuid]))
        assert page.status_code == 200
        counts.append(len(queries))
        exists = [q["sql"] for q in queries if re.match(r'SELECT (1|%s) AS "a" FROM', q["sql"])]
        assert not exists, "existence checks of what the page reads anyway"
    assert counts[0] == counts[1]


def test_the_task_page_checks_once_whether_the_case_may_be_seen(client, staff, start_path):
    case = start_path(last_name="Kerran")
    task = open_task(case, "intake")
    services.task_claim(by=staff["anna"], case_task=task)
    client.force_login(staff["anna"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("workflows:task", args=[task.uuid]))
    assert page.status_code == 200
    checks = [
        q["sql"]
        for q in queries
        if re.match(r'SELECT (1|%s) AS "a" FROM "casework_integrationcase"', q["sql"])
    ]
    assert len(checks) == 1
    # and someone of another organisation still gets the plain 404
    client.force_login(staff["kaisa"])
    assert client.get(reverse("workflows:task", args=[task.uuid])).status_code == 404


def test_the_task_page_reads_the_case_header_with_the_task(client, staff, start_path):
    case = start_path(last_name="Otsake")
    task = open_task(case, "intake")
    services.task_claim(by=staff["anna"], case_task=task)
    client.force_login(staff["anna"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("workflows:task", args=[task.uuid])).status_code == 200
    single = [
        q["sql"]
        for q in queries
        if re.match(r'SELECT .* FROM "casework_(organisation|unit)" WHERE .*"id" = ', q["sql"])
    ]
    assert not single, "the case's organisation or unit read on their own"
