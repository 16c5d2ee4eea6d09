"""Rules: a code, a name, a default severity, a scope, the kinds of file it needs, the fixes its
findings may carry, the facts it uses, and a check.

A check is a pure function of the :class:`~xsanconf.lint.site.Site` that yields diagnostics.
It reads facts from the site's documents and indexes and stays silent when the site lacks the
facts it needs (the engine does not even call it when none of its ``needs`` kinds is present).

    @rule("DRBD001", "dual-primary-not-allowed", Severity.ERROR, scope="host", needs=("drbd",),
          fix="unsafe")
    def dual_primary_not_allowed(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        ...
        yield ctx.diagnostic("message", location)

A rule that reads a fact of the whole site (the DRBD index, the storage stack: see
:mod:`xsanconf.facts.registry`) declares it, ``uses=(STACK,)``, and asks its context for it,
``ctx.fact(STACK)``: the engine builds each fact once per run, only for rules that use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity

if TYPE_CHECKING:
    from xsanconf.facts.registry import Fact, Facts
    from xsanconf.lint.facts.versions import HostVersions
    from xsanconf.lint.site import Host, Site

__all__ = [
    "FIX_AVAILABILITY",
    "REGISTRY",
    "FixAvailability",
    "Rule",
    "RuleContext",
    "Scope",
    "TARGETS",
    "rule",
]

Scope = Literal["file", "host", "site"]
# In ``needs``: every kind the format registry flags as an iSCSI target (ietd, and LIO, tgt,
# SCST as their codecs register), so that a target rule runs on a site of any of them.
TARGETS = "@targets"
# Which fixes a rule's findings may carry, declared on the rule (shown by `xsanlint rules`):
# none; only safe ones (same meaning, new spelling: --fix applies them); only unsafe ones (they
# change behaviour: --unsafe-fixes); or either, depending on the finding.  A finding of a rule
# with a fix may still carry none where no edit can be derived.
FixAvailability = Literal["none", "safe", "unsafe", "safe-or-unsafe"]
FIX_AVAILABILITY: tuple[FixAvailability, ...] = ("none", "safe", "unsafe", "safe-or-unsafe")

T = TypeVar("T")


@attrs.frozen(repr=False)  # never printed: attrs would compile a __repr__ on every run
class RuleContext:
    """What a check gets besides the site: its own metadata and the targeted versions."""

    rule: Rule
    versions: dict[str, str] = attrs.field(factory=dict)
    # what the user set (``versions`` adds the defaults): site-wide, and per host name
    targets: Mapping[str, str] = attrs.field(factory=dict)
    host_targets: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    # the run's facts (the engine gives every rule of a run the same one)
    facts: Facts | None = None

    def fact(self, fact: Fact[T]) -> T:
        """A fact the rule declares in ``uses``, built on first use in this run."""
        from xsanconf.facts.registry import UndeclaredFactError

        if fact not in self.rule.uses:
            raise UndeclaredFactError(
                f"rule {self.rule.code} asks for the {fact.name} fact without declaring it "
                "(add it to uses=... in its @rule)"
            )
        if self.facts is None:
            raise UndeclaredFactError(f"rule {self.rule.code} runs without the run's facts")
        return self.facts.get(fact)

    def host_versions(self, host: Host) -> HostVersions:
        """The versions ``host`` runs, from the settings and the host's own evidence."""
        from xsanconf.lint.facts.versions import host_versions

        return host_versions(host, self.targets, self.host_targets.get(host.name))

    def diagnostic(
        self,
        message: str,
        location: Location,
        related: Iterable[Location] = (),
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            code=self.rule.code,
            name=self.rule.name,
            severity=severity or self.rule.severity,
            message=message,
            location=location,
            related=tuple(related),
            fix=fix,
        )


Check = Callable[["Site", RuleContext], Iterator[Diagnostic]]


@attrs.frozen
class Rule:
    code: str
    name: str
    severity: Severity
    scope: Scope
    needs: tuple[str, ...]
    check: Check
    summary: str = ""
    fix: FixAvailability = "none"
    uses: tuple[Fact[Any], ...] = ()  # the facts of the site it reads (``ctx.fact``)
    # who provides the rule: xsanconf, or the plugin that registered it (entry point or file)
    origin: str = "xsanconf"

    def needed_kinds(self) -> tuple[str, ...]:
        """The kinds of file the rule needs, :data:`TARGETS` read from the format registry."""
        return needed_kinds(self.needs)

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")

    def allows(self, fix: Fix) -> bool:
        """Whether ``fix`` is of a kind this rule declares."""
        if self.fix == "safe-or-unsafe":
            return True
        return self.fix == ("safe" if fix.safe else "unsafe")


REGISTRY: dict[str, Rule] = {}


def needed_kinds(needs: tuple[str, ...]) -> tuple[str, ...]:
    """``needs`` with :data:`TARGETS` replaced by the kinds the format registry flags as iSCSI
    targets (read when asked: a target format registered later counts)."""
    if TARGETS not in needs:
        return needs
    from xsanconf.formats import entries

    # the CIB is no target configuration, but Pacemaker's iSCSILogicalUnit creates LUNs from
    # it (the stack fact reads them): a site of Pacemaker-run targets has LUNs to judge
    targets = (*(e.kind for e in entries() if e.targets), "cib")
    return tuple(k for need in needs for k in (targets if need == TARGETS else (need,)))


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    scope: Scope,
    needs: tuple[str, ...] = (),
    fix: FixAvailability = "none",
    uses: tuple[Fact[Any], ...] = (),
) -> Callable[[Check], Check]:
    """Register a check under ``code``; its docstring's first line is the rule's summary.

    ``fix`` declares the fixes its findings may carry; the tests hold every rule to it.
    ``uses`` declares the facts the check asks its context for (``ctx.fact``).
    """

    if fix not in FIX_AVAILABILITY:
        raise ValueError(f"rule {code}: fix={fix!r} is none of {', '.join(FIX_AVAILABILITY)}")

    def register(check: Check) -> Check:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        summary = (check.__doc__ or "").strip().splitlines()[0] if check.__doc__ else ""
        REGISTRY[code] = Rule(code, name, severity, scope, needs, check, summary, fix, uses)
        return check

    return register
