"""Staff memberships: a person's role in a unit."""

from __future__ import annotations

from django.contrib.auth.models import Group

from permissions.audit import audit_record
from permissions.policy import forget_cached_permissions

from ..models import Membership, Unit
from ._common import atomic_service


@atomic_service
def membership_grant(
    *, by, user, unit: Unit, role: str, can_see_protected_details=False
) -> Membership:
    """Give ``user`` the ``role`` in ``unit`` and put them in the role's group."""
    membership, _created = Membership.objects.get_or_create(
        user=user,
        unit=unit,
        role=role,
        defaults={"can_see_protected_details": can_see_protected_details},
    )
    if (
        not membership.is_active
        or membership.can_see_protected_details != can_see_protected_details
    ):
        membership.is_active = True
        membership.can_see_protected_details = can_see_protected_details
        membership.save()
    membership.full_clean()
    group = Group.objects.filter(name=role).first()
    if group:
        user.groups.add(group)
    forget_cached_permissions(user)
    audit_record(actor=by, obj=membership, action="membership.granted")
    return membership
