"""Opening, routing, assessing, transferring and closing integration cases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.grants import grant_participation, revoke_participation
from permissions.policy import can_in_organisation, ensure_can, ensure_can_in_organisation

from ..models import (
    QUEUE_ROLES,
    Assessment,
    CaseEventKind,
    CaseState,
    Client,
    CloseReason,
    IntegrationCase,
    ParticipationPhase,
    PlanState,
    WellbeingParticipation,
)
from ..models.categories import derive_category, in_aftercare, plan_always_required
from ..responsibility import (
    intake_unit,
    responsibility_for,
    wellbeing_area_for,
    wellbeing_unit_for,
)
from ..rules import add_months, category_on, rules_on
from ..selectors import INTAKE_KINDS
from ._common import (
    IllegalStep,
    atomic_service,
    ensure_not_future,
    ensure_transition,
    held,
    lock_case,
    lock_case_pk,
    log,
    log_closed,
    state_label,
    today,
)
from .clients import record_in_register

# The statutory content of the assessment (KotoL 14 §), in the order a form shows it.
ASSESSMENT_FIELDS = (
    "interview_date",
    "interpreter_used",
    "interpreter_language",
    "literacy",
    "finnish_level",
    "swedish_level",
    "learning_skills",
    "working_life_skills",
    "education_history",
    "work_history",
    "education_goals",
    "particular_skills",
    "life_situation",
    "other_service_needs",
    "plan_needed",
    "wellbeing_participation_needed",
    "wellbeing_participation_reason",
)
# Written in the multi-professional step, not in the assessment form.
MULTI_PROFESSIONAL_FIELDS = ("multi_professional_summary",)


@atomic_service
def case_open(*, by, client: Client, contacted_on=None) -> IntegrationCase:
    """Open an integration case for ``client`` in the queue of the responsible organisation."""
    contacted_on = contacted_on or today()
    if contacted_on > today():
        raise ValidationError(
            {"contacted_on": _("The date of first contact cannot be in the future.")}
        )
    # A client created in this very step is nobody else's to see, let alone lock: shared as
    # it was created (``hold``). Any other client is locked and read afresh.
    client = held(Client, client.pk) or (
        Client.objects.select_for_update(of=("self",))
        .select_related("municipality", "register")
        .get(pk=client.pk)
    )
    if client.cases.exclude(state=CaseState.CLOSED).exists():
        raise ValidationError(
            _("The client already has an open integration case."), code="open_case"
        )
    # Intake may happen at any municipality or employment authority that serves the client's
    # municipality (the Welcome Office registers a jobseeker, say); the case then goes to the
    # responsible organisation's queue. The wellbeing area takes part but opens no cases.
    ensure_can_in_organisation(
        by,
        "casework.assess_case",
        client.municipality.organisations.filter(kind__in=INTAKE_KINDS)
        .order_by()
        .values_list("pk", flat=True),
    )
    rules = rules_on(contacted_on)
    category = derive_category(
        client, on=contacted_on, aftercare_until_age=rules.aftercare_until_age
    )
    rule = responsibility_for(municipality=client.municipality, category=category)
    # the case's organisation keeps the client in its own register (see record_in_register)
    client = record_in_register(by=by, client=client, register=rule.organisation)
    period_end = None
    if client.first_residence_permit_date:
        period_end = add_months(
            client.first_residence_permit_date, 12 * rules.assessment_window_years
        )
    case = IntegrationCase.objects.create(
        client=client,
        municipality_id=client.municipality_id,
        category=category,
        responsible_organisation=rule.organisation,
        unit=intake_unit(rule),
        contacted_on=contacted_on,
        integration_period_ends_on=period_end,
    )
    case.number = f"{contacted_on.year}-{case.pk:06d}"
    case.save(update_fields=["number"])
    log(
        case=case,
        by=by,
        kind=CaseEventKind.REGISTERED,
        action="case.opened",
        data={"category": category, "organisation": rule.organisation.code},
    )
    return case


@atomic_service
def case_assign(*, by, case: IntegrationCase, worker) -> IntegrationCase:
    """Name the responsible worker of the case (a member of the responsible organisation)."""
    case = lock_case(case)
    if by is not None and by != worker:
        ensure_can(by, "casework.manage_queue", case)
    if not can_in_organisation(worker, "casework.assess_case", case.responsible_organisation_id):
        raise ValidationError(
            _("%(worker)s does not work in %(organisation)s."),
            params={
                "worker": worker.get_full_name() or worker,
                "organisation": case.responsible_organisation,
            },
            code="not_member",
        )
    case.owner = worker
    case.save(update_fields=["owner", "updated_at"])
    log(
        case=case,
        by=by,
        kind=CaseEventKind.ASSIGNED,
        action="case.assigned",
        data={"worker": worker.get_username()},
    )
    return case


@atomic_service
def case_start_assessment(*, by, case: IntegrationCase, on=None, note: str = "") -> IntegrationCase:
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    ensure_not_future(on)
    ensure_transition(
        case.start_assessment,
        _("The assessment cannot start: the case is at the step “%(state)s”.")
        % {"state": state_label(case)},
    )
    case.start_assessment(on=on or today())
    case.save()
    # its assessment, unless the case has one (its case is unique): one statement
    Assessment.objects.bulk_create([Assessment(case=case)], ignore_conflicts=True)
    log(
        case=case,
        by=by,
        kind=CaseEventKind.ASSESSMENT_STARTED,
        action="case.assessment_started",
        note=note,
    )
    return case


def ensure_close_reason(reason) -> None:
    if reason not in CloseReason.values:
        raise ValidationError(
            {"close_reason": _("Choose why the case is closed.")}, code="close_reason"
        )


def _apply_assessment(assessment: Assessment, data: dict) -> None:
    for name, value in data.items():
        if name not in ASSESSMENT_FIELDS + MULTI_PROFESSIONAL_FIELDS:
            raise ValueError(f"Unknown assessment field {name!r}")
        setattr(assessment, name, value)


@atomic_service
def assessment_save_draft(*, by, case: IntegrationCase, data: dict) -> Assessment:
    """Save the assessment as a draft; it may be incomplete."""
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    if case.state != CaseState.ASSESSMENT:
        raise IllegalStep(
            _("The assessment can be edited only during the assessment step."), code="illegal_step"
        )
    assessment, _created = Assessment.objects.get_or_create(case=case)
    assessment.case = case  # the locked instance; clean() reads it
    _apply_assessment(assessment, data)
    assessment.assessed_by = assessment.assessed_by or by
    # Its only unique field is its case, which does not change (the rest: PublicIdMixin).
    assessment.full_clean(validate_unique=False)
    assessment.save()
    audit_record(
        actor=by, obj=assessment, action="assessment.draft_saved", data={"fields": sorted(data)}
    )
    return assessment


@atomic_service
def assessment_complete(*, by, case: IntegrationCase, data: dict | None = None) -> IntegrationCase:
    """Complete the assessment and move the case on: to the wellbeing-area step, to
    drawing up the plan, or to closing when no plan is needed."""
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    ensure_transition(
        case.complete_assessment,
        _("The assessment cannot be completed: the case is at the step “%(state)s”.")
        % {"state": state_label(case)},
    )
    assessment, _created = Assessment.objects.get_or_create(case=case)
    assessment.case = case  # the locked instance; clean() reads it
    _apply_assessment(assessment, data or {})
    rules = rules_on(case.assessment_started_on or today())
    if plan_always_required(case.category, rules):
        assessment.plan_needed = True
        assessment.wellbeing_participation_needed = True
        if not assessment.wellbeing_participation_reason.strip():
            assessment.wellbeing_participation_reason = str(
                _("Unaccompanied minor: a plan is always made together with the wellbeing area.")
            )
    elif in_aftercare(case.client, on=today(), aftercare_until_age=rules.aftercare_until_age):
        # a young adult who arrived as an unaccompanied minor (a jobseeker too): the wellbeing
        # area supports becoming adult, so it takes part
        assessment.wellbeing_participation_needed = True
        if not assessment.wellbeing_participation_reason.strip():
            assessment.wellbeing_participation_reason = str(
                _(
                    "Young adult who arrived as an unaccompanied minor: the wellbeing area "
                    "supports becoming adult up to the age of %(age)s."
                )
                % {"age": rules.aftercare_until_age}
            )
    errors = assessment.completion_errors()
    if errors:
        raise ValidationError(errors)
    assessment.assessed_by = by or assessment.assessed_by
    assessment.completed_at = timezone.now()
    # Its only unique field is its case, which does not change (the rest: PublicIdMixin).
    assessment.full_clean(validate_unique=False)
    assessment.save()
    case.complete_assessment(
        on=today(),
        wellbeing_needed=bool(assessment.wellbeing_participation_needed),
        plan_needed=bool(assessment.plan_needed),
    )
    case.save()
    log(
        case=case,
        by=by,
        kind=CaseEventKind.ASSESSMENT_COMPLETED,
        obj=assessment,
        action="assessment.completed",
        data={
            "plan_needed": assessment.plan_needed,
            "wellbeing_participation_needed": assessment.wellbeing_participation_needed,
        },
    )
    if case.state == CaseState.CLOSED:
        log_closed(case=case, by=by)
    return case


PHASE_FOR_STATE = {
    CaseState.MULTI_PROFESSIONAL: ParticipationPhase.ASSESSMENT,
    CaseState.PLANNING: ParticipationPhase.PLANNING,
    CaseState.PLAN_ACTIVE: ParticipationPhase.REVIEW,
}


@atomic_service
def wellbeing_invite(*, by, case: IntegrationCase, reason: str) -> WellbeingParticipation:
    """Invite the wellbeing area serving the client's municipality to take part.
    Responsibility stays with the inviting organisation."""
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    phase = PHASE_FOR_STATE.get(case.state)
    if phase is None:
        raise IllegalStep(
            _("The wellbeing area cannot be invited at the step “%(state)s”.")
            % {"state": state_label(case)},
            code="illegal_step",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the wellbeing area is invited.")})
    if case.participations.filter(phase=phase, ended_at__isnull=True).exists():
        raise IllegalStep(
            _("The wellbeing area already takes part in this step."), code="duplicate"
        )
    area = wellbeing_area_for(case.client.municipality)
    participation = WellbeingParticipation.objects.create(
        case=case,
        phase=phase,
        organisation=area,
        unit=wellbeing_unit_for(area),
        reason=reason,
        invited_by=by,
    )
    if case.wellbeing_area_id != area.pk:
        case.wellbeing_area = area
        case.save(update_fields=["wellbeing_area", "updated_at"])
    log(
        case=case,
        by=by,
        kind=CaseEventKind.WELLBEING_INVITED,
        obj=participation,
        action="wellbeing.invited",
        data={"organisation": area.code, "phase": phase},
    )
    return participation


def _lock_participation(participation) -> WellbeingParticipation:
    return (
        WellbeingParticipation.objects.select_for_update(of=("self",))
        .select_related("case", "unit")
        .get(pk=participation.pk)
    )


@atomic_service
def wellbeing_assign(
    *, by, participation: WellbeingParticipation, worker
) -> WellbeingParticipation:
    """Name the wellbeing-area worker who takes part; they get access to the case."""
    participation = _lock_participation(participation)
    if participation.ended_at:
        raise IllegalStep(_("The wellbeing area's part has already ended."), code="ended")
    # The participant works the invited unit's queue and may contribute for the wellbeing
    # area (an auditor or administrator of the unit may not take part).
    if not worker.memberships.filter(
        is_active=True, unit=participation.unit, role__in=QUEUE_ROLES
    ).exists() or not can_in_organisation(
        worker, "casework.contribute_case", participation.unit.organisation_id
    ):
        raise ValidationError(
            _("%(worker)s is not a member of %(unit)s."),
            params={"worker": worker.get_full_name() or worker, "unit": participation.unit},
            code="not_member",
        )
    if (
        by is not None
        and by != worker
        and not by.memberships.filter(
            is_active=True, unit=participation.unit, role="manager"
        ).exists()
    ):
        raise ValidationError(
            _("Only the unit's manager can assign someone else."), code="forbidden"
        )
    previous = participation.worker
    participation.worker = worker
    participation.save(update_fields=["worker"])
    grant_participation(worker=worker, case=participation.case)
    if previous and previous != worker:
        _revoke_unless_taking_part(worker=previous, case=participation.case)
    log(
        case=participation.case,
        by=by,
        kind=CaseEventKind.ASSIGNED,
        obj=participation,
        action="wellbeing.assigned",
        data={"worker": worker.get_username()},
    )
    return participation


@atomic_service
def wellbeing_contribute(
    *, by, participation: WellbeingParticipation, contribution: str, services_offered: str = ""
) -> WellbeingParticipation:
    participation = _lock_participation(participation)
    case = lock_case_pk(participation.case_id)
    ensure_can(by, "casework.contribute_case", case)
    if participation.ended_at:
        raise IllegalStep(_("The wellbeing area's part has already ended."), code="ended")
    if not contribution.strip():
        raise ValidationError({"contribution": _("Write the wellbeing area's contribution.")})
    participation.contribution = contribution
    participation.services_offered = services_offered
    participation.contributed_at = timezone.now()
    participation.save()
    log(
        case=case,
        by=by,
        kind=CaseEventKind.WELLBEING_CONTRIBUTED,
        obj=participation,
        action="wellbeing.contributed",
    )
    return participation


def _revoke_unless_taking_part(*, worker, case) -> None:
    """End the worker's grants on the case unless another part of theirs still goes on."""
    still_taking_part = WellbeingParticipation.objects.filter(
        case=case, worker=worker, ended_at__isnull=True
    ).exists()
    if not still_taking_part:
        revoke_participation(worker=worker, case=case)


