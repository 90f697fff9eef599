"""Deriving a client's category from the recorded facts (DOMAIN.md, 'Client categories').

When facts point to several categories, the first that applies wins, in this order:

1. an unaccompanied minor: the most protective rule (a plan is always made, with the
   wellbeing area);
2. a registered unemployed jobseeker: the employment authority's statutory duty, which it
   cannot hand to the municipality;
3. a victim of human trafficking;
4. a beneficiary of international protection, a quota refugee or their family member;
5. temporary protection;
6. non-temporary social assistance;
7. child home care allowance (a home parent);
8. anyone else in need of assessment.
"""

from __future__ import annotations

from .common import ClientCategory, LabourMarketStatus, ResidenceBasis

PROTECTION_BASES = {
    ResidenceBasis.INTERNATIONAL_PROTECTION,
    ResidenceBasis.QUOTA_REFUGEE,
    ResidenceBasis.FAMILY_OF_PROTECTED,
}


def derive_category(client) -> ClientCategory:
    """The one category the client falls in, following the precedence above."""
    if client.unaccompanied_minor:
        return ClientCategory.UNACCOMPANIED_MINOR
    if client.labour_market_status == LabourMarketStatus.UNEMPLOYED_JOBSEEKER:
        return ClientCategory.UNEMPLOYED_JOBSEEKER
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
