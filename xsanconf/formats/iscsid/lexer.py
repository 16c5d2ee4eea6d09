"""iscsid.conf tokens: one per line that is neither blank nor a whole-line comment.

open-iscsi strips each line with C ``isspace`` (space, tab, newline, CR, VT, FF) and skips it
when nothing is left or it starts with ``#``; those lines are trivia here.  Any other line is one
token holding the stripped text: ``ENTRY`` when it reads as ``name = value`` in the loose sense
(a name, optional blanks, ``=``, optional blanks, a value), ``OTHER`` when it does not (iscsid
warns and drops such a line).  Whether iscsid itself accepts an ``ENTRY`` line is decided by
:mod:`xsanconf.formats.iscsid.reader`, which follows its exact rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from xsanconf.formats.flat import Piece, lexed
from xsanconf.parsing import Lexed

__all__ = ["C_SPACE", "pieces", "tokenize"]

# C isspace() in the "C" locale
C_SPACE = " \t\n\r\v\f"
_BLANK = r"[ \t\r\v\f]"

# a significant line, its trailing blanks left out, and whether it looks like "name = value"
_SIGNIFICANT = re.compile(
    rf"^{_BLANK}*+(?P<entry>(?=[^ \t\n\r\v\f=]++{_BLANK}*+={_BLANK}*+[^ \t\n\r\v\f]))?"
    rf"(?P<line>[^ \t\n\r\v\f#](?:[^\n]*[^ \t\n\r\v\f])?)",
    re.M,
)


def pieces(text: str) -> Iterator[Piece]:
    previous = 0
    for m in _SIGNIFICANT.finditer(text):
        start, end = m.span("line")
        yield (
            text[previous:start],
            "OTHER" if m.group("entry") is None else "ENTRY",
            m.group("line"),
            start,
        )
        previous = end
    yield text[previous:], "", "", len(text)


def tokenize(text: str) -> Lexed:
    return lexed(pieces(text))
