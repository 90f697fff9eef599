"""One step of a path reads and locks its case once: the step's services and the flow's
callbacks share that instance (``casework.services.case_lock_scope``)."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casework import services as casework_services
from casework.models import CaseState
from workflows import services
from workflows.steps import forms_for

from .conftest import act, assessment, open_task, plan


def _count(queries, pattern):
    return sum(1 for q in queries if re.search(pattern, q["sql"], re.IGNORECASE))


# a whole case row (not an existence check of a foreign key)
CASE_READ = r'^SELECT "casework_integrationcase"\."id", .* FROM "casework_integrationcase"'
PATH_LOCK = r'^SELECT .* FROM "workflows_integrationprocess" WHERE "workflows_integrationprocess"\."case_id"'


@pytest.mark.parametrize("step", ["intake", "assess", "draft_plan", "client_decision", "approve"])
def test_a_step_reads_its_case_once_and_locks_its_path_once(start_path, staff, step):
    anna = staff["anna"]
    case = start_path()
    data = {
        "intake": {},
        "assess": assessment(),
        "client_decision": {"decision": "agree", "decided_on": case.contacted_on},
        "approve": {"confirm": True},
    }
    for earlier in ["intake", "assess", "draft_plan", "client_decision", "approve"]:
        if earlier == step:
            break
        act(case, earlier, anna, data.get(earlier) or plan(case))
    task = open_task(case, step)
    if task.status == "NEW":
        task = services.task_claim(by=anna, case_task=task)
    forms = forms_for(task, data.get(step) or plan(case))  # the page validates the input first
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    assert _count(captured.captured_queries, CASE_READ) == 1, [
        q["sql"] for q in captured.captured_queries if re.search(CASE_READ, q["sql"])
    ]
    assert _count(captured.captured_queries, PATH_LOCK) == 1
    case.refresh_from_db()
    assert case.state in (CaseState.ASSESSMENT, CaseState.PLANNING, CaseState.PLAN_ACTIVE)


def test_outside_a_step_every_lock_reads_the_row(start_path):
    case = start_path()
    with transaction.atomic():
        first = casework_services.lock_case_pk(case.pk)
        second = casework_services.lock_case_pk(case.pk)
    assert first is not second


def test_inside_a_scope_the_locked_case_is_shared(start_path, django_assert_num_queries):
    case = start_path()
    with transaction.atomic(), casework_services.case_lock_scope():
        first = casework_services.lock_case_pk(case.pk)
        with django_assert_num_queries(0):
            assert casework_services.lock_case_pk(case.pk) is first
    assert casework_services.held_case(case.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_scope_needs_a_transaction():
    with pytest.raises(RuntimeError), casework_services.case_lock_scope():
        pass


def _first_index(queries, pattern):
    return next(i for i, q in enumerate(queries) if re.search(pattern, q["sql"]))


def test_closing_a_case_locks_its_path_before_its_case(start_path, staff):
    """Every service that changes a path takes the path's lock before the case's, as the
    steps do: two of them never wait for each other in opposite order (a deadlock)."""
    case = start_path()
    with CaptureQueriesContext(connection) as captured:
        services.path_close(by=staff["anna"], case=case, reason="moved_away")
    queries = captured.captured_queries
    assert _first_index(queries, PATH_LOCK) < _first_index(queries, CASE_READ)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
