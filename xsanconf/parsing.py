"""The parse engine every format uses: its own lexer, a cached Lark LALR parser, trivia placement.

A format supplies a *tokenizer*, a pure function ``text -> Lexed`` that splits the input into
significant tokens and the trivia between them (or raises :class:`LexError`), and a Lark grammar
in ``grammars/<name>.lark`` that declares those tokens with ``%declare``.  Lark only ever sees
significant tokens, so its per-token cost is paid once per statement, not per word or space.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, cast

import attrs
from lark import Lark, Transformer, Tree
from lark import Token as LarkToken
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from xsanconf.errors import ParseError
from xsanconf.syntax import Node, Token, Trivia, attach_trivia

__all__ = ["LexError", "Lexed", "grammar_text", "parse_with", "token"]


@attrs.define
class Lexed:
    """Significant tokens and the trivia around them: ``gaps[i]`` precedes ``tokens[i]``."""

    tokens: list[LarkToken] = attrs.field(factory=list)
    gaps: list[str] = attrs.field(factory=list)

    def add(self, gap: str, kind: str, text: str, pos: int) -> None:
        self.gaps.append(gap)
        self.tokens.append(LarkToken(kind, text, pos))

    def finish(self, gap: str) -> Lexed:
        self.gaps.append(gap)
        return self


class LexError(Exception):
    """Raised by a tokenizer: ``pos`` is the character offset of the offending input."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def token(kind: str, text: str, pos: int) -> LarkToken:
    return LarkToken(kind, text, pos)


class _NoLexer(Lexer):
    """Placeholder: tokens are fed to the parser directly, never lexed by Lark."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, *args: Any) -> Any:
        raise NotImplementedError


class _NodeBuilder(Transformer[Any, Any]):
    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        # Lark splices the children of inlined (``_rule``) matches from a Tree itself.
        if data.startswith("_"):
            return Tree(data, children)
        return Node(data, children)


def grammar_text(name: str) -> str:
    """The text of ``grammars/<name>.lark``: from the installed package, else the source tree."""
    packaged = resources.files("xsanconf").joinpath("grammars", f"{name}.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parent.parent / "grammars" / f"{name}.lark"
    return source_tree.read_text(encoding="utf-8")


@functools.cache
def _parser(name: str) -> Lark:
    return Lark(
        grammar_text(name),
        parser="lalr",
        lexer=_NoLexer,
        transformer=_NodeBuilder(),
        start="start",
        cache=True,
    )


def parse_with(
    grammar: str,
    tokenize: Callable[[str], Lexed],
    text: str,
    *,
    path: str | None = None,
    names: Mapping[str, str] | None = None,
    eof_closer: str | None = None,
) -> Node:
    """Parse ``text`` into a lossless tree, or raise :class:`ParseError` with line and column.

    ``names`` gives readable names for the grammar's terminals in error messages.  With
    ``eof_closer``, sections still open at the end of the input are closed by empty tokens of that
    kind (drbdadm, for one, accepts a resource whose ``}`` is missing at the end of the file); the
    model can find them by their empty text.
    """
    names = names or {}

    def _describe(kind: str) -> str:
        return "end of input" if kind == "$END" else names.get(kind, kind)

    # Parsing allocates many objects and frees none: collector passes would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse(grammar, tokenize, text, path, _describe, eof_closer)
    finally:
        if collecting:
            gc.enable()


def _parse(
    grammar: str,
    tokenize: Callable[[str], Lexed],
    text: str,
    path: str | None,
    _describe: Callable[[str], str],
    eof_closer: str | None,
) -> Node:
    try:
        lexed = tokenize(text)
    except LexError as error:
        raise ParseError.at(text, error.pos, error.message, path=path) from None
    interactive = _parser(grammar).parse_interactive("")
    try:
        feed = interactive.parser_state.feed_token
        for tok in lexed.tokens:
            feed(tok)
        if eof_closer is not None:
            while _open_at_end(interactive, eof_closer):
                interactive.feed_token(LarkToken(eof_closer, "", len(text)))
                lexed.gaps.insert(-1, "")
        result = interactive.feed_eof(  # type: ignore[no-untyped-call]
            lexed.tokens[-1] if lexed.tokens else None
        )
    except UnexpectedToken as error:
        got = error.token
        pos = len(text) if got.type == "$END" else got.start_pos
        expected = sorted(_describe(e) for e in error.expected)
        what = _describe(got.type)
        if got.type != "$END":
            what = f"{what} {str(got)[:40]!r}"
        raise ParseError.at(
            text,
            pos if pos is not None else len(text),
            f"unexpected {what}; expected {', '.join(expected)}",
            path=path,
            expected=expected,
        ) from None
    except UnexpectedInput as error:  # pragma: no cover - Lark raises UnexpectedToken for LALR
        raise ParseError.at(text, error.pos_in_stream or 0, str(error), path=path) from None
    if not isinstance(result, Node):  # a grammar whose start rule Lark inlined
        result = Node("start", cast(list[Node | Token | Trivia], list(result.children)))
    return attach_trivia(result, lexed.gaps)


def _open_at_end(interactive: Any, closer: str) -> bool:
    """Whether the parser, at the end of input, still waits for ``closer``."""
    accepts = interactive.accepts()
    return closer in accepts and "$END" not in accepts
