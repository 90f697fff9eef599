"""Validating a client's record: the identity code against the date of birth, uniqueness,
dates in the future, the facts of an unaccompanied minor, languages; nothing is saved when
registration fails."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from casework import services
from casework.hetu import make_identity_code
from casework.models import Client
from permissions.models import AuditEntry
from tests.factories import (
    ClientFactory,
    StaffFactory,
    UserFactory,
    kokkola_unit,
    municipality,
    organisation,
)

pytestmark = pytest.mark.usefixtures("reference_data")

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def on_a_fixed_day():
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=HELSINKI), tick=False):
        yield TODAY


def field_errors(client: Client) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        client.full_clean()
    return caught.value.message_dict


def error_codes(client: Client) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        client.full_clean()
    return {field: [e.code for e in errors] for field, errors in caught.value.error_dict.items()}


def valid_client(**values) -> Client:
    """An unsaved client that passes ``full_clean`` unless ``values`` break it."""
    defaults = {
        "first_names": "Amina",
        "last_name": "Hassan",
        "municipality": municipality(),
        "register": organisation("kokkola"),
        "date_of_birth": dt.date(1995, 6, 21),
        "mother_tongue": "so",
    }
    defaults.update(values)
    return Client(**defaults)


def test_the_valid_client_is_valid():
    valid_client().full_clean()


# --- identity code -------------------------------------------------------------------------


def test_identity_code_is_optional():
    client = valid_client(personal_identity_code=None)
    client.full_clean()
    assert client.personal_identity_code is None


def test_identity_code_fills_in_the_date_of_birth():
    client = valid_client(personal_identity_code="131052-308T", date_of_birth=None)
    client.full_clean()
    assert client.date_of_birth == dt.date(1952, 10, 13)


def test_identity_code_is_stored_in_upper_case():
    client = valid_client(personal_identity_code="131052-308t", date_of_birth=None)
    client.full_clean()
    assert client.personal_identity_code == "131052-308T"


def test_date_of_birth_must_match_the_identity_code():
    errors = field_errors(
        valid_client(personal_identity_code="131052-308T", date_of_birth=dt.date(1952, 10, 14))
    )
    assert list(errors) == ["date_of_birth"]


def test_matching_date_of_birth_is_accepted():
    valid_client(
        personal_identity_code="131052-308T", date_of_birth=dt.date(1952, 10, 13)
    ).full_clean()


@pytest.mark.parametrize(
    ("code", "expected"),
    [("131052-308U", "hetu_checksum"), ("131052308T", "hetu_format"), ("320152-308T", "hetu_date")],
)
def test_bad_identity_code_is_a_field_error(code, expected):
    codes = error_codes(valid_client(personal_identity_code=code, date_of_birth=None))
    assert codes["personal_identity_code"] == [expected]


def test_identity_code_is_unique_in_a_register():
    ClientFactory(personal_identity_code="131052-308T", date_of_birth=None)
    codes = error_codes(valid_client(personal_identity_code="131052-308T", date_of_birth=None))
    assert codes == {"__all__": ["unique"]}


def test_identity_code_is_unique_in_a_register_whatever_the_case():
    ClientFactory(personal_identity_code="131052-308T", date_of_birth=None)
    codes = error_codes(valid_client(personal_identity_code="131052-308t", date_of_birth=None))
    assert codes == {"__all__": ["unique"]}


def test_another_register_may_hold_the_same_person():
    ClientFactory(personal_identity_code="131052-308T", date_of_birth=None)
    valid_client(
        personal_identity_code="131052-308T", date_of_birth=None, register=organisation("kannus")
    ).full_clean()


def test_the_database_refuses_a_duplicate_identity_code_in_a_register_too():
    ClientFactory(personal_identity_code="131052-308T", date_of_birth=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(
            first_names="X",
            last_name="Y",
            municipality=municipality(),
            register=organisation("kokkola"),
            personal_identity_code="131052-308T",
        )


def test_many_clients_without_an_identity_code():
    created = [ClientFactory(personal_identity_code=value) for value in (None, None, "", "")]
    assert Client.objects.filter(personal_identity_code__isnull=True).count() == 4
    assert all(c.personal_identity_code is None for c in created)


# --- dates ---------------------------------------------------------------------------------


def test_birth_today_is_accepted_and_tomorrow_refused(on_a_fixed_day):
    valid_client(date_of_birth=TODAY).full_clean()
    errors = field_errors(valid_client(date_of_birth=TODAY + dt.timedelta(days=1)))
    assert list(errors) == ["date_of_birth"]


def test_identity_code_of_someone_not_yet_born_is_refused(on_a_fixed_day):
    code = make_identity_code(dt.date(2026, 3, 11), 902)
    errors = field_errors(valid_client(personal_identity_code=code, date_of_birth=None))
    assert list(errors) == ["date_of_birth"]


def test_residence_permit_in_the_future_is_refused(on_a_fixed_day):
    valid_client(first_residence_permit_date=TODAY).full_clean()
    errors = field_errors(valid_client(first_residence_permit_date=TODAY + dt.timedelta(days=1)))
    assert list(errors) == ["first_residence_permit_date"]


def test_residence_permit_before_birth_is_refused():
    errors = field_errors(valid_client(first_residence_permit_date=dt.date(1990, 1, 1)))
    assert list(errors) == ["first_residence_permit_date"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date_of_birth": dt.date(2026, 3, 11)}, "date_of_birth"),
        ({"first_residence_permit_date": dt.date(2026, 4, 1)}, "first_residence_permit_date"),
    ],
)
def test_registering_with_a_future_date_saves_nothing(on_a_fixed_day, values, field):
    worker = StaffFactory()
    audit_before = AuditEntry.objects.count()
    data = {
        "first_names": "Amina",
        "last_name": "Hassan",
        "municipality": municipality(),
        "date_of_birth": dt.date(1995, 6, 21),
        **values,
    }
    with pytest.raises(ValidationError) as caught:
        services.client_register(by=worker, organisation=organisation("kokkola"), data=data)
    assert field in caught.value.message_dict
    assert not Client.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_registering_a_valid_client_saves_it_with_one_audit_entry():
    worker = StaffFactory()
    audit_before = AuditEntry.objects.count()
    client = services.client_register(
        by=worker,
        organisation=organisation("kokkola"),
        data={
            "first_names": "Amina",
            "last_name": "Hassan",
            "municipality": municipality(),
            "personal_identity_code": "131052-308T",
        },
    )
    assert client.pk and client.created_by == worker
    assert client.date_of_birth == dt.date(1952, 10, 13)
    assert AuditEntry.objects.count() == audit_before + 1


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(lambda: UserFactory(superuser=True), id="superuser-without-role"),
        pytest.param(lambda: StaffFactory(unit=kokkola_unit(), auditor=True), id="auditor"),
        pytest.param(lambda: UserFactory(), id="no-role"),
    ],
)
def test_registering_without_a_role_is_refused(user):
    with pytest.raises(PermissionDenied):
        services.client_register(
            by=user(),
            organisation=organisation("kokkola"),
            data={"first_names": "Amina", "last_name": "Hassan", "municipality": municipality()},
        )
    assert not Client.objects.exists()


# --- other facts ---------------------------------------------------------------------------


def test_interpreter_needs_a_language():
    assert list(field_errors(valid_client(interpreter_needed=True))) == ["interpreter_language"]
    valid_client(interpreter_needed=True, interpreter_language="so").full_clean()


@pytest.mark.parametrize("field", ["mother_tongue", "preferred_language", "interpreter_language"])
def test_unknown_language_code_is_refused(field):
    assert list(field_errors(valid_client(**{field: "xx"}))) == [field]


@pytest.mark.parametrize("code", ["fi", "sv", "uk", "prs", "ckb"])
def test_known_language_codes(code):
    valid_client(mother_tongue=code).full_clean()


def test_unaccompanied_minor_needs_a_date_of_birth_and_a_representative():
    errors = field_errors(valid_client(unaccompanied_minor=True, date_of_birth=None))
    assert set(errors) == {"date_of_birth", "minor_representative"}


def test_unaccompanied_minor_must_be_under_18(on_a_fixed_day):
    adult = valid_client(
        unaccompanied_minor=True, minor_representative="Liisa", date_of_birth=dt.date(2008, 3, 10)
    )
    assert list(field_errors(adult)) == ["unaccompanied_minor"]
    valid_client(
        unaccompanied_minor=True, minor_representative="Liisa", date_of_birth=dt.date(2008, 3, 11)
    ).full_clean()


def test_a_minor_who_turns_18_can_still_be_edited():
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=HELSINKI), tick=False):
        minor = ClientFactory(unaccompanied=True, date_of_birth=dt.date(2010, 1, 1))
    with time_machine.travel(dt.datetime(2029, 1, 1, 12, tzinfo=HELSINKI), tick=False):
        minor.phone = "+358 40 123 4567"
        minor.full_clean()
