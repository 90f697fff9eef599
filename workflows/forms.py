"""Forms of the path's steps. Validation of rules happens in the services; the views put
the services' errors next to the fields."""

from __future__ import annotations

import functools

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework.languages import country_choices, language_choices
from casework.models import (
    Assessment,
    Client,
    CloseReason,
    IntegrationPlan,
    Measure,
    Organisation,
    ReviewOutcome,
    Service,
)
from casework.services.cases import ASSESSMENT_FIELDS
from casework.services.plans import PLAN_FIELDS

YES_NO = [("", "---------"), ("true", _("yes")), ("false", _("no"))]


def preselect_single_choices(form) -> None:
    """A required list with only one real choice starts with it chosen: there is nothing for
    the worker to decide (for example the only municipality a unit serves)."""
    if form.is_bound:
        return
    for name, field in form.fields.items():
        if not field.required or form.initial.get(name) not in (None, ""):
            continue
        if isinstance(field, forms.ModelChoiceField):
            options = list(field.queryset[:2])
            if len(options) == 1:
                form.initial[name] = options[0].pk
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field.widget, forms.RadioSelect
        ):
            values = [v for v, _label in field.choices if v not in ("", None)]
            if len(values) == 1:
                form.initial[name] = values[0]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class YesNoField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO, coerce=lambda v: v == "true", empty_value=None, required=False, **kwargs
        )


class LanguageChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=self._choices_now, **kwargs)

    @staticmethod
    def _choices_now():
        return [("", "---------"), *language_choices()]


