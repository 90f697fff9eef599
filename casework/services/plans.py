"""Drawing up, agreeing, approving, revising and reviewing integration plans."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.policy import ensure_can

from ..models import (
    CaseEventKind,
    CaseState,
    ClientCategory,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    ParticipationPhase,
    PlanState,
    Review,
    ReviewOutcome,
    ServiceKind,
)
from ..rules import add_months, rules_on
from ..selectors import current_draft
from ._common import (
    IllegalStep,
    atomic_service,
    ensure_not_future,
    ensure_transition,
    held,
    held_of,
    hold,
    lock_case,
    lock_case_pk,
    log,
    log_closed,
    shared_read,
    today,
)
from .cases import end_participations

# What a draft plan's editor may set, in the order a form shows it.
PLAN_FIELDS = (
    "language",
    "starts_on",
    "ends_on",
    "long_term_goals",
    "period_goals",
    "job_seeking_obligation",
    "follow_up",
)
MEASURE_FIELDS = ("service", "provider", "language", "hours", "starts_on", "ends_on", "notes")


def _lock_plan(plan: IntegrationPlan) -> IntegrationPlan:
    """The plan re-read under a row lock, with its case locked too (first, as every service
    locks the case first). Inside a ``case_lock_scope`` a plan already locked (or created)
    in it is not read again."""
    case = lock_case_pk(plan.case_id)
    locked = held(IntegrationPlan, plan.pk)
    if locked is None:
        locked = hold(IntegrationPlan.objects.select_for_update().get(pk=plan.pk))
    locked.case = case
    return locked


def held_plan_in_force(case: IntegrationCase) -> IntegrationPlan | None:
    """The case's plan in force when the open scope holds it (it was approved, or locked,
    in this step), else None: the caller reads it. A case has one plan in force at most
    (the constraint ``one_plan_in_force_per_case``), so a held plan in force is the one."""
    return next(
        (
            plan
            for plan in held_of(IntegrationPlan)
            if plan.case_id == case.pk and plan.state == PlanState.APPROVED
        ),
        None,
    )


def lock_latest_plan(case: IntegrationCase, state) -> IntegrationPlan | None:
    """The case's newest plan in ``state``, locked (the case first) and kept for the scope."""
    case = lock_case(case)
    plan = case.plans.select_for_update().filter(state=state).order_by("-version").first()
    if plan is not None:
        plan.case = case
        hold(plan)
    return plan


def _ensure_draft(plan: IntegrationPlan) -> None:
    if plan.state != PlanState.DRAFT:
        raise IllegalStep(
            _("Only a draft plan can be changed; this plan is “%(state)s”.")
            % {"state": PlanState(plan.state).label},
            code="illegal_step",
        )


@atomic_service
def plan_save_draft(*, by, case: IntegrationCase, data: dict) -> IntegrationPlan:
    """Create the first plan or edit the current draft (incomplete drafts are fine)."""
    case = lock_case(case)
    ensure_can(by, "casework.plan_case", case)
    # A draft is always the newest version (a new version is drawn up only when no draft is
    # left), so one read finds both the draft and the number of a new version.
    latest = case.plans.order_by("-version").first()
    plan = latest if latest is not None and latest.state == PlanState.DRAFT else None
    if plan is None:
        if case.state != CaseState.PLANNING:
            raise IllegalStep(
                _(
                    "A plan can be drawn up only after the assessment; the case is at the step "
                    "“%(state)s”."
                )
                % {"state": CaseState(case.state).label},
                code="illegal_step",
            )
        plan = IntegrationPlan(
            case=case,
            version=(latest.version + 1) if latest else 1,
            drafted_by=by,
            language=case.client.preferred_language
            if case.client.preferred_language in ("fi", "sv", "en")
            else "fi",
        )
        created = True
    else:
        created = False
    for name, value in data.items():
        if name not in PLAN_FIELDS:
            raise ValueError(f"Unknown plan field {name!r}")
        setattr(plan, name, value)
    # The version is numbered under the case's lock, never entered: no uniqueness query.
    plan.full_clean(exclude=["version"])
    plan.save()
    hold(plan)
    if created:
        log(
            case=case,
            by=by,
            kind=CaseEventKind.PLAN_DRAFTED,
            obj=plan,
            action="plan.drafted",
            data={"version": plan.version},
        )
    else:
        audit_record(actor=by, obj=plan, action="plan.draft_saved", data={"fields": sorted(data)})
    return plan


