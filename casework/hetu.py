"""The Finnish personal identity code (henkilötunnus).

Format ``DDMMYYCZZZQ``: date of birth, a century sign, an individual number (odd for men,
even for women) and a check character. Since 2023 the century signs ``Y X W V U`` mean the
1900s beside ``-``, and ``B C D E F`` mean the 2000s beside ``A``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
_PATTERN = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")


@dataclass(frozen=True)
class IdentityCode:
    code: str
    date_of_birth: dt.date
    individual_number: int

    @property
    def is_temporary(self) -> bool:
        """Numbers 900–999 are temporary codes, never given to a person for good."""
        return self.individual_number >= 900

    @property
    def sex(self) -> str:
        return "male" if self.individual_number % 2 else "female"


def check_character(birth_digits: str, individual_number: str) -> str:
    return CHECK_CHARACTERS[int(birth_digits + individual_number) % 31]


def parse_identity_code(value: str) -> IdentityCode:
    """Parse and validate a code; raise ``ValidationError`` with a translated message."""
    code = (value or "").strip().upper()
    match = _PATTERN.match(code)
    if not match:
        raise ValidationError(
            _("Enter the personal identity code in the form DDMMYYCZZZQ, e.g. 131052-308T."),
            code="hetu_format",
        )
    day, month, year, sign, individual, check = match.groups()
    try:
        born = dt.date(CENTURY_SIGNS[sign] + int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("The personal identity code does not contain a valid date of birth."),
            code="hetu_date",
        ) from None
    if int(individual) < 2:
        raise ValidationError(
            _("The individual number of a personal identity code is between 002 and 999."),
            code="hetu_individual",
        )
    if check_character(day + month + year, individual) != check:
        raise ValidationError(
            _("The check character of the personal identity code is wrong. Check the code."),
            code="hetu_checksum",
        )
    return IdentityCode(code=code, date_of_birth=born, individual_number=int(individual))


def validate_identity_code(value: str) -> None:
    """Model-field validator."""
    parse_identity_code(value)


def make_identity_code(born: dt.date, individual_number: int, sign: str | None = None) -> str:
    """Build a valid code (used by demo data and tests, with temporary numbers 900–999)."""
    if sign is None:
        sign = {1800: "+", 1900: "-", 2000: "A"}[born.year // 100 * 100]
    birth = born.strftime("%d%m%y")
    individual = f"{individual_number:03d}"
    return f"{birth}{sign}{individual}{check_character(birth, individual)}"
