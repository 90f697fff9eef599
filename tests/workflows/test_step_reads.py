"""One step of a path reads and locks its case once: the step's services and the flow's
callbacks share that instance (``casework.services.case_lock_scope``)."""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from casework import services as casework_services
from casework.models import Assessment, CaseState, Measure, Organisation
from casework.rules import rules_on
from permissions import policy
from workflows import routing, services
from workflows.models import CaseTask
from workflows.steps import STEPS as STEPS_BY_NAME
from workflows.steps import forms_for

from .conftest import (
    act,
    assessment,
    client_data,
    drive_to_plan_active,
    open_steps,
    open_task,
    plan,
)


def _count(queries, pattern):
    return sum(1 for q in queries if re.search(pattern, q["sql"], re.IGNORECASE))


# a whole case row (not an existence check of a foreign key), alone or joined to its task's
CASE_READ = r'^SELECT .*"casework_integrationcase"\."state".* FROM '
PATH_LOCK = (
    r'^SELECT .* FROM "workflows_integrationprocess" .*WHERE "workflows_integrationprocess"\."case_id"'
    r".* FOR UPDATE"
)


STEPS = ["intake", "assess", "draft_plan", "client_decision", "approve"]


def _at_step(start_path, worker, step):
    """A new path driven by ``worker`` up to ``step``, its task taken: the case, the task and
    the step's validated forms (the page validates the input first)."""
    case = start_path()
    data = {
        "intake": {},
        "assess": assessment(),
        "client_decision": {"decision": "agree", "decided_on": case.contacted_on},
        "approve": {"confirm": True},
    }
    for earlier in STEPS[: STEPS.index(step)]:
        act(case, earlier, worker, data.get(earlier) or plan(case))
    task = open_task(case, step)
    if task.status == "NEW":
        task = services.task_claim(by=worker, case_task=task)
    return case, task, forms_for(task, data.get(step) or plan(case))


@pytest.mark.parametrize("step", STEPS)
def test_a_step_reads_its_case_once_and_locks_its_path_once(start_path, staff, step):
    anna = staff["anna"]
    case, task, forms = _at_step(start_path, anna, step)
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    assert _count(captured.captured_queries, CASE_READ) == 1, [
        q["sql"] for q in captured.captured_queries if re.search(CASE_READ, q["sql"])
    ]
    assert _count(captured.captured_queries, PATH_LOCK) == 1
    queries = captured.captured_queries
    assert _first_index(queries, PATH_LOCK) < _first_index(queries, CASE_READ)  # path first
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


MEMBERSHIPS = r'FROM "casework_membership"'
CASE_JOINS = CASE_READ + r'.*JOIN "casework_(unit|organisation)"'


@pytest.mark.parametrize("step", ["intake", "assess", "draft_plan", "client_decision"])
def test_a_step_reads_the_workers_memberships_once(start_path, staff, step):
    """The acting worker's memberships answer every question of the step (their permission,
    whether they, as the case's worker, get the next task): one read, and the case's row
    joins neither its organisation nor its unit."""
    anna = staff["anna"]
    case, task, forms = _at_step(start_path, anna, step)
    policy.forget_cached_permissions(anna)  # as in a new request
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    queries = captured.captured_queries
    assert _count(queries, MEMBERSHIPS) == 1, [q["sql"] for q in queries]
    assert _count(queries, CASE_JOINS) == 0
    next_task = CaseTask.objects.exclude(step=step).filter(case=case, status="ASSIGNED").get()
    assert next_task.owner_id == anna.pk  # the case's worker still gets the next step


def test_taking_a_task_reads_the_workers_memberships_once(start_path, staff):
    anna = staff["anna"]
    case = start_path()
    task = open_task(case, "intake")
    policy.forget_cached_permissions(anna)
    with CaptureQueriesContext(connection) as captured:
        services.task_claim(by=anna, case_task=task)
    assert _count(captured.captured_queries, MEMBERSHIPS) == 1


