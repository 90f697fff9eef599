"""Every list costs the same number of queries for one row as for twenty."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workflows import services
from workflows.models import CaseTask

from .conftest import Api

ROWS = 20


def _queries(api_client, path, params=None, expected_rows=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(path, params)
    assert response.status_code == 200, response.json()
    if expected_rows is not None:
        assert response.json()["count"] == expected_rows
    return len(captured)


@pytest.fixture
def many(start_path, staff):
    """Start ``n`` more paths (each with an intake task in Kokkola's queue)."""

    def make(n, **overrides):
        return [
            start_path(first_names=f"Asiakas{i}", non_disclosure=i % 3 == 0, **overrides)
            for i in range(n)
        ]

    return make


def _compare(django_assert_max_num_queries, api_client, path, grow, params=None):
    """Queries with one row, then with ``ROWS`` rows: never more."""
    grow(1)
    one = _queries(api_client, path, params, expected_rows=1)
    grow(ROWS - 1)
    with django_assert_max_num_queries(one):
        api_client.get(path, params)
    assert _queries(api_client, path, params, expected_rows=ROWS) == one
    return one


def test_inbox(django_assert_max_num_queries, many, staff):
    anna = Api(staff["anna"])

    def grow(n):
        for case in many(n):
            task = CaseTask.objects.get(case=case, step="intake")
            services.task_claim(by=staff["anna"], case_task=task)

    count = _compare(django_assert_max_num_queries, anna, "/api/v1/tasks/inbox/", grow)
    assert count <= 4, count  # token, substitutes, count, page


def test_queue(django_assert_max_num_queries, many, staff):
    bertil = Api(staff["bertil"])
    count = _compare(django_assert_max_num_queries, bertil, "/api/v1/tasks/queue/", many)
    assert count <= 7, count  # token, units, count, page; may take it: memberships, roles (2)


def test_case_list(django_assert_max_num_queries, many, staff):
    anna = Api(staff["anna"])
    count = _compare(django_assert_max_num_queries, anna, "/api/v1/cases/", many)
    assert count <= 5, count  # token, roles (2), count, page


def test_client_search(django_assert_max_num_queries, many, staff):
    anna = Api(staff["anna"])
    path, params = "/api/v1/clients/", {"search": "hassan"}
    count = _compare(django_assert_max_num_queries, anna, path, many, params)
    assert count <= 7, count  # token, roles (2), count, page, open cases, the audit entry


def _drive_to_draft_plan(api_client, case, measures):
    from .conftest import assessment_json, plan_json

    def step(name, data):
        task = CaseTask.objects.get(case=case, step=name, status__in=["NEW", "ASSIGNED"])
        if task.status == "NEW":
            assert api_client.post(f"/tasks/{task.uuid}/claim/").status_code == 200
        response = api_client.post(f"/tasks/{task.uuid}/complete/", data)
        assert response.status_code == 200, response.json()

    step("intake", {"step": "intake"})
    step("assess", assessment_json())
    plan = plan_json()
    plan["measures"] = plan["measures"] * measures
    step("draft_plan", plan)


def test_lists_under_a_case(django_assert_max_num_queries, start_path, staff):
    """The timeline, the tasks and the plans of a case: as many queries for a short history
    as for a long one, for one measure as for five."""
    anna = Api(staff["anna"])
    short, long = start_path(), start_path(first_names="Toinen")
    _drive_to_draft_plan(anna, long, measures=5)
    counts = {}
    for name, path, params in (
        ("timeline", "/api/v1/cases/{}/timeline/", None),
        ("tasks", "/api/v1/cases/{}/tasks/", {"status": "all"}),
    ):
        counts[name] = _queries(anna, path.format(short.uuid), params)
        with django_assert_max_num_queries(counts[name]):
            response = anna.get(path.format(long.uuid), params)
        assert response.json()["count"] > 3
    _drive_to_draft_plan(anna, short, measures=1)
    counts["plans"] = _queries(anna, f"/api/v1/cases/{short.uuid}/plans/", expected_rows=1)
    with django_assert_max_num_queries(counts["plans"]):
        response = anna.get(f"/api/v1/cases/{long.uuid}/plans/")
    assert len(response.json()["results"][0]["measures"]) == 5
    assert counts == {"timeline": 6, "tasks": 6, "plans": 8}, counts


def test_the_measure_rows_read_their_options_once_however_many(start_path, staff):
    """The plan's measure rows: the service and provider options are read once for all the
    rows, and the long selects are written without a template per option."""
    from casework.models import IntegrationPlan
    from workflows.forms import MeasureFormSet

    anna = Api(staff["anna"])
    one, five = start_path(), start_path(first_names="Toinen")
    _drive_to_draft_plan(anna, one, measures=1)
    _drive_to_draft_plan(anna, five, measures=5)
    counts, html = {}, ""
    for name, case in (("one", one), ("five", five)):
        plan = IntegrationPlan.objects.get(case=case)
        with CaptureQueriesContext(connection) as queries:
            html = str(MeasureFormSet(queryset=plan.measures.all(), prefix="measures").as_div())
        counts[name] = len(queries)
    assert counts["one"] == counts["five"], counts
    assert html.count('<select name="measures-') == 3 * (5 + 1)  # five rows and the extra one
