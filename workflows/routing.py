"""Who gets each task, in which queue, by when: callbacks the flow's nodes use."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework import services as casework_services
from casework.models import (
    QUEUE_ROLES,
    Assessment,
    ClientCategory,
    IntegrationCase,
    IntegrationPlan,
    Membership,
    ParticipationPhase,
    PlanState,
    Step,
)
from casework.rules import rules_on
from permissions.policy import holds_role

from . import notifications
from .models import CaseTask, Priority

# Flow node → the step whose target duration sets the due date.
NODE_STEPS = {
    "intake": Step.INTAKE,
    "assess": Step.ASSESSMENT,
    "wellbeing_contribution": Step.MULTI_PROFESSIONAL,
    "responsible_contribution": Step.MULTI_PROFESSIONAL,
    "draft_plan": Step.PLANNING,
    "client_decision": Step.AGREEMENT,
    "approve": Step.APPROVAL,
    "review": Step.REVIEW,
}
WELLBEING_NODES = {"wellbeing_contribution"}
HIGH_PRIORITY_CATEGORIES = {ClientCategory.UNACCOMPANIED_MINOR, ClientCategory.TRAFFICKING_VICTIM}


def fresh_case(activation):
    """The case as the step's services left it.

    Inside a step (``workflows.services``) the case is locked once and shared: the services
    changed that instance, so it is current. Elsewhere (viewflow's timer dispatcher) it is
    re-read once per activation, and the node's callbacks (owner, creation) share that copy."""
    process = activation.process
    case = casework_services.held_case(process.case_id)
    if case is not None:
        return case
    case = getattr(activation, "_fresh_case", None)
    if case is None:
        case = IntegrationCase.objects.select_related("unit", "owner").get(pk=process.case_id)
        activation._fresh_case = case
    return case


def active_participation(case, phase=ParticipationPhase.ASSESSMENT):
    return (
        case.participations.filter(phase=phase, ended_at__isnull=True)
        .select_related("unit", "worker")
        .order_by("-invited_at")
        .first()
    )


def case_owner(activation):
    """The case's responsible worker gets the next step, if they still work in its unit's
    organisation; otherwise the task waits in the unit's queue."""
    case = fresh_case(activation)
    owner = case.owner
    if (
        owner
        and owner.is_active
        and holds_role(owner, QUEUE_ROLES, organisation_id=case.responsible_organisation_id)
    ):
        return owner
    return None


def case_owners(cases) -> dict:
    """``case_owner`` for many cases in one query: case pk → the worker, or None."""
    candidates = {case.pk: case.owner for case in cases if case.owner and case.owner.is_active}
    working = set(
        Membership.objects.filter(
            is_active=True,
            user_id__in={owner.pk for owner in candidates.values()},
            unit__organisation_id__in={case.responsible_organisation_id for case in cases},
        ).values_list("user_id", "unit__organisation_id")
    )
    return {
        case.pk: case.owner
        if case.pk in candidates and (case.owner_id, case.responsible_organisation_id) in working
        else None
        for case in cases
    }


def participation_worker(activation):
    participation = active_participation(fresh_case(activation))
    return participation.worker if participation else None


_UNREAD = object()


def review_due(case, plan=_UNREAD) -> tuple[dt.date, str]:
    """The day the next review falls due and why: the scheduled review, or earlier if the
    plan or the integration period ends first. ``plan``: the case's approved plan, when the
    caller has read it already (None: it has none); else the one the step holds, or read."""
    if plan is _UNREAD:
        plan = casework_services.held_plan_in_force(case)
        if plan is None:  # not approved nor locked in this step: read it
            plan = case.plans.filter(state=PlanState.APPROVED).first()
    candidates = [
        (d, why)
        for d, why in (
            (case.next_review_due, "review"),
            (plan.ends_on if plan else None, "plan_ends"),
            (case.integration_period_ends_on, "period_ends"),
        )
        if d
    ]
    return min(candidates, key=lambda c: c[0]) if candidates else (timezone.localdate(), "today")


def approved_plans(case_ids) -> dict:
    """Each case's approved plan as ``review_due`` reads it, for many cases in one query."""
    plans: dict = {}
    for plan in IntegrationPlan.objects.filter(
        case_id__in=case_ids, state=PlanState.APPROVED
    ).order_by("case_id", "version", "pk"):
        plans.setdefault(plan.case_id, plan)
    return plans


def review_date(case, plan=_UNREAD) -> dt.date:
    """The day the next review falls due (see ``review_due``)."""
    return review_due(case, plan)[0]


def review_task_time(activation):
    """The review task appears ``review_reminder_days`` before the review falls due."""
    case = fresh_case(activation)
    due = review_date(case)
    remind_on = due - dt.timedelta(
        days=rules_on(min(due, timezone.localdate())).review_reminder_days
    )
    moment = timezone.make_aware(dt.datetime.combine(remind_on, dt.time(7, 0)))
    return max(moment, timezone.now())


def due_date(case, node_name: str) -> dt.date | None:
    if node_name == "review":
        return review_date(case)
    step = NODE_STEPS.get(node_name)
    days = rules_on().target_days(step) if step else None
    return timezone.localdate() + dt.timedelta(days=days) if days else None


def new_case_task(case, task, *, node, due_on, participation=None) -> CaseTask:
    """The queue row of a new human task (not saved): its queue, due date and priority.
    A review task's reminder goes out as it is created, so it is marked reminded."""
    now = timezone.now()
    return CaseTask(
        task=task,
        case=case,
        unit_id=participation.unit_id if participation else case.unit_id,
        step=node,
        status=task.status,
        owner=task.owner,
        participation=participation,
        priority=Priority.HIGH if case.category in HIGH_PRIORITY_CATEGORIES else Priority.NORMAL,
        due_on=due_on,
        assigned_at=now if task.owner_id else None,
        reminded_at=now if node == "review" else None,
    )


def task_created(activation):
    """Put a new human task in its queue with its due date and priority."""
    case = fresh_case(activation)
    task = activation.task
    node = task.flow_task.name
    participation = active_participation(case) if node in WELLBEING_NODES else None
    case_task = new_case_task(
        case, task, node=node, due_on=due_date(case, node), participation=participation
    )
    case_task.save()
    if node == "review":
        notifications.review_reminder(case_task)
    if node in WELLBEING_NODES:
        notifications.wellbeing_invited(case_task)


def _last_owner(activation, node_name):
    task = (
        activation.process.task_set.filter(
            flow_task=getattr(type(activation.flow_class.instance), node_name), status=STATUS.DONE
        )
        .order_by("-finished")
        .first()
    )
    return task.owner if task else None


def invite_wellbeing_area(activation):
    case = fresh_case(activation)
    assessment = Assessment.objects.get(case=case)
    casework_services.wellbeing_invite(
        by=assessment.assessed_by,
        case=case,
        reason=assessment.wellbeing_participation_reason or assessment.other_service_needs or "-",
    )


def conclude_multi_professional(activation):
    case = fresh_case(activation)
    assessment = Assessment.objects.get(case=case)
    casework_services.multi_professional_complete(
        by=_last_owner(activation, "responsible_contribution"),
        case=case,
        plan_needed=bool(assessment.plan_needed),
        summary=assessment.multi_professional_summary,
    )


def latest_plan_agreed(activation) -> bool:
    """Has the client agreed to the case's newest plan? (Its state is all that is read.)"""
    state = fresh_case(activation).plans.order_by("-version").values_list("state", flat=True)
    return state.first() == PlanState.AGREED


def revision_started(activation) -> bool:
    return fresh_case(activation).plans.filter(state=PlanState.DRAFT).exists()
