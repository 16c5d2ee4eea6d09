"""The site's storage stack as a picture: a graph model built from the stack index.

Admins reason about the chain backing disk -> DRBD resource on each head (linked to its peers
by DRBD replication) -> target LUN and the WWID it presents -> an iSCSI path on each Xen host
(to one head) -> multipath map -> guest disk.  This module
turns :func:`xsanconf.facts.stack.stack_index` into that graph (a pure function of the site and,
optionally, the lint findings) and :mod:`xsanconf.graph.render` draws it as DOT, SVG or Mermaid.

Public API
----------
``build_graph(site, diagnostics=(), versions=None) -> StackGraph``
    ``versions`` are the targeted versions as ``xsanlint --target`` gives them (``drbd``,
    ``iet``).  Each finding is attached to the most specific element whose source it points
    into: a node (the narrowest anchor wins), an edge (the text that makes the link: a LUN's
    ``Path=``, a guest's disk line), else its host's cluster, else the site.
``StackGraph``: ``hosts`` (:class:`HostCluster`, by name), ``nodes`` (:class:`GraphNode`, by id),
    ``edges`` (:class:`GraphEdge`), ``codes`` (findings of no host), ``node(id)``.

The iSCSI paths are inferred, not read: the site's files do not say which targets an initiator
logs in to, so a Xen host whose multipath configuration names a WWID is drawn with one path to
every LUN that presents that WWID.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.target import identity_setting
from xsanconf.facts.registry import Facts
from xsanconf.facts.stack import STACK, canonical_device

if TYPE_CHECKING:
    from xsanconf.facts.stack import (
        DrbdDevice,
        GuestDisk,
        HostStack,
        IetLunExport,
        MultipathMap,
        StackIndex,
    )
    from xsanconf.lint.diagnostics import Diagnostic, Location
    from xsanconf.lint.site import Host, Site, SiteFile
    from xsanconf.syntax import Node, Token

__all__ = [
    "KINDS",
    "GraphEdge",
    "GraphNode",
    "HostCluster",
    "StackGraph",
    "build_graph",
]

# How a LUN node names its target implementation.
_IMPLEMENTATIONS = {"iet": "IET", "lio": "LIO", "tgt": "tgt", "scst": "SCST", "pacemaker": "LU"}
# Node kinds in the order of the chain, left to right.
KINDS = ("host", "disk", "drbd", "lun", "path", "map", "guest")
_WHOLE_FILE = 10**9


@attrs.frozen
class GraphNode:
    id: str
    kind: str  # one of KINDS
    label: tuple[str, ...]  # lines
    host: str
    codes: tuple[str, ...] = ()


@attrs.frozen
class GraphEdge:
    source: str
    target: str
    label: str
    codes: tuple[str, ...] = ()


@attrs.frozen
class HostCluster:
    name: str
    codes: tuple[str, ...] = ()  # findings on the host that no node or edge stands for


@attrs.frozen
class StackGraph:
    hosts: tuple[HostCluster, ...]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    codes: tuple[str, ...] = ()  # findings of no host

    def node(self, node_id: str) -> GraphNode:
        return next(n for n in self.nodes if n.id == node_id)

    def nodes_of(self, host: str) -> list[GraphNode]:
        return [n for n in self.nodes if n.host == host]


# Where an element comes from in the files, to attach findings to it ------------------------------


@attrs.frozen
class _Anchor:
    """A region of a file: whole lines, or a piece of one line when columns are given."""

    path: str
    line: int
    end_line: int
    column: int | None = None
    end_column: int | None = None

    def holds(self, loc: Location) -> bool:
        """Whether ``loc`` starts inside the region (and, for a piece of a line, stays in it)."""
        if posixpath.normpath(loc.path) != self.path:
            return False
        if not self.line <= loc.line <= self.end_line:
            return False
        if self.column is None or self.end_column is None:
            return True
        loc_end = loc.end_column if loc.end_line == loc.line and loc.end_column else loc.column + 1
        return self.column <= loc.column and loc_end <= self.end_column

    @property
    def width(self) -> tuple[int, int]:
        columns = (self.end_column or _WHOLE_FILE) - (self.column or 0)
        return self.end_line - self.line, columns


def _anchor(loc: Location, columns: bool = False) -> _Anchor:
    end_line = loc.end_line if loc.end_line is not None else loc.line
    # a location's end is exclusive: a block ending at column 1 ends on the line before
    if end_line > loc.line and loc.end_column == 1:
        end_line -= 1
    path = posixpath.normpath(loc.path)
    if columns and end_line == loc.line and loc.end_column is not None:
        return _Anchor(path, loc.line, end_line, loc.column, loc.end_column)
    return _Anchor(path, loc.line, end_line)


def _whole(file: SiteFile) -> _Anchor:
    return _Anchor(posixpath.normpath(file.path), 1, _WHOLE_FILE)


def _block(file: SiteFile, item: Node | Token | None) -> list[_Anchor]:
    return [_anchor(file.location(item))] if item is not None else []


# Building ----------------------------------------------------------------------------------------


@attrs.define
class _Draft:
    kind: str
    label: tuple[str, ...]
    host: str
    anchors: list[_Anchor] = attrs.field(factory=list)
    codes: set[str] = attrs.field(factory=set)


@attrs.define
class _EdgeDraft:
    anchors: list[_Anchor] = attrs.field(factory=list)
    codes: set[str] = attrs.field(factory=set)


@attrs.define
class _Builder:
    index: StackIndex
    nodes: dict[str, _Draft] = attrs.field(factory=dict)
    edges: dict[tuple[str, str, str], _EdgeDraft] = attrs.field(factory=dict)
    # per host: (id of the file's document, resource name) -> the resource section
    resources: dict[str, dict[tuple[int, str], Node]] = attrs.field(factory=dict)

    def resource(self, device: DrbdDevice) -> Node | None:
        host = device.host
        if host.name not in self.resources:
            self.resources[host.name] = {
                (id(f.doc), r.name): r.node for f, r in reversed(host.drbd_resources())
            }
        return self.resources[host.name].get((id(device.file.doc), device.resource))

    def node(
        self, node_id: str, kind: str, label: Iterable[str], host: Host, anchors: list[_Anchor]
    ) -> str:
        found = self.nodes.setdefault(node_id, _Draft(kind, tuple(label), host.name))
        found.anchors.extend(a for a in anchors if a not in found.anchors)
        return node_id

    def edge(self, source: str, target: str, label: str, anchors: Sequence[_Anchor] = ()) -> None:
        found = self.edges.setdefault((source, target, label), _EdgeDraft())
        found.anchors.extend(a for a in anchors if a not in found.anchors)


def _id(host: Host, kind: str, *parts: object) -> str:
    return "/".join([host.name, kind, *(str(p) for p in parts)])


def _disk_node(b: _Builder, host: Host, path: str) -> str:
    return b.node(_id(host, "disk", canonical_device(path)), "disk", ("disk", path), host, [])


def _resource_anchors(b: _Builder, device: DrbdDevice) -> list[_Anchor]:
    """The device statement, then the whole resource section (its options are the device's)."""
    anchors = [_anchor(device.location())] if device.statement is not None else []
    return anchors + _block(device.file, b.resource(device))


def _drbd_node(b: _Builder, device: DrbdDevice) -> str:
    where = device.path or (f"minor {device.minor}" if device.minor is not None else "no device")
    label = (f"DRBD {device.resource}/{device.volume}", where)
    node_id = _id(device.host, "drbd", device.resource, device.volume)
    b.node(node_id, "drbd", label, device.host, _resource_anchors(b, device))
    if device.disk not in (None, "none"):
        disk = _disk_node(b, device.host, str(device.disk))
        b.edge(disk, node_id, str(device.disk))
    return node_id


def _lun_id(lun: IetLunExport) -> str:
    return _id(lun.host, "lun", lun.target or "?", lun.number if lun.number is not None else "?")


def _identity_line(lun: IetLunExport) -> str:
    """The setting a LUN's identity comes from (``identity ScsiId vm-a``, ``identity wwn``),
    or ``identity: LIO default``: the default is what the identity rules warn about."""
    setting = identity_setting(lun.lun)
    if setting == "default":
        return f"identity: {_IMPLEMENTATIONS[lun.implementation]} default"
    identity = lun.lun.identity
    written = identity.written
    if written is None and lun.implementation == "lio":
        written = identity.serial  # LIO's unit serial is the storage object's wwn
    return f"identity {setting} {written}" if written else f"identity {setting}"


def _lun_node(b: _Builder, lun: IetLunExport) -> str:
    wwid = f"WWID {lun.wwid.value}" if lun.wwid is not None else "WWID unknown"
    number = lun.number if lun.number is not None else "?"
    label = (
        f"{_IMPLEMENTATIONS[lun.implementation]} LUN {number}",
        lun.target or "?",
        _identity_line(lun),
        wwid,
    )
    anchors = [_anchor(lun.location())]
    anchors += _block(lun.file, lun.lun.anchors.get("target-block"))
    node_id = b.node(_lun_id(lun), "lun", label, lun.host, anchors)
    link = [_anchor(lun.setting_location("backing"), columns=True)]
    source = lun.device or lun.backing_of
    if source is not None:
        b.edge(_drbd_node(b, source), node_id, lun.path or "?", link)
    elif lun.path:
        b.edge(_disk_node(b, lun.host, lun.resolved_path or lun.path), node_id, lun.path, link)
    return node_id


def _paths(b: _Builder, host: Host, wwid: str) -> list[str]:
    """One inferred iSCSI path from ``host`` to each LUN that presents ``wwid``."""
    found = []
    stack = b.index.host(host)
    anchors = [_whole(f) for kind in ("iscsid", "initiatorname") for f in host.documents(kind)]
    for lun in b.index.by_wwid.get(wwid, []):
        number = lun.number if lun.number is not None else "?"
        head = f"to {lun.host.name} ({_IMPLEMENTATIONS[lun.implementation]}): LUN {number}"
        label = ("iSCSI path", head, lun.target or "?")
        path_id = _id(host, "path", lun.host.name, lun.target or "?", number)
        b.node(path_id, "path", label, stack.host, anchors)
        b.edge(_lun_id(lun), path_id, f"WWID {wwid}")
        found.append(path_id)
    return found


def _map_anchors(map_: MultipathMap) -> list[_Anchor]:
    anchors = [_anchor(map_.location())]
    if map_.entry is not None and map_.entry.node is not None:
        anchors += _block(map_.file, map_.entry.node)
    return anchors


def _map_node(b: _Builder, map_: MultipathMap) -> str:
    name = map_.alias or map_.wwid
    label = (f"multipath {name}", f"WWID {map_.wwid}", f"grouping {map_.policy}")
    node_id = b.node(_id(map_.host, "map", map_.wwid), "map", label, map_.host, _map_anchors(map_))
    link = f"alias {map_.alias}" if map_.alias else f"WWID {map_.wwid}"
    for path in _paths(b, map_.host, map_.wwid):
        b.edge(path, node_id, link)
    return node_id


def _guest_node(b: _Builder, stack: HostStack, disk: GuestDisk) -> str:
    spec = disk.disk.spec
    label = (f"guest {disk.guest or disk.file.rel}", f"{spec.vdev or '?'}: {disk.disk.text}")
    anchors = [_anchor(disk.location()), _whole(disk.file)]
    node_id = _id(stack.host, "guest", disk.file.rel, disk.disk.index)
    b.node(node_id, "guest", label, stack.host, anchors)
    link = [_anchor(disk.location())]
    shown = disk.path or disk.disk.text
    if disk.map is not None:
        b.edge(_id(stack.host, "map", disk.map.wwid), node_id, shown, link)
    elif disk.drbd_resource is not None:
        for device in stack.drbd_devices:
            if device.resource == disk.drbd_resource:
                b.edge(_drbd_node(b, device), node_id, f"drbd:{disk.drbd_resource}", link)
    elif disk.wwid is not None:
        for path in _paths(b, stack.host, disk.wwid):
            b.edge(path, node_id, shown, link)
    return node_id


def _read_stack(b: _Builder) -> None:
    peers: dict[tuple[str, int], list[str]] = {}
    for stack in b.index.hosts.values():
        for device in stack.drbd_devices:
            peers.setdefault(device.replica, []).append(_drbd_node(b, device))
        for lun in stack.luns:
            _lun_node(b, lun)
    # DRBD replicates each volume between the hosts that define it: one link per peer
    for (resource, volume), nodes in peers.items():
        first, *others = nodes
        for other in others:
            b.edge(first, other, f"DRBD replication {resource}/{volume}")
    for stack in b.index.hosts.values():
        for map_ in stack.maps:
            _map_node(b, map_)
        for disk in stack.guest_disks:
            _guest_node(b, stack, disk)


# Findings ----------------------------------------------------------------------------------------


@attrs.define
class _Anchors:
    """Every element's anchors by file, so a finding is compared only with its own file's."""

    nodes: dict[str, list[tuple[_Anchor, _Draft]]] = attrs.field(factory=dict)
    edges: dict[str, list[tuple[_Anchor, _EdgeDraft]]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, b: _Builder) -> _Anchors:
        found = cls()
        for draft in b.nodes.values():
            for anchor in draft.anchors:
                found.nodes.setdefault(anchor.path, []).append((anchor, draft))
        for edge in b.edges.values():
            for anchor in edge.anchors:
                found.edges.setdefault(anchor.path, []).append((anchor, edge))
        return found

    def narrowest(self, loc: Location) -> list[_Draft]:
        """The nodes whose narrowest anchor holding ``loc`` is the narrowest of all."""
        widths: dict[int, tuple[tuple[int, int], _Draft]] = {}
        for anchor, draft in self.nodes.get(posixpath.normpath(loc.path), []):
            seen = widths.get(id(draft))
            if anchor.holds(loc) and (seen is None or anchor.width < seen[0]):
                widths[id(draft)] = (anchor.width, draft)
        if not widths:
            return []
        best = min(width for width, _ in widths.values())
        return [draft for width, draft in widths.values() if width == best]

    def links(self, loc: Location) -> list[_EdgeDraft]:
        return [e for a, e in self.edges.get(posixpath.normpath(loc.path), []) if a.holds(loc)]


def _attach(
    anchors: _Anchors, d: Diagnostic, host_codes: dict[str, set[str]], site: set[str]
) -> None:
    for edge in anchors.links(d.location):
        edge.codes.add(d.code)
    drafts = anchors.narrowest(d.location)
    if not drafts:
        host_codes.get(d.location.host or "", site).add(d.code)
    for loc in d.related:
        drafts += anchors.narrowest(loc)
    for draft in drafts:
        draft.codes.add(d.code)


def build_graph(
    site: Site,
    diagnostics: Iterable[Diagnostic] = (),
    versions: Mapping[str, str] | None = None,
) -> StackGraph:
    """The stack of ``site`` as a graph, with the codes of ``diagnostics`` attached."""
    targets = versions or {}
    # the stack fact, as the rules receive it (each host at the versions its evidence gives)
    b = _Builder(Facts(site, targets, targets).get(STACK))
    _read_stack(b)
    names = sorted(h.name for h in site.hosts)
    for host in site.hosts:
        if not any(n.host == host.name for n in b.nodes.values()):
            b.node(_id(host, "host"), "host", (host.name, "no storage stack"), host, [])
    host_codes: dict[str, set[str]] = {name: set() for name in names}
    site_codes: set[str] = set()
    anchors = _Anchors.of(b)
    for d in diagnostics:
        _attach(anchors, d, host_codes, site_codes)
    nodes = tuple(
        GraphNode(node_id, n.kind, n.label, n.host, tuple(sorted(n.codes)))
        for node_id, n in sorted(b.nodes.items())
    )
    edges = tuple(
        GraphEdge(source, target, label, tuple(sorted(e.codes)))
        for (source, target, label), e in sorted(b.edges.items())
        if source in b.nodes and target in b.nodes
    )
    hosts = tuple(HostCluster(name, tuple(sorted(host_codes[name]))) for name in names)
    return StackGraph(hosts, nodes, edges, tuple(sorted(site_codes)))
