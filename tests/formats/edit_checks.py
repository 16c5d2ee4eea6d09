"""What every format's edit tests check: the exact lines a change touches, and that an edit
leaves every other line byte for byte and re-parses."""

from __future__ import annotations

import difflib
import re

import xsanconf
from xsanconf.formats import codec


def lines(text: str) -> list[str]:
    """Lines cut at LF only (``str.splitlines`` also cuts at VT, FF, U+001C..U+001E ...)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def changed_lines(before: str, after: str) -> list[str]:
    """A unified diff without context: ``-old`` and ``+new`` lines, line ends kept."""
    return [
        line
        for line in difflib.unified_diff(lines(before), lines(after), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def keeps_in_order(kept: list[str], text: str) -> bool:
    """Whether every one of ``kept`` is a line of ``text``, byte for byte and in this order."""
    remaining = iter(lines(text))
    return all(any(line == other for other in remaining) for line in kept)


def check_edit(
    kind: str, text: str, selector: str, value: str | None, touches: tuple[str, ...]
) -> str:
    """Set (or with ``value`` None, unset) ``selector`` in ``text``; the result must parse, read
    back as the edited model reads, and keep, byte for byte and in order, every line that does
    not mention one of ``touches`` (compared ignoring case), but for an unterminated last line,
    which a line added after it ends.  Returns the new text."""
    fmt = codec(kind)
    doc = xsanconf.loads(text, kind)
    if value is None:
        fmt.unset_value(doc, selector)  # type: ignore[attr-defined]
    else:
        fmt.set_value(doc, selector, value)  # type: ignore[attr-defined]
    after = doc.render()
    again = xsanconf.loads(after, kind)
    assert fmt.get_value(again, selector) == fmt.get_value(doc, selector)  # type: ignore[attr-defined]
    unterminated = lines(text)[-1] if text and not text.endswith("\n") else None
    untouched = [
        line
        for line in lines(text)
        if line != unterminated and not any(t.lower() in line.lower() for t in touches)
    ]
    assert keeps_in_order(untouched, after), (text, after)
    return after


def edited_as(
    kind: str, text: str, selector: str, value: str | None, *, must_find: bool = True
) -> str:
    """``text`` after setting ``selector`` to ``value`` (None: unsetting it, which with
    ``must_find`` must find something to remove), through the format's selector functions."""
    fmt = codec(kind)
    doc = xsanconf.loads(text, kind)
    if value is None:
        removed = fmt.unset_value(doc, selector)  # type: ignore[attr-defined]
        assert removed or not must_find
    else:
        fmt.set_value(doc, selector, value)  # type: ignore[attr-defined]
    return doc.render()
