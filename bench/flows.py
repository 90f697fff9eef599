"""A bare viewflow flow: the baseline the benchmark (``bench/run.py``) compares the
integration path with.

It has the shape of one complete path of ``IntegrationFlow`` (intake, assess, draft_plan,
client_decision, approve: five human steps, three ``If`` gateways) and nothing else: no case,
no services, no queue rows, no routing, no audit. What the integration path costs beyond
this is Kotopolku's own work per step.

It lives in an installed app because viewflow stores a flow by its app label. Nothing in the
application imports it; only the benchmark does. ``BareProcess`` is a proxy (no table), and
because it is not in ``workflows.models`` it needs no migration: Django registers it only
in the benchmark's process.
"""

from __future__ import annotations

from django.http import HttpResponse
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.models import Process


class BareProcess(Process):
    class Meta:
        proxy = True
        app_label = "bench"


def _noop_view(request, **kwargs):
    """Never served: the benchmark completes the tasks through the activation API."""
    return HttpResponse(status=204)


def _always(activation) -> bool:
    return True


class BareFlow(flow.Flow):
    """Bare baseline: five human steps and three gateways, no business logic."""

    process_class = BareProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.intake)
    intake = flow.View(_noop_view).Next(this.assess)
    assess = flow.View(_noop_view).Next(this.needs_wellbeing)
    needs_wellbeing = flow.If(_always).Then(this.needs_plan).Else(this.end)
    needs_plan = flow.If(_always).Then(this.draft_plan).Else(this.end)
    draft_plan = flow.View(_noop_view).Next(this.client_decision)
    client_decision = flow.View(_noop_view).Next(this.agreed)
    agreed = flow.If(_always).Then(this.approve).Else(this.end)
    approve = flow.View(_noop_view).Next(this.end)
    end = flow.End()

    def start_process(self, activation):
        return activation.process


HUMAN_STEPS = ("intake", "assess", "draft_plan", "client_decision", "approve")


# --- the yardstick: the same human steps with the same bookkeeping, in plain ORM code ------


class BaselineProcess(Process):
    class Meta:
        proxy = True
        app_label = "bench"


def _queue_row(activation):
    """The queue row of each new human task, as ``workflows.routing.task_created`` writes
    one (queue, due date, priority), in plain ORM code."""
    import datetime as dt

    from django.utils import timezone

    from workflows.models import CaseTask

    data = activation.process.data
    task = activation.task
    CaseTask.objects.create(
        task=task,
        case_id=data["case_id"],
        unit_id=data["unit_id"],
        step=activation.flow_task.name,
        status=task.status,
        owner_id=task.owner_id,
        priority=2,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )


def _owner(activation):
    """Later tasks go to whoever took the first one, as the case's responsible worker."""
    from django.contrib.auth import get_user_model

    owner_id = activation.process.data.get("owner_id")
    return get_user_model().objects.get(pk=owner_id) if owner_id else None


class BaselineFlow(flow.Flow):
    """The baseline the issue asks for: the integration path's five human steps and three
    gateways, and per step the bookkeeping Kotopolku does (the same three row locks, a queue
    row, an audit entry and a timeline event), written in plain ORM code by
    ``bench.measure.BaselinePaths``. What it leaves out is the steps' own content: no
    assessment, plan, measures or decision is stored, no rule checked, no form validated."""

    process_class = BaselineProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.intake)
    intake = flow.View(_noop_view).onCreate(_queue_row).Next(this.assess)
    assess = flow.View(_noop_view).Assign(_owner).onCreate(_queue_row).Next(this.needs_wellbeing)
    needs_wellbeing = flow.If(_always).Then(this.needs_plan).Else(this.end)
    needs_plan = flow.If(_always).Then(this.draft_plan).Else(this.end)
    draft_plan = (
        flow.View(_noop_view).Assign(_owner).onCreate(_queue_row).Next(this.client_decision)
    )
    client_decision = flow.View(_noop_view).Assign(_owner).onCreate(_queue_row).Next(this.agreed)
    agreed = flow.If(_always).Then(this.approve).Else(this.end)
    approve = flow.View(_noop_view).Assign(_owner).onCreate(_queue_row).Next(this.end)
    end = flow.End()

    def start_process(self, activation, case):
        activation.process.data = {"case_id": case.pk, "unit_id": case.unit_id}
        return activation.process
