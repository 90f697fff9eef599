"""The case's copy of its client's municipality of residence (``IntegrationCase.municipality``,
issue 16): every service that opens a case, changes a client's municipality or moves a case to
another client record keeps it equal to the client's, so the programme's indicators find
exactly the cases they found through the client table before."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F

from casework import indicators, services
from casework.models import IntegrationCase, LabourMarketStatus
from tests.factories import KANNUS, KOKKOLA, CaseFactory, ClientFactory, municipality

pytestmark = pytest.mark.usefixtures("reference_data")

migration = importlib.import_module("casework.migrations.0014_case_municipality")


def assert_every_case_has_its_clients_municipality():
    assert not IntegrationCase.objects.exclude(municipality=F("client__municipality")).exists()
    for code in (KOKKOLA, KANNUS):
        ids = [municipality(code).pk]
        through_the_case = set(
            indicators._cases(ids, None, None).values_list("pk", flat=True)  # noqa: SLF001
        )
        through_the_client = set(
            IntegrationCase.objects.filter(client__municipality__in=ids).values_list(
                "pk", flat=True
            )
        )
        assert through_the_case == through_the_client


def test_a_new_case_takes_its_clients_municipality():
    case = CaseFactory(client=ClientFactory(in_kannus=True))
    assert case.municipality == municipality(KANNUS)
    assert_every_case_has_its_clients_municipality()


def test_a_move_changes_every_case_of_the_client_closed_ones_too():
    closed = CaseFactory(closed=True)
    assert closed.municipality == municipality(KOKKOLA)
    services.client_update(
        by=closed.owner, client=closed.client, changes={"municipality": municipality(KANNUS)}
    )
    closed.refresh_from_db()
    assert closed.municipality == municipality(KANNUS)
    assert_every_case_has_its_clients_municipality()


def test_a_transfer_to_another_municipality_keeps_it_equal():
    case = CaseFactory()
    services.client_update(
        by=case.owner, client=case.client, changes={"municipality": municipality(KANNUS)}
    )
    case = services.case_transfer(by=case.owner, case=case, reason="Muutti Kannukseen.")
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kannus"
    assert case.municipality == municipality(KANNUS)
    assert_every_case_has_its_clients_municipality()


def test_a_transfer_into_another_register_keeps_it_equal():
    """A jobseeker's case goes to the employment authority: the client's record moves or is
    copied into its register; the case follows the record it now has."""
    case = CaseFactory(client=ClientFactory(in_kannus=True))
    services.client_update(
        by=case.owner,
        client=case.client,
        changes={"labour_market_status": LabourMarketStatus.UNEMPLOYED_JOBSEEKER},
    )
    case = services.case_transfer(by=case.owner, case=case, reason="Työnhakijaksi.")
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    assert case.client.register.code == "kp-tyollisyysalue"
    assert case.municipality == case.client.municipality == municipality(KANNUS)
    assert_every_case_has_its_clients_municipality()


def test_a_case_cannot_be_saved_without_one():
    """Only the services set it (from the client); nothing fills it in behind their back."""
    case = CaseFactory(client=ClientFactory(in_kannus=True))
    case.municipality_id = None
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_the_migration_fills_in_every_case_from_its_client():
    """The migration's copy (run here on cases whose copy is wrong, as an existing database's
    cases have none): each case gets its own client's municipality."""
    in_kannus = CaseFactory(client=ClientFactory(in_kannus=True))
    in_kokkola = CaseFactory(closed=True)
    IntegrationCase.objects.filter(pk=in_kannus.pk).update(municipality=municipality(KOKKOLA))
    IntegrationCase.objects.filter(pk=in_kokkola.pk).update(municipality=municipality(KANNUS))
    migration.copy_from_clients(apps, None)
    assert IntegrationCase.objects.get(pk=in_kannus.pk).municipality == municipality(KANNUS)
    assert IntegrationCase.objects.get(pk=in_kokkola.pk).municipality == municipality(KOKKOLA)
    assert_every_case_has_its_clients_municipality()
