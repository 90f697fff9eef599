"""The rules a plan must meet before the client agrees to it and before it is approved
(``casework.services.plans.plan_rule_errors``), under the rule set in force when it starts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from casework import services
from casework.models import IntegrationPlan, Measure, PlanState, ReviewOutcome, Service
from casework.rules import add_months, rules_on
from casework.services import plan_rule_errors
from tests.factories import (
    CaseFactory,
    ClientFactory,
    draft_plan,
    organisation,
    plan_data,
    training_measure,
)

pytestmark = pytest.mark.usefixtures("reference_data")

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=HELSINKI), tick=False)


def agreement_errors(plan: IntegrationPlan) -> dict[str, list[str]]:
    """The client tries to agree to ``plan``: the errors, with the plan left a draft."""
    with pytest.raises(ValidationError) as caught:
        services.plan_record_agreement(by=plan.case.owner, plan=plan)
    assert IntegrationPlan.objects.get(pk=plan.pk).state == PlanState.DRAFT
    return caught.value.message_dict


def planning_case(**client_traits):
    return CaseFactory(client=ClientFactory(**client_traits), planning=True)


def civic(language="ar") -> Service:
    return Service.objects.get(kind="civic_orientation", language=language)


def test_a_complete_plan_meets_the_rules():
    case = planning_case()
    plan = draft_plan(case, case.owner)
    assert plan_rule_errors(plan, rules_on(plan.starts_on)) == {}
    services.plan_record_agreement(by=case.owner, plan=plan)


# --- length of the first plan --------------------------------------------------------------


def test_first_plan_longer_than_12_months_is_refused():
    with at(dt.date(2026, 2, 2)):
        case = planning_case()
        plan = draft_plan(
            case, case.owner, starts_on=dt.date(2026, 2, 2), ends_on=dt.date(2027, 2, 3)
        )
        assert list(agreement_errors(plan)) == ["ends_on"]
        with translation.override("en"):
            assert "12" in agreement_errors(plan)["ends_on"][0]


def test_first_plan_of_just_under_12_months_is_accepted():
    with at(dt.date(2026, 2, 2)):
        case = planning_case()
        plan = draft_plan(
            case, case.owner, starts_on=dt.date(2026, 2, 2), ends_on=dt.date(2027, 2, 1)
        )
        services.plan_record_agreement(by=case.owner, plan=plan)


def test_an_agreed_plan_too_long_under_new_rules_is_not_approved():
    """The rules are checked again at approval: a rule set changed in between counts."""
    with at(dt.date(2026, 2, 2)):
        case = CaseFactory(plan_agreed=True)
        plan = case.plans.get()
        rules = rules_on(plan.starts_on)
        rules.first_plan_max_months = 3
        rules.save()
        with pytest.raises(ValidationError) as caught:
            services.plan_approve(by=case.owner, plan=plan)
    assert list(caught.value.message_dict) == ["ends_on"]
    assert IntegrationPlan.objects.get(pk=plan.pk).state == PlanState.AGREED


def test_a_first_plan_under_the_old_act_lasts_at_most_a_year():
    """A case dated under act 1386/2010: the rule set of the plan's start date applies. The
    old act also had a first plan of at most one year (its total could be longer, below);
    civic orientation had no 70-hour minimum."""
    with at(dt.date(2024, 5, 20)):
        case = planning_case()
        assert rules_on(case.contacted_on).valid_until == dt.date(2025, 1, 1)
        plan = draft_plan(
            case, case.owner, starts_on=dt.date(2024, 6, 1), ends_on=dt.date(2026, 5, 31)
        )
        assert list(agreement_errors(plan)) == ["ends_on"]
        with translation.override("en"):
            assert "12 months" in agreement_errors(plan)["ends_on"][0]
        services.plan_save_draft(by=case.owner, case=case, data={"ends_on": dt.date(2025, 6, 1)})
        services.measure_save(
            by=case.owner,
            plan=plan,
            data={
                "service": civic(),
                "provider": organisation("kokkola"),
                "language": "ar",
                "hours": 20,
                "starts_on": dt.date(2024, 6, 10),
            },
        )
        services.plan_record_agreement(by=case.owner, plan=plan)
        services.plan_approve(by=case.owner, plan=plan)
    assert IntegrationPlan.objects.get(pk=plan.pk).state == PlanState.APPROVED


def test_plans_under_the_old_act_last_at_most_36_months_in_total():
    """Revised under the old act, plans may run 36 months from the first plan's start
    (681/2023 shortened it to 24), and no longer."""
    with at(dt.date(2023, 3, 1)):
        case = CaseFactory(plan_active=True)
    first = case.plans.get()
    assert rules_on(first.starts_on).plan_total_max_months == 36
    with at(dt.date(2023, 9, 1)):
        services.review_record(
            by=case.owner, case=case, notes="Jatketaan.", outcome=ReviewOutcome.REVISE
        )
        revision = case.plans.get(version=2)
        services.plan_save_draft(
            by=case.owner,
            case=case,
            data={"ends_on": add_months(first.starts_on, 36) + dt.timedelta(days=1)},
        )
        assert list(agreement_errors(revision)) == ["ends_on"]
        services.plan_save_draft(
            by=case.owner, case=case, data={"ends_on": add_months(first.starts_on, 36)}
        )
        services.plan_record_agreement(by=case.owner, plan=revision)


# --- dates -----------------------------------------------------------------------------------


def test_plan_ending_before_it_starts_is_refused_on_ends_on(pseudo_finnish):
    case = planning_case()
    data = plan_data(case)
    data["ends_on"] = data["starts_on"] - dt.timedelta(days=1)
    with translation.override("fi"):
        with pytest.raises(ValidationError) as caught:
            services.plan_save_draft(by=case.owner, case=case, data=data)
        errors = caught.value.message_dict  # lazy messages: render them in Finnish
    assert "ends_on" in errors
    assert set(errors) <= {"ends_on", "__all__"}
    assert all(message.startswith(pseudo_finnish) for message in errors["ends_on"]), errors
    assert not IntegrationPlan.objects.filter(case=case).exists()


def test_editing_a_draft_to_end_before_it_starts_is_refused():
    case = planning_case()
    plan = draft_plan(case, case.owner)
    with pytest.raises(ValidationError) as caught:
        services.plan_save_draft(
            by=case.owner, case=case, data={"ends_on": plan.starts_on - dt.timedelta(days=1)}
        )
    assert "ends_on" in caught.value.message_dict
    assert IntegrationPlan.objects.get(pk=plan.pk).ends_on == plan.ends_on


def test_a_plan_of_one_day_is_allowed():
    case = planning_case()
    day = dt.date.today()
    plan = services.plan_save_draft(
        by=case.owner, case=case, data={"starts_on": day, "ends_on": day}
    )
    assert plan.ends_on == plan.starts_on


def test_first_plan_must_start_within_3_years_of_the_first_permit():
    with at(dt.date(2026, 2, 2)):
        case = planning_case(first_residence_permit_date=dt.date(2023, 1, 15))
        plan = draft_plan(
            case, case.owner, starts_on=dt.date(2026, 2, 2), ends_on=dt.date(2026, 8, 1)
        )
        assert list(agreement_errors(plan)) == ["starts_on"]
        services.plan_save_draft(
            by=case.owner,
            case=case,
            data={"starts_on": dt.date(2026, 1, 15), "ends_on": dt.date(2026, 7, 15)},
        )
        services.plan_record_agreement(by=case.owner, plan=plan)


def test_incomplete_plan_lists_every_missing_part():
    case = planning_case(jobseeker=True)
    plan = services.plan_save_draft(by=case.owner, case=case, data={})
    assert set(agreement_errors(plan)) == {
        "starts_on",
        "ends_on",
        "long_term_goals",
        "period_goals",
        "follow_up",
        "job_seeking_obligation",
    }


# --- measures --------------------------------------------------------------------------------


def test_plan_without_measures_is_refused():
    case = planning_case()
    plan = draft_plan(case, case.owner, with_measure=False)
    assert list(agreement_errors(plan)) == ["measures"]


def test_removing_the_last_measure_makes_the_plan_incomplete():
    case = planning_case()
    plan = draft_plan(case, case.owner)
    services.measure_remove(by=case.owner, measure=plan.measures.get())
    assert list(agreement_errors(plan)) == ["measures"]


def test_services_must_begin_within_6_months():
    case = planning_case()
    plan = draft_plan(case, case.owner, with_measure=False)
    late = training_measure(plan)
    late["starts_on"] = add_months(plan.starts_on, 6) + dt.timedelta(days=1)
    late["ends_on"] = late["starts_on"] + dt.timedelta(days=30)
    services.measure_save(by=case.owner, plan=plan, data=late)
    assert list(agreement_errors(plan)) == ["measures"]
    services.measure_save(by=case.owner, plan=plan, data=training_measure(plan))
    services.plan_record_agreement(by=case.owner, plan=plan)


@pytest.mark.parametrize("hours", [0, 1, 35, 69])
def test_civic_orientation_under_70_hours_is_refused(hours):
    case = planning_case()
    plan = draft_plan(case, case.owner)
    with pytest.raises(ValidationError) as caught:
        services.measure_save(
            by=case.owner,
            plan=plan,
            data={
                "service": civic(),
                "provider": organisation("kokkola"),
                "language": "ar",
                "hours": hours,
                "starts_on": plan.starts_on,
            },
        )
    assert list(caught.value.message_dict) == ["hours"]
    assert plan.measures.count() == 1


@pytest.mark.parametrize("hours", [70, 90, None])
def test_civic_orientation_of_70_hours_or_the_catalogue_length_is_accepted(hours):
    case = planning_case()
    plan = draft_plan(case, case.owner)
    measure = services.measure_save(
        by=case.owner,
        plan=plan,
        data={
            "service": civic(),
            "provider": organisation("kokkola"),
            "language": "ar",
            "hours": hours,
            "starts_on": plan.starts_on,
        },
    )
    assert measure.pk
    services.plan_record_agreement(by=case.owner, plan=plan)


def test_a_short_civic_orientation_already_in_the_plan_stops_agreement():
    """A measure saved while other rules applied is checked again against today's rules."""
    case = planning_case()
    plan = draft_plan(case, case.owner)
    Measure.objects.create(
        plan=plan,
        service=civic(),
        provider=organisation("kokkola"),
        hours=40,
        starts_on=plan.starts_on,
    )
    assert list(agreement_errors(plan)) == ["measures"]


