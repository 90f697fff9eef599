"""Staff memberships (a person's role in a unit) and staff accounts.

Every change of a membership goes through here, whoever makes it (the admin, the demo, a
script): it is checked (an organisation's administrator manages the memberships of his own
organisation's units; nobody gives himself a role that reads client data), the role's group
follows the person's active memberships, and the audit trail says who gave whom what, when.
The caller learns whether the change gave someone access to client data
(``MembershipChange.gives_client_access``): the engine then tells the organisation's managers
(``workflows.staff``), since the domain sends no mail of its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.policy import ensure_can_in_organisation, forget_cached_permissions

from ..models import IntegrationCase, Membership, Role, Unit
from ._common import atomic_service

MEMBERSHIP_FIELDS = ("user_id", "unit_id", "role", "can_see_protected_details", "is_active")


def client_data_roles() -> set[str]:
    """The roles that read client data: those whose group holds a permission on the case
    (reading, assessing, contributing for the wellbeing area...). Read from the roles'
    groups, so a role given such a permission later counts at once."""
    return set(
        Group.objects.filter(
            name__in=Role.values,
            permissions__content_type__app_label=IntegrationCase._meta.app_label,
            permissions__content_type__model=IntegrationCase._meta.model_name,
        ).values_list("name", flat=True)
    )


@dataclass(frozen=True)
class MembershipChange:
    membership: Membership
    action: str  # membership.granted / .changed / .ended
    changes: dict
    gives_client_access: bool


def _state(values: dict | None, roles: set[str]):
    """The client access a membership's values give: None, or (user, unit, role, protected)."""
    if not values or not values["is_active"] or values["role"] not in roles:
        return None
    return (
        values["user_id"],
        values["unit_id"],
        values["role"],
        values["can_see_protected_details"],
    )


def _protected_flag(values: dict | None) -> bool:
    return bool(values and values["is_active"] and values["can_see_protected_details"])


def _gives_access(before: dict | None, after: dict, roles: set[str]) -> bool:
    """Does going from ``before`` to ``after`` give client access the person did not have
    through this membership: a new or reactivated membership of a role that reads client
    data, its role, unit or person changed, or the right to see details under a
    non-disclosure marking turned on (whatever the role)?"""
    new, old = _state(after, roles), _state(before, roles)
    if _protected_flag(after) and not _protected_flag(before):
        return True  # named for details under a non-disclosure marking, whatever the role
    if new is None:
        return False
    return old is None or old[:3] != new[:3]


def _ensure_may_manage(by, unit_ids, perm: str) -> None:
    """An administrator manages memberships in his own organisations' units (a superuser
    anywhere); ``by=None`` is the system (the demo loader, a migration)."""
    if by is None or by.is_superuser:
        return
    organisations = set(
        Unit.objects.filter(pk__in=unit_ids).values_list("organisation_id", flat=True)
    )
    for organisation_id in organisations:  # moving a membership needs both organisations
        ensure_can_in_organisation(by, perm, organisation_id)


def _sync_groups(user) -> None:
    """The user is in a role's group exactly while they hold the role in an active
    membership (the groups carry the admin site's model permissions)."""
    held = set(user.memberships.filter(is_active=True).values_list("role", flat=True).distinct())
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    add = [groups[name] for name in held - current if name in groups]
    remove = [groups[name] for name in current - held]
    if add:
        user.groups.add(*add)
    if remove:
        user.groups.remove(*remove)
    forget_cached_permissions(user)


def _audit_data(membership: Membership) -> dict:
    return {
        "user": membership.user.get_username(),
        "unit": f"{membership.unit.organisation.code}/{membership.unit.code}",
        "role": membership.role,
        "can_see_protected_details": membership.can_see_protected_details,
        "is_active": membership.is_active,
    }


