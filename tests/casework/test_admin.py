"""The admin configures organisations, units, memberships, responsibility tables, the
catalogue and rule sets, with names in the admin's language, and shows no client data."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.models import Client, IntegrationCase, Organisation, Role, RuleSet, Unit

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def administrator(db):
    user = get_user_model().objects.create_user(username="aki", password="x", is_staff=True)
    services.membership_grant(
        by=None,
        user=user,
        role=Role.ADMINISTRATOR,
        unit=Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut"),
    )
    return user


def test_configuration_is_in_the_admin_and_client_data_is_not():
    registered = set(admin.site._registry)
    assert {Organisation, Unit, RuleSet} <= registered
    assert Client not in registered and IntegrationCase not in registered


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("fi", "Keski-Pohjanmaan hyvinvointialue Soite"),
        ("sv", "Välfärdsområdet i Mellersta Österbotten Soite"),
        ("en", "Central Ostrobothnia Wellbeing Services County Soite"),
    ],
)
def test_administrator_sees_names_in_the_admins_language(client, administrator, language, name):
    client.force_login(administrator)
    with translation.override(language):
        url = reverse("admin:casework_organisation_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert name in response.content.decode()


def test_administrator_edits_the_responsibility_table(client, administrator):
    client.force_login(administrator)
    url = reverse("admin:casework_responsibilityrule_changelist")
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:casework_ruleset_add")).status_code == 200
