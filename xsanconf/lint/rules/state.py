"""STATE001-STATE005: captured runtime state against the configuration.

The rules read what the hosts' captures show (:mod:`xsanconf.lint.facts.captures`: plain
``captures/*.txt``, a sosreport's outputs, a supportconfig's sections) and compare it with the
site's configuration: DRBD's connection, disk states and roles; the paths of each multipath
map against the heads that export its WWID; the WWID observed for a LUN against the one its
target configuration presents; the sessions of automatic node records.  Each rule stays silent
for a host whose capture is absent: nothing is concluded from what was not captured.  A
capture is a moment: a finding says what the host showed when it was taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.facts.drbd import DRBD
from xsanconf.facts.stack import STACK
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.captures.iscsiadm import NodeRecord, SessionState
    from xsanconf.captures.multipath_ll import MapState
    from xsanconf.facts.drbd import ResourceView
    from xsanconf.facts.stack import DrbdDevice, IetLunExport, StackIndex
    from xsanconf.lint.facts.captures import Capture
    from xsanconf.lint.site import Host, Site

__all__: list[str] = []


# What a host showed of its DRBD resources ----------------------------------------------------


@attrs.frozen
class _Seen:
    """Where a state was read: a capture and a line of it."""

    capture: Capture[object]
    line: int

    def location(self, message: str | None = None) -> Location:
        return self.capture.location(self.line, message)


@attrs.frozen
class _Observed:
    """One resource as a host's capture shows it (``drbdadm status`` or 8.x's /proc/drbd)."""

    name: str
    role: str | None
    at: _Seen
    disks: tuple[tuple[int, str | None, _Seen], ...]  # volume, disk state
    peers: tuple[tuple[str, str, str | None, _Seen], ...]  # peer, connection, role


def _observed(
    host: Host, devices: list[DrbdDevice]
) -> tuple[Capture[object], list[_Observed]] | None:
    """The resources ``host``'s capture shows, and the capture; None without one."""
    from xsanconf.lint.facts.captures import captures

    found = captures(host)
    status = found.drbd_status()
    # a status capture holding only what is no status (an error message of utilities that
    # lack the command, a JSON error) says nothing: /proc/drbd may
    if status is not None and (status.parsed.resources or not status.parsed.unread):
        seen: list[_Observed] = []
        for resource in status.parsed.resources:
            disks = tuple((v.volume, v.disk, _Seen(status, v.line)) for v in resource.volumes)
            peers = tuple(
                (c.peer, c.connection, c.role, _Seen(status, c.line)) for c in resource.connections
            )
            seen.append(
                _Observed(resource.name, resource.role, _Seen(status, resource.line), disks, peers)
            )
        return status, seen
    proc = found.proc_drbd()
    if proc is None or proc.parsed.reduced:
        return None
    by_minor = {d.minor: d for d in devices if d.minor is not None}
    seen = []
    for device in proc.parsed.devices:
        configured = by_minor.get(device.minor)
        if configured is None or not device.configured:
            continue
        at = _Seen(proc, device.line)
        disk = ((configured.volume, device.disk, at),)
        peer = (("the peer", device.connection, device.peer_role, at),)
        seen.append(_Observed(configured.resource, device.role, at, disk, peer))
    return proc, seen


def _views(ctx: RuleContext) -> dict[tuple[Host, str], ResourceView]:
    return {(view.host, view.name): view for view in ctx.fact(DRBD).views}


def _configured(stack: StackIndex, host: Host) -> dict[str, list[DrbdDevice]]:
    """The resources ``host``'s configuration defines for it, with their volumes."""
    found: dict[str, list[DrbdDevice]] = {}
    for device in stack.host(host).drbd_devices:
        found.setdefault(device.resource, []).append(device)
    return found


def _drbd_hosts(
    site: Site, ctx: RuleContext
) -> Iterator[tuple[Host, dict[str, list[DrbdDevice]], Capture[object], list[_Observed]]]:
    """Each host that defines DRBD resources for itself and has their state captured: the
    resources with their volumes, the capture, and what it shows."""
    stack = None
    for host in site.hosts:
        if not host.documents("drbd"):
            continue
        stack = stack or ctx.fact(STACK)
        configured = _configured(stack, host)
        observed = _observed(host, [d for ds in configured.values() for d in ds])
        if observed is not None and configured:
            yield host, configured, *observed


