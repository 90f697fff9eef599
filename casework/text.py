"""Text that cannot say one thing on screen and another in the data.

The bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069)
change the order in which the characters that follow are drawn: a name or a reason with a
right-to-left override reads backwards, and can be made to read as something else. Names are
refused if they contain one (``validate_no_bidi_controls``); free text is kept as written and
shown with each control made visible (``neutralise_bidi``). The marks a right-to-left script
needs (LRM U+200E, RLM U+200F, ALM U+061C) change no order and are allowed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_VISIBLE = {ord(char): f"[U+{ord(char):04X}]" for char in BIDI_CONTROLS}


def has_bidi_controls(value) -> bool:
    return isinstance(value, str) and any(char in BIDI_CONTROLS for char in value)


def validate_no_bidi_controls(value) -> None:
    """A name's validator: no text-direction control characters."""
    if has_bidi_controls(value):
        raise ValidationError(
            _(
                "Remove the text-direction control characters (such as U+202E) from the name: "
                "they make it read differently on screen."
            ),
            code="bidi_control",
        )


def neutralise_bidi(text: str) -> str:
    """``text`` with every direction control replaced by a visible ``[U+202E]``."""
    return text.translate(_VISIBLE)
