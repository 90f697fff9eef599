"""Names of languages and countries in Finnish, Swedish and English from the Unicode CLDR
(through Babel), so no list is kept by hand.

Languages are ISO 639-1 codes, plus a few ISO 639-3 codes for languages newcomers to Finland
speak that have no two-letter code: Dari (prs; CLDR names it as Persian of Afghanistan,
``fa_AF``), Central Kurdish or Sorani (ckb), Northern Kurdish or Kurmanji (kmr; CLDR names
it as Kurdish, ``ku``), Inari and Skolt Sami (smn, sms) and Cantonese (yue). Countries are
ISO 3166-1 codes (django-countries' list) with CLDR's names, which django-countries lacks
for Swedish.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.data import COUNTRIES

LANGUAGES = ("fi", "sv", "en")

# ISO 639-3 code → the CLDR key whose name it takes, and the variety named after it when
# CLDR's name alone would not tell it apart (Kurmanji would read as "Kurdish" otherwise).
EXTRA_LANGUAGES = {
    "prs": ("fa_AF", None),
    "ckb": ("ckb", {"fi": None, "sv": "sorani", "en": "Sorani"}),
    "kmr": ("ku", {"fi": "kurmandži", "sv": "kurmanji", "en": "Kurmanji"}),
    "smn": ("smn", None),
    "sms": ("sms", None),
    "yue": ("yue", None),
}


def _locale(language: str | None) -> str:
    language = (language or get_language() or "fi")[:2]
    return language if language in LANGUAGES else "fi"


@cache
def _language_names(language: str) -> dict[str, str]:
    cldr = Locale.parse(language).languages
    everywhere = set.intersection(*(set(Locale.parse(lang).languages) for lang in LANGUAGES))
    names = {code: cldr[code] for code in everywhere if len(code) == 2 and code.isalpha()}
    for code, (key, variety) in EXTRA_LANGUAGES.items():
        name = cldr[key]
        extra = (variety or {}).get(language)
        names[code] = f"{name} ({extra})" if extra else name
    return names


def language_codes() -> frozenset[str]:
    return frozenset(_language_names("en"))


def language_name(code: str, language: str | None = None) -> str:
    """The language's name in ``language`` (the active one by default), or the code itself
    for a code that is not on the list."""
    return _language_names(_locale(language)).get(code, code)


@cache
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _language_names(language)
    return tuple(sorted(names.items(), key=lambda item: _sort_key(item[1], language)))


def _sort_key(name: str, language: str) -> str:
    """Alphabetical order of the language: accents ignored, except that Finnish and Swedish
    put å, ä and ö after z."""
    last = {"å": "{", "ä": "|", "ö": "}"} if language in ("fi", "sv") else {}
    key = []
    for char in unicodedata.normalize("NFC", name.casefold()):
        if char in last:
            key.append(last[char])
        else:
            key.append(unicodedata.normalize("NFKD", char)[0])
    return "".join(key)


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    return list(_language_choices(_locale(language)))


def validate_language_code(value: str) -> None:
    if value and value not in language_codes():
        raise ValidationError(_("Unknown language code %(code)s."), params={"code": value})


@cache
def _country_names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {code: territories.get(code, str(name)) for code, name in COUNTRIES.items()}


def country_name(code: str, language: str | None = None) -> str:
    return _country_names(_locale(language)).get(str(code or ""), str(code or ""))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    language = _locale(language)
    names = _country_names(language)
    return sorted(names.items(), key=lambda item: _sort_key(item[1], language))
