"""The project as a user receives it: licence, and nothing of the machine it was written on."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Home and work directories of a development machine (written split so this file has none).
MACHINE_PATH = re.compile("/" + "(?:home|work|Users)" + r"/[\w.-]")
NOT_SHIPPED = {".git", ".venv", ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _project_files() -> list[Path]:
    """The files of the checkout: git's list when there is one, else the tree on disk."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        ).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file()
            and not NOT_SHIPPED & set(p.relative_to(ROOT).parts)
            and "__pycache__" not in p.parts
        ]
    return [ROOT / name for name in listed.split("\0") if name]


def test_the_licence_the_metadata_names_is_shipped() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "xsanconf developers" in text
    sdist = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    assert "LICENSE" in sdist["targets"]["sdist"]["include"]


def test_no_file_names_a_path_of_a_development_machine() -> None:
    found = []
    for path in _project_files():
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
