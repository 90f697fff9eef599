"""Object grants for wellbeing-area workers: issued on invitation, revoked when their part
ends. Only the domain's services call these (they decide when a part begins and ends)."""

from __future__ import annotations

from guardian.shortcuts import assign_perm, remove_perm

# The wellbeing-area worker's permissions on one case while they take part.
WELLBEING_OBJECT_PERMISSIONS = ("casework.contribute_case",)


def grant_participation(*, worker, case) -> None:
    for perm in WELLBEING_OBJECT_PERMISSIONS:
        assign_perm(perm, worker, case)


def revoke_participation(*, worker, case) -> None:
    """Take back the grants; the caller has checked that no other part of the worker's in
    the case is still going on."""
    for perm in WELLBEING_OBJECT_PERMISSIONS:
        remove_perm(perm, worker, case)
