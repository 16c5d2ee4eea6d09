"""Our LALR driver builds exactly the tree Lark's own parser builds from the same tables.

Every parse in this module runs twice: through :func:`xsanconf.lalr.run` (what xsanconf uses)
and through Lark's interactive parser fed the same tokens.  The trees, the tokens that are
rejected and the terminals reported as expected must agree, on every corpus file, on generated
documents and on mutated (mostly invalid) input.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Token as LarkToken
from lark import Transformer, Tree
from lark.exceptions import UnexpectedToken

import xsanconf
from tests.corpus import CORPUS, corpus_files, corpus_kind, read
from xsanconf import lalr, parsing
from xsanconf.errors import ParseError
from xsanconf.formats import codec
from xsanconf.syntax import Node
from xsanconf.testing.documents import DOCUMENTS
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
    parser = _LARK.get(id(table))
    if parser is None:
        parser = _LARK[id(table)] = _lark_for(table)
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


def _compare_both(compared: list[str]) -> Callable[..., tuple[Any, int]]:
    """A stand-in for :func:`lalr.run` that runs Lark's parser on the same tokens and fails the
    test when the two differ: the tree, or the rejected token and the terminals expected there.
    ``compared`` collects what was compared ("tree" or "error")."""
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
            try:
                theirs = _lark_run(table, tokens, closer, make_closer)
            except UnexpectedToken as lark_error:
                refused = _lark_error(lark_error)
            else:
                raise AssertionError(
                    f"the driver rejects what Lark parses as {theirs!r}"
                ) from error
            got = error.token
            where = None if got is None else (got.type, str(got), got.start_pos)  # type: ignore[attr-defined]
            expected = frozenset(e for e in error.expected if e.isupper())
            assert (where, expected) == refused
            compared.append("error")
            raise
        assert (_shape(mine[0]), mine[1]) == _lark_run(table, tokens, closer, make_closer)
        compared.append("tree")
        return mine

    return run_both


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run Lark beside our driver on every parse; the list collects what was compared."""
    compared: list[str] = []
    monkeypatch.setattr(lalr, "run", _compare_both(compared))
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


# Kinds read without a grammar: the CIB is XML, read by expat (xsanconf.formats.cib.xml).
_NO_GRAMMAR = frozenset({"cib"})
# Valid documents of every kind with a grammar, for mutation: nothing here needs the corpus.
_DOCUMENTS = {kind: found for kind, found in DOCUMENTS.items() if kind not in _NO_GRAMMAR}


def _grammar_parse(kind: str) -> Callable[[str], Node]:
    """The codec's parse through its grammar: the flat formats' fast path bypasses the driver,
    their ``parse_with_grammar`` builds the same tree through it."""
    module = codec(kind).module
    return getattr(module, "parse_with_grammar", module.parse)  # type: ignore[no-any-return]


def test_every_kind_with_a_grammar_is_compared() -> None:
    assert set(DOCUMENTS) == set(xsanconf.KINDS)
    assert set(_DOCUMENTS) == set(xsanconf.KINDS) - _NO_GRAMMAR
    grammars = {p.stem.replace("_", "-") for p in _GRAMMARS.glob("*.lark")}
    assert grammars == set(xsanconf.KINDS) - _NO_GRAMMAR


def _mutants(text: str, rng: random.Random, donors: list[str]) -> list[str]:
    """A few mutations of ``text``, stacked, so that some are valid and most are not."""
    found = []
    for _ in range(4):
        text = mutate(text, rng, donors)
        found.append(text)
    return found


def _compare_mutants(
    kind: str, seeds: list[str], donors: list[str], rng: random.Random
) -> list[str]:
    """Parse mutations of ``seeds`` with the driver and Lark; what was compared."""
    compared: list[str] = []
    parse = _grammar_parse(kind)
    with mock.patch.object(lalr, "run", _compare_both(compared)):
        for seed in seeds:
            for text in [seed, *_mutants(seed, rng, donors)]:
                with contextlib.suppress(ParseError):
                    parse(text)
    return compared


_DONORS = [
    "resource r0 {\n  on a { device /dev/drbd0; }\n}\n",
    "Target iqn.2001-04.com.example:t\n  Lun 0 Path=/dev/drbd0,Type=fileio\n",
    "devices {\n  device {\n    vendor IET\n  }\n}\n",
    "options drbd minor_count=8\n",
    "[Unit]\nAfter=drbd.service\n",
    "(xend-relocation-server yes)\n",
    "disk = [ 'phy:/dev/drbd0,xvda,w' ]\n",
    "### BEGIN INIT INFO\n# Required-Start: $network\n### END INIT INFO\n",
]


