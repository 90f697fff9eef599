"""Deriving the client's category from the recorded facts, with the precedence of
``casework.models.categories`` when facts point to several categories."""

import datetime as dt
import functools
import itertools

import pytest

from casework.models import Client, ClientCategory, LabourMarketStatus, ResidenceBasis, RuleSet
from casework.models.categories import derive_category as derive_on
from casework.models.categories import plan_always_required
from casework.rules import category_on
from tests.factories import CATEGORY_TRAITS, CaseFactory, ClientFactory

DAY = dt.date(2026, 3, 1)
# the rules of DAY: the wellbeing area supports young adults up to 23
derive_category = functools.partial(derive_on, on=DAY, aftercare_until_age=23)


def facts(**values) -> Client:
    """An unsaved client with no category-relevant facts except ``values``."""
    values.setdefault("residence_basis", ResidenceBasis.OTHER)
    values.setdefault("labour_market_status", LabourMarketStatus.UNKNOWN)
    return Client(**values)


# One way (or several) to fall in each category, on its own.
SINGLE_FACTS = [
    ({"unaccompanied_minor": True}, ClientCategory.UNACCOMPANIED_MINOR),
    (
        {"labour_market_status": LabourMarketStatus.UNEMPLOYED_JOBSEEKER},
        ClientCategory.UNEMPLOYED_JOBSEEKER,
    ),
    (
        {"arrived_as_unaccompanied_minor": True, "date_of_birth": dt.date(2005, 3, 2)},
        ClientCategory.YOUNG_ADULT_AFTERCARE,
    ),
    ({"trafficking_victim": True}, ClientCategory.TRAFFICKING_VICTIM),
    (
        {"residence_basis": ResidenceBasis.INTERNATIONAL_PROTECTION},
        ClientCategory.INTERNATIONAL_PROTECTION,
    ),
    ({"residence_basis": ResidenceBasis.QUOTA_REFUGEE}, ClientCategory.INTERNATIONAL_PROTECTION),
    (
        {"residence_basis": ResidenceBasis.FAMILY_OF_PROTECTED},
        ClientCategory.INTERNATIONAL_PROTECTION,
    ),
    ({"residence_basis": ResidenceBasis.TEMPORARY_PROTECTION}, ClientCategory.TEMPORARY_PROTECTION),
    ({"social_assistance_non_temporary": True}, ClientCategory.SOCIAL_ASSISTANCE),
    ({"child_home_care_allowance": True}, ClientCategory.HOME_PARENT),
    ({"labour_market_status": LabourMarketStatus.HOME_PARENT}, ClientCategory.HOME_PARENT),
    ({}, ClientCategory.OTHER),
    (
        {
            "residence_basis": ResidenceBasis.WORK,
            "labour_market_status": LabourMarketStatus.EMPLOYED,
        },
        ClientCategory.OTHER,
    ),
    (
        {
            "residence_basis": ResidenceBasis.STUDY,
            "labour_market_status": LabourMarketStatus.STUDENT,
        },
        ClientCategory.OTHER,
    ),
    (
        {
            "residence_basis": ResidenceBasis.FAMILY,
            "labour_market_status": LabourMarketStatus.OUTSIDE_LABOUR_FORCE,
        },
        ClientCategory.OTHER,
    ),
    ({"labour_market_status": LabourMarketStatus.ENTREPRENEUR}, ClientCategory.OTHER),
]

