"""The one place that answers "may this user do this to this object?".

A user's permissions come from their roles (memberships in units), and count only inside
the organisation of that unit. Wellbeing-area workers get object permissions on single
cases through ``permissions.grants`` while they take part. Superuser status grants nothing
here: an administrator configures the system but reads no client data.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermission

_CACHE_ATTR = "_kotopolku_role_perms"


def role_permissions(user) -> dict[int, set[str]]:
    """``{organisation id: {"app.codename", ...}}`` for the user's active memberships.

    Computed with two queries and cached on the user object for the request.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: dict[int, set[str]] = {}
    if user is not None and user.is_authenticated and user.is_active:
        # the domain's memberships, through the user's relation: access imports no domain code
        rows = list(
            user.memberships.filter(is_active=True, unit__is_active=True).values_list(
                "unit__organisation_id", "role"
            )
        )
        roles = {role for _org, role in rows}
        perms_by_role: dict[str, set[str]] = {}
        for group_name, app_label, codename in Permission.objects.filter(
            group__name__in=roles
        ).values_list("group__name", "content_type__app_label", "codename"):
            perms_by_role.setdefault(group_name, set()).add(f"{app_label}.{codename}")
        for org_id, role in rows:
            result.setdefault(org_id, set()).update(perms_by_role.get(role, set()))
    if user is not None:
        setattr(user, _CACHE_ATTR, result)
    return result


def organisations_where(user, perm: str) -> list[int]:
    """Ids of the organisations where ``user`` holds ``perm`` through a role."""
    return [org for org, perms in role_permissions(user).items() if perm in perms]


def forget_cached_permissions(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


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
