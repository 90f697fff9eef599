"""/healthz and /readyz: no login, no client data, the truth about the process and the
database."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from workflows.pages import health


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_the_probes_are_outside_the_language_prefix():
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"


def test_healthz_answers_without_login_or_database(client):
    # no django_db mark: any database access would fail the test
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"process": "ok"}}
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_readyz_when_the_database_answers_and_every_migration_is_applied(client):
    assert health._unapplied_migrations() == 0  # the real check, on the test database
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_readyz_is_not_ready_until_migrate_has_run(client, monkeypatch):
    monkeypatch.setattr(health, "_unapplied_migrations", lambda: 3)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "migrations": "pending"},
    }
    # once applied, it says so (and stops reading the migration graph on every probe)
    monkeypatch.setattr(health, "_unapplied_migrations", lambda: 0)
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(health, "_unapplied_migrations", lambda: 1 / 0)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "migrations": "unknown"}


def test_probes_only_answer_reads(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
