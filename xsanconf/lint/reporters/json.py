"""``--format json``: the diagnostics (paths as the user gave them) and a summary."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from xsanconf import __version__
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity
from xsanconf.lint.reporters import Report, counts

if TYPE_CHECKING:
    from xsanconf.lint.engine import LintResult

__all__ = ["diagnostic_data", "report"]


def _location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "host": loc.host,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": loc.message,
    }


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [
            {
                "path": e.path,
                "line": e.line,
                "column": e.column,
                "end_line": e.end_line,
                "end_column": e.end_column,
                "text": e.text,
            }
            for e in fix.edits
        ],
        "renames": [{"path": r.path, "new_path": r.new_path} for r in fix.renames],
    }


def diagnostic_data(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    return {
        "code": d.code,
        "name": d.name,
        "severity": str(d.severity),
        "message": d.message,
        "host": loc.host,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "related": [_location(r) for r in d.related],
        "fix": _fix(d.fix),
    }


def report(result: LintResult, options: Report) -> str:
    found = counts(result.diagnostics)
    summary: dict[str, Any] = {
        "total": len(result.diagnostics),
        "errors": found[Severity.ERROR],
        "warnings": found[Severity.WARNING],
        "infos": found[Severity.INFO],
        "files": result.files,
        "hosts": options.hosts,
        "fixable": sum(1 for d in result.diagnostics if d.fix is not None and d.fix.safe),
        "unsafe_fixable": sum(
            1 for d in result.diagnostics if d.fix is not None and not d.fix.safe
        ),
    }
    if options.statistics:
        summary["by_code"] = dict(sorted(Counter(d.code for d in result.diagnostics).items()))
    data = {
        "version": __version__,
        "diagnostics": [diagnostic_data(d) for d in result.diagnostics],
        "summary": summary,
        "hosts": options.host_versions(),
    }
    # ASCII with escapes: valid UTF-8 even when a file name holds undecodable bytes
    return json.dumps(data, indent=2) + "\n"
