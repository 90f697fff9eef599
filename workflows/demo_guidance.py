"""The guidance point's part of the demo: a guidance worker and the Welcome Office's manager,
one operating year of visits at Kokkola's two guidance points with plausible distributions
(after seed 000's MOONA figures), and appointments today.

The year of visits is demo history and is written in bulk (like ``load_demo``'s backdating):
the services always act now, and 2 500 visits one by one would make ``make demo`` slow.
Everything a user does afterwards goes through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework import services
from casework.models import (
    AgeBand,
    GuidanceAppointment,
    GuidanceOption,
    GuidanceOptionKind,
    GuidancePoint,
    GuidanceVisit,
    Role,
    Unit,
    VisitGender,
    VisitLabourStatus,
)
from casework.services.guidance import guidance_day_counts_rebuild

# username, first name, last name, (organisation, unit), role, may see protected details
# (the shape of load_demo's STAFF, so that its list of logins prints them too)
GUIDANCE_STAFF = [
    ("leila", "Leila", "Rantanen", ("kokkola", "welcome-office"), Role.GUIDANCE_WORKER, False),
    ("henrik", "Henrik", "Berg", ("kokkola", "welcome-office"), Role.MANAGER, False),
]

# point code: visits in the year
POINTS = {"kokkola-welcome-office": 2000, "kokkola-kannus": 450}

AGES = [
    (AgeBand.UNDER_18, 2),
    (AgeBand.AGE_18_29, 18),
    (AgeBand.AGE_30_49, 48),
    (AgeBand.AGE_50_64, 7),
    (AgeBand.AGE_65_PLUS, 3),
    (AgeBand.NOT_TOLD, 22),
]
GENDERS = [
    (VisitGender.MAN, 62),
    (VisitGender.WOMAN, 36),
    (VisitGender.OTHER, 0.3),
    (VisitGender.NOT_TOLD, 1.7),
]
COUNTRIES = [
    ("UA", 22),
    ("SY", 10),
    ("IQ", 9),
    ("AF", 8),
    ("SO", 8),
    ("ER", 5),
    ("RU", 5),
    ("TH", 4),
    ("VN", 4),
    ("PH", 3),
    ("IN", 3),
    ("TR", 2),
    ("EE", 2),
    ("NG", 1),
    ("IR", 2),
    ("", 12),
]
LABOUR = [
    (VisitLabourStatus.UNEMPLOYED, 19),
    (VisitLabourStatus.EMPLOYED, 17),
    (VisitLabourStatus.ENTREPRENEUR, 6),
    (VisitLabourStatus.STUDENT, 16),
    (VisitLabourStatus.OUTSIDE_LABOUR_FORCE, 14),
    (VisitLabourStatus.NOT_TOLD, 28),
]
CHANNELS = [
    ("walk-in", 55),
    ("appointment", 20),
    ("phone", 14),
    ("video", 3),
    ("chat", 6),
    ("outreach", 2),
]
TOPICS = [
    ("benefits", 25),
    ("immigration", 22),
    ("finances", 15),
    ("health", 8),
    ("housing", 9),
    ("work", 10),
    ("education", 6),
    ("family", 3),
    ("digital", 7),
    ("other", 2),
]
REFERRALS = [
    ("kela", 30),
    ("migri", 20),
    ("integration-services", 20),
    ("employment-area", 15),
    ("wellbeing-area", 8),
    ("association", 5),
    ("other", 2),
]
OWN_LANGUAGES = {"UA": "uk", "RU": "ru", "SY": "ar", "IQ": "ar", "SO": "so", "AF": "fa", "EE": "et"}
# fewer visits in the summer holidays, more when the autumn starts
SEASON = {
    1: 1.0,
    2: 1.0,
    3: 1.05,
    4: 1.0,
    5: 0.95,
    6: 0.7,
    7: 0.35,
    8: 0.9,
    9: 1.2,
    10: 1.15,
    11: 1.1,
    12: 0.8,
}


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _minutes(rng) -> int:
    return max(5, min(120, int(rng.lognormvariate(3.0, 0.45))))


@transaction.atomic
def load_guidance_demo(*, password: str, seed: int = 2026) -> bool:
    """Load the guidance demo once; False if it was already there."""
    User = get_user_model()
    if User.objects.filter(username=GUIDANCE_STAFF[0][0]).exists():
        return False
    users = {}
    for username, first, last, (org, unit_code), role, _protected in GUIDANCE_STAFF:
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@kotopolku.invalid",
        )
        services.membership_grant(
            by=None,
            user=user,
            unit=Unit.objects.get(organisation__code=org, code=unit_code),
            role=role,
        )
        users[username] = user
    rng = random.Random(seed)
    today = timezone.localdate()
    for code, yearly in POINTS.items():
        point = GuidancePoint.objects.select_related("unit").get(code=code)
        _visits(point, yearly, users["leila"], rng, today)
        if code == "kokkola-welcome-office":
            _appointments(point, users["leila"], rng, today)
    return True


def _visits(point, yearly, worker, rng, today):
    options = {
        (o.kind, o.code): o
        for o in GuidanceOption.objects.filter(organisation_id=point.unit.organisation_id)
    }
    days = [today - dt.timedelta(days=n) for n in range(365, 0, -1)]
    days = [d for d in days if d.weekday() < 5]  # open on weekdays
    # the number of visits grows through the year (the seed: +59 % in six months)
    weights = [SEASON[d.month] * (0.7 + 0.6 * i / len(days)) for i, d in enumerate(days)]
    scale = yearly / sum(weights)
    visits, topics, referrals = [], [], []
    for day, weight in zip(days, weights, strict=True):
        count = int(weight * scale) + (1 if rng.random() < (weight * scale) % 1 else 0)
        for _ in range(count):
            at = timezone.make_aware(
                dt.datetime.combine(
                    day, dt.time(rng.randint(9, 15), rng.choice([0, 10, 20, 30, 40, 50]))
                )
            )
            country = _pick(rng, COUNTRIES)
            own = country in OWN_LANGUAGES and rng.random() < 0.55
            channel = _pick(rng, CHANNELS)
            visits.append(
                GuidanceVisit(
                    point=point,
                    visited_at=at,
                    visited_on=day,
                    channel=options[(GuidanceOptionKind.CHANNEL, channel)],
                    age_band=_pick(rng, AGES),
                    gender=_pick(rng, GENDERS),
                    own_language_guidance=own,
                    guidance_language=OWN_LANGUAGES[country] if own else "",
                    interpreter_used=not own and country not in ("", "EE") and rng.random() < 0.12,
                    country_of_origin=country,
                    labour_market_status=_pick(rng, LABOUR),
                    duration_minutes=_minutes(rng),
                    logged_by=worker,
                )
            )
            chosen = {_pick(rng, TOPICS) for _ in range(rng.choice([1, 1, 1, 2, 2, 3]))}
            topics.append([options[(GuidanceOptionKind.TOPIC, c)] for c in sorted(chosen)])
            sent = {_pick(rng, REFERRALS)} if rng.random() < 0.22 else set()
            referrals.append([options[(GuidanceOptionKind.REFERRAL, c)] for c in sent])
            visits[-1].topic_count = len(topics[-1])
            visits[-1].referral_count = len(referrals[-1])
    created = GuidanceVisit.objects.bulk_create(visits, batch_size=1000)
    if any(v.pk is None for v in created):  # a database that returns no ids on bulk insert
        created = list(GuidanceVisit.objects.filter(point=point).order_by("pk"))
    for relation, chosen in (("topics", topics), ("referrals", referrals)):
        through = getattr(GuidanceVisit, relation).through
        through.objects.bulk_create(
            [
                through(
                    visit_id=visit.pk,
                    option_id=option.pk,
                    point_id=point.pk,
                    visited_on=visit.visited_on,
                )
                for visit, options_of_visit in zip(created, chosen, strict=True)
                for option in options_of_visit
            ],
            batch_size=2000,
        )
    # written in bulk, past the service that counts each visit: counted here at once
    guidance_day_counts_rebuild(points=[point])


def _appointments(point, worker, rng, today):
    """Today's bookings from nine to three (written as they stood this morning)."""
    topics = list(
        GuidanceOption.objects.filter(
            organisation_id=point.unit.organisation_id,
            kind=GuidanceOptionKind.TOPIC,
            is_active=True,
        )
    )
    bookings = [
        ("09:00", "uk", False, "", "M. K."),
        ("10:00", "ar", True, "ar", "Ahmed"),
        ("11:30", "fi", False, "", ""),
        ("13:00", "so", True, "so", "H. A."),
        ("14:30", "en", False, "", "Grace"),
    ]
    for time, language, interpreter, interpreter_language, name in bookings:
        hour, minute = (int(x) for x in time.split(":"))
        GuidanceAppointment.objects.create(
            point=point,
            worker=worker,
            starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(hour, minute))),
            duration_minutes=30,
            language=language,
            interpreter_needed=interpreter,
            interpreter_language=interpreter_language,
            topic=rng.choice(topics),
            name=name,
            booked_by=worker,
        )
