"""Our LALR driver builds exactly the tree Lark's own parser builds from the same tables.

Every parse in this module runs twice: through :func:`xsanconf.lalr.run` (what xsanconf uses)
and through Lark's interactive parser fed the same tokens.  The trees, the tokens that are
rejected and the terminals reported as expected must agree, on every corpus file, on generated
documents and on mutated (mostly invalid) input.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from lark import Token as LarkToken
from lark import Transformer, Tree
from lark.exceptions import UnexpectedToken

import xsanconf
from tests.corpus import corpus_files, corpus_kind, read
from xsanconf import lalr, parsing
from xsanconf.errors import ParseError
from xsanconf.syntax import Node
from xsanconf.testing.mutations import mutate

Shape = Any


class _Builder(Transformer[Any, Any]):
    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        return Tree(data, children) if data.startswith("_") else Node(data, children)


def _lark_for(table: lalr.Table) -> Any:
    names = [name for name, known in parsing._tables.items() if known is table]
    assert len(names) == 1
    return lalr.lark_parser(parsing.grammar_text(names[0]), transformer=_Builder())


_LARK: dict[int, Any] = {}


def _shape(value: Any) -> Shape:
    if isinstance(value, Node):
        return (value.kind, [_shape(c) for c in value.children])
    if isinstance(value, list):
        return [_shape(c) for c in value]
    return (value.type, str(value), value.start_pos)


def _lark_run(
    table: lalr.Table,
    tokens: Sequence[Any],
    closer: str | None,
    make_closer: Callable[[], Any] | None,
) -> tuple[Shape, int]:
    parser = _LARK.setdefault(id(table), _lark_for(table))
    interactive = parser.parse_interactive("")
    feed = interactive.parser_state.feed_token
    last = None
    for token in tokens:
        last = LarkToken(token.type, token.value, token.start_pos)
        feed(last)
    added = 0
    if closer is not None and make_closer is not None:
        while closer in interactive.accepts() and "$END" not in interactive.accepts():
            made = make_closer()
            interactive.feed_token(LarkToken(made.type, made.value, made.start_pos))
            added += 1
    result = interactive.feed_eof(last)
    if not isinstance(result, Node):
        result = Node("start", list(result.children))
    return _shape(result), added


def _lark_error(exc: UnexpectedToken) -> tuple[Any, frozenset[str]]:
    got = exc.token
    where = None if got.type == "$END" else (got.type, str(got), got.start_pos)
    return where, frozenset(e for e in exc.expected if e.isupper())


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run Lark beside our driver on every parse; the list collects what was compared."""
    compared: list[str] = []
    ours = lalr.run

    def run_both(
        table: lalr.Table,
        tokens: Sequence[Any],
        make_node: Callable[[str, list[Any]], Any],
        closer: str | None = None,
        make_closer: Callable[[], Any] | None = None,
    ) -> tuple[Any, int]:
        tokens = list(tokens)
        try:
            mine = ours(table, tokens, make_node, closer, make_closer)
        except lalr.UnexpectedTokenError as error:
            with pytest.raises(UnexpectedToken) as theirs:
                _lark_run(table, tokens, closer, make_closer)
            got = error.token
            where = None if got is None else (got.type, str(got), got.start_pos)  # type: ignore[attr-defined]
            expected = frozenset(e for e in error.expected if e.isupper())
            assert (where, expected) == _lark_error(theirs.value)
            compared.append("error")
            raise
        assert (_shape(mine[0]), mine[1]) == _lark_run(table, tokens, closer, make_closer)
        compared.append("tree")
        return mine

    monkeypatch.setattr(lalr, "run", run_both)
    return compared


@pytest.mark.parametrize("file", corpus_files("drbd", "ietd", "iscsid", "modprobe", "multipath"))
def test_corpus_files_parse_as_lark_parses_them(file: Path, both: list[str]) -> None:
    kind = corpus_kind(file)
    try:
        xsanconf.loads(read(file), kind)
    except ParseError:
        return  # the tokenizer refused it, or both parsers did (compared by the fixture)
    if kind not in ("iscsid", "initiatorname"):  # those use a flat fast path, no grammar
        assert both, "nothing went through the LALR driver"


def _grammar_kinds() -> list[str]:
    return sorted(xsanconf.KINDS)


@pytest.mark.parametrize("kind", _grammar_kinds())
def test_mutated_input_fails_where_lark_fails(kind: str, both: list[str]) -> None:
    params: list[Any] = corpus_files("drbd", "ietd", "iscsid", "modprobe", "multipath")
    files: list[Path] = [p.values[0] for p in params]
    own = [read(f) for f in files if corpus_kind(f) == kind]
    donors = [read(f) for f in files[::7]]
    rng = random.Random(kind)
    for _ in range(150):
        text = mutate(rng.choice(own or donors), rng, donors)
        with contextlib.suppress(ParseError):
            xsanconf.loads(text, kind)


def test_eof_closer_matches_lark(both: list[str]) -> None:
    doc = xsanconf.loads("resource r {\n  on a {\n    device /dev/drbd0;\n", "drbd", recover=True)
    assert doc.render() == "resource r {\n  on a {\n    device /dev/drbd0;\n"
    assert "tree" in both


def test_a_torn_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XSANCONF_CACHE_DIR", str(tmp_path))
    text = parsing.grammar_text("drbd")
    built = lalr.build_table(text)
    lalr.table_for.cache_clear()
    first = lalr.table_for("drbd", text)
    (cached,) = tmp_path.iterdir()
    assert lalr.Table.load(cached.read_bytes(), text) is not None
    cached.write_bytes(cached.read_bytes()[:10])
    lalr.table_for.cache_clear()
    again = lalr.table_for("drbd", text)
    # Lark numbers states differently from build to build: compare what the tables do.
    from xsanconf.formats.drbd.lexer import tokenize

    sample = "resource r {\n on a { device /dev/drbd0; }\n skip { x }\n}\n"
    trees = {
        repr(_shape(lalr.run(table, tokenize(sample).tokens, Node)[0]))
        for table in (built, first, again)
    }
    assert len(trees) == 1
    assert lalr.Table.load(cached.read_bytes(), text) is not None  # rewritten whole
    lalr.table_for.cache_clear()


def test_an_unwritable_cache_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XSANCONF_CACHE_DIR", str(blocker / "below"))
    lalr.table_for.cache_clear()
    assert lalr.table_for("ietd", parsing.grammar_text("ietd")).actions
    lalr.table_for.cache_clear()


def test_unsupported_grammar_features_are_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        lalr.build_table("start: item*\n?item: A | B\n%declare A B\n")


def test_a_cache_file_of_another_grammar_text_is_not_used() -> None:
    text = parsing.grammar_text("drbd")
    data = lalr.build_table(text).dump(text)
    assert lalr.Table.load(data, text) is not None
    assert lalr.Table.load(data, text + "\n// edited\n") is None