# Kinds whose tokenizers hand the driver sequences its grammar refuses (an unbalanced brace).
# The other grammars accept every token sequence (test_every_token_sequence_... shows which),
# or, for init-script, the tokenizer refuses an unclosed header itself (and for scst a '}' that
# closes no block: scstadmin stops reading there).
_TOKENIZER_REACHES_ERRORS = frozenset({"drbd", "lio", "lvm", "multipath"})


@pytest.mark.parametrize("kind", sorted(_DOCUMENTS))
def test_mutated_input_fails_where_lark_fails(kind: str) -> None:
    """Generated documents and their mutations: the driver and Lark build the same trees and
    refuse the same token, expecting the same terminals (``_compare_both`` asserts it)."""
    compared: list[str] = []

    @settings(max_examples=40, derandomize=True, database=None, deadline=None)
    @given(seed=_DOCUMENTS[kind], rng=st.randoms(use_true_random=False))
    def run(seed: str, rng: random.Random) -> None:
        compared.extend(_compare_mutants(kind, [seed], _DONORS, rng))

    run()
    assert "tree" in compared
    if kind in _TOKENIZER_REACHES_ERRORS:
        assert "error" in compared, "no mutation reached a parse error in the driver"


def _grammar_name(kind: str) -> str:
    """The grammar file a kind's codec parses with (``shell-vars`` -> ``shell_vars``)."""
    names = dict.fromkeys((kind, kind.replace("-", "_")))
    (name,) = (n for n in names if (_GRAMMARS / f"{n}.lark").is_file())
    return name


_GRAMMARS = Path(parsing._SOURCE_GRAMMARS)


def _terminals(table: lalr.Table) -> list[str]:
    return sorted({s for actions in table.actions for s in actions if s.isupper()} - {"$END"})


def _token_sequences(kind: str) -> list[list[Any]]:
    """Every sequence of the grammar's terminals up to a length that covers each rule."""
    table = parsing._table(_grammar_name(kind))
    terminals = _terminals(table)
    longest = 4 if len(terminals) < 8 else 3
    return [
        [parsing.token(t, f"{t.lower()}{i}", i * 10) for i, t in enumerate(seq)]
        for length in range(longest + 1)
        for seq in itertools.product(terminals, repeat=length)
    ]


@pytest.mark.parametrize("kind", sorted(_DOCUMENTS))
def test_every_token_sequence_parses_as_lark_parses_it(kind: str) -> None:
    """Exhaustively, below the tokenizers: each short sequence of terminals gives the same tree,
    or the same rejected token and expected terminals, in the driver and in Lark."""
    table = parsing._table(_grammar_name(kind))
    compared: list[str] = []
    run = _compare_both(compared)
    for tokens in _token_sequences(kind):
        with contextlib.suppress(lalr.UnexpectedTokenError):
            run(table, tokens, Node)
    assert len(compared) == len(_token_sequences(kind))
    # only grammars with nesting refuse some sequence; the line formats accept any
    assert ("error" in compared) == (
        kind in {*_TOKENIZER_REACHES_ERRORS, "init-script", "tgt", "scst"}
    )


_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


@pytest.mark.parametrize("kind", sorted(_DOCUMENTS))
def test_mutated_corpus_files_fail_where_lark_fails(kind: str) -> None:
    """Mutations of real files (when the corpus is beside the checkout) reach deeper."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    params: list[Any] = corpus_files("drbd", "ietd", "iscsid", "modprobe", "multipath")
    files: list[Path] = [p.values[0] for p in params]
    own = [read(f) for f in files if corpus_kind(f) == kind]
    # the corpus holds no JSON: LIO's own seeds are the bundled sites' saveconfig.json files
    own += [read(f) for f in _FIXTURES.rglob("saveconfig.json")] if kind == "lio" else []
    donors = [read(f) for f in files[::7]]
    rng = random.Random(kind)
    seeds = [rng.choice(own or donors) for _ in range(30)]
    compared = _compare_mutants(kind, seeds, donors, rng)
    assert "tree" in compared


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
