"""The audit trail cannot be emptied (issue 14, point 5; PostgreSQL).

- TRUNCATE is refused by a trigger, even to the table's owner (as UPDATE and DELETE are).
- The production set-up (README, "The database roles in production"): the web application
  connects as a role that owns nothing, granted by ``manage.py grant_app_role``. That role
  works the application, appends to the trail and reads it, but cannot truncate, delete,
  update or disable the triggers of the audit table.

Roles are created inside each test's transaction and vanish with its rollback; their names
carry the test database's name, so that other databases on the server are not touched.
"""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from permissions.audit import audit_record
from permissions.models import AuditEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLE = AuditEntry._meta.db_table


def _role(kind: str) -> str:
    return f"{connection.settings_dict['NAME']}_{kind}_{uuid.uuid4().hex[:8]}"


def _refused(cursor, sql: str) -> str:
    """Run ``sql`` in a savepoint and return the database's refusal (the test fails if the
    statement goes through)."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        cursor.execute(sql)
    return str(caught.value)


@pytest.fixture
def cursor(db):
    with connection.cursor() as cursor:
        yield cursor
        cursor.execute("RESET ROLE")


@pytest.fixture
def entry(staff):
    return audit_record(actor=staff["anna"], obj=staff["anna"], action="test.entry")


def test_truncate_is_refused_even_to_the_owner(cursor, entry):
    owner = _role("owner")
    cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN')
    cursor.execute(f'ALTER TABLE {TABLE} OWNER TO "{owner}"')
    cursor.execute(f'SET ROLE "{owner}"')
    assert "append-only" in _refused(cursor, f"TRUNCATE {TABLE}")
    assert "append-only" in _refused(cursor, f"TRUNCATE {TABLE} CASCADE")
    assert "append-only" in _refused(cursor, f"DELETE FROM {TABLE}")
    assert "append-only" in _refused(cursor, f"UPDATE {TABLE} SET action = 'x'")
    cursor.execute("RESET ROLE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_applications_role_appends_but_cannot_empty_or_unprotect_the_trail(
    cursor, entry, start_path, staff
):
    app = _role("app")
    cursor.execute(f'CREATE ROLE "{app}" NOLOGIN')
    out = io.StringIO()
    call_command("grant_app_role", app, stdout=out)
    assert "owns nothing" in out.getvalue()
    cursor.execute(f'SET ROLE "{app}"')
    cursor.execute("SELECT current_user")
    assert cursor.fetchone()[0] == app

    # the application works as this role: a client registered, a path started, all audited
    before = AuditEntry.objects.count()
    case = start_path(first_names="Roolitesti")
    assert case.number and AuditEntry.objects.count() > before

    for sql in (
        f"TRUNCATE {TABLE}",
        f"DELETE FROM {TABLE}",
        f"UPDATE {TABLE} SET action = 'x'",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER permissions_auditentry_append_only",
        f"DROP TRIGGER permissions_auditentry_no_truncate ON {TABLE}",
        f"ALTER TABLE {TABLE} OWNER TO CURRENT_USER",
        f"DROP TABLE {TABLE}",
        "CREATE TABLE kotopolku_scratch (id int)",
    ):
        message = _refused(cursor, sql)
        assert "permission denied" in message or "must be owner" in message, (sql, message)
    cursor.execute("RESET ROLE")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_role_that_owns_tables_or_is_a_superuser_is_refused(cursor):
    owner = _role("owner")
    cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN')
    cursor.execute(f'ALTER TABLE {TABLE} OWNER TO "{owner}"')
    with pytest.raises(CommandError, match="own nothing"):
        call_command("grant_app_role", owner, stdout=io.StringIO())
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"], stdout=io.StringIO())
    with pytest.raises(CommandError, match="No database role"):
        call_command("grant_app_role", _role("missing"), stdout=io.StringIO())
