"""Admin for configuration only: organisations, units, responsibility tables, the service
catalogue and rule sets. Client data is never shown here (an administrator configures the
system but reads no client data). Memberships and staff accounts: ``workflows/admin.py``
(a membership that gives client access is announced to the organisation's managers by mail,
which is the engine's)."""

from django import forms
from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from .models import (
    GuidanceOption,
    GuidancePoint,
    Municipality,
    Organisation,
    ResponsibilityRule,
    RuleSet,
    Service,
    Step,
    StepTarget,
    Unit,
)
from .selectors import rule_set_history
from .services.rules import rule_set_save, step_target_delete, step_target_save


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


class RuleSetForm(forms.ModelForm):
    """The rule set (the admin builds the model form with every field, a new rule included),
    and the legal basis of this change (written to the audit trail with it; required)."""

    legal_basis = forms.CharField(
        label=_("Legal basis of this change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The act, government proposal or decision the change rests on, e.g. "
            "“Act 681/2023, 16 §” or “HE 21/2024”. Kept in the change history below."
        ),
    )


HISTORY_ACTIONS = {
    "rules.created": _("created"),
    "rules.changed": _("changed"),
    "rules.deleted": _("deleted"),
    "rules.target_set": _("step target set"),
    "rules.target_removed": _("step target removed"),
}


def _shown(value) -> str:
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    return "–" if value in (None, "") else str(value)


def _what_changed(entry) -> str:
    """One line per changed value: “label: before → after”."""
    data = entry.data or {}
    if entry.action.startswith("rules.target"):
        step = Step(data["step"]).label if data.get("step") in Step.values else data.get("step")
        before, after = (data.get("changes") or {}).get("days", [None, data.get("days")])
        if entry.action == "rules.target_removed":
            before, after = data.get("days"), None
        return f"{_('target (days)')} – {step}: {_shown(before)} → {_shown(after)}"
    lines = []
    for name, (before, after) in (data.get("changes") or {}).items():
        try:
            label = RuleSet._meta.get_field(name).verbose_name
        except Exception:  # noqa: BLE001 - a field removed since
            label = name
        lines.append(f"{label}: {_shown(before)} → {_shown(after)}")
    return "\n".join(lines)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    form = RuleSetForm
    list_display = [
        "name",
        "valid_from",
        "valid_until",
        "first_plan_max_months",
        "review_interval_months",
        "civic_orientation_min_hours",
    ]
    inlines = [StepTargetInline]
    readonly_fields = ["change_history"]

    @admin.display(description=_("change history"))
    def change_history(self, obj):
        """Who changed what and when, on what legal basis (the audit trail)."""
        if obj is None or obj.pk is None:
            return "–"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td style='white-space: pre-line'>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    date_format(localtime(entry.at), "SHORT_DATETIME_FORMAT"),
                    entry.actor_name,
                    HISTORY_ACTIONS.get(entry.action, entry.action),
                    _what_changed(entry),
                    (entry.data or {}).get("legal_basis", "–"),
                )
                for entry in rule_set_history(obj)
            ),
        )
        if not rows:
            return _("No changes recorded.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("time"),
            _("user"),
            _("action"),
            _("what changed"),
            _("legal basis"),
            rows,
        )

    # A rule set that applied to cases is ended (its "in force until" date), never deleted:
    # past cases were decided under it.
    def has_delete_permission(self, request, obj=None):
        return False

    # Every change goes through the rule-set services: with its legal basis, audited, and
    # the rule cache emptied.
    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name != "legal_basis"]
        if change and not changed:
            return  # only the step targets (below) or nothing changed
        rule_set_save(
            by=request.user,
            rule_set=obj,
            changed=changed,
            legal_basis=form.cleaned_data["legal_basis"],
        )

    def save_formset(self, request, form, formset, change):
        legal_basis = form.cleaned_data["legal_basis"]
        targets = formset.save(commit=False)
        for target in formset.deleted_objects:
            step_target_delete(by=request.user, target=target, legal_basis=legal_basis)
        changed = {id(f.instance): f.changed_data for f in formset.forms}
        for target in targets:
            step_target_save(
                by=request.user,
                target=target,
                changed=changed.get(id(target), ()),
                legal_basis=legal_basis,
            )


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
