"""Forms of the integration programme's pages. They describe and pre-check the input; the
services (``casework.services.programme``) decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework import indicators as computed
from casework.languages import language_choices
from casework.models import (
    ClientCategory,
    Goal,
    Indicator,
    IndicatorKind,
    MeasureStatus,
    Municipality,
    Organisation,
    Programme,
    ProgrammeMeasure,
    Theme,
    Unit,
    ValueType,
)
from casework.services.programme import (
    GOAL_FIELDS,
    INDICATOR_FIELDS,
    MEASURE_FIELDS,
    OWNER_KINDS,
    PROGRAMME_FIELDS,
    THEME_FIELDS,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ProgrammeForm(forms.ModelForm):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations sharing the programme"),
        queryset=Organisation.objects.filter(kind__in=OWNER_KINDS, is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their coordinators and managers edit the programme and see its reports."),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities covered"),
        queryset=Municipality.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The computed indicators count the clients living in these municipalities."),
    )

    class Meta:
        model = Programme
        fields = [*PROGRAMME_FIELDS, "organisations", "municipalities"]
        widgets = {"description_fi": TEXTAREA, "description_sv": TEXTAREA}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROGRAMME_FIELDS}


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = list(THEME_FIELDS)


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)


class ProgrammeMeasureForm(forms.ModelForm):
    FIELDSETS = (
        (_("The measure"), ("text_fi", "text_sv", "schedule", "first_year", "last_year")),
        (
            _("Who is responsible (one of these)"),
            ("responsible_unit", "responsible_organisation", "responsible_other"),
        ),
        (_("Partners"), ("partners",)),
    )

    class Meta:
        model = ProgrammeMeasure
        fields = list(MEASURE_FIELDS)
        widgets = {"text_fi": TEXTAREA, "text_sv": TEXTAREA, "partners": TEXTAREA}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        owners = programme.organisations.all()
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            organisation__in=owners, is_active=True
        ).select_related("organisation")
        self.fields["responsible_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        )
        self.fields["responsible_unit"].help_text = _(
            "Choose one: a unit of the organisations sharing the programme, a partner "
            "organisation, or another party by name."
        )


def computation_choices():
    return [("", "---------"), *((code, label) for code, label in computed.choices())]


def option_choices():
    groups = [("", "---------")]
    for spec in computed.REGISTRY.values():
        if spec.option_choices:
            groups.append((f"{spec.label}: {spec.option_label}", spec.option_choices()))
    return groups


class IndicatorForm(forms.ModelForm):
    FIELDSETS = (
        (_("The indicator"), ("name_fi", "name_sv", "kind", "target", "first_year", "last_year")),
        (
            _("For an indicator entered yearly"),
            ("value_type", "unit_label", "scale_min", "scale_max", "responsible_unit"),
        ),
        (
            _("For an indicator computed from Kotopolku's data"),
            ("computation", "computation_option", "municipality", "category", "language"),
        ),
    )

    kind = forms.ChoiceField(
        label=_("kind"), choices=IndicatorKind.choices, widget=forms.RadioSelect
    )
    value_type = forms.ChoiceField(
        label=_("type of value"),
        choices=[("", "---------"), *ValueType.choices],
        required=False,
    )
    computation = forms.ChoiceField(
        label=_("computation"), choices=computation_choices, required=False
    )
    computation_option = forms.ChoiceField(
        label=_("computation option"),
        choices=option_choices,
        required=False,
        help_text=_("For the computations that offer a further choice, e.g. a reason for closing."),
    )
    category = forms.ChoiceField(
        label=_("only clients of the category"),
        choices=[("", _("all categories")), *ClientCategory.choices],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("only clients whose mother tongue is"),
        choices=lambda: [("", _("all languages")), *language_choices()],
        required=False,
    )

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = programme.municipalities.all()
        self.fields["responsible_unit"].queryset = Unit.objects.filter(
            organisation__in=programme.organisations.all(), is_active=True
        ).select_related("organisation")
        self.fields["target"].localize = True
        self.fields["target"].widget.is_localized = True


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("value"), max_digits=12, decimal_places=2, localize=True, required=False
    )
    comment = forms.CharField(label=_("comment"), widget=TEXTAREA, required=False)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.required = True
        if indicator.value_type == ValueType.SCALE:
            field.help_text = _("A whole number from %(min)s to %(max)s.") % {
                "min": indicator.scale_min,
                "max": indicator.scale_max,
            }
        elif indicator.value_type == ValueType.PERCENTAGE:
            field.help_text = _("A percentage from 0 to 100.")
        elif indicator.unit_label:
            field.help_text = _("In %(unit)s.") % {"unit": indicator.unit_label}


class MeasureStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), choices=MeasureStatus.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("comment"),
        widget=TEXTAREA,
        required=False,
        help_text=_("What was done. Required when the measure was dropped."),
    )
    responsible = forms.CharField(
        label=_("responsible party"),
        max_length=200,
        help_text=_("Who answered for the measure this year."),
    )


class SummaryForm(forms.Form):
    summary_fi = forms.CharField(
        label=_("summary in Finnish"), widget=forms.Textarea(attrs={"rows": 8})
    )
    summary_sv = forms.CharField(
        label=_("summary in Swedish"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("The Swedish report shows the Finnish summary when this is empty."),
    )


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        max_length=300,
        required=False,
        help_text=_("For example: presented to the city board on 10.3."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked the report; freeze it as it is now"), required=True
    )
