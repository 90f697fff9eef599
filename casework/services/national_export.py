"""Making the national reporting export (``casework.national_export``): who may, which
organisations' cases, the record of the export and its audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.policy import organisations_where

from ..models import NationalExport, Organisation
from ..national_export import SCHEMA_VERSION, build_dataset, canonical_bytes, key_id
from ._common import atomic_service

PERMISSION = "casework.export_national"
# A longer period is refused: an export is made per reporting period, not of all history.
MAX_PERIOD_DAYS = 5 * 366


class ExportNotConfigured(Exception):
    """``NATIONAL_EXPORT_KEY`` is not set: no pseudonyms can be made."""


def export_key() -> bytes:
    key = getattr(settings, "NATIONAL_EXPORT_KEY", "")
    if not key:
        raise ExportNotConfigured(
            _("The national export is not configured: NATIONAL_EXPORT_KEY is not set.")
        )
    return key.encode()


def organisations_for_export(user) -> list[Organisation]:
    """The organisations whose cases ``user`` may export."""
    ids = organisations_where(user, PERMISSION)
    return list(Organisation.objects.filter(pk__in=ids).order_by("code"))


@atomic_service
def national_export_create(
    *,
    by,
    start: dt.date,
    end: dt.date,
    organisations: list[Organisation] | None = None,
    via: str = "api",
) -> tuple[NationalExport, dict]:
    """The dataset of ``start``–``end`` and the record of its making (audited).

    A person exports the cases of the organisations where they hold the export permission
    (all of them, or the ones asked for, which must be among them); the system (``by=None``,
    the management command) exports those asked for, or every organisation's."""
    errors = {}
    if end < start:
        errors["to"] = _("The end of the period cannot be before its start.")
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors["to"] = _("A period is at most five years.")
    if errors:
        raise ValidationError(errors)
    if by is not None:
        allowed = organisations_for_export(by)
        if not allowed:
            raise PermissionDenied(_("Only managers may make the national export."))
        if organisations is None:
            organisations = allowed
        elif any(org not in allowed for org in organisations):
            raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    key = export_key()
    codes = [org.code for org in organisations] if organisations is not None else None
    dataset = build_dataset(
        start=start,
        end=end,
        key=key,
        organisation_codes=codes,
        organisation_ids=[org.pk for org in organisations] if organisations is not None else None,
    )
    record = NationalExport.objects.create(
        period_start=start,
        period_end=end,
        schema_version=SCHEMA_VERSION,
        organisations=codes if codes is not None else [],
        records=dataset["record_count"],
        sha256=hashlib.sha256(canonical_bytes(dataset)).hexdigest(),
        key_id=key_id(key),
        created_by=by,
        via=via,
    )
    audit_record(
        actor=by,
        obj=record,
        action="national_export.created",
        data={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "organisations": codes,
            "records": dataset["record_count"],
            "via": via,
        },
    )
    return record, dataset
