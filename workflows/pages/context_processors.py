"""What every page's layout reads: today's date and which parts of the navigation the user
may open."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from permissions.policy import role_permissions

# navigation entry → the permission (held through a role in some organisation) that shows it
NAVIGATION = {
    "client_search": ("casework.view_client_data",),
    "invitations": ("casework.contribute_case",),
    "client_register": ("casework.assess_case",),
    "dashboard": ("casework.manage_queue",),
    "guidance": ("casework.log_guidance_visit", "casework.view_guidance_statistics"),
    "guidance_statistics": ("casework.view_guidance_statistics",),
    "programme": ("casework.view_programme",),
    "audit_log": ("permissions.view_auditentry",),
}


def today(request):
    return {"today": timezone.localdate()}


def navigation_for(user) -> dict[str, bool]:
    """``{navigation entry: whether the user's roles open it}``."""
    held = set().union(*role_permissions(user).values())
    return {entry: any(p in held for p in perms) for entry, perms in NAVIGATION.items()}


def navigation(request):
    """``nav.<entry>``: whether the user's roles hold what the entry needs. The same role
    permissions the pages check (computed once per request and shared with them), not
    Django's per-user permission queries."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {"nav": SimpleLazyObject(lambda: navigation_for(user))}
