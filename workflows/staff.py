"""Staff memberships as the admin changes them: the domain's service, and the organisation's
managers told by mail when a change gives someone access to client data (the domain sends no
mail; this layer may use both)."""

from __future__ import annotations

from casework.services import atomic_service
from casework.services import staff as staff_services

from . import notifications


@atomic_service
def membership_save(*, by, membership):
    """Save the membership (checked and audited by ``casework.services.staff``) and, if it
    gives someone client access, tell the organisation's managers once it commits."""
    change = staff_services.membership_save(by=by, membership=membership)
    if change.gives_client_access:
        notifications.client_access_granted(change.membership, by=by)
    return change
