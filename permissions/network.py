"""The client's own address, for the audit trail and for login throttling.

Behind reverse proxies every request comes from the last proxy (``REMOTE_ADDR``); the client's
address is in the header the proxies append to (``X-Forwarded-For``). Only the entries the
trusted proxies added can be believed: the client may send the header itself with anything
in it. With ``TRUSTED_PROXY_COUNT`` proxies in front of the application, each appending the
address it received the request from, the client's address is the ``TRUSTED_PROXY_COUNT``-th
entry from the right. With no trusted proxy (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _meta_key(header: str) -> str:
    """``X-Forwarded-For`` (or ``HTTP_X_FORWARDED_FOR``) as Django's ``request.META`` key."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def _address(value: str) -> str | None:
    """A plain IP address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``,
    ``::1``), or None if it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    header = request.META.get(_meta_key(getattr(settings, "CLIENT_IP_HEADER", "X-Forwarded-For")))
    hops = [hop for hop in (header or "").split(",") if hop.strip()]
    if len(hops) < proxies:
        # the request did not come through every proxy (or they are set up differently than
        # configured): the connecting address is all that can be believed
        return remote
    return _address(hops[-proxies]) or remote
