"""With a shared cache (CACHE_URL), sessions are read from Redis and written through to the
database: one query less per page, nobody signed out when Redis restarts, and a session
ended at sign-out is ended for every web process.

Needs Redis on ``CACHE_TEST_URL`` (default ``redis://127.0.0.1:6379/2``, as in CI)."""

import os
import uuid

import pytest
import redis
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("CACHE_TEST_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def shared_cache(settings):
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {REDIS}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": f"kotopolku-test-{uuid.uuid4().hex}",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield caches["default"]
    caches["default"].clear()


def test_sessions_in_the_shared_cache(client, staff, shared_cache):
    client.force_login(staff["anna"])
    inbox = reverse("workflows:inbox")
    assert client.get(inbox).status_code == 200
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # written through
    with CaptureQueriesContext(connection) as queries:
        assert client.get(inbox).status_code == 200
    assert not any("django_session" in q["sql"] for q in queries)  # read from Redis
    # Redis restarted (emptied): the person is still signed in, from the database
    shared_cache.clear()
    assert client.get(inbox).status_code == 200
    # signing out ends the session in both places, so no other process can use it
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key
    response = client.get(inbox)
    assert response.status_code == 302 and reverse("login") in response["Location"]
