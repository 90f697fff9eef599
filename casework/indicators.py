"""Computed indicators of the integration programme: figures taken from Kotopolku's own
path data for a period.

Each indicator is ONE function of the period, registered under a code so that a programme's
goal can select it (``Indicator.computation``)::

    value = compute("new_clients", Period.year(2025), municipalities=[kokkola])

Every function takes the period (both ends included) and the same optional filters, and
returns a number, or ``None`` when the figure is undefined for the period (a median or a share
of nothing). An empty period gives 0 for counts and ``None`` for medians and shares; no
function fails on odd data.

- ``municipalities``: only clients whose municipality of residence (as recorded now) is one of
  these (``None``: everywhere); the cases carry a copy of it (``IntegrationCase.municipality``,
  kept equal to the client's by the services), so no query reads the client table for it;
- ``category``: only cases of this client category (the case's current category);
- ``language``: only clients whose mother tongue is this ISO 639 code;
- ``option``: a further choice, for the indicators that offer one (``option_choices``).

Days are calendar days between the recorded dates. A median of an even number of values is
the mean of the middle two; the 90th percentile is the nearest-rank value (the smallest value
with at least 90 % of the values at or below it). Shares are percentages with one decimal.

Each function costs a fixed number of queries whatever the number of clients. A report
computes each indicator for all its years at once (``compute_years``), and its indicators share
what they read through one ``Shared``.

Extending: another module registers its own indicators with ``register`` when its app is
ready (``AppConfig.ready``). The guidance point (visits by topic, issue 15) is meant to do so:

    @register("guidance_visits", label=_("Guidance visits"), unit=_("visits"),
              description=_("Visits to the guidance point in the period."),
              option_label=_("Topic"), option_choices=topic_choices)
    def guidance_visits(period, *, municipalities=None, category=None, language=None,
                        option=None): ...

Nothing here counts guidance visits until that module exists.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Lag, Least, Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import (
    CaseEvent,
    CaseEventKind,
    Client,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    ParticipationPhase,
    PlanState,
    Review,
    RuleSet,
    Step,
    WellbeingParticipation,
)
from .rules import add_months

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    def datetimes(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start 00:00, the day after end 00:00)`` in the local time zone, for timestamps."""
        tz = timezone.get_current_timezone()
        first = timezone.make_aware(dt.datetime.combine(self.start, dt.time()), tz)
        after = timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()), tz
        )
        return first, after


@dataclass(frozen=True)
class ComputedIndicator:
    code: str
    label: Promise | str
    unit: Promise | str
    value_type: str  # "number" or "percentage" (casework.models.ValueType)
    description: Promise | str
    function: Callable
    option_label: Promise | str | None = None
    option_choices: Callable[[], list[tuple[str, str]]] | None = field(default=None)

    def option_values(self) -> list[str]:
        return [code for code, _label in self.option_choices()] if self.option_choices else []

    def option_name(self, value: str) -> str:
        return dict(self.option_choices()).get(value, value) if self.option_choices else ""


REGISTRY: dict[str, ComputedIndicator] = {}


def register(
    code: str,
    *,
    label,
    unit,
    description,
    value_type: str = "number",
    option_label=None,
    option_choices=None,
):
    """Register ``function`` as the computed indicator ``code`` (a decorator)."""

    def decorate(function):
        if code in REGISTRY and REGISTRY[code].function is not function:
            raise ValueError(f"Indicator {code!r} is already registered.")
        REGISTRY[code] = ComputedIndicator(
            code=code,
            label=label,
            unit=unit,
            value_type=value_type,
            description=description,
            function=function,
            option_label=option_label,
            option_choices=option_choices,
        )
        return function

    return decorate


def choices() -> list[tuple[str, str]]:
    """``(code, label)`` of every computed indicator, for a form."""
    return [(spec.code, spec.label) for spec in REGISTRY.values()]


class IndicatorFailed(Exception):
    """A computation failed: the report shows the figure as missing and says why."""


def compute(
    code: str,
    period: Period,
    *,
    municipalities=None,
    category: str = "",
    language: str = "",
    option: str = "",
):
    """The value of the computed indicator ``code`` for ``period``.

    An unknown code or a failing computation raises ``IndicatorFailed`` (logged with its
    traceback); inside a transaction the computation runs in a savepoint, so a failed query
    does not spoil the caller's transaction."""
    spec = REGISTRY.get(code)
    if spec is None:
        raise IndicatorFailed(f"unknown indicator {code!r}")
    kwargs = {
        "municipalities": None if municipalities is None else list(municipalities),
        "category": category or None,
        "language": language or None,
    }
    if spec.option_choices is not None:
        kwargs["option"] = option or None
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return spec.function(period, **kwargs)
        return spec.function(period, **kwargs)
    except Exception as error:  # a figure of the report, never the whole page
        logger.exception("Computed indicator %s failed for %s", code, period)
        raise IndicatorFailed(str(error)) from error


# --- helpers ------------------------------------------------------------------------------


def _scope(prefix: str, municipalities, category, language) -> Q:
    """The filters on a case reached through ``prefix`` (``""``, ``"case__"``, ...)."""
    q = Q()
    if municipalities is not None:
        # the client's municipality, as copied onto the case (IntegrationCase.municipality)
        q &= Q(**{f"{prefix}municipality__in": municipalities})
    if category:
        q &= Q(**{f"{prefix}category": category})
    if language:
        q &= Q(**{f"{prefix}client__mother_tongue": language})
    return q


def _cases(municipalities, category, language):
    return IntegrationCase.objects.filter(_scope("", municipalities, category, language))


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def percentile_90(values: Iterable[float]) -> float | None:
    """The nearest-rank 90th percentile."""
    values = sorted(values)
    if not values:
        return None
    return float(values[math.ceil(0.9 * len(values)) - 1])


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(pairs) -> list[int]:
    return [(later - earlier).days for earlier, later in pairs if earlier and later]


class _Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont`` / ``percentile_disc`` (an ordered-set aggregate)."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, discrete: bool, filter=None):  # noqa: A002
        super().__init__(expression, output_field=FloatField(), filter=filter)
        self.function = "PERCENTILE_DISC" if discrete else "PERCENTILE_CONT"
        self.extra["fraction"] = float(fraction)


