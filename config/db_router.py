"""Reads that may go to a replica, and nothing else.

Kotopolku writes and reads on the primary. Reports and statistics (the manager dashboard,
exports) may instead read from a streaming replica of it when ``DATABASE_REPLICA_URL`` is set:
they say so by running inside ``reading_from_replica()``. A replica lags the primary by a
moment, so nothing that decides a write (a step, a claim, a permission check before a change)
may read there, and nothing outside that block does. Without a replica the block is a no-op.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_use_replica: ContextVar[bool] = ContextVar("kotopolku_read_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica():
    """Reads of the block go to the replica, when there is one (writes still go to the
    primary). For reports and statistics only: never around work that writes."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    """The primary for everything, except reads inside ``reading_from_replica()``."""

    def db_for_read(self, model, **hints):
        if _use_replica.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the same rows as the primary
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # the replica follows the primary's schema by replication
        return db == "default"
