"""``# xsanlint: disable=CODE`` directives: own-line comments in the file's comment syntax.

``disable=`` covers the next statement or section (its lines), ``disable-file=`` the whole file.
Mid-line comments are not safe in every format (in ietd.conf and iscsid.conf a ``#`` after a value
is part of the value), so only own-line comments count.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import attrs

from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["Suppression", "suppressions"]

MARKER = "xsanlint:"
# modprobe.d and /etc/modules take only a '#' in the first column as a comment
_FIRST_COLUMN_ONLY = frozenset({"modprobe", "modules"})


# Compiled on first use: most files hold no suppression comment, and are never matched.
@functools.cache
def _directive() -> re.Pattern[str]:
    return re.compile(r"#\s*xsanlint:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\- \t]*)")


@attrs.define(eq=False, repr=False)  # never printed: attrs would compile a __repr__ each run
class Suppression:
    """One directive: which codes (or prefixes or names) it silences, and over which lines."""

    path: str
    line: int  # where the comment is
    column: int
    end_column: int
    selectors: tuple[str, ...]
    first: int  # first and last line covered; a file-wide directive covers everything
    last: int
    used: set[str] = attrs.field(factory=set)

    @property
    def whole_file(self) -> bool:
        return self.last == -1

    def covers(self, line: int) -> bool:
        return self.whole_file or self.first <= line <= self.last


def suppressions(file: SiteFile) -> list[Suppression]:
    text = file.text()
    if MARKER not in text:
        return []
    found = []
    lines = text.splitlines()
    first_column = file.kind in _FIRST_COLUMN_ONLY
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip(" \t")
        if first_column and stripped != line:
            continue
        match = _directive().match(stripped)
        if match is None:
            continue
        selectors = tuple(s.strip() for s in match.group(2).split(",") if s.strip())
        column = len(line) - len(stripped) + 1
        end_column = column + match.end()
        whole_file = match.group(1) == "disable-file"
        span = (1, -1) if whole_file else _next_statement(file, lines, number)
        found.append(Suppression(file.path, number, column, end_column, selectors, *span))
    return found


def _next_statement(file: SiteFile, lines: list[str], after: int) -> tuple[int, int]:
    """Lines of the statement or section that starts first below line ``after``."""
    doc = file.doc
    below = [
        (doc.position(token)[0], parent if is_head else token)
        for token, parent, is_head in _tokens_with_parents(doc.root)
        if doc.position(token)[0] > after
    ]
    if below:
        line, item = min(below, key=lambda found: found[0])
        end_line, end_column = doc.end_position(item)
        # a token that takes its line end with it ends at column 1 of the next line
        return line, end_line - 1 if end_column == 1 and end_line > line else end_line
    for number in range(after + 1, len(lines) + 1):
        if lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#"):
            return number, number
    return after + 1, after + 1


def _tokens_with_parents(root: Node) -> list[tuple[Token, Node, bool]]:
    """Each token with the node holding it, and whether it opens that node (a section head)."""
    out: list[tuple[Token, Node, bool]] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        first = True
        for child in node.children:
            if isinstance(child, Token):
                out.append((child, node, first and node is not root))
                first = False
            elif isinstance(child, Node):
                stack.append(child)
                first = False
    return out
