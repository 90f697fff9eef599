"""Where signing in leads: my tasks for whoever works a queue, otherwise the part of the
service the person's roles are for, never an empty task list."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from casework import services as casework_services
from casework.models import Role, Unit
from workflows import services

from ..workflows.conftest import open_task

pytestmark = pytest.mark.django_db

PEOPLE = {
    "leila": ("kokkola", "welcome-office", Role.GUIDANCE_WORKER, "guidance:home"),
    "kirsi": ("kokkola", "kotoutumispalvelut", Role.COORDINATOR, "programme:list"),
    "aino": ("kokkola", "kotoutumispalvelut", Role.AUDITOR, "permissions:audit_log"),
    "henrik": ("kokkola", "welcome-office", Role.MANAGER, "guidance:home"),
    "anna": ("kokkola", "kotoutumispalvelut", Role.CASE_WORKER, "workflows:inbox"),
    "maria": ("kokkola", "kotoutumispalvelut", Role.MANAGER, "workflows:inbox"),
    "sanna": ("soite", "monialainen-kotoutuminen", Role.WELLBEING_WORKER, "workflows:inbox"),
    "admin": ("kokkola", "kotoutumispalvelut", Role.ADMINISTRATOR, "workflows:inbox"),
}


def _person(name):
    org, unit, role, _landing = PEOPLE[name]
    user = get_user_model().objects.create_user(username=name, password="pw-landing-1")
    casework_services.membership_grant(
        by=None, user=user, unit=Unit.objects.get(organisation__code=org, code=unit), role=role
    )
    return user


@pytest.mark.parametrize("name", PEOPLE)
def test_signing_in_leads_where_the_roles_work(client, reference_data, name):
    _person(name)
    response = client.post(
        reverse("login"), {"username": name, "password": "pw-landing-1"}, follow=True
    )
    assert response.status_code == 200
    chain = [url for url, _status in response.redirect_chain]
    assert chain[0] == reverse("workflows:start")
    assert chain[1] == reverse(PEOPLE[name][3])


def test_a_next_address_wins(client, reference_data):
    _person("leila")
    response = client.post(
        reverse("login") + "?next=" + reverse("workflows:queue"),
        {"username": "leila", "password": "pw-landing-1"},
    )
    assert response["Location"] == reverse("workflows:queue")


def test_a_person_without_a_queue_but_with_a_task_goes_to_the_task_list(client, staff, start_path):
    """A substitute's or a former worker's open task keeps them on their task list."""
    case = start_path()
    services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    staff["anna"].memberships.update(role=Role.COORDINATOR)
    client.force_login(staff["anna"])
    response = client.get(reverse("workflows:start"))
    assert response["Location"] == reverse("workflows:inbox")


def test_the_start_page_needs_a_sign_in(client):
    response = client.get(reverse("workflows:start"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
