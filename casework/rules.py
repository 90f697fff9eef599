"""Which rules applied on a given date."""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models.categories import derive_category
from .models.rules import RuleSet


class NoRuleSet(ValidationError):
    pass


# Rule sets change a few times a year and are read by every step of every path, so each
# process keeps the rule set of each day it was asked for. A change saved in this process
# empties the cache at once and again when its transaction commits (the rule-set services in
# ``casework.services.rules`` call ``forget_rules``); other processes see it within
# ``RULES_CACHE_SECONDS``.
_cache: dict[dt.date, tuple[float, RuleSet | None]] = {}
_cache_lock = threading.Lock()


def clear_rule_cache() -> None:
    with _cache_lock:
        _cache.clear()


def forget_rules() -> None:
    """Empty the rule cache now and once more when the current transaction commits."""
    clear_rule_cache()
    transaction.on_commit(clear_rule_cache)


def _load(day: dt.date) -> RuleSet | None:
    return RuleSet.objects.in_force_on(day)


def rules_on_or_none(day: dt.date | None = None) -> RuleSet | None:
    """The rule set in force on ``day``. The object is shared: read it, never change it."""
    day = day or timezone.localdate()
    lifetime = settings.RULES_CACHE_SECONDS
    now = time.monotonic()
    cached = _cache.get(day)
    if cached is not None and now - cached[0] < lifetime:
        return cached[1]
    rules = _load(day)
    if lifetime > 0:
        with _cache_lock:
            if len(_cache) > 1000:  # dates of old plans, say: keep the cache small
                _cache.clear()
            _cache[day] = (now, rules)
    return rules


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


def category_on(client, day: dt.date | None = None):
    """The client's category on ``day`` (today by default), under the rules of that day (a
    young adult's support for becoming adult ends at the age they set)."""
    day = day or timezone.localdate()
    rules = rules_on_or_none(day)
    return derive_category(
        client, on=day, aftercare_until_age=rules.aftercare_until_age if rules else None
    )
