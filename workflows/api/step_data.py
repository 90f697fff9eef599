"""The data each step of the path is completed with, as JSON.

The serializers are built from the step forms of ``workflows.forms`` (the same forms the task
pages use), so the API accepts exactly the fields of the page, with their types and choices,
and nothing else. They only parse: ``workflows.services.task_complete_with_data`` then
validates the values with those forms and the services' rules, as for the pages.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from workflows import forms as step_forms
from workflows.steps import STEPS

from .schema import LANGUAGE_CHOICES
from .serializers import StrictCharField, StrictSerializer

PLAN_STEP = "draft_plan"


def _choices(form_field) -> list:
    return [(value, label) for value, label in form_field.choices if value not in ("", None)]


def api_field(form_field: forms.Field) -> serializers.Field:
    """The JSON field that parses what ``form_field`` accepts."""
    common = {
        "required": form_field.required,
        "label": form_field.label,
        "help_text": form_field.help_text or None,
    }
    optional = not form_field.required
    if isinstance(form_field, step_forms.YesNoField):
        return serializers.BooleanField(allow_null=True, **common)
    if isinstance(form_field, forms.ModelChoiceField):
        return serializers.SlugRelatedField(
            slug_field="code", queryset=form_field.queryset, allow_null=optional, **common
        )
    if isinstance(form_field, step_forms.LanguageChoiceField):
        return serializers.ChoiceField(
            choices=LANGUAGE_CHOICES, allow_blank=optional, allow_null=optional, **common
        )
    if isinstance(form_field, forms.ChoiceField):
        return serializers.ChoiceField(
            choices=_choices(form_field), allow_blank=optional, allow_null=optional, **common
        )
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(allow_null=optional, **common)
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=form_field.min_value,
            max_value=form_field.max_value,
            allow_null=optional,
            **common,
        )
    if isinstance(form_field, forms.CharField):
        return StrictCharField(
            allow_blank=optional,
            allow_null=optional,
            max_length=form_field.max_length,
            trim_whitespace=form_field.strip,
            **common,
        )
    raise TypeError(f"No API field for {type(form_field).__name__}")


def _serializer_from(name: str, form: forms.BaseForm, doc: str, extra: dict | None = None):
    attrs = {field_name: api_field(field) for field_name, field in form.fields.items()}
    attrs.update(extra or {})
    attrs["__doc__"] = doc
    return type(name, (StrictSerializer,), attrs)


def _camel(step: str) -> str:
    return "".join(part.title() for part in step.split("_"))


@cache
def step_serializers() -> dict[str, type[serializers.Serializer]]:
    """One serializer per step: the step's form fields, and ``step`` naming the step."""
    result = {}
    measure = _serializer_from(
        "MeasureData", step_forms.MeasureForm(), "A measure of the plan: the service by its code."
    )
    for step, spec in STEPS.items():
        extra = {
            "step": serializers.ChoiceField(
                choices=[(step, step)], help_text=_("The step this data completes.")
            )
        }
        if step == PLAN_STEP:
            form = step_forms.PlanForm()
            extra["measures"] = measure(
                many=True,
                required=False,
                help_text=_("Measures to add to the draft plan."),
            )
        else:
            form = spec.form_class()
        result[step] = _serializer_from(
            f"{_camel(step)}StepData", form, f"The data of the step “{step}”.", extra
        )
    return result


def step_data_schema(name: str = "StepData", *, drafts_only: bool = False):
    """The request body for completing (or saving a draft of) a step, for the schema."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers={
            step: serializer
            for step, serializer in step_serializers().items()
            if STEPS[step].has_draft or not drafts_only
        },
        resource_type_field_name="step",
    )


def parse_step_data(case_task, data) -> dict:
    """Check the data's names and types against the task's step; plain Python values out."""
    if not isinstance(data, dict):
        raise serializers.ValidationError(
            {"non_field_errors": [_("Send the step's data as a JSON object.")]}
        )
    step = data.get("step")
    if step != case_task.step:
        raise serializers.ValidationError(
            {
                "step": [
                    _("This task is the step “%(step)s”; send its data with that name.")
                    % {"step": case_task.step}
                ]
            }
        )
    parser = step_serializers()[case_task.step](data=data)
    parser.is_valid(raise_exception=True)
    values = dict(parser.validated_data)
    values.pop("step")
    if "measures" in values:
        values["measures"] = [dict(measure) for measure in values["measures"]]
    return values
