"""Client search by name on PostgreSQL: the name key (unaccented, lower case) kept in a stored
generated column, ``casework_client.name_key``, with the trigram index on that column instead
of on the expression.

The expression index found the candidates, but PostgreSQL then computed
``kotopolku_name_key`` again for every candidate, three times (the index condition's recheck,
the similarity, the order): about 2.4 µs a call, as ``unaccent`` keeps the function from being
inlined. A common name at 100 000 clients has some 10 000 candidates: 65 ms of a search's
80 ms. The stored key is computed once, when the client's name is written.

The column is PostgreSQL's own (Django's model does not have it: no form, serializer or export
sees it); ``casework.search.ClientNameKey`` reads it. On SQLite this does nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE casework_client ADD COLUMN IF NOT EXISTS name_key text "
        "GENERATED ALWAYS AS (kotopolku_name_key(first_names, last_name)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS casework_client_name_key_trgm ON casework_client "
        "USING gin (name_key gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS casework_client_name_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS casework_client_name_trgm ON casework_client "
        "USING gin (kotopolku_name_key(first_names, last_name) gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS casework_client_name_key_trgm")
    schema_editor.execute("ALTER TABLE casework_client DROP COLUMN IF EXISTS name_key")


class Migration(migrations.Migration):
    dependencies = [("casework", "0015_guidance_day_counts")]
    operations = [migrations.RunPython(forwards, backwards)]
