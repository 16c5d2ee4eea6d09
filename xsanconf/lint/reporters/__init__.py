"""Reporters turn a lint result into text: ``text``, ``json``, ``sarif`` and ``github``.

A reporter is a function ``(LintResult, Report) -> str``; it knows nothing about rules or files
beyond what the diagnostics and :class:`Report` carry.  Source lines shown to users go through
:func:`redact`, so a CHAP or DRBD secret never reaches a terminal or a CI log.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from xsanconf.lint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from xsanconf.lint.engine import LintResult

__all__ = ["FORMATS", "Report", "counts", "redact", "render", "summary_line"]

FORMATS = ("text", "json", "sarif", "github")

# keyword, separator, then the secret (CHAP "IncomingUser name secret": the name stays visible)
_SECRET = re.compile(
    r"(?i)(?P<key>\b(?:shared-secret|[\w.]*password[\w.]*|(?:Incoming|Outgoing)User))"
    r"(?P<sep>\s*=\s*|\s+)(?P<value>.*)"
)


def redact(line: str) -> str:
    """``line`` with the values of secret settings masked."""
    match = _SECRET.search(line)
    if match is None:
        return line
    value = match.group("value")
    if match.group("key").lower().endswith("user"):
        parts = value.split(None, 1)
        masked = f"{parts[0]} ********" if len(parts) > 1 else value
    else:
        masked = "********" + (";" if value.rstrip().endswith(";") else "")
    return line[: match.start("value")] + masked


@attrs.frozen
class Report:
    """What reporters need besides the diagnostics."""

    source_line: Callable[[str, int], str | None] = lambda path, line: None
    color: bool = False
    statistics: bool = False
    hosts: int = 0
    page_help: Callable[[str], str | None] = lambda code: None


def counts(diagnostics: Iterable[Diagnostic]) -> Counter[Severity]:
    return Counter(d.severity for d in diagnostics)


def summary_line(result: LintResult, hosts: int) -> str:
    found = counts(result.diagnostics)
    total = sum(found.values())
    where = f"{result.files} file{'s' * (result.files != 1)} of {hosts} host{'s' * (hosts != 1)}"
    if not total:
        return f"No problems found in {where}."
    parts = [
        f"{found[s]} {_plural(str(s), found[s])}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if found[s]
    ]
    fixable = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.safe)
    tail = f"; {fixable} with a safe fix" if fixable else ""
    return f"Found {total} {_plural('problem', total)} ({', '.join(parts)}) in {where}{tail}."


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    return "infos" if word == "info" else word + "s"


def render(name: str, result: LintResult, report: Report) -> str:
    from importlib import import_module

    if name not in FORMATS:
        raise ValueError(f"unknown output format {name!r}; use one of {', '.join(FORMATS)}")
    module = import_module(f"{__name__}.{name}")
    reporter: Callable[[LintResult, Report], str] = module.report
    return reporter(result, report)
