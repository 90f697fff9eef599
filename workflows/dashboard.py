"""Figures for a manager's dashboard: each is one aggregate query over the indexed task
table, whatever the number of tasks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
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
    per_worker = list(
        open_tasks.filter(owner__isnull=False)
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue))
        .order_by("-open", "owner__last_name")
    )
    since = today - dt.timedelta(weeks=WEEKS)
    per_week = list(
        CaseTask.objects.filter(
            unit_id__in=unit_pks,
            status="DONE",
            finished_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time())),
        )
        .annotate(week=TruncWeek("finished_at"))
        .values("week")
        .annotate(done=Count("id"))
        .order_by("week")
    )
    return Dashboard(
        units=units,
        per_queue_step=per_queue_step,
        totals=totals,
        ages=ages,
        per_worker=per_worker,
        per_week=per_week,
    )


def drilldown(user, params) -> tuple:
    """The tasks behind a figure, filtered by the query string; (queryset, errors)."""
    today = timezone.localdate()
    unit_pks = list(managed_units(user).values_list("pk", flat=True))
    qs = CaseTask.objects.filter(unit_id__in=unit_pks)
    errors = []
    status = params.get("status", "open")
    qs = qs.filter(status="DONE") if status == "done" else qs.filter(status__in=OPEN_STATUSES)

    def as_int(name):
        value = params.get(name, "")
        if value.isdigit():
            return int(value)
        if value:
            errors.append(_("Ignored a filter that was not understood: %(name)s.") % {"name": name})
        return None

    unit = as_int("unit")
    if unit:
        qs = qs.filter(unit_id=unit)
    if params.get("step"):
        qs = qs.filter(step=params["step"])
    owner = params.get("owner", "")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        owner_id = as_int("owner")
        if owner_id:
            qs = qs.filter(owner_id=owner_id)
    if params.get("overdue") == "1":
        qs = qs.filter(due_on__lt=today)
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
    qs = qs.select_related(*LIST_RELATED).order_by(
        F("due_on").asc(nulls_last=True), "priority", "pk"
    )
    return qs, errors


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
