"""The sweep fires review timers a batch at a time, and leaves what viewflow's own
one-by-one firing leaves."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from casework.models import Membership
from workflows import routing, timers
from workflows.models import CaseTask

from ..workflows.conftest import drive_to_plan_active

START = dt.date(2026, 1, 5)
REMIND = dt.date(2026, 6, 21)  # 14 days before the review falls due (5.7.2026)


def _at(day):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))), tick=False
    )


def _plans_in_force(start_path, staff, count, by="anna"):
    with _at(START):
        cases = []
        for index in range(count):
            case = start_path(by=by, last_name=f"Client{index}")
            drive_to_plan_active(case, staff[by])
            cases.append(case)
    return cases


def _timer(case):
    return Task.objects.get(
        process__integrationprocess__case=case, flow_task_type="TIMER", status="SCHEDULED"
    )


def _fire_as_viewflow_does(task):
    """viewflow's own dispatcher (viewflow.workflow.timers.fire_due_timers) for one task."""
    with task.activation() as activation:
        activation.start()
        activation.execute()


def _what_the_firing_left(case):
    timer = Task.objects.get(process__integrationprocess__case=case, flow_task_type="TIMER")
    review = Task.objects.get(
        process__integrationprocess__case=case,
        flow_task_type="HUMAN",
        status__in=["NEW", "ASSIGNED"],
    )
    queue_row = CaseTask.objects.get(task=review)
    return {
        "timer": (timer.status, timer.started is not None, timer.finished is not None),
        "review": (
            review.flow_task,
            review.flow_task_type,
            review.status,
            review.owner_id,
            str(review.token),
            review.data,
            review.owner_permission,
            [t.pk for t in review.previous.all()] == [timer.pk],
        ),
        "queue row": (
            queue_row.step,
            queue_row.status,
            queue_row.owner_id,
            queue_row.unit_id,
            queue_row.priority,
            queue_row.due_on,
            queue_row.participation_id,
            queue_row.assigned_at is not None,
            queue_row.reminded_at is not None,
            queue_row.escalated_at,
        ),
    }


def test_batched_firing_leaves_what_viewflow_leaves(
    start_path, staff, django_capture_on_commit_callbacks
):
    one_by_one, batched = _plans_in_force(start_path, staff, 2)
    with _at(REMIND):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            _fire_as_viewflow_does(_timer(one_by_one))
        viewflow_mail = [m.subject for m in mail.outbox]
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert timers.fire_due_timers() == 1
        batched_mail = [m.subject for m in mail.outbox]
    left_by_viewflow = _what_the_firing_left(one_by_one)
    left_by_batch = _what_the_firing_left(batched)
    assert left_by_viewflow == left_by_batch
    assert (
        left_by_batch["review"][2] == "ASSIGNED" and left_by_batch["review"][3] == staff["anna"].pk
    )
    assert left_by_batch["queue row"][5] == dt.date(2026, 7, 5)
    # the same reminder, to the worker, once
    assert viewflow_mail == [viewflow_mail[0]] and len(batched_mail) == 1
    assert batched_mail[0] == viewflow_mail[0].replace(one_by_one.number, batched.number)
    assert mail.outbox[0].to == [staff["anna"].email]


def test_a_worker_who_left_leaves_the_review_in_the_queue_and_tells_the_unit(
    start_path, staff, django_capture_on_commit_callbacks
):
    (case,) = _plans_in_force(start_path, staff, 1)
    Membership.objects.filter(user=staff["anna"]).update(is_active=False)
    with _at(REMIND):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert timers.fire_due_timers() == 1
    row = CaseTask.objects.get(case=case, step="review")
    assert row.status == "NEW" and row.owner is None
    # the unit's case workers and managers, not anna who left, nor the other units' people
    assert sorted(m.to[0] for m in mail.outbox) == [
        staff["bertil"].email,
        staff["maria"].email,
    ]


def test_queries_per_batch_do_not_grow_with_its_size(start_path, staff):
    cases = _plans_in_force(start_path, staff, 6)
    with _at(REMIND):
        counts = []
        for batch in (cases[:2], cases[2:]):
            # the first batch's timers fire; the later ones wait for their own turn
            for case in batch:
                Task.objects.filter(pk=_timer(case).pk).update(
                    scheduled=timezone.now() - dt.timedelta(minutes=1)
                )
            for case in cases:
                if case not in batch:
                    Task.objects.filter(
                        process__integrationprocess__case=case, status="SCHEDULED"
                    ).update(scheduled=timezone.now() + dt.timedelta(days=1))
            with CaptureQueriesContext(connection) as queries:
                assert timers.fire_due_timers() == len(batch)
            counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_broken_path_is_skipped_and_the_rest_fire(start_path, staff, monkeypatch, caplog):
    cases = _plans_in_force(start_path, staff, 3)
    broken = cases[1]
    real = routing.review_date

    def review_date(case, plan=routing._UNREAD):
        if case.pk == broken.pk:
            raise RuntimeError("broken data")
        return real(case, plan)

    monkeypatch.setattr(routing, "review_date", review_date)
    with _at(REMIND):
        assert timers.fire_due_timers() == 2
        assert timers.fire_due_timers() == 0  # the broken one is not retried in a loop
    assert _timer(broken).status == "SCHEDULED"  # left for a later sweep
    assert {c.pk for c in cases if CaseTask.objects.filter(case=c, step="review").exists()} == {
        cases[0].pk,
        cases[2].pk,
    }
    assert "failed to fire" in caplog.text


def test_dry_run_lists_what_would_fire_and_why_and_changes_nothing(start_path, staff, capsys):
    (case,) = _plans_in_force(start_path, staff, 1)
    with _at(REMIND):
        call_command("run_timers", "--dry-run")
    out = capsys.readouterr().out
    assert "Would fire 1 timers:" in out
    assert f"case {case.number}: review task for anna" in out
    assert "the review falls due 2026-07-05 (the scheduled review)" in out
    assert "14 days before" in out
    assert "Dry run: nothing was changed." in out
    assert _timer(case).status == "SCHEDULED"
    assert not CaseTask.objects.filter(case=case, step="review").exists()


def test_dry_run_lists_overdue_tasks(start_path, staff, capsys):
    with _at(dt.date(2026, 3, 2)):
        case = start_path()
    with _at(dt.date(2026, 3, 17)):
        call_command("run_timers", "--dry-run")
    out = capsys.readouterr().out
    assert "Would escalate 1 overdue tasks:" in out
    assert f"case {case.number}:" in out and "due 2026-03-16" in out
    assert CaseTask.objects.get(case=case, step="intake").escalated_at is None


@pytest.mark.parametrize("batch_size", [1, 500])
def test_every_due_timer_fires_once_whatever_the_batch_size(start_path, staff, batch_size):
    cases = _plans_in_force(start_path, staff, 3)
    with _at(REMIND):
        assert timers.fire_due_timers(batch_size=batch_size) == 3
        assert timers.fire_due_timers(batch_size=batch_size) == 0
    for case in cases:
        assert CaseTask.objects.filter(case=case, step="review").count() == 1
