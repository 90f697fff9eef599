"""The one place that answers "may this user do this to this object?".

A user's permissions come from their roles (memberships in units), and count only inside
the organisation of that unit. Wellbeing-area workers get object permissions on single
cases through ``permissions.grants`` while they take part. Superuser status grants nothing
here: an administrator configures the system but reads no client data.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

_CACHE_ATTR = "_kotopolku_role_perms"
_MEMBERSHIPS_ATTR = "_kotopolku_memberships"

# What each role may do (its group's permissions) is configuration: it changes when a release
# migrates or an administrator edits a role, not with everyday work, and every page reads it.
# So each process keeps it; a change saved in this process empties the cache at once and
# again when its transaction commits (the signal handlers in ``permissions.apps``), other
# processes see it within ``ROLE_PERMISSIONS_CACHE_SECONDS``. Who holds which role (the
# memberships) is read afresh on every request: taking a role away works at once.
_roles_cache: tuple[float, dict[str, frozenset[str]]] | None = None
_roles_lock = threading.Lock()


def forget_role_permissions() -> None:
    """Empty the cache of the roles' permissions (now and when the transaction commits)."""
    clear_role_permission_cache()
    transaction.on_commit(clear_role_permission_cache)


def clear_role_permission_cache() -> None:
    global _roles_cache
    with _roles_lock:
        _roles_cache = None


def _permissions_of_roles() -> dict[str, frozenset[str]]:
    """``{group name: {"app.codename", ...}}`` for every group, from the cache when fresh."""
    global _roles_cache
    lifetime = getattr(settings, "ROLE_PERMISSIONS_CACHE_SECONDS", 60)
    now = time.monotonic()
    cached = _roles_cache
    if cached is not None and now - cached[0] < lifetime:
        return cached[1]
    by_role: dict[str, set[str]] = {}
    for group_name, app_label, codename in Permission.objects.filter(
        group__isnull=False
    ).values_list("group__name", "content_type__app_label", "codename"):
        by_role.setdefault(group_name, set()).add(f"{app_label}.{codename}")
    roles = {name: frozenset(perms) for name, perms in by_role.items()}
    if lifetime > 0:
        with _roles_lock:
            _roles_cache = (now, roles)
    return roles


def memberships_of(user) -> tuple[tuple[int, int, str, bool], ...]:
    """The user's active memberships as ``(unit id, organisation id, role, unit active)``.

    One query, cached on the user object for the request as ``role_permissions`` is (and
    forgotten with it, ``forget_cached_permissions``): the roles a user holds answer both
    "may they do this in that organisation" and "do they work that unit's queue"."""
    cached = getattr(user, _MEMBERSHIPS_ATTR, None)
    if cached is not None:
        return cached
    rows = ()
    if user is not None and getattr(user, "pk", None) is not None:
        # the domain's memberships, through the user's relation: access imports no domain code
        rows = tuple(
            user.memberships.filter(is_active=True).values_list(
                "unit_id", "unit__organisation_id", "role", "unit__is_active"
            )
        )
        setattr(user, _MEMBERSHIPS_ATTR, rows)
    return rows


def holds_role(user, roles=None, *, unit_id=None, organisation_id=None) -> bool:
    """Has ``user`` an active membership (with one of ``roles``, when given) in the unit
    ``unit_id`` or in any unit of ``organisation_id``? Whether the unit is active does not
    matter here (``role_permissions`` counts only active units)."""
    return any(
        (unit_id is None or unit == unit_id)
        and (organisation_id is None or organisation == organisation_id)
        and (not roles or role in roles)
        for unit, organisation, role, _unit_active in memberships_of(user)
    )


def role_permissions(user) -> dict[int, set[str]]:
    """``{organisation id: {"app.codename", ...}}`` for the user's active memberships in
    active units.

    One query for the memberships (``memberships_of``), cached on the user object for the
    request; what each role may do comes from the per-process cache above.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: dict[int, set[str]] = {}
    if user is not None and user.is_authenticated and user.is_active:
        rows = [(org, role) for _unit, org, role, active in memberships_of(user) if active]
        perms_by_role = _permissions_of_roles() if rows else {}
        for org_id, role in rows:
            result.setdefault(org_id, set()).update(perms_by_role.get(role, set()))
    if user is not None:
        setattr(user, _CACHE_ATTR, result)
    return result


def organisations_where(user, perm: str) -> list[int]:
    """Ids of the organisations where ``user`` holds ``perm`` through a role."""
    return [org for org, perms in role_permissions(user).items() if perm in perms]


def forget_cached_permissions(user) -> None:
    for attr in (_CACHE_ATTR, _MEMBERSHIPS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def can_in_organisation(user, perm: str, organisation_id: int) -> bool:
    return perm in role_permissions(user).get(organisation_id, set())


def has_object_grant(user, perm: str, obj) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    app_label, codename = perm.split(".", 1)
    return UserObjectPermission.objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        permission__codename=codename,
        permission__content_type__app_label=app_label,
    ).exists()


def can(user, perm: str, case) -> bool:
    """May ``user`` do ``perm`` on ``case``? ``user=None`` is the system itself."""
    if user is None:
        return True
    if can_in_organisation(user, perm, case.responsible_organisation_id):
        return True
    return has_object_grant(user, perm, case)


def ensure_can(user, perm: str, case) -> None:
    if not can(user, perm, case):
        raise PermissionDenied(_("You do not have permission to do this on this case."))


def ensure_can_in_organisation(user, perm: str, organisation_ids) -> None:
    """Refuse unless ``user`` has ``perm`` in the organisation (or one of several)."""
    if isinstance(organisation_ids, int):
        organisation_ids = [organisation_ids]
    if user is not None and not any(
        can_in_organisation(user, perm, org_id) for org_id in organisation_ids
    ):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
