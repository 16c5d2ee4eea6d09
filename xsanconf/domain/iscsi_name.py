"""iSCSI names (``iqn.``, ``eui.``, ``naa.``) checked as RFC 3720, 3722 and 3980 define them.

A name is compared in its *canonical* form: the RFC 3722 stringprep profile maps it (case
folding, NFKC) and then only ``a-z``, ``0-9``, ``-``, ``.``, ``:`` and some non-ASCII letters
remain allowed.  A name that is valid but not written canonically (upper case, most often) is
accepted by targets and initiators alike, so that is a warning, not an error.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from types import ModuleType
from typing import Literal

import attrs

__all__ = ["MAX_BYTES", "IscsiName", "NameKind"]

NameKind = Literal["iqn", "eui", "naa"]

MAX_BYTES = 223

# RFC 3722 section 6: ASCII outside letters, digits, '-', '.' and ':' is prohibited output.
_ASCII_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.:")
_WHITESPACE = re.compile(r"\s")
_DATE = re.compile(r"(\d+)-(\d+)")
_HEX = frozenset("0123456789abcdef")


@functools.cache
def _stringprep() -> ModuleType:
    # Imported on first use: its tables take longer to load than a whole lint of ASCII names.
    import stringprep

    return stringprep


def _prohibited(char: str) -> bool:
    """RFC 3722 section 6: the stringprep tables of prohibited output."""
    sp = _stringprep()
    return any(
        table(char)
        for table in (
            sp.in_table_c11,
            sp.in_table_c12,
            sp.in_table_c21,
            sp.in_table_c22,
            sp.in_table_c3,
            sp.in_table_c4,
            sp.in_table_c5,
            sp.in_table_c6,
            sp.in_table_c7,
            sp.in_table_c8,
            sp.in_table_c9,
            sp.in_table_a1,  # unassigned code points are not allowed in stored names
        )
    )


def _prepare(text: str) -> str:
    """The RFC 3722 mapping: drop B.1 characters, case-fold with B.2, normalise with NFKC."""
    if text.isascii():  # B.1 holds no ASCII, B.2 folds only A-Z, NFKC keeps ASCII as it is
        return text.lower()
    sp = _stringprep()
    mapped = "".join(sp.map_table_b2(c) for c in text if not sp.in_table_b1(c))
    return unicodedata.ucd_3_2_0.normalize("NFKC", mapped)


def _is_prohibited(char: str) -> bool:
    if char < "\x80":
        return char not in _ASCII_ALLOWED
    if char == "\u3002":  # ideographic full stop, prohibited by RFC 3722 itself
        return True
    return _prohibited(char)


def _show(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return repr(char)
    return f"U+{ord(char):04X}"


def _bidi_error(text: str) -> str | None:
    """RFC 3454 section 6, which RFC 3722 applies."""
    if text.isascii():
        return None
    sp = _stringprep()
    if not any(sp.in_table_d1(c) for c in text):
        return None
    if any(sp.in_table_d2(c) for c in text):
        return "mixes right-to-left and left-to-right characters"
    if not (sp.in_table_d1(text[0]) and sp.in_table_d1(text[-1])):
        return "right-to-left text must start and end with a right-to-left character"
    return None


@attrs.frozen
class IscsiName:
    """An iSCSI name as written, its canonical form, and what is wrong with it.

    ``errors`` make the name invalid; ``warnings`` note a valid name written non-canonically
    or against DNS convention.  Build one with :meth:`parse`.
    """

    text: str
    canonical: str
    kind: NameKind | None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> IscsiName:
        return _Checker(text).result()

    def __str__(self) -> str:
        return self.text

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def reason(self) -> str | None:
        """Why the name is invalid (the first error), or ``None`` for a valid name."""
        return self.errors[0] if self.errors else None

    @property
    def date(self) -> tuple[int, int] | None:
        """``(year, month)`` of a well-formed ``iqn.`` name."""
        if self.kind != "iqn" or not self.valid:
            return None
        m = _DATE.match(self.canonical, 4)
        assert m is not None
        return int(m.group(1)), int(m.group(2))

    @property
    def naming_authority(self) -> str | None:
        """The reversed domain name of a well-formed ``iqn.`` name (``com.example``)."""
        if self.kind != "iqn" or not self.valid:
            return None
        return self.canonical[12:].split(":", 1)[0]

    @property
    def unique_part(self) -> str | None:
        """What follows the first ``:`` of an ``iqn.`` name (``None`` when there is no colon)."""
        if self.kind != "iqn" or ":" not in self.canonical:
            return None
        return self.canonical.split(":", 1)[1]

    def same_as(self, other: IscsiName | str) -> bool:
        """Whether two names are the same name (names compare in canonical form)."""
        other_name = other if isinstance(other, IscsiName) else IscsiName.parse(other)
        return self.canonical == other_name.canonical


class _Checker:
    """Collects the problems of one name, in the order a reader would want to fix them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.canonical = text
        self.kind: NameKind | None = None

    def result(self) -> IscsiName:
        self._check()
        return IscsiName(
            self.text, self.canonical, self.kind, tuple(self.errors), tuple(self.warnings)
        )

    def _check(self) -> None:
        text = self.text
        if not text:
            self.errors.append("the name is empty")
            return
        if _WHITESPACE.search(text):
            self.errors.append("whitespace is not allowed in an iSCSI name")
        self.canonical = canonical = _prepare(text)
        self._check_characters(canonical)
        self._check_canonical_spelling()
        size = len(canonical.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            self.errors.append(f"{size} bytes long; an iSCSI name is at most {MAX_BYTES} bytes")
        if canonical.startswith("iqn."):
            self.kind = "iqn"
            self._check_iqn(canonical[4:])
        elif canonical.startswith("eui."):
            self.kind = "eui"
            self._check_hex("eui.", canonical[4:], (16,))
        elif canonical.startswith("naa."):
            self.kind = "naa"
            self._check_hex("naa.", canonical[4:], (16, 32))
        else:
            self.errors.append("an iSCSI name starts with 'iqn.', 'eui.' or 'naa.'")

    def _check_characters(self, canonical: str) -> None:
        bad = [c for c in dict.fromkeys(canonical) if not c.isspace() and _is_prohibited(c)]
        if bad:
            shown = ", ".join(_show(c) for c in bad)
            noun = "character" if len(bad) == 1 else "characters"
            self.errors.append(f"{noun} {shown} not allowed (only a-z, 0-9, '-', '.' and ':' are)")
        bidi = _bidi_error(canonical)
        if bidi:
            self.errors.append(bidi)

    def _check_canonical_spelling(self) -> None:
        if self.canonical == self.text:
            return
        if any(c.isupper() for c in self.text):
            self.warnings.append(
                "upper-case letters: iSCSI names are case-insensitive and written in lower case"
                f" ({self.canonical!r})"
            )
        else:
            self.warnings.append(f"not in canonical form; stringprep makes it {self.canonical!r}")

    def _check_iqn(self, rest: str) -> None:
        m = _DATE.match(rest)
        if m is None:
            self.errors.append("missing date after 'iqn.' (expected iqn.yyyy-mm.domain)")
            return
        year, month = m.group(1), m.group(2)
        if len(year) != 4 and len(month) == 4:
            self.errors.append(f"date {m.group()!r} is month first; write it yyyy-mm")
            return
        if len(year) != 4:
            self.errors.append(f"year {year!r} must have four digits (yyyy-mm)")
            return
        if len(month) != 2:
            self.errors.append(f"month {month!r} must have two digits (yyyy-mm)")
            return
        if not 1 <= int(month) <= 12:
            self.errors.append(f"month {int(month)} is not valid (01 to 12)")
            return
        after = rest[m.end() :]
        if not after or after.startswith(":"):
            self.errors.append("missing naming authority (a reversed domain name) after the date")
            return
        if not after.startswith("."):
            self.errors.append(f"expected '.' after the date, found {after[0]!r}")
            return
        authority, colon, unique = after[1:].partition(":")
        self._check_authority(authority)
        if colon and not unique:
            self.warnings.append("nothing follows the ':'")

    def _check_authority(self, authority: str) -> None:
        if not authority:
            self.errors.append("missing naming authority (a reversed domain name) after the date")
            return
        for label in authority.split("."):
            if not label:
                self.errors.append(f"empty label in the naming authority {authority!r}")
                return
        odd = [label for label in authority.split(".") if label[0] == "-" or label[-1] == "-"]
        if odd:
            self.warnings.append(
                f"domain label {odd[0]!r} starts or ends with '-' (not a DNS name)"
            )

    def _check_hex(self, prefix: str, digits: str, lengths: tuple[int, ...]) -> None:
        bad = [c for c in dict.fromkeys(digits) if c not in _HEX]
        if bad:
            shown = ", ".join(_show(c) for c in bad)
            self.errors.append(f"{prefix} must be followed by hex digits only, found {shown}")
            return
        if len(digits) not in lengths:
            wanted = " or ".join(str(n) for n in lengths)
            self.errors.append(
                f"{prefix} must be followed by {wanted} hex digits, found {len(digits)}"
            )
