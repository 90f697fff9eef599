"""Deriving a client's category from the recorded facts (DOMAIN.md, 'Client categories').

When facts point to several categories, the first that applies wins, in this order:

1. an unaccompanied minor: the most protective rule (a plan is always made, with the
   wellbeing area);
2. a registered unemployed jobseeker: the employment authority's statutory duty, which it
   cannot hand to the municipality;
3. a young adult who arrived as an unaccompanied minor, under the age up to which the
   wellbeing area supports becoming adult (23 from 1.1.2025, 25 before: the rule set's
   ``aftercare_until_age`` of the day): the municipality, with the wellbeing area;
4. a victim of human trafficking;
5. a beneficiary of international protection, a quota refugee or their family member;
6. temporary protection;
7. non-temporary social assistance;
8. child home care allowance (a home parent);
9. anyone else in need of assessment.

A young adult who is a jobseeker falls in 2 (the employment authority is responsible), but
the wellbeing area's support still applies (``in_aftercare``): it takes part in the
assessment either way.
"""

from __future__ import annotations

from django.utils import timezone

from .common import ClientCategory, LabourMarketStatus, ResidenceBasis

PROTECTION_BASES = {
    ResidenceBasis.INTERNATIONAL_PROTECTION,
    ResidenceBasis.QUOTA_REFUGEE,
    ResidenceBasis.FAMILY_OF_PROTECTED,
}


def in_aftercare(client, *, on, aftercare_until_age: int | None) -> bool:
    """Is the client on ``on`` a young adult who arrived as an unaccompanied minor and is
    still within the wellbeing area's support for becoming adult: 18 or over and under
    ``aftercare_until_age`` (the rule set's, of that day; None: no such support)?"""
    if not client.arrived_as_unaccompanied_minor or aftercare_until_age is None:
        return False
    age = client.age_on(on)
    return age is not None and 18 <= age < aftercare_until_age


def derive_category(client, *, on=None, aftercare_until_age: int | None = None) -> ClientCategory:
    """The one category the client falls in on ``on`` (today by default), following the
    precedence above. ``aftercare_until_age`` is the rule set's of that day (the services
    pass it, see ``casework.responsibility.category_on``); without it nobody is a young
    adult in aftercare."""
    on = on or timezone.localdate()
    if client.unaccompanied_minor:
        return ClientCategory.UNACCOMPANIED_MINOR
    if client.labour_market_status == LabourMarketStatus.UNEMPLOYED_JOBSEEKER:
        return ClientCategory.UNEMPLOYED_JOBSEEKER
    if in_aftercare(client, on=on, aftercare_until_age=aftercare_until_age):
        return ClientCategory.YOUNG_ADULT_AFTERCARE
    if client.trafficking_victim:
        return ClientCategory.TRAFFICKING_VICTIM
    if client.residence_basis in PROTECTION_BASES:
        return ClientCategory.INTERNATIONAL_PROTECTION
    if client.residence_basis == ResidenceBasis.TEMPORARY_PROTECTION:
        return ClientCategory.TEMPORARY_PROTECTION
    if client.social_assistance_non_temporary:
        return ClientCategory.SOCIAL_ASSISTANCE
    if (
        client.child_home_care_allowance
        or client.labour_market_status == LabourMarketStatus.HOME_PARENT
    ):
        return ClientCategory.HOME_PARENT
    return ClientCategory.OTHER


def plan_always_required(category: str, rules) -> bool:
    """An unaccompanied minor always gets a plan, with the wellbeing area (configurable)."""
    return category == ClientCategory.UNACCOMPANIED_MINOR and rules.unaccompanied_minor_always_plan