def _end_participation(*, by, participation: WellbeingParticipation) -> None:
    participation.ended_at = timezone.now()
    participation.ended_by = by
    participation.save(update_fields=["ended_at", "ended_by"])
    if participation.worker_id:
        _revoke_unless_taking_part(worker=participation.worker, case=participation.case)
    log(
        case=participation.case,
        by=by,
        kind=CaseEventKind.WELLBEING_ENDED,
        obj=participation,
        action="wellbeing.ended",
    )


@atomic_service
def wellbeing_end(*, by, participation: WellbeingParticipation) -> WellbeingParticipation:
    """End the wellbeing area's part; the worker loses access to the case."""
    participation = _lock_participation(participation)
    case = lock_case_pk(participation.case_id)
    ensure_can(by, "casework.assess_case", case)
    if participation.ended_at:
        raise IllegalStep(_("The wellbeing area's part has already ended."), code="ended")
    _end_participation(by=by, participation=participation)
    return participation


def end_participations(*, by, case, phases=None) -> None:
    active = case.participations.select_for_update(of=("self",)).filter(ended_at__isnull=True)
    if phases is not None:
        active = active.filter(phase__in=phases)
    # each participation's case is ``case`` itself (the related manager sets it): not joined
    for participation in active.select_related("worker"):
        _end_participation(by=by, participation=participation)


