"""The rule engine: choose rules, run them over a site, then filter and adjust what they report.

Order of work: selection (``select``/``extend_select``/``ignore``: code, prefix or name; the most
specific selector wins), run each selected rule whose ``needs`` the site has (with the run's
facts, each built when a rule that declares it first asks: :mod:`xsanconf.facts.registry`),
suppression comments (and SYN006 for the unused ones), severity overrides, per-path ignores, and
finally the focus of file-argument mode (only what is located in the given files or involves
them).  Each finding goes through these filters as its rule yields it, and at most
``MAX_FINDINGS_PER_FILE`` findings of one rule in one file are kept: a generated file with a
mistake on each of its million lines costs a count, not a million diagnostics.
"""

from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

import attrs

from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import Rule, RuleContext
from xsanconf.lint.site import Site, SiteFile
from xsanconf.lint.suppressions import Suppression, suppressions

__all__ = [
    "DEFAULT_VERSIONS",
    "MAX_FINDINGS_PER_FILE",
    "LintOptions",
    "LintResult",
    "RuleFailure",
    "SelectionError",
    "lint",
    "matches",
    "select_rules",
]

UNUSED_SUPPRESSION = "SYN006"
# Findings of one rule in one file beyond this are counted, not kept (README: "Limits").
MAX_FINDINGS_PER_FILE = 100
DEFAULT_VERSIONS: dict[str, str] = {"drbd": "9", "multipath": "0.14.3"}
KNOWN_VERSIONS: dict[str, tuple[str, ...]] = {
    "drbd": ("8.3", "8.4", "9"),
    # every multipath-tools release tag (opensvc/multipath-tools): minor, then its patch levels
    "multipath": tuple(
        f"0.{minor}.{patch}"
        for minor, patches in (
            (4, "56789"),
            (5, "0"),
            (6, "01234"),
            (7, "0123456789"),
            (8, "0123456789"),
            (9, "0123456789"),
            (10, "023456"),
            (11, "01234"),
            (12, "012"),
            (13, "01"),
            (14, "0123"),
        )
        for patch in patches
    ),
}

# What --target / [tool.xsanlint.versions] can name: iet (e.g. 1.4.20, default the newest) and
# kmod (e.g. 29) take any version number; drbd and multipath one of their releases.
TARGET_KINDS = ("drbd", "multipath", "iet", "kmod", "drbd-utils", "open-iscsi", "xen")


@functools.cache  # compiled on first use: many runs never need it
def _dotted() -> re.Pattern[str]:
    return re.compile(r"[0-9]+(?:\.[0-9]+)*(?:[+~-][0-9A-Za-z.+~-]*)?")  # 1.4.20.3+svn496


class SelectionError(ValueError):
    """A selector or option that names no rule, or a bad value: a configuration error."""


@attrs.frozen
class LintOptions:
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severities: Mapping[str, Severity] = attrs.field(factory=dict)  # selector -> severity
    per_path_ignores: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)  # glob -> selectors
    versions: Mapping[str, str] = attrs.field(factory=dict)
    # host name -> its own targets (``--target san1:drbd=8.4``), stronger than ``versions``
    host_versions: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)

    def effective_versions(self) -> dict[str, str]:
        versions = {**DEFAULT_VERSIONS, **self.versions}
        for kind, version in versions.items():
            _check_version(kind, version)
        for own in self.host_versions.values():
            for kind, version in own.items():
                _check_version(kind, version)
        return versions


def _check_version(kind: str, version: str) -> None:
    if kind not in TARGET_KINDS:
        raise SelectionError(f"no targeted version for {kind!r}: use {', '.join(TARGET_KINDS)}")
    allowed = KNOWN_VERSIONS.get(kind)
    if allowed is not None and version not in allowed:
        raise SelectionError(f"unknown {kind} version {version!r}; use one of {', '.join(allowed)}")
    if allowed is None and not _dotted().fullmatch(version):
        raise SelectionError(f"{kind} version {version!r} is not a version number such as 1.4.20")


@attrs.frozen
class RuleFailure:
    """A rule that raised: a bug in xsanlint, reported apart from the findings."""

    code: str
    error: str


@attrs.define
class LintResult:
    diagnostics: list[Diagnostic]
    rules: list[Rule]  # the rules that were selected
    failures: list[RuleFailure] = attrs.field(factory=list)
    files: int = 0
    facts: list[str] = attrs.field(factory=list)  # the facts the run built, in that order


