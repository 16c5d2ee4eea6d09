"""DRBD012: a replica that targets on several heads export, replicated asynchronously.

A query over the stack index (:mod:`xsanconf.facts.stack`): the replicated devices that LUNs on
two or more hosts export, and the effective net options of the DRBD resource on those hosts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.facts.drbd import DRBD
from xsanconf.facts.stack import STACK
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.rule import TARGETS, RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.lint.site import Site

__all__: list[str] = []

_RELATED_MAX = 5


@rule(
    "DRBD012",
    "async-exported-replica",
    Severity.WARNING,
    scope="site",
    needs=(TARGETS,),
    uses=(STACK, DRBD),
)
def async_exported_replica(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A resource exported by targets on several heads replicates with protocol A or B."""
    index = ctx.fact(STACK)
    drbd = ctx.fact(DRBD)
    reported: set[int] = set()
    for (resource, _), luns in index.by_replica.items():
        heads = list(dict.fromkeys(lun.host for lun in luns))
        if len(heads) < 2:
            continue
        exports = [lun.location(f"{lun.name} on {lun.host.name} exports it") for lun in luns]
        names = ", ".join(h.name for h in heads)
        for view in drbd.by_name.get(resource, []):
            if view.host not in heads:
                continue
            for net in view.net_scopes():
                protocol = net.get("protocol")
                # C is the default from 8.4 on (8.3 requires a protocol: DRBD010)
                if protocol is None or protocol.value not in ("A", "B"):
                    continue
                if id(protocol.statement.token) in reported:
                    continue
                reported.add(id(protocol.statement.token))
                yield ctx.diagnostic(
                    f"resource {resource} is exported by the targets of {names} but replicates "
                    f"with protocol {protocol.value} ({view.owner(protocol)}): a write the "
                    "initiator saw acknowledged may not have reached the peer, and is lost when "
                    "the target moves there; use protocol C",
                    protocol.location(),
                    related=exports[:_RELATED_MAX],
                )
