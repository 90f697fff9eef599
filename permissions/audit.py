"""The single entry point for writing the audit trail."""

from __future__ import annotations

from contextvars import ContextVar

from django.db import models

from .models import AuditEntry

# The request's client address, set by ``permissions.middleware.AuditContextMiddleware``.
current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def _client_id_of(obj) -> int | None:
    """The client an object is about: ``obj.audit_client_id`` (a client names itself), else
    the first of ``client_id``, ``case.client_id``, ``plan.case.client_id`` it has."""
    own = getattr(obj, "audit_client_id", None)
    if own is not None:
        return own
    for path in ("client_id", "case.client_id", "plan.case.client_id"):
        target = obj
        try:
            for part in path.split("."):
                target = getattr(target, part)
        except AttributeError:
            continue
        if target is not None:
            return target
    return None


def audit_label(obj) -> str:
    """How the trail names an object: never by a client's name, so that anonymising a
    client leaves no personal data in the (unchangeable) trail."""
    label = getattr(obj, "audit_label", None)
    return str(label() if callable(label) else label) if label is not None else str(obj)


def _entry(*, actor, obj: models.Model, action: str, data: dict | None) -> AuditEntry:
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=audit_label(obj)[:200],
        client_id=_client_id_of(obj),
        ip_address=current_ip.get(),
        data=data or {},
    )


def audit_record(*, actor, obj: models.Model, action: str, data: dict | None = None) -> AuditEntry:
    """Append one entry: ``actor`` (a user, or None for the system) did ``action`` to ``obj``."""
    entry = _entry(actor=actor, obj=obj, action=action, data=data)
    entry.save()
    return entry


def audit_record_many(*, actor, objs, action: str, data=None) -> int:
    """One entry per object for the same action, written in one statement (sweeps)."""
    entries = [
        _entry(actor=actor, obj=obj, action=action, data=data(obj) if callable(data) else data)
        for obj in objs
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