class CountryChoiceField(forms.ChoiceField):
    """An ISO 3166 country, named in the user's language from CLDR (casework.languages)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=self._choices_now, **kwargs)

    @staticmethod
    def _choices_now():
        return [("", "---------"), *country_choices()]


class IntakeForm(forms.Form):
    note = forms.CharField(
        label=_("Note on the first contact"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AssessmentForm(forms.ModelForm):
    # a draft may be partial; completing needs these (Assessment.completion_errors)
    required_to_complete = (
        *Assessment.REQUIRED_TO_COMPLETE,
        "plan_needed",
        "wellbeing_participation_needed",
    )
    plan_needed = YesNoField(label=_("an integration plan is needed"))
    wellbeing_participation_needed = YesNoField(
        label=_("social and health services need coordinating with the wellbeing area")
    )
    interpreter_language = LanguageChoiceField(label=_("interpreter's language"))

    class Meta:
        model = Assessment
        fields = list(ASSESSMENT_FIELDS)
        widgets = {"interview_date": DateInput()} | {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ASSESSMENT_FIELDS
            if isinstance(Assessment._meta.get_field(name), models.TextField)
        }

    def clean_interview_date(self):
        value = self.cleaned_data.get("interview_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The interview date cannot be in the future."))
        return value


class WellbeingContributionForm(forms.Form):
    contribution = forms.CharField(
        label=_("The wellbeing area's assessment"), widget=forms.Textarea(attrs={"rows": 5})
    )
    services_offered = forms.CharField(
        label=_("Wellbeing-area services offered"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ResponsibleContributionForm(forms.Form):
    multi_professional_summary = forms.CharField(
        label=_("Summary of the multi-professional assessment"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    plan_needed = YesNoField(label=_("an integration plan is needed"))


class PlanForm(forms.ModelForm):
    # a draft may be partial; the plan goes to the client only with these
    # (casework.services.plans.plan_rule_errors)
    required_to_complete = ("starts_on", "ends_on", "long_term_goals", "period_goals", "follow_up")
    language = forms.ChoiceField(
        label=_("language of the plan"),
        choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")],
    )

    class Meta:
        model = IntegrationPlan
        fields = list(PLAN_FIELDS)
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()} | {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["long_term_goals", "period_goals", "job_seeking_obligation", "follow_up"]
        }


class MeasureForm(forms.ModelForm):
    language = LanguageChoiceField(label=_("language"))

    class Meta:
        model = Measure
        fields = ["service", "provider", "language", "hours", "starts_on", "ends_on", "notes"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "notes": forms.TextInput(),
        }

    def __init__(self, *args, shared_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(is_active=True).order_by(
            "kind", "name_fi"
        )
        self.fields["provider"].queryset = Organisation.objects.filter(is_active=True).order_by(
            "name_fi"
        )
        for name, choices in (shared_choices or {}).items():
            # the options shown, read once for the whole formset (validation still asks the
            # queryset, so an option retired meanwhile is refused)
            self.fields[name].widget.choices = choices


class SharedChoices(BaseChoiceIterator):
    """A choice field's options, read the first time a form lists them (when it is shown),
    then shared by every form holding this object: a formset's rows. A formset that is only
    validated (the API, the services' callers) reads none of them."""

    def __init__(self, read):
        self._read = read
        self._options = []  # the list, once read (in a list, so that copies share it)

    def __iter__(self):
        if not self._options:
            self._options.append(list(iter(self._read())))
        return iter(self._options[0])


class BaseMeasureFormSet(forms.BaseModelFormSet):
    """The plan's measures: the service and provider options are read once for all rows,
    not twice per row, and only when the rows are shown."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if not hasattr(self, "_shared_choices"):
            self._shared_choices = {
                name: SharedChoices(functools.partial(self._probe_choices, name))
                for name in ("service", "provider")
            }
        return {**kwargs, "shared_choices": self._shared_choices}

    def _probe_choices(self, name):
        if not hasattr(self, "_probe"):
            self._probe = self.form()
        return self._probe.fields[name].choices


MeasureFormSet = forms.modelformset_factory(
    Measure, form=MeasureForm, formset=BaseMeasureFormSet, extra=1, can_delete=True
)


class ClientDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The client's decision"),
        choices=[("agree", _("agrees to the plan")), ("refuse", _("refuses the plan"))],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    refusal_reason = forms.CharField(
        label=_("Reason for refusing"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decided_on") and data["decided_on"] > timezone.localdate():
            self.add_error("decided_on", _("The date cannot be in the future."))
        if data.get("decision") == "refuse" and not (data.get("refusal_reason") or "").strip():
            self.add_error("refusal_reason", _("Record the reason the client gave."))
        return data


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked the plan and approve it"), required=True)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Date of the review"), widget=DateInput(), initial=timezone.localdate
    )
    participants = forms.CharField(label=_("Participants"), required=False)
    wellbeing_area_took_part = forms.BooleanField(
        label=_("The wellbeing area took part"), required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    close_reason = forms.ChoiceField(
        label=_("Reason for ending"),
        required=False,
        choices=[
            ("", "---------"),
            (CloseReason.GOALS_MET, CloseReason.GOALS_MET.label),
            (CloseReason.PLAN_ENDED, CloseReason.PLAN_ENDED.label),
            (CloseReason.PERIOD_ENDED, CloseReason.PERIOD_ENDED.label),
            (CloseReason.OTHER, CloseReason.OTHER.label),
        ],
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ReviewOutcome.END and not data.get("close_reason"):
            self.add_error("close_reason", _("Choose why the plan ends."))
        return data


class ClientForm(forms.ModelForm):
    """Registering a client at intake; the model's own validation (identity code checksum,
    dates not in the future, a minor's representative) reports next to each field."""

    citizenship = CountryChoiceField(label=_("citizenship"))
    country_of_origin = CountryChoiceField(label=_("country of origin"))
    mother_tongue = LanguageChoiceField(label=_("mother tongue"))
    preferred_language = LanguageChoiceField(label=_("preferred language of service"))
    interpreter_language = LanguageChoiceField(label=_("interpreter's language"))
    contacted_on = forms.DateField(
        label=_("date of first contact"), widget=DateInput(), initial=timezone.localdate
    )

    class Meta:
        model = Client
        fields = [
            "first_names",
            "last_name",
            "personal_identity_code",
            "date_of_birth",
            "gender",
            "citizenship",
            "country_of_origin",
            "mother_tongue",
            "preferred_language",
            "interpreter_needed",
            "interpreter_language",
            "municipality",
            "first_residence_permit_date",
            "residence_basis",
            "labour_market_status",
            "social_assistance_non_temporary",
            "child_home_care_allowance",
            "unaccompanied_minor",
            "minor_representative",
            "arrived_as_unaccompanied_minor",
            "trafficking_victim",
            "non_disclosure",
            "street_address",
            "postal_code",
            "post_office",
            "phone",
            "email",
        ]
        widgets = {"date_of_birth": DateInput(), "first_residence_permit_date": DateInput()}

    # Facts that decide the client's category and so who is responsible: the worker chooses
    # them every time, nothing is assumed.
    DECIDED_BY_WORKER = ("residence_basis", "labour_market_status")

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities
        # municipalities in the alphabetical order of their names in the user's language
        language = (get_language() or "fi")[:2]
        if language in ("sv", "en"):
            self.fields["municipality"].queryset = self.fields["municipality"].queryset.order_by(
                f"name_{language}", "name_fi"
            )
        for name in self.DECIDED_BY_WORKER:
            field = self.fields[name]
            field.required = True
            field.choices = [("", "---------"), *Client._meta.get_field(name).choices]
            if not self.instance.pk:
                self.initial[name] = ""
        preselect_single_choices(self)

    def clean_contacted_on(self):
        value = self.cleaned_data["contacted_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of first contact cannot be in the future."))
        return value


class ClientChangeForm(ClientForm):
    """Changing a client's facts; a change of category or municipality transfers the case."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the case history, e.g. “registered as an unemployed jobseeker”."),
    )

    class Meta(ClientForm.Meta):
        pass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["contacted_on"]


CLOSE_CHOICES = [
    (reason.value, reason.label)
    for reason in CloseReason
    if reason not in (CloseReason.NO_PLAN_NEEDED, CloseReason.PLAN_ENDED)
]


class CloseCaseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=CLOSE_CHOICES)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
