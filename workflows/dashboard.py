"""Figures for a manager's dashboard: each is one aggregate query over the indexed task
table, whatever the number of tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import QUEUE_ROLES, Role, Unit

from .models import OPEN_STATUSES, CaseTask
from .selectors import LIST_RELATED

AGE_BUCKETS = [
    ("0-7", _("0–7 days"), 0, 7),
    ("8-14", _("8–14 days"), 8, 14),
    ("15-30", _("15–30 days"), 15, 30),
    ("31-60", _("31–60 days"), 31, 60),
    ("61-", _("over 60 days"), 61, None),
]
WEEKS = 8


def managed_units(user):
    """Units of the organisations where the user is a manager."""
    orgs = user.memberships.filter(is_active=True, role=Role.MANAGER).values(
        "unit__organisation_id"
    )
    return Unit.objects.filter(organisation_id__in=orgs, is_active=True).select_related(
        "organisation"
    )


def age_range(bucket: str, today: dt.date) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Creation-time bounds of an age bucket: tasks created in (newest, oldest]."""
    for key, _label, low, high in AGE_BUCKETS:
        if key == bucket:
            newest = timezone.make_aware(
                dt.datetime.combine(today - dt.timedelta(days=low - 1), dt.time())
            )
            oldest = (
                timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=high), dt.time()))
                if high is not None
                else None
            )
            return oldest, newest
    raise ValueError(bucket)


@dataclass
class Dashboard:
    units: list
    per_queue_step: list
    totals: dict
    ages: list
    per_worker: list
    per_week: list
    overdue_history: dict


def dashboard_for(user, *, unit_ids=None) -> Dashboard:
    today = timezone.localdate()
    units = list(managed_units(user))
    if unit_ids:
        units = [u for u in units if u.pk in set(unit_ids)]
    unit_pks = [u.pk for u in units]
    open_tasks = CaseTask.objects.filter(unit_id__in=unit_pks, status__in=OPEN_STATUSES)
    overdue = Q(due_on__lt=today)

    per_queue_step = list(
        open_tasks.values("unit_id", "step")
        .annotate(
            open=Count("id"),
            unassigned=Count("id", filter=Q(owner__isnull=True)),
            overdue=Count("id", filter=overdue),
        )
        .order_by("unit_id", "step")
    )
    unit_names = {u.pk: u for u in units}
    for row in per_queue_step:
        row["unit"] = unit_names[row["unit_id"]]
    totals = open_tasks.aggregate(
        open=Count("id"),
        unassigned=Count("id", filter=Q(owner__isnull=True)),
        overdue=Count("id", filter=overdue),
    )
    age_filters = {}
    for key, _label, _low, _high in AGE_BUCKETS:
        oldest, newest = age_range(key, today)
        condition = Q(created_at__lt=newest)
        if oldest is not None:
            condition &= Q(created_at__gte=oldest)
        age_filters[key] = Count("id", filter=condition)
    age_counts = open_tasks.aggregate(**age_filters)
    ages = [
        {"key": key, "label": label, "count": age_counts[key]}
        for key, label, _low, _high in AGE_BUCKETS
    ]
    per_worker = _per_worker(units, open_tasks, today)
    per_week = _per_week(unit_pks, today)
    overdue_history = _overdue_history(unit_pks, today)
    return Dashboard(
        units=units,
        per_queue_step=per_queue_step,
        totals=totals,
        ages=ages,
        per_worker=per_worker,
        per_week=per_week,
        overdue_history=overdue_history,
    )


WORKLOAD_ROLES = (Role.CASE_WORKER, Role.MANAGER, Role.WELLBEING_WORKER)