def check_membership_change(*, by, membership: Membership) -> MembershipChange:
    """What saving ``membership`` (new, or changed in memory) would do, refusing what may
    not be done: ``PermissionDenied`` if ``by`` may not manage the units concerned or
    would give himself access to client data. Nothing is written."""
    before = (
        Membership.objects.filter(pk=membership.pk).values(*MEMBERSHIP_FIELDS).first()
        if membership.pk
        else None
    )
    after = {name: getattr(membership, name) for name in MEMBERSHIP_FIELDS}
    units = {after["unit_id"], *([before["unit_id"]] if before else [])}
    perm = "casework.change_membership" if before else "casework.add_membership"
    _ensure_may_manage(by, units, perm)
    roles = client_data_roles()
    gives = _gives_access(before, after, roles)
    if gives and by is not None and by.pk == after["user_id"]:
        raise PermissionDenied(
            _(
                "Nobody can give himself access to client data. Another administrator "
                "must make this change."
            )
        )
    changes = {
        name.removesuffix("_id"): [before[name], after[name]]
        for name in MEMBERSHIP_FIELDS
        if before and before[name] != after[name]
    }
    if before is None:
        action = "membership.granted"
    elif before["is_active"] and not after["is_active"]:
        action = "membership.ended"
    else:
        action = "membership.changed"
    return MembershipChange(
        membership=membership, action=action, changes=changes, gives_client_access=gives
    )


@atomic_service
def membership_save(*, by, membership: Membership) -> MembershipChange:
    """Create or change a membership (the admin's form fills in the instance). Audited:
    who (``by``), whom, what (unit, role, the right to see protected details, and each
    changed value before and after), when."""
    previous_user_id = (
        Membership.objects.filter(pk=membership.pk).values_list("user_id", flat=True).first()
    )
    change = check_membership_change(by=by, membership=membership)
    if membership.pk and not change.changes:
        return change
    membership.full_clean()
    membership.save()
    _sync_groups(membership.user)
    if previous_user_id not in (None, membership.user_id):
        _sync_groups(get_user_model().objects.get(pk=previous_user_id))
    audit_record(
        actor=by,
        obj=membership,
        action=change.action,
        data={
            **_audit_data(membership),
            "changes": change.changes,
            "client_access": change.gives_client_access,
        },
    )
    return change


@atomic_service
def membership_grant(
    *, by, user, unit: Unit, role: str, can_see_protected_details=False
) -> Membership:
    """Give ``user`` the ``role`` in ``unit`` (an existing membership is made active again
    with these details)."""
    membership = Membership.objects.filter(user=user, unit=unit, role=role).first() or Membership(
        user=user, unit=unit, role=role
    )
    membership.is_active = True
    membership.can_see_protected_details = can_see_protected_details
    return membership_save(by=by, membership=membership).membership


@atomic_service
def membership_delete(*, by, membership: Membership) -> None:
    """Remove a membership altogether (ending it, ``is_active=False``, keeps its history
    plainer: prefer that). Audited."""
    _ensure_may_manage(by, [membership.unit_id], "casework.delete_membership")
    data = _audit_data(membership)
    audit_record(actor=by, obj=membership, action="membership.removed", data=data)
    user = membership.user
    membership.delete()
    _sync_groups(user)


# --- staff accounts (the admin's user pages) ---------------------------------------------------

# What only a superuser may change on an account: it gives every permission at once, or lets
# someone sign in as another person.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions", "password")


@atomic_service
def user_save(*, by, user, changed: list[str] | tuple = (), creating: bool = False):
    """Save a staff account changed in the admin. Superuser status, staff status, groups,
    permissions and the password are a superuser's to change; the organisation's
    administrator manages names, e-mail of new accounts and whether an account is active.
    Audited (never the password itself)."""
    if by is not None and not by.is_superuser:
        forbidden = set(changed) & set(SUPERUSER_ONLY_FIELDS) - (
            {"password"} if creating else set()
        )
        if forbidden or user.is_superuser:
            raise PermissionDenied(_("Only a superuser can change this."))
    user.save()
    audit_record(
        actor=by,
        obj=user,
        action="user.created" if creating else "user.changed",
        # which fields changed, never their values (a password's hash least of all)
        data={"user": user.get_username(), "fields": sorted(changed)},
    )
    return user


@atomic_service
def user_set_password(*, by, user, password: str | None):
    """Set another person's password (``None``: no password, sign-in disabled): a
    superuser's action only. Audited, never the password."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied(_("Only a superuser can set another person's password."))
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=by, obj=user, action="user.password_set", data={"user": user.get_username()})
    return user
