"""Numbers from configuration text: bounded, ASCII only, never Python's 4,300-digit ValueError."""

from __future__ import annotations

import pytest

from xsanconf.domain.numerals import MAX_DIGITS, NumeralError, parse_int, read_int, read_signed_int


@pytest.mark.parametrize(
    ("text", "base", "value"),
    [("0", 10, 0), ("0042", 10, 42), ("17", 8, 15), ("fF", 16, 255), ("0" * 5000 + "7", 10, 7)],
)
def test_numerals_read_as_daemons_read_them(text: str, base: int, value: int) -> None:
    assert parse_int(text, base) == value
    assert read_int(text, base) == value


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("9" * 5000, 10),  # int() raises ValueError past 4,300 digits
        ("f" * (MAX_DIGITS + 1), 16),
        ("08", 8),
        ("", 10),
        ("+1", 10),
        (" 1", 10),
        ("1_000", 10),
        ("\u0663", 10),  # ARABIC-INDIC DIGIT THREE: int() takes it, no daemon does
    ],
)
def test_what_no_daemon_reads_is_a_numeral_error(text: str, base: int) -> None:
    with pytest.raises(NumeralError):
        parse_int(text, base)
    assert read_int(text, base) is None


def test_the_bound_is_on_significant_digits() -> None:
    assert parse_int("9" * MAX_DIGITS) == 10**MAX_DIGITS - 1
    assert read_int(None) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (" -20 ", -20),
        ("+7", 7),
        ("0", 0),
        ("1" * 5000, None),
        ("-", None),
        ("", None),
        ("١٢", None),
    ],
)
def test_read_signed_int(text: str, value: int | None) -> None:
    assert read_signed_int(text) == value