def _days_between(later: str, earlier: str):
    """``later - earlier`` in days, as PostgreSQL subtracts dates (an integer)."""
    return Func(
        F(later),
        F(earlier),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _day_statistic(queryset, earlier: str, later: str, statistic: str) -> float | None:
    """The median (``statistic="median"``) or the nearest-rank 90th percentile (``"p90"``) of
    the days from ``earlier`` to ``later`` over ``queryset``'s rows where both are set.

    On PostgreSQL the database computes it (``percentile_cont(0.5)`` is the median as defined
    above, ``percentile_disc(0.9)`` the nearest rank), so no rows travel; elsewhere Python
    does, from the dates. The tests run both and expect the same answers."""
    if connection.vendor == "postgresql":
        value = queryset.aggregate(
            value=_Percentile(
                _days_between(later, earlier),
                fraction=0.5 if statistic == "median" else 0.9,
                discrete=statistic != "median",
            )
        )["value"]
        return None if value is None else float(value)
    days = _days(queryset.values_list(earlier, later))
    return median(days) if statistic == "median" else percentile_90(days)


class _Rules:
    """Every rule set with its step targets, read once, looked up by date in Python (each
    date once)."""

    def __init__(self):
        self.sets = list(RuleSet.objects.prefetch_related("targets").order_by("valid_from"))
        self.targets = {
            rules.pk: {target.step: target.days for target in rules.targets.all()}
            for rules in self.sets
        }
        self._on: dict[dt.date, RuleSet | None] = {}
        self._sums: dict[tuple, int | None] = {}

    def on(self, day: dt.date) -> RuleSet | None:
        if day not in self._on:
            found = None
            for rules in self.sets:
                if rules.valid_from <= day and (
                    rules.valid_until is None or day < rules.valid_until
                ):
                    found = rules
            self._on[day] = found
        return self._on[day]

    def target(self, day: dt.date, *steps: str) -> int | None:
        rules = self.on(day)
        if rules is None:
            return None
        key = (rules.pk, steps)
        if key not in self._sums:
            days = [self.targets[rules.pk].get(step) for step in steps]
            self._sums[key] = None if any(d is None for d in days) else sum(days)
        return self._sums[key]


# --- contact and intake -------------------------------------------------------------------


@register(
    "new_clients",
    label=_("New clients"),
    unit=_("clients"),
    description=_("Clients whose integration path began (first contact) in the year."),
)
def new_clients(period: Period, *, municipalities=None, category=None, language=None) -> int:
    """Distinct clients with a case whose first contact falls in the period."""
    return (
        _cases(municipalities, category, language)
        .filter(contacted_on__range=(period.start, period.end))
        .values("client_id")
        .distinct()
        .count()
    )


# --- times between the steps ----------------------------------------------------------------


def _assessments_completed(period, municipalities, category, language):
    return _cases(municipalities, category, language).filter(
        assessment_completed_on__range=(period.start, period.end)
    )


def _first_plans_approved(period, municipalities, category, language):
    return IntegrationPlan.objects.filter(
        _scope("case__", municipalities, category, language),
        version=1,
        approved_on__range=(period.start, period.end),
    )


@register(
    "contact_to_assessment_median",
    label=_("Days from first contact to a finished assessment (median)"),
    unit=_("days"),
    description=_(
        "Median of the days from first contact to the finished assessment, of the assessments "
        "finished in the year (with the wellbeing area's part, when it took part)."
    ),
)
def contact_to_assessment_median(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Median days from ``contacted_on`` to ``assessment_completed_on``, over the cases whose
    assessment was completed in the period."""
    return _day_statistic(
        _assessments_completed(period, municipalities, category, language),
        "contacted_on",
        "assessment_completed_on",
        "median",
    )


@register(
    "contact_to_assessment_p90",
    label=_("Days from first contact to a finished assessment (90th percentile)"),
    unit=_("days"),
    description=_(
        "Nine in ten of the assessments finished in the year took at most this many days "
        "from first contact."
    ),
)
def contact_to_assessment_p90(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """90th percentile (nearest rank) of the days from ``contacted_on`` to
    ``assessment_completed_on``, over the cases whose assessment was completed in the period."""
    return _day_statistic(
        _assessments_completed(period, municipalities, category, language),
        "contacted_on",
        "assessment_completed_on",
        "p90",
    )


@register(
    "assessment_to_plan_start_median",
    label=_("Days from the assessment to the start of the plan (median)"),
    unit=_("days"),
    description=_(
        "Median of the days from the finished assessment to the start of the first plan, of "
        "the first plans approved in the year."
    ),
)
def assessment_to_plan_start_median(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Median days from the case's ``assessment_completed_on`` to the first plan's
    ``starts_on``, over the first plans (version 1) approved in the period."""
    return _day_statistic(
        _first_plans_approved(period, municipalities, category, language),
        "case__assessment_completed_on",
        "starts_on",
        "median",
    )


@register(
    "assessment_to_plan_start_p90",
    label=_("Days from the assessment to the start of the plan (90th percentile)"),
    unit=_("days"),
    description=_(
        "Nine in ten of the first plans approved in the year started at most this many days "
        "after the assessment."
    ),
)
def assessment_to_plan_start_p90(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """90th percentile (nearest rank) of the days from ``assessment_completed_on`` to the first
    plan's ``starts_on``, over the first plans approved in the period."""
    return _day_statistic(
        _first_plans_approved(period, municipalities, category, language),
        "case__assessment_completed_on",
        "starts_on",
        "p90",
    )


@register(
    "assessment_to_plan_approval_median",
    label=_("Days from the assessment to the approval of the plan (median)"),
    unit=_("days"),
    description=_(
        "Median of the days from the finished assessment to the approval of the first plan, "
        "of the first plans approved in the year."
    ),
)
def assessment_to_plan_approval_median(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Median days from ``assessment_completed_on`` to the first plan's ``approved_on``, over
    the first plans approved in the period."""
    return _day_statistic(
        _first_plans_approved(period, municipalities, category, language),
        "case__assessment_completed_on",
        "approved_on",
        "median",
    )


@register(
    "assessment_to_plan_approval_p90",
    label=_("Days from the assessment to the approval of the plan (90th percentile)"),
    unit=_("days"),
    description=_(
        "Nine in ten of the first plans approved in the year were approved at most this many "
        "days after the assessment."
    ),
)
def assessment_to_plan_approval_p90(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """90th percentile (nearest rank) of the days from ``assessment_completed_on`` to the
    first plan's ``approved_on``, over the first plans approved in the period."""
    return _day_statistic(
        _first_plans_approved(period, municipalities, category, language),
        "case__assessment_completed_on",
        "approved_on",
        "p90",
    )


@register(
    "steps_within_target",
    label=_("Steps done within their target time"),
    unit=_("%"),
    value_type="percentage",
    description=_(
        "Of the steps finished in the year (intake to the start of the assessment; the "
        "assessment, with the multi-professional step when the wellbeing area took part; from "
        "the assessment to the approved first plan), the share finished within the target "
        "days of the rule set in force when the step began."
    ),
)
def steps_within_target(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Share of the steps finished in the period that took no longer than their target.

    Steps and their targets (``StepTarget`` of the rule set in force on the step's first day):
    intake = ``contacted_on`` → ``assessment_started_on`` (target ``intake``); assessment =
    ``assessment_started_on`` → ``assessment_completed_on`` (``assessment``, plus
    ``multi_professional`` when the wellbeing area was invited to the assessment); plan =
    ``assessment_completed_on`` → the first plan's ``approved_on`` (``planning`` +
    ``agreement`` + ``approval``). A step without a target is not counted."""
    return share(*_tally(_step_checks(period, municipalities, category, language)))


def _tally(checks) -> tuple[int, int]:
    results = [on_time for _day, on_time in checks]
    return sum(results), len(results)


def _step_checks(
    period, municipalities, category, language, *, rules=None
) -> list[tuple[dt.date, bool]]:
    """``(the day the step finished, on time?)`` of each step finished in the period."""
    rules = rules or _Rules()
    took_part = WellbeingParticipation.objects.filter(
        case=OuterRef("pk"), phase=ParticipationPhase.ASSESSMENT
    )
    rows = (
        _cases(municipalities, category, language)
        .filter(
            Q(assessment_started_on__range=(period.start, period.end))
            | Q(assessment_completed_on__range=(period.start, period.end))
        )
        .annotate(wellbeing=Exists(took_part))
        .values_list(
            "contacted_on", "assessment_started_on", "assessment_completed_on", "wellbeing"
        )
    )
    results: list[tuple[dt.date, bool]] = []

    def check(start, end, *steps):
        target = rules.target(start, *steps)
        if target is not None:
            results.append((end, (end - start).days <= target))

    for contacted, started, completed, wellbeing in rows:
        if started and period.start <= started <= period.end:
            check(contacted, started, Step.INTAKE)
        if started and completed and period.start <= completed <= period.end:
            steps = [Step.ASSESSMENT] + ([Step.MULTI_PROFESSIONAL] if wellbeing else [])
            check(started, completed, *steps)
    for completed, approved in _first_plans_approved(
        period, municipalities, category, language
    ).values_list("case__assessment_completed_on", "approved_on"):
        if completed:
            check(completed, approved, Step.PLANNING, Step.AGREEMENT, Step.APPROVAL)
    return results


# --- plans and reviews --------------------------------------------------------------------


def _decisions(period, municipalities, category, language) -> dict:
    return IntegrationPlan.objects.filter(
        _scope("case__", municipalities, category, language),
        client_decision_on__range=(period.start, period.end),
    ).aggregate(
        refused=Count("id", filter=Q(state=PlanState.REFUSED)),
        agreed=Count("id", filter=~Q(state=PlanState.REFUSED)),
    )


@register(
    "plans_agreed",
    label=_("Plans the client agreed to"),
    unit=_("plans"),
    description=_("Plans and revisions the client agreed to in the year."),
)
def plans_agreed(period: Period, *, municipalities=None, category=None, language=None) -> int:
    """Plans (every version) whose client decision in the period was an agreement."""
    return _decisions(period, municipalities, category, language)["agreed"]


@register(
    "plans_refused",
    label=_("Plans the client refused"),
    unit=_("plans"),
    description=_("Plans and revisions the client refused in the year."),
)
def plans_refused(period: Period, *, municipalities=None, category=None, language=None) -> int:
    """Plans (every version) whose client decision in the period was a refusal."""
    return _decisions(period, municipalities, category, language)["refused"]


@register(
    "plan_refusal_share",
    label=_("Share of plans refused"),
    unit=_("%"),
    value_type="percentage",
    description=_("Of the client decisions on plans in the year, the share of refusals."),
)
def plan_refusal_share(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Refused plans as a share of all client decisions on plans in the period."""
    counts = _decisions(period, municipalities, category, language)
    return share(counts["refused"], counts["refused"] + counts["agreed"])


@register(
    "reviews_on_time",
    label=_("Reviews held on time"),
    unit=_("%"),
    value_type="percentage",
    description=_(
        "Of the plan reviews held in the year, the share held no later than the date they "
        "were due (the review interval counted from the plan's approval or the previous "
        "review)."
    ),
)
def reviews_on_time(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Share of the reviews held in the period that were held by their due date.

    A review's due date is the previous review's ``next_review_due`` for the same plan
    version, or for the first review of a version the review interval (months, of the rule
    set in force on the approval) from the later of its approval and its start, as
    ``plan_approve`` sets it."""
    return share(*_tally(_review_checks(period, municipalities, category, language)))


def _review_checks(
    period, municipalities, category, language, *, rules=None
) -> list[tuple[dt.date, bool]]:
    """``(the day of the review, on time?)`` of each review held in the period."""
    rules = rules or _Rules()
    previous_due = (
        Review.objects.filter(plan=OuterRef("plan"))
        .filter(
            Q(reviewed_on__lt=OuterRef("reviewed_on"))
            | Q(reviewed_on=OuterRef("reviewed_on"), pk__lt=OuterRef("pk"))
        )
        .order_by("-reviewed_on", "-pk")
        .values("next_review_due")[:1]
    )
    rows = (
        Review.objects.filter(
            _scope("plan__case__", municipalities, category, language),
            reviewed_on__range=(period.start, period.end),
        )
        .annotate(previous_due=Subquery(previous_due))
        .values_list("reviewed_on", "previous_due", "plan__approved_on", "plan__starts_on")
    )
    return _review_due_checks(rows, rules)


def _review_due_checks(rows, rules) -> list[tuple[dt.date, bool]]:
    """``(reviewed_on, on time?)`` from ``(reviewed_on, the previous review's due date,
    plan approved, plan starts)``, for the reviews whose due date is known."""
    checks = []
    for reviewed_on, previous, approved_on, starts_on in rows:
        due = previous
        if due is None and approved_on:
            rule_set = rules.on(approved_on)
            if rule_set is not None:
                due = add_months(
                    max(approved_on, starts_on or approved_on), rule_set.review_interval_months
                )
        if due is not None:
            checks.append((reviewed_on, reviewed_on <= due))
    return checks


@register(
    "plans_in_force_at_end",
    label=_("Clients with a plan in force at the end of the year"),
    unit=_("clients"),
    description=_(
        "Clients whose plan had been approved by the last day of the year and whose case was "
        "still open that day."
    ),
)
def plans_in_force_at_end(
    period: Period, *, municipalities=None, category=None, language=None
) -> int:
    """Distinct clients with an open case on ``period.end`` that had an approved plan by then."""
    approved = IntegrationPlan.objects.filter(
        case=OuterRef("pk"), approved_on__isnull=False, approved_on__lte=period.end
    )
    return (
        _cases(municipalities, category, language)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .filter(Exists(approved))
        .values("client_id")
        .distinct()
        .count()
    )


@register(
    "without_plan_at_period_end",
    label=_("Clients without a plan at the end of their integration period"),
    unit=_("clients"),
    description=_(
        "Clients whose integration period ended in the year while their case was open, and "
        "who had no approved plan by then."
    ),
)
def without_plan_at_period_end(
    period: Period, *, municipalities=None, category=None, language=None
) -> int:
    """Distinct clients whose ``integration_period_ends_on`` falls in the period, whose case
    was still open on that day, and who had no plan approved on or before it."""
    approved = IntegrationPlan.objects.filter(
        case=OuterRef("pk"),
        approved_on__isnull=False,
        approved_on__lte=OuterRef("integration_period_ends_on"),
    )
    return (
        _cases(municipalities, category, language)
        .filter(integration_period_ends_on__range=(period.start, period.end))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=F("integration_period_ends_on")))
        .filter(~Exists(approved))
        .values("client_id")
        .distinct()
        .count()
    )


# --- the wellbeing area and transfers -----------------------------------------------------


@register(
    "wellbeing_participations",
    label=_("Wellbeing-area participations"),
    unit=_("participations"),
    description=_("Invitations of the wellbeing area to take part in a client's path in the year."),
)
def wellbeing_participations(
    period: Period, *, municipalities=None, category=None, language=None
) -> int:
    """Wellbeing-area participations whose invitation was made in the period."""
    first, after = period.datetimes()
    return WellbeingParticipation.objects.filter(
        _scope("case__", municipalities, category, language),
        invited_at__gte=first,
        invited_at__lt=after,
    ).count()


@register(
    "wellbeing_participation_median_days",
    label=_("Days from inviting the wellbeing area to its contribution (median)"),
    unit=_("days"),
    description=_(
        "Median of the days from the invitation to the wellbeing area's contribution, of the "
        "contributions given in the year."
    ),
)
def wellbeing_participation_median_days(
    period: Period, *, municipalities=None, category=None, language=None
) -> float | None:
    """Median calendar days (local time) from ``invited_at`` to ``contributed_at``, over the
    participations whose contribution was given in the period."""
    first, after = period.datetimes()
    rows = WellbeingParticipation.objects.filter(
        _scope("case__", municipalities, category, language),
        contributed_at__gte=first,
        contributed_at__lt=after,
    ).values_list("invited_at", "contributed_at")
    return median(
        (timezone.localtime(contributed).date() - timezone.localtime(invited).date()).days
        for invited, contributed in rows
    )


@register(
    "transfers",
    label=_("Transfers between organisations"),
    unit=_("transfers"),
    description=_(
        "Cases whose responsibility moved to another organisation in the year (a change of "
        "category or municipality)."
    ),
)
def transfers(period: Period, *, municipalities=None, category=None, language=None) -> int:
    """Timeline events ``transferred`` (responsibility moved to another organisation) in the
    period."""
    first, after = period.datetimes()
    return CaseEvent.objects.filter(
        _scope("case__", municipalities, category, language),
        kind=CaseEventKind.TRANSFERRED,
        at__gte=first,
        at__lt=after,
    ).count()


def _close_reason_choices():
    return [("all", _("any reason")), *CloseReason.choices]


@register(
    "cases_closed",
    label=_("Paths closed"),
    unit=_("cases"),
    description=_("Cases closed in the year, for any reason or for the one chosen."),
    option_label=_("Reason for closing"),
    option_choices=_close_reason_choices,
)
def cases_closed(
    period: Period, *, municipalities=None, category=None, language=None, option=None
) -> int:
    """Cases closed in the period; ``option`` narrows them to one ``CloseReason`` (``all`` or
    nothing: every reason)."""
    cases = _cases(municipalities, category, language).filter(
        closed_on__range=(period.start, period.end)
    )
    if option and option != "all":
        cases = cases.filter(close_reason=option)
    return cases.count()


# --- duplicate service --------------------------------------------------------------------


@register(
    "duplicate_open_paths",
    label=_("Persons with two open paths at once"),
    unit=_("persons"),
    description=_(
        "Persons registered twice (two client records with the same names and date of birth) "
        "whose two paths were open at the same time during the year: duplicate service."
    ),
)
def duplicate_open_paths(
    period: Period, *, municipalities=None, category=None, language=None
) -> int:
    """Persons with two client records (the same first names, last name, ignoring case, and
    date of birth; anonymised records excluded) whose cases were open on a common day of the
    period, counted when at least one of those cases is within the filters.

    One client record cannot hold two open cases (a database constraint), so a duplicate
    service shows as a second registration of the same person, typically by another
    organisation that did not find the first one. Two queries: the name and birth-date keys
    held by more than one record, then the cases of those records open during the period."""
    return len(_duplicate_keys(period, municipalities, category, language))


def _duplicate_keys(period, municipalities, category, language) -> set[tuple]:
    """``(last name, first names, birth date)`` of the persons counted (see above), in one
    query: the paths within the filters that share a day of the period with a path of
    another record of the same person (a semi-join PostgreSQL hashes)."""
    start, end = period.start, period.end
    twin = (
        IntegrationCase.objects.annotate(
            last=Lower("client__last_name"), first=Lower("client__first_names")
        )
        .filter(
            client__anonymised_at__isnull=True,
            client__date_of_birth=OuterRef("client__date_of_birth"),
            last=OuterRef("last"),
            first=OuterRef("first"),
            contacted_on__lte=OuterRef("overlap_end"),
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=OuterRef("overlap_start")))
        .exclude(client_id=OuterRef("client_id"))
    )
    persons = (
        _cases(municipalities, category, language)
        .filter(
            client__anonymised_at__isnull=True,
            client__date_of_birth__isnull=False,
            contacted_on__lte=end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .annotate(
            last=Lower("client__last_name"),
            first=Lower("client__first_names"),
            # the part of this path inside the period; a twin's path must share a day of it
            overlap_start=Greatest("contacted_on", Value(start)),
            overlap_end=Least(Coalesce("closed_on", Value(end)), Value(end)),
        )
        .filter(Exists(twin))
        .values_list("last", "first", "client__date_of_birth")
        .order_by()
        .distinct()
    )
    return set(persons)


# --- the report's years in one go ------------------------------------------------------------
#
# A report shows each computed indicator for every year of its programme. The functions above
# define the figures, one period at a time; for most of them the same figures for several
# years come from ONE query grouped by year. ``compute_years`` uses these forms when there is
# one (the tests check that they agree with the functions, year by year, on both databases).

YEARLY: dict[str, Callable] = {}


def yearly(*codes: str):
    def decorate(function):
        for code in codes:
            YEARLY[code] = function
        return function

    return decorate


class Shared(dict):
    """What the indicators of one report share, built once: the rule sets, and the results
    of the queries that give several indicators at once (the median and the 90th percentile
    from the same rows, the three figures of the client decisions). ``compute_years`` takes
    one (``shared=``) and a report passes the same to each of its indicators; each entry is
    keyed by what it was computed from (the query, the years and the filters)."""

    def get_or_compute(self, key, make):
        if key not in self:
            self[key] = make()
        return self[key]


def _shared_get(shared, key, make):
    return make() if shared is None else shared.get_or_compute(key, make)


def _window(years) -> Period:
    return Period(dt.date(min(years), 1, 1), dt.date(max(years), 12, 31))


def _group_by_year(queryset, field: str, years, *, timestamp=False, **aggregates) -> dict:
    window = _window(years)
    if timestamp:
        first, after = window.datetimes()
        queryset = queryset.filter(**{f"{field}__gte": first, f"{field}__lt": after})
    else:
        queryset = queryset.filter(**{f"{field}__range": (window.start, window.end)})
    rows = queryset.annotate(y=ExtractYear(field)).values("y").annotate(**aggregates).order_by()
    return {row["y"]: row for row in rows}


def _counts(rows: dict, years, key="n") -> dict:
    return {year: rows[year][key] if year in rows else 0 for year in years}


def _bucket(checks, years) -> dict:
    out = {year: [] for year in years}
    for day, on_time in checks:
        if day.year in out:
            out[day.year].append(on_time)
    return {year: share(sum(r), len(r)) for year, r in out.items()}


def _filters_key(municipalities, category, language) -> tuple:
    return (
        None if municipalities is None else tuple(sorted(municipalities)),
        category or None,
        language or None,
    )


_DAY_STATISTICS = {
    "contact_to_assessment_median": ("cases", "assessment_completed_on", "contacted_on", "assessment_completed_on", "median"),
    "contact_to_assessment_p90": ("cases", "assessment_completed_on", "contacted_on", "assessment_completed_on", "p90"),
    "assessment_to_plan_start_median": ("plans", "approved_on", "case__assessment_completed_on", "starts_on", "median"),
    "assessment_to_plan_start_p90": ("plans", "approved_on", "case__assessment_completed_on", "starts_on", "p90"),
    "assessment_to_plan_approval_median": ("plans", "approved_on", "case__assessment_completed_on", "approved_on", "median"),
    "assessment_to_plan_approval_p90": ("plans", "approved_on", "case__assessment_completed_on", "approved_on", "p90"),
}  # fmt: skip


def _day_statistics_by_year(source, years, municipalities, category, language) -> dict:
    """Every day statistic of ``source`` (``"cases"`` or ``"plans"``, see ``_DAY_STATISTICS``)
    for each year, from ONE query: ``{code: {year: value}}``. On PostgreSQL the database
    computes the medians and percentiles, each over the rows where both of its dates are set
    (an ordered-set aggregate skips nulls); elsewhere Python does, from the dates."""
    codes = [code for code, spec in _DAY_STATISTICS.items() if spec[0] == source]
    field = _DAY_STATISTICS[codes[0]][1]
    if source == "cases":
        queryset = _cases(municipalities, category, language)
    else:
        queryset = IntegrationPlan.objects.filter(
            _scope("case__", municipalities, category, language), version=1
        )
    if connection.vendor == "postgresql":
        aggregates = {}
        for i, code in enumerate(codes):
            _source, _field, earlier, later, statistic = _DAY_STATISTICS[code]
            aggregates[f"v{i}"] = _Percentile(
                _days_between(later, earlier),
                fraction=0.5 if statistic == "median" else 0.9,
                discrete=statistic != "median",
            )
        rows = _group_by_year(queryset, field, years, **aggregates)
        return {
            code: {
                year: float(rows[year][f"v{i}"])
                if year in rows and rows[year][f"v{i}"] is not None
                else None
                for year in years
            }
            for i, code in enumerate(codes)
        }
    window = _window(years)
    columns = sorted({name for code in codes for name in _DAY_STATISTICS[code][2:4]})
    rows = list(
        queryset.filter(**{f"{field}__range": (window.start, window.end)}).values_list(
            field, *columns
        )
    )
    out = {}
    for code in codes:
        _source, _field, earlier, later, statistic = _DAY_STATISTICS[code]
        a, b = columns.index(earlier) + 1, columns.index(later) + 1
        days = {year: [] for year in years}
        for row in rows:
            if row[a] and row[b] and row[0].year in days:
                days[row[0].year].append((row[b] - row[a]).days)
        pick = median if statistic == "median" else percentile_90
        out[code] = {year: pick(values) for year, values in days.items()}
    return out


@yearly("new_clients")
def _new_clients_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    if _merged(shared):
        cases = _figures("cases", years, municipalities, category, language, shared)
        return {year: cases[f"new{year}"] for year in years}
    rows = _group_by_year(
        _cases(municipalities, category, language), "contacted_on", years,
        n=Count("client_id", distinct=True),
    )  # fmt: skip
    return _counts(rows, years)


def _day_statistic_form(code):
    source = _DAY_STATISTICS[code][0]

    def by_year(years, *, municipalities=None, category=None, language=None, shared=None):
        if _merged(shared):
            if source == "cases":
                cases = _figures("cases", years, municipalities, category, language, shared)
                name = "c2a_median" if code.endswith("_median") else "c2a_p90"
                values = {year: cases[f"{name}{year}"] for year in years}
            else:
                plans = _figures("plans", years, municipalities, category, language, shared)
                key = f"v{_PLAN_DAYS.index(code)}"
                values = {year: plans[year][key] if year in plans else None for year in years}
            return {year: None if v is None else float(v) for year, v in values.items()}
        every = _shared_get(
            shared,
            ("days", source, tuple(years), _filters_key(municipalities, category, language)),
            lambda: _day_statistics_by_year(source, years, municipalities, category, language),
        )
        return every[code]

    return by_year


for _code in _DAY_STATISTICS:
    yearly(_code)(_day_statistic_form(_code))


def _target_expression(rules: _Rules, start: str, *steps: str):
    """The target days of ``steps`` for a step that began on the date in ``start``, as an SQL
    expression: the rule set in force that day as ``_Rules.on`` finds it (the last one in
    ``valid_from`` order whose period holds the day), NULL when there is none or when it
    lacks one of the targets."""
    whens = []
    for rule_set in reversed(rules.sets):
        days = [rules.targets[rule_set.pk].get(step) for step in steps]
        holds = Q(**{f"{start}__gte": rule_set.valid_from})
        if rule_set.valid_until is not None:
            holds &= Q(**{f"{start}__lt": rule_set.valid_until})
        total = None if any(d is None for d in days) else sum(days)
        whens.append(When(holds, then=Value(total, output_field=IntegerField())))
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _percentile(statistic: str, later: str, earlier: str, *, filter=None):  # noqa: A002
    return _Percentile(
        _days_between(later, earlier),
        fraction=0.5 if statistic == "median" else 0.9,
        discrete=statistic != "median",
        filter=filter,
    )


def _case_figures(years, rules, municipalities, category, language) -> dict:
    """PostgreSQL, for a report (``Shared``): in ONE query over the cases, for each year, the
    figures of several indicators that read the cases (no rows travel):

    - ``new{y}``: distinct clients first contacted in the year (``new_clients``);
    - ``c2a_median{y}``, ``c2a_p90{y}``: days from contact to the finished assessment, over
      the assessments finished in the year (``contact_to_assessment_*``);
    - ``closed{y}``: cases closed in the year, any reason (``cases_closed``);
    - ``intake_n{y}``, ``intake_ok{y}``, ``assessment_n{y}``, ``assessment_ok{y}``: the intake
      and assessment steps finished in the year, counted and on time (``steps_within_target``,
      as ``_step_checks``).

    Each aggregate is filtered by its own year, so it counts what the indicator's own query
    counts; the query reads the cases with any of those dates in the years."""
    window = _window(years)
    span = (window.start, window.end)
    # an uncorrelated IN: PostgreSQL hashes the participations once (a correlated EXISTS
    # would run once a row in each aggregate that uses it)
    took_part = Q(
        pk__in=WellbeingParticipation.objects.filter(phase=ParticipationPhase.ASSESSMENT).values(
            "case_id"
        )
    )
    plain = _target_expression(rules, "assessment_started_on", Step.ASSESSMENT)
    with_wellbeing = _target_expression(
        rules, "assessment_started_on", Step.ASSESSMENT, Step.MULTI_PROFESSIONAL
    )
    aggregates = {}
    for year in years:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        started = Q(assessment_started_on__range=(first, last))
        completed = Q(assessment_completed_on__range=(first, last))
        completed_step = Q(assessment_started_on__isnull=False) & completed
        aggregates |= {
            f"new{year}": Count(
                "client_id", distinct=True, filter=Q(contacted_on__range=(first, last))
            ),
            f"c2a_median{year}": _percentile(
                "median", "assessment_completed_on", "contacted_on", filter=completed
            ),
            f"c2a_p90{year}": _percentile(
                "p90", "assessment_completed_on", "contacted_on", filter=completed
            ),
            f"closed{year}": Count("pk", filter=Q(closed_on__range=(first, last))),
            f"intake_n{year}": Count("pk", filter=started & Q(intake_target__isnull=False)),
            f"intake_ok{year}": Count(
                "pk", filter=started & Q(intake_days__lte=F("intake_target"))
            ),
            f"assessment_n{year}": Count(
                "pk", filter=completed_step & Q(assessment_target__isnull=False)
            ),
            f"assessment_ok{year}": Count(
                "pk", filter=completed_step & Q(assessment_days__lte=F("assessment_target"))
            ),
        }
    return (
        _cases(municipalities, category, language)
        .filter(
            Q(contacted_on__range=span)
            | Q(assessment_started_on__range=span)
            | Q(assessment_completed_on__range=span)
            | Q(closed_on__range=span)
        )
        .annotate(
            intake_target=_target_expression(rules, "contacted_on", Step.INTAKE),
            intake_days=_days_between("assessment_started_on", "contacted_on"),
            assessment_target=Case(
                When(took_part, then=with_wellbeing),
                default=plain,
                output_field=IntegerField(),
            ),
            assessment_days=_days_between("assessment_completed_on", "assessment_started_on"),
        )
        .aggregate(**aggregates)
    )


_PLAN_DAYS = [code for code, spec in _DAY_STATISTICS.items() if spec[0] == "plans"]


def _plan_figures(years, rules, municipalities, category, language) -> dict:
    """PostgreSQL, for a report (``Shared``): in ONE query over the first plans approved in
    the years, grouped by the year of approval, the day statistics of the plans (``v0``...,
    in the order of ``_PLAN_DAYS``) and the planning step, counted and on time (``n``, ``ok``:
    from the finished assessment to the approval, as ``_step_checks``)."""
    window = _window(years)
    aggregates = {}
    for i, code in enumerate(_PLAN_DAYS):
        _source, _field, earlier, later, statistic = _DAY_STATISTICS[code]
        aggregates[f"v{i}"] = _percentile(statistic, later, earlier)
    return _group_by_year(
        _first_plans_approved(window, municipalities, category, language).annotate(
            target=_target_expression(
                rules,
                "case__assessment_completed_on",
                Step.PLANNING,
                Step.AGREEMENT,
                Step.APPROVAL,
            ),
            days=_days_between("approved_on", "case__assessment_completed_on"),
        ),
        "approved_on",
        years,
        n=Count("pk", filter=Q(target__isnull=False)),
        ok=Count("pk", filter=Q(days__lte=F("target"))),
        **aggregates,
    )


def _merged(shared) -> bool:
    """Read the merged queries (``_case_figures``, ``_plan_figures``)? For a report on
    PostgreSQL; one indicator alone costs less with its own query."""
    return shared is not None and connection.vendor == "postgresql"


def _figures(kind, years, municipalities, category, language, shared) -> dict:
    make = _case_figures if kind == "cases" else _plan_figures
    return _shared_get(
        shared,
        (kind, tuple(years), _filters_key(municipalities, category, language)),
        lambda: make(years, _rules(shared), municipalities, category, language),
    )


def _rules(shared) -> _Rules:
    return _shared_get(shared, ("rules",), _Rules)


@yearly("steps_within_target")
def _steps_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    if connection.vendor == "postgresql":
        shared = shared if shared is not None else Shared()
        cases = _figures("cases", years, municipalities, category, language, shared)
        plans = _figures("plans", years, municipalities, category, language, shared)
        out = {}
        for year in years:
            plan = plans.get(year, {"n": 0, "ok": 0})
            out[year] = share(
                cases[f"intake_ok{year}"] + cases[f"assessment_ok{year}"] + plan["ok"],
                cases[f"intake_n{year}"] + cases[f"assessment_n{year}"] + plan["n"],
            )
        return out
    return _bucket(
        _step_checks(_window(years), municipalities, category, language, rules=_rules(shared)),
        years,
    )


@yearly("reviews_on_time")
def _reviews_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    """As ``_review_checks`` for the window, with the previous review's due date taken by a
    window function (``LAG`` over each plan's reviews in the order of their day and id) over
    every review of the plans reviewed in the window, instead of a subquery for each review;
    the reviews outside the window are then left out in Python."""
    window = _window(years)
    reviewed = Review.objects.filter(reviewed_on__range=(window.start, window.end))
    rows = (
        Review.objects.filter(
            _scope("plan__case__", municipalities, category, language),
            plan_id__in=reviewed.values("plan_id"),
        )
        .annotate(
            previous_due=Window(
                Lag("next_review_due"),
                partition_by=[F("plan_id")],
                order_by=[F("reviewed_on").asc(), F("pk").asc()],
            )
        )
        .values_list("reviewed_on", "previous_due", "plan__approved_on", "plan__starts_on")
        .order_by()
    )
    in_window = [row for row in rows if window.start <= row[0] <= window.end]
    return _bucket(_review_due_checks(in_window, _rules(shared)), years)


def _decisions_by_year(years, municipalities, category, language, shared=None) -> dict:
    return _shared_get(
        shared,
        ("decisions", tuple(years), _filters_key(municipalities, category, language)),
        lambda: _group_by_year(
            IntegrationPlan.objects.filter(_scope("case__", municipalities, category, language)),
            "client_decision_on",
            years,
            refused=Count("id", filter=Q(state=PlanState.REFUSED)),
            agreed=Count("id", filter=~Q(state=PlanState.REFUSED)),
        ),
    )


@yearly("plans_agreed")
def _agreed_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    rows = _decisions_by_year(years, municipalities, category, language, shared)
    return _counts(rows, years, "agreed")


@yearly("plans_refused")
def _refused_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    rows = _decisions_by_year(years, municipalities, category, language, shared)
    return _counts(rows, years, "refused")


@yearly("plan_refusal_share")
def _refusal_share_by_year(
    years, *, municipalities=None, category=None, language=None, shared=None
):
    rows = _decisions_by_year(years, municipalities, category, language, shared)
    return {
        year: share(rows[year]["refused"], rows[year]["refused"] + rows[year]["agreed"])
        if year in rows
        else None
        for year in years
    }


@yearly("without_plan_at_period_end")
def _without_plan_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    approved = IntegrationPlan.objects.filter(
        case=OuterRef("pk"),
        approved_on__isnull=False,
        approved_on__lte=OuterRef("integration_period_ends_on"),
    )
    cases = (
        _cases(municipalities, category, language)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=F("integration_period_ends_on")))
        .filter(~Exists(approved))
    )
    rows = _group_by_year(
        cases, "integration_period_ends_on", years, n=Count("client_id", distinct=True)
    )
    return _counts(rows, years)


@yearly("wellbeing_participations")
def _participations_by_year(
    years, *, municipalities=None, category=None, language=None, shared=None
):
    rows = _group_by_year(
        WellbeingParticipation.objects.filter(_scope("case__", municipalities, category, language)),
        "invited_at",
        years,
        timestamp=True,
        n=Count("id"),
    )
    return _counts(rows, years)


@yearly("wellbeing_participation_median_days")
def _participation_days_by_year(
    years, *, municipalities=None, category=None, language=None, shared=None
):
    first, after = _window(years).datetimes()
    days = {year: [] for year in years}
    for invited, contributed in WellbeingParticipation.objects.filter(
        _scope("case__", municipalities, category, language),
        contributed_at__gte=first,
        contributed_at__lt=after,
    ).values_list("invited_at", "contributed_at"):
        local = timezone.localtime(contributed).date()
        if local.year in days:
            days[local.year].append((local - timezone.localtime(invited).date()).days)
    return {year: median(values) for year, values in days.items()}


@yearly("transfers")
def _transfers_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    rows = _group_by_year(
        CaseEvent.objects.filter(
            _scope("case__", municipalities, category, language), kind=CaseEventKind.TRANSFERRED
        ),
        "at",
        years,
        timestamp=True,
        n=Count("id"),
    )
    return _counts(rows, years)


@yearly("duplicate_open_paths")
def _duplicates_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    """The persons with more than one client record first (one grouping of the client table,
    whatever the filters), then the paths of those records in the window, then each year's
    count in Python: the persons with two records whose paths share a day of the year, one
    of the two within the filters (as ``duplicate_open_paths``)."""
    window = _window(years)
    keys = {
        (row["last"], row["first"], row["born"])
        for row in Client.objects.filter(anonymised_at__isnull=True, date_of_birth__isnull=False)
        .values(last=Lower("last_name"), first=Lower("first_names"), born=F("date_of_birth"))
        .annotate(records=Count("pk"))
        .filter(records__gt=1)
        .order_by()
    }
    if not keys:
        return dict.fromkeys(years, 0)
    in_scope = _scope("", municipalities, category, language)
    rows = (
        IntegrationCase.objects.filter(
            client__anonymised_at__isnull=True,
            client__date_of_birth__in={key[2] for key in keys},
            contacted_on__lte=window.end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=window.start))
        .annotate(
            last=Lower("client__last_name"),
            first=Lower("client__first_names"),
            scoped=Case(When(in_scope, then=Value(True)), default=Value(False))
            if in_scope
            else Value(True),
        )
        .values_list(
            "last",
            "first",
            "client__date_of_birth",
            "client_id",
            "contacted_on",
            "closed_on",
            "scoped",
        )
        .order_by()
    )
    paths: dict[tuple, list] = {}
    for last, first, born, client_id, opened, closed, scoped in rows:
        if (last, first, born) in keys:
            paths.setdefault((last, first, born), []).append((client_id, opened, closed, scoped))
    out = {}
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        persons = 0
        for person in paths.values():
            clipped = [
                (client, max(opened, start), min(closed or end, end), scoped)
                for client, opened, closed, scoped in person
                if opened <= end and (closed is None or closed >= start)
            ]
            persons += any(
                a[0] != b[0] and (a[3] or b[3]) and max(a[1], b[1]) <= min(a[2], b[2])
                for i, a in enumerate(clipped)
                for b in clipped[i + 1 :]
            )
        out[year] = persons
    return out


@yearly("plans_in_force_at_end")
def _in_force_by_year(years, *, municipalities=None, category=None, language=None, shared=None):
    """One query: for each year's last day, a count filtered by that day. "A plan approved by
    then" is an uncorrelated IN for each day, which PostgreSQL hashes once (a correlated
    subquery would run once a case in each count)."""
    ends = {year: dt.date(year, 12, 31) for year in years}

    def approved_by(day):
        return Q(
            pk__in=IntegrationPlan.objects.filter(
                approved_on__isnull=False, approved_on__lte=day
            ).values("case_id")
        )

    counts = (
        _cases(municipalities, category, language)
        .filter(contacted_on__lte=max(ends.values()))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=min(ends.values())))
        .aggregate(
            **{
                f"y{year}": Count(
                    "client_id",
                    distinct=True,
                    filter=approved_by(end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end)),
                )
                for year, end in ends.items()
            }
        )
    )
    return {year: counts[f"y{year}"] for year in years}


@yearly("cases_closed")
def _closed_by_year(
    years, *, municipalities=None, category=None, language=None, option=None, shared=None
):
    if _merged(shared) and option in (None, "", "all"):
        cases = _figures("cases", years, municipalities, category, language, shared)
        return {year: cases[f"closed{year}"] for year in years}
    cases = _cases(municipalities, category, language)
    if option and option != "all":
        cases = cases.filter(close_reason=option)
    return _counts(_group_by_year(cases, "closed_on", years, n=Count("id")), years)


def compute_years(
    code: str,
    years,
    *,
    municipalities=None,
    category: str = "",
    language: str = "",
    option: str = "",
    shared: Shared | None = None,
) -> dict:
    """``{year: value}`` for each of ``years``: the same as ``compute`` for each year, in one
    query where the indicator has a yearly form. A year whose figure failed maps to an
    ``IndicatorFailed``. The indicators of one report pass the same ``shared`` (a
    ``Shared()``), so that what several of them read is read once."""
    years = sorted(years)
    filters = {
        "municipalities": municipalities,
        "category": category,
        "language": language,
        "option": option,
    }
    batch = YEARLY.get(code)
    spec = REGISTRY.get(code)
    if batch is not None and spec is not None and years:
        kwargs = {
            "municipalities": None if municipalities is None else list(municipalities),
            "category": category or None,
            "language": language or None,
            "shared": shared,
        }
        if spec.option_choices is not None:
            kwargs["option"] = option or None
        try:
            if connection.in_atomic_block:
                with transaction.atomic():
                    return batch(years, **kwargs)
            return batch(years, **kwargs)
        except Exception:  # the figures one year at a time, each failing on its own
            logger.exception("Yearly form of %s failed; computing year by year", code)
    out = {}
    for year in years:
        try:
            out[year] = compute(code, Period.year(year), **filters)
        except IndicatorFailed as error:
            out[year] = error
    return out
