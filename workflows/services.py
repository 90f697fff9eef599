"""Orchestration services of the path: start it, claim, release, reassign, complete a step,
transfer and close. Each step's business rules are in ``casework.services``; these add the
task engine around them, under the flow's row lock."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.status import STATUS

from casework import services as casework_services
from casework.models import QUEUE_ROLES, CaseState, Client, IntegrationCase, Role
from casework.selectors import can_see_protected_details
from casework.services import atomic_service
from casework.services.clients import ROUTING_FIELDS
from casework.services.privacy import PROTECTED_FIELDS
from permissions.policy import can, can_in_organisation, ensure_can, holds_role

from . import notifications
from .flows import IntegrationFlow
from .models import OPEN_STATUSES, CaseTask, IntegrationProcess, Substitution
from .selectors import queue_for, queue_units, substituted_users
from .steps import STEPS, forms_for


class TaskConflict(Exception):
    """The task was changed by someone else (completed, claimed) or is locked right now."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- starting ---------------------------------------------------------------------------


@atomic_service
def path_start(*, by, client: Client, contacted_on=None) -> IntegrationCase:
    """Open the client's case in the responsible organisation's queue and start its path."""
    with casework_services.case_lock_scope():
        case = casework_services.hold_case(
            casework_services.case_open(by=by, client=client, contacted_on=contacted_on)
        )
        IntegrationFlow.start.run(case=case)
    return case


@atomic_service
def client_register_and_start(
    *, by, organisation, data: dict, contacted_on=None
) -> IntegrationCase:
    """Register a new client and start their path, in one step: the case opens on the
    client record just created, not read again."""
    with casework_services.case_lock_scope():
        client = casework_services.client_register(by=by, organisation=organisation, data=data)
        return path_start(by=by, client=client, contacted_on=contacted_on)


# --- who may act ------------------------------------------------------------------------


def _step(case_task):
    return STEPS[case_task.step]


def is_unit_member(user, unit, roles=None) -> bool:
    """An active membership of ``user`` in ``unit`` (with one of ``roles``, when given); read
    with the user's permissions, once per request (``permissions.policy.memberships_of``)."""
    return holds_role(user, roles, unit_id=unit.pk)


def works_queue_of(user, unit) -> bool:
    """Does the user work the unit's queue (a role of ``QUEUE_ROLES`` in that very unit)?"""
    return is_unit_member(user, unit, roles=QUEUE_ROLES)


def can_claim(user, case_task) -> bool:
    """Could the user take the task from its queue: they work the task's unit's queue and
    their organisation lets them do the step. (Whether the task still waits is the caller's
    question: see ``task_claim`` and ``may_see_waiting_invitation``.)"""
    return works_queue_of(user, case_task.unit) and can_in_organisation(
        user, _step(case_task).permission, case_task.unit.organisation_id
    )


def may_see_waiting_invitation(user, case_task) -> bool:
    """A wellbeing-area invitation is open to the colleagues of the invited unit only while
    it waits unclaimed in their queue and the participation has not ended. After that only
    the participant sees it, through the case they take part in (``cases_visible_to``)."""
    participation = case_task.participation
    return (
        participation is not None
        and participation.ended_at is None
        and participation.worker_id is None
        and case_task.status == STATUS.NEW
        and case_task.owner_id is None
        and can_claim(user, case_task)
    )


def claim_checker(user, units=None):
    """``can_claim`` for many tasks at once: two queries in all, not two per task
    (``units``: ``queue_units(user)`` when the caller already has it)."""
    units = set(queue_units(user) if units is None else units)

    def check(case_task) -> bool:
        return case_task.unit_id in units and can_in_organisation(
            user, STEPS[case_task.step].permission, case_task.unit.organisation_id
        )

    return check


def can_manage_queue(user, unit) -> bool:
    return is_unit_member(user, unit, roles=[Role.MANAGER]) and can_in_organisation(
        user, "casework.manage_queue", unit.organisation_id
    )


# --- locking ----------------------------------------------------------------------------


LOCK_CONFLICT = _("Someone else is working on this task right now. Try again.")


def lock_path(case_id, *, wait=True) -> bool:
    """Take the row lock of the case's path (its viewflow process), waiting for it.

    It is the row viewflow's ``select_for_update_lock`` locks: whoever holds it may change
    the path. viewflow asks for it with NOWAIT and retries in a savepoint of its own; nested
    in our services' transaction a refused NOWAIT would abort the whole transaction, so our
    services take the lock themselves, waiting at most ``DATABASE_LOCK_TIMEOUT_MS`` on
    PostgreSQL, and then drive the task's activation under it. A second person acting on the
    same path waits here, then sees what the first one did. Every service that changes a
    path takes this lock before the case's (``casework.services.lock_case``), so two of them
    never wait for each other in opposite order.

    ``wait=False`` takes the lock only if nobody holds it right now (``SKIP LOCKED``) and
    says whether it did.
    """
    try:
        return (
            IntegrationProcess.objects.select_for_update(skip_locked=not wait)
            .filter(case_id=case_id)
            .exists()
        )
    except DatabaseError as error:
        raise TaskConflict(LOCK_CONFLICT) from error


