"""Fixes for DRBD diagnostics, made through the drbd model and handed out as text edits.

A fix edits a copy of the file's tree with the model's style-preserving edit API (new lines take
their neighbours' indentation and newline style), then the changed lines of the copy's text become
:class:`TextEdit` s against the original.  The site's own documents are never changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from xsanconf.document import Document
from xsanconf.formats.drbd import lexer
from xsanconf.formats.drbd.model import DrbdConfig, DrbdSection, DrbdStatement
from xsanconf.formats.drbd.values import quote
from xsanconf.lint.diagnostics import Fix, TextEdit
from xsanconf.syntax import Node, Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = [
    "add_option",
    "copy_tree",
    "drop_head_args",
    "edit_fix",
    "line_edits",
    "rename_keyword",
]

Item = DrbdSection | DrbdStatement
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
Mutation = Callable[[Item], bool]


def edit_fix(
    file: SiteFile, item: Item, description: str, mutate: Mutation, *, safe: bool
) -> Fix | None:
    """A fix made by ``mutate`` on a copy of ``item``; ``None`` when ``mutate`` declines."""
    target = item.token if isinstance(item, DrbdStatement) else item.node
    path = _path_to(file.doc.root, target)
    if path is None:
        return None
    twin_root = copy_tree(file.doc.root)
    twin = _view_at(DrbdConfig(Document(file.doc.kind, twin_root, file.doc.path)), path)
    if twin is None or not mutate(twin):
        return None
    edits = line_edits(file.path, render(file.doc.root), render(twin_root))
    return Fix(description, safe, edits) if edits else None


def copy_tree(root: Node) -> Node:
    """A copy of a syntax tree to edit, sharing nothing with ``root``.

    Trees hold only nodes, tokens and trivia: rebuilding them is ten times faster than
    ``copy.deepcopy`` (which keeps a memo of every object), and iterative, so deep trees do
    not recurse.
    """
    twin = Node(root.kind, [])
    pending = [(root, twin)]
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
    return twin


def add_option(section: DrbdSection, keyword: str, *values: str) -> None:
    """Set an option; in a one-line section (``disk { a; }``) the new statement stays on that line.

    The model's ``set`` starts a new line, which suits multi-line sections only.
    """
    statements = [c for c in section.node.children if isinstance(c, Token) and c.kind == "STMT"]
    if section.statement(keyword) is not None or not statements or "\n" in section.text():
        section.set(keyword, *values)
        return
    token = Token("STMT", " ".join([quote(keyword), *(quote(v) for v in values)]) + ";")
    at = section.node.children.index(statements[-1]) + 1
    section.node.children[at:at] = [Trivia(" "), token]
    section.doc.touched()


def rename_keyword(statement: DrbdStatement, keyword: str) -> None:
    """Give a statement a new keyword, keeping its values and spacing."""
    words = lexer.words(statement.token.text)
    start, end, _ = words[0]
    text = statement.token.text
    statement.token.text = text[:start] + quote(keyword) + text[end:]
    statement.doc.touched()


def drop_head_args(section: DrbdSection) -> None:
    """``connection name {`` -> ``connection {``."""
    head = section.head
    if head is None:
        return
    words = lexer.words(head.text)
    if len(words) < 2:
        return
    head.text = head.text[: words[0][1]] + head.text[words[-1][1] :]
    section.doc.touched()


def _path_to(root: Node, target: Node | Token) -> list[int] | None:
    stack: list[tuple[Node, list[int]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        for i, child in enumerate(node.children):
            if child is target:
                return [*path, i]
            if isinstance(child, Node):
                stack.append((child, [*path, i]))
    return None


def _view_at(config: DrbdConfig, path: list[int]) -> Item | None:
    current: DrbdSection = config
    for i, index in enumerate(path):
        child = current.node.children[index]
        if isinstance(child, Token):
            last = i == len(path) - 1
            return DrbdStatement(config.doc, current.node, child) if last else None
        if isinstance(child, Trivia):
            return None
        found = next((s for s in current.sections() if s.node is child), None)
        if found is None:
            return None
        current = found
    return current


def line_edits(path: str, old: str, new: str) -> tuple[TextEdit, ...]:
    """The changed lines between two texts of one file, as edits of the old text."""
    old_lines = _lines(old)
    new_lines = _lines(new)
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


def _lines(text: str) -> list[str]:
    """Lines split at ``\n`` only, as :meth:`Document.position` counts them."""
    return _LINE.findall(text)


def _line_start(lines: list[str], index: int) -> tuple[int, int]:
    """Where line ``index`` (0-based) starts; past the end, the end of the text."""
    if index < len(lines) or not lines or lines[-1].endswith("\n"):
        return index + 1, 1
    return len(lines), len(lines[-1]) + 1
