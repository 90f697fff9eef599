"""Correct the rule set of the old act (1386/2010) in databases loaded before the fix: its
first plan lasted at most one year (12 months), 36 months in total; the reference data
said 36 and 60. Only a rule set that still has the wrong figures is changed, and the change
is written to the audit trail with its legal basis, as every rule-set change is."""

from django.db import migrations

OLD_ACT_FROM = "2011-09-01"
WRONG = {"first_plan_max_months": 36, "plan_total_max_months": 60}
RIGHT = {"first_plan_max_months": 12, "plan_total_max_months": 36}
LEGAL_BASIS = (
    "Laki kotoutumisen edistämisestä 1386/2010, 12 §: ensimmäinen kotoutumissuunnitelma "
    "enintään vuodeksi, suunnitelmat yhteensä enintään kolme vuotta."
)


def correct(apps, schema_editor):
    RuleSet = apps.get_model("casework", "RuleSet")
    AuditEntry = apps.get_model("permissions", "AuditEntry")
    rule_set = RuleSet.objects.filter(valid_from=OLD_ACT_FROM, **WRONG).first()
    if rule_set is None:
        return
    for name, value in RIGHT.items():
        setattr(rule_set, name, value)
    rule_set.save(update_fields=list(RIGHT))
    AuditEntry.objects.create(
        actor=None,
        actor_name="system",
        action="rules.changed",
        object_type="casework.ruleset",
        object_id=str(rule_set.pk),
        object_repr=rule_set.name[:200],
        data={
            "fields": sorted(RIGHT),
            "changes": {name: [WRONG[name], RIGHT[name]] for name in sorted(RIGHT)},
            "legal_basis": LEGAL_BASIS,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_client_name_search_pg"),
        ("permissions", "0003_ip_address_label"),
    ]
    operations = [migrations.RunPython(correct, migrations.RunPython.noop)]
