"""Fixes made on a copy: edit a twin of a file's tree with its model, hand out the difference.

A rule that offers a fix never changes the site's documents.  It edits a copy of the tree
through the format's style-preserving model API (new lines take their neighbours' indentation
and line ends), and the spans of the copy that differ from the original become
:class:`TextEdit` s against it -- what reporters show and ``--fix`` applies.

The difference is taken from the trees, not from the texts: the copy has the original's shape
except where the edit spliced, so walking both trees side by side (children matched from both
ends of each list) finds the changed spans in time linear in the file.  A line diff of the two
texts costs minutes on a file of many identical lines.  And it is taken only when asked for:
:func:`twin_fix` hands out a :class:`Fix` whose edits are made on first use, so a plain lint,
which only counts the fixes, copies and diffs nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from xsanconf.document import Document
from xsanconf.edit import line_starts
from xsanconf.lint.diagnostics import Fix, TextEdit
from xsanconf.syntax import Node, Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = [
    "Span",
    "copy_tree",
    "tree_edits",
    "tree_spans",
    "twin",
    "twin_edits",
    "twin_fix",
]

Child = Node | Token | Trivia
Span = tuple[int, int, str]  # start offset, end offset (exclusive) in the old text, new text


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
    """The edits of ``file`` that ``mutate`` makes on a twin of it (none: it changed nothing,
    or declined by returning False)."""
    edited = twin(file)
    if mutate(edited) is False:
        return ()
    return tree_edits(file.path, file.doc.root, edited.root)


def twin_fix(
    file: SiteFile, description: str, mutate: Callable[[Document], object], *, safe: bool
) -> Fix:
    """A fix whose edits ``mutate`` makes on a twin of ``file``, when they are first asked for."""
    return Fix(description, safe, later=lambda: twin_edits(file, mutate))


def tree_edits(path: str, old: Node, new: Node) -> tuple[TextEdit, ...]:
    """The edits that turn the text of ``old`` into that of ``new``, a copy of it edited.

    Children of two matched nodes are matched from the front and from the back as long as they
    agree (leaves by text, nodes by kind: those are compared in turn); what is left between is
    replaced whole.  Each node is visited once, so the cost is linear in the trees.
    """
    spans = tree_spans(old, new)
    if not spans:
        return ()
    starts = line_starts(render(old))
    return tuple(
        TextEdit(path, *_position(starts, start), *_position(starts, end), text)
        for start, end, text in spans
    )


def tree_spans(old: Node, new: Node) -> list[Span]:
    """:func:`tree_edits` as offsets into the text of ``old``, in order, none touching another.

    Sound for any two trees (what is kept is equal, the rest replaced), and small when ``new``
    is ``old`` edited in places: a copy, or the same text re-parsed after local edits.
    """
    sizes = _sizes(old)
    spans: list[Span] = []
    # depth first, in the order of the text: spans come out sorted, and of two insertions at one
    # offset (the end of a node, the start of the next) the first comes first
    pending: list[tuple[Node, Node, int] | Span] = [(old, new, 0)]
    while pending:
        item = pending.pop()
        if isinstance(item[0], Node):
            a, b, offset = item
            pending.extend(reversed(_compare(a.children, b.children, offset, sizes)))
        else:
            spans.append(item)  # type: ignore[arg-type]  # mypy does not narrow by item[0]
    return _joined(spans)


def _compare(
    a: list[Child], b: list[Child], offset: int, sizes: dict[int, int]
) -> list[tuple[Node, Node, int] | Span]:
    """Two children lists compared: the node pairs to compare next and the span replaced
    between them, in the order of the text."""
    shorter = min(len(a), len(b))
    front = 0
    while front < shorter and _alike(a[front], b[front]):
        front += 1
    back = 0
    while back < shorter - front and _alike(a[-1 - back], b[-1 - back]):
        back += 1
    at = offset
    starts = []  # where each child of a starts
    for child in a:
        starts.append(at)
        at += sizes[id(child)] if isinstance(child, Node) else len(child.text)
    starts.append(at)
    a_end, b_end = len(a) - back, len(b) - back
    found: list[tuple[Node, Node, int] | Span] = [
        (x, y, starts[i])
        for i, (x, y) in enumerate(zip(a[:front], b[:front], strict=True))
        if isinstance(x, Node) and isinstance(y, Node)
    ]
    if front < a_end or front < b_end:
        found.append((starts[front], starts[a_end], "".join(map(render, b[front:b_end]))))
    found += [
        (x, y, starts[a_end + i])
        for i, (x, y) in enumerate(zip(a[a_end:], b[b_end:], strict=True))
        if isinstance(x, Node) and isinstance(y, Node)
    ]
    return found


def _alike(a: Child, b: Child) -> bool:
    """Whether two children stand for each other: equal leaves, or nodes of one kind that
    start with the same token (``on san1 {`` is not ``on san2 {``, in a tree parsed anew)."""
    if isinstance(a, Node):
        if not isinstance(b, Node) or a.kind != b.kind:
            return False
        head_a, head_b = a.first_token(), b.first_token()
        return (head_a and head_a.text) == (head_b and head_b.text)
    if isinstance(a, Token):
        return isinstance(b, Token) and a.kind == b.kind and a.text == b.text
    return isinstance(b, Trivia) and a.text == b.text


def _sizes(root: Node) -> dict[int, int]:
    """The length of the text of every node of ``root``, by ``id`` (iterative: no recursion)."""
    sizes: dict[int, int] = {}
    pending: list[tuple[Node, bool]] = [(root, False)]
    while pending:
        node, done = pending.pop()
        if done:
            sizes[id(node)] = sum(
                sizes[id(c)] if isinstance(c, Node) else len(c.text) for c in node.children
            )
            continue
        pending.append((node, True))
        pending.extend((c, False) for c in node.children if isinstance(c, Node))
    return sizes


def _joined(spans: list[Span]) -> list[Span]:
    """The spans (in order) with those that touch joined: two insertions at one place would
    read as a conflict to ``--fix``."""
    joined: list[Span] = []
    for start, end, text in spans:
        if joined and joined[-1][1] == start:
            previous = joined.pop()
            joined.append((previous[0], end, previous[2] + text))
        else:
            joined.append((start, end, text))
    return joined


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``; lines end at ``\\n`` only, as
    :meth:`Document.position` counts them."""
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1