@atomic_service
def multi_professional_notes_save(
    *, by, case: IntegrationCase, summary: str, plan_needed: bool | None
) -> Assessment:
    """The responsible worker's part of the multi-professional assessment."""
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    if case.state != CaseState.MULTI_PROFESSIONAL:
        raise IllegalStep(
            _("The multi-professional step is not under way; the case is at the step “%(state)s”.")
            % {"state": state_label(case)},
            code="illegal_step",
        )
    errors = {}
    if not summary.strip():
        errors["multi_professional_summary"] = _("Write the summary of the assessment.")
    if plan_needed is None:
        errors["plan_needed"] = _("Answer yes or no.")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.select_for_update().get(case=case)
    assessment.multi_professional_summary = summary
    assessment.plan_needed = plan_needed
    assessment.save(update_fields=["multi_professional_summary", "plan_needed", "updated_at"])
    audit_record(actor=by, obj=assessment, action="assessment.multi_professional_notes")
    return assessment


@atomic_service
def multi_professional_complete(
    *, by, case: IntegrationCase, plan_needed: bool, summary: str = ""
) -> IntegrationCase:
    """Join the wellbeing area's and the responsible worker's contributions; decide on a plan."""
    case = lock_case(case)
    ensure_can(by, "casework.assess_case", case)
    ensure_transition(
        case.complete_multi_professional,
        _("The multi-professional step cannot be completed: the case is at the step “%(state)s”.")
        % {"state": state_label(case)},
    )
    if not case.participations.filter(phase=ParticipationPhase.ASSESSMENT).exists():
        raise IllegalStep(
            _("The wellbeing area has not been invited to the multi-professional step."),
            code="not_invited",
        )
    waiting = case.participations.filter(
        phase=ParticipationPhase.ASSESSMENT, ended_at__isnull=True, contributed_at__isnull=True
    )
    if waiting.exists():
        raise IllegalStep(
            _("The wellbeing area has not yet given its contribution."), code="waiting"
        )
    rules = rules_on(case.assessment_started_on or today())
    if plan_always_required(case.category, rules):
        plan_needed = True
    case.complete_multi_professional(on=today(), plan_needed=plan_needed)
    case.save()
    Assessment.objects.filter(case=case, plan_needed__isnull=True).update(plan_needed=plan_needed)
    log(
        case=case,
        by=by,
        kind=CaseEventKind.MULTI_PROFESSIONAL_COMPLETED,
        action="case.multi_professional_completed",
        note=summary,
        data={"plan_needed": plan_needed},
    )
    if case.state == CaseState.CLOSED:
        end_participations(by=by, case=case)
        log_closed(case=case, by=by)
    return case


