"""The periodic sweep: fire due review timers and escalate overdue tasks, in batches.

Run by Celery beat every few minutes (``workflows.tasks.sweep_timers``) or by hand
(``manage.py run_timers``, ``--dry-run`` to see what would fire and why).

Timers fire a batch at a time: one query reads the batch's due timer tasks and locks their
paths (``FOR UPDATE SKIP LOCKED``), a few more read what the batch needs, and the review tasks,
their queue rows and their reminders are written in bulk. Escalation likewise takes each
batch of overdue tasks with one locking query. Two sweeps running at once (two beat
schedulers by mistake, a sweep by hand beside the scheduled one) therefore never take the
same row: each fires what the other has not locked, and a row one of them fired is no longer
due when the other looks. A path somebody is working on at that moment is locked too, and its
timer waits for the next sweep.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import lock_scope
from viewflow.workflow.models import Task
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import STATUS

from casework.models import IntegrationCase
from casework.rules import rules_on
from permissions.audit import audit_record_many

from . import notifications, routing
from .flows import IntegrationFlow
from .models import OPEN_STATUSES, CaseTask

logger = logging.getLogger(__name__)

TIMER_BATCH = 500
ESCALATION_BATCH = 500


@dataclass
class SweepResult:
    timers_fired: int
    escalated: int


# --- timers -----------------------------------------------------------------------------


def _flow():
    return IntegrationFlow


def _due_timers(now):
    return Task.objects.filter(
        flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=now
    ).order_by("scheduled", "pk")


@contextmanager
def _already_locked(flow_class, process_pk):
    """A flow lock for activations run under the batch's own row locks (already held)."""
    yield


def _fire_one(task) -> int:
    """Fire one timer through viewflow's activation, as its own dispatcher would, under the
    path lock the batch already holds. For timers of other nodes or flows, and for a batch
    whose bulk firing failed."""
    flow_class = task.flow_task.flow_class if task.flow_task else None
    if flow_class is None:
        logger.warning("Timer task %s references a missing node, skipped", task.pk)
        return 0
    with transaction.atomic(), lock_scope(_already_locked, flow_class, task.process_id):
        activation = task.flow_task.activation_class(task)
        start = getattr(activation, "start", None)
        if start is None or not start.can_proceed():
            return 0
        activation.start()
        activation.execute()
        return 1


def _fire_reviews(timers, now) -> int:
    """Fire the review timers of a batch (``IntegrationFlow.wait_review``) together: what
    ``_fire_one`` does for each (the timer task done, the review task created after it and
    given to the case's worker, its queue row, the reminder), in a fixed number of queries
    for the whole batch. ``tests/service/test_timers_batched.py`` checks that both ways
    leave the same rows."""
    flow = _flow()
    review = flow.review
    case_ids = [timer.process.integrationprocess.case_id for timer in timers]
    cases = {
        case.pk: case
        for case in IntegrationCase.objects.select_related("unit", "owner").filter(pk__in=case_ids)
    }
    plans = routing.approved_plans(case_ids)
    owners = routing.case_owners(list(cases.values()))

    Task.objects.filter(pk__in=[timer.pk for timer in timers]).update(
        status=STATUS.DONE, started=now, finished=now
    )
    reviews = []
    for timer in timers:
        case = cases[timer.process.integrationprocess.case_id]
        owner = owners[case.pk]
        reviews.append(
            Task(
                process_id=timer.process_id,
                flow_task=review,
                flow_task_type=review.task_type,
                token=timer.token,
                data={},
                owner=owner,
                status=STATUS.ASSIGNED if owner else STATUS.NEW,
            )
        )
    Task.objects.bulk_create(reviews)
    Task.previous.through.objects.bulk_create(
        [
            Task.previous.through(from_task_id=new.pk, to_task_id=timer.pk)
            for new, timer in zip(reviews, timers, strict=True)
        ]
    )
    case_tasks = []
    for new, timer in zip(reviews, timers, strict=True):
        case = cases[timer.process.integrationprocess.case_id]
        case_tasks.append(
            routing.new_case_task(
                case, new, node="review", due_on=routing.review_date(case, plans.get(case.pk))
            )
        )
    CaseTask.objects.bulk_create(case_tasks)
    notifications.review_reminders(case_tasks)
    for timer in timers:
        timer.status, timer.started, timer.finished = STATUS.DONE, now, now
        task_finished.send(sender=flow, process=timer.process.integrationprocess, task=timer)
    return len(timers)


def fire_due_timers(*, now=None, batch_size=TIMER_BATCH) -> int:
    """Fire every due timer, a batch at a time; the number fired.

    Each batch of the integration path's timers is one transaction: one query locks the
    batch's paths (the process rows that viewflow's lock and ``services.lock_path`` take),
    skipping those another sweep or a person holds right now (they fire in the next sweep).
    Review timers are fired in bulk; any other timer of the path one by one through
    viewflow's activation. If the bulk firing fails, the batch's timers are fired one by one
    instead, so one broken path is logged and skipped without holding up the others. Timers
    of other flows, if any, are fired by viewflow's own dispatcher code, one by one."""
    now = now or timezone.now()
    flow = _flow()
    fired = 0
    failed: set[int] = set()
    while True:
        with transaction.atomic(), notifications.collected():
            batch = list(
                _due_timers(now)
                .filter(process__integrationprocess__isnull=False)
                .exclude(pk__in=failed)
                .select_related("process__integrationprocess")
                .select_for_update(skip_locked=True, of=("process__integrationprocess",))[
                    :batch_size
                ]
            )
            if not batch:
                break
            reviews = [task for task in batch if task.flow_task is flow.wait_review]
            others = [task for task in batch if task.flow_task is not flow.wait_review]
            if reviews:
                try:
                    with transaction.atomic():
                        fired += _fire_reviews(reviews, now)
                except Exception:
                    logger.exception("Firing %s review timers together failed", len(reviews))
                    others += [Task.objects.get(pk=task.pk) for task in reviews]
            for task in others:
                try:
                    fired += _fire_one(task)
                except Exception:  # one broken path must not hold up the others
                    logger.exception("Timer task %s failed to fire", task.pk)
            # A timer that did not fire stays due: do not pick it up again in this sweep.
            failed.update(
                Task.objects.filter(
                    pk__in=[task.pk for task in others], status=STATUS.SCHEDULED
                ).values_list("pk", flat=True)
            )
    return fired + _fire_other_flows(now)


