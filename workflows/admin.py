"""The admin's staff pages: memberships (a person's role in a unit) and staff accounts.

They live here, not with the rest of the configuration in ``casework/admin.py``, because a
membership that gives access to client data is announced by mail to the organisation's
managers (``workflows.staff``), and the domain sends no mail. Every change goes through the
staff services: checked, audited (who, whom, what, when), and never a role that reads client
data given to oneself. The organisation's administrator manages his own organisations'
memberships and the staff's names and active status; superuser status, staff status,
groups, permissions, e-mail addresses of existing accounts and passwords are a superuser's.
"""

from __future__ import annotations

import copy
from contextvars import ContextVar

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from casework.models import Membership, Unit
from casework.selectors import organisations_where
from casework.services import staff as staff_services
from casework.text import validate_no_bidi_controls

from . import staff

User = get_user_model()

# The person acting in the admin, for the forms the admin builds without the request.
_acting: ContextVar = ContextVar("kotopolku_admin_user", default=None)

MEMBERSHIP_FORM_FIELDS = ("user", "unit", "role", "can_see_protected_details", "is_active")


def _managed_organisations(user, perm="casework.change_membership"):
    return organisations_where(user, perm)


class MembershipForm(forms.ModelForm):
    """Refuses on the form what the staff service would refuse (a role that reads client
    data for oneself, a unit of another organisation), so the admin shows the reason."""

    acting_user = None  # set by ``MembershipAdmin.get_form`` for the request

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = copy.copy(self.instance)
        for name in MEMBERSHIP_FORM_FIELDS:
            if name in data:
                setattr(candidate, name, data[name])
        try:
            staff_services.check_membership_change(by=self.acting_user, membership=candidate)
        except PermissionDenied as error:
            raise ValidationError(str(error) or _("You may not make this change.")) from None
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "unit", "role", "can_see_protected_details", "is_active"]
    list_filter = ["role", "is_active", "unit__organisation"]
    list_select_related = ["user", "unit__organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        """An administrator sees the memberships of his own organisations' units."""
        memberships = super().get_queryset(request)
        if request.user.is_superuser:
            return memberships
        return memberships.filter(
            unit__organisation_id__in=_managed_organisations(
                request.user, "casework.view_membership"
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and not request.user.is_superuser:
            kwargs["queryset"] = Unit.objects.filter(
                organisation_id__in=_managed_organisations(request.user)
            ).select_related("organisation")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def save_model(self, request, obj, form, change):
        staff.membership_save(by=request.user, membership=obj)

    def delete_model(self, request, obj):
        staff_services.membership_delete(by=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "unit__organisation"):
            staff_services.membership_delete(by=request.user, membership=membership)


class AuditedPasswordForm(AdminPasswordChangeForm):
    """Sets the password through the staff service: a superuser's action, audited."""

    def save(self, commit=True):
        password = (
            self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password") else None
        )
        return staff_services.user_set_password(by=_acting.get(), user=self.user, password=password)


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    change_password_form = AuditedPasswordForm

    limited_fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        """Superuser accounts are a superuser's to see and change."""
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.limited_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # e-mail: changing it would let the administrator reset the person's password
        return ("is_staff", "email", "last_login", "date_joined")

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and not request.user.is_superuser:
            # a plain model form of the fields above: not even the password's hash
            kwargs["form"] = forms.ModelForm
        form = super().get_form(request, obj, **kwargs)
        for name in ("first_name", "last_name"):
            if name in form.base_fields:
                form.base_fields[name].validators.append(validate_no_bidi_controls)
        return form

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        if changed & {"password1", "password2", "usable_password"}:
            changed = (changed - {"password1", "password2", "usable_password"}) | {"password"}
        staff_services.user_save(
            by=request.user, user=obj, changed=sorted(changed), creating=not change
        )

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        token = _acting.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _acting.reset(token)