def _lock_process(case_id) -> IntegrationProcess:
    """``lock_path``, reading the path's process (the row it locks) on the way."""
    try:
        return IntegrationProcess.objects.select_for_update(of=("self",)).get(case_id=case_id)
    except DatabaseError as error:
        raise TaskConflict(LOCK_CONFLICT) from error


def _locked(case_task, *, unit=True, client=False):
    """Lock the path, reading its process; then read the task afresh: its queue row with
    viewflow's task and the case, the queue row and the case locked in that order (the
    queue row so that the escalation sweep skips it; the case is shared by the step's
    services and the flow's callbacks, see ``casework.services.case_lock_scope``). Two
    queries: joining the process to the task as well costs PostgreSQL more to plan than it
    saves. ``unit=False``: the queue's unit is not joined (working on one's own task does
    not ask who works the queue); ``client``: the case's client is joined (the step's
    services read it)."""
    process = _lock_process(case_task.case_id)
    related = ["task", "case__client" if client else "case"] + (["unit"] if unit else [])
    fresh = (
        CaseTask.objects.select_for_update(of=("self", "case"))
        .select_related(*related)
        .get(pk=case_task.pk)
    )
    fresh.case = process.case = casework_services.hold_locked_case(fresh.case)
    task = fresh.task
    task.process = process
    # What viewflow's ``task.activation()`` does once it holds the lock and has re-read the task.
    return task.flow_task.activation_class(task), fresh


def _mirror(case_task, activation, *, by_status=None):
    task = activation.task
    case_task.status = by_status or task.status
    case_task.owner_id = task.owner_id
    if task.status == STATUS.DONE or by_status == STATUS.DONE:
        case_task.finished_at = timezone.now()
    case_task.save(update_fields=["status", "owner", "assigned_at", "finished_at", "unit"])


@contextmanager
def _task_lock(case_task, *, by, unit=True, client=False):
    """``with _task_lock(case_task, by=user) as (activation, fresh)``: the step's work under
    the path's lock, inside the caller's transaction, sharing the locked case and the acting
    user (``unit``, ``client``: see ``_locked``)."""
    with casework_services.case_lock_scope():
        casework_services.hold_actor(by)
        yield _locked(case_task, unit=unit, client=client)


def _work_lock(case_task, *, by):
    """``_task_lock`` for working on one's own task: its queue's unit is not joined, the
    case's client is when the step reads it (``StepSpec.reads_client``)."""
    return _task_lock(case_task, by=by, unit=False, client=_step(case_task).reads_client)


# --- claim, release, reassign -----------------------------------------------------------


def _claim_locked(*, by, activation, fresh) -> CaseTask:
    activation.assign(by)
    fresh.assigned_at = timezone.now()
    _mirror(fresh, activation)
    if fresh.participation_id:
        casework_services.wellbeing_assign(by=by, participation=fresh.participation, worker=by)
    elif fresh.case.owner_id is None:
        # Whoever takes the case's first task becomes its responsible worker.
        casework_services.case_assign(by=by, case=fresh.case, worker=by)
    return fresh


@atomic_service
def task_claim(*, by, case_task: CaseTask) -> CaseTask:
    """Take an unassigned task from one's unit's queue."""
    with _task_lock(case_task, by=by) as (activation, fresh):
        if fresh.status != STATUS.NEW:
            raise TaskConflict(_("This task has already been taken or completed."))
        if not can_claim(by, fresh):
            raise PermissionDenied(
                _("Only members of %(unit)s can take this task.") % {"unit": fresh.unit}
            )
        return _claim_locked(by=by, activation=activation, fresh=fresh)


# How many of the most urgent waiting tasks "take the next task" looks at in one go.
NEXT_TASK_CANDIDATES = 25
NOTHING_TO_TAKE = _("No task in your queues is free to take right now.")


@atomic_service
def task_claim_next(*, by, candidates=None) -> CaseTask | None:
    """Take the most urgent task waiting in one's queues that nobody is acting on right now.

    A task whose path someone else has locked at this moment (taking it, say) is passed
    over instead of waited for (the path's lock, taken first as in every step), so people who take the next task at the same time get
    different tasks rather than conflicts. ``candidates`` narrows the choice (a CaseTask
    queryset; by default every queue of ``by``'s units). None when nothing can be taken."""

    units = queue_units(by)
    queue = queue_for(by, units=units) if candidates is None else candidates
    may_claim = claim_checker(by, units)
    for case_task in queue.filter(status=STATUS.NEW)[:NEXT_TASK_CANDIDATES]:
        if not may_claim(case_task) or not lock_path(case_task.case_id, wait=False):
            continue
        with _task_lock(case_task, by=by) as (activation, fresh):
            if fresh.status != STATUS.NEW:
                continue  # taken by someone who finished before we looked
            return _claim_locked(by=by, activation=activation, fresh=fresh)
    return None