_CONNECTED = frozenset({"Connected"})
# 8.x's /proc/drbd shows resync and verify as connection states; the peers are connected
_CONNECTED_8 = frozenset(
    {"Connected", "SyncSource", "SyncTarget", "VerifyS", "VerifyT", "PausedSyncS", "PausedSyncT"}
    | {"StartingSyncS", "StartingSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID", "Ahead", "Behind"}
)


def _why_unconnected(state: str) -> str:
    if state == "StandAlone":
        return (
            "it does not try to connect (after a split brain, a refused handshake or "
            "'drbdadm disconnect'): resolve the cause, then 'drbdadm connect'"
        )
    if state in ("Connecting", "WFConnection", "Unconnected"):
        return (
            "it waits for the peer: is DRBD up there, and does the address in the "
            "configuration reach it?"
        )
    return "replication is interrupted"


# STATE001 drbd-not-connected ---------------------------------------------------------------------


@rule(
    "STATE001",
    "drbd-not-connected",
    Severity.ERROR,
    scope="host",
    needs=("drbd",),
    uses=(STACK, DRBD),
)
def drbd_not_connected(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A configured DRBD resource is down, not Connected, or its disk is not UpToDate."""
    for host, configured, capture, seen in _drbd_hosts(site, ctx):
        by_name = {o.name: o for o in seen}
        for name, devices in configured.items():
            found = by_name.get(name)
            if found is None:
                yield ctx.diagnostic(
                    f"resource {name} is configured for {host.name}, but the captured state "
                    f"does not show it: it is down (bring it up with 'drbdadm up {name}')",
                    devices[0].location(),
                    [capture.location(None, "the captured state")],
                )
                continue
            yield from _check_resource(ctx, host, found, devices)


def _check_resource(
    ctx: RuleContext, host: Host, found: _Observed, devices: list[DrbdDevice]
) -> Iterator[Diagnostic]:
    related = [devices[0].location("the resource's configuration")]
    for peer, state, _, at in found.peers:
        connected = (
            _CONNECTED_8 if at.capture.rel.endswith(("proc/drbd", "proc-drbd.txt")) else _CONNECTED
        )
        if state not in connected:
            towards = "" if peer == "the peer" else f" towards {peer}"
            yield ctx.diagnostic(
                f"resource {found.name} on {host.name} is {state}{towards}, not Connected: "
                + _why_unconnected(state),
                at.location(),
                related,
            )
    diskless = {d.volume for d in devices if d.disk == "none"}
    for volume, disk, at in found.disks:
        if disk is None or disk == "UpToDate" or (disk == "Diskless" and volume in diskless):
            continue
        yield ctx.diagnostic(
            f"resource {found.name} volume {volume} on {host.name} has its disk {disk}, not "
            f"UpToDate: {_why_disk(disk)}",
            at.location(),
            related,
        )


def _why_disk(disk: str) -> str:
    if disk in ("Inconsistent", "Outdated", "Consistent"):
        return "it holds no current copy of the data until a resync completes"
    if disk in ("Diskless", "Failed", "Detaching"):
        return "the backing disk is detached or failed, so this node serves nothing of its own"
    return "the disk is not usable as it stands"


# STATE002 drbd-role-unexpected ------------------------------------------------------------------


@rule(
    "STATE002",
    "drbd-role-unexpected",
    Severity.WARNING,
    scope="host",
    needs=("drbd",),
    uses=(STACK, DRBD),
)
def drbd_role_unexpected(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The captured roles contradict the configuration (dual-primary asked, one Secondary; two
    Primaries without allow-two-primaries), or the kernel log records a split brain."""
    from xsanconf.facts.drbd import is_dual_primary

    views: dict[tuple[Host, str], ResourceView] | None = None
    for host in site.hosts:
        if host.documents("drbd"):  # a log needs no state capture beside it
            yield from _split_brains(ctx, host, _configured(ctx.fact(STACK), host))
    for host, configured, _, seen in _drbd_hosts(site, ctx):
        views = views if views is not None else _views(ctx)
        for found in seen:
            view = views.get((host, found.name))
            if view is None or found.name not in configured:
                continue
            dual = all(is_dual_primary(net) for net in view.net_scopes())
            both = _asks_both(view)
            primaries = [p for p, state, role, _ in found.peers if role == "Primary"]
            if found.role == "Primary" and primaries and not dual:
                who = ", ".join(primaries)
                yield ctx.diagnostic(
                    f"resource {found.name} is Primary on {host.name} and on {who}, but its "
                    "configuration does not set 'allow-two-primaries': the running module was "
                    "told otherwise, and the next 'drbdadm adjust' or reboot refuses the second "
                    "Primary",
                    found.at.location(),
                    [view.location("the resource's configuration"), *_loaded(host, found.name)],
                )
            elif both is not None and dual:
                secondaries = [host.name] if found.role == "Secondary" else []
                secondaries += [p for p, state, role, _ in found.peers if role == "Secondary"]
                if secondaries:
                    yield ctx.diagnostic(
                        f"resource {found.name} is configured for two primaries "
                        f"('{both}'), but {', '.join(secondaries)} is Secondary: a guest "
                        "started or migrated there cannot open the device",
                        found.at.location(),
                        [view.location("the resource's configuration")],
                    )


def _split_brains(
    ctx: RuleContext, host: Host, configured: dict[str, list[DrbdDevice]]
) -> Iterator[Diagnostic]:
    """The last split brain the captured kernel log recorded for each configured resource."""
    from xsanconf.lint.facts.captures import captures

    log = captures(host).split_brains()
    if log is None:
        return
    by_minor: dict[int | None, str] = {
        d.minor: name for name, ds in configured.items() for d in ds if d.minor is not None
    }
    last = {}
    for record in log.parsed:
        name = record.resource if record.resource in configured else by_minor.get(record.minor)
        if name is not None:
            last[name] = record
    for name, record in last.items():
        yield ctx.diagnostic(
            f"the kernel log of {host.name} records a split brain of resource {name}: both "
            "nodes were Primary while disconnected and their data diverged; one node's changes "
            "must be discarded ('drbdadm connect --discard-my-data' there) before the pair "
            "replicates again",
            log.location(record.line),
            [configured[name][0].location("the resource's configuration")],
        )


def _loaded(host: Host, resource: str) -> list[Location]:
    """Where the captured ``drbdsetup show`` (what the module holds) allows two primaries."""
    from xsanconf.lint.facts.captures import captures

    show = captures(host).drbdsetup_show()
    loaded = show.parsed.resource(resource) if show is not None else None
    allow = loaded.option("allow-two-primaries") if loaded is not None else None
    if show is None or allow is None or allow.value not in ("yes", ""):
        return []
    return [show.location(allow.line, "what the running module holds (drbdsetup show)")]


def _asks_both(view: ResourceView) -> str | None:
    """The ``become-primary-on`` that asks for two primaries, as written; None otherwise."""
    setting = view.option("startup", "become-primary-on")
    if setting is None:
        return None
    words = setting.statement.args
    if words == ["both"] or len(words) >= 2:
        return " ".join([setting.statement.keyword, *words])
    return None


# STATE003 paths-missing ------------------------------------------------------------------------


def _maps(site: Site) -> Iterator[tuple[Host, Capture[object], MapState]]:
    from xsanconf.lint.facts.captures import captures

    for host in site.hosts:
        found = captures(host).multipath()
        if found is None:
            continue
        for state in found.parsed.maps:
            yield host, found, state


@rule("STATE003", "paths-missing", Severity.ERROR, scope="host", uses=(STACK, DRBD))
def paths_missing(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A captured multipath map has fewer usable paths than heads export its WWID, or all of
    them through one portal."""
    stack = None
    for host, capture, state in _maps(site):
        stack = stack or ctx.fact(STACK)
        exports = stack.by_wwid.get(state.wwid, [])
        heads = list(dict.fromkeys(lun.host.name for lun in exports))
        if not heads:
            continue
        usable = [p for p in state.paths if p.usable]
        if len(usable) >= len(heads):
            yield from _one_portal(ctx, host, capture, state, exports)
            continue
        broken = [
            f"{p.dev} ({' '.join(filter(None, (p.dm_state, p.checker, p.online)))})"
            for p in state.paths
            if not p.usable
        ]
        shown = f"; not usable: {', '.join(broken)}" if broken else ""
        name = state.name if state.name == state.wwid else f"{state.name} ({state.wwid})"
        yield ctx.diagnostic(
            f"multipath map {name} on {host.name} has {len(usable)} usable "
            f"path{'s' if len(usable) != 1 else ''}, but {len(heads)} heads export its WWID "
            f"({', '.join(heads)}){shown}: losing one more head or link stops its I/O",
            capture.location(state.line),
            [lun.location(f"exported by {lun.host.name}") for lun in exports[:5]],
        )


def _one_portal(
    ctx: RuleContext,
    host: Host,
    capture: Capture[object],
    state: MapState,
    exports: list[IetLunExport],
) -> Iterator[Diagnostic]:
    """A map with paths enough that all lead through one portal: one head serves them all."""
    heads = list(dict.fromkeys(lun.host.name for lun in exports))
    sessions = _sessions(host)
    if sessions is None or len(heads) < 2:
        return
    portal_of = {d.dev: s.portal for s in sessions[1] for d in s.disks}
    portals = {portal_of.get(p.dev) for p in state.paths if p.usable}
    if len(portals) != 1 or None in portals:
        return
    (portal,) = portals
    yield ctx.diagnostic(
        f"multipath map {state.name} on {host.name} has all its usable paths through one "
        f"portal, {portal}, but {len(heads)} heads export its WWID ({', '.join(heads)}): "
        "one head serves them all, and losing it stops the map's I/O",
        capture.location(state.line),
        [lun.location(f"exported by {lun.host.name}") for lun in exports[:5]],
    )


# STATE004 identity-observed-differs --------------------------------------------------------------


def _sessions(host: Host) -> tuple[Capture[object], list[SessionState]] | None:
    from xsanconf.lint.facts.captures import captures

    found = captures(host).iscsi_sessions()
    return (found, list(found.parsed.sessions)) if found is not None else None


@rule("STATE004", "identity-observed-differs", Severity.ERROR, scope="host", uses=(STACK, DRBD))
def identity_observed_differs(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The WWID an initiator observed for a LUN differs from the one its target configuration
    presents, or one map holds LUNs of different backing devices."""
    stack = None
    for host, capture, state in _maps(site):
        sessions = _sessions(host)
        if sessions is None:
            continue
        stack = stack or ctx.fact(STACK)
        luns = _luns_of(stack, sessions[1], state)
        exports = list(dict.fromkeys(lun for lun, _ in luns))
        predicted = {str(lun.wwid) for lun, _ in luns if lun.wwid is not None}
        if predicted and state.wwid not in predicted:
            lun, disk = luns[0]
            yield ctx.diagnostic(
                f"multipath map {state.name} on {host.name} has WWID {state.wwid}, but its path "
                f"{disk} is {lun.name}, which presents {sorted(predicted)[0]} "
                f"({_identity_source(lun)}): the target runs another identity than its "
                "configuration says "
                f"({_STALE.get(lun.implementation, 'the configuration not applied')}, or another "
                "head answered), and maps keyed by the configured WWID find nothing",
                capture.location(state.line),
                [lun.location(f"{lun.name} on {lun.host.name}") for lun in exports[:5]],
            )
        replicas = {lun.replica or (lun.path or "?", -1) for lun, _ in luns}
        if len(replicas) > 1:
            names = sorted(f"{r[0]}" if r[1] >= 0 else r[0] for r in replicas)
            yield ctx.diagnostic(
                f"multipath map {state.name} on {host.name} bundles paths to LUNs of different "
                f"backing devices ({', '.join(names)}): writes through one path are not seen "
                f"through another; give each LUN its own {_identity_settings(exports)}",
                capture.location(state.line),
                [lun.location(f"{lun.name} on {lun.host.name}") for lun in exports[:5]],
            )


# How each implementation's name reads in a message, and how a running target comes to present
# another identity than its configuration: the configuration changed and was not applied.
_IMPLEMENTATION_NAMES = {
    "iet": "IET",
    "lio": "LIO",
    "tgt": "tgt",
    "scst": "SCST",
    "pacemaker": "the cluster's iSCSILogicalUnit",
}
_STALE = {
    "iet": "ietd not restarted since ScsiId changed",
    "lio": "saveconfig.json changed but not restored with 'targetctl restore'",
    "tgt": "targets.conf changed but not applied with 'tgt-admin --update', which leaves a "
    "LUN in use alone",
    "scst": "scst.conf changed but not applied with 'scstadmin -config', or setup_id changed "
    "after the devices were opened",
    "pacemaker": "the resource's scsi_id or scsi_sn changed but the LU was not restarted",
}


def _identity_source(lun: IetLunExport) -> str:
    """Where ``lun``'s predicted identity comes from, for a message: ``LIO wwn 6e2c...``."""
    name = _IMPLEMENTATION_NAMES.get(lun.implementation, lun.implementation)
    identity = lun.lun.identity
    if identity.source != "explicit":
        return f"{name}'s default identity"
    # the setting's text where the format keeps it (IET's ScsiId), else its name alone
    written = f" {identity.written}" if identity.written is not None else ""
    return f"{name}'s {lun.setting('identity')}{written}"


def _identity_settings(luns: list[IetLunExport]) -> str:
    """The identity settings of ``luns``' implementations, as they name them."""
    names = dict.fromkeys(lun.setting("identity") for lun in luns)
    return " / ".join(names) or "identity"


def _luns_of(
    stack: StackIndex, sessions: list[SessionState], state: MapState
) -> list[tuple[IetLunExport, str]]:
    """The configured LUNs behind the paths of a map: each path's disk, through the session
    that attached it (target and LUN number), to the LUN of that number of that target."""
    by_disk = {
        disk.dev: (session.target, disk.lun) for session in sessions for disk in session.disks
    }
    found: list[tuple[IetLunExport, str]] = []
    for path in state.paths:
        attached = by_disk.get(path.dev)
        if attached is None:
            continue
        target, number = attached
        for lun in stack.luns:
            if lun.target == target and lun.number == number:
                found.append((lun, path.dev))
    return found


# STATE005 session-missing ---------------------------------------------------------------------


@rule("STATE005", "session-missing", Severity.WARNING, scope="host")
def session_missing(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A node record with ``node.startup = automatic`` has no session in the captured
    ``iscsiadm -m session``."""
    from xsanconf.lint.facts.captures import captures

    for host in site.hosts:
        found = captures(host)
        sessions = found.iscsi_sessions()
        if sessions is None or (not sessions.parsed.sessions and sessions.parsed.unread):
            continue  # no capture, or one of an error ("can not connect to iSCSI daemon")
        records = _automatic_records(host)
        if not records:
            continue
        logged_in = set()
        for session in sessions.parsed.sessions:
            for portal in (session.portal, session.persistent_portal):
                if portal is not None:
                    logged_in.add((session.target, portal))
        for capture, record in records:
            if (record.target, record.portal) in logged_in:
                continue
            yield ctx.diagnostic(
                f"node record {record.target} at {record.portal} logs in automatically "
                f"(node.startup = automatic), but {host.name} had no session to it: the login "
                "failed (portal unreachable, CHAP refused, target gone) or was undone, and the "
                "disks it brings are missing",
                capture.location(record.line_of("node.startup")),
                [sessions.location(None, "the captured sessions")],
            )


def _automatic_records(host: Host) -> list[tuple[Capture[object], NodeRecord]]:
    """The automatic records of the captured ``iscsiadm -m node -o show``, else of the node
    database's files in the host root."""
    from xsanconf.lint.facts.captures import captures, node_records

    nodes = captures(host).iscsi_nodes()
    if nodes is not None:
        return [(nodes, r) for r in nodes.parsed.records if r.startup == "automatic"]
    return [(c, c.parsed) for c in node_records(host) if c.parsed.startup == "automatic"]
