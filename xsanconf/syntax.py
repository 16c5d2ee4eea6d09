"""The lossless syntax tree shared by every format.

A tree is made of three kinds of objects:

* :class:`Token` -- a significant piece of text (a statement, a section header, a brace);
* :class:`Trivia` -- whitespace, newlines and comments between tokens;
* :class:`Node` -- a named group of children (a section, a target, the document).

Every byte of the input belongs to exactly one token or trivia, so :func:`render` (plain
concatenation) gives the input back.  Trivia is cut into pieces that end at a newline, which
makes line-aware edits (remove a line, insert a line with its neighbours' indentation) simple:
a trivia piece either ends with ``"\\n"`` or holds no newline at all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

__all__ = [
    "Leaf",
    "Node",
    "Token",
    "Trivia",
    "attach_trivia",
    "leaves",
    "render",
    "split_lines",
]


class Token:
    """A significant token: its kind (a grammar terminal) and its exact text."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r})"


class Trivia:
    """Whitespace or comment text; ends with a newline or holds none."""

    __slots__ = ("text",)
    kind = "trivia"

    def __init__(self, text: str) -> None:
        self.text = text

    @property
    def ends_line(self) -> bool:
        return self.text.endswith("\n")

    def __repr__(self) -> str:
        return f"Trivia({self.text!r})"


Leaf = Token | Trivia


class Node:
    """A grammar rule's match: its kind and its children in source order."""

    __slots__ = ("children", "kind")

    def __init__(self, kind: str, children: list[Node | Token | Trivia]) -> None:
        self.kind = kind
        self.children = children

    def __repr__(self) -> str:
        return f"Node({self.kind!r}, {len(self.children)} children)"

    def tokens(self) -> Iterator[Token]:
        """The significant tokens below this node, in order."""
        for leaf in leaves(self):
            if isinstance(leaf, Token):
                yield leaf

    def first_token(self) -> Token | None:
        return next(self.tokens(), None)

    def significant(self) -> list[Node | Token]:
        """Direct children that are not trivia."""
        return [c for c in self.children if not isinstance(c, Trivia)]


def leaves(node: Node) -> Iterator[Token | Trivia]:
    """All leaves below ``node`` in source order (iterative: deep trees must not recurse)."""
    stack: list[Iterator[Node | Token | Trivia]] = [iter(node.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, Node):
                stack.append(iter(child.children))
                break
            yield child
        else:
            stack.pop()


def render(node: Node | Token | Trivia) -> str:
    """The exact text of a subtree."""
    if isinstance(node, Node):
        return "".join([leaf.text for leaf in leaves(node)])
    return node.text


_intern = sys.intern


def split_lines(text: str) -> list[Trivia]:
    """Cut trivia text into pieces that each end at a newline (the last may not)."""
    if "\n" not in text:
        return [Trivia(_intern(text))] if text else []
    pieces = text.split("\n")
    out = [Trivia(_intern(p + "\n")) for p in pieces[:-1]]
    if pieces[-1]:
        out.append(Trivia(_intern(pieces[-1])))
    return out


_Pieces = tuple[list[Trivia], list[Trivia]]


class _Builder:
    """Turns a parse result (nodes holding raw parser tokens) into the lossless tree."""

    def __init__(self, gaps: Sequence[str]) -> None:
        self.gaps = gaps
        self.index = 0  # index of the next significant token in source order
        self.split = [_split_gap(g) for g in gaps]

    def convert(self, node: Node) -> None:
        """Convert ``node``'s tokens, inserting the trivia that sits between its children.

        The lead trivia of a child's first token and the line end after a child's last token
        belong to the container that holds the child, except at the container's edges: there
        they belong to the container's own parent.  So removing a child takes its indentation
        and its line end with it, and a section owns the comment lines above its members.
        """
        out: list[Node | Token | Trivia] = []
        split = self.split
        children = node.children
        last = len(children) - 1
        for position, child in enumerate(children):
            if position > 0:
                out += split[self.index][1]
            if isinstance(child, Node):
                self.convert(child)
                out.append(child)
            else:
                out.append(Token(child.type, str(child)))  # type: ignore[union-attr]
                self.index += 1
            if position < last:
                out += split[self.index][0]
        node.children = out


# Whitespace-only trivia is shared between positions (it is never edited in place and nobody
# asks where a run of spaces is), which saves an object per indentation and line end.
_SHARED: dict[str, _Pieces] = {}


def _split_gap(gap: str) -> _Pieces:
    """The trivia between two tokens, cut into the first token's line end and the next's lead."""
    shared = _SHARED.get(gap)
    if shared is not None:
        return shared
    nl = gap.find("\n")
    trail, lead = ("", gap) if nl < 0 else (gap[: nl + 1], gap[nl + 1 :])
    pieces = (split_lines(trail), split_lines(lead))
    if "#" not in gap and len(_SHARED) < 4096:
        _SHARED[gap] = pieces
    return pieces


def attach_trivia(root: Node, gaps: Sequence[str]) -> Node:
    """Place the trivia ``gaps`` in ``root``: ``gaps[i]`` precedes token ``i``, the last ends all.

    ``root`` holds parser results whose leaves are Lark tokens; they are replaced by
    :class:`Token` objects.
    """
    builder = _Builder(gaps)
    if not root.children:
        root.children = list(split_lines(gaps[0]))
        return root
    builder.convert(root)
    head = split_lines(gaps[0])
    tail = split_lines(gaps[builder.index])
    root.children = [*head, *root.children, *tail]
    return root
