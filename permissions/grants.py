"""Object grants for wellbeing-area workers: issued on invitation, revoked when their part
ends. Only the workflow's services call these."""

from __future__ import annotations

from guardian.shortcuts import assign_perm, remove_perm

from .roles import WELLBEING_OBJECT_PERMISSIONS


def grant_participation(*, worker, case) -> None:
    for perm in WELLBEING_OBJECT_PERMISSIONS:
        assign_perm(perm, worker, case)


def revoke_participation(*, worker, case) -> None:
    from casework.models import WellbeingParticipation

    still_taking_part = WellbeingParticipation.objects.filter(
        case=case, worker=worker, ended_at__isnull=True
    ).exists()
    if still_taking_part:
        return
    for perm in WELLBEING_OBJECT_PERMISSIONS:
        remove_perm(perm, worker, case)