@atomic_service
def task_release(*, by, case_task: CaseTask) -> CaseTask:
    """Put an assigned task back in the queue (its owner, or the unit's manager)."""
    with _task_lock(case_task, by=by) as (activation, fresh):
        if fresh.status not in (STATUS.ASSIGNED, STATUS.STARTED):
            raise TaskConflict(_("This task is not assigned to anyone."))
        if fresh.owner_id != by.pk and not can_manage_queue(by, fresh.unit):
            raise PermissionDenied(
                _("Only the task's worker or the unit's manager can release it.")
            )
        if activation.task.status == STATUS.STARTED:
            activation.task.status = STATUS.ASSIGNED
        activation.unassign()
        fresh.assigned_at = None
        _mirror(fresh, activation)
        return fresh


def _reassign_locked(*, by, activation, fresh, to):
    if fresh.status not in OPEN_STATUSES:
        raise TaskConflict(_("The task “%(task)s” is already completed.") % {"task": fresh.title})
    if not works_queue_of(to, fresh.unit) or not can_in_organisation(
        to, _step(fresh).permission, fresh.unit.organisation_id
    ):
        raise ValidationError(
            _("%(worker)s cannot take tasks of %(unit)s.")
            % {"worker": to.get_full_name() or to, "unit": fresh.unit}
        )
    if activation.task.status == STATUS.NEW:
        activation.assign(to)
    else:
        activation.task.status = STATUS.ASSIGNED
        activation.reassign(user=to)
    fresh.assigned_at = timezone.now()
    _mirror(fresh, activation)
    if fresh.participation_id:
        casework_services.wellbeing_assign(by=None, participation=fresh.participation, worker=to)
    elif fresh.case.owner_id != to.pk:
        casework_services.case_assign(by=by, case=fresh.case, worker=to)
    notifications.task_assigned(fresh, by=by)


@atomic_service
def tasks_reassign(*, by, case_tasks, to) -> list[CaseTask]:
    """A manager gives one or many tasks of their units to ``to``. All or nothing."""
    done = []
    for case_task in case_tasks:
        with _task_lock(case_task, by=by) as (activation, fresh):
            if not can_manage_queue(by, fresh.unit):
                raise PermissionDenied(_("Only the unit's manager can reassign its tasks."))
            _reassign_locked(by=by, activation=activation, fresh=fresh, to=to)
            done.append(fresh)
    return done


# --- completing -------------------------------------------------------------------------


def _ensure_may_work_on(by, fresh, activation):
    if fresh.status not in (STATUS.ASSIGNED, STATUS.STARTED):
        if fresh.status == STATUS.DONE:
            raise TaskConflict(_("This task has already been completed."))
        if fresh.status == STATUS.NEW:
            raise TaskConflict(_("Take the task from the queue before working on it."))
        raise TaskConflict(_("This task is no longer open."))
    if fresh.owner_id == by.pk:
        return
    if fresh.owner_id in substituted_users(by) and can_claim(by, fresh):
        # A substitute takes over the absent worker's task before acting on it.
        activation.task.status = STATUS.ASSIGNED
        activation.reassign(user=by)
        _mirror(fresh, activation)
        return
    raise TaskConflict(_("This task is assigned to someone else."))


@atomic_service
def task_save_draft(*, by, case_task: CaseTask, forms: dict) -> None:
    with _work_lock(case_task, by=by) as (activation, fresh):
        _ensure_may_work_on(by, fresh, activation)
        step = _step(fresh)
        if not step.has_draft:
            raise ValidationError(_("This step has no draft."))
        step.save_draft(by=by, case=fresh.case, task=activation.task, forms=forms)


@atomic_service
def task_complete(*, by, case_task: CaseTask, forms: dict) -> CaseTask:
    """Complete the step: its service moves the case, then the flow creates what is next.
    Exactly one of two concurrent completions succeeds; the other gets ``TaskConflict``."""
    with _work_lock(case_task, by=by) as (activation, fresh):
        _ensure_may_work_on(by, fresh, activation)
        _step(fresh).complete(by=by, case=fresh.case, task=activation.task, forms=forms)
        if activation.task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()
        _mirror(fresh, activation, by_status=STATUS.DONE)
        return fresh


