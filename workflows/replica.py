"""Reads that may go to a replica of the database (``DATABASE_REPLICA_URL``).

Reports and statistics wrap their reads in ``reading_from_replica()``; the router
(``config.db_router.ReplicaRouter``) then sends their reads to the replica when one is
configured. A replica lags the primary by a moment: never wrap work that decides a write (a
step, a claim, a permission check before a change). Writes always go to the primary.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_use_replica: ContextVar[bool] = ContextVar("kotopolku_read_replica", default=False)


@contextmanager
def reading_from_replica():
    """Reads of the block go to the replica, when there is one."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def replica_wanted() -> bool:
    return _use_replica.get()
