"""Fixes made on a copy: edit a twin of a file's tree with its model, hand out the difference.

A rule that offers a fix never changes the site's documents.  It edits a copy of the tree
through the format's style-preserving model API (new lines take their neighbours' indentation
and line ends), and the changed lines of the copy's text become :class:`TextEdit` s against the
original -- what reporters show and ``--fix`` applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from xsanconf.document import Document
from xsanconf.lint.diagnostics import TextEdit
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["copy_tree", "line_edits", "twin", "twin_edits"]

_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def copy_tree(root: Node) -> Node:
    """A copy of a syntax tree to edit, sharing nothing with ``root``.

    Trees hold only nodes, tokens and trivia: rebuilding them is ten times faster than
    ``copy.deepcopy`` (which keeps a memo of every object), and iterative, so deep trees do
    not recurse.
    """
    copied_root = Node(root.kind, [])
    pending = [(root, copied_root)]
    while pending:
        node, into = pending.pop()
        children = into.children
        for child in node.children:
            if isinstance(child, Node):
                copied = Node(child.kind, [])
                pending.append((child, copied))
                children.append(copied)
            elif isinstance(child, Token):
                children.append(Token(child.kind, child.text))
            else:
                children.append(Trivia(child.text))
    return copied_root


def twin(file: SiteFile) -> Document:
    """A document over a copy of ``file``'s tree, to edit freely."""
    return Document(file.doc.kind, copy_tree(file.doc.root), file.doc.path)


def twin_edits(file: SiteFile, mutate: Callable[[Document], object]) -> tuple[TextEdit, ...]:
    """The edits of ``file`` that ``mutate`` makes on a twin of it (none: it changed nothing)."""
    edited = twin(file)
    mutate(edited)
    return line_edits(file.path, file.doc.render(), edited.render())


def line_edits(path: str, old: str, new: str) -> tuple[TextEdit, ...]:
    """The changed lines between two texts of one file, as edits of the old text."""
    old_lines = _LINE.findall(old)  # split at "\n" only, as Document.position counts lines
    new_lines = _LINE.findall(new)
    import difflib  # here: only a fix needs it, and it costs a few ms to import

    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        line, column = _line_start(old_lines, i1)
        end_line, end_column = _line_start(old_lines, i2)
        edits.append(TextEdit(path, line, column, end_line, end_column, "".join(new_lines[j1:j2])))
    return tuple(edits)


def _line_start(lines: list[str], index: int) -> tuple[int, int]:
    """Where line ``index`` (0-based) starts; past the end, the end of the text."""
    if index < len(lines) or not lines or lines[-1].endswith("\n"):
        return index + 1, 1
    return len(lines), len(lines[-1]) + 1
