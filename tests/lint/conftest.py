from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


@pytest.fixture(autouse=True)
def _fixes_as_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fix a rule attaches anywhere in these tests is of the kind its @rule declares."""
    from xsanconf.lint.diagnostics import Diagnostic
    from xsanconf.lint.rule import RuleContext

    attach = RuleContext.diagnostic

    def checked(self: RuleContext, *args: Any, **kwargs: Any) -> Diagnostic:
        found = attach(self, *args, **kwargs)
        if found.fix is not None:
            assert self.rule.allows(found.fix), (
                f"{self.rule.code} declares fix={self.rule.fix!r} but attaches a "
                f"{'safe' if found.fix.safe else 'unsafe'} fix: {found.fix.description}"
            )
        return found

    monkeypatch.setattr(RuleContext, "diagnostic", checked)
