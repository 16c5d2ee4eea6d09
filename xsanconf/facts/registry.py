"""Facts as rules declare and receive them, as insights-core rules receive their combiners.

A :class:`Fact` names something derived from the whole site (the DRBD index, the storage
stack) and how to build it from the run's :class:`Facts`: the site, the targeted versions and
the facts it ``requires``.  A rule declares the facts it reads::

    @rule("IET004", ..., uses=(STACK,))
    def replica_identity_mismatch(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        index = ctx.fact(STACK)

and the engine hands every rule of a run one :class:`Facts`: each fact is built the first
time a rule asks for it -- never when no selected rule does -- after the facts it requires,
and once per run.  Asking for a fact the rule did not declare raises
:class:`UndeclaredFactError` (the engine reports it as the rule's failure), so a rule's
declaration is the truth about what it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from xsanconf.lint.facts.versions import HostVersions
    from xsanconf.lint.site import Host, Site

__all__ = ["Fact", "FactCycleError", "Facts", "UndeclaredFactError"]

T = TypeVar("T")


class UndeclaredFactError(LookupError):
    """A rule asked for a fact it does not declare in ``uses``."""


class FactCycleError(RuntimeError):
    """Facts that require each other: a bug in their declarations."""


class Fact(Generic[T]):
    """A fact of the site: its name, how to build it, and the facts it is built from.

    A plain class (compared by identity): attrs would compile an __init__ at every start."""

    __slots__ = ("build", "name", "requires")

    def __init__(
        self, name: str, build: Callable[[Facts], T], requires: tuple[Fact[Any], ...] = ()
    ) -> None:
        self.name = name
        self.build = build
        self.requires = requires

    def __repr__(self) -> str:
        return f"Fact({self.name!r})"


class Facts:
    """One run's facts of one site at the targeted versions: built on demand, once each."""

    def __init__(
        self,
        site: Site,
        versions: Mapping[str, str] | None = None,
        targets: Mapping[str, str] | None = None,
        host_targets: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.site = site
        # the targeted versions with the defaults (``--target`` and config on top of them),
        # and what the user set: site-wide and per host name
        self.versions: Mapping[str, str] = dict(versions or {})
        self.targets: Mapping[str, str] = dict(targets or {})
        self.host_targets: Mapping[str, Mapping[str, str]] = dict(host_targets or {})
        self._built: dict[Fact[Any], Any] = {}
        self._building: list[Fact[Any]] = []

    def host_versions(self, host: Host) -> HostVersions:
        """The versions ``host`` runs, from the settings and the host's own evidence."""
        from xsanconf.lint.facts.versions import host_versions

        return host_versions(host, self.targets, self.host_targets.get(host.name))

    def get(self, fact: Fact[T]) -> T:
        """``fact``, built now if no one asked for it before (after what it requires)."""
        if fact in self._built:
            value: T = self._built[fact]
            return value
        if fact in self._building:
            chain = " -> ".join(f.name for f in [*self._building, fact])
            raise FactCycleError(f"facts require each other: {chain}")
        self._building.append(fact)
        try:
            for needed in fact.requires:
                self.get(needed)
            value = self._built[fact] = fact.build(self)
        finally:
            self._building.pop()
        return value

    def built(self) -> list[str]:
        """The names of the facts built so far, in the order they were built."""
        return [fact.name for fact in self._built]
