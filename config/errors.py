"""Error pages in the app's own layout and the user's language, each with a way back:
403 (not permitted), 404 (not found), 500 (server error) and a refused form (CSRF)."""

from __future__ import annotations

import logging

from django.http import HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page with the layout when it can be drawn; plain text if even that fails (the
    error may be in the layout's own context)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001 - the last resort must not raise
        logger.exception("The 500 page could not be rendered")
        template = loader.get_template("500_plain.html")
        return HttpResponseServerError(template.render())


def csrf_failure(request, reason=""):
    """A form was refused because its security token was missing or had expired (for example
    a page left open over a log-out). Says so plainly and offers to go back and try again."""
    response = render(request, "403_csrf.html", {"reason": reason}, status=403)
    return HttpResponseForbidden(response.content, content_type=response["Content-Type"])
