"""Questions over the site model, answered as tables (``xsanlint query NAME SITE``).

Each query reads the same facts the cross-host rules read (the stack index, each host's
versions, its boot order) and returns a :class:`Table`: named columns, one row per thing.
Cells are strings, numbers, ``None`` (unknown or not applicable) or lists of strings.  The
tables are views, never judgements: a row says what the configuration says, and the rules say
what is wrong with it.

``export`` gathers every table and each host's files into one document with a versioned schema
(``SCHEMA``, described by ``xsanconf/schemas/site-export.schema.json``), for policy engines such
as conftest/OPA that read JSON.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from xsanconf.domain.target import identity_setting

if TYPE_CHECKING:
    from xsanconf.domain.target import ChapAccount, TargetAccess
    from xsanconf.facts.stack import DrbdDevice, HostStack, StackIndex
    from xsanconf.lint.facts.versions import HostVersions
    from xsanconf.lint.site import Host, Site

__all__ = [
    "QUERIES",
    "SCHEMA",
    "Query",
    "QueryContext",
    "Table",
    "export",
    "filter_rows",
    "render_table",
    "run_query",
]

SCHEMA = "xsanconf-site-export/1"

Cell = str | int | None | list[str]
Row = dict[str, Cell]


@attrs.frozen
class Table:
    """A query's answer: ``columns`` in display order, and ``rows`` keyed by column."""

    name: str
    columns: tuple[str, ...]
    rows: list[Row]


@attrs.frozen
class QueryContext:
    """What a query reads: the site and the versions the user set (as for linting)."""

    site: Site
    targets: Mapping[str, str] = attrs.field(factory=dict)
    host_targets: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)

    def versions(self, host: Host) -> HostVersions:
        from xsanconf.lint.facts.versions import host_versions

        return host_versions(host, self.targets, self.host_targets.get(host.name))

    def stack(self) -> StackIndex:
        from xsanconf.facts.stack import stack_index_for

        return stack_index_for(self.site, self.targets, self.versions)


@attrs.frozen
class Query:
    name: str
    summary: str
    columns: tuple[str, ...]
    rows: Callable[[QueryContext], Iterable[Row]]


def _roles(stack: HostStack, host: Host) -> list[str]:
    roles = []
    if stack.drbd_devices:
        roles.append("drbd")
    if stack.luns:
        roles.append("target")
    if host.documents("iscsid") or host.documents("initiatorname"):
        roles.append("initiator")
    if stack.maps or host.documents("multipath"):
        roles.append("multipath")
    if host.documents("xen-domain") or host.documents("xend-config") or host.documents("xl-conf"):
        roles.append("xen")
    return roles


def _hosts(ctx: QueryContext) -> Iterable[Row]:
    index = ctx.stack()
    for host in ctx.site.hosts:
        versions = ctx.versions(host)
        shown = {
            name: assumed.shown()
            for name, assumed in versions.components.items()
            if assumed.known or assumed.evidence
        }
        evidence = [
            f"{name}: {e.where}: {e.says}" if e.where else f"{name}: {e.says}"
            for name, assumed in versions.components.items()
            for e in assumed.evidence
        ]
        stack = index.host(host)
        yield {
            "host": host.name,
            "roles": _roles(stack, host),
            # the target software the host's configuration runs (a LUN of each, or a file
            # of its kind the daemon reads)
            "targets": _target_software(stack),
            "drbd": shown.get("drbd"),
            "multipath": shown.get("multipath"),
            "iet": shown.get("iet"),
            "lio": shown.get("lio"),
            "tgt": shown.get("tgt"),
            "scst": shown.get("scst"),
            "open-iscsi": shown.get("open-iscsi"),
            "evidence": evidence,
        }


# A target file's kind, as the LUN records name its implementation.
_KIND_IMPLEMENTATION = {"ietd": "iet", "cib": "pacemaker"}


def _target_software(stack: HostStack) -> list[str]:
    found = {lun.implementation for lun in stack.luns}
    found |= {_KIND_IMPLEMENTATION.get(f.kind, f.kind) for f in stack.target_files}
    return sorted(found)


