"""Integers written in configuration text, read with a bound on their length.

Python refuses to convert a decimal string of more than 4,300 digits (``ValueError``, a guard
against quadratic conversion), and accepts what no daemon reads: Unicode digits, ``_``
separators, blanks around the number.  Every number the codecs, domain types and rules take from
a file goes through :func:`read_int`, so a value no daemon could hold (a 5,000-digit ``memory``,
``08`` for an octal ``0``) is an invalid value for the caller to report or ignore, never an
exception that stops the linter.
"""

from __future__ import annotations

__all__ = ["MAX_DIGITS", "NumeralError", "parse_int", "read_int", "read_signed_int"]

# Far beyond any 64-bit value (20 decimal digits), so range checks still see the real number
# and say "too large"; longer numerals are invalid whatever the setting.
MAX_DIGITS = 100

_DIGITS = {
    2: frozenset("01"),
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}


class NumeralError(ValueError):
    """The text is not a numeral of the base in ASCII digits, or it has over MAX_DIGITS digits."""


def parse_int(text: str, base: int = 10) -> int:
    """The value of ``text``: ASCII digits of ``base`` (2, 8, 10 or 16), no sign, no prefix.

    Leading zeros do not count towards MAX_DIGITS (daemons skip them too); raises
    :class:`NumeralError` for anything else.
    """
    digits = _DIGITS[base]
    if not text or not digits.issuperset(text):
        raise NumeralError(f"{_shown(text)} is not a base-{base} number")
    significant = text.lstrip("0")
    if len(significant) > MAX_DIGITS:
        raise NumeralError(f"a number of {len(significant)} digits (more than {MAX_DIGITS})")
    return int(significant or "0", base)


def read_int(text: str | None, base: int = 10) -> int | None:
    """Like :func:`parse_int`, but None where that raises (and for None)."""
    if text is None:
        return None
    try:
        return parse_int(text, base)
    except NumeralError:
        return None


def read_signed_int(text: str) -> int | None:
    """A decimal integer with an optional sign and blanks around it (``" -20 "``), read as
    :func:`read_int` reads its digits; None for anything else."""
    text = text.strip(" \t\n\r\v\f")
    sign = -1 if text[:1] == "-" else 1
    number = read_int(text[1:] if text[:1] in "+-" and text else text)
    return None if number is None else sign * number


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "..."
