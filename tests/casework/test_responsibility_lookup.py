"""Who is responsible for a client: the municipality's responsibility table."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from casework import services
from casework.models import (
    CaseEvent,
    Client,
    ClientCategory,
    IntegrationCase,
    Municipality,
    Organisation,
    OrganisationKind,
    ResponsibilityRule,
    Unit,
)
from casework.responsibility import (
    NoResponsibleOrganisation,
    intake_unit,
    responsibility_for,
    responsible_organisation,
    wellbeing_area_for,
    wellbeing_unit_for,
)
from permissions.models import AuditEntry
from tests.factories import (
    KANNUS,
    KOKKOLA,
    CaseFactory,
    ClientFactory,
    StaffFactory,
    municipality,
    organisation,
    unit,
)

pytestmark = pytest.mark.usefixtures("reference_data")

EXPECTED = {
    # municipality: (organisation for everyone but jobseekers, its intake unit)
    KOKKOLA: ("kokkola", "kotoutumispalvelut"),
    KANNUS: ("kannus", "kotoutumistyo"),
}


@pytest.mark.parametrize("municipality_code", [KOKKOLA, KANNUS])
@pytest.mark.parametrize("category", list(ClientCategory), ids=lambda c: c.value)
def test_table_names_the_responsible_organisation_and_unit(municipality_code, category):
    rule = responsibility_for(municipality=municipality(municipality_code), category=category)
    if category == ClientCategory.UNEMPLOYED_JOBSEEKER:
        expected_org, expected_unit = "kp-tyollisyysalue", "maahanmuuttajapalvelut"
    else:
        expected_org, expected_unit = EXPECTED[municipality_code]
    assert rule.organisation.code == expected_org
    assert intake_unit(rule).code == expected_unit
    assert intake_unit(rule).organisation.code == expected_org
    assert (
        responsible_organisation(municipality=municipality(municipality_code), category=category)
        == rule.organisation
    )


@pytest.mark.parametrize(
    ("traits", "expected_org", "expected_unit"),
    [
        ({}, "kokkola", "kotoutumispalvelut"),
        ({"jobseeker": True}, "kp-tyollisyysalue", "maahanmuuttajapalvelut"),
        ({"in_kannus": True}, "kannus", "kotoutumistyo"),
        ({"in_kannus": True, "jobseeker": True}, "kp-tyollisyysalue", "maahanmuuttajapalvelut"),
        ({"in_kannus": True, "unaccompanied": True}, "kannus", "kotoutumistyo"),
    ],
)
def test_a_new_case_lands_in_the_responsible_queue(traits, expected_org, expected_unit):
    case = CaseFactory(client=ClientFactory(**traits))
    assert case.responsible_organisation.code == expected_org
    assert case.unit.code == expected_unit


def test_intake_at_the_welcome_office_routes_a_jobseeker_to_the_employment_authority():
    welcome_office = StaffFactory(unit=unit("kokkola", "welcome-office"))
    client = ClientFactory(jobseeker=True)
    case = services.case_open(by=welcome_office, client=client)
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    assert case.unit.code == "maahanmuuttajapalvelut"


def test_rule_without_a_unit_uses_the_first_active_ordinary_unit():
    rule = ResponsibilityRule.objects.get(municipality__code=KOKKOLA, category="other")
    rule.unit = None
    rule.save()
    assert intake_unit(rule).code == "kotoutumispalvelut"
    Unit.objects.filter(organisation__code="kokkola", code="kotoutumispalvelut").update(
        is_active=False
    )
    assert intake_unit(ResponsibilityRule.objects.get(pk=rule.pk)).code == "welcome-office"


def test_an_inactive_unit_in_the_table_falls_back_to_an_active_one():
    Unit.objects.filter(organisation__code="kokkola", code="kotoutumispalvelut").update(
        is_active=False
    )
    rule = responsibility_for(municipality=municipality(KOKKOLA), category="other")
    assert intake_unit(rule).code == "welcome-office"


def test_an_organisation_with_no_active_unit_is_a_clear_error():
    Unit.objects.filter(organisation__code="kokkola").update(is_active=False)
    rule = responsibility_for(municipality=municipality(KOKKOLA), category="other")
    with pytest.raises(NoResponsibleOrganisation) as caught:
        intake_unit(rule)
    assert caught.value.code == "no_unit"


# --- a gap in the table ---------------------------------------------------------------------


def test_missing_row_is_a_clear_translated_error(pseudo_finnish):
    ResponsibilityRule.objects.filter(municipality__code=KOKKOLA, category="home_parent").delete()
    with translation.override("en"), pytest.raises(NoResponsibleOrganisation) as caught:
        responsibility_for(municipality=municipality(KOKKOLA), category="home_parent")
    error = caught.value
    assert isinstance(error, ValidationError)
    assert error.code == "no_responsible_organisation"
    assert error.params["municipality"] == municipality(KOKKOLA)
    with translation.override("en"):
        text = " ".join(error.messages)
        assert "Kokkola" in text
        assert str(ClientCategory.HOME_PARENT.label) in text
        assert not text.startswith(pseudo_finnish)
    with translation.override("fi"):
        assert error.messages[0].startswith(pseudo_finnish)
        assert str(error.params["category"]).startswith(pseudo_finnish)
    # Other categories of the same municipality still resolve.
    assert responsibility_for(municipality=municipality(KOKKOLA), category="other")


def test_municipality_with_no_table_at_all():
    kruunupyy = Municipality.objects.get(code="288")  # Kruunupyy, served by no demo organisation
    for category in ClientCategory:
        with pytest.raises(NoResponsibleOrganisation) as caught:
            responsibility_for(municipality=kruunupyy, category=category)
        assert caught.value.code == "no_responsible_organisation"


def test_inactive_responsible_organisation_counts_as_missing():
    Organisation.objects.filter(code="kannus").update(is_active=False)
    with pytest.raises(NoResponsibleOrganisation):
        responsibility_for(municipality=municipality(KANNUS), category="other")
    # The employment authority still serves Kannus's jobseekers.
    assert (
        responsible_organisation(
            municipality=municipality(KANNUS), category="unemployed_jobseeker"
        ).code
        == "kp-tyollisyysalue"
    )


def test_opening_a_case_with_no_responsible_organisation_writes_nothing():
    ResponsibilityRule.objects.filter(municipality__code=KOKKOLA, category="other").delete()
    client = ClientFactory()
    worker = StaffFactory()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(NoResponsibleOrganisation):
        services.case_open(by=worker, client=client)
    assert not IntegrationCase.objects.exists()
    assert not CaseEvent.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert Client.objects.filter(pk=client.pk).exists()


def test_wellbeing_area_and_its_invitation_unit():
    for code in (KOKKOLA, KANNUS):
        area = wellbeing_area_for(municipality(code))
        assert area.code == "soite"
        assert wellbeing_unit_for(area).code == "monialainen-kotoutuminen"


def test_no_wellbeing_area_is_a_clear_error():
    Organisation.objects.filter(kind=OrganisationKind.WELLBEING_AREA).update(is_active=False)
    with pytest.raises(NoResponsibleOrganisation) as caught:
        wellbeing_area_for(municipality(KOKKOLA))
    assert caught.value.code == "no_wellbeing_area"


# --- editing the table ----------------------------------------------------------------------


def rule(municipality_code, category, organisation_code, unit_code=None):
    return ResponsibilityRule(
        municipality=municipality(municipality_code),
        category=category,
        organisation=organisation(organisation_code),
        unit=unit(organisation_code, unit_code) if unit_code else None,
    )


def clean_errors(candidate) -> dict:
    with pytest.raises(ValidationError) as caught:
        candidate.clean()
    return caught.value.message_dict


def test_the_fixture_table_is_valid():
    rules = list(ResponsibilityRule.objects.all())
    assert len(rules) == 2 * len(ClientCategory)
    for row in rules:
        row.full_clean()


@pytest.mark.parametrize("municipality_code", [KOKKOLA, KANNUS])
def test_a_municipality_cannot_be_responsible_for_jobseekers(municipality_code):
    own = EXPECTED[municipality_code][0]
    errors = clean_errors(rule(municipality_code, "unemployed_jobseeker", own))
    assert list(errors) == ["organisation"]
    with translation.override("en"):
        assert (
            "employment authority"
            in clean_errors(rule(municipality_code, "unemployed_jobseeker", own))["organisation"][0]
        )


def test_the_employment_authority_may_be_responsible_for_jobseekers():
    rule(KOKKOLA, "unemployed_jobseeker", "kp-tyollisyysalue").clean()


def test_a_municipality_may_hand_others_to_the_employment_authority():
    rule(KOKKOLA, "other", "kp-tyollisyysalue").clean()


@pytest.mark.parametrize(
    ("municipality_code", "organisation_code"),
    [(KOKKOLA, "kannus"), (KANNUS, "kokkola")],
)
def test_an_organisation_that_does_not_serve_the_municipality_is_refused(
    municipality_code, organisation_code
):
    errors = clean_errors(rule(municipality_code, "other", organisation_code))
    assert list(errors) == ["organisation"]
    with translation.override("en"):
        assert (
            "does not serve"
            in clean_errors(rule(municipality_code, "other", organisation_code))["organisation"][0]
        )


def test_an_employment_authority_that_does_not_serve_the_municipality_is_refused():
    kruunupyy = Municipality.objects.get(code="288")
    candidate = ResponsibilityRule(
        municipality=kruunupyy,
        category="unemployed_jobseeker",
        organisation=organisation("kp-tyollisyysalue"),
    )
    assert list(clean_errors(candidate)) == ["organisation"]


@pytest.mark.parametrize("organisation_code", ["soite", "kpedu"])
def test_only_a_municipality_or_employment_authority_can_be_responsible(organisation_code):
    errors = clean_errors(rule(KOKKOLA, "other", organisation_code))
    assert list(errors) == ["organisation"]


def test_the_unit_must_belong_to_the_responsible_organisation():
    candidate = rule(KOKKOLA, "other", "kokkola")
    candidate.unit = unit("kannus", "kotoutumistyo")
    assert list(clean_errors(candidate)) == ["unit"]


def test_one_row_per_municipality_and_category():
    duplicate = rule(KOKKOLA, "other", "kokkola", "kotoutumispalvelut")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.message_dict


# --- responsibility moves with the client's facts ----------------------------------------------


def transfer(case, **changes):
    services.client_update(by=case.owner, client=case.client, changes=changes)
    return services.case_transfer(by=case.owner, case=case, reason="Tilanne muuttui.")


def test_a_home_parent_who_registers_as_a_jobseeker_moves_to_the_employment_authority():
    case = CaseFactory(client=ClientFactory(home_parent=True), assessment=True)
    old_worker = case.owner
    case = transfer(case, labour_market_status="unemployed_jobseeker")
    case = IntegrationCase.objects.get(pk=case.pk)
    assert case.category == ClientCategory.UNEMPLOYED_JOBSEEKER
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    assert case.unit.code == "maahanmuuttajapalvelut"
    assert case.owner is None
    assert case.state == "assessment"  # the work in progress moves along
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert event.kind == "transferred"
    assert event.data["from"]["organisation"] == "kokkola"
    assert event.data["to"]["organisation"] == "kp-tyollisyysalue"
    with pytest.raises(PermissionDenied):
        services.assessment_save_draft(by=old_worker, case=case, data={"literacy": "latin"})
    services.assessment_save_draft(
        by=StaffFactory(unit=unit("kp-tyollisyysalue", "maahanmuuttajapalvelut")),
        case=case,
        data={"literacy": "latin"},
    )


def test_a_client_who_moves_to_kannus_moves_to_kannus():
    case = CaseFactory()
    case = transfer(case, municipality=municipality(KANNUS))
    assert case.responsible_organisation.code == "kannus"
    assert case.unit.code == "kotoutumistyo"


def test_a_new_category_with_the_same_organisation_keeps_the_worker():
    case = CaseFactory()
    case = transfer(case, trafficking_victim=True)
    case = IntegrationCase.objects.get(pk=case.pk)
    assert case.category == ClientCategory.TRAFFICKING_VICTIM
    assert case.responsible_organisation.code == "kokkola"
    assert case.owner is not None
    assert CaseEvent.objects.filter(case=case).latest("pk").kind == "category_changed"


def test_nothing_to_move_writes_nothing():
    case = CaseFactory()
    events, audit = CaseEvent.objects.count(), AuditEntry.objects.count()
    services.case_transfer(by=case.owner, case=case, reason="Tarkistus.")
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, audit)


def test_moving_to_a_municipality_with_a_gap_in_its_table_changes_nothing():
    ResponsibilityRule.objects.filter(municipality__code=KANNUS, category="other").delete()
    case = CaseFactory()
    services.client_update(
        by=case.owner, client=case.client, changes={"municipality": municipality(KANNUS)}
    )
    before = IntegrationCase.objects.filter(pk=case.pk).values().get()
    events = CaseEvent.objects.count()
    with pytest.raises(NoResponsibleOrganisation):
        services.case_transfer(by=case.owner, case=case, reason="Muutti Kannukseen.")
    assert IntegrationCase.objects.filter(pk=case.pk).values().get() == before
    assert CaseEvent.objects.count() == events
