"""CLU001-CLU004: DRBD and iSCSI targets under Pacemaker, read from the host's CIB.

Each host's own CIB is judged (every node of a cluster holds a copy); a host without a CIB, or
whose CIB does not parse, is skipped.  Settings a ``<rule>`` makes conditional are unknown, and
the rules stay silent on them (:mod:`xsanconf.formats.cib.model`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.facts.drbd import DRBD, is_dual_primary
from xsanconf.lint.boot_order import DRBD_SERVICES
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.rules._cluster import (
    DRBD_DEVICE,
    colocated_promoted,
    drbd_primitives,
    enabled_links,
    host_cib,
    iscsi_primitives,
    ordered_after_promotion,
)

if TYPE_CHECKING:
    from xsanconf.facts.drbd import DrbdIndex, ResourceView
    from xsanconf.formats.cib.model import Cib, Primitive
    from xsanconf.formats.ietd.model import IetConfig
    from xsanconf.formats.scst.model import ScstConfig
    from xsanconf.formats.tgt.model import TgtConfig
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []


def _cibs(site: Site) -> Iterator[tuple[Host, SiteFile, Cib]]:
    for host in site.hosts:
        found = host_cib(host)
        if found is not None:
            yield host, found[0], found[1]


def _drbd(site: Site, ctx: RuleContext) -> DrbdIndex:
    return ctx.fact(DRBD)


def _at(file: SiteFile, primitive: Primitive, param: str | None = None) -> Location:
    """The nvpair that sets ``param``, else the primitive's tag."""
    pair = primitive.params.nvpair(param) if param is not None else None
    return file.location(pair.element.start if pair is not None else primitive.element.start)


def _managed_views(
    site: Site, ctx: RuleContext, host: Host, cib: Cib
) -> Iterator[tuple[Primitive, ResourceView]]:
    """Each ``ocf:linbit:drbd`` primitive with the host's definition of the resource it runs."""
    views = {v.name: v for v in _drbd(site, ctx).of_host(host)}
    for primitive in drbd_primitives(cib):
        view = views.get(primitive.params.get("drbd_resource") or "")
        if view is not None:
            yield primitive, view


def _dual_primary(view: ResourceView) -> bool:
    return any(is_dual_primary(net) for net in view.net_scopes())


# CLU001 ----------------------------------------------------------------------------------------


