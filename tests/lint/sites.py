"""Build small sites on disk for lint tests: ``{host: {path inside host: text}}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from xsanconf.lint.diagnostics import Diagnostic, TextEdit

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
    """``text`` with the edits (of ``file`` only, when given) applied: positions are 1-based
    lines and columns, the end exclusive."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, column: int) -> int:
        return min(starts[line - 1] + column - 1, len(text))

    spans = sorted(
        (
            (offset(e.line, e.column), offset(e.end_line, e.end_column), e.text)
            for e in edits
            if file is None or e.path == file
        ),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
