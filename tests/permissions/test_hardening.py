"""Production settings pass Django's deployment checks; logins are throttled; sessions end."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "kotopolku.example.fi",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_repeated_failed_logins_lock_the_account_out(client, db):
    get_user_model().objects.create_user(username="anna", password="correct horse battery")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "anna", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(url, {"username": "anna", "password": "wrong"}).status_code == 429
    locked = client.post(url, {"username": "anna", "password": "correct horse battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("password123", "12345678901234", "kotopolku"):
        try:
            validate_password(weak)
        except ValidationError:
            continue
        raise AssertionError(f"{weak!r} was accepted")


# --- behind a reverse proxy: the client's own address -------------------------------------

PROXY = "10.0.0.1"  # every request reaches the app from the proxy


def _login(client, username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded or address}
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    return settings


def test_nobody_locks_a_named_user_out_from_elsewhere_behind_the_proxy(client, db, behind_proxy):
    get_user_model().objects.create_user(username="anna", password="correct horse battery")
    attacker = "203.0.113.5"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "anna", "wrong", attacker)
    assert _login(client, "anna", "correct horse battery", attacker).status_code == 429
    # anna herself, at her own address behind the same proxy, signs in
    response = _login(Client(), "anna", "correct horse battery", "198.51.100.7")
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_move_the_address(client, db, behind_proxy):
    """The client may send its own X-Forwarded-For; the proxy appends the real address, and
    only the entries the trusted proxies added count."""
    get_user_model().objects.create_user(username="anna", password="correct horse battery")
    for number in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "anna", "wrong", None, forwarded=f"192.0.2.{number}, 203.0.113.5")
    assert _login(client, "anna", "correct horse battery", "203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    from permissions.network import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "198.51.100.7"


def test_the_audit_trail_records_the_clients_address_behind_the_proxy(behind_proxy, staff):
    from permissions.models import AuditEntry

    browser = Client()
    browser.force_login(staff["anna"])
    browser.get(
        reverse("workflows:client_search"),
        {"q": "Hassan"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AuditEntry.objects.get(action="client.searched").ip_address == "198.51.100.7"


def test_one_password_across_many_user_names_is_limited_per_address(client, db, settings):
    """Password spraying: one failure for each of many user names from one address. The
    address is locked out after AXES_IP_FAILURE_LIMIT failures in all, even for a right
    password; other addresses are not."""
    settings.AXES_IP_FAILURE_LIMIT = 8
    get_user_model().objects.create_user(username="anna", password="correct horse battery")
    sprayer = {"REMOTE_ADDR": "203.0.113.9"}
    for number in range(settings.AXES_IP_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": f"user{number}", "password": "Kesä2026!"}, **sprayer
        )
        # the form again with an error, until the failure that reaches the limit
        expected = 429 if number == settings.AXES_IP_FAILURE_LIMIT - 1 else 200
        assert response.status_code == expected, number
    locked = client.post(
        reverse("login"), {"username": "anna", "password": "correct horse battery"}, **sprayer
    )
    assert locked.status_code == 429
    elsewhere = Client().post(
        reverse("login"),
        {"username": "anna", "password": "correct horse battery"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert elsewhere.status_code == 302
