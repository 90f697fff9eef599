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
