"""Forms of the guidance point's pages. They only parse what was typed; every rule (dates
in the future or past, durations, unknown codes, who may link a client) is the services',
and the pages put the services' messages beside the fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework.guidance_stats import options_of, period_errors
from casework.languages import language_choices, language_name
from casework.models import (
    CHANNEL_WALK_IN,
    AgeBand,
    GuidanceOptionKind,
    VisitGender,
    VisitLabourStatus,
)

NOT_TOLD_LABEL = _("not told")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class CodesField(forms.MultipleChoiceField):
    """Checkboxes of a configured list. A code that is not (or no longer) in the list is
    passed on to the service, which names it in its message."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value):
        return True


class CodeField(forms.ChoiceField):
    """One entry of a configured list, or "" for "not told"; unknown codes go to the
    service as above."""

    def valid_value(self, value):
        return True


def _language_choices(first_label):
    return [("", first_label), *language_choices()]


def _country_choices(frequent: list[str]):
    everything = list(countries)
    choices = [("", NOT_TOLD_LABEL)]
    if frequent:
        choices.append(
            (_("Most common at this point"), [(code, countries.name(code)) for code in frequent])
        )
        choices.append((_("All countries"), [(c.code, c.name) for c in everything]))
    else:
        choices += [(c.code, c.name) for c in everything]
    return choices