def test_provider_must_offer_the_service():
    case = planning_case()
    plan = draft_plan(case, case.owner)
    data = training_measure(plan)
    data["provider"] = organisation("ehja-ry")
    with pytest.raises(ValidationError) as caught:
        services.measure_save(by=case.owner, plan=plan, data=data)
    assert list(caught.value.message_dict) == ["provider"]


def test_measure_ending_before_it_starts_is_refused():
    case = planning_case()
    plan = draft_plan(case, case.owner)
    data = training_measure(plan)
    data["ends_on"] = data["starts_on"] - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.measure_save(by=case.owner, plan=plan, data=data)
    assert list(caught.value.message_dict) == ["ends_on"]


# --- the jobseeker's plan ----------------------------------------------------------------------


def test_jobseeker_plan_needs_the_job_seeking_obligation():
    case = planning_case(jobseeker=True)
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    plan = draft_plan(case, case.owner, job_seeking_obligation="")
    assert list(agreement_errors(plan)) == ["job_seeking_obligation"]
    services.plan_save_draft(
        by=case.owner, case=case, data={"job_seeking_obligation": "Hakee kahta työpaikkaa kuussa."}
    )
    services.plan_record_agreement(by=case.owner, plan=plan)


def test_other_plans_need_no_job_seeking_obligation():
    case = planning_case()
    plan = draft_plan(case, case.owner, job_seeking_obligation="")
    services.plan_record_agreement(by=case.owner, plan=plan)


# --- revisions ---------------------------------------------------------------------------------


def test_plans_last_at_most_24_months_in_total():
    with at(dt.date(2026, 1, 5)):
        case = CaseFactory(plan_active=True)
    first = case.plans.get()
    with at(dt.date(2026, 6, 1)):
        services.review_record(
            by=case.owner, case=case, notes="Jatketaan.", outcome=ReviewOutcome.REVISE
        )
        revision = case.plans.get(version=2)
        services.plan_save_draft(
            by=case.owner,
            case=case,
            data={"ends_on": add_months(first.starts_on, 24) + dt.timedelta(days=1)},
        )
        assert list(agreement_errors(revision)) == ["ends_on"]
        # A revision is not a first plan: it may run past 12 months, up to 24 in total.
        services.plan_save_draft(
            by=case.owner, case=case, data={"ends_on": add_months(first.starts_on, 24)}
        )
        services.plan_record_agreement(by=case.owner, plan=revision)
