"""Reads of the guidance points: which points a user may work at or report on, and the
statistics of a period over a set of points (seed 000's table and the distributions a
manager reports), computed with a fixed number of queries whatever the number of visits.

Counts of "not told" are figures like any other, so every distribution adds up to the
number of visits (topics and referrals excepted: a visit may have several, or none).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from permissions.policy import organisations_where

from .models import (
    NOT_TOLD,
    AgeBand,
    DayCountDimension,
    GuidanceAppointment,
    GuidanceDayCount,
    GuidanceOption,
    GuidanceOptionKind,
    GuidancePoint,
    GuidanceVisit,
    VisitGender,
    VisitLabourStatus,
)

LOG = "casework.log_guidance_visit"
STATISTICS = "casework.view_guidance_statistics"
CONFIGURE = "casework.configure_guidance"

# --- who may work where -----------------------------------------------------------------


def points_visible_to(user, perm: str = LOG):
    """Active guidance points of the organisations where ``user`` has ``perm``."""
    return (
        GuidancePoint.objects.filter(
            unit__organisation_id__in=organisations_where(user, perm),
            is_active=True,
            unit__is_active=True,
        )
        .select_related("unit__organisation")
        .order_by("unit__organisation__name_fi", "unit__name_fi")
    )


def home_point(user, points):
    """The point a user works at by default: the one whose unit they belong to."""
    points = list(points)
    mine = set(
        user.memberships.filter(is_active=True, unit__guidance_point__in=points).values_list(
            "unit_id", flat=True
        )
    )
    return next((p for p in points if p.unit_id in mine), points[0] if points else None)


def options_of(organisation_id: int, kind: str, *, active_only: bool = True):
    options = GuidanceOption.objects.filter(organisation_id=organisation_id, kind=kind)
    if active_only:
        options = options.filter(is_active=True)
    return options.order_by("position", "code")


def appointments_on(point: GuidancePoint, day: dt.date):
    """The point's appointments of one (local) day, in time order."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return (
        GuidanceAppointment.objects.filter(
            point=point, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("worker", "topic", "visit")
        .order_by("starts_at", "pk")
    )


def visits_at(point: GuidancePoint):
    """The point's visits, newest first, with what a list shows."""
    return (
        GuidanceVisit.objects.filter(point=point)
        .select_related("channel", "logged_by", "client")
        .prefetch_related("topics")
        .order_by("-visited_at", "-pk")
    )