@atomic_service
def measure_save(
    *, by, plan: IntegrationPlan, data: dict, measure: Measure | None = None
) -> Measure:
    """Add a measure to a draft plan, or change one."""
    plan = _lock_plan(plan)
    ensure_can(by, "casework.plan_case", plan.case)
    _ensure_draft(plan)
    if measure is None:
        measure = Measure(plan=plan)
    elif measure.plan_id != plan.pk:
        raise ValidationError(_("The measure belongs to another plan."))
    for name, value in data.items():
        if name not in MEASURE_FIELDS:
            raise ValueError(f"Unknown measure field {name!r}")
        setattr(measure, name, value)
    errors = _measure_rule_errors(measure, rules_on(plan.starts_on or today()))
    if errors:
        raise ValidationError(errors)
    measure.full_clean()
    measure.save()
    audit_record(actor=by, obj=measure, action="measure.saved")
    return measure


@atomic_service
def measure_remove(*, by, measure: Measure) -> None:
    plan = _lock_plan(measure.plan)
    ensure_can(by, "casework.plan_case", plan.case)
    _ensure_draft(plan)
    audit_record(actor=by, obj=measure, action="measure.removed")
    measure.delete()


def _measure_rule_errors(measure: Measure, rules) -> dict:
    errors = {}
    service = measure.service if measure.service_id else None
    if service and service.kind == ServiceKind.CIVIC_ORIENTATION:
        hours = measure.hours if measure.hours is not None else (service.hours or 0)
        if hours < rules.civic_orientation_min_hours:
            errors["hours"] = _("Civic orientation lasts at least %(hours)s hours.") % {
                "hours": rules.civic_orientation_min_hours
            }
    if measure.provider_id and service:
        providers = shared_read(
            ("providers", service.pk),
            lambda: set(service.providers.order_by().values_list("pk", flat=True)),
        )
        if providers and measure.provider_id not in providers:
            errors["provider"] = _("This provider does not offer the chosen service.")
    return errors


def plan_rule_errors(plan: IntegrationPlan, rules) -> dict[str, list]:
    """What stops ``plan`` from being agreed or approved under ``rules``."""
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    case = plan.case
    if not plan.starts_on:
        add("starts_on", _("Enter the start of the plan."))
    if not plan.ends_on:
        add("ends_on", _("Enter the end of the plan."))
    if not plan.long_term_goals.strip():
        add("long_term_goals", _("Write the long-term goals."))
    if not plan.period_goals.strip():
        add("period_goals", _("Write the goals for the plan period."))
    if not plan.follow_up.strip():
        add("follow_up", _("Say how follow-up is done."))
    if (
        case.category == ClientCategory.UNEMPLOYED_JOBSEEKER
        and not plan.job_seeking_obligation.strip()
    ):
        add("job_seeking_obligation", _("A jobseeker's plan states the job-seeking obligation."))
    if errors:
        return errors
    if plan.ends_on < plan.starts_on:
        add("ends_on", _("The plan cannot end before it starts."))
        return errors
    first = plan if plan.version == 1 else case.plans.order_by("version").first()
    is_first = first is None or first.pk == plan.pk
    if is_first:
        if add_months(plan.starts_on, rules.first_plan_max_months) < plan.ends_on:
            add(
                "ends_on",
                _("The first plan lasts at most %(months)s months.")
                % {"months": rules.first_plan_max_months},
            )
        permit = case.client.first_residence_permit_date
        if permit and add_months(permit, 12 * rules.assessment_window_years) < plan.starts_on:
            add(
                "starts_on",
                _(
                    "The first plan must start within %(years)s years of the first residence permit "
                    "(%(date)s)."
                )
                % {"years": rules.assessment_window_years, "date": permit.strftime("%d.%m.%Y")},
            )
    else:
        if add_months(first.starts_on, rules.plan_total_max_months) < plan.ends_on:
            add(
                "ends_on",
                _("Plans last at most %(months)s months in total, counted from %(date)s.")
                % {
                    "months": rules.plan_total_max_months,
                    "date": first.starts_on.strftime("%d.%m.%Y"),
                },
            )
    measures = list(plan.measures.select_related("service"))
    if not measures:
        add("measures", _("Add at least one measure or service to the plan."))
    else:
        latest_start = add_months(plan.starts_on, rules.services_within_months)
        starts = [m.starts_on for m in measures if m.starts_on]
        if not starts or min(starts) > latest_start:
            add(
                "measures",
                _(
                    "The client must be directed to the plan's services within "
                    "%(months)s months of its start."
                )
                % {"months": rules.services_within_months},
            )
        for measure in measures:
            for message in _measure_rule_errors(measure, rules).values():
                add("measures", f"{measure.service}: {message}")
    return errors


