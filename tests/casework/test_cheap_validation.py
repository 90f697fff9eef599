"""``full_clean`` of the domain models leaves out only the checks that cannot fail where they
run (``casework.models.common.PublicIdMixin``): a foreign key set from a row read from the
database, the generated public id, a check constraint that ``clean()`` already checks. Every
other check still runs, and the database still enforces all of them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from casework.models import Client, IntegrationPlan, Municipality
from tests.factories import CaseFactory, municipality, organisation

pytestmark = pytest.mark.usefixtures("reference_data")


def _client(**fields):
    fields.setdefault("register", organisation("kokkola"))
    return Client(first_names="Amina", last_name="Hassan", **fields)


def test_a_foreign_key_set_from_a_loaded_row_is_not_looked_up_again(django_assert_num_queries):
    client = _client(municipality=municipality())
    with django_assert_num_queries(0):
        client.full_clean()


def test_a_foreign_key_set_by_id_is_still_checked(django_assert_num_queries):
    missing = (Municipality.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    client = _client(municipality_id=missing)
    with django_assert_num_queries(1), pytest.raises(ValidationError) as caught:
        client.full_clean()
    assert "municipality" in caught.value.message_dict


def test_the_generated_public_id_is_left_to_the_unique_index():
    existing = Client.objects.create(
        first_names="A",
        last_name="B",
        municipality=municipality(),
        register=organisation("kokkola"),
        personal_identity_code=None,
    )
    twin = _client(municipality=municipality(), uuid=existing.uuid)
    twin.full_clean()  # the generated public id is the unique index's business ...
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()  # ... and the index still refuses a duplicate


def test_a_plan_ending_before_it_starts_gets_the_message_without_a_query(
    django_assert_num_queries,
):
    case = CaseFactory(planning=True)
    plan = IntegrationPlan(
        case=case, version=1, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 4, 1)
    )
    with django_assert_num_queries(0), pytest.raises(ValidationError) as caught:
        plan.full_clean(exclude=["version"])
    assert caught.value.message_dict["ends_on"] == [
        gettext("The plan cannot end before it starts.")
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()  # the database's check constraint still holds