def _per_worker(units, open_tasks, today) -> list[dict]:
    """Every active member of the managed units who can take tasks, with their open and
    overdue tasks: those with none are listed too (at zero), so an idle colleague shows."""
    counts = {
        row["owner_id"]: row
        for row in open_tasks.filter(owner__isnull=False)
        .values("owner_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    }
    members = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__unit__in=units,
            memberships__role__in=WORKLOAD_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    rows = []
    for member in members:
        row = counts.pop(member.pk, {"open": 0, "overdue": 0})
        rows.append(
            {
                "owner_id": member.pk,
                "name": member.get_full_name() or member.get_username(),
                "open": row["open"],
                "overdue": row["overdue"],
                "member": True,
            }
        )
    if counts:  # tasks held by people no longer in the units: listed so nothing hides
        for former in get_user_model().objects.filter(pk__in=counts):
            row = counts[former.pk]
            rows.append(
                {
                    "owner_id": former.pk,
                    "name": former.get_full_name() or former.get_username(),
                    "open": row["open"],
                    "overdue": row["overdue"],
                    "member": False,
                }
            )
    rows.sort(key=lambda r: (-r["open"], r["name"]))
    return rows


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _per_week(unit_pks, today) -> list[dict]:
    """Tasks completed per week (Monday to Sunday) for the last ``WEEKS`` weeks, this one
    included; weeks with none are there at zero."""
    first = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    weeks = [first + dt.timedelta(weeks=n) for n in range(WEEKS)]
    since = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    bounds = {
        f"w{n}": Count(
            "id",
            filter=Q(
                finished_at__gte=timezone.make_aware(dt.datetime.combine(week, dt.time())),
                finished_at__lt=timezone.make_aware(
                    dt.datetime.combine(week + dt.timedelta(weeks=1), dt.time())
                ),
            ),
        )
        for n, week in enumerate(weeks)
    }
    done = CaseTask.objects.filter(
        unit_id__in=unit_pks, status="DONE", finished_at__gte=since
    ).aggregate(**bounds)
    return [{"week": week, "done": done[f"w{n}"] or 0} for n, week in enumerate(weeks)]


def _overdue_history(unit_pks, today) -> dict:
    """How many tasks of each step were open and overdue at the end of each of the last
    ``WEEKS`` weeks (today for this week): one aggregate query. A task counts on a day if it
    existed then, was not yet finished, and its due date had passed."""
    last = today
    days = [last - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    columns = {}
    for n, day in enumerate(days):
        end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
        columns[f"d{n}"] = Count(
            "id",
            filter=Q(created_at__lt=end_of_day, due_on__lt=day)
            & (Q(finished_at__isnull=True) | Q(finished_at__gte=end_of_day))
            & ~Q(status__in=["CANCELED", "ERROR"], finished_at__isnull=True),
        )
    earliest = days[0]
    rows = (
        CaseTask.objects.filter(unit_id__in=unit_pks, due_on__lt=last)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__date__gte=earliest))
        .values("step")
        .annotate(**columns)
        .order_by("step")
    )
    series = {}
    for row in rows:
        values = [row[f"d{n}"] for n in range(len(days))]
        if any(values):
            series[row["step"]] = values
    return {"days": days, "series": series}


def drilldown(user, params) -> tuple:
    """The tasks behind a figure: the managed units' tasks, open or done (``status``),
    narrowed by a dashboard chart's ``age`` bucket or completion ``week``. Returns
    ``(queryset, errors, chips)``; the list's other filters (step, queue, due, assignee...)
    are the task lists' own (``workflows.pages.listing``)."""
    today = timezone.localdate()
    unit_pks = list(managed_units(user).values_list("pk", flat=True))
    qs = CaseTask.objects.filter(unit_id__in=unit_pks)
    errors, chips = [], []
    status = params.get("status", "open")
    qs = qs.filter(status="DONE") if status == "done" else qs.filter(status__in=OPEN_STATUSES)
    if params.get("age"):
        try:
            oldest, newest = age_range(params["age"], today)
        except ValueError:
            errors.append(
                _("Ignored a filter that was not understood: %(name)s.") % {"name": "age"}
            )
        else:
            qs = qs.filter(created_at__lt=newest)
            if oldest is not None:
                qs = qs.filter(created_at__gte=oldest)
            label = {key: label for key, label, _low, _high in AGE_BUCKETS}[params["age"]]
            chips.append({"name": "age", "label": _("Age"), "value": label})
    if params.get("week"):
        try:
            week = dt.date.fromisoformat(params["week"])
        except ValueError:
            errors.append(
                _("Ignored a filter that was not understood: %(name)s.") % {"name": "week"}
            )
        else:
            qs = qs.filter(
                finished_at__date__gte=week, finished_at__date__lt=week + dt.timedelta(days=7)
            )
            chips.append({"name": "week", "label": _("Completed in the week of"), "value": week})
    qs = qs.select_related(*LIST_RELATED)
    return qs, errors, chips


def assignable_workers(user):
    """People the manager can give tasks to: members of the managed units."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__unit__in=managed_units(user),
            memberships__role__in=QUEUE_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
