"""Memberships and roles (issue 14, point 4): every change goes through the staff services,
is written to the audit trail (who, whom, what, when), nobody gives himself a role that
reads client data, and the organisation's managers hear of every new membership that does.
The organisation's administrator cannot touch superuser status, permissions or passwords."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.models import Membership, Role, Unit
from casework.services import staff as staff_services
from permissions.models import AuditEntry

pytestmark = pytest.mark.usefixtures("reference_data")


def _unit(org="kokkola", code="kotoutumispalvelut"):
    return Unit.objects.get(organisation__code=org, code=code)


def _user(username, **extra):
    return get_user_model().objects.create_user(
        username=username, password="x", email=f"{username}@example.invalid", **extra
    )


@pytest.fixture
def aki(db):
    """Kokkola's administrator, as in the demo: staff of the admin site, not a superuser."""
    user = _user("aki", is_staff=True)
    services.membership_grant(by=None, user=user, unit=_unit(), role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def maria(db):
    user = _user("maria")
    services.membership_grant(by=None, user=user, unit=_unit(), role=Role.MANAGER)
    return user


@pytest.fixture
def kalle(db):
    """Kannus's manager: hears nothing of Kokkola's memberships."""
    user = _user("kalle")
    services.membership_grant(
        by=None, user=user, unit=_unit("kannus", "kotoutumistyo"), role=Role.MANAGER
    )
    return user


def _url(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


# --- the service -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.MANAGER])
def test_nobody_gives_himself_a_role_that_reads_client_data(aki, role):
    with pytest.raises(PermissionDenied):
        services.membership_grant(by=aki, user=aki, unit=_unit(), role=role)
    assert not Membership.objects.filter(user=aki, role=role).exists()
    assert not aki.groups.filter(name=role).exists()


def test_nor_the_right_to_see_protected_details(aki):
    own = aki.memberships.get()
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            by=aki, user=aki, unit=_unit(), role=Role.ADMINISTRATOR, can_see_protected_details=True
        )
    own.refresh_from_db()
    assert own.can_see_protected_details is False


def test_a_grant_a_change_and_an_end_are_each_audited_with_who_whom_what(aki):
    bertil = _user("bertil")
    membership = services.membership_grant(by=aki, user=bertil, unit=_unit(), role=Role.CASE_WORKER)
    granted = AuditEntry.objects.get(action="membership.granted", object_id=str(membership.pk))
    assert granted.actor == aki
    assert granted.data["user"] == "bertil"
    assert granted.data["unit"] == "kokkola/kotoutumispalvelut"
    assert granted.data["role"] == Role.CASE_WORKER
    assert granted.data["client_access"] is True
    assert bertil.groups.filter(name=Role.CASE_WORKER).exists()

    membership.role = Role.MANAGER
    staff_services.membership_save(by=aki, membership=membership)
    changed = AuditEntry.objects.get(action="membership.changed")
    assert changed.data["changes"] == {"role": [Role.CASE_WORKER, Role.MANAGER]}
    bertil = get_user_model().objects.get(pk=bertil.pk)
    assert set(bertil.groups.values_list("name", flat=True)) == {Role.MANAGER}

    membership.is_active = False
    staff_services.membership_save(by=aki, membership=membership)
    ended = AuditEntry.objects.get(action="membership.ended")
    assert ended.data["user"] == "bertil" and ended.actor == aki
    assert not get_user_model().objects.get(pk=bertil.pk).groups.exists()


def test_an_administrator_manages_only_his_own_organisations_memberships(aki):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            by=aki,
            user=_user("sanna"),
            unit=_unit("soite", "monialainen-kotoutuminen"),
            role=Role.WELLBEING_WORKER,
        )


def test_a_case_worker_cannot_grant_roles(aki):
    worker = _user("bertil")
    services.membership_grant(by=aki, user=worker, unit=_unit(), role=Role.CASE_WORKER)
    with pytest.raises(PermissionDenied):
        services.membership_grant(by=worker, user=_user("x"), unit=_unit(), role=Role.MANAGER)


# --- the admin ---------------------------------------------------------------------------------


def _membership_form(user, unit, role, **extra):
    data = {"user": user.pk, "unit": unit.pk, "role": role, "is_active": "on"}
    data.update(extra)
    return data


