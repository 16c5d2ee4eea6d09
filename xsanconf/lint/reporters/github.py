"""``--format github``: GitHub Actions workflow commands, one annotation per diagnostic."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.reporters import Report

if TYPE_CHECKING:
    from xsanconf.lint.engine import LintResult

__all__ = ["report"]

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def report(result: LintResult, options: Report) -> str:
    lines = []
    for d in result.diagnostics:
        loc = d.location
        fields = [f"file={_property(loc.path)}", f"line={loc.line}", f"col={loc.column}"]
        if loc.end_line is not None:
            fields.append(f"endLine={loc.end_line}")
        if loc.end_column is not None and loc.end_line == loc.line:
            fields.append(f"endColumn={loc.end_column}")
        fields.append(f"title={_property(f'{d.code} {d.name}')}")
        host = f" [{loc.host}]" if loc.host else ""
        lines.append(f"::{_LEVEL[d.severity]} {','.join(fields)}::{_data(d.message + host)}")
    return "".join(line + "\n" for line in lines)
