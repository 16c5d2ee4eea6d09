"""What every capture parser shares: lines it could not place, and cutting text into lines."""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

__all__ = ["MAX_LINES", "Unread", "lines"]

# A capture is at most MAX_FILE_BYTES (4 MiB) when read through the site; a parser called on a
# larger text still stops here, so that its cost stays bounded whoever calls it.
MAX_LINES = 1_000_000
# Terminal colours: drbdsetup colours its states when it writes to a terminal, and a capture
# taken through ``script`` or copied from a terminal keeps them.
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@attrs.frozen
class Unread:
    """A line a parser could not place, kept so that a caller can say what it skipped."""

    line: int  # 1-based
    text: str


def lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based number, line without its newline or colour codes), at most ``MAX_LINES``."""
    for number, line in enumerate(text.split("\n")[:MAX_LINES], 1):
        yield number, _ANSI.sub("", line).rstrip("\r")
