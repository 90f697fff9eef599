"""What a step's page shows around its form: why the task is due when it is, why it has its
priority, the client's contact details and interpreter need (to whoever may see them), and
the earlier steps' results the step builds on."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.languages import language_name
from casework.models import CaseState, ClientCategory, PlanState
from casework.models.clients import LanguageField
from casework.rules import rules_on
from casework.selectors import assessment_for
from workflows.models import OPEN_STATUSES, CaseTask, Priority
from workflows.routing import HIGH_PRIORITY_CATEGORIES, NODE_STEPS, review_date

from .common import PLAN_CONTENTS

# The earlier results each step builds on.
SHOWS_ASSESSMENT = {
    "wellbeing_contribution",
    "responsible_contribution",
    "draft_plan",
    "client_decision",
    "approve",
    "review",
}
SHOWS_CONTRIBUTIONS = {
    "responsible_contribution",
    "draft_plan",
    "client_decision",
    "approve",
    "review",
}
SHOWS_PLAN = {"client_decision", "approve", "review"}


def _short(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "–"


def due_reason(case_task) -> str:
    """In words: where the task's due date comes from."""
    case = case_task.case
    if case_task.step == "review":
        plan = case.plans.filter(state=PlanState.APPROVED).order_by("-version").first()
        due = review_date(case)
        if plan and plan.ends_on == due:
            return _("The plan in force ends on %(day)s; it is reviewed by then.") % {
                "day": _short(due)
            }
        if case.integration_period_ends_on == due:
            return _("The integration period ends on %(day)s; the plan is reviewed by then.") % {
                "day": _short(due)
            }
        months = rules_on(due).review_interval_months
        return _(
            "A plan in force is reviewed at least every %(months)s months; the next review "
            "falls due on %(day)s."
        ) % {"months": months, "day": _short(due)}
    step = NODE_STEPS.get(case_task.step)
    if not step or not case_task.due_on:
        return _("This step has no target time.")
    created = case_task.created_at.date()
    rules = rules_on(created)
    days = rules.target_days(step)
    if not days:
        return _("This step has no target time.")
    return _(
        "The rule set in force from %(valid_from)s sets a target of %(days)s days for this step, "
        "counted from %(created)s when the task was created."
    ) % {"valid_from": _short(rules.valid_from), "days": days, "created": _short(created)}


def priority_reason(case_task) -> str:
    if case_task.priority == Priority.HIGH:
        if case_task.case.category in HIGH_PRIORITY_CATEGORIES:
            return _("High priority: the client is in the category “%(category)s”.") % {
                "category": ClientCategory(case_task.case.category).label
            }
        return _("High priority, set by a manager.")
    return _("Normal priority.")


def _fields(instance, names):
    rows = []
    for name in names:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(field, LanguageField) and value:
            value = language_name(value)
        elif value is True:
            value = _("yes")
        elif value is False:
            value = _("no")
        elif hasattr(value, "isoformat"):
            value = _short(value)
        rows.append({"label": str(field.verbose_name).capitalize(), "value": value or "–"})
    return rows


def task_context(case_task, user, *, full_case: bool) -> dict:
    """The context boxes of the task page for ``user``: staff of the responsible organisation
    (``full_case``) see everything; a wellbeing-area worker taking part sees the invitation,
    the parts of the assessment she may see, and her own contribution while her part lasts."""
    return {
        "due_reason": due_reason(case_task),
        "priority_reason": priority_reason(case_task),
        "participation": case_task.participation,
        **earlier_results(case_task, user, full_case=full_case),
    }


def earlier_results(case_task, user, *, full_case: bool) -> dict:
    """Results of the earlier steps that this step needs, as the user may see them."""
    case = case_task.case
    result = {"assessment_rows": [], "contributions": [], "plan": None, "reviews": []}
    if case_task.step in SHOWS_ASSESSMENT:
        assessment, names = assessment_for(user, case)
        if assessment is not None:
            result["assessment_rows"] = _fields(assessment, names)
            result["assessment_completed"] = assessment.completed_at
    if full_case and case_task.step in SHOWS_CONTRIBUTIONS:
        result["contributions"] = list(
            case.participations.filter(contributed_at__isnull=False).select_related(
                "organisation", "worker"
            )
        )
    if full_case and case_task.step in SHOWS_PLAN:
        wanted = {
            "client_decision": [PlanState.DRAFT],
            "approve": [PlanState.AGREED],
            "review": [PlanState.APPROVED],
        }[case_task.step]
        plan = (
            case.plans.filter(state__in=wanted)
            .prefetch_related(*PLAN_CONTENTS)
            .order_by("-version")
            .first()
        )
        result["plan"] = plan
        if plan is not None:
            result["reviews"] = list(plan.reviews.all())
    return result


def completed_message(case_task) -> str:
    """What happened and what comes next, after a step is completed."""
    case = case_task.case
    case.refresh_from_db()
    title = case_task.title
    following = (
        CaseTask.objects.filter(case=case, status__in=OPEN_STATUSES)
        .select_related("owner", "unit")
        .order_by("created_at")
    )
    parts = [_("“%(step)s” completed for case %(case)s.") % {"step": title, "case": case.number}]
    nexts = []
    for t in following:
        who = (
            _("assigned to %(name)s") % {"name": t.owner.get_full_name() or t.owner.get_username()}
            if t.owner_id
            else _("waiting in the queue of %(unit)s") % {"unit": t.unit.name}
        )
        nexts.append(f"{t.title} ({who})")
    if nexts:
        parts.append(_("Next: %(tasks)s.") % {"tasks": "; ".join(nexts)})
    elif case.state == CaseState.CLOSED:
        parts.append(_("The path has ended and the case is closed."))
    elif case.state == CaseState.PLAN_ACTIVE:
        parts.append(
            _("The plan is in force; the review task appears before the review falls due.")
        )
    return " ".join(str(p) for p in parts)
