"""Mutations of real files for fuzzing: byte flips, truncation, duplication, splicing, and
mutations aware of structure and size (a line repeated many times, huge numerals, long lines
without a separator, repeated includes, values on continuation lines, invalid UTF-8).

:func:`mutate` makes one small random change; :data:`GROWTHS` make inputs of a chosen size, so
a test can compare the time of an input with that of one ``k`` times larger.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["GROWTHS", "mutate"]

_JUNK = [
    "{",
    "}",
    ";",
    '"',
    "#",
    "\\\n",
    "\x00",
    "\r",
    "\t",
    "=",
    "[",
    "]",
    "\xff",
    "\u00a0",
    "\n\n",
]

# Statements each format repeats: what a generated or concatenated file holds thousands of.
_STATEMENTS = [
    'include "/etc/drbd.d/*.res";\n',
    "a;\n",
    "resource r { on a { device /dev/drbd0; } }\n",
    "Target iqn.2001-04.com.example:t\n",
    "\tLun 0 Path=/dev/sdb,Type=blockio\n",
    "node.startup = manual\n",
    "ALL 10.0.0.0/8\n",
    "InitiatorName=iqn.1993-08.org.debian:01:a\n",
    '  wwid "3600a0b80001234"\n',
    "  getuid_callout x\n",
    "a\n",
    "options drbd minor_count=8\n",
    "dm_multipath\n",
    "# Required-Start: $network\n",
    "After=network.target\n",
    "(xend-relocation-server yes)\n",
    "autoballoon=0\n",
    "disk = [ 'phy:/dev/vg/a,xvda,w' ]\n",
    "VAR=value\n",
]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [text]


def repeat_line(text: str, rng: random.Random, times: int) -> str:
    """One line of ``text`` (or a known statement) written ``times`` times in a row."""
    lines = _lines(text)
    line = rng.choice(lines) if text and rng.random() < 0.5 else rng.choice(_STATEMENTS)
    if not line.endswith("\n"):
        line += "\n"
    i = rng.randrange(len(lines) + 1)
    return "".join(lines[:i]) + line * times + "".join(lines[i:])


def huge_numeral(text: str, rng: random.Random, digits: int) -> str:
    """A number (after ``=``, a blank or where a number stands) that is ``digits`` long, or one
    with leading zeros (``08`` is not octal to every reader)."""
    numeral = rng.choice(
        ["9" * digits, "0" * digits + "8", "0x" + "f" * digits, "-" + "1" * digits]
    )
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    if positions:
        pos = rng.choice(positions)
        return text[:pos] + numeral + text[pos + 1 :]
    return text + rng.choice(["x = ", "options a b=", "Lun ", "a "]) + numeral + "\n"


def long_line(text: str, rng: random.Random, length: int) -> str:
    """A line of ``length`` characters with no separator: no ``=``, ``;``, ``{`` or newline,
    mostly blanks or one word (where patterns that backtrack spend their time)."""
    body = rng.choice(
        ["a" + " " * length, "a" * length, " \t" * (length // 2), "a b" * (length // 3)]
    )
    pos = rng.randrange(len(text) + 1)
    return text[:pos] + body + "\n" + text[pos:]


def continuation_values(text: str, rng: random.Random, times: int) -> str:
    """A value continued over ``times`` lines with a backslash (or an open quote)."""
    head = rng.choice(["a = b", 'VAR="x', "options a b=", "a b", "disk = [ 'x'"])
    return text + head + rng.choice([" \\\n", "\\\n  c", ",\n"]) * times + "\n"


def byte_flips(text: str, rng: random.Random, count: int) -> str:
    """``count`` random bits flipped in the UTF-8 bytes (invalid UTF-8 kept as surrogates)."""
    data = bytearray(text.encode("utf-8", "surrogateescape") or b"\n")
    for _ in range(count):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    return data.decode("utf-8", "surrogateescape")


def invalid_utf8(text: str, rng: random.Random, count: int) -> str:
    """``count`` undecodable byte sequences (stray continuation bytes, truncated and overlong
    sequences) inserted where a file's bytes are not UTF-8."""
    data = text.encode("utf-8", "surrogateescape")
    for _ in range(count):
        bad = rng.choice([b"\x80", b"\xc3", b"\xe2\x82", b"\xc0\xaf", b"\xff\xfe", b"\xed\xa0\x80"])
        pos = rng.randrange(len(data) + 1)
        data = data[:pos] + bad + data[pos:]
    return data.decode("utf-8", "surrogateescape")


# Mutations that take a size: each makes an input about ``size`` lines or characters larger.
GROWTHS: dict[str, Callable[[str, random.Random, int], str]] = {
    "repeat_line": repeat_line,
    "huge_numeral": huge_numeral,
    "long_line": long_line,
    "continuation_values": continuation_values,
    "byte_flips": byte_flips,
    "invalid_utf8": invalid_utf8,
}


def _sized(text: str, rng: random.Random) -> str:
    """One of :data:`GROWTHS` at a size the random run can afford (up to a few thousand)."""
    name = rng.choice(list(GROWTHS))
    size = rng.choice([1, 2, 8, 64, 512]) if name not in ("long_line", "huge_numeral") else 4000
    return GROWTHS[name](text, rng, rng.randrange(1, size + 1))


def mutate(text: str, rng: random.Random, donors: list[str] | None = None) -> str:
    """One random mutation of ``text``; ``donors`` are other files whose lines may be spliced in."""
    if not text:
        return rng.choice(_JUNK)
    choice = rng.randrange(8)
    pos = rng.randrange(len(text) + 1)
    if choice == 0:  # flip one character
        return text[:pos] + chr(rng.randrange(1, 0x250)) + text[pos + 1 :]
    if choice == 1:  # truncate
        return text[:pos]
    if choice == 2:  # insert punctuation a parser cares about
        return text[:pos] + rng.choice(_JUNK) + text[pos:]
    if choice >= 6:  # structure- or size-aware
        return _sized(text, rng)
    lines = text.splitlines(keepends=True)
    i = rng.randrange(len(lines))
    if choice == 3:  # duplicate a line
        return "".join(lines[: i + 1] + lines[i:])
    if choice == 4:  # delete a line
        return "".join(lines[:i] + lines[i + 1 :])
    donor_lines = rng.choice(donors).splitlines(keepends=True) if donors else []
    if not donor_lines:
        return text[::-1]
    return "".join(lines[:i] + [rng.choice(donor_lines)] + lines[i:])
