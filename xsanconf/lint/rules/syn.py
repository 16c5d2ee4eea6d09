"""SYN: reading the files -- syntax errors, unknown keywords, includes, duplicates, surprises.

SYN002, SYN004 and SYN005 (and SYN001, for values the daemon's own parser refuses) read format
facts from :mod:`xsanconf.lint.facts`; a format with no
facts module there is not checked by them.  SYN006 (unused suppressions) is computed by the
engine, which alone knows what each suppression silenced.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xsanconf.lint.candidates import by_place, for_versions
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.facts import Finding, facts_for
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.site import Site, SiteFile

__all__: list[str] = []


def _finding(ctx: RuleContext, found: Finding) -> Diagnostic:
    return ctx.diagnostic(
        found.message, found.location, found.related, fix=found.fix, severity=found.severity
    )


@rule("SYN001", "syntax-error", Severity.ERROR, scope="file")
def syntax_error(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A file cannot be parsed or read; the other files are still checked."""
    for problem in site.problems:
        if problem.code == "SYN001":
            yield ctx.diagnostic(problem.message, problem.location, problem.related)
    for file in site.files():
        for error in file.doc.problems:
            yield ctx.diagnostic(_describe(error), _error_location(file, error))
        facts = facts_for(file.kind)
        check = getattr(facts, "invalid_values", None)
        if check is not None and file.doc.parsed:
            for found in check(file):
                yield _finding(ctx, found)


def _describe(error: Exception) -> str:
    message = getattr(error, "message", str(error))
    expected = getattr(error, "expected", ())
    if expected and "expected" not in message:
        message += f"; expected {' or '.join(expected)}"
    return str(message)


def _error_location(file: SiteFile, error: Exception) -> Location:
    line = int(getattr(error, "line", 1))
    column = int(getattr(error, "column", 1))
    return Location(file.path, line, column, line, column + 1, file.host.name)


@rule("SYN002", "unknown-keyword", Severity.WARNING, scope="file")
def unknown_keyword(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A keyword or section the format, at the targeted version, does not know."""
    for file in _parsed(site):
        facts = facts_for(file.kind)
        check = getattr(facts, "unknown_keywords", None)
        if check is not None and file.kind == "drbd":
            yield from _unknown_drbd(ctx, file, check)
        elif check is not None:
            for found in check(file, ctx.versions.get(file.kind)):
                yield _finding(ctx, found)


def _unknown_drbd(ctx: RuleContext, file: SiteFile, check: Any) -> Iterator[Diagnostic]:
    """What drbdadm refuses, weighed over every DRBD version the host may run."""
    from xsanconf.lint.facts.drbd import other_version_syntax

    assumed = ctx.host_versions(file.host).components["drbd"]
    candidates = assumed.versions or (ctx.versions.get("drbd", "9"),)
    # where the host says which DRBD it runs, DRBD011 reports another version's syntax
    others = (
        {
            file.location(token)
            for v in candidates
            for token, _, _ in other_version_syntax(file.doc.model, v)
        }
        if assumed.from_host
        else set()
    )
    found = [
        (v, f.location, f) for v in candidates for f in check(file, v) if f.location not in others
    ]
    for versions, finding in by_place(found):
        message = for_versions(finding.message, versions, candidates)
        yield ctx.diagnostic(message, finding.location, finding.related, fix=finding.fix)


@rule("SYN003", "include-problem", Severity.ERROR, scope="host")
def include_problem(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An include of a missing file or a loop (error); a glob matching nothing (warning)."""
    for problem in site.problems:
        if problem.code == "SYN003":
            yield ctx.diagnostic(
                problem.message, problem.location, problem.related, severity=problem.severity
            )


@rule("SYN004", "duplicate-setting", Severity.WARNING, scope="host")
def duplicate_setting(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A later section, key or option silently overrides or repeats an earlier one."""
    for file in _parsed(site):
        check = getattr(facts_for(file.kind), "duplicates", None)
        if check is not None:
            for found in check(file):
                yield _finding(ctx, found)
    for host in site.hosts:
        for kind in sorted({f.kind for f in host.files}):
            check = getattr(facts_for(kind), "host_duplicates", None)
            if check is not None:
                for found in check(host):
                    yield _finding(ctx, found)


@rule("SYN005", "read-differently", Severity.WARNING, scope="file", fix="safe")
def read_differently(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Text the daemon reads differently than it looks."""
    for file in _parsed(site):
        check = getattr(facts_for(file.kind), "read_differently", None)
        if check is not None:
            for found in check(file):
                yield _finding(ctx, found)


@rule("SYN007", "invalid-value", Severity.ERROR, scope="file")
def invalid_value(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A value the daemon at the host's versions refuses (an error when every version the host
    may run refuses it, a warning naming the versions when only some do)."""
    for file in _parsed(site):
        check = getattr(facts_for(file.kind), "refused_values", None)
        if check is None:
            continue
        if file.kind != "drbd":
            for found in check(file, ctx.versions.get(file.kind)):
                yield _finding(ctx, found)
            continue
        candidates = ctx.host_versions(file.host).drbd or (ctx.versions.get("drbd", "9"),)
        weighed = [(v, f.location, f) for v in candidates for f in check(file, v)]
        for versions, finding in by_place(weighed):
            partial = len(versions) < len(candidates)
            yield ctx.diagnostic(
                for_versions(finding.message, versions, candidates),
                finding.location,
                finding.related,
                severity=Severity.WARNING if partial else None,
            )


@rule("SYN006", "unused-suppression", Severity.INFO, scope="file")
def unused_suppression(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An ``xsanlint: disable=`` directive that suppresses nothing (reported by the engine)."""
    return iter(())


def _parsed(site: Site) -> Iterator[SiteFile]:
    return (f for f in site.files() if f.doc.parsed)
