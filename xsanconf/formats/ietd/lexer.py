"""Lines as IET's ``plain.c`` reads them: one token per significant line.

ietd (and its access-file matcher) takes the first whitespace-delimited word of each line as
the keyword, skips a line whose first word *starts with* ``#``, and never treats a later
``#`` as a comment.  Whitespace is C's ``isspace``: space, tab, CR, LF, VT and FF.  So a
significant line becomes one token running from its first to its last non-blank character
(any ``# ...`` inside it included); indentation, trailing blanks, blank lines and comment
lines are trivia.
"""

from __future__ import annotations

import re

from xsanconf.parsing import Lexed

__all__ = ["BLANKS", "first_word", "is_target_line", "tokenize_lines", "words"]

BLANKS = " \t\v\f\r"  # isspace() without the newline, which ends a line
_SIGNIFICANT = re.compile(r"^[ \t\v\f\r]*+([^ \t\v\f\r\n#][^\n]*+)", re.M)
_WORD = re.compile(r"[^ \t\n\v\f\r]++")


def words(text: str) -> list[tuple[int, int, str]]:
    """The whitespace-separated words of a line: ``(start, end, word)``."""
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def first_word(line: str) -> str:
    m = _WORD.search(line)
    return m.group() if m else ""


def is_target_line(line: str) -> bool:
    """Whether a significant line is a ``Target`` line (ietd matches keywords ignoring case)."""
    return line[:6].lower() == "target" and (len(line) == 6 or line[6] in BLANKS)


def tokenize_lines(text: str, line_kind: str, target_kind: str | None = None) -> Lexed:
    """One token of ``line_kind`` per significant line (``target_kind`` for ``Target`` lines)."""
    lexed = Lexed()
    add = lexed.add
    pos = 0
    for m in _SIGNIFICANT.finditer(text):
        start = m.start(1)
        line = m.group(1).rstrip(BLANKS)
        kind = target_kind if target_kind and is_target_line(line) else line_kind
        add(text[pos:start], kind, line, start)
        pos = start + len(line)
    return lexed.finish(text[pos:])
