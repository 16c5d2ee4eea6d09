"""open-iscsi's ``iscsiadm`` listings: sessions (``-m session``, ``-P 1``, ``-P 3``) and node
records (``-m node``, ``-m node -P 1``, ``-m node -o show``; a record file of the node database
reads as one ``-o show`` record).

* ``-m session``: ``tcp: [1] 10.0.0.1:3260,1 iqn.2001-04.com.example:disk (non-flash)``
  (``[fe80::1]:3260,1`` for IPv6; ``(non-flash)`` since 2.0-874).
* ``-m session -P 1`` and ``-P 3``: ``Target: IQN`` then, per session, ``Current Portal:``,
  ``Persistent Portal:``, ``Iface Name:``, ``SID:``, ``iSCSI Session State:`` and (``-P 3``)
  ``scsi7 Channel 00 Id 0 Lun: 0`` followed by ``Attached scsi disk sdb  State: running``.
* ``-m node``: ``10.0.0.1:3260,1 iqn...``; ``-P 1``: ``Target:``, ``Portal:``, ``Iface Name:``;
  ``-o show``: ``# BEGIN RECORD 2.0-873``, ``node.name = ...`` lines, ``# END RECORD``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = [
    "AttachedDisk",
    "IscsiNodes",
    "IscsiSessions",
    "NodeRecord",
    "SessionState",
    "parse_iscsi_nodes",
    "parse_iscsi_sessions",
    "split_portal",
]


def split_portal(text: str) -> tuple[str, str | None]:
    """``10.0.0.1:3260,1`` -> (``10.0.0.1:3260``, ``1``)."""
    portal, comma, tpgt = text.partition(",")
    return portal, (tpgt if comma else None)


@attrs.frozen
class AttachedDisk:
    lun: int | None
    dev: str
    state: str | None
    line: int


@attrs.frozen
class SessionState:
    target: str
    portal: str  # "10.0.0.1:3260" (the current portal)
    tpgt: str | None
    line: int
    sid: str | None = None
    transport: str | None = None
    iface: str | None = None
    state: str | None = None  # iSCSI Session State: LOGGED_IN, FAILED, FREE ...
    persistent_portal: str | None = None
    disks: tuple[AttachedDisk, ...] = ()


@attrs.frozen
class IscsiSessions:
    sessions: tuple[SessionState, ...]
    unread: tuple[Unread, ...] = ()


_SESSION = re.compile(r"^(\w+): \[(\d+)\] (\S+) (\S+)(?: \(.*\))?\s*$")
_TARGET = re.compile(r"^\s*Target: (\S+)")
_FIELD = re.compile(r"^\s*([A-Za-z][\w ./-]*?):\s*(.*?)\s*$")
_LUN = re.compile(r"^\s*scsi\d+ Channel \d+ Id \d+ Lun: (\d+)")
_DISK = re.compile(r"^\s*Attached scsi disk (\S+)\s+State: (\S+)")
_NO_SESSIONS = re.compile(r"^iscsiadm: No (active )?sessions")


@attrs.define
class _Session:
    target: str
    fields: dict[str, str]
    line: int
    disks: list[AttachedDisk] = attrs.field(factory=list)

    def build(self) -> SessionState:
        portal, tpgt = split_portal(self.fields.get("Current Portal", "?"))
        return SessionState(
            self.target,
            portal,
            tpgt,
            self.line,
            sid=self.fields.get("SID"),
            transport=self.fields.get("Iface Transport"),
            iface=self.fields.get("Iface Name"),
            state=self.fields.get("iSCSI Session State"),
            persistent_portal=split_portal(self.fields["Persistent Portal"])[0]
            if "Persistent Portal" in self.fields
            else None,
            disks=tuple(self.disks),
        )


def parse_iscsi_sessions(text: str) -> IscsiSessions:
    found: list[SessionState] = []
    tree: list[_Session] = []
    unread: list[Unread] = []
    target: str | None = None
    lun: int | None = None
    for number, line in lines(text):
        if not line.strip() or set(line.strip()) == {"*"} or _NO_SESSIONS.match(line):
            continue
        flat = _SESSION.match(line)
        if flat is not None:
            portal, tpgt = split_portal(flat.group(3))
            found.append(
                SessionState(flat.group(4), portal, tpgt, number, flat.group(2), flat.group(1))
            )
            continue
        named = _TARGET.match(line)
        if named is not None:
            target = named.group(1)
            continue
        lun_line = _LUN.match(line)
        disk = _DISK.match(line)
        field = _FIELD.match(line)
        if lun_line is not None:
            lun = int(lun_line.group(1))
        elif disk is not None and tree:
            tree[-1].disks.append(AttachedDisk(lun, disk.group(1), disk.group(2), number))
        elif field is not None and target is not None:
            key, value = field.groups()
            if key == "Current Portal":
                tree.append(_Session(target, {}, number))
                lun = None
            if tree:
                tree[-1].fields.setdefault(key, value)
        elif not line.startswith(("iSCSI Transport Class", "version ")):
            unread.append(Unread(number, line))
    return IscsiSessions(tuple(found) + tuple(s.build() for s in tree), tuple(unread))


@attrs.frozen
class NodeRecord:
    target: str
    portal: str  # "10.0.0.1:3260"
    tpgt: str | None
    line: int
    iface: str | None = None
    settings: Mapping[str, str] = attrs.field(factory=dict)  # every key = value of -o show
    setting_lines: Mapping[str, int] = attrs.field(factory=dict)  # key -> its line

    @property
    def startup(self) -> str | None:
        """``node.startup`` (automatic, manual, onboot), when the listing shows it."""
        return self.settings.get("node.startup")

    def line_of(self, key: str) -> int:
        """The line of setting ``key``; the record's first line without it."""
        return self.setting_lines.get(key, self.line)


