"""The periodic sweep: fire due review timers and escalate overdue tasks.

Safe to run from several places at once: viewflow re-checks each timer under the flow's row
lock, and escalation takes each overdue task's row with SKIP LOCKED and re-checks that it is
not yet escalated, so nothing fires twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from permissions.audit import audit_record_many

from . import notifications
from .models import OPEN_STATUSES, CaseTask

ESCALATION_BATCH = 500


@dataclass
class SweepResult:
    timers_fired: int
    escalated: int


def escalate_overdue(*, today=None, batch_size=ESCALATION_BATCH) -> int:
    """Mark overdue open tasks escalated and tell each unit's managers once per sweep, in a
    fixed number of queries per batch."""
    today = today or timezone.localdate()
    escalated = 0
    while True:
        with transaction.atomic():
            batch = list(
                CaseTask.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True)
                .select_related("case", "unit", "unit__organisation", "task")
                .order_by("due_on", "pk")[:batch_size]
            )
            if not batch:
                return escalated
            now = timezone.now()
            for case_task in batch:
                case_task.escalated_at = now
            CaseTask.objects.bulk_update(batch, ["escalated_at"])
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


def sweep(*, today=None) -> SweepResult:
    return SweepResult(timers_fired=fire_due_timers(), escalated=escalate_overdue(today=today))
