"""The Finnish personal identity code (henkilötunnus): format, date, century sign, checksum.

The expected check characters below were computed by hand from the public algorithm
(remainder of DDMMYYZZZ divided by 31), not with the code under test.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from casework.hetu import (
    CENTURY_SIGNS,
    check_character,
    make_identity_code,
    parse_identity_code,
    validate_identity_code,
)


def error_code(value) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_identity_code(value)
    return caught.value.code


@pytest.mark.parametrize(
    ("code", "born", "individual", "sex"),
    [
        ("131052-308T", dt.date(1952, 10, 13), 308, "female"),  # DVV's own example
        ("010594Y9021", dt.date(1994, 5, 1), 902, "female"),  # DVV's example of a new sign
        ("010100A002H", dt.date(2000, 1, 1), 2, "female"),
        ("311299+5554", dt.date(1899, 12, 31), 555, "male"),
        ("290200A903E", dt.date(2000, 2, 29), 903, "male"),
    ],
)
def test_valid_codes(code, born, individual, sex):
    parsed = parse_identity_code(code)
    assert parsed.code == code
    assert parsed.date_of_birth == born
    assert parsed.individual_number == individual
    assert parsed.sex == sex
    validate_identity_code(code)  # the field validator accepts it too


def test_lower_case_and_surrounding_spaces_are_normalised():
    assert parse_identity_code(" 131052-308t ").code == "131052-308T"


@pytest.mark.parametrize(
    ("sign", "year"),
    [
        ("+", 1894),
        ("-", 1994),
        ("Y", 1994),
        ("X", 1994),
        ("W", 1994),
        ("V", 1994),
        ("U", 1994),
        ("A", 2094),
        ("B", 2094),
        ("C", 2094),
        ("D", 2094),
        ("E", 2094),
        ("F", 2094),
    ],
)
def test_every_century_sign_gives_its_century(sign, year):
    parsed = parse_identity_code(f"010594{sign}9021")
    assert parsed.date_of_birth == dt.date(year, 5, 1)


def test_the_century_signs_tested_are_all_there_are():
    assert set(CENTURY_SIGNS) == set("+-YXWVUABCDEF")


@pytest.mark.parametrize("sign", list("ABCDEF"))
def test_29_february_2000_exists(sign):
    assert parse_identity_code(f"290200{sign}903E").date_of_birth == dt.date(2000, 2, 29)


@pytest.mark.parametrize("sign", list("+-YXWVU"))
def test_29_february_1800_and_1900_do_not_exist(sign):
    """The same digits are a valid code in the 2000s but an impossible date in 1800 and 1900."""
    assert error_code(f"290200{sign}903E") == "hetu_date"


@pytest.mark.parametrize(
    "code",
    [
        "320152-308T",  # 32 October
        "311152-3087",  # 31 November
        "011352-308F",  # month 13
        "000152-3085",  # day 0
        "290201A903P",  # 29 February 2001
    ],
)
def test_impossible_date(code):
    assert error_code(code) == "hetu_date"


@pytest.mark.parametrize(
    "code",
    [
        "131052-308U",  # the right code ends in T
        "131025-308T",  # day and year swapped: the check character no longer matches
        "131052-309T",  # one digit of the individual number wrong
        "010594Y9022",
        "131052-308G",  # G, I, O, Q and Z are never check characters
    ],
)
def test_wrong_check_character(code):
    assert error_code(code) == "hetu_checksum"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "131052308T",  # no century sign
        "131052-308",  # no check character
        "131052-3080T",  # too long
        "13105-308T",  # too short
        "1310522-308T",
        "13105A-308T",  # a letter in the date
        "131052-3O8T",  # the letter O for a zero
        "131052Z308T",  # Z is no century sign
        "131052G308T",  # nor is G
        "131052 308T",
        "13.10.52-308T",
        "131052-308Ä",
    ],
)
def test_wrong_format(code):
    assert error_code(code) == "hetu_format"


def test_none_is_a_format_error():
    assert error_code(None) == "hetu_format"


@pytest.mark.parametrize("code", ["010100A000E", "010100A001F"])
def test_individual_numbers_000_and_001_are_never_given(code):
    assert error_code(code) == "hetu_individual"


def test_every_error_message_is_translatable():
    from django.utils.functional import Promise

    for code in ("131052-308U", "131052308T", "320152-308T", "010100A001F"):
        with pytest.raises(ValidationError) as caught:
            parse_identity_code(code)
        assert isinstance(caught.value.message, Promise), code


@pytest.mark.parametrize(
    ("number", "temporary"), [(2, False), (899, False), (900, True), (999, True)]
)
def test_temporary_codes(number, temporary):
    code = make_identity_code(dt.date(1990, 3, 4), number)
    assert parse_identity_code(code).is_temporary is temporary


@pytest.mark.parametrize(
    ("born", "sign"),
    [(dt.date(1899, 12, 31), "+"), (dt.date(1999, 1, 2), "-"), (dt.date(2024, 2, 29), "A")],
)
def test_made_codes_parse_back(born, sign):
    code = make_identity_code(born, 950)
    assert code[6] == sign
    parsed = parse_identity_code(code)
    assert parsed.date_of_birth == born
    assert parsed.individual_number == 950


def test_made_code_with_a_new_century_sign():
    assert make_identity_code(dt.date(1994, 5, 1), 902, sign="Y") == "010594Y9021"


def test_check_character_matches_the_published_example():
    assert check_character("131052", "308") == "T"
