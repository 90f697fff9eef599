"""Finding the object a request names, as the pages do: 404 for anything the caller may not
see (the same response whether it exists or not, the attempt audited by the page helpers),
and one audit entry for each read of client data."""

from __future__ import annotations

import uuid as uuid_module

from django.http import Http404

from casework.selectors import can_see_full_case, can_see_protected_details, cases_visible_to
from permissions.audit import audit_record
from workflows.access import visible_case_or_404, visible_client_or_404, visible_task_or_404


def parse_uuid(value) -> uuid_module.UUID:
    """A public identifier from the URL; anything malformed is simply not found."""
    try:
        return uuid_module.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise Http404 from None


def visible_case(user, value):
    """The case, if the user may see it (as the case page decides)."""
    return visible_case_or_404(user, parse_uuid(value))


def visible_task(user, value):
    """The task, if the user may see its case or it is an invitation in their queue."""
    return visible_task_or_404(user, parse_uuid(value))


def visible_client(user, value):
    """The client, if the user may see their data (as the data-export page decides)."""
    return visible_client_or_404(user, parse_uuid(value))


def client_cases(user, client):
    """The client's cases the user may see, newest first."""
    return list(cases_visible_to(user).filter(client=client).order_by("-created_at"))


def protected_visible(user, cases) -> bool:
    """May the user see the address and contact details (any of the client's cases)?"""
    return any(can_see_protected_details(user, case) for case in cases)


def full_case(user, case) -> bool:
    return can_see_full_case(user, case)


def audit_client_viewed(user, client, **data) -> None:
    """The one audit entry of a request that reads client data."""
    audit_record(actor=user, obj=client, action="client.viewed", data={"via": "api", **data})
