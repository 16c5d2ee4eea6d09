"""A parsed file: its kind, its lossless tree, where it came from, and its typed model."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic

from xsanconf.syntax import Node, Token, Trivia, leaves, render

if TYPE_CHECKING:
    # a Document without a model type is a Document[Any] (PEP 696 default)
    from typing_extensions import TypeVar

    from xsanconf.errors import ParseError
    from xsanconf.formats import Codec

    M = TypeVar("M", default=Any)
else:
    from typing import TypeVar

    M = TypeVar("M")

__all__ = ["Document", "Position"]

Position = tuple[int, int]


class Document(Generic[M]):
    """One file, parsed.  ``render()`` gives its exact text back, edits included.

    ``model`` is the format's typed view over the tree (for example
    :class:`xsanconf.formats.drbd.DrbdConfig`); edits made through it change the tree in place.
    ``Document[DrbdConfig]`` is a document whose model is a ``DrbdConfig``: ``loads(text,
    "drbd")`` returns one, so that a type checker catches ``doc.model.resourze(...)``.
    """

    def __init__(self, kind: str, root: Node, path: str | None = None) -> None:
        self.kind = kind
        self.root = root
        self.path = path
        self._positions: dict[int, Position] | None = None
        # bumped by every edit (``touched``): models key what they derive from the text on it,
        # so a reading is computed once per edit, not once per question
        self.generation = 0
        # errors of a document loaded with ``recover=True``; such a document's tree is opaque
        self.problems: list[ParseError] = []
        # the text ``load`` read from ``path``: ``dump`` refuses to write over other text
        self.loaded_text: str | None = None

    def __repr__(self) -> str:
        return f"Document(kind={self.kind!r}, path={self.path!r})"

    @property
    def parsed(self) -> bool:
        """False for a document whose text could not be parsed (see ``problems``)."""
        return not self.problems

    @property
    def codec(self) -> Codec:
        from xsanconf.formats import codec

        return codec(self.kind)

    @cached_property
    def model(self) -> M:
        model: M = self.codec.model(self)
        return model

    def render(self) -> str:
        return render(self.root)

    def touched(self) -> None:
        """Forget cached positions (and what models derived from the text) after an edit."""
        self._positions = None
        self.generation += 1

    def position(self, item: Node | Token | Trivia) -> Position:
        """1-based line and column where ``item`` starts (all leaves are indexed once per edit)."""
        if self._positions is None:
            self._positions = self._index_positions()
        leaf: Node | Token | Trivia | None = item
        while isinstance(leaf, Node):
            leaf = leaf.children[0] if leaf.children else None
        if leaf is None:
            return (1, 1)
        return self._positions.get(id(leaf), (1, 1))

    def end_position(self, item: Node | Token | Trivia) -> Position:
        """1-based line and column just past the last character of ``item``."""
        text = render(item)
        line, column = self.position(item)
        newlines = text.count("\n")
        if newlines:
            return line + newlines, len(text) - text.rfind("\n")
        return line, column + len(text)

    def _index_positions(self) -> dict[int, Position]:
        positions: dict[int, Position] = {}
        line, column = 1, 1
        for leaf in leaves(self.root):
            positions[id(leaf)] = (line, column)
            text = leaf.text
            newlines = text.count("\n")
            if newlines:
                line += newlines
                column = len(text) - text.rfind("\n")
            else:
                column += len(text)
        return positions
