"""Every file of the shared corpus parses and re-emits byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

import xsanconf
from tests.corpus import corpus_files, corpus_kind, read


@pytest.mark.parametrize("file", corpus_files("drbd", "ietd", "iscsid", "modprobe", "multipath"))
def test_corpus_file_round_trips(file: Path) -> None:
    kind = corpus_kind(file)
    if kind not in xsanconf.KINDS:
        pytest.fail(f"no codec for kind {kind!r}")
    text = read(file)
    doc = xsanconf.loads(text, kind, path=str(file))
    assert xsanconf.dumps(doc) == text
    xsanconf.to_data(doc)  # the model can be read as plain data
