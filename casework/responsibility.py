"""Who is responsible for a client: the municipality's responsibility table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    ClientCategory,
    Municipality,
    Organisation,
    OrganisationKind,
    ResponsibilityRule,
    Unit,
)


class NoResponsibleOrganisation(ValidationError):
    """The municipality's responsibility table has no row for the category."""


def responsibility_for(*, municipality: Municipality, category: str) -> ResponsibilityRule:
    rule = (
        ResponsibilityRule.objects.select_related("organisation", "unit", "municipality")
        .filter(municipality=municipality, category=category)
        .first()
    )
    if rule is None or not rule.organisation.is_active:
        raise NoResponsibleOrganisation(
            _(
                "The responsibility table of %(municipality)s names no organisation for the "
                "category “%(category)s”. An administrator must complete the table."
            ),
            params={"municipality": municipality, "category": ClientCategory(category).label},
            code="no_responsible_organisation",
        )
    return rule


def responsible_organisation(*, municipality: Municipality, category: str) -> Organisation:
    return responsibility_for(municipality=municipality, category=category).organisation


def intake_unit(rule: ResponsibilityRule) -> Unit:
    """The unit whose queue receives a new case under ``rule``."""
    if rule.unit_id and rule.unit.is_active:
        return rule.unit
    unit = (
        rule.organisation.units.filter(is_active=True, handles_wellbeing_participation=False)
        .order_by("pk")
        .first()
    )
    if unit is None:
        raise NoResponsibleOrganisation(
            _("%(organisation)s has no active unit to receive the case."),
            params={"organisation": rule.organisation},
            code="no_unit",
        )
    return unit


def wellbeing_area_for(municipality: Municipality) -> Organisation:
    area = (
        Organisation.objects.filter(
            kind=OrganisationKind.WELLBEING_AREA, is_active=True, municipalities=municipality
        )
        .order_by("pk")
        .first()
    )
    if area is None:
        raise NoResponsibleOrganisation(
            _("No wellbeing area serves %(municipality)s."),
            params={"municipality": municipality},
            code="no_wellbeing_area",
        )
    return area


def wellbeing_unit_for(area: Organisation) -> Unit:
    unit = (
        area.units.filter(is_active=True).order_by("-handles_wellbeing_participation", "pk").first()
    )
    if unit is None:
        raise NoResponsibleOrganisation(
            _("%(organisation)s has no active unit to receive invitations."),
            params={"organisation": area},
            code="no_unit",
        )
    return unit
