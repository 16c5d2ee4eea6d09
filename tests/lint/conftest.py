from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from xsanconf.lint.cli import run

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "fixtures" / "sites"

Runner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def xsanlint(capsys: pytest.CaptureFixture[str]) -> Runner:
    """Run the CLI in-process: (exit code, stdout, stderr)."""

    def invoke(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            run([str(a) for a in args])
        out, err = capsys.readouterr()
        code = done.value.code
        return (code if isinstance(code, int) else 2), out, err

    return invoke


@pytest.fixture(autouse=True)
def _no_config_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a directory without xsanlint configuration (the repo's pyproject has none)."""
    monkeypatch.chdir(tmp_path)
