"""Whatever the input, every codec either round-trips it or raises ParseError inside the input.

Runs over every kind the package has, so a new codec is fuzzed as soon as it exists.  Inputs:
(a) arbitrary text and arbitrary bytes (decoded as files are, undecodable bytes as surrogates),
(b) corpus files mutated by character flips, truncation, duplication, deletion and splicing of
lines from files of other formats, and by structure- and size-aware mutations (a line repeated
many times, huge numerals, long lines without a separator, values on continuation lines, bit
flips and invalid UTF-8: :mod:`xsanconf.testing.mutations`).  Inputs grown by those mutations
also check time against size: ``k`` times the input must cost about ``k`` times the time
through codec, model, ``to_data`` and the linter, so a quadratic path fails a test.

The default suite runs a few thousand inputs.  The long run is ``pytest -m fuzz -s
tests/test_fuzz.py``: ``XSANCONF_FUZZ_INPUTS`` distinct inputs (default 100,000), each checked
against every codec; it prints the count, the time and every distinct failure it met.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xsanconf
from tests.corpus import CORPUS, read
from xsanconf.testing.mutations import GROWTHS, mutate

KINDS = list(xsanconf.KINDS)

# A check of an input of a few kilobytes taking longer than this means a parser that backtracks
# or recurses without bound (the inputs of the long run are at most ~100 KB).
SLOW_SECONDS = 2.0


def check(text: str, kind: str) -> None:
    """The property: a document that renders back byte for byte, or a ParseError inside ``text``.

    The linter loads with ``recover=True``: that must never raise, and must render back too.
    """
    try:
        doc = xsanconf.loads(text, kind)
    except xsanconf.ParseError as error:
        lines = text.split("\n")
        assert 1 <= error.line <= len(lines), (error.line, len(lines))
        assert 1 <= error.column <= len(lines[error.line - 1]) + 1, (error.column, str(error))
        str(error)  # the message with its caret renders
        recovered = xsanconf.loads(text, kind, recover=True)
        assert recovered.problems
        assert xsanconf.dumps(recovered) == text
        recovered.model  # noqa: B018 - an empty model, not an exception
        xsanconf.to_data(recovered)
        return
    assert xsanconf.dumps(doc) == text
    doc.model  # noqa: B018 - building the model must not fail either
    xsanconf.to_data(doc)
    xsanconf.to_data(doc, redact_secrets=True)


_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('{}[];#"=\\\n\r\t ,:!-_./*') + ["\x00", "\xff"]),
        st.characters(exclude_categories=["Cs"]),
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


# Pieces random text is drawn from: the punctuation and words the formats care about.
_PIECES = [
    *"{}[];#\"=\\\n\r\t ,:!-_./*'()@<>$`",
    "\x00",
    "\xff",
    "\udcff",
    "\u00a0",
    "\u2028",
    "\r\n",
    "\\\n",
    "resource",
    "on",
    "include",
    "Target",
    "Lun",
    "IncomingUser",
    "node.session.auth.password",
    "devices",
    "device",
    "multipaths",
    "options",
    "alias",
    "install",
    "disk",
    "vif",
    "[Unit]",
    "ExecStart",
    "### BEGIN INIT INFO",
    "0x",
    "iqn.2001-04.com.example:x",
    "/dev/drbd0",
]


def _random_text(rng: random.Random, _texts: list[str]) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 120)))


def _random_bytes(rng: random.Random, _texts: list[str]) -> str:
    data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    return data.decode("utf-8", "surrogateescape")


def _mutated_corpus_file(rng: random.Random, texts: list[str]) -> str:
    text = rng.choice(texts)
    for _ in range(rng.randrange(1, 4)):
        text = mutate(text, rng, texts)
    return text


# Mostly mutated real files (they reach deep into the grammars); some arbitrary input.
_GENERATORS: list[Callable[[random.Random, list[str]], str]] = [
    *[_mutated_corpus_file] * 6,
    *[_random_text] * 2,
    *[_random_bytes] * 2,
]


class FuzzRun:
    """Counts inputs and checks, and keeps the first example of each distinct failure."""

    def __init__(self, prop: Callable[[str, str], None] = check) -> None:
        self.prop = prop
        self.inputs = 0
        self.checks = 0
        self.failures: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, error) -> example
        self.slowest = (0.0, "", "")  # seconds, kind, input

    def feed(self, text: str) -> None:
        self.inputs += 1
        for kind in KINDS:
            self.checks += 1
            started = time.perf_counter()
            try:
                self.prop(text, kind)
            except Exception as error:
                key = (kind, f"{type(error).__name__}: {str(error)[:120]}")
                self.failures.setdefault(key, (text, repr(error)))
            elapsed = time.perf_counter() - started
            if elapsed > self.slowest[0]:
                self.slowest = (elapsed, kind, text)

    def slowest_seconds(self) -> float:
        """The slowest check's time, measured again when over ``SLOW_SECONDS``: on a loaded
        machine one check can stall for seconds, a slow path is slow every time."""
        seconds, kind, text = self.slowest
        if seconds < SLOW_SECONDS:
            return seconds
        for _ in range(2):
            started = time.perf_counter()
            with contextlib.suppress(Exception):
                self.prop(text, kind)
            seconds = min(seconds, time.perf_counter() - started)
        return seconds

    def summary(self, seconds: float) -> str:
        lines = [
            f"fuzz: {self.inputs} inputs x {len(KINDS)} codecs = {self.checks} checks "
            f"in {seconds:.1f} s; {len(self.failures)} distinct failures; slowest check "
            f"{self.slowest[0] * 1000:.1f} ms ({self.slowest[1]}, {len(self.slowest[2])} chars)"
        ]
        for (kind, error), (text, _) in sorted(self.failures.items()):
            lines.append(f"  {kind}: {error}\n    input: {text[:300]!r}")
        return "\n".join(lines)


def _fuzz(count: int, seed: int) -> FuzzRun:
    texts = _corpus_texts()
    if not texts:
        pytest.skip(f"{CORPUS} is absent")
    rng = random.Random(seed)
    run = FuzzRun()
    while run.inputs < count:
        run.feed(rng.choice(_GENERATORS)(rng, texts))
    return run


def test_mutated_corpus_files() -> None:
    run = _fuzz(300, seed=20261124)
    assert not run.failures, run.summary(0)
    assert run.checks >= 300 * len(KINDS)
    assert run.slowest_seconds() < SLOW_SECONDS, run.summary(0)


def test_fuzz_run_reports_failures() -> None:
    """The harness itself can fail: an input no codec accepts as text is reported, not lost."""
    run = FuzzRun()
    run.feed("\x00")  # rejected by ParseError: fine
    assert not run.failures

    def escapes(text: str, kind: str) -> None:
        raise RuntimeError(kind)

    broken = FuzzRun(escapes)
    broken.feed("x")
    assert {kind for kind, _ in broken.failures} == set(KINDS)


@pytest.mark.fuzz
def test_long_fuzz_run() -> None:
    count = int(os.environ.get("XSANCONF_FUZZ_INPUTS", "100000"))
    seed = int(os.environ.get("XSANCONF_FUZZ_SEED", "1"))
    started = time.perf_counter()
    run = _fuzz(count, seed)
    summary = run.summary(time.perf_counter() - started)
    print(summary)
    report = os.environ.get("XSANCONF_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8", errors="surrogateescape") as out:
            out.write(summary + "\n")
    assert run.inputs >= count
    assert not run.failures, summary
    assert run.slowest_seconds() < SLOW_SECONDS, summary


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20)
@given(depth=st.integers(1, 20_000))
def test_deep_nesting_is_bounded(kind: str, depth: int) -> None:
    check("a {\n" * depth + "}\n" * depth, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_megabyte_line_is_bounded(kind: str) -> None:
    started = time.perf_counter()
    check("a" * 1_000_000 + " {\n", kind)
    check('"' + "x \\" * 300_000 + "\n", kind)
    assert time.perf_counter() - started < 10 * SLOW_SECONDS


@pytest.mark.parametrize("kind", ["modules", "iscsid", "modprobe"])
def test_parsing_time_is_linear(kind: str) -> None:
    """100,000 lines parse in about a second: a list rule once copied its list at every line,
    and 40,000 lines took 10 s (100,000 would take a minute)."""
    line = {"modules": "dm_multipath\n", "iscsid": "node.startup = manual\n"}.get(
        kind, "options drbd minor_count=8\n"
    )
    started = time.perf_counter()
    xsanconf.loads(line * 100_000, kind)
    assert time.perf_counter() - started < 8.0


# Where each kind's file lies in a host, so that the linter reads it as that kind.
_LINTED_AT = {
    "drbd": "etc/drbd.conf",
    "ietd": "etc/ietd.conf",
    "lio": "etc/target/saveconfig.json",
    "iet-access": "etc/initiators.allow",
    "tgt": "etc/tgt/targets.conf",
    "iscsid": "etc/iscsi/iscsid.conf",
    "initiatorname": "etc/iscsi/initiatorname.iscsi",
    "multipath": "etc/multipath.conf",
    "modprobe": "etc/modprobe.d/x.conf",
    "modules": "etc/modules",
    "init-script": "etc/init.d/x",
    "systemd-unit": "etc/systemd/system/x.service",
    "xend-config": "etc/xen/xend-config.sxp",
    "xl-conf": "etc/xen/xl.conf",
    "xen-domain": "etc/xen/guest.cfg",
    "shell-vars": "etc/default/x",
    "lvm": "etc/lvm/lvm.conf",
}


def _through_everything(text: str, kind: str, root: Path) -> None:
    """Codec, model, plain data and the linter over one file holding ``text``."""
    from xsanconf.lint.engine import lint
    from xsanconf.lint.site import Site

    doc = xsanconf.loads(text, kind, recover=True)
    if doc.parsed:
        doc.model  # noqa: B018
        xsanconf.to_data(doc)
    path = root / "h" / _LINTED_AT[kind]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    lint(Site.load([root / "h"]))
    path.unlink()


def _seconds(text: str, kind: str, root: Path, runs: int) -> float:
    """The best of ``runs`` timings (a collection or another process can stall any one)."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        _through_everything(text, kind, root)
        best = min(best, time.perf_counter() - started)
    return best


