"""Two people acting on one task at the same time: exactly one succeeds (PostgreSQL)."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections
from django.utils import translation

from workflows import services
from workflows.models import CaseTask

from .conftest import assessment, open_task

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (SELECT ... FOR UPDATE NOWAIT)")


def _race(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = ("ok", function())
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@contextmanager
def _path_locked_elsewhere(case):
    """Another connection holds the row lock of ``case``'s path while the block runs."""
    from django.db import transaction

    from workflows.models import IntegrationProcess

    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                IntegrationProcess.objects.select_for_update().filter(case=case).exists()
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def test_two_concurrent_completions_exactly_one_succeeds(start_path, staff):
    anna, maria = staff["anna"], staff["maria"]
    case = start_path()
    intake = services.task_claim(by=anna, case_task=open_task(case, "intake"))
    services.task_complete_with_data(by=anna, case_task=intake, data={})
    task = open_task(case, "assess")
    # anna completes in two browser tabs at once
    results = _race(
        [
            lambda: services.task_complete_with_data(by=anna, case_task=task, data=assessment()),
            lambda: services.task_complete_with_data(by=anna, case_task=task, data=assessment()),
        ]
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.TaskConflict), error
    assert CaseTask.objects.filter(case=case, step="draft_plan").count() == 1
    assert CaseTask.objects.get(pk=task.pk).status == "DONE"
    case.refresh_from_db()
    assert case.state == "planning"
    assert maria  # the manager exists but took no part


def test_two_concurrent_claims_exactly_one_wins(start_path, staff):
    case = start_path()
    task = open_task(case, "intake")
    results = _race(
        [
            lambda: services.task_claim(by=staff["anna"], case_task=task),
            lambda: services.task_claim(by=staff["bertil"], case_task=task),
        ]
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    winner = next(value for kind, value in results if kind == "ok")
    assert CaseTask.objects.get(pk=task.pk).owner_id == winner.owner_id


def test_a_step_waits_for_the_path_lock_and_gives_up_with_a_clear_message(start_path, staff):
    """Someone holds the path's lock longer than the database lock timeout: the step is
    refused with "try again" and nothing of it is written."""
    anna = staff["anna"]
    case = start_path()
    intake = services.task_claim(by=anna, case_task=open_task(case, "intake"))
    try:
        with _path_locked_elsewhere(case):
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
            with pytest.raises(services.TaskConflict) as caught:
                services.task_complete_with_data(by=anna, case_task=intake, data={})
            with translation.override("en"):
                assert "Try again" in str(caught.value.message)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert CaseTask.objects.get(pk=intake.pk).status == "ASSIGNED"
    assert not CaseTask.objects.filter(case=case, step="assess").exists()
    # once the lock is free the same step goes through
    services.task_complete_with_data(by=anna, case_task=intake, data={})
    assert CaseTask.objects.filter(case=case, step="assess").count() == 1


def test_take_the_next_task_passes_over_a_task_someone_is_taking(start_path, staff):
    """The most urgent task's path is locked by someone else's claim: "take the next task"
    does not wait for it, it takes the next one."""
    first, second = start_path(), start_path(first_names="Omar")
    queue = CaseTask.objects.filter(case__in=[first, second])
    with _path_locked_elsewhere(first):
        taken = services.task_claim_next(by=staff["anna"], candidates=_queue(staff["anna"], queue))
    assert taken is not None and taken.case_id == second.pk
    assert open_task(first, "intake").status == "NEW"


def test_people_taking_the_next_task_at_once_get_different_tasks(start_path, staff):
    cases = [start_path(first_names=f"Asiakas{n}") for n in range(4)]
    queue = CaseTask.objects.filter(case__in=cases)
    people = [staff["anna"], staff["bertil"], staff["maria"], staff["anna"]]
    results = _race(
        [
            lambda person=person: services.task_claim_next(
                by=person, candidates=_queue(person, queue)
            )
            for person in people
        ]
    )
    assert all(kind == "ok" for kind, _ in results), results
    taken = [value.pk for _, value in results if value is not None]
    assert len(taken) == len(set(taken))  # nobody got a task twice
    rows = CaseTask.objects.filter(case__in=cases, step="intake")
    assert sorted(rows.values_list("status", flat=True)) == ["ASSIGNED"] * len(taken) + ["NEW"] * (
        4 - len(taken)
    )
    for row in rows.filter(status="ASSIGNED"):
        assert row.owner_id == row.task.owner_id


def _queue(user, tasks):
    from workflows.selectors import queue_for

    return queue_for(user).filter(pk__in=tasks.values("pk"))
