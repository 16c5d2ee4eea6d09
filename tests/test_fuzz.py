"""Whatever the input, every codec either round-trips it or raises ParseError inside the input.

Runs over every kind the package has, so a new codec is fuzzed as soon as it exists.  The long
run (>= 100,000 inputs) is ``pytest -m fuzz``; the default suite runs a few hundred per codec.
"""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xsanconf
from tests.corpus import CORPUS, read
from xsanconf.testing.mutations import mutate

KINDS = list(xsanconf.KINDS)


def check(text: str, kind: str) -> None:
    try:
        doc = xsanconf.loads(text, kind)
    except xsanconf.ParseError as error:
        lines = text.split("\n")
        assert 1 <= error.line <= len(lines), (error.line, len(lines))
        assert 1 <= error.column <= len(lines[error.line - 1]) + 1, (error.column, str(error))
        str(error)  # the message with its caret renders
        return
    assert xsanconf.dumps(doc) == text
    doc.model  # noqa: B018 - building the model must not fail either
    xsanconf.to_data(doc)


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('{}[];#"=\\\n\r\t ,:!-_./*') + ["\x00", "\xff"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=200,
)


@pytest.mark.parametrize("kind", KINDS)
@given(text=_TEXT)
def test_arbitrary_text(kind: str, text: str) -> None:
    check(text, kind)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(kind: str, data: bytes) -> None:
    check(data.decode("utf-8", "surrogateescape"), kind)


def _corpus_texts() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return [read(f) for f in sorted(CORPUS.rglob("*")) if f.is_file() and f.name != "README.md"]


def _run_mutations(count: int, seed: int) -> int:
    texts = _corpus_texts()
    if not texts:
        pytest.skip(f"{CORPUS} is absent")
    rng = random.Random(seed)
    done = 0
    while done < count:
        text = rng.choice(texts)
        for _ in range(rng.randrange(1, 4)):
            text = mutate(text, rng, texts)
        for kind in KINDS:
            check(text, kind)
            done += 1
    return done


def test_mutated_corpus_files() -> None:
    assert _run_mutations(3_000, seed=20261124) >= 3_000


@pytest.mark.fuzz
def test_mutated_corpus_files_long_run() -> None:
    count = int(os.environ.get("XSANCONF_FUZZ_INPUTS", "100000"))
    seed = int(os.environ.get("XSANCONF_FUZZ_SEED", "1"))
    assert _run_mutations(count, seed) >= count


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20)
@given(depth=st.integers(1, 20_000))
def test_deep_nesting_is_bounded(kind: str, depth: int) -> None:
    check("a {\n" * depth + "}\n" * depth, kind)