class Named(Protocol):
    """What selection reads of a rule: a :class:`Rule`, or its manifest entry before its
    module is imported (:class:`xsanconf.lint.rules.RuleInfo`)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


R = TypeVar("R", bound=Named)


def matches(selector: str, rule: Named) -> int:
    """How specifically ``selector`` names ``rule``: 0 no match, longer match = more specific."""
    if selector in ("ALL", "all"):
        return 1
    if selector in (rule.code, rule.name):
        return 100
    if rule.code.startswith(selector.upper()) and selector[:1].isalpha():
        return 1 + len(selector)
    return 0


def _best(selectors: Iterable[str], rule: Named) -> int:
    return max((matches(s, rule) for s in selectors), default=0)


def _check_selectors(selectors: Iterable[str], rules: Iterable[Named], what: str) -> None:
    known = list(rules)
    for selector in selectors:
        if not any(matches(selector, r) for r in known):
            raise SelectionError(f"{what}: {selector!r} names no rule (see `xsanlint rules`)")


def select_rules(registry: Mapping[str, R], options: LintOptions) -> list[R]:
    rules = [registry[code] for code in sorted(registry)]
    for what, selectors in (
        ("select", options.select),
        ("ignore", options.ignore),
        ("extend-select", options.extend_select),
        ("severity", tuple(options.severities)),
    ):
        _check_selectors(selectors, rules, what)
    chosen = []
    for rule in rules:
        wanted = _best(options.select, rule) if options.select else 1
        wanted = max(wanted, _best(options.extend_select, rule))
        if wanted and wanted > _best(options.ignore, rule):
            chosen.append(rule)
    return chosen


def lint(site: Site, options: LintOptions | None = None) -> LintResult:
    from xsanconf.facts.registry import Facts
    from xsanconf.lint.rules import catalog, load_needed

    options = options or LintOptions()
    versions = options.effective_versions()
    # every rule is known for selection; only the families that can run are imported
    known = catalog()
    chosen = select_rules(known, options)
    kinds = site.kinds()
    registry = load_needed(chosen, kinds)
    rules = [registry[info.code] for info in chosen if info.code in registry]
    by_path, files = _suppression_index(site)
    kept = _Capped()
    failures: list[RuleFailure] = []
    # one run's facts, shared by its rules: each built when a rule first asks for it
    facts = Facts(site, versions, options.versions, options.host_versions)

    def adjusted(found: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
        for original in found:
            d = _override(original, options.severities, known)
            if _path_ignored(d, site, options.per_path_ignores, known):
                continue
            if site.focus and not (_in_focus(d, site.focus) or d.location.host in site.focus_hosts):
                continue
            yield d

    for rule in rules:
        if rule.needs and not kinds.intersection(rule.needed_kinds()):
            continue
        try:
            ctx = RuleContext(rule, dict(versions), options.versions, options.host_versions, facts)
            found = rule.check(site, ctx)
            kept.extend(adjusted(_unsuppressed(found, by_path, known)))
        except Exception as error:  # a rule's bug must not hide every other finding
            failures.append(RuleFailure(rule.code, f"{type(error).__name__}: {error}"))
    if by_path:
        kept.extend(adjusted(_unused_unsuppressed(by_path, files, rules, known)))
    unique = sorted(kept.diagnostics(), key=lambda d: (*d.sort_key, d.message))
    checked = len(site.focus) if site.focus else sum(1 for _ in site.files())
    return LintResult(unique, rules, failures, checked, facts.built())


class _Capped:
    """The findings kept: each once, at most ``MAX_FINDINGS_PER_FILE`` of one rule in one file
    (in the order the rule yields them), and a count of the rest."""

    def __init__(self) -> None:
        self.kept: dict[Diagnostic, None] = {}
        self.count: dict[tuple[str, str | None, str], int] = {}
        self.first_hidden: dict[tuple[str, str | None, str], Diagnostic] = {}

    def extend(self, found: Iterable[Diagnostic]) -> None:
        for d in found:
            if d in self.kept:
                continue
            key = (d.location.path, d.location.host, d.code)
            count = self.count[key] = self.count.get(key, 0) + 1
            if count <= MAX_FINDINGS_PER_FILE:
                self.kept[d] = None
            elif count == MAX_FINDINGS_PER_FILE + 1:
                self.first_hidden[key] = d

    def diagnostics(self) -> list[Diagnostic]:
        """What was kept, and for each rule and file over the cap one finding that says how
        many more there are (where the first of them is, with its rule's code and severity)."""
        out = list(self.kept)
        for key, first in self.first_hidden.items():
            more = self.count[key] - MAX_FINDINGS_PER_FILE
            message = f"{more} more {first.code} findings in this file not shown"
            location = attrs.evolve(first.location, message=None)
            out.append(
                attrs.evolve(first, message=message, location=location, related=(), fix=None)
            )
        return out


def _override(
    d: Diagnostic, severities: Mapping[str, Severity], registry: Mapping[str, Named]
) -> Diagnostic:
    rule = registry.get(d.code)
    if rule is None or not severities:
        return d
    best = max(severities, key=lambda s: matches(s, rule))
    if not matches(best, rule):
        return d
    return attrs.evolve(d, severity=severities[best])


def _path_ignored(
    d: Diagnostic, site: Site, ignores: Mapping[str, tuple[str, ...]], registry: Mapping[str, Named]
) -> bool:
    rule = registry.get(d.code)
    if not ignores or rule is None:
        return False
    path = posixpath.normpath(d.location.path)
    file = site.file_at(path)
    names = [path] + ([file.rel] if file is not None else [])
    for pattern, selectors in ignores.items():
        if any(fnmatch.fnmatchcase(n, pattern) for n in names) and _best(selectors, rule):
            return True
    return False


def _in_focus(d: Diagnostic, focus: frozenset[str]) -> bool:
    places = (d.location, *d.related)
    return any(posixpath.normpath(p.path) in focus for p in places)


def _suppression_index(
    site: Site,
) -> tuple[dict[str, list[Suppression]], dict[str, SiteFile]]:
    """The suppression comments of each file (by its normalized path), and those files."""
    by_path: dict[str, list[Suppression]] = {}
    files: dict[str, SiteFile] = {}
    for file in site.files():
        directives = suppressions(file)
        if directives:
            key = posixpath.normpath(file.path)
            by_path[key] = directives
            files[key] = file
    return by_path, files


def _unsuppressed(
    found: Iterable[Diagnostic],
    by_path: dict[str, list[Suppression]],
    registry: Mapping[str, Named],
) -> Iterator[Diagnostic]:
    if not by_path:
        yield from found
        return
    for d in found:
        directives = by_path.get(posixpath.normpath(d.location.path), [])
        if not _suppressed(d, directives, registry):
            yield d


def _unused_unsuppressed(
    by_path: dict[str, list[Suppression]],
    files: dict[str, SiteFile],
    rules: list[Rule],
    registry: Mapping[str, Named],
) -> Iterator[Diagnostic]:
    """SYN006 for the suppressions that silenced nothing, unless another one silences it."""
    for d in _unused(by_path, files, rules, registry):
        if not _suppressed(d, by_path.get(d.location.path, []), registry, mark=False):
            yield d


def _suppressed(
    d: Diagnostic, directives: list[Suppression], registry: Mapping[str, Named], mark: bool = True
) -> bool:
    rule = registry.get(d.code)
    hit = False
    for directive in directives:
        if not directive.covers(d.location.line):
            continue
        for selector in directive.selectors:
            if selector == d.code or (rule is not None and matches(selector, rule)):
                if mark:
                    directive.used.add(selector)
                hit = True
    return hit


def _unused(
    by_path: dict[str, list[Suppression]],
    files: dict[str, SiteFile],
    rules: list[Rule],
    registry: Mapping[str, Named],
) -> list[Diagnostic]:
    """SYN006 for selectors that silenced nothing (only where the rules they name ran)."""
    syn006 = next((r for r in rules if r.code == UNUSED_SUPPRESSION), None)
    if syn006 is None:
        return []
    ran = {r.code for r in rules}
    ctx = RuleContext(syn006)
    out = []
    for path, directives in by_path.items():
        host = files[path].host.name
        for directive in directives:
            for selector in directive.selectors:
                if selector in directive.used:
                    continue
                named = [r for r in registry.values() if matches(selector, r)]
                if not named:
                    why = f"'{selector}' names no xsanlint rule"
                elif not any(r.code in ran for r in named):
                    continue  # not checked in this run: cannot tell whether it is needed
                else:
                    why = f"nothing to suppress for {selector}"
                where = Location(
                    files[path].path,
                    directive.line,
                    directive.column,
                    directive.line,
                    directive.end_column,
                    host,
                )
                out.append(ctx.diagnostic(f"unused suppression: {why}; remove it", where))
    return out
