"""Build small sites on disk for lint tests: ``{host: {path inside host: text}}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from xsanconf.lint.diagnostics import Diagnostic, TextEdit
from xsanconf.lint.fixing import apply_edits

__all__ = ["write_site"]


def write_site(root: Path, hosts: Mapping[str, Mapping[str, str]]) -> Path:
    """Write each host below ``root`` (``root/<host>/etc/...``), with an ``etc/hostname``."""
    for host, files in hosts.items():
        base = root / host
        (base / "etc").mkdir(parents=True, exist_ok=True)
        if "etc/hostname" not in files:
            (base / "etc" / "hostname").write_text(host + "\n")
        for rel, text in files.items():
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    return root


def messages(found: Iterable[Diagnostic]) -> list[str]:
    return [d.message for d in found]


def apply(text: str, edits: Iterable[TextEdit], file: str | None = None) -> str:
    """``text`` with the edits (of ``file`` only, when given) applied as ``--fix`` applies them."""
    return apply_edits(text, [e for e in edits if file is None or e.path == file])
