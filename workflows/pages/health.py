"""Health endpoints for load balancers, process supervisors and monitoring.

``/healthz``: the process is alive and answers (no database access), for a liveness probe.
``/readyz``: this process can serve: the database answers and every migration the code knows
is applied, for a readiness probe and for an upgrade (a new version reports "not ready" until
``migrate`` has run). Neither needs a login; neither says anything about clients, users or
cases, only "ok" or which check failed.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Once every migration is applied it stays so for the life of the process (a new version
# with new migrations is a new process), so the migration graph is loaded once, not per probe.
_migrations_applied = False


def _unapplied_migrations() -> int:
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return len(executor.migration_plan(targets))


def _answer(ok: bool, checks: dict) -> JsonResponse:
    response = JsonResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
    )
    return response


@never_cache
@require_safe
def healthz(request):
    """The process is alive."""
    return _answer(True, {"process": "ok"})


@never_cache
@require_safe
def readyz(request):
    """The database answers and the schema is the one this code expects."""
    global _migrations_applied
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        logger.exception("readiness: the database does not answer")
        checks["database"] = "unavailable"
        checks["migrations"] = "unknown"
        return _answer(False, checks)
    if not _migrations_applied:
        try:
            unapplied = _unapplied_migrations()
        except DatabaseError:
            logger.exception("readiness: cannot read the applied migrations")
            checks["migrations"] = "unknown"
            return _answer(False, checks)
        if unapplied:
            checks["migrations"] = "pending"
            return _answer(False, checks)
        _migrations_applied = True
    checks["migrations"] = "ok"
    return _answer(True, checks)
