"""The view viewflow asks of each human step of the flow.

A step is done on Kotopolku's own task page (``workflows.pages.tasks.TaskView``), which finds
the task by its public id, checks who may see and do it, and audits the visit. viewflow's own
task URLs are not served; were they ever mounted, this sends the user to that one page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect

from .models import CaseTask


def open_step(request, **kwargs):
    case_task = get_object_or_404(CaseTask, task_id=kwargs.get("task_pk"))
    return redirect("workflows:task", uuid=case_task.uuid)
