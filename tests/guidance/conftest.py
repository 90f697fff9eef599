"""Fixtures of the guidance point: the demo's roles (the shared staff, an auditor, an
administrator and a guidance worker), the points of the reference data, and a helper that
logs visits through the service."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from casework import services as casework_services
from casework.guidance_stats import COUNT_FIGURES
from casework.models import (
    GuidanceDayCount,
    GuidanceOption,
    GuidancePoint,
    GuidanceVisit,
    Organisation,
    Role,
    Unit,
)
from casework.services.guidance import guidance_visit_log
from tests.api.conftest import Api
from tests.workflows.conftest import staff, start_path  # noqa: F401 - fixtures used here


@pytest.fixture(autouse=True)
def _in_english():
    """These tests read the pages and the API in English (``reverse`` gives ``/en/...``), so
    that they keep passing when the messages are translated; the Finnish default is tested
    with the stand-in catalogue (``pseudo_finnish``)."""
    translation.activate("en")
    yield


def api_as(user) -> Api:
    """The API as ``user``, answering in English."""
    api = Api(user)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


EXTRA = {
    "aino": ("kokkola", "kotoutumispalvelut", Role.AUDITOR),
    "admin": ("kokkola", "kotoutumispalvelut", Role.ADMINISTRATOR),
    "leila": ("kokkola", "welcome-office", Role.GUIDANCE_WORKER),
    "kalle": ("kannus", "kotoutumistyo", Role.MANAGER),
}


@pytest.fixture
def people(staff):  # noqa: F811 - the shared fixture
    users = dict(staff)
    for name, (org, unit, role) in EXTRA.items():
        user = get_user_model().objects.create_user(
            username=name,
            password="x",
            first_name=name.title(),
            is_staff=name == "admin",
            is_superuser=name == "admin",
        )
        casework_services.membership_grant(
            by=None, user=user, unit=Unit.objects.get(organisation__code=org, code=unit), role=role
        )
        users[name] = user
    return users


@pytest.fixture
def point(reference_data):
    return GuidancePoint.objects.select_related("unit__organisation").get(
        code="kokkola-welcome-office"
    )


@pytest.fixture
def other_point(reference_data):
    """Kannus's own guidance point, with its lists: another organisation's."""
    kannus = Organisation.objects.get(code="kannus")
    unit = Unit.objects.create(organisation=kannus, code="ohjaus", name_fi="Kannuksen ohjaus")
    assert GuidanceOption.objects.filter(organisation=kannus).exists()
    return GuidancePoint.objects.create(code="kannus-ohjaus", unit=unit)


def log_visit(point, by, **overrides):
    """One visit through the service, with a walk-in's defaults."""
    arguments = {"duration_minutes": 15, "channel": "walk-in"}
    arguments.update(overrides)
    return guidance_visit_log(by=by, point=point, **arguments)


def at(day: dt.date, hour=10, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Tables(HTMLParser):
    """The tables of a page as lists of rows of cell texts (for asserting what a user
    reads, not what the view passed to the template)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._stack: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._count += 1
            rows: list[list[str]] = []
            self.tables[dict(attrs).get("id") or f"table-{self._count}"] = rows
            self._stack.append(rows)
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._stack:
            self._stack.pop()
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            self._stack[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def kept_day_counts() -> dict[tuple, tuple]:
    """The day counts the services kept: ``(point id, day, dimension, key)`` to the figures."""
    return {
        (point, day, dimension, key): tuple(figures)
        for point, day, dimension, key, *figures in GuidanceDayCount.objects.values_list(
            "point_id", "day", "dimension", "key", *COUNT_FIGURES
        )
    }


def day_counts_from_visits() -> dict[tuple, tuple]:
    """The day counts worked out here from the visits themselves, one by one (independently
    of the service's SQL and of the rebuild's): what ``kept_day_counts`` must equal."""
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNT_FIGURES))
    for visit in GuidanceVisit.objects.prefetch_related("topics", "referrals"):
        topics, referrals = list(visit.topics.all()), list(visit.referrals.all())
        own = int(visit.own_language_guidance)
        day = (visit.point_id, visit.visited_on)
        total = counts[(*day, "day", "")]
        for index, n in enumerate(
            (1, own, int(visit.interpreter_used), visit.duration_minutes)
            + (int(not topics), int(not referrals))
        ):
            total[index] += n
        age = counts[(*day, "age", f"{visit.age_band}/{visit.gender}")]
        age[0] += 1
        age[1] += own
        counts[(*day, "country", visit.country_of_origin.code or "")][0] += 1
        counts[(*day, "labour", visit.labour_market_status)][0] += 1
        counts[(*day, "channel", str(visit.channel_id) if visit.channel_id else "")][0] += 1
        for dimension, chosen in (("topic", topics), ("referral", referrals)):
            for option in chosen:
                counts[(*day, dimension, str(option.pk))][0] += 1
    return {key: tuple(figures) for key, figures in counts.items()}
