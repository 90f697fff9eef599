"""Two sweeps at once never fire or escalate anything twice (PostgreSQL's row locks)."""

import datetime as dt
import threading
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone
from viewflow.workflow.models import Task

from permissions.models import AuditEntry
from workflows import timers
from workflows.models import CaseTask, IntegrationProcess

from ..workflows.conftest import drive_to_plan_active

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = dt.date(2026, 1, 5)
REMIND = dt.date(2026, 6, 21)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks (FOR UPDATE SKIP LOCKED)")


def _at(day):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))), tick=False
    )


def _together(*functions):
    """Run the functions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_sweeps_at_once_fire_each_timer_once(start_path, staff):
    with _at(START):
        cases = [start_path(last_name=f"Client{i}") for i in range(8)]
        for case in cases:
            drive_to_plan_active(case, staff["anna"])
    with _at(REMIND):
        # small batches, so that the two sweeps interleave batch by batch
        results = _together(
            lambda: timers.fire_due_timers(batch_size=2),
            lambda: timers.fire_due_timers(batch_size=2),
        )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 8
    for case in cases:
        assert CaseTask.objects.filter(case=case, step="review").count() == 1
        assert (
            Task.objects.filter(
                process__integrationprocess__case=case, flow_task_type="HUMAN", status="ASSIGNED"
            ).count()
            == 1
        )
        assert not Task.objects.filter(
            process__integrationprocess__case=case, status="SCHEDULED"
        ).exists()


def test_two_escalations_at_once_escalate_each_task_once(start_path, staff):
    with _at(dt.date(2026, 3, 2)):
        cases = [start_path(last_name=f"Client{i}") for i in range(7)]
    with _at(dt.date(2026, 3, 17)):
        results = _together(
            lambda: timers.escalate_overdue(batch_size=2),
            lambda: timers.escalate_overdue(batch_size=2),
        )
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 7
    assert AuditEntry.objects.filter(action="task.escalated").count() == 7
    assert CaseTask.objects.filter(case__in=cases, escalated_at__isnull=True).count() == 0


@contextmanager
def _path_locked_elsewhere(case):
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


def test_a_path_someone_works_on_is_passed_over_until_the_next_sweep(start_path, staff):
    with _at(START):
        busy, free = start_path(last_name="Busy"), start_path(last_name="Free")
        drive_to_plan_active(busy, staff["anna"])
        drive_to_plan_active(free, staff["anna"])
    with _at(REMIND):
        with _path_locked_elsewhere(busy):
            assert timers.fire_due_timers() == 1  # not waiting for the busy path
        assert not CaseTask.objects.filter(case=busy, step="review").exists()
        assert timers.fire_due_timers() == 1  # the next sweep takes it
    assert CaseTask.objects.filter(case=busy, step="review").count() == 1
