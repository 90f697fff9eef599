"""Text-direction control characters made visible on every page before it is sent."""

from __future__ import annotations

import re

from casework.text import BIDI_CONTROLS, neutralise_bidi

NEUTRALISED_TYPES = ("text/html", "text/csv")
# The controls in UTF-8 (E2 80 AA–AE, E2 81 A6–A9): a page without them costs one scan.
_UTF8_CONTROLS = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
_CONTROLS = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


class NeutraliseBidiMiddleware:
    """Free text (a reason, a note, a contribution) is kept as it was written, but no page
    renders a text-direction control character: each is shown as a visible ``[U+202E]``, so
    a text cannot read on screen as something other than what is stored (see
    ``casework.text``). One pass over the finished page, whatever template or field the text
    came from (the admin's pages included); names refuse such characters at input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if getattr(response, "streaming", False) or not content_type.startswith(NEUTRALISED_TYPES):
            return response
        charset = (getattr(response, "charset", None) or "utf-8").lower()
        if charset in ("utf-8", "utf8"):
            if not _UTF8_CONTROLS.search(response.content):
                return response
            text = response.content.decode(charset, errors="replace")
        else:
            text = response.content.decode(charset, errors="replace")
            if not _CONTROLS.search(text):
                return response
        response.content = neutralise_bidi(text).encode(charset, errors="replace")
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
