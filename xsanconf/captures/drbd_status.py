"""``drbdadm status`` / ``drbdsetup status`` (text, ``--verbose --statistics``, ``--json``) and
the XML ``drbdadm status`` of DRBD 8.4, as one model: resources, their volumes, their peers.

The text form (``resource_status``, ``device_status``, ``connection_status`` and
``peer_device_status`` in drbd-utils' user/v9/drbdsetup.c) is::

    r0 role:Primary                      <- a resource at column 0, always with its role
      disk:UpToDate                      <- its volume (``volume:N disk:...`` with several)
      bob role:Secondary                 <- a connection at column 2, named for the peer
        peer-disk:UpToDate               <- its peer volume at column 4

Without ``--verbose`` drbdsetup leaves out what is normal: ``connection:`` when Connected
(the peer's ``role:`` is printed only then) and ``replication:`` up to Established.  Those
defaults are filled in here, so a consumer reads ``connection == "Connected"`` either way.
Long lines wrap deeper than the element they continue (column 4 for a resource, 6 for a volume
or a connection, 8 for a peer volume); a connection without a name starts ``node-id:N``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = [
    "DrbdStatus",
    "StatusConnection",
    "StatusPeerVolume",
    "StatusResource",
    "StatusVolume",
    "parse_drbd_status",
    "parse_drbd_status_json",
]


@attrs.frozen
class StatusVolume:
    volume: int
    disk: str | None
    line: int


@attrs.frozen
class StatusPeerVolume:
    volume: int
    replication: str | None
    peer_disk: str | None
    line: int


@attrs.frozen
class StatusConnection:
    peer: str  # the connection's name (the peer's host name), or "node-id:N"
    connection: str  # "Connected", "StandAlone", "Connecting", "WFConnection" (8.4) ...
    role: str | None  # the peer's role, known while connected
    volumes: tuple[StatusPeerVolume, ...]
    line: int


@attrs.frozen
class StatusResource:
    name: str
    role: str | None
    volumes: tuple[StatusVolume, ...]
    connections: tuple[StatusConnection, ...]
    line: int
    fields: Mapping[str, str] = attrs.field(factory=dict)  # suspended:, node-id: ...


@attrs.frozen
class DrbdStatus:
    resources: tuple[StatusResource, ...]
    unread: tuple[Unread, ...] = ()

    def resource(self, name: str) -> StatusResource | None:
        return next((r for r in self.resources if r.name == name), None)


def _fields(text: str) -> tuple[str | None, dict[str, str]]:
    """The leading word without a colon (a name) and the ``key:value`` words of a line."""
    words = text.split()
    name = words[0] if words and ":" not in words[0] else None
    found: dict[str, str] = {}
    for word in words[1 if name is not None else 0 :]:
        key, colon, value = word.partition(":")
        if colon:
            found.setdefault(key, value)
    return name, found


def _volume(fields: Mapping[str, str]) -> int:
    text = fields.get("volume", "0")
    return int(text) if text.isdigit() else 0


@attrs.define
class _Resource:
    name: str
    line: int
    fields: dict[str, str]
    volumes: list[StatusVolume] = attrs.field(factory=list)
    connections: list[_Connection] = attrs.field(factory=list)

    def build(self) -> StatusResource:
        return StatusResource(
            self.name,
            self.fields.get("role"),
            tuple(self.volumes),
            tuple(c.build() for c in self.connections),
            self.line,
            dict(self.fields),
        )


@attrs.define
class _Connection:
    peer: str
    line: int
    fields: dict[str, str]
    volumes: list[tuple[int, dict[str, str]]] = attrs.field(factory=list)

    def build(self) -> StatusConnection:
        connection = self.fields.get("connection", "Connected")
        volumes = []
        for line, fields in self.volumes:
            replication = fields.get("replication")
            if replication is None and connection == "Connected":
                replication = "Established"  # printed only past Established
            volumes.append(
                StatusPeerVolume(_volume(fields), replication, fields.get("peer-disk"), line)
            )
        return StatusConnection(
            self.peer, connection, self.fields.get("role"), tuple(volumes), self.line
        )


_XML_RESOURCE = re.compile(r"<resource\s([^>]*?)/?>")
_XML_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def parse_drbd_status(text: str) -> DrbdStatus:
    """The text (or, for DRBD 8.4's ``drbdadm status``, XML) form; JSON goes to
    :func:`parse_drbd_status_json`, and text that starts with ``[`` is taken as JSON."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        return parse_drbd_status_json(text)
    if stripped.startswith("<"):
        return _parse_xml(text)
    resources: list[_Resource] = []
    unread: list[Unread] = []
    # the element the next deeper line continues: "resource", "volume", "connection", "peer"
    last = ""
    for number, line in lines(text):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        name, fields = _fields(line)
        current = resources[-1] if resources else None
        if indent == 0 and name is not None and "role" in fields:  # drbdsetup always says
            resources.append(_Resource(name, number, fields))
            last = "resource"
        elif current is None:
            unread.append(Unread(number, line))
        elif indent == 2 and ("volume" in fields or "disk" in fields) and name is None:
            current.volumes.append(StatusVolume(_volume(fields), fields.get("disk"), number))
            last = "volume"
        elif indent == 2:
            peer = name if name is not None else f"node-id:{fields.get('node-id', '?')}"
            current.connections.append(_Connection(peer, number, fields))
            last = "connection"
        elif indent == 4 and current.connections and last in ("connection", "peer"):
            current.connections[-1].volumes.append((number, fields))
            last = "peer"
        elif indent >= 4 and last:
            _continue(current, last, fields)
        else:
            unread.append(Unread(number, line))
    return DrbdStatus(tuple(r.build() for r in resources), tuple(unread))


def _continue(resource: _Resource, last: str, fields: Mapping[str, str]) -> None:
    """A wrapped line: its fields belong to the element above it."""
    if last == "resource":
        target = resource.fields
    elif last == "volume":
        volume = resource.volumes[-1]
        if volume.disk is None and "disk" in fields:
            resource.volumes[-1] = attrs.evolve(volume, disk=fields["disk"])
        return
    elif last == "connection":
        target = resource.connections[-1].fields
    else:
        target = resource.connections[-1].volumes[-1][1]
    for key, value in fields.items():
        target.setdefault(key, value)


def _parse_xml(text: str) -> DrbdStatus:
    """DRBD 8.4's ``drbdadm status``: ``<resource minor="0" name="r0" cs="Connected"
    ro1="Primary" ro2="Secondary" ds1="UpToDate" ds2="UpToDate" .../>`` per device (read with
    a pattern: the document is flat and never needs an XML parser's entity handling)."""
    resources: list[StatusResource] = []
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    for found in _XML_RESOURCE.finditer(text):
        values = dict(_XML_ATTRIBUTE.findall(found.group(1)))
        line = _line_of(line_starts, found.start())
        name = values.get("name") or values.get("minor") or "?"
        cs = values.get("cs", "Unconfigured")
        volume = int(values["volume"]) if values.get("volume", "").isdigit() else 0
        peer = StatusPeerVolume(
            volume, cs if cs.startswith(("Sync", "Verify")) else None, values.get("ds2"), line
        )
        connection = StatusConnection(
            "peer", "Connected" if cs in _CONNECTED_84 else cs, values.get("ro2"), (peer,), line
        )
        own = StatusVolume(volume, values.get("ds1"), line)
        resources.append(
            StatusResource(name, values.get("ro1"), (own,), (connection,), line, values)
        )
    return DrbdStatus(tuple(resources))


# 8.4's connection states in which the peers are connected (the others are StandAlone,
# Disconnecting, Unconnected, Timeout, BrokenPipe, NetworkFailure, ProtocolError, TearDown,
# WFConnection, WFReportParams)
_CONNECTED_84 = frozenset(
    [
        "Connected",
        "StartingSyncS",
        "StartingSyncT",
        "WFBitMapS",
        "WFBitMapT",
        "WFSyncUUID",
        "SyncSource",
        "SyncTarget",
        "VerifyS",
        "VerifyT",
        "PausedSyncS",
        "PausedSyncT",
        "Ahead",
        "Behind",
    ]
)


def _line_of(line_starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(line_starts, offset)


def parse_drbd_status_json(text: str) -> DrbdStatus:
    """``drbdsetup status --json``: a list of resources with ``devices`` and ``connections``
    (each with ``peer_devices``).  Text that is not such a list gives no resource and one
    unread line saying why."""
    try:
        data = json.loads(text)
    except ValueError as error:
        return DrbdStatus((), (Unread(getattr(error, "lineno", 1), f"not JSON: {error}"),))
    except RecursionError:  # "[[[[..." nested past the interpreter's stack
        return DrbdStatus((), (Unread(1, "not JSON: nested too deep"),))
    if not isinstance(data, list):
        return DrbdStatus((), (Unread(1, "not a list of resources"),))
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    resources: list[StatusResource] = []
    search_from = 0
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        at = text.find(json.dumps(name), search_from)
        search_from = max(at, search_from)
        line = _line_of(line_starts, max(at, 0))
        volumes = tuple(
            StatusVolume(_int(d.get("volume")), _str(d.get("disk-state")), line)
            for d in _dicts(item.get("devices"))
        )
        connections = tuple(_json_connection(c, line) for c in _dicts(item.get("connections")))
        fields = {k: str(v) for k, v in item.items() if isinstance(v, (str, int, bool))}
        resources.append(
            StatusResource(name, _str(item.get("role")), volumes, connections, line, fields)
        )
    return DrbdStatus(tuple(resources))


def _json_connection(item: Mapping[str, object], line: int) -> StatusConnection:
    peers = tuple(
        StatusPeerVolume(
            _int(p.get("volume")),
            _str(p.get("replication-state")),
            _str(p.get("peer-disk-state")),
            line,
        )
        for p in _dicts(item.get("peer_devices"))
    )
    name = _str(item.get("name")) or f"node-id:{item.get('peer-node-id', '?')}"
    state = _str(item.get("connection-state")) or "Unknown"
    return StatusConnection(name, state, _str(item.get("peer-role")), peers, line)


def _dicts(value: object) -> list[Mapping[str, object]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
