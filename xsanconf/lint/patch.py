"""``xsanlint --diff``: the fixes' changes as a git-style unified diff that applies.

The diff says exactly what ``--fix`` writes: ``patch -p1`` or ``git apply`` run where xsanlint
ran gives the same files, renames included (``diff --git`` headers with ``rename from`` /
``rename to``).

Changed lines are found from the files' syntax trees (:func:`~xsanconf.lint.twin_edits.tree_spans`
of the text as read against the text as fixed), each changed stretch then narrowed by a line
diff bounded in size: the cost is linear in the file, where a line diff of a whole file of many
identical lines takes minutes.

Secrets: a line that holds one (``holds_secret``) is never printed.  Masking it would not do: a
context line reading ``********`` no longer matches the file, and the hunk does not apply.  So
context stops short of a secret line (a hunk may have less context on one side, even none before
it); a change whose own lines hold a secret, or that a secret line follows at once (``git apply``
reads a hunk without trailing context as the end of the file), is withheld and named in
:attr:`Patch.withheld` instead.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.lint.twin_edits import Span, tree_spans
from xsanconf.syntax import Node, Trivia

if TYPE_CHECKING:
    from xsanconf.lint.fixing import FileChange

__all__ = ["CONTEXT", "Patch", "make_patch"]

CONTEXT = 3  # lines of context around a change, as diff -u gives

LineTest = Callable[[str], bool]


@attrs.frozen
class Patch:
    """The diff's text, and the changes left out of it (``path:line: why``)."""

    text: str
    withheld: tuple[str, ...] = ()


def make_patch(changes: Iterable[FileChange], holds_secret: LineTest | None = None) -> Patch:
    """The diff of ``changes``; with ``holds_secret``, no line it accepts is printed."""
    secret = holds_secret or (lambda line: False)
    text: list[str] = []
    withheld: list[str] = []
    for change in changes:
        text += _file_diff(change, secret, withheld)
    return Patch("".join(text), tuple(withheld))


def _file_diff(change: FileChange, secret: LineTest, withheld: list[str]) -> Iterator[str]:
    old_name, new_name = _diff_path(change.path), _diff_path(change.new_path)
    hunks = list(_hunks(change, secret, withheld)) if change.after != change.before else []
    renamed = change.new_path != change.path
    if not hunks and not renamed:
        return
    yield f"diff --git a/{old_name} b/{new_name}\n"
    if renamed:
        if change.after == change.before:
            yield "similarity index 100%\n"
        yield f"rename from {old_name}\nrename to {new_name}\n"
    if hunks:
        yield f"--- a/{old_name}\n+++ b/{new_name}\n"
        for hunk in hunks:
            yield from hunk


def _diff_path(path: str) -> str:
    """The path as the diff names it after ``a/``: relative to where xsanlint ran (an absolute
    path, as for ``xsanlint /etc``, then applies with ``-p1`` from ``/``)."""
    return path.lstrip("/")


@attrs.frozen
class _Region:
    """Old lines ``[start, end)`` replaced by ``new`` lines."""

    start: int
    end: int
    new: list[str]


def _regions(change: FileChange, lines: list[str], starts: list[int]) -> list[_Region]:
    """The changed lines of the old text (split at ``\\n`` as ``lines``)."""
    before = change.before
    grouped: list[tuple[int, int, list[Span]]] = []
    for span in _spans(change):
        first, last = _line_range(span, lines, starts)
        if grouped and first <= grouped[-1][1]:
            start, end, members = grouped[-1]
            grouped[-1] = (start, max(last, end), [*members, span])
        else:
            grouped.append((first, last, [span]))
    regions = []
    for first, last, members in grouped:
        base = starts[first]
        text = before[base : starts[last]]
        for start, end, new in reversed(members):
            text = text[: start - base] + new + text[end - base :]
        regions.append(_Region(first, last, text.splitlines(keepends=True)))
    return regions


def _spans(change: FileChange) -> list[Span]:
    """Where the new text differs from the old: from the two syntax trees (the file as read,
    the fixed text parsed again), each changed stretch narrowed to its changed lines."""
    old, new = _tree(change.before, change.file.doc.root), _tree(change.after, None, change)
    if old.kind != new.kind:
        old, new = _lines(change.before), _lines(change.after)
    spans = []
    for span in _whole_lines(change.before, tree_spans(old, new)):
        spans += _narrowed(change.before, span)
    return spans


