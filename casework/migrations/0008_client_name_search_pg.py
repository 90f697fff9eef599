"""Client search by name on PostgreSQL: accent- and case-insensitive, tolerant of a letter or
two wrong. A trigram (pg_trgm) GIN index over the client's name with accents removed
(unaccent) and in lower case. On SQLite this does nothing: casework.search matches names in
Python there."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION kotopolku_name_key(first_names text, last_name text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary,
        coalesce(first_names, '') || ' ' || coalesce(last_name, '')))
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS casework_client_name_trgm ON casework_client "
        "USING gin (kotopolku_name_key(first_names, last_name) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS casework_client_name_trgm")
    schema_editor.execute("DROP FUNCTION IF EXISTS kotopolku_name_key(text, text)")


class Migration(migrations.Migration):
    dependencies = [("casework", "0007_membership_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