def _drbd(ctx: QueryContext) -> Iterable[Row]:
    from xsanconf.facts.drbd import drbd_index

    index = ctx.stack()
    drbd = drbd_index(ctx.site, index.drbd_versions or index.drbd_version)
    for host in ctx.site.hosts:
        views = {view.name: view for view in drbd.of_host(host)}
        for device in index.host(host).drbd_devices:
            peers = [h.name for h in index.replica_hosts(device.replica) if h is not host]
            view = views.get(device.resource)
            # one protocol per connection (9) or per resource; C is the default from 8.4 on
            protocols = sorted(
                {
                    str(net["protocol"].value)
                    for net in (view.net_scopes() if view is not None else [])
                    if "protocol" in net
                }
            )
            role, disk_state, connection, peer_roles = _captured_state(host, device, peers)
            yield {
                "host": host.name,
                "resource": device.resource,
                "volume": device.volume,
                "device": device.path
                or (f"/dev/drbd{device.minor}" if device.minor is not None else None),
                "disk": device.disk,
                "peers": peers,
                "protocol": protocols or None,
                "role": role,
                "disk_state": disk_state,
                "connection": connection,
                "peer_roles": peer_roles,
                "file": device.file.path,
            }


_NotCaptured = tuple[None, None, None, None]
_Captured = tuple[str | None, str | None, list[str] | None, list[str] | None]


def _captured_state(host: Host, device: DrbdDevice, peers: list[str]) -> _Captured:
    """The role, disk state, connection per peer (``PEER=STATE``) and peer roles
    (``PEER=ROLE``) ``host``'s capture shows for ``device``: ``drbdadm status`` (or
    ``drbdsetup status``), else 8.x's ``/proc/drbd`` (by minor); all None without one."""
    from xsanconf.lint.facts.captures import captures

    none: _NotCaptured = (None, None, None, None)
    found = captures(host)
    status = found.drbd_status()
    # a status capture of only an error message (utilities without the command) is no state
    if status is not None and (status.parsed.resources or not status.parsed.unread):
        resource = next((r for r in status.parsed.resources if r.name == device.resource), None)
        if resource is None:
            return "down", None, [], []  # the capture lists resources, and not this one
        disk = next((v.disk for v in resource.volumes if v.volume == device.volume), None)
        return (
            resource.role,
            disk,
            [f"{c.peer}={c.connection}" for c in resource.connections],
            [f"{c.peer}={c.role}" for c in resource.connections if c.role],
        )
    proc = found.proc_drbd()
    if proc is None or proc.parsed.reduced or device.minor is None:
        return none
    for seen in proc.parsed.devices:
        if seen.minor == device.minor:
            if not seen.configured:
                return "down", None, [], []
            # /proc/drbd names no peer: 8.x has one, the configuration's
            name = peers[0] if len(peers) == 1 else "peer"
            role = [f"{name}={seen.peer_role}"] if seen.peer_role else []
            return seen.role, seen.disk, [f"{name}={seen.connection}"], role
    return "down", None, [], []


def _luns(ctx: QueryContext) -> Iterable[Row]:
    index = ctx.stack()
    for host in ctx.site.hosts:
        for lun in index.host(host).luns:
            replica = lun.replica
            yield {
                "host": host.name,
                "implementation": lun.implementation,
                "target": lun.target,
                "lun": lun.number,
                "backing": lun.path,
                "drbd": f"{replica[0]}/{replica[1]}" if replica is not None else None,
                "identity": identity_setting(lun.lun),
                "wwid": str(lun.wwid) if lun.wwid is not None else None,
                "cache": lun.lun.cache,
                "access": access_kinds(lun.lun.access, lun.lun.chap),
                "file": lun.file.path,
            }


def access_kinds(access: TargetAccess, chap: Iterable[ChapAccount]) -> list[str] | None:
    """Who may reach a LUN: ``open`` (any initiator, no CHAP), else what restricts it,
    ``initiators`` (a list of names or addresses) and ``chap`` (an incoming account needed);
    None when the configuration cannot say."""
    if access.open:
        return ["open"]
    found = []
    if access.initiators or access.addresses:
        found.append("initiators")
    incoming = any(a.direction == "incoming" and a.scope == "target" for a in chap)
    if access.chap_required or (access.chap_required is None and incoming):
        found.append("chap")
    if not found and access.open is None:
        return None
    return found