def _grown(kind: str, name: str, size: int) -> str:
    """A real file of ``kind`` grown by the mutation ``name`` to about ``size``."""
    texts = [t for t in _corpus_texts() if xsanconf.detect_kind("x", t) == kind] or [""]
    return GROWTHS[name](texts[0], random.Random(f"{kind}{name}"), size)


# Sizes: the small input costs some tens of milliseconds; 6 times more input may cost up to
# 20 times more time (linear with room for noise); a quadratic path costs 36 times.
_SMALL = {"repeat_line": 250, "long_line": 10_000, "continuation_values": 150}
_FACTOR = 6
_ALLOWED = 20
_FLOOR = 0.02  # seconds: below this the clock and the interpreter's own noise dominate


@pytest.mark.parametrize("kind", KINDS)
def test_time_is_linear_in_input_size(kind: str, tmp_path: Path) -> None:
    for name, size in _SMALL.items():
        small = _grown(kind, name, size)
        large = _grown(kind, name, size * _FACTOR)
        try:
            base = _seconds(small, kind, tmp_path, runs=1)
            grown = _seconds(large, kind, tmp_path, runs=1)
            if grown > _ALLOWED * max(base, _FLOOR):  # measured again: a stall, or the truth
                base = _seconds(small, kind, tmp_path, runs=3)
                grown = _seconds(large, kind, tmp_path, runs=2)
        except ValueError as error:  # huge numerals: fixed elsewhere (issue 14, "Fatal")
            if "int" not in str(error):
                raise
            continue
        assert grown <= _ALLOWED * max(base, _FLOOR), (name, len(small), base, len(large), grown)
