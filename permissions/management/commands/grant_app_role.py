"""Give the web application's database role what it needs, and nothing more (PostgreSQL).

In production two roles share the database: the owner, which runs ``manage.py migrate`` and
owns every table, and the application's role, which the web app connects as and which owns
nothing. Run this as the owner after every ``migrate``:

    DATABASE_URL=postgres://kotopolku_owner@.../kotopolku manage.py grant_app_role kotopolku_app

The application's role gets SELECT, INSERT, UPDATE and DELETE on the tables and use of their
sequences, except on the audit trail, where it may only read and append (SELECT, INSERT):
no UPDATE, DELETE or TRUNCATE. Owning nothing, it cannot disable the audit trail's triggers
either, nor change any table. The command refuses a role that owns anything, and one that
is a superuser (which no grant can restrict).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from permissions.models import AuditEntry

# Tables the application only reads and appends to: the audit trail, and the record of the
# migrations applied (the application reads it to warn of unapplied migrations).
APPEND_ONLY = (AuditEntry._meta.db_table,)
READ_ONLY = ("django_migrations",)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


class Command(BaseCommand):
    help = (
        "PostgreSQL: grant the web application's database role (which must own nothing) "
        "what it needs; only SELECT and INSERT on the audit trail. Run as the owner after "
        "every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's database role, e.g. kotopolku_app")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL set-up; this database is not.")
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute("SELECT oid, rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"No database role {role!r}: create it first.")
            oid, superuser = row
            if superuser:
                raise CommandError(f"{role!r} is a superuser: no grant can restrict it.")
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relowner = %s AND n.nspname = current_schema()",
                [oid],
            )
            owned = cursor.fetchone()[0]
            if owned:
                raise CommandError(
                    f"{role!r} owns {owned} tables or sequences: the application's role must "
                    "own nothing (the owner could disable the audit trail's triggers)."
                )
            who = _quoted(role)
            cursor.execute("SELECT current_schema()")
            schema = _quoted(cursor.fetchone()[0])
            cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {who}")
            cursor.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM {who}")
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}"
            )
            cursor.execute(
                f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {who}"
            )
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}")
            for table in APPEND_ONLY:
                cursor.execute(f"REVOKE UPDATE, DELETE ON {_quoted(table)} FROM {who}")
            for table in READ_ONLY:
                cursor.execute(f"REVOKE INSERT, UPDATE, DELETE ON {_quoted(table)} FROM {who}")
        self.stdout.write(
            f"{role}: read and write on the tables, only read and append on "
            f"{', '.join(APPEND_ONLY)}; owns nothing."
        )
