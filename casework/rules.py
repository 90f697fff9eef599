"""Which rules applied on a given date."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models.rules import RuleSet


class NoRuleSet(ValidationError):
    pass


def rules_on_or_none(day: dt.date | None = None) -> RuleSet | None:
    day = day or timezone.localdate()
    return (
        RuleSet.objects.filter(valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
        .prefetch_related("targets")
        .order_by("-valid_from")
        .first()
    )


def rules_on(day: dt.date | None = None) -> RuleSet:
    """The rule set in force on ``day`` (today by default); a clear error when none is."""
    rules = rules_on_or_none(day)
    if rules is None:
        day = day or timezone.localdate()
        raise NoRuleSet(
            _("No rule set is in force on %(day)s. An administrator must add one."),
            params={"day": day.strftime("%d.%m.%Y")},
            code="no_rule_set",
        )
    return rules


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
