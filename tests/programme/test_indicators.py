"""Each computed indicator on a small fixture with known answers, and on an empty and a
one-client period. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import indicators
from casework.indicators import Period, compute, median, percentile_90
from casework.models import Municipality

from .conftest import D, make_case, make_event, make_participation, make_plan, make_review

pytestmark = pytest.mark.django_db

Y2025 = Period.year(2025)


def value(code, period=Y2025, **filters):
    filters.setdefault("municipalities", [Municipality.objects.get(code="272").pk])
    return compute(code, period, **filters)


# --- the helpers' definitions ---------------------------------------------------------------


def test_median_and_nearest_rank_percentile():
    assert median([]) is None and percentile_90([]) is None
    assert median([7]) == 7 and percentile_90([7]) == 7
    assert median([1, 2, 3, 10]) == 2.5
    assert percentile_90(range(1, 11)) == 9  # 9 of 10 values are at most 9
    assert percentile_90(range(1, 12)) == 10  # ceil(9.9) = 10th value
    with pytest.raises(ValueError):
        Period(D(2025, 2, 1), D(2025, 1, 1))


# --- empty and one-client periods: every registered indicator --------------------------------

EMPTY = {
    "new_clients": 0,
    "contact_to_assessment_median": None,
    "contact_to_assessment_p90": None,
    "assessment_to_plan_start_median": None,
    "assessment_to_plan_start_p90": None,
    "assessment_to_plan_approval_median": None,
    "assessment_to_plan_approval_p90": None,
    "steps_within_target": None,
    "plans_agreed": 0,
    "plans_refused": 0,
    "plan_refusal_share": None,
    "reviews_on_time": None,
    "plans_in_force_at_end": 0,
    "without_plan_at_period_end": 0,
    "wellbeing_participations": 0,
    "wellbeing_participation_median_days": None,
    "transfers": 0,
    "cases_closed": 0,
    "duplicate_open_paths": 0,
}


def test_every_indicator_has_a_known_empty_value():
    assert set(EMPTY) == set(indicators.REGISTRY)


@pytest.mark.parametrize("code", sorted(EMPTY))
def test_empty_period(reference_data, code):
    assert value(code) == EMPTY[code]
    assert value(code, municipalities=[]) == EMPTY[code]
    assert compute(code, Y2025, municipalities=None) == EMPTY[code]  # the whole country


# One client who went the whole way in 2025: contact 10.1., assessment 20.1.–9.2. with the
# wellbeing area (invited 25.1., contributed 4.2.), plan agreed 25.2., starting 20.2.,
# approved 1.3., reviewed 15.8. (due 1.9.), integration period ends 31.12.2026.
ONE_CLIENT = {
    "new_clients": 1,
    "contact_to_assessment_median": 30,
    "contact_to_assessment_p90": 30,
    "assessment_to_plan_start_median": 11,
    "assessment_to_plan_start_p90": 11,
    "assessment_to_plan_approval_median": 20,
    "assessment_to_plan_approval_p90": 20,
    "steps_within_target": 100.0,
    "plans_agreed": 1,
    "plans_refused": 0,
    "plan_refusal_share": 0.0,
    "reviews_on_time": 100.0,
    "plans_in_force_at_end": 1,
    "without_plan_at_period_end": 0,
    "wellbeing_participations": 1,
    "wellbeing_participation_median_days": 10,
    "transfers": 0,
    "cases_closed": 0,
    "duplicate_open_paths": 0,
}


@pytest.fixture
def one_client(reference_data):
    case = make_case(
        contacted=D(2025, 1, 10),
        started=D(2025, 1, 20),
        completed=D(2025, 2, 9),
        period_ends=D(2026, 12, 31),
    )
    make_participation(case, invited=D(2025, 1, 25), contributed=D(2025, 2, 4))
    plan = make_plan(case, starts=D(2025, 2, 20), approved=D(2025, 3, 1), decided=D(2025, 2, 25))
    make_review(plan, on=D(2025, 8, 15), next_due=D(2026, 2, 15))
    return case


def test_one_client_answers_are_complete():
    assert set(ONE_CLIENT) == set(indicators.REGISTRY)


@pytest.mark.parametrize("code", sorted(ONE_CLIENT))
def test_one_client_period(one_client, code):
    assert value(code) == ONE_CLIENT[code]
    # another year of the same client: nothing happened then
    assert value(code, Period.year(2023)) == EMPTY[code]
    # the filters: another municipality, category or mother tongue sees nothing of them
    kannus = Municipality.objects.get(code="217").pk
    assert value(code, municipalities=[kannus]) == EMPTY[code]
    assert value(code, category="unemployed_jobseeker") == EMPTY[code]
    assert value(code, language="uk") == EMPTY[code]
    assert value(code, category="international_protection", language="ar") == ONE_CLIENT[code]


# --- known answers on a few clients ---------------------------------------------------------


def test_new_clients_counts_distinct_clients_by_first_contact(reference_data):
    make_case(contacted=D(2025, 1, 1))
    make_case(contacted=D(2025, 12, 31))
    make_case(contacted=D(2024, 12, 31))  # last year
    make_case(contacted=D(2026, 1, 1))  # next year
    returning = make_case(contacted=D(2024, 3, 1), closed=D(2024, 9, 1))
    make_case(contacted=D(2025, 5, 1), client=returning.client)  # a new path, same client
    make_case(contacted=D(2025, 6, 1), municipality="217")  # Kannus
    assert value("new_clients") == 3
    both = [m.pk for m in Municipality.objects.filter(code__in=["272", "217"])]
    assert value("new_clients", municipalities=both) == 4
    assert value("new_clients", Period(D(2025, 1, 1), D(2025, 1, 1))) == 1


def test_contact_to_assessment_median_and_p90(reference_data):
    # days: 30, 99, 75 in Kokkola; 20 in Kannus; one completed in 2024 is not counted
    make_case(contacted=D(2025, 1, 10), started=D(2025, 1, 20), completed=D(2025, 2, 9))
    make_case(contacted=D(2025, 3, 1), started=D(2025, 3, 31), completed=D(2025, 6, 8))
    make_case(contacted=D(2024, 11, 1), started=D(2024, 11, 5), completed=D(2025, 1, 15))
    make_case(contacted=D(2024, 1, 1), started=D(2024, 1, 2), completed=D(2024, 12, 31))
    make_case(
        municipality="217", contacted=D(2025, 5, 5), started=D(2025, 5, 6), completed=D(2025, 5, 25)
    )
    assert value("contact_to_assessment_median") == 75
    assert value("contact_to_assessment_p90") == 99  # ceil(0.9 * 3) = 3rd of 30, 75, 99
    everywhere = {"municipalities": None}
    assert value("contact_to_assessment_median", **everywhere) == 52.5  # 20 30 | 75 99
    assert value("contact_to_assessment_p90", **everywhere) == 99


def test_assessment_to_plan_start_and_approval(reference_data):
    a = make_case(contacted=D(2025, 1, 1), completed=D(2025, 2, 9))
    make_plan(a, starts=D(2025, 2, 20), approved=D(2025, 3, 1))  # 11 / 20
    b = make_case(contacted=D(2025, 1, 1), completed=D(2025, 6, 8))
    make_plan(b, state="superseded", starts=D(2025, 7, 1), approved=D(2025, 7, 20))  # 23 / 42
    # a revision approved in 2025 is not a first plan; a first plan approved in 2024 is out
    make_plan(b, version=2, starts=D(2025, 9, 1), approved=D(2025, 9, 10))
    c = make_case(contacted=D(2024, 1, 1), completed=D(2024, 2, 1))
    make_plan(c, starts=D(2024, 3, 1), approved=D(2024, 3, 5))
    # a draft (not approved) does not count
    d = make_case(contacted=D(2025, 1, 1), completed=D(2025, 3, 1), state="planning")
    make_plan(d, state="draft", starts=D(2025, 4, 1))
    assert value("assessment_to_plan_start_median") == 17
    assert value("assessment_to_plan_start_p90") == 23
    assert value("assessment_to_plan_approval_median") == 31
    assert value("assessment_to_plan_approval_p90") == 42


def test_steps_within_target(reference_data):
    # targets of the 2025 rule set: intake 14, assessment 30 (+21 with the wellbeing area),
    # plan 14 + 14 + 7 = 35
    a = make_case(contacted=D(2025, 1, 10), started=D(2025, 1, 20), completed=D(2025, 2, 9))
    make_plan(a, starts=D(2025, 2, 20), approved=D(2025, 3, 1))  # 3 steps on time
    b = make_case(contacted=D(2025, 3, 1), started=D(2025, 3, 31), completed=D(2025, 6, 8))
    make_participation(b, invited=D(2025, 4, 1), contributed=D(2025, 4, 11))
    make_plan(b, starts=D(2025, 7, 1), approved=D(2025, 7, 20))  # 30 > 14, 69 > 51, 42 > 35
    c = make_case(contacted=D(2025, 5, 1), started=D(2025, 5, 15), completed=D(2025, 7, 4))
    make_participation(c, invited=D(2025, 5, 20), contributed=D(2025, 6, 1))  # 14; 50 <= 51
    # the intake of 2024 is not counted, its assessment finished in 2025 (40 > 30) is
    make_case(contacted=D(2024, 12, 1), started=D(2024, 12, 20), completed=D(2025, 1, 29))
    # 2025: on time a:3, c:2 of b:3, c:2, late:1 -> 5 of 9
    assert value("steps_within_target") == round(100 * 5 / 9, 1)


def test_steps_use_the_rule_set_in_force_when_the_step_began(reference_data):
    # the old rule set (until 31.12.2024) has the same targets in the fixture; change one
    from casework.models import StepTarget

    StepTarget.objects.filter(rule_set__valid_from=D(2011, 9, 1), step="intake").update(days=60)
    make_case(contacted=D(2024, 12, 1), started=D(2025, 1, 10))  # 40 days: on time by 2024 rules
    make_case(contacted=D(2025, 1, 1), started=D(2025, 2, 10))  # 40 days: late by 2025 rules
    assert value("steps_within_target") == 50.0


def test_plan_decisions(reference_data):
    for state in ("approved", "superseded", "ended", "refused", "refused"):
        case = make_case(contacted=D(2025, 1, 1), completed=D(2025, 2, 1))
        make_plan(case, state=state, decided=D(2025, 3, 1), starts=D(2025, 3, 1))
    old = make_case(contacted=D(2024, 1, 1))
    make_plan(old, state="refused", decided=D(2024, 12, 31))
    undecided = make_case(contacted=D(2025, 1, 1))
    make_plan(undecided, state="ended")  # ended as a draft: no decision
    assert value("plans_agreed") == 3
    assert value("plans_refused") == 2
    assert value("plan_refusal_share") == 40.0


def test_reviews_on_time(reference_data):
    # approved 1.3. (start 20.2.): first review due 1.9.
    a = make_case(contacted=D(2025, 1, 1), completed=D(2025, 2, 1))
    plan_a = make_plan(a, starts=D(2025, 2, 20), approved=D(2025, 3, 1))
    make_review(plan_a, on=D(2025, 9, 1), next_due=D(2025, 12, 1))  # on the day: on time
    make_review(plan_a, on=D(2025, 12, 2), next_due=D(2026, 6, 2))  # a day late
    # approved 1.1.2025, start 1.2.: due 1.8. (the later of the two); held 10.8.: late
    b = make_case(contacted=D(2024, 11, 1), completed=D(2024, 12, 1))
    plan_b = make_plan(b, starts=D(2025, 2, 1), approved=D(2025, 1, 1))
    make_review(plan_b, on=D(2025, 8, 10))
    # a review of 2024 is not counted
    c = make_case(contacted=D(2024, 1, 1), completed=D(2024, 1, 10))
    make_review(make_plan(c, starts=D(2024, 2, 1), approved=D(2024, 2, 1)), on=D(2024, 6, 1))
    assert value("reviews_on_time") == round(100 / 3, 1)


def test_plans_in_force_and_without_plan_at_the_end_of_the_period(reference_data):
    in_force = make_case(contacted=D(2024, 1, 1), completed=D(2024, 2, 1))
    make_plan(in_force, starts=D(2024, 3, 1), approved=D(2024, 3, 1))
    closed = make_case(contacted=D(2024, 1, 1), completed=D(2024, 2, 1), closed=D(2025, 6, 1))
    make_plan(closed, state="ended", starts=D(2024, 3, 1), approved=D(2024, 3, 1))
    late = make_case(contacted=D(2025, 1, 1), completed=D(2025, 2, 1))
    make_plan(late, starts=D(2026, 1, 5), approved=D(2026, 1, 5))  # approved after the year
    assert value("plans_in_force_at_end") == 1

    # integration periods ending in 2025
    make_case(contacted=D(2024, 1, 1), period_ends=D(2025, 6, 30))  # open, no plan: counted
    with_plan = make_case(
        contacted=D(2023, 12, 1), completed=D(2024, 1, 1), period_ends=D(2025, 8, 31)
    )
    make_plan(with_plan, starts=D(2024, 5, 1), approved=D(2024, 5, 1))
    make_case(contacted=D(2024, 1, 1), closed=D(2025, 3, 1), period_ends=D(2025, 4, 30))  # left
    make_case(contacted=D(2024, 1, 1), closed=D(2025, 4, 30), period_ends=D(2025, 4, 30))  # counted
    too_late = make_case(
        contacted=D(2024, 1, 1), completed=D(2025, 9, 1), period_ends=D(2025, 9, 30)
    )
    make_plan(too_late, starts=D(2025, 10, 1), approved=D(2025, 10, 1))  # approved after the end
    make_case(contacted=D(2024, 1, 1), period_ends=D(2026, 1, 1))  # ends next year
    assert value("without_plan_at_period_end") == 3


def test_wellbeing_participations_and_their_median_time(reference_data):
    case = make_case(contacted=D(2025, 1, 1))
    make_participation(case, invited=D(2025, 1, 10), contributed=D(2025, 1, 20))  # 10
    make_participation(case, invited=D(2025, 3, 1), contributed=D(2025, 3, 5))  # 4
    make_participation(case, invited=D(2024, 12, 20), contributed=D(2025, 1, 9))  # 20
    make_participation(case, invited=D(2025, 12, 20))  # no contribution yet
    make_participation(case, invited=D(2025, 12, 30), contributed=D(2026, 1, 2))  # next year
    assert value("wellbeing_participations") == 4
    assert value("wellbeing_participation_median_days") == 10


def test_transfers_and_closed_cases(reference_data):
    case = make_case(contacted=D(2025, 1, 1))
    make_event(case, "transferred", D(2025, 3, 1))
    make_event(case, "transferred", D(2025, 12, 31))
    make_event(case, "category_changed", D(2025, 4, 1))  # same organisation: not a transfer
    make_event(case, "transferred", D(2024, 12, 31))
    assert value("transfers") == 2

    make_case(contacted=D(2025, 1, 1), closed=D(2025, 2, 1), close_reason="moved_away")
    make_case(contacted=D(2025, 1, 1), closed=D(2025, 3, 1), close_reason="goals_met")
    make_case(contacted=D(2024, 1, 1), closed=D(2024, 3, 1), close_reason="goals_met")
    assert value("cases_closed") == 2
    assert value("cases_closed", option="all") == 2
    assert value("cases_closed", option="moved_away") == 1
    assert value("cases_closed", option="declined") == 0


def test_duplicate_open_paths(reference_data):
    # the same person registered twice; both paths open in June 2025
    make_case(contacted=D(2025, 2, 1), first_names="Amina", last_name="Hassan", born=D(1990, 5, 5))
    make_case(
        contacted=D(2025, 6, 1),
        closed=D(2025, 7, 1),
        first_names="AMINA",
        last_name="hassan",
        born=D(1990, 5, 5),
        municipality="217",
    )
    # same name, another birth date: another person
    make_case(contacted=D(2025, 2, 1), first_names="Amina", last_name="Hassan", born=D(1991, 5, 5))
    # registered twice, but the first path closed before the second opened: no overlap
    make_case(contacted=D(2025, 1, 1), closed=D(2025, 3, 1), first_names="Ivan", last_name="Petrov")
    make_case(contacted=D(2025, 4, 1), first_names="Ivan", last_name="Petrov")
    # overlapping only in 2024
    make_case(contacted=D(2024, 1, 1), closed=D(2024, 6, 1), first_names="Olga", last_name="Orlova")
    make_case(
        contacted=D(2024, 3, 1), closed=D(2024, 12, 1), first_names="Olga", last_name="Orlova"
    )
    assert value("duplicate_open_paths") == 1
    assert value("duplicate_open_paths", Period.year(2024)) == 1
    # Kannus sees the person too: one of the two paths is theirs
    kannus = Municipality.objects.get(code="217").pk
    assert value("duplicate_open_paths", municipalities=[kannus]) == 1
    assert value("duplicate_open_paths", category="unemployed_jobseeker") == 0


def test_a_failing_indicator_is_reported_not_raised(reference_data, monkeypatch):
    def broken(period, **filters):
        raise ZeroDivisionError("odd data")

    spec = indicators.REGISTRY["new_clients"]
    monkeypatch.setitem(
        indicators.REGISTRY,
        "new_clients",
        indicators.ComputedIndicator(**{**spec.__dict__, "function": broken}),
    )
    with pytest.raises(indicators.IndicatorFailed):
        value("new_clients")
    with pytest.raises(indicators.IndicatorFailed):
        value("no_such_indicator")


@pytest.mark.parametrize("code", sorted(EMPTY))
def test_each_indicator_costs_a_fixed_number_of_queries(one_client, code):
    with CaptureQueriesContext(connection) as few:
        value(code)
    for n in range(6):
        make_case(contacted=D(2025, 1, 10 + n), started=D(2025, 1, 20), completed=D(2025, 2, 9))
    with CaptureQueriesContext(connection) as more:
        value(code)

    def statements(captured):  # the savepoint round trips of the test's transaction aside
        return [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]

    assert len(statements(more)) == len(statements(few)) <= 5, (code, len(few), len(more))


# --- the report's yearly forms agree with the functions --------------------------------------


@pytest.fixture
def three_years(reference_data):
    """Paths spread over 2023–2025: every indicator has something to count in each year."""
    for year in (2023, 2024, 2025):
        a = make_case(
            contacted=D(year, 1, 10),
            started=D(year, 1, 20),
            completed=D(year, 2, 9 + year % 5),
            period_ends=D(year, 10, 1),
        )
        make_participation(a, invited=D(year, 1, 25), contributed=D(year, 2, year % 7 + 1))
        plan = make_plan(
            a, starts=D(year, 2, 20), approved=D(year, 3, year % 4 + 1), decided=D(year, 2, 25)
        )
        make_review(plan, on=D(year, 8, 15 + year % 3), next_due=D(year + 1, 2, 15))
        make_review(plan, on=D(year, 12, 20))
        b = make_case(
            contacted=D(year, 3, 1),
            started=D(year, 4, 20),
            completed=D(year, 6, 8),
            closed=D(year, 7, 1),
            close_reason="declined",
            period_ends=D(year, 12, 1),
        )
        make_plan(b, state="refused", decided=D(year, 6, 30))
        make_event(b, "transferred", D(year, 5, 5))
        make_case(
            contacted=D(year, 5, 1),
            first_names="Sama",
            last_name="Henkilö",
            born=D(1980, 1, 1),
            closed=D(year, 9, 1),
        )
        make_case(
            contacted=D(year, 6, 1),
            first_names="sama",
            last_name="henkilö",
            born=D(1980, 1, 1),
            closed=D(year, 8, 1),
            municipality="217",
        )
        make_case(contacted=D(year - 1, 1, 5), period_ends=D(year, 11, 30))  # no plan by then
    make_case(contacted=D(2025, 12, 31), category="unemployed_jobseeker", mother_tongue="uk")


@pytest.mark.parametrize("code", sorted(EMPTY))
def test_compute_years_agrees_with_the_function_year_by_year(three_years, code):
    kokkola = [Municipality.objects.get(code="272").pk]
    years = [2022, 2023, 2024, 2025, 2026]
    options = {"option": "declined"} if code == "cases_closed" else {}
    for filters in (
        {"municipalities": kokkola},
        {"municipalities": None},
        {"municipalities": kokkola, "category": "unemployed_jobseeker"},
    ):
        batch = indicators.compute_years(code, years, **filters, **options)
        one_by_one = {y: compute(code, Period.year(y), **filters, **options) for y in years}
        assert batch == one_by_one, (code, filters)
    assert any(
        v not in (0, None)
        for v in indicators.compute_years(code, years, municipalities=kokkola, **options).values()
    ), code


def test_the_yearly_forms_cost_one_query_for_all_the_years(three_years):
    for code in indicators.YEARLY:
        with CaptureQueriesContext(connection) as captured:
            indicators.compute_years(code, [2023, 2024, 2025], municipalities=None)
        statements = [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(statements) <= 4, (code, len(statements))


def test_a_review_due_from_a_review_before_the_years_asked_for(reference_data):
    """The yearly form finds the previous review of a plan even when it was held before the
    first year asked for: the second review below was due 15.2.2025 (set by the first, in
    2024) and was held late, whatever years the report covers."""
    case = make_case(contacted=D(2023, 11, 1), started=D(2023, 11, 10), completed=D(2023, 12, 1))
    # counted from the approval (six months), the second review would have been on time
    plan = make_plan(case, starts=D(2024, 9, 15), approved=D(2024, 9, 15))
    make_review(plan, on=D(2024, 10, 1), next_due=D(2025, 2, 15))
    make_review(plan, on=D(2025, 3, 1), next_due=D(2025, 9, 1))
    make_review(plan, on=D(2025, 8, 1))
    expected = compute("reviews_on_time", Period.year(2025))
    assert expected == 50.0
    assert indicators.compute_years("reviews_on_time", [2025]) == {2025: expected}
    assert indicators.compute_years("reviews_on_time", [2024, 2025])[2025] == expected


def test_the_indicators_of_a_report_read_what_they_share_once(three_years):
    """With one ``Shared`` for all of them (as a report passes), the figures are the same and
    the rule sets, the client decisions and the medians and percentiles of one source are
    read once (on PostgreSQL several indicators of the cases, and of the first plans, come
    from one query)."""
    kokkola = [Municipality.objects.get(code="272").pk]
    years = [2023, 2024, 2025]
    # steps that begin in one year and end in the next
    make_case(contacted=D(2023, 12, 1), started=D(2023, 12, 20), completed=D(2024, 1, 30))
    make_case(contacted=D(2024, 12, 28), started=D(2025, 1, 2), completed=D(2025, 3, 1))

    def statements(captured):
        return [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]

    for filters in (
        {"municipalities": None},
        {"municipalities": kokkola, "category": "unemployed_jobseeker"},
        {"municipalities": kokkola, "option": "declined"},  # cases_closed's own query
    ):
        shared = indicators.Shared()
        for code in indicators.REGISTRY:
            assert indicators.compute_years(
                code, years, **filters, shared=shared
            ) == indicators.compute_years(code, years, **filters), (code, filters)
    with CaptureQueriesContext(connection) as alone_queries:
        alone = {
            code: indicators.compute_years(code, years, municipalities=kokkola)
            for code in indicators.REGISTRY
        }
    shared = indicators.Shared()
    with CaptureQueriesContext(connection) as shared_queries:
        together = {
            code: indicators.compute_years(code, years, municipalities=kokkola, shared=shared)
            for code in indicators.REGISTRY
        }
    assert together == alone
    assert any(v not in (0, None) for values in together.values() for v in values.values())
    # decisions: 3 -> 1; day statistics: 6 -> 2; rule sets (two queries): 2 -> 1
    saved = len(statements(alone_queries)) - len(statements(shared_queries))
    assert saved >= 2 + 4 + 2, saved


def test_steps_whose_rule_set_lacks_a_target_are_left_out_by_the_yearly_form_too(three_years):
    """A rule set without the target of a step: those steps are not counted, in the function
    and in the yearly form (which counts in the database on PostgreSQL)."""
    from casework.models import RuleSet, StepTarget

    latest = RuleSet.objects.order_by("-valid_from").first()
    StepTarget.objects.filter(rule_set=latest, step__in=["intake", "multi_professional"]).delete()
    years = [2023, 2024, 2025]
    batch = indicators.compute_years("steps_within_target", years)
    assert batch == {y: compute("steps_within_target", Period.year(y)) for y in years}
    assert any(v is not None for v in batch.values())
