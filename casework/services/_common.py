"""Helpers shared by the services: locking, the timeline and translated errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from permissions.audit import audit_record

from ..models import CaseEvent, CaseEventKind, CaseState, IntegrationCase


class IllegalStep(ValidationError):
    """A step that the case's or plan's state does not allow."""


def today():
    return timezone.localdate()


def lock_case(case: IntegrationCase) -> IntegrationCase:
    """Re-read the case under a row lock; every write to a case starts here."""
    return (
        IntegrationCase.objects.select_for_update(of=("self",))
        .select_related("client", "responsible_organisation", "unit")
        .get(pk=case.pk)
    )


def ensure_transition(bound_method, message) -> None:
    """Refuse a transition the state machine does not allow, with a translated message."""
    if not can_proceed(bound_method):
        raise IllegalStep(message, code="illegal_step")


def ensure_not_future(day, field="on") -> None:
    """A step cannot be dated in the future."""
    if day is not None and day > today():
        raise ValidationError({field: _("The date cannot be in the future.")}, code="future")


def state_label(case: IntegrationCase) -> str:
    return CaseState(case.state).label


def log(*, case, by, kind, obj=None, action, note="", data=None) -> CaseEvent:
    """One timeline event and one audit entry for one action."""
    event = CaseEvent.objects.create(case=case, actor=by, kind=kind, note=note, data=data or {})
    audit_record(actor=by, obj=obj if obj is not None else case, action=action, data=data)
    return event


def log_closed(*, case, by, note="") -> CaseEvent:
    """The timeline event and audit entry of a case that has just closed."""
    return log(
        case=case,
        by=by,
        kind=CaseEventKind.CLOSED,
        action="case.closed",
        note=note,
        data={"reason": case.close_reason},
    )
