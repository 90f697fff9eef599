"""Registering and updating clients."""

from __future__ import annotations

from permissions.audit import audit_record
from permissions.policy import ensure_can_in_organisation

from ..models import Client
from ._common import atomic_service

# Facts that can change the client's category or responsible organisation.
ROUTING_FIELDS = (
    "municipality",
    "labour_market_status",
    "residence_basis",
    "social_assistance_non_temporary",
    "child_home_care_allowance",
    "unaccompanied_minor",
    "arrived_as_unaccompanied_minor",
    "date_of_birth",  # a young adult's age decides the wellbeing area's support
    "trafficking_victim",
)


@atomic_service
def client_register(*, by, organisation, data: dict) -> Client:
    """Create a client from validated field values; ``organisation`` is where ``by`` works."""
    ensure_can_in_organisation(by, "casework.assess_case", organisation.pk)
    client = Client(**data, created_by=by)
    client.full_clean()
    client.save()
    audit_record(actor=by, obj=client, action="client.created")
    return client


@atomic_service
def client_update(*, by, client: Client, changes: dict) -> tuple[Client, set[str]]:
    """Apply ``changes`` to the client. Returns the client and the names of changed fields.

    Permission is asked by the caller against the client's open case.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = set()
    for name, value in changes.items():
        if getattr(client, name) != value:
            setattr(client, name, value)
            changed.add(name)
    if not changed:
        return client, changed
    client.full_clean()
    client.save()
    audit_record(actor=by, obj=client, action="client.updated", data={"fields": sorted(changed)})
    return client, changed
