"""Looking up a client for the user asking: 404 when they may not see the client's data,
the same whether the client exists or not; the attempt is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casework.models import Client

from .audit import audit_record


def visible_client_or_404(user, uuid) -> Client:
    from casework.services.privacy import ensure_can_view_client

    client = Client.objects.filter(uuid=uuid).first()
    if client is None:
        raise Http404
    try:
        ensure_can_view_client(user, client)
    except PermissionDenied:
        audit_record(actor=user, obj=client, action="access.denied")
        raise Http404 from None
    return client