@attrs.frozen
class IscsiNodes:
    records: tuple[NodeRecord, ...]
    unread: tuple[Unread, ...] = ()


_NODE = re.compile(r"^(\[[^\]]*\]:\d+|[^\s\[]+:\d+)(?:,(-?\d+))? (\S+)\s*$")
_SETTING = re.compile(r"^\s*([\w.\[\]]+)\s*=\s*(.*?)\s*$")
_PORTAL_LINE = re.compile(r"^\s*Portal: (\S+)")


def parse_iscsi_nodes(text: str) -> IscsiNodes:
    records: list[NodeRecord] = []
    unread: list[Unread] = []
    record: dict[str, str] | None = None
    record_lines: dict[str, int] = {}
    record_line = 0
    target: str | None = None
    for number, line in lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(("# BEGIN RECORD", "# END RECORD")):
            if record is not None:
                records.append(_record(record, record_lines, record_line))
            record, record_lines, record_line = None, {}, number
            if stripped.startswith("# BEGIN RECORD"):
                record = {}
            continue
        setting = _SETTING.match(line)
        if setting is not None and "." in setting.group(1):
            if record is None:  # a record file written without the header
                record, record_lines, record_line = {}, {}, number
            record.setdefault(setting.group(1), setting.group(2))
            record_lines.setdefault(setting.group(1), number)
            continue
        short = _NODE.match(stripped)
        named = _TARGET.match(line)
        portal = _PORTAL_LINE.match(line)
        if short is not None:
            records.append(NodeRecord(short.group(3), short.group(1), short.group(2), number))
        elif named is not None:
            target = named.group(1)
        elif portal is not None and target is not None:
            address, tpgt = split_portal(portal.group(1))
            records.append(NodeRecord(target, address, tpgt, number))
        elif stripped.startswith("Iface Name:") and records:
            records[-1] = attrs.evolve(records[-1], iface=stripped.split(":", 1)[1].strip())
        elif not stripped.startswith("#"):
            unread.append(Unread(number, line))
    if record:
        records.append(_record(record, record_lines, record_line))
    return IscsiNodes(tuple(records), tuple(unread))


def _record(settings: dict[str, str], lines_of: dict[str, int], line: int) -> NodeRecord:
    address = settings.get("node.conn[0].address", "?")
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"  # IPv6, as iscsiadm shows a portal
    port = settings.get("node.conn[0].port", "3260")
    return NodeRecord(
        settings.get("node.name", "?"),
        f"{address}:{port}",
        settings.get("node.tpgt"),
        line,
        settings.get("iface.iscsi_ifacename"),
        dict(settings),
        dict(lines_of),
    )