def frequent_countries(point: GuidancePoint, *, since: dt.date, limit: int = 8) -> list[str]:
    """The countries of origin most often told at the point lately (the visit form offers
    them first)."""
    return list(
        GuidanceVisit.objects.filter(point=point, visited_on__gte=since)
        .exclude(country_of_origin="")
        .values_list("country_of_origin", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n", "country_of_origin")[:limit]
    )


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def months(self) -> list[dt.date]:
        first = self.start.replace(day=1)
        months = []
        while first <= self.end:
            months.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return months


MAX_PERIOD_DAYS = 5 * 366
EARLIEST = dt.date(2000, 1, 1)


def period_errors(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    """What is wrong with a period asked for, by field ("start", "end"): nothing if empty."""
    errors = {}
    if start and start < EARLIEST:
        errors["start"] = _("Choose a period from the year 2000 on.")
    if start and end and start > end:
        errors["end"] = _("The end of the period cannot be before its start.")
    elif start and end and (end - start).days > MAX_PERIOD_DAYS:
        errors["end"] = _("A period can be at most five years long.")
    return errors


def default_period(points, today: dt.date) -> Period:
    """The first point's operating year until today (e.g. 1.9.–today)."""
    points = list(points)
    if not points:
        return Period(today.replace(month=1, day=1), today)
    start, end = points[0].operating_year(today)
    return Period(start, min(end, today))


# --- the figures ------------------------------------------------------------------------


@dataclass
class Row:
    """Visits, by gender, and with guidance in the client's own language."""

    label: str
    visits: int = 0
    woman: int = 0
    man: int = 0
    other: int = 0
    not_told: int = 0
    own_language: int = 0

    GENDER_FIELD = {
        VisitGender.WOMAN: "woman",
        VisitGender.MAN: "man",
        VisitGender.OTHER: "other",
        VisitGender.NOT_TOLD: "not_told",
    }

    def add(self, gender: str, visits: int, own_language: int) -> None:
        self.visits += visits
        self.own_language += own_language
        name = self.GENDER_FIELD[gender]
        setattr(self, name, getattr(self, name) + visits)


@dataclass
class Item:
    """One line of a distribution: a code, its name in the user's language, a count."""

    code: str
    label: str
    count: int

    def share(self, total: int) -> float:
        return round(100 * self.count / total, 1) if total else 0.0


@dataclass
class GuidanceStatistics:
    period: Period
    previous_period: Period
    points: list[GuidancePoint]
    total: Row
    age_bands: list[Row]
    topics: list[Item]
    referrals: list[Item]
    countries: list[Item]
    labour_market: list[Item]
    channels: list[Item]
    months: list[Item]
    previous_visits: int
    interpreter_used: int
    minutes: int
    threshold: int = 5
    extra: dict = field(default_factory=dict)

    @property
    def visits(self) -> int:
        return self.total.visits

    @property
    def change_percent(self) -> float | None:
        """Visits compared with the previous period of the same length, in per cent."""
        if not self.previous_visits:
            return None
        return round(100 * (self.visits - self.previous_visits) / self.previous_visits, 1)

    @property
    def change_size(self) -> float | None:
        """The size of the change, without its sign ("fell 12 %")."""
        return None if self.change_percent is None else abs(self.change_percent)

    @property
    def average_minutes(self) -> int:
        return round(self.minutes / self.visits) if self.visits else 0


NO_TOPIC = "none"

# The columns of a day count, in the order the SQL below gives them.
COUNT_FIGURES = (
    "visits",
    "own_language",
    "interpreter_used",
    "minutes",
    "without_topics",
    "without_referrals",
)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def day_counts_sql(point_ids=None) -> tuple[str, list]:
    """A SELECT of the day counts recounted from the visits themselves: rows ``(point id,
    day, dimension, key, visits, own language, interpreter, minutes, without topics, without
    referrals)`` as ``GuidanceDayCount`` keeps them. For the points of ``point_ids`` (every
    point when None). The rebuild inserts these rows; the tests compare the kept rows with
    them."""
    visits = _table(GuidanceVisit)
    where, params = "", []
    if point_ids is not None:
        ids = list(point_ids) or [0]
        where = f" WHERE point_id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    nothing = "0, 0, 0, 0"
    own = "SUM(CASE WHEN own_language_guidance THEN 1 ELSE 0 END)"
    parts = [
        f"SELECT point_id, visited_on, '{DayCountDimension.DAY}', '', COUNT(*), {own}, "
        "SUM(CASE WHEN interpreter_used THEN 1 ELSE 0 END), SUM(duration_minutes), "
        "SUM(CASE WHEN topic_count = 0 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN referral_count = 0 THEN 1 ELSE 0 END) "
        f"FROM {visits}{where} GROUP BY point_id, visited_on",
        f"SELECT point_id, visited_on, '{DayCountDimension.AGE}', age_band || '/' || gender, "
        f"COUNT(*), {own}, 0, 0, 0, 0 "
        f"FROM {visits}{where} GROUP BY point_id, visited_on, age_band, gender",
    ]
    for dimension, column in (
        (DayCountDimension.COUNTRY, "country_of_origin"),
        (DayCountDimension.LABOUR, "labour_market_status"),
        (DayCountDimension.CHANNEL, "COALESCE(CAST(channel_id AS VARCHAR(40)), '')"),
    ):
        parts.append(
            f"SELECT point_id, visited_on, '{dimension}', {column}, COUNT(*), {nothing}, 0 "
            f"FROM {visits}{where} GROUP BY point_id, visited_on, {column}"
        )
    for dimension, relation in (
        (DayCountDimension.TOPIC, "topics"),
        (DayCountDimension.REFERRAL, "referrals"),
    ):
        through = _table(getattr(GuidanceVisit, relation).through)
        parts.append(
            f"SELECT point_id, visited_on, '{dimension}', CAST(option_id AS VARCHAR(40)), "
            f"COUNT(*), {nothing}, 0 FROM {through}{where} GROUP BY point_id, visited_on, option_id"
        )
    return " UNION ALL ".join(parts), params * len(parts)


def _day_counts(points, period: Period) -> list[tuple]:
    """Rows ``(dimension, key, day or None, visits, own language, interpreter, minutes,
    without topics, without referrals)``: the period's counts by answer, summed over its
    days and points, and the visits of each day of the previous period and of this one (the
    months and the change). One query over the day counts, whatever the number of visits."""
    ids = [p.pk for p in points] or [0]
    previous = period.previous()
    day = f"CASE WHEN dimension = '{DayCountDimension.DAY}' THEN day END"
    sums = ", ".join(f"SUM({name})" for name in COUNT_FIGURES)
    sql = (
        f"SELECT dimension, {connection.ops.quote_name('key')}, {day}, {sums} "
        f"FROM {_table(GuidanceDayCount)} "
        f"WHERE point_id IN ({', '.join(['%s'] * len(ids))}) AND day >= %s AND day <= %s "
        f"AND (dimension = '{DayCountDimension.DAY}' OR day >= %s) "
        f"GROUP BY dimension, {connection.ops.quote_name('key')}, {day}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, previous.start, period.end, period.start])
        return cursor.fetchall()


def guidance_statistics(*, points, period: Period) -> GuidanceStatistics:
    """The figures of ``period`` over ``points`` (already narrowed to what the user may see).

    Two queries, whatever the number of visits: the names of the configured lists, and the
    sums of the points' day counts (``GuidanceDayCount``) of the period and of the previous
    period of the same length (its visits day by day, for the change)."""
    points = list(points)

    organisation_ids = {p.unit.organisation_id for p in points}
    options = list(
        GuidanceOption.objects.filter(organisation_id__in=organisation_ids).order_by(
            "position", "code"
        )
    )
    code_of = {str(o.pk): o.code for o in options}
    labels: dict = {}
    order: dict = {}
    for option in options:
        labels.setdefault((option.kind, option.code), option.name)
        order.setdefault((option.kind, option.code), (option.position, option.code))

    age_rows = {band: Row(str(label)) for band, label in AgeBand.choices}
    total = Row(str(_("All visits")))
    interpreter = minutes = previous_visits = 0
    without = {"topics": 0, "referrals": 0}
    country_counts: Counter = Counter()
    labour_counts: Counter = Counter()
    channel_counts: Counter = Counter()
    month_counts: Counter = Counter()
    chosen = {"topics": Counter(), "referrals": Counter()}
    for dimension, key, day, n, own, interp, mins, no_topic, no_referral in _day_counts(
        points, period
    ):
        if dimension == DayCountDimension.DAY:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            if day < period.start:
                previous_visits += n
                continue
            month_counts[day.isoformat()[:7]] += n
            interpreter += interp
            minutes += mins
            without["topics"] += no_topic
            without["referrals"] += no_referral
        elif dimension == DayCountDimension.AGE:
            band, gender = key.split("/")
            age_rows[band].add(gender, n, own)
            total.add(gender, n, own)
        elif dimension == DayCountDimension.COUNTRY:
            country_counts[key] += n
        elif dimension == DayCountDimension.LABOUR:
            labour_counts[key] += n
        elif dimension == DayCountDimension.CHANNEL:
            channel_counts[code_of.get(key, NOT_TOLD) if key else NOT_TOLD] += n
        elif dimension == DayCountDimension.TOPIC:
            chosen["topics"][code_of.get(key, key)] += n
        elif dimension == DayCountDimension.REFERRAL:
            chosen["referrals"][code_of.get(key, key)] += n

    country_items = [
        Item(str(code), countries.name(code) or str(code), n)
        for code, n in country_counts.items()
        if code
    ]
    country_items.sort(key=lambda item: (-item.count, item.label))
    country_items.append(Item(NOT_TOLD, str(_("not told")), country_counts.get("", 0)))

    labour_items = [
        Item(code, str(label), labour_counts.get(code, 0))
        for code, label in VisitLabourStatus.choices
    ]

    channel_codes = sorted(
        (code for kind, code in order if kind == GuidanceOptionKind.CHANNEL),
        key=lambda code: order[(GuidanceOptionKind.CHANNEL, code)],
    )
    channel_codes += [c for c in channel_counts if c not in channel_codes and c != NOT_TOLD]
    channel_items = [
        Item(code, str(labels.get((GuidanceOptionKind.CHANNEL, code), code)), channel_counts[code])
        for code in channel_codes
    ]
    channel_items.append(Item(NOT_TOLD, str(_("not told")), channel_counts.get(NOT_TOLD, 0)))

    month_items = [
        Item(
            month.isoformat()[:7], month.isoformat()[:7], month_counts.get(month.isoformat()[:7], 0)
        )
        for month in period.months()
    ]

    def items(relation, kind, missing_label):
        result = [
            Item(code, str(labels.get((kind, code), code)), n)
            for code, n in chosen[relation].items()
        ]
        result.sort(key=lambda item: (-item.count, item.label))
        result.append(Item(NO_TOPIC, str(missing_label), without[relation]))
        return result

    return GuidanceStatistics(
        period=period,
        previous_period=period.previous(),
        points=points,
        total=total,
        age_bands=list(age_rows.values()),
        topics=items("topics", GuidanceOptionKind.TOPIC, _("no topic recorded")),
        referrals=items("referrals", GuidanceOptionKind.REFERRAL, _("not referred")),
        countries=country_items,
        labour_market=labour_items,
        channels=channel_items,
        months=month_items,
        previous_visits=previous_visits,
        interpreter_used=interpreter,
        minutes=minutes,
        threshold=max((p.small_number_threshold for p in points), default=5),
    )


# --- small numbers ----------------------------------------------------------------------

GENDER_COLUMNS = ("woman", "man", "other", "not_told")


def hidden_cells(stats: GuidanceStatistics, threshold: int | None = None) -> set[tuple]:
    """The cells an export meant for outside the unit must hide.

    A figure from 1 to ``threshold - 1`` is hidden (primary suppression). Where figures add
    up to a total that is shown, a single hidden figure could be worked out from the others,
    so the smallest other figure of that sum is hidden too (secondary suppression), until no
    sum has exactly one hidden figure. Topics and referrals do not add up (a visit may have
    several), so only their small figures are hidden.

    Cells are named ``("total", column)``, ``("age", band index, column)`` and
    ``(section, index)`` for the distributions."""
    threshold = stats.threshold if threshold is None else threshold
    value: dict[tuple, int] = {}
    for column in ("visits", *GENDER_COLUMNS, "own_language"):
        value[("total", column)] = getattr(stats.total, column)
        for index, row in enumerate(stats.age_bands):
            value[("age", index, column)] = getattr(row, column)
    sections = {
        "topics": stats.topics,
        "referrals": stats.referrals,
        "countries": stats.countries,
        "labour_market": stats.labour_market,
        "channels": stats.channels,
        "months": stats.months,
    }
    for name, items in sections.items():
        for index, item in enumerate(items):
            value[(name, index)] = item.count

    hidden = {cell for cell, n in value.items() if 0 < n < threshold}

    # Sums whose total is shown beside them: (total cell, cells that add up to it).
    sums: list[tuple[tuple, list[tuple]]] = [
        (("total", "visits"), [("total", c) for c in GENDER_COLUMNS]),
    ]
    bands = range(len(stats.age_bands))
    for index in bands:
        sums.append((("age", index, "visits"), [("age", index, c) for c in GENDER_COLUMNS]))
    for column in ("visits", *GENDER_COLUMNS, "own_language"):
        sums.append((("total", column), [("age", index, column) for index in bands]))
    for name in ("countries", "labour_market", "channels", "months"):
        sums.append((("total", "visits"), [(name, i) for i in range(len(sections[name]))]))

    changed = True
    while changed:
        changed = False
        for total_cell, cells in sums:
            if total_cell in hidden:
                continue
            shut = [c for c in cells if c in hidden]
            if len(shut) != 1:
                continue
            candidates = [c for c in cells if c not in hidden]
            if not candidates:
                continue
            # the smallest other figure; a zero is hidden rather than a real count if it
            # is the smallest: its "0" would otherwise give the hidden figure away
            hidden.add(min(candidates, key=lambda c: (value[c], cells.index(c))))
            changed = True
    return hidden