def _whole_lines(before: str, spans: list[Span]) -> list[Span]:
    """The spans (in order) widened to whole lines, those that then overlap joined."""
    groups: list[tuple[int, int, str, int]] = []  # start, end of the last span, its text, end
    for start, end, new in spans:
        line_start = before.rfind("\n", 0, start) + 1
        line_end = before.find("\n", max(end - 1, start))
        line_end = len(before) if line_end < 0 else line_end + 1
        if groups and line_start < groups[-1][3]:
            first, last, text, widened_end = groups.pop()
            text += before[last:start] + new
            groups.append((first, end, text, max(widened_end, line_end)))
        else:
            groups.append((line_start, end, before[line_start:start] + new, line_end))
    return [(first, stop, text + before[last:stop]) for first, last, text, stop in groups]


def _tree(text: str, root: Node | None, change: FileChange | None = None) -> Node:
    from xsanconf.api import loads
    from xsanconf.formats import detect_kind
    from xsanconf.syntax import render

    if root is not None and render(root) == text:
        return root
    if change is not None:
        kind = detect_kind(change.new_rel) or change.file.kind
        try:
            return loads(text, kind).root
        except ValueError:  # ParseError: the rounds parsed it, but never fail a diff for it
            pass
    return _lines(text)


def _lines(text: str) -> Node:
    """A flat tree of the lines of ``text``."""
    return Node("lines", [Trivia(line) for line in text.splitlines(keepends=True)])


# A changed stretch of up to this many lines is narrowed with a line diff (quadratic at worst,
# so bounded: linear in the file overall); a longer one is shown whole.
_NARROWED = 400


def _narrowed(before: str, span: Span) -> list[Span]:
    start, end, new = span
    old_lines = before[start:end].splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    if len(old_lines) + len(new_lines) > _NARROWED or not old_lines or not new_lines:
        return [span]
    import difflib

    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    old_at = [start]
    for line in old_lines:
        old_at.append(old_at[-1] + len(line))
    return [
        (old_at[i1], old_at[i2], "".join(new_lines[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _line_range(span: Span, lines: list[str], starts: list[int]) -> tuple[int, int]:
    """The old lines ``[first, last)`` that ``span`` touches (none for whole new lines)."""
    start, end, new = span
    first = bisect.bisect_right(starts, start) - 1
    if first >= len(lines):
        return len(lines), len(lines)  # after the final newline
    if end > start:
        return first, bisect.bisect_right(starts, end - 1)
    at_line_start = start == starts[first]
    return (first, first) if at_line_start and new.endswith("\n") else (first, first + 1)


def _hunks(change: FileChange, secret: LineTest, withheld: list[str]) -> Iterator[list[str]]:
    before = change.before
    lines = before.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    regions = _regions(change, lines, starts)
    hidden = [secret(line) for line in lines]
    shown: list[_Region] = []
    for region in regions:
        reason = _why_withheld(region, lines, hidden, secret)
        if reason is None:
            shown.append(region)
        else:
            withheld.append(f"{change.path}:{region.start + 1}: change not shown: {reason}")
    delta = 0  # new minus old lines of the hunks printed so far
    for group in _grouped(shown, hidden):
        first = max(group[0].start - CONTEXT, 0)
        while any(hidden[first : group[0].start]):
            first += 1
        last = min(group[-1].end + CONTEXT, len(lines))
        while any(hidden[group[-1].end : last]):
            last -= 1
        body: list[str] = []
        at = first
        for region in group:
            body += [" " + line for line in lines[at : region.start]]
            body += ["-" + line for line in lines[region.start : region.end]]
            body += ["+" + line for line in region.new]
            at = region.end
        body += [" " + line for line in lines[at:last]]
        old_count = last - first
        new_count = old_count + sum(len(r.new) - (r.end - r.start) for r in group)
        old_start = first + 1 if old_count else first
        new_start = first + delta + 1 if new_count else first + delta
        delta += new_count - old_count
        header = f"@@ -{old_start},{old_count} +{new_start},{new_count} @@\n"
        yield [header, *(_ended(line) for line in body)]


def _why_withheld(
    region: _Region, lines: list[str], hidden: list[bool], secret: LineTest
) -> str | None:
    if any(hidden[region.start : region.end]) or any(secret(line) for line in region.new):
        return "it changes a line that holds a secret"
    if region.end < len(lines) and hidden[region.end]:
        # without a line of context after it, git apply would apply it at the end of the file
        return "the line after it holds a secret"
    return None


def _grouped(regions: list[_Region], hidden: list[bool]) -> Iterator[list[_Region]]:
    """Regions close enough to share their context (and no secret line between) as one hunk."""
    group: list[_Region] = []
    for region in regions:
        if group:
            gap = range(group[-1].end, region.start)
            if len(gap) > 2 * CONTEXT or any(hidden[i] for i in gap):
                yield group
                group = []
        group.append(region)
    if group:
        yield group


def _ended(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
