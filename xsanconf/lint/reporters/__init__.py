"""Reporters turn a lint result into text: ``text``, ``json``, ``sarif``, ``github``, ``html``.

A reporter is a function ``(LintResult, Report) -> str``; it knows nothing about rules or files
beyond what the diagnostics and :class:`Report` carry.  Source lines shown to users go through
:func:`shown_source`, which masks the secrets the file's format finds on the line (or, without
that knowledge, :func:`redact`'s line pattern), so a CHAP or DRBD secret never reaches a
terminal or a CI log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from xsanconf.lint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from xsanconf.graph import StackGraph
    from xsanconf.lint.engine import LintResult

__all__ = ["FORMATS", "Report", "counts", "redact", "render", "shown_source", "summary_line"]

FORMATS = ("text", "json", "sarif", "github", "html")


def redact(line: str) -> str:
    """``line`` with the values of secret settings masked (see :mod:`xsanconf.secrets`)."""
    from xsanconf.secrets import redact_line

    return redact_line(line)


@attrs.frozen(repr=False)  # never printed: attrs would compile a __repr__ on every run
class Report:
    """What reporters need besides the diagnostics."""

    source_line: Callable[[str, int], str | None] = lambda path, line: None
    color: bool = False
    statistics: bool = False
    hosts: int = 0
    page_help: Callable[[str], str | None] = lambda code: None
    show_secrets: bool = False  # source lines as they are (xsanlint --show-secrets)
    # where the secrets are on a line of a file (column spans); None: the line pattern finds them
    secret_spans: Callable[[str, int], Sequence[tuple[int, int]]] | None = None
    # the site's stack with the findings' codes attached (the html report draws it)
    stack_graph: Callable[[Sequence[Diagnostic]], StackGraph | None] = lambda diagnostics: None
    # each host's assumed versions and their evidence (the json report lists them)
    host_versions: Callable[[], dict[str, Any]] = lambda: {}


def shown_source(report: Report, path: str, line: int, end: int | None = None) -> str | None:
    """Line ``line`` of ``path`` as reports show it (its first ``end`` characters with
    ``end``): secrets masked unless ``--show-secrets``; None when there is no such line."""
    source = report.source_line(path, line)
    if source is None:
        return None
    if end is not None:
        source = source[:end]
    if report.show_secrets:
        return source
    if report.secret_spans is None:
        return redact(source)
    from xsanconf.secrets import mask_spans

    return mask_spans(source, report.secret_spans(path, line))


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
    found_text = f"Found {total} {_plural('problem', total)} ({', '.join(parts)})"
    return f"{found_text} in {where}{_fixable(result)}."


def _fixable(result: LintResult) -> str:
    """How many findings ``--fix`` would fix, and how many more ``--unsafe-fixes`` would."""
    fixes = [d.fix for d in result.diagnostics if d.fix is not None]
    safe = sum(1 for f in fixes if f.safe)
    unsafe = len(fixes) - safe
    more = f"{unsafe} more with --unsafe-fixes" if unsafe else ""
    if safe:
        return f"; {safe} fixable with --fix" + (f" ({more})" if more else "")
    return f"; {more}" if more else ""


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
