"""Each organisation keeps its own client register (issue 14, point 3): the identity code is
unique within a register, not across the database. The same person may be a client of
several organisations; registering never reveals another organisation's client; a case that
moves to another organisation takes the client into that organisation's register, linked to
the record it came from, with the audit trail.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from casework.hetu import make_identity_code
from casework.models import Client, IntegrationCase, Municipality, Organisation
from permissions.models import AuditEntry
from tests.api.conftest import Api, client_json
from tests.workflows.conftest import client_data
from workflows import services

BORN = dt.date(1990, 5, 5)
CODE = make_identity_code(BORN, 123)
KOKKOLA, KANNUS = "272", "217"


def _municipality(code):
    return Municipality.objects.get(code=code)


def _register(staff, by, organisation, municipality=KOKKOLA, **facts):
    data = client_data(
        personal_identity_code=CODE,
        date_of_birth=BORN,
        municipality=_municipality(municipality),
        **facts,
    )
    return services.client_register_and_start(
        by=staff[by], organisation=Organisation.objects.get(code=organisation), data=data
    )


def _page_form(**overrides):
    """The registration page's fields for the person with ``CODE``."""
    data = {
        "first_names": "Amina",
        "last_name": "Hassan",
        "personal_identity_code": CODE,
        "date_of_birth": BORN.isoformat(),
        "gender": "female",
        "mother_tongue": "ar",
        "preferred_language": "fi",
        "municipality": _municipality(KOKKOLA).pk,
        "contacted_on": dt.date.today().isoformat(),
        "residence_basis": "quota_refugee",
        "labour_market_status": "outside_labour_force",
    }
    data.update(overrides)
    return data


EXISTS_WORDS = ("already", "jo ", "redan")


def test_registering_another_organisations_client_reveals_nothing(client, staff):
    """Kannus has the person; Kokkola registers them (page and API) as anyone new."""
    kannus_case = _register(staff, "kaisa", "kannus", municipality=KANNUS)
    client.force_login(staff["anna"])
    response = client.post(reverse("workflows:client_register"), _page_form())
    assert response.status_code == 302, response.context["form"].errors
    api = Api(staff["bertil"]).post(
        "/clients/",
        client_json(
            personal_identity_code=make_identity_code(BORN, 124), date_of_birth="1990-05-05"
        ),
    )
    assert api.status_code == 201
    Kannus_again = Api(staff["anna"]).post(
        "/clients/", client_json(personal_identity_code=kannus_case.client.personal_identity_code)
    )
    # Kokkola's own record of the person exists now (the page made it): a duplicate in the
    # register of the user's own organisation, told on the field, naming only that one
    assert Kannus_again.status_code == 400
    message = " ".join(Kannus_again.json()["errors"]["personal_identity_code"])
    assert "Kannus" not in message
    kokkola = Client.objects.get(register__code="kokkola", personal_identity_code=CODE)
    kannus = Client.objects.get(register__code="kannus", personal_identity_code=CODE)
    assert kokkola.pk != kannus.pk
    assert kannus.cases.get() == kannus_case  # untouched


def test_a_client_who_moved_is_registered_in_the_new_municipality(staff):
    old = _register(staff, "anna", "kokkola")
    services.path_close(by=staff["anna"], case=old, reason="moved_away")
    new = _register(staff, "kaisa", "kannus", municipality=KANNUS)
    assert new.responsible_organisation.code == "kannus"
    assert new.client.register.code == "kannus" and new.client != old.client


def test_a_duplicate_in_ones_own_register_is_refused_on_the_field(client, staff):
    _register(staff, "anna", "kokkola")
    client.force_login(staff["bertil"])
    response = client.post(reverse("workflows:client_register"), _page_form())
    assert response.status_code == 400
    errors = response.context["form"].errors["personal_identity_code"]
    assert any("Kokkola" in e for e in errors), errors
    assert Client.objects.filter(personal_identity_code=CODE).count() == 1


