"""A database loaded before the old act's rule set was corrected is corrected by a migration,
and the change is in the audit trail with its legal basis."""

import importlib

import pytest
from django.apps import apps

from casework.models import RuleSet
from permissions.models import AuditEntry

pytestmark = pytest.mark.usefixtures("reference_data")

migration = importlib.import_module("casework.migrations.0009_old_act_plan_lengths")


def test_the_migration_corrects_the_old_figures_once_and_audits_it():
    RuleSet.objects.filter(valid_from="2011-09-01").update(
        first_plan_max_months=36, plan_total_max_months=60
    )
    migration.correct(apps, None)
    old = RuleSet.objects.get(valid_from="2011-09-01")
    assert (old.first_plan_max_months, old.plan_total_max_months) == (12, 36)
    entry = AuditEntry.objects.get(action="rules.changed", object_id=str(old.pk))
    assert entry.data["changes"] == {
        "first_plan_max_months": [36, 12],
        "plan_total_max_months": [60, 36],
    }
    assert "1386/2010" in entry.data["legal_basis"]
    migration.correct(apps, None)  # already right: nothing changes, nothing more is written
    assert AuditEntry.objects.filter(action="rules.changed").count() == 1


def test_a_rule_set_changed_since_is_left_alone():
    RuleSet.objects.filter(valid_from="2011-09-01").update(
        first_plan_max_months=18, plan_total_max_months=60
    )
    migration.correct(apps, None)
    assert RuleSet.objects.get(valid_from="2011-09-01").first_plan_max_months == 18
    assert not AuditEntry.objects.filter(action="rules.changed").exists()
