"""Reports may read from a replica: only inside ``reading_from_replica()``, never a write.

The replica here is a second connection to the same test database, as a streaming replica
would be a second server with the same rows."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext

from casework.models import Municipality
from config.db_router import REPLICA, ReplicaRouter
from workflows.replica import reading_from_replica


@pytest.fixture
def replica(transactional_db, settings):
    """A ``replica`` database alias: a second connection to the test database, as
    ``DATABASE_REPLICA_URL`` makes one to the replica's server."""
    settings_dict = dict(connections.settings["default"])
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings_dict}
    connections[REPLICA] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, REPLICA
    )
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def test_without_a_replica_everything_reads_the_primary(transactional_db):
    router = ReplicaRouter()
    with reading_from_replica():
        assert router.db_for_read(Municipality) == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_reads_in_the_block_go_to_the_replica_and_writes_to_the_primary(replica, reference_data):
    primary = connections["default"]
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        outside = Municipality.objects.count()
        with reading_from_replica():
            inside = Municipality.objects.count()
            user = get_user_model().objects.create_user(username="report-writer")
        after = get_user_model().objects.filter(pk=user.pk).exists()
    assert inside == outside > 0  # the replica holds the same rows
    assert after
    replica_sql = [q["sql"] for q in on_replica.captured_queries]
    primary_sql = [q["sql"] for q in on_primary.captured_queries]
    assert len(replica_sql) == 1 and "casework_municipality" in replica_sql[0]
    assert any(sql.startswith("INSERT") and "auth_user" in sql for sql in primary_sql)
    assert not any(sql.startswith(("INSERT", "UPDATE", "DELETE")) for sql in replica_sql)


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "casework") is True
    assert router.allow_migrate(REPLICA, "casework") is False