def test_the_acting_worker_is_the_locked_cases_owner(start_path, staff, django_assert_num_queries):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    with transaction.atomic(), casework_services.case_lock_scope():
        casework_services.hold_actor(anna)
        with django_assert_num_queries(1):
            locked = casework_services.lock_case_pk(case.pk)
            assert locked.owner is anna
    with transaction.atomic(), casework_services.case_lock_scope():
        casework_services.hold_actor(staff["bertil"])
        locked = casework_services.lock_case_pk(case.pk)
        with django_assert_num_queries(1):  # someone else's case: its worker read when asked
            assert locked.owner == anna and locked.owner is not anna


def test_the_request_user_may_act_as_a_lazy_object(start_path, staff):
    """Pages pass ``request.user`` (a lazy object): shared as the case's worker all the same,
    and the case saves with it."""
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    lazy = SimpleLazyObject(lambda: anna)
    with transaction.atomic(), casework_services.case_lock_scope():
        casework_services.hold_actor(lazy)
        locked = casework_services.lock_case_pk(case.pk)
        assert locked.owner is lazy
        locked.save(update_fields=["owner", "updated_at"])
    case.refresh_from_db()
    assert case.owner_id == anna.pk


def test_validating_a_plan_reads_no_list_of_options(start_path, staff):
    """The measure rows' service and provider options, and the client's language a new plan
    starts in, are read when the form is shown, not when a plan is only validated (the API,
    the services' callers): each chosen option is looked up by itself."""
    anna = staff["anna"]
    case = start_path(preferred_language="sv")
    act(case, "intake", anna)
    act(case, "assess", anna, assessment())
    task, data = open_task(case, "draft_plan"), plan(case)
    with CaptureQueriesContext(connection) as captured:
        forms_for(task, data)
    options = [
        q["sql"]
        for q in captured.captured_queries
        if re.search(r'FROM "casework_(service|organisation)"', q["sql"])
    ]
    assert len(options) == 2 and all('"id" = ' in sql for sql in options), options
    assert not any('FROM "casework_client"' in q["sql"] for q in captured.captured_queries)
    forms = forms_for(task, data)
    assert forms["measures"].forms[0]["service"].as_widget().count("<option") > 1  # shown
    shown = STEPS_BY_NAME["draft_plan"].build_forms(case=task.case, task=task.task)["form"]
    assert '<option value="sv" selected>' in str(shown["language"])


PLAN_IN_FORCE_READ = r'FROM "casework_integrationplan" .*"state" = \'approved\''


def test_approving_a_plan_times_the_review_from_the_plan_it_approved(start_path, staff):
    """The review timer's date comes from the plan the step has just approved (the one
    plan in force), not from a second read of it."""
    anna = staff["anna"]
    case, task, forms = _at_step(start_path, anna, "approve")
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if re.search(PLAN_IN_FORCE_READ, q["sql"]) and "FOR UPDATE" not in q["sql"]
    ]
    assert reads == [], reads
    participations = r'FROM "casework_wellbeingparticipation" .*JOIN "casework_integrationcase"'
    assert _count(captured.captured_queries, participations) == 0  # the locked case serves
    plans_by_case = r'FROM "casework_integrationplan" INNER JOIN "casework_integrationcase"'
    assert _count(captured.captured_queries, plans_by_case) == 0  # the plans of one case
    case.refresh_from_db()
    timer = case.process.task_set.get(flow_task_type="TIMER", status="SCHEDULED")
    assert timer.scheduled.date() == (
        routing.review_date(case) - dt.timedelta(days=rules_on().review_reminder_days)
    )


def test_the_plan_in_force_is_shared_only_inside_the_step(start_path, staff):
    anna = staff["anna"]
    case = start_path()
    drive_to_plan_active(case, anna)
    approved = case.plans.get(state="approved")
    assert casework_services.held_plan_in_force(case) is None
    with transaction.atomic(), casework_services.case_lock_scope():
        locked = casework_services.lock_latest_plan(case, "approved")
        assert casework_services.held_plan_in_force(case) is locked
        assert locked.pk == approved.pk


