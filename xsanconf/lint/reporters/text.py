"""The default report: ``path:line:col: CODE message [host]``, source line, caret, summary."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.reporters import Report, shown_source, summary_line

if TYPE_CHECKING:
    from xsanconf.lint.engine import LintResult

__all__ = ["report"]

_COLORS = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;36m",
}
_BOLD = "\033[1m"
_DIM = "\033[2m"
_RESET = "\033[0m"


# Control characters from a file (an escape sequence, a carriage return) must not reach the
# terminal as such: each is shown as one '?', which keeps the caret under its column.
_CONTROLS = {c: "?" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c != 0x09}


def _printable(text: str) -> str:
    return text.translate(_CONTROLS)


def _paint(text: str, style: str, report: Report) -> str:
    return f"{style}{text}{_RESET}" if report.color else text


def _one(d: Diagnostic, report: Report) -> list[str]:
    loc = d.location
    host = f" [{loc.host}]" if loc.host else ""
    code = _paint(d.code, _COLORS[d.severity], report)
    where = _printable(f"{loc.path}:{loc.line}:{loc.column}:")
    head = f"{_paint(where, _BOLD, report)} {code} {_printable(d.message)}"
    lines = [f"{head}{_paint(host, _DIM, report)}"]
    source = report.source_line(loc.path, loc.line)
    if source is not None:
        shown = _printable(shown_source(report, loc.path, loc.line) or "").expandtabs(8)
        before = shown_source(report, loc.path, loc.line, loc.column - 1) or ""
        prefix = _printable(before).expandtabs(8)
        width = 1
        if loc.end_line == loc.line and loc.end_column is not None:
            width = max(1, len(source[loc.column - 1 : loc.end_column - 1].rstrip()))
        width = min(width, max(1, len(shown) - len(prefix)))
        lines.append(f"    {shown}")
        lines.append(f"    {' ' * len(prefix)}{_paint('^' * width, _COLORS[d.severity], report)}")
    for other in d.related:
        where = _printable(f"{other.path}:{other.line}:{other.column}")
        host = f" [{other.host}]" if other.host else ""
        note = f": {_printable(other.message)}" if other.message else ""
        lines.append(f"    = {where}{host}{note}")
    if d.fix is not None:
        kind = "safe fix" if d.fix.safe else "unsafe fix: review before applying"
        lines.append(f"    help: {d.fix.description} [{kind}]")
    return lines


def report(result: LintResult, options: Report) -> str:
    out: list[str] = []
    if options.statistics:
        out.extend(_statistics(result))
    else:
        for d in result.diagnostics:
            out.extend(_one(d, options))
        if result.diagnostics:
            out.append("")
    out.append(summary_line(result, options.hosts))
    return "\n".join(out) + "\n"


def _statistics(result: LintResult) -> list[str]:
    """Instead of the findings, a row per rule, most findings first (as ``ruff --statistics``):
    count, code, ``[*]`` where ``--fix`` fixes some (when any rule's are), name."""
    by_code = Counter((d.code, d.name) for d in result.diagnostics)
    if not by_code:
        return []
    fixable = {d.code for d in result.diagnostics if d.fix is not None and d.fix.safe}
    count_width = len(str(max(by_code.values())))
    code_width = max(len(code) for code, _ in by_code)
    lines = []
    for (code, name), n in sorted(by_code.items(), key=lambda item: (-item[1], item[0])):
        mark = ("[*] " if code in fixable else "[ ] ") if fixable else ""
        lines.append(f"{n:>{count_width}}  {code:<{code_width}}  {mark}{name}")
    return [*lines, ""]
