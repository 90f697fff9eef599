"""Reads that may go to a replica, and nothing else.

Kotopolku writes and reads on the primary. Reports and statistics (the manager dashboard,
exports) may instead read from a streaming replica of it when ``DATABASE_REPLICA_URL`` is set:
they say so by running inside ``workflows.replica.reading_from_replica()``. Without a replica
that block changes nothing.
"""

from __future__ import annotations

from django.conf import settings

from workflows.replica import reading_from_replica, replica_wanted

REPLICA = "replica"


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """The primary for everything, except reads inside ``reading_from_replica()``."""

    def db_for_read(self, model, **hints):
        if replica_wanted() and replica_configured():
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


__all__ = ["REPLICA", "ReplicaRouter", "reading_from_replica", "replica_configured"]
