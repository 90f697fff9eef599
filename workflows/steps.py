"""What each human step of the flow shows and does: its forms, saving a draft and
completing it. Every write goes through ``casework.services``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from casework import services
from casework.models import Assessment, IntegrationPlan, PlanState
from casework.rules import rules_on
from casework.selectors import current_draft

from . import forms as step_forms


class StepSpec:
    """A step with one form. Subclasses say how to save and complete."""

    form_class = None
    has_draft = False
    template = "workflows/task_form.html"
    # The permission a claimer needs in the task's organisation.
    permission = "casework.assess_case"
    # Whether completing the step reads the client's record (joined to the locked case).
    reads_client = True

    def build_forms(self, *, case, task, data=None) -> dict:
        return {"form": self.form_class(data=data, initial=self.initial(case, task))}

    def initial(self, case, task) -> dict:
        return {}

    def save_draft(self, *, by, case, task, forms) -> None:
        raise NotImplementedError

    def complete(self, *, by, case, task, forms) -> None:
        raise NotImplementedError


class IntakeStep(StepSpec):
    form_class = step_forms.IntakeForm
    reads_client = False

    def complete(self, *, by, case, task, forms):
        services.case_start_assessment(by=by, case=case, note=forms["form"].cleaned_data["note"])


class AssessStep(StepSpec):
    form_class = step_forms.AssessmentForm
    has_draft = True

    def build_forms(self, *, case, task, data=None):
        assessment = Assessment.objects.filter(case=case).first() or Assessment(case=case)
        assessment.case = case  # clean() reads it
        return {"form": self.form_class(data=data, instance=assessment)}

    def _data(self, forms):
        return {name: forms["form"].cleaned_data[name] for name in forms["form"].Meta.fields}

    def save_draft(self, *, by, case, task, forms):
        services.assessment_save_draft(by=by, case=case, data=self._data(forms))

    def complete(self, *, by, case, task, forms):
        services.assessment_complete(by=by, case=case, data=self._data(forms))


class WellbeingContributionStep(StepSpec):
    form_class = step_forms.WellbeingContributionForm
    permission = "casework.contribute_case"

    def initial(self, case, task):
        participation = task.case_task.participation
        if participation:
            return {
                "contribution": participation.contribution,
                "services_offered": participation.services_offered,
            }
        return {}

    def complete(self, *, by, case, task, forms):
        participation = task.case_task.participation
        if participation is None:
            raise ValidationError(_("The invitation of the wellbeing area was not found."))
        services.wellbeing_contribute(
            by=by, participation=participation, **forms["form"].cleaned_data
        )


class ResponsibleContributionStep(StepSpec):
    form_class = step_forms.ResponsibleContributionForm

    def initial(self, case, task):
        assessment = Assessment.objects.filter(case=case).first()
        if assessment:
            return {
                "multi_professional_summary": assessment.multi_professional_summary,
                "plan_needed": {True: "true", False: "false"}.get(assessment.plan_needed, ""),
            }
        return {}

    def complete(self, *, by, case, task, forms):
        data = forms["form"].cleaned_data
        services.multi_professional_notes_save(
            by=by,
            case=case,
            summary=data["multi_professional_summary"],
            plan_needed=data["plan_needed"],
        )


class DraftPlanStep(StepSpec):
    has_draft = True
    permission = "casework.plan_case"
    template = "workflows/task_plan.html"

    def build_forms(self, *, case, task, data=None, draft=...):
        plan = current_draft(case) if draft is ... else draft
        measures = plan.measures.select_related("service", "provider") if plan else []
        initial = {}
        if plan is None:
            plan = IntegrationPlan(case=case)

            def language():  # read when the form is shown, not when it is only validated
                preferred = case.client.preferred_language
                return preferred if preferred in ("fi", "sv", "en") else "fi"

            initial["language"] = language
        return {
            "form": step_forms.PlanForm(data=data, instance=plan, initial=initial),
            "measures": step_forms.MeasureFormSet(
                data=data,
                prefix="measures",
                queryset=plan.measures.all() if plan.pk else step_forms.Measure.objects.none(),
            ),
            "plan": plan if plan.pk else None,
            "existing_measures": measures,
        }

    def save_draft(self, *, by, case, task, forms):
        plan_form = forms["form"]
        plan = services.plan_save_draft(
            by=by,
            case=case,
            data={name: plan_form.cleaned_data[name] for name in plan_form.Meta.fields},
        )
        for measure_form in forms["measures"].forms:
            if not measure_form.has_changed() and not measure_form.instance.pk:
                continue
            if measure_form.cleaned_data.get("DELETE"):
                if measure_form.instance.pk:
                    services.measure_remove(by=by, measure=measure_form.instance)
                continue
            data = {
                name: measure_form.cleaned_data.get(name)
                for name in step_forms.MeasureForm.Meta.fields
            }
            try:
                services.measure_save(
                    by=by,
                    plan=plan,
                    data=data,
                    measure=measure_form.instance if measure_form.instance.pk else None,
                )
            except ValidationError as error:
                raise ValidationError({"measures": error.messages}) from error
        return plan

    def complete(self, *, by, case, task, forms):
        plan = self.save_draft(by=by, case=case, task=task, forms=forms)
        errors = services.plan_rule_errors(plan, rules_on(plan.starts_on or None))
        if errors:
            raise ValidationError(errors)


class ClientDecisionStep(StepSpec):
    form_class = step_forms.ClientDecisionForm
    permission = "casework.plan_case"

    def complete(self, *, by, case, task, forms):
        data = forms["form"].cleaned_data
        plan = services.lock_latest_plan(case, PlanState.DRAFT)
        if plan is None:
            raise ValidationError(_("There is no plan waiting for the client's decision."))
        if data["decision"] == "agree":
            services.plan_record_agreement(by=by, plan=plan, on=data["decided_on"])
        else:
            services.plan_record_refusal(
                by=by, plan=plan, on=data["decided_on"], reason=data["refusal_reason"]
            )


class ApproveStep(StepSpec):
    form_class = step_forms.ApproveForm
    permission = "casework.approve_plan"

    def complete(self, *, by, case, task, forms):
        plan = services.lock_latest_plan(case, PlanState.AGREED)
        if plan is None:
            raise ValidationError(_("There is no agreed plan to approve."))
        services.plan_approve(by=by, plan=plan)


class ReviewStep(StepSpec):
    form_class = step_forms.ReviewForm
    permission = "casework.review_plan"

    def complete(self, *, by, case, task, forms):
        data = forms["form"].cleaned_data
        services.review_record(
            by=by,
            case=case,
            reviewed_on=data["reviewed_on"],
            notes=data["notes"],
            outcome=data["outcome"],
            participants=data["participants"],
            wellbeing_area_took_part=data["wellbeing_area_took_part"],
            **({"close_reason": data["close_reason"]} if data.get("close_reason") else {}),
        )


STEPS: dict[str, StepSpec] = {
    "intake": IntakeStep(),
    "assess": AssessStep(),
    "wellbeing_contribution": WellbeingContributionStep(),
    "responsible_contribution": ResponsibleContributionStep(),
    "draft_plan": DraftPlanStep(),
    "client_decision": ClientDecisionStep(),
    "approve": ApproveStep(),
    "review": ReviewStep(),
}


def forms_valid(forms: dict) -> bool:
    results = [f.is_valid() for f in forms.values() if hasattr(f, "is_valid")]
    return all(results)


def apply_errors(forms: dict, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names."""
    form = forms["form"]
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        messages = [m for e in errors for m in e.messages]
        if field in form.fields:
            form.add_error(field, messages)
        elif field == "measures" and "measures" in forms:
            forms["measures"]._non_form_errors = forms["measures"].error_class(
                list(forms["measures"].non_form_errors()) + messages
            )
        else:
            form.add_error(None, messages)