def _fire_other_flows(now) -> int:
    """Timers of flows other than the integration path, one by one under viewflow's own
    lock (none today; the benchmark's bare flow has no timer)."""
    fired = 0
    for task in _due_timers(now).filter(process__integrationprocess__isnull=True):
        try:
            with task.activation() as activation:
                start = getattr(activation, "start", None)
                if start is not None and start.can_proceed():
                    activation.start()
                    activation.execute()
                    fired += 1
        except FlowLockFailed:
            logger.info("Timer task %s is locked by another dispatcher, skipped", task.pk)
        except Exception:  # one broken flow must not block the whole sweep
            logger.exception("Timer task %s failed to fire", task.pk)
    return fired


@dataclass
class DueTimer:
    """A timer that would fire now, and why (``run_timers --dry-run``)."""

    task_id: int
    case_number: str
    scheduled: dt.datetime
    review_due: dt.date | None
    because: str
    reminder_days: int | None
    assignee: str


REASONS = {
    "review": "the scheduled review",
    "plan_ends": "the plan ends",
    "period_ends": "the integration period ends",
    "today": "no review date is known",
}


def due_timers(*, now=None) -> list[DueTimer]:
    """What ``fire_due_timers`` would fire now, without firing or locking anything."""
    now = now or timezone.now()
    flow = _flow()
    timers = list(_due_timers(now).select_related("process__integrationprocess"))
    case_ids = [
        t.process.integrationprocess.case_id
        for t in timers
        if hasattr(t.process, "integrationprocess")
    ]
    cases = {
        case.pk: case
        for case in IntegrationCase.objects.select_related("unit", "owner").filter(pk__in=case_ids)
    }
    plans = routing.approved_plans(case_ids)
    owners = routing.case_owners(list(cases.values()))
    rows = []
    for timer in timers:
        case = (
            cases.get(timer.process.integrationprocess.case_id)
            if hasattr(timer.process, "integrationprocess")
            else None
        )
        if case is None or timer.flow_task is not flow.wait_review:
            rows.append(
                DueTimer(timer.pk, "-", timer.scheduled, None, str(timer.flow_task), None, "-")
            )
            continue
        due, why = routing.review_due(case, plans.get(case.pk))
        owner = owners[case.pk]
        rows.append(
            DueTimer(
                task_id=timer.pk,
                case_number=case.number,
                scheduled=timer.scheduled,
                review_due=due,
                because=REASONS[why],
                reminder_days=rules_on(min(due, timezone.localdate())).review_reminder_days,
                assignee=owner.get_username() if owner else f"queue of {case.unit}",
            )
        )
    return rows


# --- escalation -------------------------------------------------------------------------


def _overdue(today):
    return CaseTask.objects.filter(
        status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True
    ).order_by("due_on", "pk")


ESCALATION_FIELDS = (
    "id",
    "case_id",
    "unit_id",
    "task_id",
    "step",
    "due_on",
    "case__id",
    "case__uuid",
    "case__number",
    "case__client_id",
    "task__id",
    "task__flow_task",
    "unit__id",
    "unit__name_fi",
    "unit__name_sv",
    "unit__name_en",
    "unit__organisation_id",
    "unit__organisation__id",
    "unit__organisation__name_fi",
    "unit__organisation__name_sv",
    "unit__organisation__name_en",
)


def escalate_overdue(*, today=None, batch_size=ESCALATION_BATCH) -> int:
    """Mark overdue open tasks escalated and tell each unit's managers once per sweep, in a
    fixed number of queries per batch."""
    today = today or timezone.localdate()
    escalated = 0
    while True:
        with transaction.atomic(), notifications.collected():
            batch = list(
                _overdue(today)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "unit", "unit__organisation", "task")
                # what the audit entry and the managers' digest need, not whole rows
                .only(*ESCALATION_FIELDS)[:batch_size]
            )
            if not batch:
                return escalated
            now = timezone.now()
            CaseTask.objects.filter(pk__in=[case_task.pk for case_task in batch]).update(
                escalated_at=now
            )
            for case_task in batch:
                case_task.escalated_at = now
            audit_record_many(
                actor=None,
                objs=[case_task.case for case_task in batch],
                action="task.escalated",
            )
            by_unit: dict[int, list] = {}
            for case_task in batch:
                by_unit.setdefault(case_task.unit_id, []).append(case_task)
            notifications.tasks_escalated(by_unit)
            escalated += len(batch)


def overdue_tasks(*, today=None) -> list:
    """What ``escalate_overdue`` would escalate now (``run_timers --dry-run``)."""
    today = today or timezone.localdate()
    return list(_overdue(today).select_related("case", "unit", "task"))


def sweep(*, today=None) -> SweepResult:
    return SweepResult(timers_fired=fire_due_timers(), escalated=escalate_overdue(today=today))
