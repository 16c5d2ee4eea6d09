"""What open-iscsi itself reads from a file, following its two config readers exactly.

* ``idbm_recinfo_config`` (``usr/idbm.c``) reads the ``node.*``, ``discovery.*`` and ``iface.*``
  settings.  It reads with ``fgets`` into a 2048-byte buffer and skips any piece that does not end
  in a newline: a line longer than 2047 bytes loses its first 2047 bytes (the rest is read as a
  line of its own) and a last line without a newline is dropped.  After the name it skips *one*
  character unconditionally, so ``name=value`` is dropped ("does not have '=' separator") while
  ``name = value``, ``name =value`` and ``name==value`` are read.  The value runs to the end of
  the stripped line: an inline ``# comment`` is part of it.  Later lines override earlier ones.
* ``cfg_get_string_param`` (``usr/iscsi_util.c``) reads ``iscsid.*`` from iscsid.conf and
  ``InitiatorName``/``InitiatorAlias`` from initiatorname.iscsi: the first line (1024-byte
  ``fgets`` pieces, no newline needed) that contains the key as a substring with no ``#`` before
  it, whose text after the next ``=`` is not blank, wins.

Checked against open-iscsi 2.0.873 to 2.1.11 and HEAD (2026): these parts have not changed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

import attrs

from xsanconf.formats.iscsid.lexer import C_SPACE

__all__ = [
    "DAEMON_BUFFER",
    "IDBM_BUFFER",
    "DaemonReading",
    "IdbmLine",
    "daemon_lookup",
    "entry_layout",
    "idbm_lines",
    "idbm_parse",
]

IDBM_BUFFER = 2048
DAEMON_BUFFER = 1024

TOO_LONG = "longer than 2047 bytes: iscsid skips the first 2047 bytes"
NO_NEWLINE = "the last line has no newline: iscsid drops it"
NO_VALUE = "no value"
NO_SPACE_BEFORE_EQUALS = (
    "no space before '=': iscsid skips one character after the name and then finds no '='"
)
NO_SEPARATOR = "no '=' after the name"
NO_NAME = "no name before '='"


class IdbmLine(NamedTuple):
    """One ``fgets`` piece as ``idbm_recinfo_config`` handles it.

    ``line`` is the 1-based physical line the piece starts on; ``first`` is false for the tail
    pieces of a line longer than the buffer.  Comment and blank pieces are not reported.  A piece
    that iscsid reads has ``key`` and ``value``; a dropped one has ``dropped`` (the reason).
    """

    line: int
    first: bool
    key: str | None
    value: str | None
    dropped: str | None

    def __repr__(self) -> str:  # values may be secrets
        return f"IdbmLine(line={self.line}, key={self.key!r}, dropped={self.dropped!r})"


_BLANK = r"[ \t\n\r\v\f]"
# the lines idbm reads: a name, any one character, blanks, '=', blanks, a value
_READ = re.compile(rf"([^ \t\n\r\v\f=]*+)[\s\S]{_BLANK}*+={_BLANK}*+([\s\S]+)")


# any "name = value" line, read loosely (as a reader of the file would)
@functools.cache  # compiled on first use: many runs never need it
def _loose() -> re.Pattern[str]:
    return re.compile(rf"([^ \t\n\r\v\f=]++){_BLANK}*+={_BLANK}*+")


def idbm_parse(stripped: str) -> tuple[str, str] | str:
    """``(name, value)`` the way idbm reads a stripped, non-comment line; else why it drops it."""
    m = _READ.fullmatch(stripped)
    if m is not None:
        return m.group(1), m.group(2)
    return _drop_reason(stripped)


def _drop_reason(stripped: str) -> str:
    """Why idbm drops a line, following its warnings step by step."""
    end = len(stripped)
    i = 0
    while i < end and stripped[i] not in C_SPACE and stripped[i] != "=":
        i += 1
    if i == end:
        return NO_VALUE
    after_name = stripped[i]
    i += 1  # one character after the name is skipped, whatever it is
    while i < end and stripped[i] in C_SPACE:
        i += 1
    if i < end and stripped[i] != "=":
        if stripped[0] == "=":
            return NO_NAME
        return NO_SPACE_BEFORE_EQUALS if after_name == "=" else NO_SEPARATOR
    return NO_VALUE


def value_start(stripped: str) -> int | None:
    """Offset of the value idbm reads in a stripped line (``None`` when it drops the line)."""
    found = idbm_parse(stripped)
    if isinstance(found, str):
        return None
    return len(stripped) - len(found[1])


def entry_layout(stripped: str) -> tuple[str, int]:
    """The name of a ``name = value`` line and where its value starts.

    As idbm reads the line when it does (``a==b`` has the value ``b``), else the loose reading
    (what follows the first ``=`` and its blanks).
    """
    m = _READ.fullmatch(stripped)
    if m is not None:
        return m.group(1), m.start(2)
    m = _loose().match(stripped)
    if m is None:
        raise ValueError(f"not a 'name = value' line: {stripped!r}")
    return m.group(1), m.end()


def _lf_lines(text: str) -> list[str]:
    """Lines as ``fgets`` sees them: split after each LF only."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _fgets(text: str, size: int) -> Iterator[tuple[int, bool, str]]:
    """``(line, first, piece)`` for each ``fgets(buffer, size)`` read of ``text``."""
    for number, line in enumerate(_lf_lines(text), 1):
        yield from _pieces(number, line, size)


