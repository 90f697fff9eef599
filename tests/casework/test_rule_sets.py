"""Which rules applied on a given date, and rule sets that must not overlap."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from casework import services
from casework.models import CaseEvent, IntegrationCase, RuleSet, Step
from casework.rules import NoRuleSet, add_months, rules_on, rules_on_or_none
from casework.services import rules as rule_services
from permissions.models import AuditEntry
from tests.factories import ClientFactory, StaffFactory

pytestmark = pytest.mark.usefixtures("reference_data")

HELSINKI = ZoneInfo("Europe/Helsinki")
OLD = dt.date(2011, 9, 1)  # act 1386/2010, until 2025-01-01
NEW = dt.date(2025, 1, 1)  # act 681/2023, open-ended
BASIS = "Laki kotoutumisen edistämisestä 681/2023"


@pytest.mark.parametrize(
    ("day", "valid_from"),
    [
        (dt.date(2011, 9, 1), OLD),
        (dt.date(2018, 6, 15), OLD),
        (dt.date(2024, 12, 31), OLD),
        (dt.date(2025, 1, 1), NEW),
        (dt.date(2025, 1, 2), NEW),
        (dt.date(2040, 1, 1), NEW),
    ],
)
def test_the_rule_set_in_force_on_a_day(day, valid_from):
    assert rules_on(day).valid_from == valid_from
    assert rules_on_or_none(day).valid_from == valid_from


def test_the_two_rule_sets_differ_where_the_law_changed():
    old, new = rules_on(dt.date(2024, 12, 31)), rules_on(dt.date(2025, 1, 1))
    # a first plan of at most a year under both acts (1386/2010 12 §); 3 years in total under
    # the old act, 2 under the new one
    assert (old.first_plan_max_months, new.first_plan_max_months) == (12, 12)
    assert (old.plan_total_max_months, new.plan_total_max_months) == (36, 24)
    assert (old.review_interval_months, new.review_interval_months) == (12, 6)
    assert new.civic_orientation_min_hours == 70
    assert new.assessment_window_years == 3
    assert new.unaccompanied_minor_always_plan is True


def test_each_rule_set_has_a_target_for_every_step():
    for rules in RuleSet.objects.all():
        for step in Step:
            assert rules.target_days(step) is not None, (rules, step)
    assert rules_on(NEW).target_days(Step.INTAKE) == 14


@pytest.mark.parametrize(
    ("now", "valid_from"),
    [(dt.datetime(2024, 12, 31, 23, 30), OLD), (dt.datetime(2025, 1, 1, 0, 30), NEW)],
)
def test_today_in_finland_decides_by_default(now, valid_from):
    with time_machine.travel(now.replace(tzinfo=HELSINKI), tick=False):
        assert rules_on().valid_from == valid_from


def test_no_rule_set_before_the_first_one():
    day = dt.date(2011, 8, 31)
    assert rules_on_or_none(day) is None
    with pytest.raises(NoRuleSet) as caught:
        rules_on(day)
    error = caught.value
    assert isinstance(error, ValidationError)
    assert error.code == "no_rule_set"
    with translation.override("en"):
        assert "31.08.2011" in error.messages[0]


def test_no_rule_set_today_is_a_clear_translated_error(pseudo_finnish):
    RuleSet.objects.all().delete()
    with pytest.raises(NoRuleSet) as caught:
        rules_on()
    assert caught.value.code == "no_rule_set"
    with translation.override("fi"):
        assert caught.value.messages[0].startswith(pseudo_finnish)


def test_opening_a_case_with_no_rule_set_in_force_writes_nothing():
    client = ClientFactory()
    worker = StaffFactory()
    RuleSet.objects.all().delete()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(NoRuleSet):
        services.case_open(by=worker, client=client)
    assert not IntegrationCase.objects.exists()
    assert not CaseEvent.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_rules_follow_the_date_of_first_contact():
    """A case whose client first made contact in 2024 takes its integration period from the
    rules then in force."""
    RuleSet.objects.filter(valid_from=OLD).update(assessment_window_years=5)
    client = ClientFactory(first_residence_permit_date=dt.date(2024, 3, 1))
    case = services.case_open(by=StaffFactory(), client=client, contacted_on=dt.date(2024, 10, 1))
    assert case.integration_period_ends_on == dt.date(2029, 3, 1)
    second = ClientFactory(first_residence_permit_date=dt.date(2024, 3, 1))
    case = services.case_open(by=StaffFactory(), client=second, contacted_on=dt.date(2025, 2, 1))
    assert case.integration_period_ends_on == dt.date(2027, 3, 1)


# --- overlapping rule sets -------------------------------------------------------------------


def candidate(valid_from, valid_until=None) -> RuleSet:
    return RuleSet(name="Ehdotus", valid_from=valid_from, valid_until=valid_until)


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        pytest.param(dt.date(2015, 1, 1), dt.date(2016, 1, 1), id="inside-the-old-one"),
        pytest.param(dt.date(2010, 1, 1), dt.date(2012, 1, 1), id="across-the-old-start"),
        pytest.param(dt.date(2024, 6, 1), dt.date(2025, 6, 1), id="across-the-change"),
        pytest.param(dt.date(2010, 1, 1), dt.date(2026, 1, 1), id="around-the-old-one"),
        pytest.param(dt.date(2000, 1, 1), None, id="open-ended-around-everything"),
        pytest.param(dt.date(2030, 1, 1), None, id="open-ended-after-an-open-ended-one"),
        pytest.param(dt.date(2030, 1, 1), dt.date(2031, 1, 1), id="inside-the-open-ended-one"),
        pytest.param(dt.date(2011, 9, 1), dt.date(2011, 9, 2), id="same-first-day"),
        pytest.param(dt.date(2024, 12, 31), dt.date(2025, 1, 2), id="two-days-across-the-change"),
        pytest.param(dt.date(2000, 1, 1), dt.date(2011, 9, 2), id="ends-one-day-into-the-old"),
    ],
)
def test_overlapping_rule_sets_are_refused(valid_from, valid_until):
    with pytest.raises(ValidationError) as caught:
        candidate(valid_from, valid_until).clean()
    assert caught.value.code == "ruleset_overlap"


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        pytest.param(dt.date(2000, 1, 1), dt.date(2011, 9, 1), id="ends-where-the-old-starts"),
        pytest.param(dt.date(2011, 8, 31), dt.date(2011, 9, 1), id="the-one-day-before"),
    ],
)
def test_adjacent_rule_sets_are_allowed(valid_from, valid_until):
    candidate(valid_from, valid_until).clean()


def test_ending_the_open_one_makes_room_for_the_next_reform():
    current = RuleSet.objects.get(valid_from=NEW)
    current.valid_until = dt.date(2028, 1, 1)
    current.full_clean()  # does not clash with itself
    current.save()
    reform = candidate(dt.date(2028, 1, 1))
    reform.full_clean()
    reform.save()
    assert rules_on(dt.date(2027, 12, 31)) == current
    assert rules_on(dt.date(2028, 1, 1)) == reform
    with pytest.raises(ValidationError):
        candidate(dt.date(2027, 6, 1), dt.date(2027, 7, 1)).clean()


def test_an_existing_rule_set_does_not_clash_with_itself():
    for rules in RuleSet.objects.all():
        rules.full_clean()


@pytest.mark.parametrize("valid_until", [dt.date(2029, 12, 31), dt.date(2030, 1, 1)])
def test_the_end_must_be_after_the_start(valid_until):
    with pytest.raises(ValidationError) as caught:
        candidate(dt.date(2030, 1, 1), valid_until).clean()
    assert list(caught.value.message_dict) == ["valid_until"]


@pytest.mark.postgres
def test_the_database_refuses_an_overlapping_insert():
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.create(
            name="Ohi tarkistuksen", valid_from=dt.date(2024, 6, 1), valid_until=dt.date(2025, 6, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.create(name="Avoin", valid_from=dt.date(2030, 1, 1))
    assert RuleSet.objects.count() == 2


@pytest.mark.postgres
def test_the_database_allows_an_adjacent_insert():
    RuleSet.objects.create(name="Ennen", valid_from=dt.date(2000, 1, 1), valid_until=OLD)
    assert RuleSet.objects.count() == 3


# --- month arithmetic used by the rules --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 15), 6, dt.date(2025, 7, 15)),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 8, 31), 1, dt.date(2025, 9, 30)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
        (dt.date(2025, 3, 31), -1, dt.date(2025, 2, 28)),
        (dt.date(2025, 1, 1), -12, dt.date(2024, 1, 1)),
        (dt.date(2024, 2, 29), 36, dt.date(2027, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# --- the per-process cache of rule sets --------------------------------------------------------


def test_the_rule_set_of_a_day_is_read_once(django_assert_num_queries):
    day = dt.date(2026, 3, 1)
    rules_on(day)
    with django_assert_num_queries(0):
        assert rules_on(day).valid_from == NEW
        assert rules_on(day).target_days(Step.ASSESSMENT)


def test_a_saved_change_is_seen_at_once():
    """Changes go through the rule-set services, which empty the cache (issue 13: the cache
    is no longer emptied by the model's queryset)."""
    day = dt.date(2026, 3, 1)
    rules = rules_on(day)
    target = rules.targets.get(step=Step.ASSESSMENT)
    target.days += 10
    rule_services.step_target_save(by=None, target=target, changed=["days"], legal_basis=BASIS)
    assert rules_on(day).target_days(Step.ASSESSMENT) == target.days
    rules = RuleSet.objects.get(pk=rules.pk)
    rules.review_reminder_days = 21
    rule_services.rule_set_save(
        by=None, rule_set=rules, changed=["review_reminder_days"], legal_basis=BASIS
    )
    assert rules_on(day).review_reminder_days == 21
    rules.valid_until = dt.date(2026, 1, 1)
    rule_services.rule_set_save(by=None, rule_set=rules, changed=["valid_until"], legal_basis=BASIS)
    assert rules_on_or_none(day) is None


def test_a_new_rule_set_is_seen_at_once():
    day = dt.date(2031, 6, 1)
    assert rules_on(day).valid_from == NEW
    current = RuleSet.objects.get(valid_from=NEW)
    current.valid_until = dt.date(2031, 1, 1)
    rule_services.rule_set_save(
        by=None, rule_set=current, changed=["valid_until"], legal_basis=BASIS
    )
    rule_services.rule_set_save(
        by=None,
        rule_set=RuleSet(name="Uusi laki", valid_from=dt.date(2031, 1, 1)),
        legal_basis=BASIS,
    )
    assert rules_on(day).valid_from == dt.date(2031, 1, 1)


def test_no_cache_when_its_lifetime_is_zero(settings, django_assert_num_queries):
    settings.RULES_CACHE_SECONDS = 0
    day = dt.date(2026, 3, 1)
    rules_on(day)
    with django_assert_num_queries(2):  # the rule set and its targets
        rules_on(day)


def test_a_cached_rule_set_expires(settings, monkeypatch):
    """A change made in another process is seen when the cached copy expires."""
    from casework import rules as rules_module

    settings.RULES_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(rules_module.time, "monotonic", lambda: clock[0])
    day = dt.date(2026, 3, 1)
    first = rules_on(day)
    clock[0] += 59
    assert rules_on(day) is first
    clock[0] += 2
    assert rules_on(day) is not first
    assert rules_on(day).pk == first.pk
