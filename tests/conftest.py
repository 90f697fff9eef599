import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

# --- PostgreSQL-only tests ---------------------------------------------------------------------

POSTGRES_ONLY_REASON = (
    "needs PostgreSQL (database-level constraint or trigger); "
    "run with DATABASE_URL=postgres://... to include it"
)


def is_postgres() -> bool:
    """True when the tests run against PostgreSQL (the vendor is known without connecting)."""
    return connection.vendor == "postgresql"


def skip_unless_postgres(reason: str = POSTGRES_ONLY_REASON) -> None:
    """Skip the calling test unless the database is PostgreSQL. Tests marked
    ``@pytest.mark.postgres`` get this automatically (see ``pytest_runtest_setup``)."""
    if not is_postgres():
        pytest.skip(f"{reason} (database: {connection.vendor})")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") is not None:
        skip_unless_postgres()


# --- data --------------------------------------------------------------------------------------


def _load_reference_data():
    call_command("load_demo", "--reference-only", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once into the test database. Every test runs in a transaction
    that is rolled back, so each one starts from the data as loaded."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture
def reference_data(db):
    """Roles, rules, the demo organisations, the responsibility table and the catalogue.

    Loaded once per session (``django_db_setup``); loaded again here only if a
    transactional test has flushed the database since.
    """
    from django.contrib.auth.models import Group

    from casework.models import ResponsibilityRule, RuleSet, Service

    if not (
        ResponsibilityRule.objects.exists()
        and RuleSet.objects.exists()
        and Service.objects.exists()
        and Group.objects.exists()
    ):
        _load_reference_data()


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Each test's transaction is rolled back, with no signal: rules one test created must
    not stay in ``casework.rules``' per-process cache for the next."""
    from casework.rules import clear_rule_cache
    from permissions.policy import clear_role_permission_cache

    yield
    clear_rule_cache()
    clear_role_permission_cache()  # the roles' permissions likewise


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created in many tests and by the demo loader; real hashing is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- translations ------------------------------------------------------------------------------

PSEUDO_PREFIX = "[fi] "


@pytest.fixture
def pseudo_finnish(monkeypatch):
    """A stand-in Finnish catalogue: every message that goes through gettext while Finnish is
    active comes out prefixed with ``[fi] ``. The real .po files may not exist yet; this shows
    that a message is translatable and rendered in the user's language, not hard-coded.

    Returns the prefix. Use with ``translation.override("fi")``.
    """
    translation.gettext("")  # binds the real implementation to ``_trans.gettext``
    real_gettext = translation._trans.gettext

    def fake_gettext(message):
        text = real_gettext(message)
        if (translation.get_language() or "")[:2] == "fi":
            return PSEUDO_PREFIX + text
        return text

    monkeypatch.setattr(translation._trans, "gettext", fake_gettext)
    return PSEUDO_PREFIX


@pytest.fixture(autouse=True)
def _language_per_test():
    """Every test starts in the default language: a language a request activated in an
    earlier test must not leak into the next one."""
    from django.conf import settings

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# --- the browser, one for the whole run (tests/browser/conftest.py has the pages' helpers) ------
# Defined here, once: two session fixtures of their own would each start Playwright's sync
# API in the same thread, and the second would refuse to start.


@pytest.fixture(scope="session")
def browser():
    from tests.browser.conftest import CHROMIUM, _missing

    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test body's ORM calls are
    # still synchronous and safe. Only for the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
