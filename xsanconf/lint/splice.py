"""Apply text edits to a text: what ``--fix`` does to each file, and what a fix's safety check
(:mod:`xsanconf.lint.fix_safety`) re-reads.  Apart from :mod:`xsanconf.lint.fixing` so that a
plain lint, which checks the safety of the fixes it offers, does not import the fix rounds.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from xsanconf.edit import line_starts

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import TextEdit

__all__ = ["Span", "apply_edits", "conflicting", "offset", "splice"]

Span = tuple[int, int, str]  # start offset, end offset (exclusive), replacement text


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """``text`` with ``edits`` (non-overlapping, of this one text) applied, as ``--fix`` applies
    them; ValueError for an edit outside the text."""
    starts = line_starts(text)
    spans = []
    for edit in edits:
        start = offset(text, starts, edit.line, edit.column)
        end = offset(text, starts, edit.end_line, edit.end_column)
        if start is None or end is None or end < start:
            raise ValueError(f"an edit of {edit.path} is outside the text")
        spans.append((start, end, edit.text))
    return splice(text, spans)


def offset(text: str, starts: list[int], line: int, column: int) -> int | None:
    """The offset in ``text`` of 1-based ``line`` and ``column`` (None: outside the text)."""
    if not 1 <= line <= len(starts) or column < 1:
        return None
    start = starts[line - 1]
    last = starts[line] - 1 if line < len(starts) else len(text)  # the "\n", or the end
    at = start + column - 1
    return at if at <= last else None


def conflicting(spans: list[Span]) -> bool:
    """Whether two spans overlap; two insertions at one place conflict too (order unknown)."""
    ordered = sorted(spans, key=lambda s: (s[0], s[1]))
    pairs = itertools.pairwise(ordered)
    return any(s2 < e1 or s1 == s2 for (s1, e1, _), (s2, _e2, _) in pairs)


def splice(text: str, spans: list[Span]) -> str:
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text
