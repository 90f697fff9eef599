"""The day counts the statistics read (``GuidanceDayCount``): kept by the service that logs
a visit, in its transaction, and always equal to counting the visits themselves; the rebuild
recounts them from the visits (the demo, the benchmark and the migration write visits in
bulk)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from casework import guidance_stats as gs
from casework.models import GuidanceDayCount, GuidancePoint
from casework.services.guidance import guidance_day_counts_rebuild

from .conftest import at, day_counts_from_visits, kept_day_counts, log_visit


def _varied_visits(point, other, by):
    """Visits on a few days at two points, several on one day, with every kind of answer:
    none told, several topics, referrals, no channel, own language, interpreter."""
    today = timezone.localdate()
    for index in range(14):
        log_visit(
            [point, other][index % 5 == 0],
            by,
            visited_at=at(today - dt.timedelta(days=index % 3), 9 + index % 7),
            channel=["walk-in", "phone", None, "appointment"][index % 4],
            age_band=["18_29", "30_49", "not_told"][index % 3],
            gender=["woman", "man", "not_told", "other"][index % 4],
            own_language_guidance=index % 4 == 1,
            guidance_language="ar" if index % 4 == 1 else "",
            interpreter_used=index % 5 == 2,
            country_of_origin=["SY", "UA", ""][index % 3],
            labour_market_status=["employed", "not_told"][index % 2],
            topics=[[], ["benefits"], ["benefits", "work"], ["health"]][index % 4],
            referrals=["kela"] if index % 3 == 0 else [],
            duration_minutes=5 + index,
        )


@pytest.fixture
def kannus(point):
    """The Kannus guidance point of the same organisation."""
    return GuidancePoint.objects.select_related("unit__organisation").get(code="kokkola-kannus")


def test_the_counts_kept_visit_by_visit_are_the_visits_counted(people, point, kannus):
    _varied_visits(point, kannus, people["leila"])
    kept = kept_day_counts()
    assert kept == day_counts_from_visits()
    # several visits of a day at a point were added to one row of each answer
    assert max(figures[0] for key, figures in kept.items() if key[2] == "day") > 1
    assert {key[2] for key in kept} == {
        "day",
        "age",
        "country",
        "labour",
        "channel",
        "topic",
        "referral",
    }


def test_a_visit_refused_counts_nothing(people, point):
    log_visit(point, people["leila"])
    before = kept_day_counts()
    with pytest.raises(ValidationError):
        log_visit(point, people["leila"], topics=["no-such-topic"], duration_minutes=0)
    assert kept_day_counts() == before


def test_the_rebuild_recounts_the_same_figures(people, point, kannus):
    _varied_visits(point, kannus, people["leila"])
    today = timezone.localdate()
    period = gs.Period(today - dt.timedelta(days=30), today)
    kept = kept_day_counts()
    before = gs.guidance_statistics(points=[point, kannus], period=period)
    assert before.visits == 14

    GuidanceDayCount.objects.all().delete()
    # the statistics read the day counts, not the visits
    assert gs.guidance_statistics(points=[point, kannus], period=period).visits == 0

    assert guidance_day_counts_rebuild(points=[kannus]) > 0
    assert kept_day_counts() == {key: n for key, n in kept.items() if key[0] == kannus.pk}
    assert guidance_day_counts_rebuild() == len(kept)
    assert kept_day_counts() == kept
    assert gs.guidance_statistics(points=[point, kannus], period=period) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_visits_logged_at_the_same_moment_all_count(people, point):
    """Workers at one desk log visits at the same moment: each adds to the same rows of the
    day, none is lost and neither waits for the other crosswise (PostgreSQL's upsert)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    workers = 4
    barrier = threading.Barrier(workers)
    errors = []

    def log_some():
        try:
            barrier.wait()
            for index in range(5):
                log_visit(
                    point,
                    people["leila"],
                    topics=["work", "benefits"][: 1 + index % 2],
                    referrals=["kela"],
                )
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=log_some) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    kept = kept_day_counts()
    assert kept == day_counts_from_visits()
    assert sum(figures[0] for key, figures in kept.items() if key[2] == "day") == 20
