"""The manager's pages: the dashboard of the managed units' queues and the tasks behind each
figure (search, filter, sort, reassign, export as CSV or XLSX)."""

from __future__ import annotations

import csv
import io
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from casework.models import ClientCategory, IntegrationCase, Unit
from workflows.dashboard import (
    assignable_workers,
    dashboard_for,
    drilldown,
    managed_units,
)
from workflows.models import TASK_TITLES, CaseTask, TaskStatus
from workflows.services import TaskConflict, tasks_reassign

from . import charts
from .common import page_of
from .listing import PER_PAGE_CHOICES, filter_tasks


def _require_manager(user):
    if not managed_units(user).exists():
        raise PermissionDenied


def _tasks_url(**params) -> str:
    return reverse("workflows:manager_tasks") + "?" + urlencode(params)


@login_required
def manager_dashboard(request):
    _require_manager(request.user)
    data = dashboard_for(request.user)
    for row in data.per_queue_step:
        row["title"] = TASK_TITLES.get(row["step"], row["step"])
    ages = charts.horizontal_bars(
        [
            {"label": str(a["label"]), "value": a["count"], "href": _tasks_url(age=a["key"])}
            for a in data.ages
        ]
    )
    weeks = charts.columns(
        [
            {
                "label": date_format(w["week"], "SHORT_DATE_FORMAT"),
                "value": w["done"],
                "href": _tasks_url(status="done", week=w["week"].isoformat()),
            }
            for w in data.per_week
        ]
    )
    history = data.overdue_history
    overdue = charts.lines(
        [date_format(d, "SHORT_DATE_FORMAT") for d in history["days"]],
        [(TASK_TITLES.get(step, step), values) for step, values in history["series"].items()],
    )
    return render(
        request,
        "workflows/dashboard.html",
        {
            "d": data,
            "ages_chart": ages,
            "weeks_chart": weeks,
            "overdue_chart": overdue,
            "history_days": history["days"],
        },
    )


def _listing(request):
    """The managed units' tasks behind a figure, with the task lists' search and filters.
    ``overdue=1`` (older dashboard links and bookmarks) means ``due=overdue``."""
    params = request.GET.copy()
    if params.get("overdue") == "1" and not params.get("due"):
        params["due"] = "overdue"
    tasks, errors, chips = drilldown(request.user, params)
    workers = assignable_workers(request.user)
    listing = filter_tasks(
        params, tasks, units=list(managed_units(request.user)), owners=list(workers)
    )
    listing.chips = chips + listing.chips
    return listing, errors, workers, params


@login_required
def manager_tasks(request):
    """The tasks behind a dashboard figure: search, filter, sort, reassign one or many,
    export as CSV or XLSX."""
    _require_manager(request.user)
    listing, errors, workers, params = _listing(request)
    tasks = listing.queryset
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
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _export(tasks, export)
    page = page_of(request, tasks, listing.per_page)
    return render(
        request,
        "workflows/manager_tasks.html",
        {
            "page": page,
            "tasks": page.object_list,
            "listing": listing,
            "per_page_choices": PER_PAGE_CHOICES,
            "errors": errors,
            "workers": workers,
            "status": params.get("status", "open"),
            "keep": [(k, params[k]) for k in ("age", "week") if params.get(k)],
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


def export_rows(tasks):
    """The header and rows of a task export, in the user's language: names, not codes or
    user names."""
    today = timezone.localdate()

    def label(model, name):
        return str(capfirst(model._meta.get_field(name).verbose_name))

    header = [
        _("Case"),
        _("Client"),
        label(IntegrationCase, "category"),
        _("Task"),
        label(Unit, "organisation"),
        label(CaseTask, "unit"),
        label(CaseTask, "owner"),
        label(CaseTask, "status"),
        label(CaseTask, "due_on"),
        _("Overdue"),
        label(CaseTask, "priority"),
        label(CaseTask, "created_at"),
        label(CaseTask, "finished_at"),
        label(CaseTask, "escalated_at"),
    ]
    rows = []
    for t in tasks.iterator(chunk_size=2000):
        rows.append(
            [
                t.case.number,
                t.case.client.full_name,
                str(ClientCategory(t.case.category).label) if t.case.category else "",
                str(t.title),
                str(t.unit.organisation.name),
                str(t.unit.name),
                (t.owner.get_full_name() or t.owner.get_username()) if t.owner else "",
                str(TaskStatus(t.status).label),
                t.due_on,
                _("yes") if t.is_overdue(today) else "",
                t.get_priority_display(),
                timezone.localtime(t.created_at).date(),
                timezone.localtime(t.finished_at).date() if t.finished_at else None,
                _("yes") if t.escalated_at else "",
            ]
        )
    return header, rows


DATE_COLUMNS = {8, 11, 12}  # due, created, finished


def _export(tasks, fmt):
    header, rows = export_rows(tasks.select_related("unit__organisation"))
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = _("Tasks")[:31]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, title in enumerate(header, start=1):
            letter = get_column_letter(index)
            width = max([len(str(title))] + [len(str(r[index - 1] or "")) for r in rows[:500]])
            sheet.column_dimensions[letter].width = min(max(width + 2, 10), 50)
            if index - 1 in DATE_COLUMNS:
                for cell in sheet[letter][1:]:
                    cell.number_format = "DD.MM.YYYY"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="kotopolku-tasks-{stamp}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kotopolku-tasks-{stamp}.csv"'
    response.write("\ufeff")  # a byte-order mark: spreadsheet programs then read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [date_format(v, "SHORT_DATE_FORMAT") if hasattr(v, "isoformat") else v for v in row]
        )
    return response
