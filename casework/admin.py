"""Admin for configuration only: organisations, units, memberships, responsibility tables,
the service catalogue and rule sets. Client data is never shown here (an administrator
configures the system but reads no client data)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    GuidanceOption,
    GuidancePoint,
    Membership,
    Municipality,
    Organisation,
    ResponsibilityRule,
    RuleSet,
    Service,
    StepTarget,
    Unit,
)
from .services.rules import rule_set_delete, rule_set_save, step_target_delete, step_target_save


class TranslatedNameAdmin(admin.ModelAdmin):
    """Lists show the name in the admin user's language."""

    search_fields = ["name_fi", "name_sv", "name_en", "code"]

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return obj.name


@admin.register(Municipality)
class MunicipalityAdmin(TranslatedNameAdmin):
    list_display = ["display_name", "code", "bilingual", "majority_language"]
    list_filter = ["bilingual"]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = [
        "code",
        "name_fi",
        "name_sv",
        "name_en",
        "handles_wellbeing_participation",
        "is_active",
    ]


@admin.register(Organisation)
class OrganisationAdmin(TranslatedNameAdmin):
    list_display = ["display_name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["municipalities"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(TranslatedNameAdmin):
    list_display = [
        "display_name",
        "organisation",
        "code",
        "handles_wellbeing_participation",
        "is_active",
    ]
    list_filter = ["organisation", "is_active"]
    list_select_related = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "can_see_protected_details", "is_active"]
    list_filter = ["role", "is_active", "unit__organisation"]
    list_select_related = ["user", "unit__organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["municipality", "category", "organisation", "unit"]
    list_filter = ["municipality", "category", "organisation"]
    list_select_related = ["municipality", "organisation", "unit__organisation"]


@admin.register(Service)
class ServiceAdmin(TranslatedNameAdmin):
    list_display = [
        "display_name",
        "code",
        "kind",
        "language",
        "hours",
        "ends_with_final_test",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    filter_horizontal = ["providers"]


class StepTargetInline(admin.TabularInline):
    model = StepTarget
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "valid_from",
        "valid_until",
        "first_plan_max_months",
        "review_interval_months",
        "civic_orientation_min_hours",
    ]
    inlines = [StepTargetInline]

    # Every change goes through the rule-set services: audited, and the rule cache emptied.
    def save_model(self, request, obj, form, change):
        rule_set_save(by=request.user, rule_set=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        rule_set_delete(by=request.user, rule_set=obj)

    def delete_queryset(self, request, queryset):
        for rule_set in queryset:
            rule_set_delete(by=request.user, rule_set=rule_set)

    def save_formset(self, request, form, formset, change):
        targets = formset.save(commit=False)
        for target in formset.deleted_objects:
            step_target_delete(by=request.user, target=target)
        changed = {id(f.instance): f.changed_data for f in formset.forms}
        for target in targets:
            step_target_save(by=request.user, target=target, changed=changed.get(id(target), ()))


# --- guidance points: configuration only (visits and appointments are not shown here) ---


@admin.register(GuidancePoint)
class GuidancePointAdmin(admin.ModelAdmin):
    list_display = ["code", "unit", "year_starts_day", "year_starts_month", "is_active"]
    list_filter = ["is_active", "unit__organisation"]
    list_select_related = ["unit__organisation"]
    search_fields = ["code", "unit__name_fi"]
    filter_horizontal = ["municipalities"]
    autocomplete_fields = ["unit"]


@admin.register(GuidanceOption)
class GuidanceOptionAdmin(TranslatedNameAdmin):
    list_display = ["display_name", "organisation", "kind", "code", "position", "is_active"]
    list_filter = ["organisation", "kind", "is_active"]
    list_select_related = ["organisation"]
