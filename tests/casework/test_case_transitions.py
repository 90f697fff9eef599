"""Moving a case along the path through the services: the allowed steps, the refused ones
(nothing changes when a step is refused), refusals, revisions, reviews and closing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from casework import services
from casework.models import (
    Assessment,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    PlanState,
    Review,
    ReviewOutcome,
    WellbeingParticipation,
)
from casework.rules import add_months
from casework.services import IllegalStep
from permissions.models import AuditEntry
from tests.factories import (
    CaseFactory,
    ClientFactory,
    StaffFactory,
    assessment_data,
    draft_plan,
    training_measure,
    wellbeing_step,
)

pytestmark = pytest.mark.usefixtures("reference_data")

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=HELSINKI), tick=False)


def snapshot(case: IntegrationCase) -> dict:
    """Everything a refused step must leave untouched."""
    row = IntegrationCase.objects.get(pk=case.pk)
    return {
        "case": {f.attname: getattr(row, f.attname) for f in IntegrationCase._meta.concrete_fields},
        "events": list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        "audit": AuditEntry.objects.count(),
        "assessment": list(Assessment.objects.filter(case=case).values()),
        "plans": list(IntegrationPlan.objects.filter(case=case).values()),
        "reviews": Review.objects.filter(plan__case=case).count(),
        "participations": list(WellbeingParticipation.objects.filter(case=case).values()),
    }


def refused(step, case, /, **kwargs) -> IllegalStep:
    before = snapshot(case)
    with pytest.raises(IllegalStep) as caught:
        step(by=case.owner, **kwargs)
    assert caught.value.code in {"illegal_step", "waiting", "ended", "duplicate"}
    assert snapshot(case) == before
    return caught.value


def event_kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def reload(case) -> IntegrationCase:
    return IntegrationCase.objects.select_related("owner").get(pk=case.pk)


# --- the ordinary path ---------------------------------------------------------------------


def test_the_ordinary_path_records_each_step_and_its_date():
    day = dt.date(2026, 2, 2)
    with at(day):
        case = CaseFactory()
        worker = case.owner
        assert case.state == CaseState.INTAKE
        assert case.number == f"2026-{case.pk:06d}"
        case = services.case_start_assessment(by=worker, case=case)
        assert case.state == CaseState.ASSESSMENT and case.assessment_started_on == day
        case = services.assessment_complete(by=worker, case=case, data=assessment_data())
        assert case.state == CaseState.PLANNING and case.assessment_completed_on == day
        plan = draft_plan(case, worker)
        plan = services.plan_record_agreement(by=worker, plan=plan)
        assert plan.state == PlanState.AGREED and plan.client_decision_on == day
        plan = services.plan_approve(by=worker, plan=plan)
    case = reload(case)
    assert plan.state == PlanState.APPROVED and plan.approved_by == worker
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plan_approved_on == day
    assert case.next_review_due == add_months(day, 6)
    assert event_kinds(case) == [
        CaseEventKind.REGISTERED,
        CaseEventKind.ASSIGNED,
        CaseEventKind.ASSESSMENT_STARTED,
        CaseEventKind.ASSESSMENT_COMPLETED,
        CaseEventKind.PLAN_DRAFTED,
        CaseEventKind.PLAN_AGREED,
        CaseEventKind.PLAN_APPROVED,
    ]


def test_the_state_cannot_be_set_directly():
    case = CaseFactory()
    with pytest.raises(AttributeError):
        case.state = CaseState.CLOSED
    assert reload(case).state == CaseState.INTAKE


def test_a_plans_state_cannot_be_set_directly():
    case = CaseFactory(plan_drafted=True)
    plan = case.plans.get()
    with pytest.raises(AttributeError):
        plan.state = PlanState.APPROVED
    assert IntegrationPlan.objects.get(pk=plan.pk).state == PlanState.DRAFT


def test_a_reloaded_case_can_be_refreshed():
    case = CaseFactory()
    services.case_start_assessment(by=case.owner, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT


# --- refused steps -------------------------------------------------------------------------


def test_complete_an_assessment_before_it_starts():
    case = CaseFactory()
    refused(services.assessment_complete, case, case=case, data=assessment_data())
    assert not Assessment.objects.filter(case=case).exists()


def test_save_an_assessment_draft_before_it_starts():
    case = CaseFactory()
    refused(services.assessment_save_draft, case, case=case, data={"literacy": "latin"})


def test_start_the_assessment_twice():
    case = CaseFactory(assessment=True)
    refused(services.case_start_assessment, case, case=case)


def test_draft_a_plan_during_the_assessment():
    case = CaseFactory(assessment=True)
    refused(services.plan_save_draft, case, case=case, data={"period_goals": "x"})


def test_approve_a_plan_before_the_assessment_is_complete():
    case = CaseFactory(assessment=True)
    # No service drafts a plan this early; put one straight in the table to try.
    plan = IntegrationPlan.objects.create(
        case=case,
        state=PlanState.AGREED,
        long_term_goals="x",
        period_goals="x",
        follow_up="x",
        starts_on=dt.date.today(),
        ends_on=dt.date.today() + dt.timedelta(days=100),
    )
    refused(services.plan_approve, case, plan=plan)
    assert IntegrationPlan.objects.get(pk=plan.pk).state == PlanState.AGREED


def test_approve_a_plan_the_client_has_not_agreed_to():
    case = CaseFactory(plan_drafted=True)
    refused(services.plan_approve, case, plan=case.plans.get())


def test_record_agreement_twice():
    case = CaseFactory(plan_agreed=True)
    refused(services.plan_record_agreement, case, plan=case.plans.get())


def test_refuse_an_agreed_plan():
    case = CaseFactory(plan_agreed=True)
    refused(services.plan_record_refusal, case, plan=case.plans.get(), reason="muutti mieltään")


def test_complete_the_wellbeing_step_before_the_wellbeing_area_contributes():
    case = CaseFactory(wellbeing_step=True)
    services.wellbeing_invite(by=case.owner, case=case, reason="Sosiaalityön tarve.")
    error = refused(services.multi_professional_complete, case, case=case, plan_needed=True)
    assert error.code == "waiting"


def test_invite_the_wellbeing_area_twice_to_the_same_step():
    case = CaseFactory(wellbeing_step=True)
    services.wellbeing_invite(by=case.owner, case=case, reason="Sosiaalityön tarve.")
    error = refused(services.wellbeing_invite, case, case=case, reason="Uudestaan.")
    assert error.code == "duplicate"


@pytest.mark.parametrize("step", ["intake", "assessment", "planning"])
def test_review_a_case_without_a_plan_in_force(step):
    case = CaseFactory(step=step)
    refused(services.review_record, case, case=case, notes="x", outcome=ReviewOutcome.CONTINUE)


def test_review_a_closed_case():
    case = CaseFactory(plan_active=True)
    services.case_close(by=case.owner, case=case, reason=CloseReason.MOVED_AWAY)
    refused(services.review_record, case, case=case, notes="x", outcome=ReviewOutcome.CONTINUE)


def test_close_twice():
    with at(dt.date(2026, 2, 2)):
        case = CaseFactory()
        services.case_close(by=case.owner, case=case, reason=CloseReason.MOVED_AWAY)
    with at(dt.date(2026, 2, 9)):
        refused(services.case_close, case, case=case, reason=CloseReason.OTHER)
    case = reload(case)
    assert (case.closed_on, case.close_reason) == (dt.date(2026, 2, 2), CloseReason.MOVED_AWAY)
    assert event_kinds(case).count(CaseEventKind.CLOSED) == 1


def test_a_closed_case_cannot_start_over():
    case = CaseFactory(closed=True)
    refused(services.case_start_assessment, case, case=case)
    refused(services.plan_save_draft, case, case=case, data={"period_goals": "x"})


def test_incomplete_assessment_cannot_be_completed():
    case = CaseFactory(assessment=True)
    before = snapshot(case)
    data = assessment_data(literacy="", plan_needed=None)
    with pytest.raises(ValidationError) as caught:
        services.assessment_complete(by=case.owner, case=case, data=data)
    assert {"literacy", "plan_needed"} <= set(caught.value.message_dict)
    assert snapshot(case) == before


def test_first_contact_in_the_future_is_refused():
    client = ClientFactory()
    worker = StaffFactory()
    with pytest.raises(ValidationError) as caught:
        services.case_open(
            by=worker, client=client, contacted_on=dt.date.today() + dt.timedelta(days=2)
        )
    assert list(caught.value.message_dict) == ["contacted_on"]
    assert not IntegrationCase.objects.exists()


def test_one_open_case_per_client():
    case = CaseFactory()
    with pytest.raises(ValidationError) as caught:
        services.case_open(by=case.owner, client=case.client)
    assert caught.value.code == "open_case"
    assert IntegrationCase.objects.count() == 1


def test_a_closed_case_does_not_stop_a_new_one():
    case = CaseFactory(closed=True)
    second = services.case_open(by=case.owner, client=case.client)
    assert second.pk != case.pk and second.state == CaseState.INTAKE


# --- assessment outcomes -------------------------------------------------------------------


def test_no_plan_needed_closes_the_case():
    with at(dt.date(2026, 2, 3)):
        case = CaseFactory(assessment=True)
        case = services.assessment_complete(
            by=case.owner, case=case, data=assessment_data(plan_needed=False)
        )
    assert case.state == CaseState.CLOSED
    assert (case.closed_on, case.close_reason) == (dt.date(2026, 2, 3), CloseReason.NO_PLAN_NEEDED)
    assert event_kinds(case)[-2:] == [CaseEventKind.ASSESSMENT_COMPLETED, CaseEventKind.CLOSED]


def test_wellbeing_step_then_no_plan_closes_the_case():
    case = CaseFactory(wellbeing_step=True)
    case = wellbeing_step(case, case.owner, plan_needed=False)
    assert case.state == CaseState.CLOSED
    assert case.close_reason == CloseReason.NO_PLAN_NEEDED
    assert not WellbeingParticipation.objects.filter(case=case, ended_at__isnull=True).exists()


def test_unaccompanied_minor_is_forced_through_the_wellbeing_step_and_a_plan():
    client = ClientFactory(unaccompanied=True)
    case = CaseFactory(client=client, assessment=True)
    case = services.assessment_complete(
        by=case.owner,
        case=case,
        data=assessment_data(plan_needed=False, wellbeing_participation_needed=False),
    )
    assert case.state == CaseState.MULTI_PROFESSIONAL
    assessment = Assessment.objects.get(case=case)
    assert assessment.plan_needed is True
    assert assessment.wellbeing_participation_needed is True
    case = wellbeing_step(case, case.owner, plan_needed=False)
    assert case.state == CaseState.PLANNING
    assert case.assessment_completed_on is not None


def test_unaccompanied_minor_reaches_a_plan_in_force():
    case = CaseFactory(client=ClientFactory(unaccompanied=True), plan_active=True)
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.wellbeing_area.code == "soite"
    assert CaseEventKind.MULTI_PROFESSIONAL_COMPLETED in event_kinds(case)
    # The wellbeing area's part in the assessment and planning ended when the plan came
    # into force.
    assert not WellbeingParticipation.objects.filter(case=case, ended_at__isnull=True).exists()


def test_if_the_rules_do_not_force_it_a_minor_may_go_without_a_plan():
    from casework.models import RuleSet

    RuleSet.objects.update(unaccompanied_minor_always_plan=False)
    case = CaseFactory(client=ClientFactory(unaccompanied=True), assessment=True)
    case = services.assessment_complete(
        by=case.owner, case=case, data=assessment_data(plan_needed=False)
    )
    assert case.state == CaseState.CLOSED


# --- refusal of a plan ---------------------------------------------------------------------


def test_refusal_of_the_first_plan_closes_the_case_as_declined():
    with at(dt.date(2026, 2, 2)):
        case = CaseFactory(plan_drafted=True)
    plan = case.plans.get()
    with at(dt.date(2026, 2, 10)):
        services.plan_record_refusal(
            by=case.owner,
            plan=plan,
            reason="Ei halua kotoutumiskoulutukseen.",
            on=dt.date(2026, 2, 6),
        )
    plan = IntegrationPlan.objects.get(pk=plan.pk)
    case = reload(case)
    assert plan.state == PlanState.REFUSED
    assert plan.refusal_reason == "Ei halua kotoutumiskoulutukseen."
    assert plan.client_decision_on == dt.date(2026, 2, 6)
    assert case.state == CaseState.CLOSED
    assert (case.closed_on, case.close_reason) == (dt.date(2026, 2, 6), CloseReason.DECLINED)
    refusal = CaseEvent.objects.get(case=case, kind=CaseEventKind.PLAN_REFUSED)
    assert refusal.note == "Ei halua kotoutumiskoulutukseen."
    assert refusal.data["date"] == "2026-02-06"
    assert event_kinds(case)[-2:] == [CaseEventKind.PLAN_REFUSED, CaseEventKind.CLOSED]


def test_refusal_needs_a_reason():
    case = CaseFactory(plan_drafted=True)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        services.plan_record_refusal(by=case.owner, plan=case.plans.get(), reason="  ")
    assert list(caught.value.message_dict) == ["refusal_reason"]
    assert snapshot(case) == before


def test_refusal_cannot_be_dated_in_the_future():
    case = CaseFactory(plan_drafted=True)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        services.plan_record_refusal(
            by=case.owner,
            plan=case.plans.get(),
            reason="x",
            on=dt.date.today() + dt.timedelta(days=1),
        )
    assert list(caught.value.message_dict) == ["on"]
    assert snapshot(case) == before


def test_refusal_of_a_revision_keeps_the_plan_in_force():
    case = CaseFactory(plan_active=True)
    services.review_record(
        by=case.owner, case=case, notes="Tarkistus.", outcome=ReviewOutcome.REVISE
    )
    revision = case.plans.get(version=2)
    services.plan_record_refusal(by=case.owner, plan=revision, reason="Ei suostu muutokseen.")
    case = reload(case)
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plans.get(version=1).state == PlanState.APPROVED
    assert case.plans.get(version=2).state == PlanState.REFUSED


# --- reviews and revisions -----------------------------------------------------------------


def test_review_continue_sets_the_next_review():
    with at(dt.date(2026, 1, 5)):
        case = CaseFactory(plan_active=True)
    with at(dt.date(2026, 3, 1)):
        review = services.review_record(
            by=case.owner, case=case, notes="Etenee.", outcome=ReviewOutcome.CONTINUE
        )
    case = reload(case)
    assert review.next_review_due == dt.date(2026, 9, 1)
    assert case.next_review_due == dt.date(2026, 9, 1)
    assert case.state == CaseState.PLAN_ACTIVE


def test_revise_creates_version_2_and_keeps_version_1_in_force_until_approved():
    with at(dt.date(2026, 1, 5)):
        case = CaseFactory(plan_active=True)
    first = case.plans.get()
    with at(dt.date(2026, 3, 1)):
        services.review_record(
            by=case.owner, case=case, notes="Tavoitteet muuttuvat.", outcome=ReviewOutcome.REVISE
        )
    first.refresh_from_db()
    revision = case.plans.get(version=2)
    assert first.state == PlanState.APPROVED
    assert revision.state == PlanState.DRAFT
    assert revision.long_term_goals == first.long_term_goals
    assert (revision.starts_on, revision.ends_on) == (first.starts_on, first.ends_on)
    assert revision.measures.count() == first.measures.count() == 1
    assert reload(case).plan_approved_on == dt.date(2026, 1, 5)

    with at(dt.date(2026, 3, 8)):
        services.plan_save_draft(by=case.owner, case=case, data={"period_goals": "Uudet."})
        # The draft is being edited; version 1 is still the plan in force.
        assert IntegrationPlan.objects.get(pk=first.pk).state == PlanState.APPROVED
        services.plan_record_agreement(by=case.owner, plan=revision)
        assert IntegrationPlan.objects.get(pk=first.pk).state == PlanState.APPROVED
        services.plan_approve(by=case.owner, plan=revision)
    first.refresh_from_db()
    revision.refresh_from_db()
    case = reload(case)
    assert first.state == PlanState.SUPERSEDED and first.ended_on == dt.date(2026, 3, 8)
    assert revision.state == PlanState.APPROVED and revision.previous == first
    assert revision.period_goals == "Uudet."
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plan_approved_on == dt.date(2026, 3, 8)
    assert case.next_review_due == dt.date(2026, 9, 8)
    assert list(case.plans.filter(state=PlanState.APPROVED)) == [revision]


def test_a_second_revision_waits_for_the_first():
    case = CaseFactory(plan_active=True)
    services.review_record(by=case.owner, case=case, notes="x", outcome=ReviewOutcome.REVISE)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        services.review_record(by=case.owner, case=case, notes="y", outcome=ReviewOutcome.REVISE)
    assert list(caught.value.message_dict) == ["outcome"]
    assert snapshot(case) == before


def test_review_end_closes_the_case_and_ends_the_plan():
    with at(dt.date(2026, 1, 5)):
        case = CaseFactory(plan_active=True)
    with at(dt.date(2026, 6, 30)):
        review = services.review_record(
            by=case.owner,
            case=case,
            notes="Tavoitteet saavutettu.",
            outcome=ReviewOutcome.END,
            close_reason=CloseReason.GOALS_MET,
        )
    case = reload(case)
    plan = case.plans.get()
    assert review.outcome == ReviewOutcome.END and review.next_review_due is None
    assert plan.state == PlanState.ENDED and plan.ended_on == dt.date(2026, 6, 30)
    assert case.state == CaseState.CLOSED
    assert (case.closed_on, case.close_reason) == (dt.date(2026, 6, 30), CloseReason.GOALS_MET)
    assert case.next_review_due is None
    assert event_kinds(case)[-2:] == [CaseEventKind.REVIEWED, CaseEventKind.CLOSED]


def test_review_end_also_ends_a_pending_revision():
    case = CaseFactory(plan_active=True)
    services.review_record(by=case.owner, case=case, notes="x", outcome=ReviewOutcome.REVISE)
    services.review_record(by=case.owner, case=case, notes="y", outcome=ReviewOutcome.END)
    assert reload(case).state == CaseState.CLOSED
    assert not case.plans.filter(state=PlanState.DRAFT).exists()
    with pytest.raises(IllegalStep):
        services.plan_save_draft(by=case.owner, case=case, data={"period_goals": "z"})


@pytest.mark.parametrize(
    ("days_from_approval", "field"),
    [(-1, "reviewed_on"), ("tomorrow", "reviewed_on")],
)
def test_review_date_between_approval_and_today(days_from_approval, field):
    with at(dt.date(2026, 1, 5)):
        case = CaseFactory(plan_active=True)
    with at(dt.date(2026, 3, 1)):
        day = (
            dt.date(2026, 3, 2)
            if days_from_approval == "tomorrow"
            else dt.date(2026, 1, 5) + dt.timedelta(days=days_from_approval)
        )
        before = snapshot(case)
        with pytest.raises(ValidationError) as caught:
            services.review_record(
                by=case.owner, case=case, notes="x", outcome=ReviewOutcome.CONTINUE, reviewed_on=day
            )
    assert list(caught.value.message_dict) == [field]
    assert snapshot(case) == before


def test_review_needs_notes_and_an_outcome():
    case = CaseFactory(plan_active=True)
    with pytest.raises(ValidationError) as caught:
        services.review_record(by=case.owner, case=case, notes=" ", outcome="maybe")
    assert set(caught.value.message_dict) == {"notes", "outcome"}


# --- closing -------------------------------------------------------------------------------


def test_closing_ends_the_plan_in_force_and_the_wellbeing_areas_part():
    case = CaseFactory(client=ClientFactory(unaccompanied=True), plan_active=True)
    services.wellbeing_invite(by=case.owner, case=case, reason="Seuranta.")
    services.case_close(
        by=case.owner, case=case, reason=CloseReason.MOVED_AWAY, note="Muutti Tampereelle."
    )
    case = reload(case)
    assert case.state == CaseState.CLOSED and case.close_reason == CloseReason.MOVED_AWAY
    assert case.next_review_due is None
    assert case.plans.get().state == PlanState.ENDED
    assert not WellbeingParticipation.objects.filter(case=case, ended_at__isnull=True).exists()
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CLOSED).get().note == (
        "Muutti Tampereelle."
    )


@pytest.mark.parametrize(
    ("step", "act"),
    [
        pytest.param(
            "intake",
            lambda case, reason: services.case_close(by=case.owner, case=case, reason=reason),
            id="case_close",
        ),
        pytest.param(
            "plan_active",
            lambda case, reason: services.review_record(
                by=case.owner,
                case=case,
                notes="Loppu.",
                outcome=ReviewOutcome.END,
                close_reason=reason,
            ),
            id="review_end",
        ),
    ],
)
def test_closing_needs_a_known_reason(step, act):
    case = CaseFactory(step=step)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        act(case, "moved_to_mars")
    assert "close_reason" in caught.value.message_dict
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("step", "act"),
    [
        pytest.param(
            "intake",
            lambda case: services.case_close(by=case.owner, case=case, reason=""),
            id="case_close",
        ),
        pytest.param(
            "plan_active",
            lambda case: services.review_record(
                by=case.owner, case=case, notes="Loppu.", outcome=ReviewOutcome.END, close_reason=""
            ),
            id="review_end",
        ),
    ],
)
def test_closing_needs_a_reason(step, act):
    case = CaseFactory(step=step)
    before = snapshot(case)
    with pytest.raises(ValidationError):
        act(case)
    assert snapshot(case) == before


def test_closing_during_planning_ends_the_draft():
    case = CaseFactory(plan_drafted=True)
    services.case_close(by=case.owner, case=case, reason=CloseReason.PERIOD_ENDED)
    assert case.plans.get().state == PlanState.ENDED


def test_closing_leaves_no_plan_pending():
    case = CaseFactory(plan_agreed=True)
    services.case_close(by=case.owner, case=case, reason=CloseReason.MOVED_AWAY)
    assert reload(case).state == CaseState.CLOSED
    assert list(case.plans.values_list("state", flat=True)) == [PlanState.ENDED]


def test_measures_move_only_forward():
    case = CaseFactory(plan_active=True)
    measure = case.plans.get().measures.get()
    services.measure_set_state(by=case.owner, measure=measure, action="start")
    services.measure_set_state(by=case.owner, measure=measure, action="complete")
    with pytest.raises(IllegalStep):
        services.measure_set_state(by=case.owner, measure=measure, action="start")


def test_only_a_draft_plan_takes_new_measures():
    case = CaseFactory(plan_agreed=True)
    plan = case.plans.get()
    before = snapshot(case)
    with pytest.raises(IllegalStep):
        services.measure_save(by=case.owner, plan=plan, data=training_measure(plan))
    assert snapshot(case) == before


# --- dates of steps --------------------------------------------------------------------------


def _start(case, day):
    return services.case_start_assessment(by=case.owner, case=case, on=day)


def _agree(case, day):
    return services.plan_record_agreement(by=case.owner, plan=case.plans.get(), on=day)


def _approve(case, day):
    return services.plan_approve(by=case.owner, plan=case.plans.get(), on=day)


def _close(case, day):
    return services.case_close(by=case.owner, case=case, reason=CloseReason.OTHER, on=day)


def _refuse(case, day):
    return services.plan_record_refusal(by=case.owner, plan=case.plans.get(), reason="x", on=day)


def _review(case, day):
    return services.review_record(
        by=case.owner, case=case, notes="x", outcome=ReviewOutcome.CONTINUE, reviewed_on=day
    )


@pytest.mark.parametrize(
    ("act", "step"),
    [
        pytest.param(_refuse, "plan_drafted", id="plan_record_refusal"),
        pytest.param(_review, "plan_active", id="review_record"),
        pytest.param(_start, "intake", id="case_start_assessment"),
        pytest.param(_agree, "plan_drafted", id="plan_record_agreement"),
        pytest.param(_approve, "plan_agreed", id="plan_approve"),
        pytest.param(_close, "intake", id="case_close"),
    ],
)
def test_a_step_cannot_be_dated_in_the_future(act, step):
    case = CaseFactory(step=step)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        act(case, dt.date.today() + dt.timedelta(days=1))
    assert not isinstance(caught.value, IllegalStep)
    assert caught.value.message_dict  # a field error the form can show
    assert snapshot(case) == before
