"""The client's address behind reverse proxies."""

from __future__ import annotations

from permissions.network import client_ip


class ForwardedForMiddleware:
    """Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, the client's address is the one the
    outermost of them put in ``CLIENT_IP_HEADER`` (``permissions.network.client_ip``); make it
    ``REMOTE_ADDR`` so that everything downstream (the audit trail, the login throttling, the
    logs) sees the person, not the proxy. With no proxy (0, the default) nothing changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        if address:
            request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
