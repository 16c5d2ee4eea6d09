"""Documents are typed with their model: ``mypy --strict`` catches a misspelt model method."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

SNIPPET = """\
from typing import Any, assert_type

import xsanconf
from xsanconf.document import Document
from xsanconf.formats.drbd import DrbdConfig
from xsanconf.formats.multipath import MultipathConfig


def check(kind: str) -> None:
    doc = xsanconf.loads("resource r0 { }\\n", "drbd")
    assert_type(doc, Document[DrbdConfig])
    assert_type(doc.model, DrbdConfig)
    assert_type(xsanconf.load("multipath.conf", "multipath").model, MultipathConfig)
    assert_type(xsanconf.loads("", kind), Document[Any])
    doc.model.resourze("r0")  # the one error expected
"""


def test_mypy_strict_catches_a_misspelt_model_method(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\n")
    # mypy reads the installed xsanconf (an editable install: this checkout)
    monkeypatch.setenv("MYPYPATH", str(REPO))
    out, err, status = api.run(
        [
            "--config-file",
            str(tmp_path / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-executable",
            sys.executable,
            str(snippet),
        ]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1, out + err
    assert errors[0].startswith(f"{snippet}:15:") and '"resourze"' in errors[0], out
    assert status == 1