def test_the_admin_refuses_a_self_grant_on_the_form(client, aki):
    client.force_login(aki)
    response = client.post(
        _url("admin:casework_membership_add"), _membership_form(aki, _unit(), Role.CASE_WORKER)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=aki, role=Role.CASE_WORKER).exists()
    assert not AuditEntry.objects.filter(action="membership.granted", actor=aki).exists()


def test_a_new_membership_with_client_access_tells_the_organisations_managers(
    client, aki, maria, kalle, django_capture_on_commit_callbacks
):
    newcomer = _user("uusi", first_name="Uusi", last_name="Työntekijä")
    client.force_login(aki)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("admin:casework_membership_add"),
            _membership_form(newcomer, _unit(), Role.CASE_WORKER),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.filter(user=newcomer, role=Role.CASE_WORKER, is_active=True)
    entry = AuditEntry.objects.get(action="membership.granted", actor=aki)
    assert entry.data["user"] == "uusi"
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {"maria@example.invalid"}
    body = mail.outbox[0].body
    assert "uusi" in body and "aki" in body

    # a role without client data tells nobody
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("admin:casework_membership_add"),
            _membership_form(_user("tarkastaja"), _unit(), Role.AUDITOR),
        )
    assert mail.outbox == []


def test_the_admin_offers_only_the_administrators_own_units(client, aki):
    client.force_login(aki)
    response = client.post(
        _url("admin:casework_membership_add"),
        _membership_form(
            _user("sanna"), _unit("soite", "monialainen-kotoutuminen"), Role.WELLBEING_WORKER
        ),
    )
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    listed = client.get(_url("admin:casework_membership_changelist"))
    assert {m.unit.organisation.code for m in listed.context["cl"].result_list} == {"kokkola"}


def test_the_administrator_cannot_make_superusers_or_set_passwords(client, aki):
    bertil = _user("bertil", first_name="Bertil")
    root = get_user_model().objects.create_superuser(username="root", password="x")
    client.force_login(aki)
    page = client.get(_url("admin:auth_user_change", bertil.pk))
    assert page.status_code == 200
    form_fields = set(page.context["adminform"].form.fields)
    assert not {"is_superuser", "user_permissions", "groups", "password"} & form_fields
    client.post(
        _url("admin:auth_user_change", bertil.pk),
        {
            "username": "bertil",
            "first_name": "Bertil",
            "last_name": "",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "email": "aki@example.invalid",
        },
    )
    bertil.refresh_from_db()
    assert not bertil.is_superuser and not bertil.is_staff
    assert bertil.email == "bertil@example.invalid"  # no password reset to someone else
    assert client.get(_url("admin:auth_user_password_change", bertil.pk)).status_code == 403
    # superusers are not even listed to him
    users = client.get(_url("admin:auth_user_changelist")).context["cl"].result_list
    assert root not in users
    assert client.get(_url("admin:auth_user_change", root.pk)).status_code in (302, 404)
    assert AuditEntry.objects.filter(action="user.changed", actor=aki).exists()


def test_a_true_superuser_still_can(client):
    root = get_user_model().objects.create_superuser(username="root", password="x")
    bertil = _user("bertil")
    client.force_login(root)
    page = client.get(_url("admin:auth_user_change", bertil.pk))
    assert {"is_superuser", "password"} <= set(page.context["adminform"].form.fields)
    assert client.get(_url("admin:auth_user_password_change", bertil.pk)).status_code == 200
    response = client.post(
        _url("admin:auth_user_password_change", bertil.pk),
        {"password1": "uusi salasana 2026", "password2": "uusi salasana 2026"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="user.password_set", actor=root).exists()


def test_granting_a_role_adds_its_group_once(aki):
    bertil = _user("bertil")
    services.membership_grant(by=aki, user=bertil, unit=_unit(), role=Role.CASE_WORKER)
    services.membership_grant(by=aki, user=bertil, unit=_unit(), role=Role.CASE_WORKER)
    assert list(bertil.groups.values_list("name", flat=True)) == [Role.CASE_WORKER]
    assert Group.objects.filter(name=Role.CASE_WORKER).exists()