def task_complete_with_data(*, by, case_task: CaseTask, data: dict) -> CaseTask:
    """Complete a step from plain values (API, scripts, demo), validated by the same forms."""
    return task_complete(by=by, case_task=case_task, forms=forms_for(case_task, data))


def task_save_draft_with_data(*, by, case_task: CaseTask, data: dict) -> None:
    task_save_draft(by=by, case_task=case_task, forms=forms_for(case_task, data))


# --- transfer and close -----------------------------------------------------------------


def _open_tasks(case):
    return list(
        CaseTask.objects.filter(case=case, status__in=OPEN_STATUSES).select_related(
            "unit", "task", "owner"
        )
    )


@atomic_service
def case_transfer(*, by, case: IntegrationCase, reason: str) -> IntegrationCase:
    """Move responsibility (and the open tasks) to whoever the client's facts now point to."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    old_unit_id = case.unit_id
    lock_path(case.pk)  # before the case's lock, as every step takes them
    case = casework_services.case_transfer(by=by, case=case, reason=reason)
    if case.unit_id == old_unit_id:
        return case
    for case_task in _open_tasks(case):
        if case_task.participation_id:
            continue  # the wellbeing area's tasks stay in its own queue
        with _task_lock(case_task, by=by) as (activation, fresh):
            fresh.unit = case.unit
            if activation.task.owner_id and not is_unit_member(activation.task.owner, case.unit):
                if activation.task.status == STATUS.STARTED:
                    activation.task.status = STATUS.ASSIGNED
                activation.unassign()
                fresh.assigned_at = None
            _mirror(fresh, activation)
    return case


@atomic_service
def client_change(*, by, client: Client, changes: dict, reason: str = "") -> Client:
    """Update the client's facts; if they change who is responsible, transfer the case.
    Returns the record that holds the case afterwards (see ``record_in_register``)."""
    case = client.cases.exclude(state=CaseState.CLOSED).first()
    if case is not None:
        ensure_can(by, "casework.assess_case", case)
    elif not any(can(by, "casework.assess_case", c) for c in client.cases.all()):
        # a client with no open case: whoever was responsible for their last case
        raise PermissionDenied(_("You do not have permission to change this client's data."))
    protected = {"non_disclosure", *PROTECTED_FIELDS}
    if protected & set(changes) and not any(
        can_see_protected_details(by, c) for c in client.cases.all()
    ):
        changing = {
            name for name in protected & set(changes) if getattr(client, name) != changes[name]
        }
        if changing:
            raise PermissionDenied(
                _("Only named staff may change the non-disclosure marking or protected details.")
            )
    client, changed = casework_services.client_update(by=by, client=client, changes=changes)
    if case is not None and changed & set(ROUTING_FIELDS):
        case = case_transfer(
            by=by, case=case, reason=reason or str(_("The client's facts changed."))
        )
        # a case that moved to another organisation took the client into its register: the
        # record now holding the case (this one, moved, or that register's own)
        return case.client
    return client


@atomic_service
def path_close(*, by, case: IntegrationCase, reason: str, note: str = "") -> IntegrationCase:
    """Close the case before its path ends (the client moves away, declines, ...)."""
    lock_path(case.pk)
    case = casework_services.case_close(by=by, case=case, reason=reason, note=note)
    process = getattr(case, "process", None)
    if process is not None and process.status == STATUS.NEW:
        IntegrationFlow.instance.cancel(process)
        CaseTask.objects.filter(case=case, status__in=OPEN_STATUSES).update(
            status=STATUS.CANCELED, finished_at=timezone.now()
        )
    return case


# --- substitutes ------------------------------------------------------------------------


@atomic_service
def substitution_arrange(*, by, absent, substitute, starts_on, ends_on) -> Substitution:
    """A manager names a substitute who covers an absent worker's tasks."""
    shared = absent.memberships.filter(is_active=True, role__in=QUEUE_ROLES).values_list(
        "unit_id", flat=True
    )
    managed = [
        m.unit for m in by.memberships.filter(is_active=True, role=Role.MANAGER, unit_id__in=shared)
    ]
    if not any(can_manage_queue(by, unit) for unit in managed):
        raise PermissionDenied(_("Only the absent worker's manager can arrange a substitute."))
    # The substitute sees the absent worker's tasks in their own list: only someone who works
    # the same queue (never an auditor or an administrator of the unit).
    if not substitute.memberships.filter(
        is_active=True, unit_id__in=shared, role__in=QUEUE_ROLES
    ).exists():
        raise ValidationError({"substitute": _("The substitute must work in the same unit.")})
    substitution = Substitution(
        absent=absent, substitute=substitute, starts_on=starts_on, ends_on=ends_on, created_by=by
    )
    substitution.full_clean()
    substitution.save()
    return substitution
