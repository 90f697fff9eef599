"""Seed 000's table "Asiakaskäynnit Kouvolan MOONAssa" (1.9.21–31.8.22), rebuilt visit by
visit through the service: the statistics page and the API must give back every figure of
it, with the "not told" answers counted so that every total adds up; and the seed's "visits
grew 59 %" against the previous period of the same length."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from casework.models import AgeBand, VisitGender, VisitLabourStatus

from .conftest import (
    api_as,
    at,
    day_counts_from_visits,
    kept_day_counts,
    log_visit,
    page_tables,
)

START = dt.date(2021, 9, 1)
END = dt.date(2022, 8, 31)

# age band: (visits, men, women); the rest of each band's visits did not tell their gender
SEED_AGES = {
    AgeBand.UNDER_18: (30, 9, 20),
    AgeBand.AGE_18_29: (347, 223, 121),
    AgeBand.AGE_30_49: (956, 588, 361),
    AgeBand.AGE_50_64: (141, 112, 29),
    AgeBand.AGE_65_PLUS: (64, 26, 38),
}
VISITS, MEN, WOMEN, GENDER_NOT_TOLD, OWN_LANGUAGE = 1975, 1250, 710, 15, 718
SEED_TOPICS = {"benefits": 486, "immigration": 425, "finances": 296, "health": 155}
SEED_COUNTRIES = {"ER": 195, "SY": 179, "IQ": 359, "SO": 446}
SEED_LABOUR = {
    VisitLabourStatus.UNEMPLOYED: 375,
    VisitLabourStatus.EMPLOYED: 329,
    VisitLabourStatus.ENTREPRENEUR: 119,
    VisitLabourStatus.STUDENT: 324,
}
PREVIOUS_YEAR_VISITS = 1242  # 1975 / 1242 = +59.0 %


def _visitors():
    """Age band and gender of each of the 1 975 visits: the seed's bands, the rest of the
    men, women and "not told" without an age."""
    people = []
    for band, (visits, men, women) in SEED_AGES.items():
        people += [(band, VisitGender.MAN)] * men + [(band, VisitGender.WOMAN)] * women
        people += [(band, VisitGender.NOT_TOLD)] * (visits - men - women)
    men_left = MEN - sum(m for _v, m, _w in SEED_AGES.values())
    women_left = WOMEN - sum(w for _v, _m, w in SEED_AGES.values())
    not_told_left = VISITS - len(people) - men_left - women_left
    people += [(AgeBand.NOT_TOLD, VisitGender.MAN)] * men_left
    people += [(AgeBand.NOT_TOLD, VisitGender.WOMAN)] * women_left
    people += [(AgeBand.NOT_TOLD, VisitGender.NOT_TOLD)] * not_told_left
    assert len(people) == VISITS
    return people


def _spread(counts: dict, total: int, rest, rng) -> list:
    values = [code for code, n in counts.items() for _ in range(n)]
    values += [rest] * (total - len(values))
    rng.shuffle(values)
    return values


@pytest.fixture
def seed_visits(point, people):
    rng = random.Random(2022)
    leila = people["leila"]
    visitors = _visitors()
    rng.shuffle(visitors)
    own = set(rng.sample(range(VISITS), OWN_LANGUAGE))
    countries_of = _spread(SEED_COUNTRIES, VISITS, "", rng)
    countries_of = [c or ("AF" if i % 3 == 0 else "") for i, c in enumerate(countries_of)]
    labour = _spread(SEED_LABOUR, VISITS, VisitLabourStatus.NOT_TOLD, rng)
    topics = [[] for _ in range(VISITS)]
    for code, n in SEED_TOPICS.items():
        for index in rng.sample(range(VISITS), n):
            topics[index].append(code)
    channels = ["walk-in", "appointment", "phone", None]
    for index, (band, gender) in enumerate(visitors):
        log_visit(
            point,
            leila,
            visited_at=at(START + dt.timedelta(days=index * 365 // VISITS), 9 + index % 7),
            channel=channels[index % 4],
            age_band=band,
            gender=gender,
            own_language_guidance=index in own,
            guidance_language="ar" if index in own else "",
            country_of_origin=countries_of[index],
            labour_market_status=labour[index],
            topics=topics[index],
            referrals=["kela"] if index % 10 == 0 else [],
            duration_minutes=10 + index % 50,
        )
    previous_start = START - dt.timedelta(days=365)
    for index in range(PREVIOUS_YEAR_VISITS):
        log_visit(
            point, leila, visited_at=at(previous_start + dt.timedelta(days=index * 365 // 1242))
        )


def _expected_rows():
    """The seed's table as the page shows it: label, visits, women, men, other, not told,
    own language (the seed gives own language only in total)."""
    rows = {AgeBand(band).label: (v, w, m, 0, v - m - w) for band, (v, m, w) in SEED_AGES.items()}
    rest_visits = VISITS - sum(v for v, _m, _w in SEED_AGES.values())
    rest_men = MEN - sum(m for _v, m, _w in SEED_AGES.values())
    rest_women = WOMEN - sum(w for _v, _m, w in SEED_AGES.values())
    rows[AgeBand.NOT_TOLD.label] = (
        rest_visits,
        rest_women,
        rest_men,
        0,
        rest_visits - rest_men - rest_women,
    )
    return {str(label): values for label, values in rows.items()}


def test_the_page_and_the_api_reproduce_seed_000s_table(client, people, point, seed_visits):
    client.force_login(people["maria"])
    response = client.get(
        reverse("guidance:statistics"),
        {"start": START.isoformat(), "end": END.isoformat(), "point": point.code},
    )
    assert response.status_code == 200
    tables = page_tables(response.content.decode())
    table = tables["visits-table"]
    header, total, *bands = table
    assert len(header) == 7
    # the headline row: 1 975 visits, 710 women, 1 250 men, 0 other, 15 not told, 718
    assert [int(x) for x in total[1:]] == [VISITS, WOMEN, MEN, 0, GENDER_NOT_TOLD, OWN_LANGUAGE]
    expected = _expected_rows()
    assert {row[0]: tuple(int(x) for x in row[1:6]) for row in bands} == expected
    # totals add up: down every column, across every row
    for column in range(1, 7):
        assert sum(int(row[column]) for row in bands) == int(total[column])
    for row in [total, *bands]:
        assert int(row[1]) == sum(int(x) for x in row[2:6])

    stats = response.context["stats"]
    with translation.override("en"):
        country_names = {countries.name(code): n for code, n in SEED_COUNTRIES.items()}
        labour_names = {str(VisitLabourStatus(code).label): n for code, n in SEED_LABOUR.items()}
    by_label = {row[0]: int(row[1]) for t in tables.values() for row in t[1:] if len(row) >= 2}
    for name, n in country_names.items():
        assert by_label[name] == n, name
    for name, n in labour_names.items():
        assert by_label[name] == n, name
    topic_counts = {item.code: item.count for item in stats.topics}
    assert {code: topic_counts[code] for code in SEED_TOPICS} == SEED_TOPICS
    for distribution in (stats.countries, stats.labour_market, stats.channels, stats.months):
        assert sum(item.count for item in distribution) == VISITS
    assert stats.previous_visits == PREVIOUS_YEAR_VISITS
    assert stats.change_percent == 59.0
    assert "+59.0 %" in response.content.decode()

    api = api_as(people["maria"])
    answer = api.get(
        "/guidance/statistics/",
        {"from": START.isoformat(), "to": END.isoformat(), "point": point.code},
    )
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["total"] == {
        "code": "all",
        "label": stats.total.label,
        "visits": VISITS,
        "woman": WOMEN,
        "man": MEN,
        "other": 0,
        "not_told": GENDER_NOT_TOLD,
        "own_language": OWN_LANGUAGE,
    }
    api_bands = {row["code"]: row for row in data["age_bands"]}
    for band, (visits, men, women) in SEED_AGES.items():
        row = api_bands[band]
        assert (row["visits"], row["man"], row["woman"]) == (visits, men, women), band
    assert sum(row["visits"] for row in data["age_bands"]) == VISITS
    assert sum(row["own_language"] for row in data["age_bands"]) == OWN_LANGUAGE
    api_topics = {item["code"]: item["count"] for item in data["topics"]}
    assert {code: api_topics[code] for code in SEED_TOPICS} == SEED_TOPICS
    api_countries = {item["code"]: item["count"] for item in data["countries"]}
    assert {code: api_countries[code] for code in SEED_COUNTRIES} == SEED_COUNTRIES
    api_labour = {item["code"]: item["count"] for item in data["labour_market"]}
    assert {code: api_labour[code] for code in SEED_LABOUR} == SEED_LABOUR
    for name in ("countries", "labour_market", "channels", "months"):
        assert sum(item["count"] for item in data[name]) == VISITS, name
    assert data["previous_visits"] == PREVIOUS_YEAR_VISITS
    assert data["change_percent"] == 59.0
    assert data["period"] == {"start": "2021-09-01", "end": "2022-08-31", "days": 365}

    # the statistics read the day counts the service kept: the same as counting the visits
    assert kept_day_counts() == day_counts_from_visits()
