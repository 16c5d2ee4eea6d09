"""LALR(1) tables that Lark builds from ``grammars/*.lark``, cached on disk, and their driver.

Lark compiles each grammar into LALR(1) parse tables; this module keeps those tables in a small
cache file and runs them itself.  A warm run then never imports Lark (whose import costs more
than parsing a whole site) and never re-analyses a grammar: the same design as Lark's own
standalone parsers.  The grammar text stays the source of truth: the cache is keyed by a hash
of it, so an edited grammar is rebuilt by Lark on first use.

The driver builds the tree exactly as Lark's tree builder does for the grammar features our
grammars use (named rules become :class:`Node` s, rules whose name starts with ``_`` -- and the
helper rules Lark makes for ``*``, ``+`` and ``?`` -- are spliced into their parent, declared
terminals are kept), and :func:`table_for` refuses a grammar that uses anything else, so the
two can never silently disagree.  ``tests/test_lalr.py`` compares both on every corpus file.
"""

from __future__ import annotations

import functools
import marshal
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["UnexpectedTokenError", "Table", "build_table", "lark_parser", "run", "table_for"]

# Bump when the cache layout or the tree-building plan changes.
FORMAT = 1

# How a rule treats the value at each position of its expansion.
_DROP, _KEEP, _SPLICE = 0, 1, 2


class RawToken(Protocol):
    type: str


class UnexpectedTokenError(Exception):
    """The token (``None``: the end of input) that no rule accepts here, and what would be."""

    def __init__(self, token: RawToken | None, expected: frozenset[str]) -> None:
        super().__init__("unexpected token")
        self.token = token
        self.expected = expected


class Table:
    """One grammar's parse tables.

    ``actions[state][symbol]`` is ``s >= 0`` (shift to, or go to, state ``s``) or ``~r < 0``
    (reduce by rule ``r``).  ``rules[r]`` is ``(kind, size, plan, inline)``: the node kind, how
    many values the rule takes off the stack, the plan per value (``None``: keep them all) and
    whether the result is spliced into its parent instead of becoming a node.
    """

    __slots__ = ("actions", "end", "rules", "start")

    def __init__(
        self,
        actions: list[dict[str, int]],
        rules: list[tuple[str, int, tuple[int, ...] | None, bool]],
        start: int,
        end: int,
    ) -> None:
        self.actions = actions
        self.rules = rules
        self.start = start
        self.end = end

    def dump(self, grammar_text: str) -> bytes:
        return marshal.dumps((FORMAT, grammar_text, self.actions, self.rules, self.start, self.end))

    @classmethod
    def load(cls, data: bytes, grammar_text: str) -> Table | None:
        """The table in ``data`` if it was built from ``grammar_text``; else ``None`` (another
        grammar or format, a torn file)."""
        try:
            fmt, text, actions, rules, start, end = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None
        if fmt != FORMAT or text != grammar_text:
            return None
        if not isinstance(actions, list) or not isinstance(rules, list):
            return None
        return cls(actions, rules, start, end)


def lark_parser(grammar_text: str, transformer: Any = None) -> Lark:
    """Lark's LALR(1) parser for a grammar whose terminals are all ``%declare`` d."""
    from lark import Lark
    from lark.lexer import Lexer

    class _NoLexer(Lexer):
        """Tokens come from the format's own tokenizer, never from Lark."""

        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, *args: Any) -> Any:
            raise NotImplementedError

    return Lark(
        grammar_text,
        parser="lalr",
        lexer=_NoLexer,
        transformer=transformer,
        start="start",
        maybe_placeholders=False,
    )


def build_table(grammar_text: str) -> Table:
    """Let Lark analyse the grammar; keep its tables and a tree-building plan per rule."""
    from lark.parsers.lalr_analysis import Shift

    parser = lark_parser(grammar_text)
    parse_table = parser.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: list[tuple[str, int, tuple[int, ...] | None, bool]] = []
    actions: list[dict[str, int]] = [{} for _ in parse_table.states]
    for state, row in parse_table.states.items():
        for symbol, (action, arg) in row.items():
            if action is Shift:
                actions[state][str(symbol)] = int(arg)
                continue
            if arg not in rule_index:
                rule_index[arg] = len(rules)
                rules.append(_rule_plan(arg))
            actions[state][str(symbol)] = ~rule_index[arg]
    return Table(actions, rules, parse_table.start_states["start"], parse_table.end_states["start"])


def _rule_plan(rule: Any) -> tuple[str, int, tuple[int, ...] | None, bool]:
    options = rule.options
    if options.expand1 or options.template_source or options.empty_indices or rule.alias:
        raise ValueError(
            f"grammar rule {rule.origin.name}: ?rules, aliases, templates and [optional] items "
            "are not supported by xsanconf.lalr; write the alternatives out"
        )
    plan = tuple(
        (_SPLICE if not sym.is_term and sym.name.startswith("_") else _KEEP)
        if options.keep_all_tokens or not (sym.is_term and sym.filter_out)
        else _DROP
        for sym in rule.expansion
    )
    kind = str(rule.origin.name)
    return kind, len(plan), None if all(p == _KEEP for p in plan) else plan, kind.startswith("_")


