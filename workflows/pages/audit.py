"""Pages of the audit trail and of the data subject's rights."""

from __future__ import annotations

import csv
import json
import uuid as uuid_module

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from casework.models import Client, IntegrationCase, Membership
from casework.services.privacy import client_export as export
from permissions.audit import audit_record
from permissions.models import AuditEntry
from permissions.policy import role_permissions
from workflows.access import visible_client_or_404

PAGE_SIZE = 50


def _auditable_scope(user):
    """``(entries, client ids)``: the audit entries an auditor may read (about clients of
    their organisations' cases, or made by staff of their organisations) and those clients."""
    orgs = [
        org
        for org, perms in role_permissions(user).items()
        if "permissions.view_auditentry" in perms
    ]
    if not orgs:
        raise PermissionDenied
    client_ids = IntegrationCase.objects.filter(responsible_organisation_id__in=orgs).values(
        "client_id"
    )
    staff_ids = Membership.objects.filter(unit__organisation_id__in=orgs).values("user_id")
    entries = AuditEntry.objects.filter(Q(client_id__in=client_ids) | Q(actor_id__in=staff_ids))
    return entries, client_ids


@login_required
def audit_log(request):
    """Search the audit trail by client, staff member, action and date; export as CSV."""
    entries, client_ids = _auditable_scope(request.user)
    client_uuid = request.GET.get("client", "").strip()
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    since = request.GET.get("since", "").strip()
    until = request.GET.get("until", "").strip()
    errors = []
    if client_uuid:
        # only the auditor's organisations' clients: another organisation's client is "no
        # client", the same answer as for an identifier that does not exist
        client = (
            Client.objects.filter(uuid=client_uuid, pk__in=client_ids).first()
            if _is_uuid(client_uuid)
            else None
        )
        if client is None:
            errors.append(_("No client with that identifier."))
            entries = entries.none()
        else:
            entries = entries.filter(client_id=client.pk)
    if actor:
        entries = entries.filter(actor_name=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    for value, lookup in ((since, "at__date__gte"), (until, "at__date__lte")):
        if value:
            try:
                entries = entries.filter(**{lookup: value})
            except Exception:  # noqa: BLE001 - a malformed date from the query string
                errors.append(_("Give dates as YYYY-MM-DD."))
    entries = entries.order_by("-at", "-pk")
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


def _is_uuid(value: str) -> bool:
    try:
        uuid_module.UUID(value)
    except ValueError:
        return False
    return True


def _csv(entries) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kotopolku-audit.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["time", "user", "action", "object type", "object id", "object", "client id", "address"]
    )
    for entry in entries.iterator(chunk_size=2000):
        writer.writerow(
            [
                entry.at.isoformat(),
                entry.actor_name,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                entry.client_id or "",
                entry.ip_address or "",
            ]
        )
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