@atomic_service
def plan_record_agreement(*, by, plan: IntegrationPlan, on=None) -> IntegrationPlan:
    """The client agrees to the plan."""
    plan = _lock_plan(plan)
    case = plan.case
    ensure_can(by, "casework.plan_case", case)
    ensure_transition(
        plan.record_agreement, _("The client's decision on this plan is already recorded.")
    )
    on = on or today()
    ensure_not_future(on)
    errors = plan_rule_errors(plan, rules_on(plan.starts_on or on))
    if errors:
        raise ValidationError(errors)
    plan.record_agreement(on=on)
    plan.save()
    log(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_AGREED,
        obj=plan,
        action="plan.agreed",
        data={"version": plan.version},
    )
    return plan


@atomic_service
def plan_record_refusal(*, by, plan: IntegrationPlan, reason: str, on=None) -> IntegrationPlan:
    """The client refuses the plan. The refusal, its reason and date are kept, because it can
    reduce the client's benefits. A refused first plan closes the case; a refused revision
    leaves the plan in force as it was."""
    plan = _lock_plan(plan)
    case = plan.case
    ensure_can(by, "casework.plan_case", case)
    ensure_transition(
        plan.record_refusal, _("The client's decision on this plan is already recorded.")
    )
    on = on or today()
    if on > today():
        raise ValidationError({"on": _("The date of the refusal cannot be in the future.")})
    if not reason.strip():
        raise ValidationError({"refusal_reason": _("Record the reason the client gave.")})
    plan.record_refusal(on=on, reason=reason)
    plan.save()
    log(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_REFUSED,
        obj=plan,
        action="plan.refused",
        note=reason,
        data={"version": plan.version, "date": on.isoformat()},
    )
    if case.state == CaseState.PLANNING:
        end_participations(by=by, case=case)
        case.close(on=on, reason=CloseReason.DECLINED)
        case.save()
        log_closed(case=case, by=by)
    return plan


@atomic_service
def plan_approve(*, by, plan: IntegrationPlan, on=None) -> IntegrationPlan:
    """Approve an agreed plan: it comes into force (a revision replaces the plan in force)."""
    plan = _lock_plan(plan)
    case = plan.case
    ensure_can(by, "casework.approve_plan", case)
    if (
        case.state not in (CaseState.PLANNING, CaseState.PLAN_ACTIVE)
        or case.assessment_completed_on is None
    ):
        raise IllegalStep(
            _("A plan can be approved only after the assessment is complete."), code="illegal_step"
        )
    ensure_transition(
        plan.approve,
        _("Only a plan the client has agreed to can be approved; this plan is “%(state)s”.")
        % {"state": PlanState(plan.state).label},
    )
    on = on or today()
    ensure_not_future(on)
    rules = rules_on(plan.starts_on or on)
    errors = plan_rule_errors(plan, rules)
    if errors:
        raise ValidationError(errors)
    # one plan in force per case; ordered by version, not by the case (a join for nothing)
    previous = (
        case.plans.select_for_update().filter(state=PlanState.APPROVED).order_by("version").first()
    )
    if previous:
        previous.supersede(on=on)
        previous.save()
    plan.previous = previous
    plan.approve(by=by, on=on)
    plan.save()
    next_review = add_months(max(on, plan.starts_on), rules.review_interval_months)
    if case.state == CaseState.PLANNING:
        case.activate_plan(on=on, next_review_due=next_review)
    else:
        case.approve_revision(on=on, next_review_due=next_review)
    case.save()
    end_participations(
        by=by, case=case, phases=[ParticipationPhase.ASSESSMENT, ParticipationPhase.PLANNING]
    )
    log(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_APPROVED,
        obj=plan,
        action="plan.approved",
        data={"version": plan.version, "next_review_due": next_review.isoformat()},
    )
    return plan


