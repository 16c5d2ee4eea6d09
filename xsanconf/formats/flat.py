"""Syntax trees for line-based formats whose grammar is a flat list of statements.

For iscsid.conf, initiatorname.iscsi and /etc/default files every significant line (or shell
statement) is one token, and the grammar (``start: (KIND_A | KIND_B)*``) accepts any sequence of
them: running the LALR parser checks nothing while costing microseconds a token.  A format's
scanner yields :data:`Piece` tuples; :func:`flat_tree` builds from them the very tree
:func:`xsanconf.parsing.parse_with` builds from :func:`lexed` of the same pieces (the codecs'
tests parse both ways and compare), several times faster.
"""

from __future__ import annotations

from collections.abc import Iterable

from xsanconf.errors import ParseError
from xsanconf.parsing import Lexed, LexError
from xsanconf.syntax import Node, Token, Trivia, render, split_lines

__all__ = ["Piece", "flat_text", "flat_tree", "lexed"]

# (trivia before the token, token kind, token text, offset of the token); the last piece has
# the kind "" and carries the trivia after the last token.
Piece = tuple[str, str, str, int]


def flat_tree(text: str, pieces: Iterable[Piece], *, path: str | None = None) -> Node:
    """The lossless tree of a flat format: trivia pieces and one token per statement."""
    children: list[Node | Token | Trivia] = []
    extend, append = children.extend, children.append
    try:
        for gap, kind, token_text, _ in pieces:
            if gap == "\n":  # most lines: no need to cut the trivia
                append(Trivia(gap))
            elif gap:
                extend(split_lines(gap))
            if kind:
                append(Token(kind, token_text))
    except LexError as error:
        raise ParseError.at(text, error.pos, error.message, path=path) from None
    return Node("start", children)


def lexed(pieces: Iterable[Piece]) -> Lexed:
    """The same pieces as a tokenizer result for :func:`xsanconf.parsing.parse_with`."""
    out = Lexed()
    for gap, kind, token_text, pos in pieces:
        if kind:
            out.add(gap, kind, token_text, pos)
        else:
            out.finish(gap)
    return out


def flat_text(root: Node) -> str:
    """The text of a flat tree (a faster :func:`xsanconf.syntax.render` for it)."""
    try:
        return "".join([c.text for c in root.children])  # type: ignore[union-attr]
    except AttributeError:  # a nested node: not a flat tree after all
        return render(root)
