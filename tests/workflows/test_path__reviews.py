"""A plan reviewed every six months until it ends; reminders before and escalation after."""

import datetime as dt

import time_machine
from django.core import mail
from django.utils import timezone

from casework.models import CaseState, CloseReason, Review
from workflows.models import CaseTask
from workflows.timers import escalate_overdue, sweep

from .conftest import act, drive_to_plan_active, open_steps


def _at(day):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))), tick=False
    )


def test_plan_reviewed_every_six_months_until_it_ends(start_path, staff):
    anna = staff["anna"]
    start = dt.date(2026, 1, 5)
    with _at(start):
        case = start_path(first_residence_permit_date=dt.date(2025, 10, 1))
        drive_to_plan_active(case, anna)
        assert case.next_review_due == dt.date(2026, 7, 5)
        assert sweep().timers_fired == 0
    # Two weeks before the review is due the review task appears, with a reminder.
    with _at(dt.date(2026, 6, 20)):
        assert sweep().timers_fired == 0  # 15 days before: not yet
    with _at(dt.date(2026, 6, 21)):
        result = sweep()
        assert result.timers_fired == 1
        assert open_steps(case) == {"review"}
        review = CaseTask.objects.get(case=case, step="review")
        assert review.owner == anna and review.due_on == dt.date(2026, 7, 5)
        assert review.reminded_at is not None
        act(
            case,
            "review",
            anna,
            {"reviewed_on": dt.date(2026, 6, 21), "notes": "going well", "outcome": "continue"},
        )
        assert case.next_review_due == dt.date(2026, 12, 21)
    with _at(dt.date(2026, 10, 17)):
        assert sweep().timers_fired == 0
    with _at(dt.date(2026, 10, 18)):
        # The plan ends (1.11.2026, 300 days from the start) before the next scheduled review,
        # so the review task comes two weeks before the end of the plan.
        assert sweep().timers_fired == 1
        review = CaseTask.objects.get(case=case, step="review", status="ASSIGNED")
        assert review.due_on == dt.date(2026, 11, 1)
        act(
            case,
            "review",
            anna,
            {
                "reviewed_on": dt.date(2026, 10, 18),
                "notes": "goals met",
                "outcome": "end",
                "close_reason": CloseReason.GOALS_MET,
            },
        )
    assert case.state == CaseState.CLOSED
    assert case.close_reason == CloseReason.GOALS_MET
    assert Review.objects.filter(plan__case=case).count() == 2
    assert case.process.status == "DONE"


def test_overdue_task_escalates_once_to_the_units_manager(
    start_path, staff, django_capture_on_commit_callbacks
):
    with _at(dt.date(2026, 3, 2)):
        case = start_path()
        intake = CaseTask.objects.get(case=case, step="intake")
        assert intake.due_on == dt.date(2026, 3, 16)
        assert escalate_overdue() == 0
    with _at(dt.date(2026, 3, 17)):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_overdue() == 1
            assert escalate_overdue() == 0  # never twice
        intake.refresh_from_db()
        assert intake.escalated_at is not None
        assert [m.to for m in mail.outbox] == [[staff["maria"].email]]
