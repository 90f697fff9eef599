"""On PostgreSQL the audit trail cannot be emptied with TRUNCATE either: a BEFORE TRUNCATE
trigger refuses it, as the row trigger of 0002 refuses UPDATE and DELETE.

A superuser is let through (a superuser can disable any trigger anyway; test databases are
emptied with TRUNCATE as the superuser that created them). What keeps the trail whole in
production is that the application connects as a role that owns nothing and was granted
no UPDATE, DELETE or TRUNCATE on the trail (``manage.py grant_app_role``, README: "The
database roles in production"): that role cannot disable the triggers, which only the
table's owner (the role that runs the migrations) can."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION permissions_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: it cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER permissions_auditentry_no_truncate
    BEFORE TRUNCATE ON permissions_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION permissions_audit_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS permissions_auditentry_no_truncate ON permissions_auditentry;
DROP FUNCTION IF EXISTS permissions_audit_no_truncate();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("permissions", "0003_ip_address_label")]
    operations = [migrations.RunPython(create, drop)]