def _pieces(number: int, line: str, size: int) -> Iterator[tuple[int, bool, str]]:
    limit = size - 1
    # a character is at most 4 bytes in UTF-8 (1 for a surrogate-escaped byte)
    if len(line) * 4 <= limit:
        yield number, True, line
        return
    data = line.encode("utf-8", "surrogateescape")
    for start in range(0, len(data), limit):
        yield number, start == 0, data[start : start + limit].decode("utf-8", "surrogateescape")


def _read_piece(number: int, first: bool, piece: str) -> IdbmLine | None:
    stripped = piece.strip(C_SPACE)
    if not stripped or stripped[0] == "#":
        return None
    if not piece.endswith("\n"):
        reason = TOO_LONG if _is_long(piece) else NO_NEWLINE
        return IdbmLine(number, first, None, None, reason)
    found = idbm_parse(stripped)
    if isinstance(found, str):
        return IdbmLine(number, first, None, None, found)
    return IdbmLine(number, first, found[0], found[1], None)


_LINE_BLANK = r"[ \t\r\v\f]"
_SHORT = (IDBM_BUFFER - 2) // 4  # a line this short always fits in the buffer
# a significant line as idbm reads it: a name, any one character, blanks, "=", blanks, the value
# up to the last non-blank; or any other significant line (which idbm drops)
_IDBM_LINE = re.compile(
    rf"^{_LINE_BLANK}*+(?:(?!\#)(?P<name>[^ \t\n\r\v\f=]*+)[^\n]{_LINE_BLANK}*+={_LINE_BLANK}*+"
    rf"(?P<value>[^ \t\n\r\v\f](?:[^\n]*[^ \t\n\r\v\f])?){_LINE_BLANK}*+(?P<nl>\n)?"
    rf"|(?P<other>[^ \t\n\r\v\f\#][^\n]*+))",
    re.M,
)


def idbm_lines(text: str) -> list[IdbmLine]:
    """Every non-blank, non-comment piece of ``text`` as iscsid's node/discovery reader sees it."""
    if _longest_line(text) > _SHORT:
        return _idbm_lines_by_pieces(text)
    out: list[IdbmLine] = []
    append = out.append
    line, counted = 1, 0
    end = len(text)
    count = text.count
    for m in _IDBM_LINE.finditer(text):
        start = m.start()
        line += count("\n", counted, start)
        counted = start
        name, value, newline, other = m.groups()
        if other is not None:
            reason = NO_NEWLINE if m.end() == end else _drop_reason(other.rstrip(C_SPACE))
            append(IdbmLine(line, True, None, None, reason))
        elif newline is None:
            append(IdbmLine(line, True, None, None, NO_NEWLINE))
        else:
            append(IdbmLine(line, True, name, value, None))
    return out


def _idbm_lines_by_pieces(text: str) -> list[IdbmLine]:
    """:func:`idbm_lines` the slow way, one ``fgets`` piece at a time (for very long lines)."""
    out: list[IdbmLine] = []
    for number, first, piece in _fgets(text, IDBM_BUFFER):
        found = _read_piece(number, first, piece)
        if found is not None:
            out.append(found)
    return out


def _longest_line(text: str) -> int:
    return max(map(len, text.split("\n")))


def _is_long(piece: str) -> bool:
    return len(piece.encode("utf-8", "surrogateescape")) >= IDBM_BUFFER - 1


@attrs.frozen
class DaemonReading:
    """The value ``cfg_get_string_param`` returns for a key, and the line it comes from."""

    line: int
    value: str = attrs.field(repr=False)


def daemon_lookup(text: str, key: str) -> DaemonReading | None:
    """The value open-iscsi's ``cfg_get_string_param(file, key)`` finds in ``text``."""
    if key not in text:
        return None
    if _longest_line(text) > (DAEMON_BUFFER - 2) // 4:
        return _daemon_lookup_by_pieces(text, key)
    start = 0
    while True:
        at = text.find(key, start)
        if at < 0:
            return None
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        if line_end < 0:
            line_end = len(text)
        value = _daemon_value(text[line_start:line_end], key, at - line_start)
        if value is not None:
            return DaemonReading(text.count("\n", 0, line_start) + 1, value)
        start = line_end + 1


def _daemon_value(piece: str, key: str, at: int) -> str | None:
    """The value in one line whose first occurrence of ``key`` is at ``at``, if it has one."""
    comment = piece.find("#")
    if 0 <= comment < at:
        return None
    equals = piece.find("=", at)
    if equals < 0:
        return None
    return piece[equals + 1 :].strip(C_SPACE) or None


def _daemon_lookup_by_pieces(text: str, key: str) -> DaemonReading | None:
    for number, _, piece in _fgets(text, DAEMON_BUFFER):
        at = piece.find(key)
        if at < 0:
            continue
        value = _daemon_value(piece, key, at)
        if value is not None:
            return DaemonReading(number, value)
    return None
