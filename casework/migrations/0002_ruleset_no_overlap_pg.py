"""On PostgreSQL the database itself refuses overlapping rule sets."""

from django.db import migrations


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE casework_ruleset ADD CONSTRAINT ruleset_no_overlap "
        "EXCLUDE USING gist (daterange(valid_from, valid_until, '[)') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE casework_ruleset DROP CONSTRAINT IF EXISTS ruleset_no_overlap")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(add_constraint, drop_constraint)]
