"""Behind reverse proxies the client's address, not the proxy's, reaches the audit trail
and the login throttling."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import ForwardedForMiddleware


def _address(settings, hops, forwarded, remote="10.0.0.9"):
    settings.TRUSTED_PROXY_COUNT = hops
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    ForwardedForMiddleware(view)(request)
    return seen["address"]


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy configured: the header is not trusted
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the first was the client's claim
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer entries than proxies: not trusted
        (1, None, "10.0.0.9"),
        (1, " , ", "10.0.0.9"),
    ],
)
def test_the_address_the_trusted_proxy_saw(settings, hops, forwarded, expected):
    assert _address(settings, hops, forwarded) == expected
