"""Fixes for DRBD diagnostics, made through the drbd model and handed out as text edits.

A fix edits a copy of the file's tree with the model's style-preserving edit API (new lines take
their neighbours' indentation and newline style), then the changed spans of the copy become
:class:`TextEdit` s against the original (:mod:`xsanconf.lint.twin_edits`), when a report or
``--fix`` asks for them.  The site's own documents are never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from xsanconf.document import Document
from xsanconf.formats.drbd import lexer
from xsanconf.formats.drbd.model import DrbdConfig, DrbdSection, DrbdStatement
from xsanconf.formats.drbd.values import quote
from xsanconf.lint.diagnostics import Fix, TextEdit
from xsanconf.lint.twin_edits import copy_tree, tree_edits
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = [
    "add_option",
    "drop_head_args",
    "edit_fix",
    "rename_keyword",
]

Item = DrbdSection | DrbdStatement
Mutation = Callable[[Item], bool]


def edit_fix(file: SiteFile, item: Item, description: str, mutate: Mutation, *, safe: bool) -> Fix:
    """A fix made by ``mutate`` on a copy of ``item`` when its edits are asked for (none when
    ``mutate`` declines: decide beforehand, on ``item``, whether to offer the fix at all)."""
    target = item.token if isinstance(item, DrbdStatement) else item.node

    def edits() -> tuple[TextEdit, ...]:
        path = _path_to(file.doc.root, target)
        if path is None:
            return ()
        twin_root = copy_tree(file.doc.root)
        twin = _view_at(DrbdConfig(Document(file.doc.kind, twin_root, file.doc.path)), path)
        if twin is None or not mutate(twin):
            return ()
        return tree_edits(file.path, file.doc.root, twin_root)

    return Fix(description, safe, later=edits)


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