@pytest.mark.parametrize("kokkola_case_open", [True, False])
def test_registering_elsewhere_a_person_the_register_knows_reveals_nothing(
    staff, kokkola_case_open
):
    """The employment authority's intake registers a person whom the responsibility table
    sends to Kokkola, which already has them. The intake gets the answer it gets for anyone;
    if Kokkola's case is closed, the new case joins Kokkola's record (no second record)."""
    first = _register(staff, "anna", "kokkola")
    if not kokkola_case_open:
        services.path_close(by=staff["anna"], case=first, reason="declined")
    response = Api(staff["tuomas"]).post(
        "/clients/", client_json(personal_identity_code=CODE, date_of_birth=BORN.isoformat())
    )
    assert response.status_code == 201, response.json()
    result = response.json()
    assert result["responsible_organisation"]["code"] == "kokkola"
    assert result["visible"] is False
    case = IntegrationCase.objects.get(uuid=result["case"])
    if kokkola_case_open:
        # two open cases for Kokkola to join: its worker sees both under one identity code
        assert case.client != first.client
        assert Client.objects.filter(personal_identity_code=CODE).count() == 2
    else:
        assert case.client == first.client
        assert Client.objects.filter(personal_identity_code=CODE).count() == 1
        linked = AuditEntry.objects.get(action="client.linked", client_id=first.client_id)
        assert linked.data["from_register"] == "kp-tyollisyysalue"


def test_a_transfer_takes_the_client_into_the_receiving_register(staff):
    case = _register(staff, "anna", "kokkola")
    record = case.client
    services.client_change(
        by=staff["anna"],
        client=record,
        changes={"municipality": _municipality(KANNUS)},
        reason="muutti Kannukseen",
    )
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kannus"
    assert case.client == record  # no other case kept it in Kokkola's register: it moved
    record.refresh_from_db()
    assert record.register.code == "kannus"
    entry = AuditEntry.objects.get(action="client.register_moved", client_id=record.pk)
    assert entry.data == {
        "from_register": "kokkola",
        "to_register": "kannus",
        "case": str(case.uuid),
    }


def test_a_transfer_links_the_record_to_the_receiving_registers_own(staff):
    """Kannus already has the person (an earlier, closed case); Kokkola's case moves there:
    it continues on Kannus's record, brought up to date and linked, both sides audited."""
    earlier = _register(staff, "kaisa", "kannus", municipality=KANNUS)
    services.path_close(by=staff["kaisa"], case=earlier, reason="moved_away")
    kannus_record = earlier.client
    case = _register(staff, "anna", "kokkola", non_disclosure=True, phone="+358 40 1")
    kokkola_record = case.client
    assert kokkola_record != kannus_record
    services.path_close(by=staff["anna"], case=case, reason="declined")
    case = services.path_start(by=staff["anna"], client=kokkola_record)  # a second Kokkola case
    services.client_change(
        by=staff["anna"],
        client=kokkola_record,
        changes={"municipality": _municipality(KANNUS)},
        reason="muutti Kannukseen",
    )
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kannus"
    assert case.client == kannus_record
    kannus_record.refresh_from_db()
    assert kannus_record.linked_from == kokkola_record
    assert kannus_record.non_disclosure and kannus_record.phone == "+358 40 1"
    kokkola_record.refresh_from_db()  # kept: Kokkola's closed case is on it
    assert kokkola_record.register.code == "kokkola"
    assert kokkola_record.cases.count() == 1
    to = AuditEntry.objects.get(action="client.linked", client_id=kannus_record.pk)
    assert to.data["from_register"] == "kokkola" and to.data["case"] == str(case.uuid)
    away = AuditEntry.objects.get(action="client.linked", client_id=kokkola_record.pk)
    assert away.data["to_register"] == "kannus"


def test_the_database_keeps_one_record_per_person_per_register(staff):
    record = _register(staff, "anna", "kokkola").client
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(
            first_names="X",
            last_name="Y",
            municipality=record.municipality,
            register=record.register,
            personal_identity_code=CODE,
        )
    Client.objects.create(
        first_names="X",
        last_name="Y",
        municipality=record.municipality,
        register=Organisation.objects.get(code="kannus"),
        personal_identity_code=CODE,
    )