CLIENT_READ = r'^SELECT "casework_client"\."id", .* FROM "casework_client"'


def test_registering_and_starting_opens_the_case_on_the_record_just_made(staff):
    """The client created in the step is not read (nor locked: nobody else sees it) again
    to open their case; a client registered earlier is locked and read afresh."""
    anna, kokkola = staff["anna"], Organisation.objects.get(code="kokkola")
    data = client_data()
    with CaptureQueriesContext(connection) as captured:
        case = services.client_register_and_start(by=anna, organisation=kokkola, data=data)
    assert _count(captured.captured_queries, CLIENT_READ) == 0
    assert case.client.register_id == kokkola.pk and case.state == CaseState.INTAKE
    client = casework_services.client_register(
        by=anna, organisation=kokkola, data=client_data(first_names="Toinen")
    )
    with CaptureQueriesContext(connection) as captured:
        services.path_start(by=anna, client=client)
    reads = [q["sql"] for q in captured.captured_queries if re.search(CLIENT_READ, q["sql"])]
    assert len(reads) == 1 and "FOR UPDATE" in reads[0]


def test_starting_the_assessment_keeps_an_assessment_the_case_has(start_path, staff):
    anna = staff["anna"]
    case = start_path()
    kept = Assessment.objects.create(case=case, education_history="written down at intake")
    act(case, "intake", anna)
    assert list(Assessment.objects.filter(case=case)) == [kept]
    assert Assessment.objects.get(case=case).education_history == "written down at intake"
    other = start_path(first_names="Toinen")
    act(other, "intake", anna)
    assert Assessment.objects.filter(case=other).count() == 1


def test_a_plan_step_asks_for_a_services_providers_once(start_path, staff):
    """The measure's service and provider are checked when the measure is saved and again
    with the whole plan: one read of the service's providers for both. Completing one's own
    task does not join the queue's unit either."""
    anna = staff["anna"]
    case, task, forms = _at_step(start_path, anna, "draft_plan")
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    queries = captured.captured_queries
    assert _count(queries, r'JOIN "casework_service_providers"') == 1
    assert _count(queries, r'FROM "workflows_casetask" .*JOIN "casework_unit"') == 0
    assert Measure.objects.filter(plan__case=case).count() == 1


@pytest.mark.parametrize("step, joined", [("intake", False), ("assess", True), ("approve", True)])
def test_the_locked_case_brings_its_client_when_the_step_reads_it(start_path, staff, step, joined):
    """Taking a task and the intake read nothing of the client; the steps that do (the
    assessment's aftercare rule, the plan's rules) get it with the locked case, not after."""
    anna = staff["anna"]
    case = start_path()
    with CaptureQueriesContext(connection) as claimed:
        services.task_claim(by=anna, case_task=open_task(case, "intake"))
    assert _count(claimed.captured_queries, r'"casework_client"') == 0
    case, task, forms = _at_step(lambda: case, anna, step)
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    queries = captured.captured_queries
    assert _count(queries, CASE_READ + r'.*JOIN "casework_client"') == int(joined)
    assert _count(queries, CLIENT_READ) == 0


@pytest.mark.parametrize("decision", ["agree", "refuse"])
def test_the_clients_decision_is_routed_on_the_newest_plans_state(start_path, staff, decision):
    anna = staff["anna"]
    case, task, _forms = _at_step(start_path, anna, "client_decision")
    data = {"decision": decision, "decided_on": case.contacted_on, "refusal_reason": "no"}
    forms = forms_for(task, data)
    with CaptureQueriesContext(connection) as captured:
        services.task_complete(by=anna, case_task=task, forms=forms)
    newest = [
        q["sql"]
        for q in captured.captured_queries
        if re.search(r'FROM "casework_integrationplan" .*ORDER BY .*"version" DESC', q["sql"])
        and "FOR UPDATE" not in q["sql"]
    ]
    assert len(newest) == 1, newest
    assert newest[0].startswith('SELECT "casework_integrationplan"."state" AS "state" FROM')
    assert open_steps(case) == ({"approve"} if decision == "agree" else set())