CHECKBOX_FIELDS = {"interpreter_used", "wellbeing_area_took_part", "confirm"}


def as_post_data(node: str, data: dict, existing_measures=()) -> dict:
    """Turn a step's values (as the API or a script gives them) into form data. A plan's
    ``measures`` list, when given, replaces the draft's measures: the existing ones are
    marked for deletion and the listed ones added."""

    def encode(name, value):
        if name in CHECKBOX_FIELDS:
            return "on" if value else ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return ""
        return str(getattr(value, "pk", value))

    flat = {name: encode(name, value) for name, value in data.items() if name != "measures"}
    if node == "draft_plan":
        existing = list(existing_measures) if "measures" in data else []
        measures = data.get("measures", [])
        flat.update(
            {
                "measures-TOTAL_FORMS": str(len(existing) + len(measures)),
                "measures-INITIAL_FORMS": str(len(existing)),
                "measures-MIN_NUM_FORMS": "0",
                "measures-MAX_NUM_FORMS": "1000",
            }
        )
        for index, measure in enumerate(existing):
            flat[f"measures-{index}-id"] = str(measure.pk)
            flat[f"measures-{index}-service"] = str(measure.service_id)
            flat[f"measures-{index}-DELETE"] = "on"
        for index, measure in enumerate(measures, start=len(existing)):
            for name, value in measure.items():
                flat[f"measures-{index}-{name}"] = encode(name, value)
    return flat


def forms_for(case_task, data: dict) -> dict:
    """Bound, validated forms of ``case_task``'s step; ValidationError with every field error."""
    step = STEPS[case_task.step]
    existing, known = [], {}
    if case_task.step == "draft_plan":
        draft = current_draft(case_task.case)
        existing = list(draft.measures.all()) if draft else []
        known["draft"] = draft
    forms = step.build_forms(
        case=case_task.case,
        task=case_task.task,
        data=as_post_data(case_task.step, data, existing_measures=existing),
        **known,
    )
    if not forms_valid(forms):
        errors = {}
        for form in forms.values():
            if hasattr(form, "forms"):  # a formset
                for index, sub in enumerate(form.forms):
                    for field, messages in sub.errors.items():
                        errors[f"measures[{index}].{field}"] = messages
                if form.non_form_errors():
                    errors["measures"] = list(form.non_form_errors())
            elif hasattr(form, "errors"):
                for field, messages in form.errors.items():
                    errors[field if field != "__all__" else "non_field_errors"] = messages
        raise ValidationError(errors)
    return forms
