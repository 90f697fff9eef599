"""The integration path as a viewflow flow.

The flow decides who does what next; every rule and every write is in ``casework.services``
(called by ``workflows.steps``). The case's legal state is its FSM: the gateways below only
read it, so the flow and the case cannot disagree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.base import Edge

from casework.models import CaseState

from . import routing
from .models import TASK_TITLES, IntegrationProcess
from .step_views import open_step


class If(flow.If):
    """viewflow's If, with its chart's yes/no captions in the user's language (viewflow
    writes them in English only)."""

    def _outgoing(self):
        yield Edge(src=self, dst=self._on_true, edge_class="cond_true", label=_("yes"))
        yield Edge(src=self, dst=self._on_false, edge_class="cond_false", label=_("no"))


def _state(activation):
    return routing.fresh_case(activation).state


class IntegrationFlow(flow.Flow):
    """Intake, assessment, optional wellbeing-area participation, plan, follow-up, close."""

    process_class = IntegrationProcess
    lock_impl = lock.select_for_update_lock
    process_title = _("Integration path")

    start = (
        flow.StartHandle(this.start_path).Annotation(title=_("Client registered")).Next(this.intake)
    )

    intake = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["intake"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.assess)
    )
    assess = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["assess"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.needs_wellbeing)
    )
    needs_wellbeing = (
        If(lambda a: _state(a) == CaseState.MULTI_PROFESSIONAL)
        .Annotation(title=_("Wellbeing area needed?"))
        .Then(this.invite_wellbeing)
        .Else(this.needs_plan)
    )
    invite_wellbeing = (
        flow.Function(routing.invite_wellbeing_area)
        .Annotation(title=_("Invite the wellbeing area"))
        .Next(this.split)
    )
    split = (
        flow.Split()
        .Annotation(title=_("In parallel"))
        .Next(this.wellbeing_contribution)
        .Next(this.responsible_contribution)
    )
    wellbeing_contribution = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["wellbeing_contribution"])
        .Assign(routing.participation_worker)
        .onCreate(routing.task_created)
        .Next(this.join)
    )
    responsible_contribution = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["responsible_contribution"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.join)
    )
    join = flow.Join().Annotation(title=_("Both parts done")).Next(this.conclude_multi_professional)
    conclude_multi_professional = (
        flow.Function(routing.conclude_multi_professional)
        .Annotation(title=_("Join the contributions"))
        .Next(this.needs_plan)
    )
    needs_plan = (
        If(lambda a: _state(a) == CaseState.PLANNING)
        .Annotation(title=_("Plan needed?"))
        .Then(this.draft_plan)
        .Else(this.end)
    )
    draft_plan = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["draft_plan"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.client_decision)
    )
    client_decision = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["client_decision"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.agreed)
    )
    agreed = (
        If(routing.latest_plan_agreed)
        .Annotation(title=_("Client agreed?"))
        .Then(this.approve)
        .Else(this.after_refusal)
    )
    after_refusal = (
        If(lambda a: _state(a) == CaseState.PLAN_ACTIVE)
        .Annotation(title=_("Plan in force?"))
        .Then(this.wait_review)
        .Else(this.end)
    )
    approve = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["approve"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.wait_review)
    )
    wait_review = (
        flow.Timer(routing.review_task_time)
        .Annotation(title=_("Until the review is near"))
        .Next(this.review)
    )
    review = (
        flow.View(open_step)
        .Annotation(title=TASK_TITLES["review"])
        .Assign(routing.case_owner)
        .onCreate(routing.task_created)
        .Next(this.review_outcome)
    )
    review_outcome = (
        flow.Switch()
        .Annotation(title=_("Outcome of the review"))
        .Case(this.draft_plan, routing.revision_started)
        .Case(this.wait_review, lambda a: _state(a) == CaseState.PLAN_ACTIVE)
        .Default(this.end)
    )
    end = flow.End().Annotation(title=_("Path ended"))

    def start_path(self, activation, case):
        activation.process.case = case
        return activation.process