@atomic_service
def case_close(
    *, by, case: IntegrationCase, reason: str, note: str = "", on=None
) -> IntegrationCase:
    """Close the case: the plan in force ends and the wellbeing area's part ends."""
    case = lock_case(case)
    ensure_can(by, "casework.close_case", case)
    ensure_not_future(on)
    ensure_close_reason(reason)
    ensure_transition(case.close, _("The case is already closed."))
    on = on or today()
    for plan in case.plans.select_for_update().filter(
        state__in=[PlanState.APPROVED, PlanState.AGREED, PlanState.DRAFT]
    ):
        plan.end(on=on)
        plan.save()
    end_participations(by=by, case=case)
    case.close(on=on, reason=reason)
    case.full_clean()
    case.save()
    log_closed(case=case, by=by, note=note)
    return case


@atomic_service
def case_transfer(*, by, case: IntegrationCase, reason: str) -> IntegrationCase:
    """Move responsibility to whoever the client's current facts point to.

    The category is derived again and looked up in the responsibility table of the client's
    municipality; the case gets the new organisation and unit and loses its worker.
    A municipality with no responsible organisation is refused and nothing changes.
    """
    case = lock_case(case)
    if by is not None:
        ensure_can(by, "casework.transfer_case", case)
    if not case.is_open:
        raise IllegalStep(_("A closed case cannot be transferred."), code="illegal_step")
    client = case.client
    category = category_on(client)
    rule = responsibility_for(municipality=client.municipality, category=category)
    new_unit = case.unit if case.unit.organisation_id == rule.organisation_id else intake_unit(rule)
    before = {
        "category": case.category,
        "organisation": case.responsible_organisation.code,
        "unit": case.unit.code,
    }
    after = {"category": category, "organisation": rule.organisation.code, "unit": new_unit.code}
    if before == after:
        return case
    organisation_changed = before["organisation"] != after["organisation"]
    if organisation_changed:
        # the client goes into the receiving organisation's register, linked to this record
        case.client = record_in_register(
            by=by, client=client, register=rule.organisation, case=case
        )
        case.municipality_id = case.client.municipality_id  # the record's (see the field)
    case.category = category
    case.responsible_organisation = rule.organisation
    case.unit = new_unit
    if organisation_changed:
        case.owner = None
    case.save()
    kind = CaseEventKind.TRANSFERRED if organisation_changed else CaseEventKind.CATEGORY_CHANGED
    log(
        case=case,
        by=by,
        kind=kind,
        action="case.transferred",
        note=reason,
        data={"from": before, "to": after},
    )
    return case
