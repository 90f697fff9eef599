"""Nothing tells a user that a client of another organisation exists: the answer for another
organisation's client is the answer for one that does not exist (issue 14)."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casework import services as casework_services
from casework.models import Municipality, Role, Unit


@pytest.fixture
def auditor(staff):
    user = get_user_model().objects.create_user(username="aino", password="x")
    casework_services.membership_grant(
        by=None,
        user=user,
        unit=Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut"),
        role=Role.AUDITOR,
    )
    return user


def test_the_audit_search_does_not_tell_another_organisations_client_from_none(
    client, auditor, start_path
):
    kannus_client = start_path(
        by="kaisa", organisation="kannus", municipality=Municipality.objects.get(code="217")
    )
    own = start_path()
    client.force_login(auditor)
    url = reverse("permissions:audit_log")
    unknown = client.get(url, {"client": str(uuid.uuid4())})
    other = client.get(url, {"client": str(kannus_client.client.uuid)})
    assert unknown.context["errors"] == other.context["errors"] != []
    assert list(other.context["page"].object_list) == []
    mine = client.get(url, {"client": str(own.client.uuid)})
    assert mine.context["errors"] == [] and len(mine.context["page"].object_list) > 0
