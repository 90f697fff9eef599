"""Changing a rule set needs a legal basis, and every change is in the audit trail: who,
what (each field before and after), when and on what basis; the rule set's page in the admin
shows that history (issue 14, point 9)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.models import Role, RuleSet, Step, Unit
from casework.services import rules as rule_services
from permissions.models import AuditEntry

pytestmark = pytest.mark.usefixtures("reference_data")

NEW = dt.date(2025, 1, 1)
BASIS = "HE 999/2026: ilman huoltajaa tulleen suunnitelma harkinnanvaraiseksi (esimerkki)"


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


def test_a_change_without_a_legal_basis_is_refused_and_nothing_is_saved(administrator):
    rules = RuleSet.objects.get(valid_from=NEW)
    rules.unaccompanied_minor_always_plan = False
    for basis in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            rule_services.rule_set_save(
                by=administrator,
                rule_set=rules,
                changed=["unaccompanied_minor_always_plan"],
                legal_basis=basis,
            )
        assert "legal_basis" in caught.value.message_dict
    assert RuleSet.objects.get(pk=rules.pk).unaccompanied_minor_always_plan is True
    assert not AuditEntry.objects.filter(action__startswith="rules.").exists()


def test_a_change_is_audited_with_its_values_and_legal_basis(administrator):
    rules = RuleSet.objects.get(valid_from=NEW)
    rules.unaccompanied_minor_always_plan = False
    rules.review_reminder_days = 21
    rule_services.rule_set_save(
        by=administrator,
        rule_set=rules,
        changed=["unaccompanied_minor_always_plan", "review_reminder_days"],
        legal_basis=BASIS,
    )
    entry = AuditEntry.objects.get(action="rules.changed")
    assert entry.actor == administrator
    assert entry.data["legal_basis"] == BASIS
    assert entry.data["changes"] == {
        "review_reminder_days": [14, 21],
        "unaccompanied_minor_always_plan": [True, False],
    }


def _admin_form_data(response) -> dict:
    """What the admin's change form would post back unchanged, inline forms included."""
    data = {}
    adminform = response.context["adminform"]
    for name in adminform.form.fields:
        value = adminform.form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False:
                    data[form.add_prefix(name)] = value
    return data


def test_the_admin_asks_for_the_legal_basis_and_shows_the_history(client, administrator):
    rules = RuleSet.objects.get(valid_from=NEW)
    with translation.override("en"):
        url = reverse("admin:casework_ruleset_change", args=[rules.pk])
    client.force_login(administrator)
    page = client.get(url)
    assert page.status_code == 200
    data = _admin_form_data(page)
    data.pop("unaccompanied_minor_always_plan")  # turn "always a plan" off
    target = f"targets-{[t.step for t in rules.targets.order_by('pk')].index(Step.INTAKE)}-days"
    data[target] = "10"

    refused = client.post(url, {**data, "legal_basis": ""})
    assert refused.status_code == 200
    assert "legal_basis" in refused.context["adminform"].form.errors
    assert RuleSet.objects.get(pk=rules.pk).unaccompanied_minor_always_plan is True
    assert rules.targets.get(step=Step.INTAKE).days == 14

    saved = client.post(url, {**data, "legal_basis": BASIS})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    rules.refresh_from_db()
    assert rules.unaccompanied_minor_always_plan is False
    assert rules.targets.get(step=Step.INTAKE).days == 10
    entries = AuditEntry.objects.filter(object_type="casework.ruleset", object_id=str(rules.pk))
    assert {e.action for e in entries} == {"rules.changed", "rules.target_set"}
    assert all(e.data["legal_basis"] == BASIS and e.actor == administrator for e in entries)

    history = client.get(url).content.decode()
    assert "aki" in history and BASIS in history
    assert "an unaccompanied minor always gets a plan" in history
    assert "14 → 10" in history
