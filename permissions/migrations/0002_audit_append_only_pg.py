"""On PostgreSQL the database refuses UPDATE and DELETE on the audit trail.

TRUNCATE is refused by the trigger of 0004; the application's database role owns nothing
in production (README: "The database roles in production").
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION permissions_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER permissions_auditentry_append_only
    BEFORE UPDATE OR DELETE ON permissions_auditentry
    FOR EACH ROW EXECUTE FUNCTION permissions_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS permissions_auditentry_append_only ON permissions_auditentry;
DROP FUNCTION IF EXISTS permissions_audit_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("permissions", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
