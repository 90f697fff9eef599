"""Helpers shared by the services: locking, the timeline and translated errors."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from permissions.audit import audit_record

from ..models import CaseEvent, CaseEventKind, CaseState, IntegrationCase


class IllegalStep(ValidationError):
    """A step that the case's or plan's state does not allow."""


def today():
    return timezone.localdate()


# True while a service runs: the services it calls join its transaction (see ``atomic_service``).
_in_service: ContextVar[bool] = ContextVar("kotopolku_in_service", default=False)


def atomic_service(func):
    """``transaction.atomic`` for a service: every write of case-work data runs in one.

    The outermost service call is the unit of work: its own transaction, or one savepoint
    when its caller already has a transaction (a test, the timer sweep). The services it
    calls join that work without a savepoint of their own (``atomic(savepoint=False)``):
    nothing catches their errors half-way, so a failure anywhere rolls the whole step back,
    as before, and a step saves a SAVEPOINT and a RELEASE round trip per nested service
    (a whole path made 20 of them)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if _in_service.get():
            with transaction.atomic(savepoint=False):
                return func(*args, **kwargs)
        token = _in_service.set(True)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        finally:
            _in_service.reset(token)

    return wrapper


# The cases (and plans) locked in the current transaction, by model and primary key, while a
# ``case_lock_scope`` is open: one step of a path locks its case once, and every service and
# flow callback of that step then works on the same instance instead of reading the row again.
# The scope also shares the acting user (``hold_actor``), a client created in it, and reference
# data the step's services ask about more than once (``shared_read``).
_held: ContextVar[dict | None] = ContextVar("kotopolku_held_cases", default=None)

# What the steps read of a locked case besides the row itself. Each relation joined costs more
# to compile and to build than the row: the organisation and the unit are read when needed
# (a transfer, a message), not in every step; the responsible worker is most often the very
# person acting, whom the step shares (``hold_actor``), else read when needed.
CASE_RELATED = ("client",)


@contextmanager
def case_lock_scope():
    """Share locked cases for the rest of the current transaction's step (see ``lock_case``).

    Open it only inside a transaction, around work that lets every exception out: a case
    changed in memory by work that was rolled back must not be handed on."""
    if _held.get() is not None:
        yield  # already inside a scope of this transaction
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case_lock_scope() needs a transaction")
    token = _held.set({})
    try:
        yield
    finally:
        _held.reset(token)


def hold(obj):
    """Hand ``obj`` (a case, a plan or a client), locked or created by the caller in this
    transaction, to later ``lock_case`` / plan locks / ``case_open`` of the open scope."""
    held = _held.get()
    if held is not None:
        held[type(obj), obj.pk] = obj
    return obj


def held(model, pk):
    """The ``model`` row ``pk`` locked in the open scope, or None."""
    objects = _held.get()
    return objects.get((model, pk)) if objects is not None else None


def shared_read(key, read):
    """``read()``, once per open scope (every time outside one): reference data that several
    services of one step ask about, such as the providers of a service."""
    objects = _held.get()
    if objects is None:
        return read()
    if key not in objects:
        objects[key] = read()
    return objects[key]


def held_of(model) -> list:
    """Every ``model`` row the open scope holds (none outside a scope)."""
    objects = _held.get() or {}
    return [obj for (kind, _pk), obj in objects.items() if kind is model]


def hold_case(case: IntegrationCase) -> IntegrationCase:
    return hold(case)


def hold_actor(user):
    """Share the user acting in the open scope: a case locked in it whose responsible worker
    they are gets this very instance as its ``owner`` (not read again, and what is cached on
    it for the request, such as their memberships, serves the flow's callbacks too)."""
    objects = _held.get()
    if objects is not None and user is not None and user.pk is not None:
        objects[get_user_model(), user.pk] = user  # by the model: ``user`` may be a lazy object
    return user


def held_case(case_pk) -> IntegrationCase | None:
    """The case locked in the open scope, or None."""
    return held(IntegrationCase, case_pk)


def lock_case_pk(case_pk, *, related=CASE_RELATED) -> IntegrationCase:
    """The case under a row lock; every write to a case starts here. Inside a
    ``case_lock_scope`` the row is read once and the same instance returned after that.
    ``related``: what is joined (the first lock of a scope that knows it needs less)."""
    case = held_case(case_pk)
    if case is None:
        cases = IntegrationCase.objects.select_for_update(of=("self",))
        if related:  # (select_related() with nothing named would join every relation)
            cases = cases.select_related(*related)
        case = hold_locked_case(cases.get(pk=case_pk))
    return case


def hold_locked_case(case: IntegrationCase) -> IntegrationCase:
    """Hand the open scope a case the caller has just read under its row lock (``lock_case_pk``,
    or joined to another row locked in the same statement); returns the scope's instance,
    which is the one it holds already, if any. A case whose worker is the acting user gets
    that very instance as ``owner`` (``hold_actor``)."""
    shared = held_case(case.pk)
    if shared is not None:
        return shared
    if case.owner_id is not None:
        actor = held(get_user_model(), case.owner_id)
        if actor is not None:
            case.owner = actor
    return hold_case(case)


def lock_case(case: IntegrationCase) -> IntegrationCase:
    return lock_case_pk(case.pk)


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
