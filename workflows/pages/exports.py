"""Pages of a background export: ask for it, watch it being made, download it.

Any list page can offer one: a form that POSTs its filters to ``exports:start`` with the
exporter's kind (``workflows.exports``). The job page shows the progress and updates itself
(a small script polls ``?part=progress``; without scripts a button reloads it), then offers
the file. A job is only ever shown to the person who asked for it: anybody else gets the
same 404 as for a job that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from permissions.audit import audit_record

from .. import exports
from ..models import ExportStatus


@login_required
@require_POST
def start(request, kind):
    """Ask for an export of ``kind`` with the filters posted (403 for a person who may
    export none of it, as its list page)."""
    if kind not in exports.EXPORTERS:
        raise Http404
    try:
        job = exports.export_request(by=request.user, kind=kind, filters=request.POST)
    except ValidationError as error:
        return render(
            request,
            "exports/refused.html",
            {"exporter": exports.EXPORTERS[kind], "errors": sorted(error.message_dict.items())},
            status=400,
        )
    return redirect("exports:job", uuid=job.uuid)


@login_required
@require_safe
def job(request, uuid):
    """The export's progress, and the file once it is ready."""
    export = exports.job_for(request.user, uuid)
    if export is None:
        raise Http404
    context = {"job": export, "exporter": exports.EXPORTERS.get(export.kind)}
    if request.GET.get("part") == "progress":
        response = render(request, "exports/_progress.html", context)
    else:
        response = render(request, "exports/job.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def download(request, uuid):
    """The finished file (audited: who downloaded which export)."""
    export = exports.job_for(request.user, uuid)
    if export is None or export.status != ExportStatus.DONE:
        raise Http404
    audit_record(
        actor=request.user,
        obj=export,
        action="export.downloaded",
        data={"kind": export.kind, **export.params},
    )
    response = StreamingHttpResponse(
        exports.content_of(export), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
