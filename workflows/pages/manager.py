"""The manager's pages: the dashboard of the managed units' queues and the tasks behind each
figure (filter, reassign, export)."""

from __future__ import annotations

import csv
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from workflows.dashboard import assignable_workers, dashboard_for, drilldown, managed_units
from workflows.flows import step_titles
from workflows.services import TaskConflict, tasks_reassign


def _require_manager(user):
    if not managed_units(user).exists():
        raise PermissionDenied


@login_required
def manager_dashboard(request):
    _require_manager(request.user)
    data = dashboard_for(request.user)
    titles = step_titles()
    for row in data.per_queue_step:
        row["title"] = titles.get(row["step"], row["step"])
    peak = max([a["count"] for a in data.ages] + [1])
    for age in data.ages:
        age["percent"] = round(100 * age["count"] / peak)
    week_peak = max([w["done"] for w in data.per_week] + [1])
    for week in data.per_week:
        week["percent"] = round(100 * week["done"] / week_peak)
    return render(request, "workflows/dashboard.html", {"d": data})


@login_required
def manager_tasks(request):
    """The tasks behind a dashboard figure: filter, reassign one or many, export as CSV."""
    _require_manager(request.user)
    tasks, errors = drilldown(request.user, request.GET)
    workers = assignable_workers(request.user)
    if request.method == "POST":
        chosen = request.POST.getlist("tasks")
        worker = workers.filter(pk=request.POST.get("worker") or 0).first()
        selected = list(tasks.filter(uuid__in=[c for c in chosen if _is_uuid(c)]))
        if not selected:
            errors.append(_("Choose at least one task."))
        elif worker is None:
            errors.append(_("Choose the worker who gets the tasks."))
        else:
            try:
                tasks_reassign(by=request.user, case_tasks=selected, to=worker)
            except (TaskConflict, PermissionDenied, ValidationError) as error:
                errors.append(
                    getattr(error, "message", None)
                    or "; ".join(getattr(error, "messages", [str(error)]))
                )
            else:
                messages.success(
                    request,
                    _("%(count)s tasks given to %(worker)s.")
                    % {"count": len(selected), "worker": worker.get_full_name() or worker},
                )
                return redirect(request.get_full_path())
    if request.GET.get("format") == "csv":
        return _tasks_csv(tasks)
    page = Paginator(tasks, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/manager_tasks.html",
        {
            "page": page,
            "errors": errors,
            "workers": workers,
            "query": request.GET,
            "selected": set(request.POST.getlist("tasks")),
            "chosen_worker": request.POST.get("worker", ""),
        },
        status=400 if request.method == "POST" else 200,
    )


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _tasks_csv(tasks):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kotopolku-tasks.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "case",
            "task",
            "queue",
            "assigned to",
            "status",
            "due",
            "created",
            "priority",
            "escalated",
        ]
    )
    for t in tasks.iterator(chunk_size=2000):
        writer.writerow(
            [
                t.case.number,
                t.step,
                t.unit.name,
                t.owner.get_username() if t.owner else "",
                t.status,
                t.due_on.isoformat() if t.due_on else "",
                t.created_at.date().isoformat(),
                t.priority,
                "yes" if t.escalated_at else "",
            ]
        )
    return response