def _paths(ctx: QueryContext) -> Iterable[Row]:
    index = ctx.stack()
    for host in ctx.site.hosts:
        for found in index.host(host).maps:
            luns = index.by_wwid.get(found.wwid, []) if found.wwid else []
            yield {
                "initiator": host.name,
                "map": found.alias,
                "wwid": found.wwid,
                "heads": sorted({lun.host.name for lun in luns}),
                "implementations": sorted({lun.implementation for lun in luns}),
                "targets": sorted({lun.target or "" for lun in luns}),
                "policy": found.policy,
                "policy_source": found.policy_source,
                "file": found.file.path,
            }


def _initiators(ctx: QueryContext) -> Iterable[Row]:
    from xsanconf.facts.iscsi import initiatorname_file, iscsid_file

    index = ctx.stack()
    for host in ctx.site.hosts:
        conf = iscsid_file(host)
        names = initiatorname_file(host)
        if conf is None and names is None:
            continue
        model = conf.doc.model if conf is not None else None

        def setting(key: str, model: Any = model) -> str | None:
            entry = model.entry(key) if model is not None else None
            return entry.value if entry is not None else None

        yield {
            "host": host.name,
            "initiator": names.doc.model.name if names is not None else None,
            "startup": setting("node.startup"),
            "replacement_timeout": setting("node.session.timeo.replacement_timeout"),
            "chap": setting("node.session.auth.authmethod"),
            "maps": [m.alias or m.wwid or "" for m in index.host(host).maps],
        }


def _guests(ctx: QueryContext) -> Iterable[Row]:
    index = ctx.stack()
    # hosts that can run a guest: every host whose multipath configuration has the map
    by_wwid: dict[str, list[str]] = {}
    by_alias: dict[str, list[str]] = {}
    for host in ctx.site.hosts:
        for found in index.host(host).maps:
            if found.wwid:
                by_wwid.setdefault(found.wwid, []).append(host.name)
            if found.alias:
                by_alias.setdefault(found.alias, []).append(host.name)
    for host in ctx.site.hosts:
        for disk in index.host(host).guest_disks:
            if disk.wwid:
                runs_on = by_wwid.get(disk.wwid, [])
            else:
                runs_on = by_alias.get(disk.map_name or "", [])
            yield {
                "guest": disk.guest,
                "host": host.name,
                "disk": disk.path,
                "map": disk.map_name,
                "drbd": disk.drbd_resource,
                "wwid": disk.wwid,
                "hosts": sorted(set(runs_on)),
                "file": disk.file.path,
            }


# The storage services in the order the stack needs them to start.
_CHAIN = (
    ("drbd", ("drbd",)),
    ("target", ("iscsitarget", "iscsi-target", "tgt", "target", "rtslib-fb-targetctl", "scst")),
    ("initiator", ("open-iscsi", "iscsid", "iscsi")),
    ("multipath", ("multipath-tools", "multipathd")),
    ("guests", ("xendomains",)),
)


def _boot(ctx: QueryContext) -> Iterable[Row]:
    from xsanconf.lint.boot_order import boot_order

    for host in ctx.site.hosts:
        order = boot_order(host)
        present = [(step, order.services(names)) for step, names in _CHAIN]
        services = [(step, found[0]) for step, found in present if found]
        for (_, first), (_, second) in itertools.pairwise(services):
            relation = order.start(first, second)
            yield {
                "host": host.name,
                "mechanism": order.mechanism,
                "first": first,
                "second": second,
                "order": relation.order if relation is not None else None,
                "detail": relation.detail if relation is not None else None,
            }


def _query(
    name: str, summary: str, columns: str, rows: Callable[[QueryContext], Iterable[Row]]
) -> Query:
    return Query(name, summary, tuple(columns.split()), rows)


