"""Large exports as background work: ask, watch the progress, download when ready.

An *exporter* says what an export holds: the rows a person may export (a queryset already
narrowed to what they may see, or ``PermissionDenied``), the header and one row per object,
and which filters it takes. ``export_request`` (the service) checks the permission, audits
the request and hands the job to a worker (``workflows.tasks.run_export``) once committed;
``run_job`` writes the CSV, reporting progress every ``PROGRESS_EVERY`` rows, and keeps the
file gzip-compressed on the job (``ExportJob``); the pages (``workflows.pages.exports``)
show the progress and offer the file to the person who asked for it, and to nobody else.

Exporters register with ``register``; the audit trail's CSV (``audit_csv``) is the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import logging
import tempfile
import uuid as uuid_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.selectors import audit_entries_visible_to
from casework.services import atomic_service
from permissions.audit import audit_record

from .models import ExportJob, ExportStatus
from .replica import reading_from_replica

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 2000
CHUNK = 2000


@dataclass(frozen=True)
class Exporter:
    """One kind of export."""

    kind: str
    title: str
    file_name: str
    header: list[str]
    # (user, cleaned filters) -> the rows the user may export; PermissionDenied if none
    rows: Callable[..., QuerySet]
    # one object -> one CSV row
    row: Callable[[object], list]
    # the filters it takes: name -> a function cleaning the text given (ValidationError)
    filters: dict[str, Callable[[str], object]] = field(default_factory=dict)

    def clean(self, data) -> dict:
        """The filters given in ``data`` (a QueryDict or dict), cleaned, empty ones left
        out; ValidationError naming the filter when one is malformed."""
        cleaned = {}
        errors = {}
        for name, clean in self.filters.items():
            value = (data.get(name) or "").strip()
            if not value:
                continue
            try:
                clean(value)
            except (ValueError, ValidationError):
                errors[name] = ValidationError(_("This filter is not valid."))
                continue
            cleaned[name] = value
        if errors:
            raise ValidationError(errors)
        return cleaned


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.kind] = exporter
    return exporter


def exporter_for(kind: str) -> Exporter:
    try:
        return EXPORTERS[kind]
    except KeyError:
        raise PermissionDenied from None


# --- the service ----------------------------------------------------------------------


@atomic_service
def export_request(*, by, kind: str, filters: dict) -> ExportJob:
    """Ask for an export: the rows ``by`` may export with ``filters`` (cleaned by the
    exporter), built in the background. Refused (PermissionDenied) before anything is
    queued if ``by`` may export none of them."""
    exporter = exporter_for(kind)
    filters = exporter.clean(filters)
    exporter.rows(by, filters)  # the permission check: raises PermissionDenied
    job = ExportJob.objects.create(
        kind=kind,
        params=filters,
        requested_by=by,
        file_name=exporter.file_name,
    )
    audit_record(actor=by, obj=job, action="export.requested", data={"kind": kind, **filters})

    transaction.on_commit(lambda: run_export.delay(job.pk), robust=True)
    return job


def job_for(user, job_uuid) -> ExportJob | None:
    """The user's own export ``job_uuid``, or None (someone else's is not there for them)."""
    return ExportJob.objects.filter(uuid=job_uuid, requested_by=user).defer("content").first()


# --- the worker -----------------------------------------------------------------------


def _claim(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(skip_locked=True)
            .select_related("requested_by")
            .defer("content")
            .filter(pk=job_id, status=ExportStatus.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.status = ExportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
        return job


def _write(exporter: Exporter, rows: QuerySet, job: ExportJob) -> tuple[bytes, int]:
    """The CSV, gzip-compressed, spilled to a temporary file past a few megabytes."""
    written = 0
    with tempfile.SpooledTemporaryFile(max_size=8 * 2**20) as spool:
        with gzip.GzipFile(fileobj=spool, mode="wb", compresslevel=6) as packed:
            text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(exporter.header)
            for obj in rows.iterator(chunk_size=CHUNK):
                writer.writerow(exporter.row(obj))
                written += 1
                if written % PROGRESS_EVERY == 0:
                    text.flush()
                    # outside any transaction: the page sees it at once
                    ExportJob.objects.filter(pk=job.pk).update(done=written)
            text.flush()
            text.detach()
        spool.seek(0)
        return spool.read(), written


def run_job(job_id: int) -> str:
    """Build export ``job_id`` if it is still waiting (a job delivered twice is built once)."""
    job = _claim(job_id)
    if job is None:
        return "not waiting"
    try:
        exporter = exporter_for(job.kind)
        if not job.requested_by.is_active:
            raise PermissionDenied
        # the permission asked again (roles may change), on the primary
        exporter.rows(job.requested_by, job.params)
        with reading_from_replica():  # the rows themselves may come from a replica
            rows = exporter.rows(job.requested_by, job.params)
            ExportJob.objects.filter(pk=job.pk).update(total=rows.count())
            content, written = _write(exporter, rows, job)
    except PermissionDenied:
        _fail(job, _("You may no longer export these data."))
        return "refused"
    except Exception:
        logger.exception("export %s failed", job.pk)
        _fail(job, _("The export could not be made. Try again, or ask the administrator."))
        return "failed"
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        done=written,
        total=written,
        content=content,
        size=len(content),
        finished_at=timezone.now(),
    )
    return "done"


def _fail(job: ExportJob, message) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=str(message)[:300], finished_at=timezone.now()
    )


def content_of(job: ExportJob, *, chunk=64 * 1024) -> Iterator[bytes]:
    """The finished file, uncompressed, a piece at a time."""
    packed = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    with gzip.GzipFile(fileobj=io.BytesIO(bytes(packed)), mode="rb") as stream:
        while piece := stream.read(chunk):
            yield piece


def delete_expired(*, now=None) -> int:
    """Delete exports finished more than ``EXPORT_KEEP_HOURS`` ago; how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    deleted, _counts = ExportJob.objects.filter(finished_at__lt=cutoff).delete()
    return deleted


# --- exporters ------------------------------------------------------------------------


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _uuid(value: str) -> uuid_module.UUID:
    return uuid_module.UUID(value)


def _text(value: str) -> str:
    if len(value) > 150:
        raise ValueError(value)
    return value


def audit_entries(user, filters: dict) -> QuerySet:
    """The audit entries ``user`` may read, narrowed by the audit page's filters (the page's
    own selector, ``casework.selectors.audit_entries_visible_to``)."""
    entries, _client_unknown = audit_entries_visible_to(user, **filters)
    return entries


register(
    Exporter(
        kind="audit_csv",
        title=_("Audit trail"),
        file_name="kotopolku-audit.csv",
        header=[
            "time",
            "user",
            "action",
            "object type",
            "object id",
            "object",
            "client id",
            "address",
        ],
        rows=audit_entries,
        row=lambda entry: [
            entry.at.isoformat(),
            entry.actor_name,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            entry.client_id or "",
            entry.ip_address or "",
        ],
        filters={
            "client": _uuid,
            "actor": _text,
            "action": _text,
            "since": _date,
            "until": _date,
        },
    )
)


@shared_task(name="workflows.tasks.run_export", acks_late=True)
def run_export(job_id: int) -> str:
    """Build one export file, reporting progress as it goes (the worker's entry point)."""
    return run_job(job_id)
