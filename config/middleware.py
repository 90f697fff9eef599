"""The client's address behind reverse proxies."""

from __future__ import annotations

from django.conf import settings


class ForwardedForMiddleware:
    """Behind ``TRUSTED_PROXY_HOPS`` reverse proxies, the client's address is the one the
    outermost of them put in ``X-Forwarded-For``; make it ``REMOTE_ADDR`` so that the audit
    trail and the login throttling see the person, not the proxy. Each proxy appends the
    address it got the request from, so the right one is that many entries from the end;
    anything before it came from the client and is not trusted. With no proxy (0, the
    default) nothing changes."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request):
        if self.hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= self.hops:
                request.META["REMOTE_ADDR"] = forwarded[-self.hops]
        return self.get_response(request)
