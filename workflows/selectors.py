"""Task lists: each a single query whatever the number of rows."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from casework.models import QUEUE_ROLES, Unit

from .models import CaseTask, Substitution

LIST_RELATED = ("case", "case__client", "unit", "unit__organisation", "owner")


def _ordered(qs):
    return qs.select_related(*LIST_RELATED).order_by(
        F("due_on").asc(nulls_last=True), "priority", "created_at"
    )


def substituted_users(user, on=None):
    """Ids of the workers ``user`` covers for today."""
    on = on or timezone.localdate()
    return list(
        Substitution.objects.filter(
            substitute=user, starts_on__lte=on, ends_on__gte=on
        ).values_list("absent_id", flat=True)
    )


def inbox_for(user, covered=None):
    """Open tasks assigned to the user, and to the workers the user covers for today
    (``covered``: their ids, when the caller already has them)."""
    if covered is None:
        covered = substituted_users(user)
    owners = [user.pk, *covered]
    return _ordered(
        CaseTask.objects.filter(owner_id__in=owners, status__in=("ASSIGNED", "STARTED"))
    )


def queue_units(user) -> list[int]:
    """The units whose queue the user works: those where they have a role that works a queue
    (``QUEUE_ROLES``). A membership as an auditor or an administrator gives no queue."""
    return list(
        user.memberships.filter(
            is_active=True, unit__is_active=True, role__in=QUEUE_ROLES
        ).values_list("unit_id", flat=True)
    )


def works_case_queue(user) -> bool:
    """Whether the user has case work: an open task, or a queue in a unit that is no guidance
    point's (a guidance point's manager works a queue role in a unit no case reaches)."""
    return (
        Unit.objects.filter(pk__in=queue_units(user), guidance_point__isnull=True).exists()
        or inbox_for(user).exists()
    )


def queue_for(user, unit_ids=None, *, units=None):
    """Unassigned tasks waiting in the queues the user works (``units``: ``queue_units(user)``
    when the caller already has it)."""
    units = queue_units(user) if units is None else units
    if unit_ids is not None:
        units = [u for u in units if u in set(unit_ids)]
    return _ordered(CaseTask.objects.filter(unit_id__in=units, status="NEW"))


def case_tasks(case):
    return case.tasks.select_related("unit", "owner").order_by("created_at")
