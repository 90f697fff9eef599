"""Language codes (ISO 639-1, ISO 639-3 where no two-letter code exists) with names.

pycountry carries the ISO 639 list and its Finnish and Swedish translations, so language
names in forms and printouts follow the user's language without a hand-kept list.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@cache
def _codes() -> dict[str, str]:
    codes = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if code:
            codes[code] = lang.name
    # Widely spoken languages of newcomers that have no two-letter code.
    for code in ("prs", "ckb", "kmr"):
        lang = pycountry.languages.get(alpha_3=code)
        if lang:
            codes[code] = lang.name
    return codes


def language_name(code: str, language: str | None = None) -> str:
    english = _codes().get(code)
    if english is None:
        return code
    language = (language or get_language() or "fi")[:2]
    return _catalogue(language).gettext(english)


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    choices = [(code, language_name(code, language)) for code in _codes()]
    return sorted(choices, key=lambda item: item[1].casefold())


def validate_language_code(value: str) -> None:
    if value and value not in _codes():
        raise ValidationError(_("Unknown language code %(code)s."), params={"code": value})