@rule(
    "CLU001", "drbd-clone-misconfigured", Severity.ERROR, scope="host", needs=("cib",), uses=(DRBD,)
)
def drbd_clone_misconfigured(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A DRBD clone without promotion or notify, or for a resource DRBD lacks or cannot run.

    ``ocf:linbit:drbd`` must be a promotable clone with ``notify=true``, name a resource the
    host's DRBD configuration defines, and promote two instances only where DRBD allows two
    primaries."""
    for host, file, cib in _cibs(site):
        views = {v.name: v for v in _drbd(site, ctx).of_host(host)}
        for primitive in drbd_primitives(cib):
            yield from _clone_problems(ctx, file, cib, primitive)
            name = primitive.params.get("drbd_resource")
            if name is None:
                if not primitive.params.is_conditional("drbd_resource"):
                    yield ctx.diagnostic(
                        f"{primitive.id} sets no drbd_resource: the drbd agent does not know "
                        "which DRBD resource to run and fails to start",
                        _at(file, primitive),
                    )
                continue
            view = views.get(name)
            if view is None:
                if host.known("drbd") and host.drbd_files():
                    yield ctx.diagnostic(
                        f"{primitive.id} runs DRBD resource {name}, which {host.name}'s DRBD "
                        "configuration does not define: drbdadm refuses it and the resource "
                        "never starts there",
                        _at(file, primitive, "drbd_resource"),
                    )
                continue
            clone = cib.clone_of(primitive.id)
            if clone is None or not clone.promotable:
                continue
            most = clone.promoted_max
            if most is not None and most >= 2 and not _dual_primary(view):
                meta = clone.meta.nvpair("promoted-max") or clone.meta.nvpair("master-max")
                at = (
                    file.location(meta.element.start)
                    if meta
                    else file.location(clone.element.start)
                )
                yield ctx.diagnostic(
                    f"{clone.id} promotes {most} instances of DRBD resource {name}, but its "
                    "net options do not allow two primaries: the second promotion fails; set "
                    "allow-two-primaries yes (with fencing) or promoted-max 1",
                    at,
                    [view.location(f"resource {name} on {host.name}")],
                )


def _clone_problems(
    ctx: RuleContext, file: SiteFile, cib: Cib, primitive: Primitive
) -> Iterator[Diagnostic]:
    clone = cib.clone_of(primitive.id)
    if clone is None or not clone.promotable:
        what = (
            f"is in clone {clone.id}, which is not promotable"
            if clone is not None
            else "is not in a clone"
        )
        yield ctx.diagnostic(
            f"{primitive.id} (ocf:linbit:drbd) {what}: DRBD runs on both nodes and one is "
            "promoted, so it must be a promotable clone (<clone> with promotable=true, "
            "Pacemaker 1.x <master>)",
            file.location((clone.element if clone is not None else primitive.element).start),
        )
        return
    if clone.meta.is_conditional("notify"):
        return
    from xsanconf.formats.cib.model import is_true

    # a clone option: Pacemaker reads it from the clone (or the defaults), not the primitive
    notify = cib.meta(clone.id, "notify")
    if not is_true(notify):
        shown = "is not set" if notify is None else f"is {notify}"
        yield ctx.diagnostic(
            f"{clone.id} runs DRBD without notifications (notify {shown}): the drbd agent "
            "needs them to follow its peer's promotions and demotions; set notify=true",
            file.location(clone.element.start),
        )


# CLU002 ----------------------------------------------------------------------------------------


@rule("CLU002", "target-not-ordered", Severity.ERROR, scope="host", needs=("cib",), uses=(DRBD,))
def target_not_ordered(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An iSCSI target or LU that can start before DRBD is promoted where it runs."""
    for _host, file, cib in _cibs(site):
        for primitive in iscsi_primitives(cib):
            together = colocated_promoted(cib, primitive.id)
            for clone, colocation in together:
                if ordered_after_promotion(cib, clone, primitive.id):
                    continue
                yield ctx.diagnostic(
                    f"{primitive.id} ({primitive.type}) is colocated with the promoted "
                    f"{clone.id} but no order starts it after {clone.id} is promoted: the "
                    "target can open the DRBD device while it is still Secondary; add an "
                    f"order: promote {clone.id} then start "
                    f"{cib.ancestors(primitive.id)[-1]}",
                    _at(file, primitive),
                    [file.location(colocation.element.start, "the colocation")],
                )
            path = primitive.params.get("path") or ""
            if not together and DRBD_DEVICE.match(path) and not cib.constrained(primitive.id):
                yield ctx.diagnostic(
                    f"{primitive.id} exports DRBD device {path} but no constraint ties it to "
                    "DRBD: Pacemaker may start it on the Secondary node or before the "
                    "promotion; colocate it with the promoted DRBD clone and order it after "
                    "the promotion",
                    _at(file, primitive, "path"),
                )


# CLU003 ----------------------------------------------------------------------------------------


@rule(
    "CLU003", "fencing-without-stonith", Severity.ERROR, scope="host", needs=("cib",), uses=(DRBD,)
)
def fencing_without_stonith(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """DRBD relies on cluster fencing (resource-and-stonith, dual-primary) that is off."""
    for host, file, cib in _cibs(site):
        enabled = cib.stonith_enabled
        devices = cib.stonith_devices()
        if enabled is None or (enabled and devices):
            continue
        for primitive, view in _managed_views(site, ctx, host, cib):
            reasons = _needs_fencing(cib, primitive, view)
            if not reasons:
                continue
            if not enabled:
                pair = cib.properties.nvpair("stonith-enabled")
                where = file.location(pair.element.start if pair else None)
                what = f"stonith-enabled={pair.value if pair else 'false'}"
            else:
                where = _at(file, primitive)
                what = "no fence device (stonith primitive) is configured"
            yield ctx.diagnostic(
                f"DRBD resource {view.name} {' and '.join(reasons)}, but {what}: nobody fences "
                "the peer, so a split brain is not prevented",
                where,
                [view.location(f"resource {view.name} on {host.name}")],
            )
            break


def _needs_fencing(cib: Cib, primitive: Primitive, view: ResourceView) -> list[str]:
    reasons = []
    if any(
        (f := net.get("fencing")) is not None and f.value == ("resource-and-stonith",)
        for net in view.net_scopes()
    ):
        reasons.append("uses fencing resource-and-stonith")
    clone = cib.clone_of(primitive.id)
    most = clone.promoted_max if clone is not None and clone.promotable else None
    if _dual_primary(view) or (most is not None and most >= 2):
        reasons.append("runs dual-primary")
    return reasons


# CLU004 ----------------------------------------------------------------------------------------

# The services that would also start what the agents manage: LIO's restore services replay
# saveconfig.json (which targetcli also saves the agents' LUs to); IET, tgt and SCST daemons
# must run for their agents, so they count only when their own configuration (the kind's
# files as the daemon reads them: tgt's conf.d includes too) defines a target the CIB manages.
_LIO_SERVICES = ("target", "rtslib-fb-targetctl")
_DAEMON_KINDS = {
    "iscsitarget": "ietd",
    "tgt": "tgt",
    "tgtd": "tgt",
    "scst": "scst",
    "iscsi-scst": "scst",
}


@rule(
    "CLU004", "service-also-enabled", Severity.WARNING, scope="host", needs=("cib",), uses=(DRBD,)
)
def service_also_enabled(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A DRBD or target service enabled at boot for what Pacemaker already manages."""
    for host, file, cib in _cibs(site):
        drbd = drbd_primitives(cib)
        if drbd:
            for rel in enabled_links(host, DRBD_SERVICES):
                yield _both_start(ctx, host, file, rel, "drbd", drbd[0])
        iscsi = iscsi_primitives(cib)
        if not iscsi:
            continue
        for rel in enabled_links(host, _LIO_SERVICES):
            yield _both_start(ctx, host, file, rel, "the saved LIO configuration", iscsi[0])
        iqns = {p.params.get("iqn") or p.params.get("target_iqn") for p in iscsi} - {None, ""}
        for service, kind in _DAEMON_KINDS.items():
            exported = _defining(host, kind, iqns)
            if exported is None:
                continue
            for rel in enabled_links(host, (service,)):
                yield _both_start(ctx, host, file, rel, f"the targets of /{exported}", iscsi[0])


def _defining(host: Host, kind: str, iqns: set[str | None]) -> str | None:
    """The first of ``host``'s files of ``kind`` (parsed) whose model defines one of ``iqns``
    as a target: a name in a comment, or one that merely starts like it, is no target."""
    for found in host.documents(kind):
        if not found.doc.parsed:
            continue
        model: IetConfig | TgtConfig | ScstConfig = found.doc.model
        if any(target.name in iqns for target in model.targets):
            return found.rel
    return None


def _both_start(  # noqa: PLR0917 - one call per enabled link, each argument a distinct fact
    ctx: RuleContext, host: Host, file: SiteFile, rel: str, what: str, primitive: Primitive
) -> Diagnostic:
    root = str(host.root)
    shown = rel if root in ("", ".") else f"{root.rstrip('/')}/{rel}"
    return ctx.diagnostic(
        f"{rel.rsplit('/', 1)[-1]} is enabled at boot and starts {what}, which Pacemaker "
        f"also manages ({primitive.id}, {primitive.agent}): both start it, outside the "
        "cluster's order and on the node that should stay passive; disable the service "
        "(systemctl disable, update-rc.d NAME disable)",
        Location(shown, host=host.name),
        [file.location(primitive.element.start, "managed by Pacemaker here")],
    )