QUERIES: dict[str, Query] = {
    q.name: q
    for q in (
        _query(
            "hosts",
            "each host: its roles, target software, the versions assumed and the evidence",
            "host roles targets drbd multipath iet lio tgt scst open-iscsi evidence",
            _hosts,
        ),
        _query(
            "drbd",
            "each DRBD volume a host defines for itself: device, disk, peers, protocol, and the "
            "role and connection when captured",
            "host resource volume device disk peers protocol role disk_state connection "
            "peer_roles file",
            _drbd,
        ),
        _query(
            "luns",
            "each LUN a target exports: backing, DRBD replica, identity, WWID, cache, access",
            "host implementation target lun backing drbd identity wwid cache access file",
            _luns,
        ),
        _query(
            "paths",
            "each multipath map of an initiator: WWID, alias, the heads that present it, policy",
            "initiator map wwid heads implementations targets policy policy_source file",
            _paths,
        ),
        _query(
            "initiators",
            "each open-iscsi initiator: its name, startup, failover timeout, CHAP, maps",
            "host initiator startup replacement_timeout chap maps",
            _initiators,
        ),
        _query(
            "guests",
            "each guest disk on shared storage: map or DRBD resource, WWID, hosts that can run it",
            "guest host disk map drbd wwid hosts file",
            _guests,
        ),
        _query(
            "boot",
            "each host's start order of the storage services, pair by pair",
            "host mechanism first second order detail",
            _boot,
        ),
    )
}


def run_query(name: str, ctx: QueryContext) -> Table:
    query = QUERIES[name]
    return Table(name, query.columns, [dict(row) for row in query.rows(ctx)])


def filter_rows(table: Table, conditions: Iterable[str]) -> Table:
    """Rows where every ``column=value`` holds (a list cell holds when one item equals it).

    ``ValueError`` names a condition without ``=`` or a column the table lacks.
    """
    wanted: list[tuple[str, str]] = []
    for condition in conditions:
        column, equals, value = condition.partition("=")
        if not equals:
            raise ValueError(f"--where {condition!r}: use COLUMN=VALUE")
        if column not in table.columns:
            raise ValueError(
                f"--where {condition!r}: {table.name} has no column {column!r}; "
                f"its columns: {', '.join(table.columns)}"
            )
        wanted.append((column, value))

    def holds(row: Row) -> bool:
        for column, value in wanted:
            cell = row.get(column)
            cells = cell if isinstance(cell, list) else [cell]
            if not any(_text(c) == value for c in cells):
                return False
        return True

    return Table(table.name, table.columns, [r for r in table.rows if holds(r)])


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, list):
        return ",".join(cell)
    return str(cell)


def render_table(table: Table, fmt: str) -> str:
    """``text`` (aligned columns, ``-`` for unknown), ``json`` (a list of objects) or ``csv``."""
    if fmt == "json":
        return (
            json.dumps([{c: r.get(c) for c in table.columns} for r in table.rows], indent=2) + "\n"
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([_text(r.get(c)) for c in table.columns] for r in table.rows)
        return out.getvalue()
    if fmt != "text":
        raise ValueError(f"unknown --format {fmt!r}; use text, json or csv")
    cells = [[c.upper() for c in table.columns]]
    cells += [[_text(r.get(c)) or "-" for c in table.columns] for r in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    return "\n".join(lines) + "\n"


def export(ctx: QueryContext) -> dict[str, Any]:
    """The whole site in one document: hosts with their files and versions, and every table."""
    hosts = []
    for host in ctx.site.hosts:
        hosts.append(
            {
                "name": host.name,
                "root": str(host.root),
                "files": [
                    {
                        "path": posixpath.normpath(f.rel),
                        "kind": f.kind,
                        "parsed": f.doc.parsed,
                    }
                    for f in host.files
                ],
                "versions": ctx.versions(host).to_data(),
            }
        )
    tables = {}
    for name in QUERIES:
        table = run_query(name, ctx)
        tables[name] = [{c: r.get(c) for c in table.columns} for r in table.rows]
    return {"schema": SCHEMA, "hosts": hosts, "tables": tables}
