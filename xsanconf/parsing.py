"""The parse engine every format uses: its own lexer, a cached Lark LALR parser, trivia placement.

A format supplies a *tokenizer*, a pure function ``text -> Lexed`` that splits the input into
significant tokens and the trivia between them (or raises :class:`LexError`), and a Lark grammar
in ``grammars/<name>.lark`` that declares those tokens with ``%declare``.  Lark only ever sees
significant tokens, so its per-token cost is paid once per statement, not per word or space.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from pathlib import Path

from xsanconf import lalr
from xsanconf.errors import ParseError
from xsanconf.syntax import Node, attach_trivia

__all__ = ["LexError", "Lexed", "RawToken", "grammar_text", "parse_with", "token"]


class RawToken:
    """A significant token as a tokenizer hands it to the parser: kind, text and offset."""

    __slots__ = ("start_pos", "type", "value")

    def __init__(self, kind: str, text: str, pos: int) -> None:
        self.type = kind
        self.value = text
        self.start_pos = pos

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"RawToken({self.type!r}, {self.value!r}, {self.start_pos})"


class Lexed:
    """Significant tokens and the trivia around them: ``gaps[i]`` precedes ``tokens[i]``."""

    __slots__ = ("gaps", "tokens")

    def __init__(self) -> None:
        self.tokens: list[RawToken] = []
        self.gaps: list[str] = []

    def add(self, gap: str, kind: str, text: str, pos: int) -> None:
        self.gaps.append(gap)
        self.tokens.append(RawToken(kind, text, pos))

    def finish(self, gap: str) -> Lexed:
        self.gaps.append(gap)
        return self


class LexError(Exception):
    """Raised by a tokenizer: ``pos`` is the character offset of the offending input."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


def token(kind: str, text: str, pos: int) -> RawToken:
    return RawToken(kind, text, pos)


_GRAMMARS = Path(__file__).resolve().parent / "grammars"
_SOURCE_GRAMMARS = Path(__file__).resolve().parent.parent / "grammars"


def grammar_text(name: str) -> str:
    """The text of ``grammars/<name>.lark``: from the installed package, else the source tree."""
    packaged = _GRAMMARS / f"{name}.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (_SOURCE_GRAMMARS / f"{name}.lark").read_text(encoding="utf-8")


_tables: dict[str, lalr.Table] = {}


def _table(name: str) -> lalr.Table:
    table = _tables.get(name)
    if table is None:
        table = _tables[name] = lalr.table_for(name, grammar_text(name))
    return table


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
    table = _table(grammar)
    end = len(text)
    try:
        result, closed = lalr.run(
            table,
            lexed.tokens,
            Node,
            eof_closer,
            (lambda: RawToken(eof_closer, "", end)) if eof_closer is not None else None,
        )
    except lalr.UnexpectedTokenError as error:
        got = error.token
        pos = end if got is None else got.start_pos  # type: ignore[attr-defined]
        expected = sorted(_describe(e) for e in error.expected if e.isupper())
        what = "end of input" if got is None else f"{_describe(got.type)} {str(got)[:40]!r}"
        raise ParseError.at(
            text,
            pos,
            f"unexpected {what}; expected {', '.join(expected)}",
            path=path,
            expected=expected,
        ) from None
    for _ in range(closed):
        lexed.gaps.insert(-1, "")
    if not isinstance(result, Node):  # a grammar whose start rule is inlined
        result = Node("start", result)
    return attach_trivia(result, lexed.gaps)
