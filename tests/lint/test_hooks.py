"""The pre-commit hooks and the etckeeper drop-in, run as their callers run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint.conftest import REPO, SITES

HOOKS = REPO / ".pre-commit-hooks.yaml"
ETCKEEPER = REPO / "contrib" / "etckeeper" / "pre-commit.d" / "30xsanlint"


def _hooks() -> dict[str, dict[str, str]]:
    """The hooks file's entries (flat keys only: enough to check what pre-commit reads)."""
    hooks: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in HOOKS.read_text().splitlines():
        found = re.match(r"^(- |  )(\w+): (.*)$", line)
        if found is None:
            continue
        if found.group(1) == "- ":
            current = hooks.setdefault(found.group(3), {})
        current[found.group(2)] = found.group(3)
    return hooks


def test_two_hooks() -> None:
    hooks = _hooks()
    assert set(hooks) == {"xsanlint", "xsanlint-site"}
    assert hooks["xsanlint-site"]["pass_filenames"] == "false"
    assert all(h["entry"] == "xsanlint" for h in hooks.values())


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("sites/example/san1/etc/drbd.d/xensan.res", True),
        ("etc/drbd.conf", True),
        ("hosts/xen1/etc/multipath.conf", True),
        ("hosts/xen1/etc/modprobe.d/sbp2.conf", True),
        ("hosts/xen1/etc/iscsi/iscsid.conf", True),
        ("hosts/san1/etc/ietd.conf", True),
        ("hosts/xen1/etc/modules", True),
        ("README.md", False),
        ("hosts/xen1/etc/passwd", False),
    ],
)
def test_hook_file_pattern(path: str, wanted: bool) -> None:
    pattern = re.compile(_hooks()["xsanlint"]["files"])
    assert bool(pattern.search(path)) is wanted


def _etckeeper(etc: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["sh", str(ETCKEEPER)],
        cwd=etc,
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        check=False,
    )


needs_xsanlint = pytest.mark.skipif(
    shutil.which("xsanlint", path=str(Path(sys.executable).parent)) is None,
    reason="the xsanlint console script is not installed beside this python",
)


@needs_xsanlint
def test_etckeeper_refuses_a_commit_with_errors() -> None:
    done = _etckeeper(SITES / "example" / "san1" / "etc")
    assert done.returncode == 1
    assert "DRBD001" in done.stderr and "commit refused" in done.stderr


@needs_xsanlint
def test_etckeeper_passes_a_clean_tree_and_can_be_skipped() -> None:
    clean = SITES / "example-fixed" / "san1" / "etc"
    assert _etckeeper(clean, XSANLINT_FAIL_ON="warning").returncode == 0
    assert _etckeeper(SITES / "example" / "san1" / "etc", XSANLINT="off").returncode == 0
