"""Pages of the audit trail and of the data subject's rights."""

from __future__ import annotations

import csv
import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from casework.selectors import audit_entries_visible_to
from casework.services.privacy import client_export as export
from permissions.audit import audit_record
from permissions.models import AuditEntry
from workflows.access import visible_client_or_404
from workflows.exports import EXPORTERS

PAGE_SIZE = 50


@login_required
def audit_log(request):
    """Search the audit trail by client, staff member, action and date; export as CSV."""
    client_uuid = request.GET.get("client", "").strip()
    errors = []
    dates = {}
    for name in ("since", "until"):
        value = request.GET.get(name, "").strip()
        if value:
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                errors.append(_("Give dates as YYYY-MM-DD."))
    entries, client_unknown = audit_entries_visible_to(
        request.user,
        client=client_uuid or None,
        actor=request.GET.get("actor", "").strip(),
        action=request.GET.get("action", "").strip(),
        **dates,
    )
    if client_unknown:
        errors.insert(0, _("No client with that identifier."))
    audit_record(
        actor=request.user,
        obj=request.user,
        action="audit.searched",
        data={k: v for k, v in request.GET.items() if k != "page"},
    )
    if request.GET.get("format") == "csv":
        return _csv(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "permissions/audit_log.html",
        {"page": page, "errors": errors, "query": request.GET},
    )


def _csv(entries) -> HttpResponse:
    """The trail as CSV at once (small selections, scripts); the same columns as the
    background export's (``workflows.exports``, kind ``audit_csv``)."""
    exporter = EXPORTERS["audit_csv"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exporter.file_name}"'
    writer = csv.writer(response)
    writer.writerow(exporter.header)
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(exporter.row(entry))
    return response


@login_required
def client_access_log(request, uuid):
    """Who has looked at or changed this client's data (to tell the client)."""
    client = visible_client_or_404(request.user, uuid)
    entries = AuditEntry.objects.filter(client_id=client.pk).order_by("-at", "-pk")
    audit_record(actor=request.user, obj=client, action="client.access_log_viewed")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "permissions/client_access_log.html", {"client": client, "page": page})


@login_required
def client_export(request, uuid):
    """Everything held about the client: JSON for a machine, a readable page for a person."""
    client = visible_client_or_404(request.user, uuid)
    data = export(by=request.user, client=client)
    if request.GET.get("format") == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="client-{client.uuid}.json"'
        return response
    return render(
        request,
        "permissions/client_export.html",
        {"client": client, "data": data, "pretty": json.dumps(data, ensure_ascii=False, indent=2)},
    )