# The precedence of the module docstring, highest first, each with facts that touch
# different fields so that any two can be combined.
PRECEDENCE = [
    (ClientCategory.UNACCOMPANIED_MINOR, {"unaccompanied_minor": True}),
    (
        ClientCategory.UNEMPLOYED_JOBSEEKER,
        {"labour_market_status": LabourMarketStatus.UNEMPLOYED_JOBSEEKER},
    ),
    (
        ClientCategory.YOUNG_ADULT_AFTERCARE,
        {"arrived_as_unaccompanied_minor": True, "date_of_birth": dt.date(2005, 3, 2)},
    ),
    (ClientCategory.TRAFFICKING_VICTIM, {"trafficking_victim": True}),
    (ClientCategory.INTERNATIONAL_PROTECTION, {"residence_basis": ResidenceBasis.QUOTA_REFUGEE}),
    (ClientCategory.TEMPORARY_PROTECTION, {"residence_basis": ResidenceBasis.TEMPORARY_PROTECTION}),
    (ClientCategory.SOCIAL_ASSISTANCE, {"social_assistance_non_temporary": True}),
    (ClientCategory.HOME_PARENT, {"child_home_care_allowance": True}),
    (ClientCategory.OTHER, {}),
]


def test_every_category_is_reachable_and_tested():
    assert {expected for _facts, expected in SINGLE_FACTS} == set(ClientCategory)
    assert [category for category, _facts in PRECEDENCE] == list(ClientCategory)


@pytest.mark.parametrize(("values", "expected"), SINGLE_FACTS)
def test_single_fact_gives_its_category(values, expected):
    client = facts(**values)
    assert derive_category(client) == expected


@pytest.mark.parametrize(
    ("higher", "lower"),
    [
        pytest.param(h, lo, id=f"{h[0].value}>{lo[0].value}")
        for h, lo in itertools.combinations(PRECEDENCE, 2)
        if not set(h[1]) & set(lo[1])
    ],
)
def test_higher_category_wins_when_facts_conflict(higher, lower):
    (high_category, high_facts), (_low_category, low_facts) = higher, lower
    assert derive_category(facts(**low_facts, **high_facts)) == high_category


def test_only_protection_and_temporary_protection_cannot_conflict():
    """Both come from the one residence basis; every other pair of the order is combined."""
    exclusive = [
        (a, b)
        for (a, a_facts), (b, b_facts) in itertools.combinations(PRECEDENCE, 2)
        if set(a_facts) & set(b_facts)
    ]
    assert exclusive == [
        (ClientCategory.INTERNATIONAL_PROTECTION, ClientCategory.TEMPORARY_PROTECTION)
    ]


@pytest.mark.parametrize("position", range(len(PRECEDENCE)))
def test_the_highest_of_all_remaining_facts_wins(position):
    """Facts of this category and of every lower one at once: this category wins."""
    combined = {}
    for _category, values in reversed(PRECEDENCE[position:]):
        combined.update(values)
    assert derive_category(facts(**combined)) == PRECEDENCE[position][0]


def test_home_parent_labour_status_loses_to_social_assistance():
    client = facts(
        labour_market_status=LabourMarketStatus.HOME_PARENT,
        child_home_care_allowance=True,
        social_assistance_non_temporary=True,
    )
    assert derive_category(client) == ClientCategory.SOCIAL_ASSISTANCE


def test_unaccompanied_minor_always_gets_a_plan_unless_the_rules_say_otherwise():
    rules = RuleSet(unaccompanied_minor_always_plan=True)
    assert plan_always_required(ClientCategory.UNACCOMPANIED_MINOR, rules)
    for category in set(ClientCategory) - {ClientCategory.UNACCOMPANIED_MINOR}:
        assert not plan_always_required(category, rules)
    rules.unaccompanied_minor_always_plan = False
    assert not plan_always_required(ClientCategory.UNACCOMPANIED_MINOR, rules)


@pytest.mark.parametrize("category", list(ClientCategory), ids=lambda c: c.value)
def test_client_factory_traits_give_each_category(reference_data, category):
    client = ClientFactory(**CATEGORY_TRAITS[category])
    assert category_on(client) == category


@pytest.mark.parametrize("category", list(ClientCategory), ids=lambda c: c.value)
def test_opening_a_case_records_the_derived_category(reference_data, category):
    case = CaseFactory(client=ClientFactory(**CATEGORY_TRAITS[category]))
    case.refresh_from_db()
    assert case.category == category
