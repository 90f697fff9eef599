"""Login throttling (django-axes) with two limits.

axes counts failed logins per (user name, address) and locks that pair out after
``AXES_FAILURE_LIMIT`` failures, so that nobody can lock a named user out from another
address. One password tried against many user names (password spraying) fails once per
name and never reaches that limit: this handler also locks out an address after
``AXES_IP_FAILURE_LIMIT`` failures from it in all, whatever the names, within the same
cool-off time. The address is the client's own (``permissions.network.client_ip``)."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    def address_failures(self, request) -> int:
        """Failed logins from the request's address within the cool-off time, all names."""
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials=None) -> int:
        """The failures axes compares with ``AXES_FAILURE_LIMIT``: those of the (name,
        address) pair, or the limit itself once the address has reached its own limit."""
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return limit
        return failures
