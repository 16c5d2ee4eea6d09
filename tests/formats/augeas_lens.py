"""Augeas as a second opinion: what a lens reads from a file (``augtool --noautoload``).

augtool exits 0 even when the lens rejects the file, so the error node is read too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

__all__ = ["AUGTOOL", "lens_entries", "needs_augtool"]

AUGTOOL = shutil.which("augtool")
needs_augtool = pytest.mark.skipif(
    AUGTOOL is None, reason="augtool is not installed (Debian package augeas-tools)"
)

_LINE = re.compile(r'^/files/(?P<path>(?:[^ \\]|\\.)+)(?: = "(?P<value>(?:[^"\\]|\\.)*)")?$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def lens_entries(text: str, lens: str, name: str = "file.conf") -> list[tuple[str, str]] | None:
    """``(label, value)`` for each valued node below the file, in order, at any depth.

    Labels lose their ``[N]`` index and escapes; ``None`` when the lens rejects the file.
    """
    assert AUGTOOL is not None
    with tempfile.TemporaryDirectory() as root:
        Path(root, name).write_bytes(text.encode("utf-8", "surrogateescape"))
        result = subprocess.run(
            [AUGTOOL, "--noautoload", "--root", root, "--transform", f"{lens} incl /{name}"],
            input=f"print /files/{name}\nprint /augeas/files/{name}/error\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    if f"/augeas/files/{name}/error" in result.stdout:
        return None
    found = []
    for line in result.stdout.splitlines():
        m = _LINE.match(line)
        if m is None or m.group("value") is None:
            continue
        label = re.sub(r"\[\d+\]$", "", m.group("path").rsplit("/", 1)[-1])
        found.append((_unescape(label), _unescape(m.group("value"))))
    return found