@atomic_service
def review_record(
    *,
    by,
    case: IntegrationCase,
    reviewed_on=None,
    notes: str,
    outcome: str,
    participants: str = "",
    wellbeing_area_took_part: bool = False,
    close_reason: str = CloseReason.PLAN_ENDED,
) -> Review:
    """Record a review of the plan in force: continue, revise (a new draft version, the old
    one kept in force until the revision is approved) or end (the case closes)."""
    case = lock_case(case)
    ensure_can(by, "casework.review_plan", case)
    ensure_transition(
        case.record_review,
        _("Only a case with a plan in force can be reviewed; the case is at the step “%(state)s”.")
        % {"state": CaseState(case.state).label},
    )
    plan = case.plans.select_for_update().get(state=PlanState.APPROVED)
    reviewed_on = reviewed_on or today()
    errors = {}
    if reviewed_on > today():
        errors["reviewed_on"] = _("The review date cannot be in the future.")
    elif reviewed_on < plan.approved_on:
        errors["reviewed_on"] = _("The review cannot be before the plan was approved.")
    if not notes.strip():
        errors["notes"] = _("Write what was reviewed.")
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = _("Choose the outcome.")
    if outcome == ReviewOutcome.END and close_reason not in CloseReason.values:
        errors["close_reason"] = _("Choose why the plan ends.")
    if outcome == ReviewOutcome.REVISE and current_draft(case):
        errors["outcome"] = _("A revision of this plan is already being drawn up.")
    if errors:
        raise ValidationError(errors)
    rules = rules_on(reviewed_on)
    next_review = add_months(reviewed_on, rules.review_interval_months)
    review = Review.objects.create(
        plan=plan,
        reviewed_on=reviewed_on,
        reviewed_by=by,
        participants=participants,
        wellbeing_area_took_part=wellbeing_area_took_part,
        notes=notes,
        outcome=outcome,
        next_review_due=None if outcome == ReviewOutcome.END else next_review,
    )
    log(
        case=case,
        by=by,
        kind=CaseEventKind.REVIEWED,
        obj=review,
        action="plan.reviewed",
        data={"outcome": outcome, "version": plan.version},
    )
    if outcome == ReviewOutcome.END:
        plan.end(on=reviewed_on)
        plan.save()
        for draft in case.plans.select_for_update().filter(state=PlanState.DRAFT):
            draft.end(on=reviewed_on)
            draft.save()
        end_participations(by=by, case=case)
        case.close(on=reviewed_on, reason=close_reason)
        case.save()
        log_closed(case=case, by=by)
        return review
    case.record_review(next_review_due=next_review)
    case.save()
    if outcome == ReviewOutcome.REVISE:
        _start_revision(by=by, case=case, plan=plan)
    return review


def _start_revision(*, by, case, plan: IntegrationPlan) -> IntegrationPlan:
    revision = IntegrationPlan.objects.create(
        case=case,
        version=case.plans.order_by("-version").first().version + 1,
        language=plan.language,
        long_term_goals=plan.long_term_goals,
        period_goals=plan.period_goals,
        job_seeking_obligation=plan.job_seeking_obligation,
        follow_up=plan.follow_up,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        drafted_by=by,
    )
    Measure.objects.bulk_create(
        Measure(
            plan=revision,
            service_id=m.service_id,
            provider_id=m.provider_id,
            language=m.language,
            hours=m.hours,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
            state=m.state,
            notes=m.notes,
        )
        for m in plan.measures.all()
    )
    log(
        case=case,
        by=by,
        kind=CaseEventKind.PLAN_DRAFTED,
        obj=revision,
        action="plan.drafted",
        data={"version": revision.version, "revises": plan.version},
    )
    return revision


@atomic_service
def measure_set_state(*, by, measure: Measure, action: str) -> Measure:
    """Start, complete or interrupt a measure of the plan in force."""
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("plan__case")
        .get(pk=measure.pk)
    )
    ensure_can(by, "casework.review_plan", measure.plan.case)
    transitions = {
        "start": measure.start,
        "complete": measure.complete,
        "interrupt": measure.interrupt,
    }
    if action not in transitions:
        raise ValueError(action)
    ensure_transition(transitions[action], _("This measure cannot change that way."))
    transitions[action]()
    measure.save()
    audit_record(actor=by, obj=measure, action=f"measure.{action}")
    return measure