class VisitForm(forms.Form):
    """A visit, fast with the keyboard: everything has a default (now, walk-in, "not
    told"), so a visit takes a few choices and Enter."""

    visited_on = forms.DateField(label=_("Date"), widget=DateInput())
    visited_time = forms.TimeField(label=_("Time"), widget=TimeInput())
    channel = CodeField(label=_("Channel"), widget=forms.RadioSelect, required=False)
    age_band = forms.ChoiceField(
        label=_("Age"), choices=AgeBand.choices, widget=forms.RadioSelect, initial=AgeBand.NOT_TOLD
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=VisitGender.choices,
        widget=forms.RadioSelect,
        initial=VisitGender.NOT_TOLD,
    )
    topics = CodesField(label=_("Topics"), required=False)
    own_language_guidance = forms.TypedChoiceField(
        label=_("Guidance in the client's own language"),
        choices=[("false", _("no")), ("true", _("yes"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="false",
    )
    guidance_language = forms.ChoiceField(
        label=_("Which language"),
        required=False,
        help_text=_("Required when the guidance was in the client's own language."),
    )
    interpreter_used = forms.BooleanField(label=_("An interpreter was used"), required=False)
    country_of_origin = forms.ChoiceField(label=_("Country of origin"), required=False)
    labour_market_status = forms.ChoiceField(
        label=_("Labour-market status"),
        choices=VisitLabourStatus.choices,
        widget=forms.RadioSelect,
        initial=VisitLabourStatus.NOT_TOLD,
    )
    referrals = CodesField(label=_("Referred to"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        initial=15,
        widget=forms.NumberInput(attrs={"min": 1, "max": 480, "step": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the duration as whole minutes, e.g. 15.")},
    )
    feedback = forms.CharField(
        label=_("Feedback from the client (optional, anonymous)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    case_number = forms.CharField(
        label=_("Link to a client: case number (optional)"),
        required=False,
        max_length=20,
        help_text=_(
            "Only if the client wishes it. The visit then shows on the case's timeline and "
            "only those who may see the client see it."
        ),
    )
    appointment = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, point, may_link: bool, frequent_countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        organisation = point.unit.organisation_id
        channels = [(o.code, o.name) for o in options_of(organisation, GuidanceOptionKind.CHANNEL)]
        self.fields["channel"].choices = [*channels, ("", NOT_TOLD_LABEL)]
        if any(code == CHANNEL_WALK_IN for code, _name in channels):
            self.fields["channel"].initial = CHANNEL_WALK_IN
        self.fields["topics"].choices = [
            (o.code, o.name) for o in options_of(organisation, GuidanceOptionKind.TOPIC)
        ]
        self.fields["referrals"].choices = [
            (o.code, o.name) for o in options_of(organisation, GuidanceOptionKind.REFERRAL)
        ]
        self.fields["guidance_language"].choices = _language_choices(_("choose the language"))
        self.fields["country_of_origin"].choices = _country_choices(list(frequent_countries))
        now = timezone.localtime()
        self.fields["visited_on"].initial = now.date()
        self.fields["visited_time"].initial = now.time().replace(second=0, microsecond=0)
        if not may_link:
            del self.fields["case_number"]

    # the service's names of fields that the form shows under another name
    SERVICE_FIELDS = {"visited_at": "visited_on", "client": "case_number", "appointment": None}

    def visited_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["visited_on"], self.cleaned_data["visited_time"])
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "visited_at": self.visited_at(),
            "channel": data["channel"] or None,
            "age_band": data["age_band"],
            "gender": data["gender"],
            "own_language_guidance": data["own_language_guidance"],
            "guidance_language": data["guidance_language"],
            "interpreter_used": data["interpreter_used"],
            "country_of_origin": data["country_of_origin"],
            "labour_market_status": data["labour_market_status"],
            "topics": data["topics"],
            "referrals": data["referrals"],
            "duration_minutes": data["duration_minutes"],
            "feedback": data["feedback"],
        }


class AppointmentForm(forms.Form):
    starts_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_time = forms.TimeField(label=_("Time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        initial=30,
        widget=forms.NumberInput(attrs={"min": 1, "max": 480, "step": 5, "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the length as whole minutes, e.g. 30.")},
    )
    worker = forms.ChoiceField(label=_("Guidance worker"), required=False)
    language = forms.ChoiceField(label=_("Language of the guidance"), required=False)
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    interpreter_language = forms.ChoiceField(label=_("Interpreter's language"), required=False)
    topic = CodeField(label=_("Topic"), required=False)
    name = forms.CharField(
        label=_("Name or initials (optional)"),
        required=False,
        max_length=100,
        help_text=_("As the client wishes. Erased when the appointment is over."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, point, workers, me, **kwargs):
        super().__init__(*args, **kwargs)
        self.workers = {str(w.pk): w for w in workers}
        self.fields["worker"].choices = [("", _("anyone free"))] + [
            (str(w.pk), w.get_full_name() or w.get_username()) for w in workers
        ]
        if str(me.pk) in self.workers:
            self.fields["worker"].initial = str(me.pk)
        self.fields["language"].choices = _language_choices(_("not decided"))
        self.fields["interpreter_language"].choices = _language_choices(_("choose the language"))
        self.fields["topic"].choices = [("", _("not told"))] + [
            (o.code, o.name)
            for o in options_of(point.unit.organisation_id, GuidanceOptionKind.TOPIC)
        ]
        soon = timezone.localtime() + dt.timedelta(minutes=30)
        soon = soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0)
        self.fields["starts_on"].initial = soon.date()
        self.fields["starts_time"].initial = soon.time()

    SERVICE_FIELDS = {"starts_at": "starts_on"}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": timezone.make_aware(
                dt.datetime.combine(data["starts_on"], data["starts_time"])
            ),
            "duration_minutes": data["duration_minutes"],
            "worker": self.workers.get(data["worker"]),
            "language": data["language"],
            "interpreter_needed": data["interpreter_needed"],
            "interpreter_language": data["interpreter_language"],
            "topic": data["topic"] or None,
            "name": data["name"],
            "phone": data["phone"],
        }


class StatisticsForm(forms.Form):
    """The period and the points; an empty field takes its default."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    point = forms.MultipleChoiceField(
        label=_("Guidance points"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(p.code, p.name) for p in points]

    def clean(self):
        data = super().clean()
        for name, message in period_errors(data.get("start"), data.get("end")).items():
            self.add_error(name, message)
        return data


class OptionForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens. Exports and the API use it; it cannot change."),
    )
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    position = forms.IntegerField(label=_("Position in the list"), min_value=0, max_value=32000)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True


class PointSettingsForm(forms.Form):
    year_starts_day = forms.IntegerField(
        label=_("Operating year starts: day"), min_value=1, max_value=28
    )
    year_starts_month = forms.IntegerField(
        label=_("Operating year starts: month"), min_value=1, max_value=12
    )
    small_number_threshold = forms.IntegerField(
        label=_("Smallest figure shown outside the unit"),
        min_value=1,
        max_value=100,
        help_text=_("Exports for outside the unit hide figures below this. Usually 5."),
    )


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` beside the form's fields."""
    mapping = getattr(form, "SERVICE_FIELDS", {})
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = mapping.get(name, name)
            target = (
                name if name in form.fields and not form.fields[name].widget.is_hidden else None
            )
            form.add_error(target, [m for e in errors for m in e.messages])
    else:
        form.add_error(None, error)


def error_summary(form) -> list[dict]:
    """The GOV.UK error summary: each message, linking to its field (a group of radio
    buttons or checkboxes by its first option)."""
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            anchor = ""
        else:
            field = form[name]
            widget = field.field.widget
            anchor = field.auto_id
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{anchor}_0"
        for message in errors:
            items.append({"anchor": anchor, "message": message})
    return items


def language_label(code: str) -> str:
    return language_name(code) if code else ""