def _cache_dir() -> Path | None:
    configured = os.environ.get("XSANCONF_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.path.join(os.path.expanduser("~"), ".cache") if os.path.expanduser("~") != "~" else ""
    )
    return Path(base) / "xsanconf" if base else None


@functools.cache
def table_for(name: str, grammar_text: str) -> Table:
    """The tables of grammar ``name``: from the cache when it holds this text's, else built."""
    # The name tells versions of a grammar apart; the text kept inside decides (no hashlib:
    # importing it costs more than this whole lookup).
    data = grammar_text.encode()
    digest = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    folder = _cache_dir()
    cached = folder / f"{name}-{digest}.lalr" if folder is not None else None
    if cached is not None:
        try:
            table = Table.load(cached.read_bytes(), grammar_text)
        except OSError:
            table = None
        if table is not None:
            return table
    table = build_table(grammar_text)
    if cached is not None:
        _store(cached, table.dump(grammar_text))
    return table


def _store(path: Path, data: bytes) -> None:
    """Write the cache file atomically; a cache that cannot be written is no error."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        pass


Rules = list[tuple[str, int, tuple[int, ...] | None, bool]]


def run(
    table: Table,
    tokens: Sequence[RawToken],
    make_node: Callable[[str, list[Any]], Any],
    closer: str | None = None,
    make_closer: Callable[[], RawToken] | None = None,
) -> tuple[Any, int]:
    """Parse ``tokens``: the value of the start rule (nodes made by ``make_node(kind,
    children)``) and how many ``closer`` tokens were added at the end.

    With ``closer``, sections still open at the end of the input are closed by tokens from
    ``make_closer`` while the grammar wants one and cannot end yet.  Raises
    :class:`UnexpectedTokenError`.
    """
    parse = _Parse(table, make_node)
    feed = parse.feed
    for token in tokens:
        feed(token, token.type)
    added = 0
    if closer is not None and make_closer is not None:
        while parse.accepts(closer) and not parse.accepts("$END"):
            feed(make_closer(), closer)
            added += 1
    return parse.finish(), added


class _Parse:
    """The state of one parse: the LALR state stack and the values beside it."""

    __slots__ = ("actions", "make_node", "rules", "states", "table", "values")

    def __init__(self, table: Table, make_node: Callable[[str, list[Any]], Any]) -> None:
        self.table = table
        self.actions = table.actions
        self.rules: Rules = table.rules
        self.make_node = make_node
        self.states = [table.start]
        self.values: list[Any] = []

    def feed(self, token: RawToken | None, symbol: str) -> None:
        actions = self.actions
        states = self.states
        while True:
            action = actions[states[-1]].get(symbol)
            if action is None:
                raise UnexpectedTokenError(token, frozenset(actions[states[-1]]))
            if action >= 0:
                states.append(action)
                self.values.append(token)
                return
            self.reduce(~action)

    def reduce(self, rule: int) -> None:
        kind, size, plan, inline = self.rules[rule]
        states = self.states
        values = self.values
        if size:
            taken = values[-size:]
            del values[-size:]
            del states[-size:]
        else:
            taken = []
        if plan is None:
            children = taken
        else:
            children = []
            for how, value in zip(plan, taken, strict=True):
                if how == _KEEP:
                    children.append(value)
                elif how == _SPLICE:
                    if children:
                        children.extend(value)
                    else:
                        # A list rule (``_line*``) is left-recursive: growing its own list in
                        # place keeps parsing linear; copying it at every line is quadratic.
                        children = value
        states.append(self.actions[states[-1]][kind])
        values.append(children if inline else self.make_node(kind, children))

    def accepts(self, symbol: str) -> bool:
        """Whether ``symbol`` would be shifted here (after the reductions it triggers)."""
        actions = self.actions
        stack = list(self.states)
        while True:
            action = actions[stack[-1]].get(symbol)
            if action is None:
                return False
            if action >= 0:
                return True
            kind, size, _plan, _inline = self.rules[~action]
            if size:
                del stack[-size:]
            stack.append(actions[stack[-1]][kind])

    def finish(self) -> Any:
        """Reduce at the end of input until the start rule is complete; its value."""
        actions = self.actions
        states = self.states
        while True:
            action = actions[states[-1]].get("$END")
            if action is None or action >= 0:
                raise UnexpectedTokenError(None, frozenset(actions[states[-1]]))
            self.reduce(~action)
            if states[-1] == self.table.end:
                return self.values[-1]
