"""Where open-iscsi keeps its records, and what a record's path says about it.

The node database root is a build option: ``/etc/iscsi`` on Debian and Ubuntu, ``/var/lib/iscsi``
on Red Hat and upstream, ``/var/lib/open-iscsi`` on very old Debian.  Below it (open-iscsi
``usr/idbm.c``, ``idbm_rec_read``, ``idbm_for_each_portal``, ``idbm_for_each_iface``,
``idbm_discovery_read``; unchanged from 2.0.873 to 2.1.11 and HEAD):

* ``nodes/<target>/<address>,<port>,<tpgt>/<iface>``: a node record per interface (``default``
  for the software initiator);
* ``nodes/<target>/<address>,<port>``: the older flat layout, the portal itself a record file
  with no tpgt, still read.  A *file* named ``<address>,<port>,<tpgt>`` is never read: with a
  tpgt iscsiadm opens the portal as a directory of interfaces and fails;
* a portal entry without a ``,`` is skipped;
* ``send_targets/<address>,<port>/st_config`` (or the portal itself as a file, the old layout)
  and ``isns/<address>,<port>/isns_config``: discovery records; the other entries of a
  ``send_targets`` portal directory are links to the node directories discovery created;
* ``ifaces/<name>``: interface records.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["DB_DIRS", "RecordPath", "RecordType", "record_path"]

RecordType = Literal["node", "discovery", "iface"]

# the names the database root has; the directories of records below it
DB_DIRS = frozenset({"iscsi", "open-iscsi"})
_DISCOVERY_FILES = {"send_targets": "st_config", "isns": "isns_config"}


@attrs.frozen
class RecordPath:
    """What a record's place in the database says: its type and, for a node record, the target,
    portal, tpgt and interface.  ``read`` is false for a file iscsiadm never opens as a record
    (a flat portal file with a tpgt)."""

    type: RecordType
    target: str | None = None
    address: str | None = None
    port: int | None = None
    tpgt: int | None = None
    iface: str | None = None
    read: bool = True

    @property
    def portal(self) -> str | None:
        """``address:port`` (IPv6 in brackets), as iscsiadm shows a portal."""
        if self.address is None:
            return None
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


def _c_atoi(text: str) -> int:
    """C ``atoi``: leading blanks, a sign and digits; anything else ends the number (0 when
    there is none)."""
    text = text.lstrip(" \t\n\r\v\f")
    sign = -1 if text[:1] == "-" else 1
    if text[:1] in "+-" and text:
        text = text[1:]
    digits = ""
    for ch in text:
        if not ch.isascii() or not ch.isdigit():
            break
        digits += ch
    return sign * int(digits) if digits else 0


def _portal(name: str) -> tuple[str, int, int | None] | None:
    """``address,port[,tpgt]`` as ``idbm_for_each_portal`` splits a portal entry's name."""
    address, comma, rest = name.partition(",")
    if not comma:
        return None
    port, comma, tpgt = rest.partition(",")
    return address, _c_atoi(port), _c_atoi(tpgt) if comma else None


def _db_index(parts: tuple[str, ...]) -> int | None:
    """Index of the records directory (``nodes``, ``ifaces``, ...) below a database root."""
    for i in range(len(parts) - 2, 0, -1):
        if parts[i - 1] in DB_DIRS and parts[i] in ("nodes", "ifaces", *_DISCOVERY_FILES):
            return i
    return None


def record_path(parts: tuple[str, ...]) -> RecordPath | None:
    """What the path (its components) of a file in an open-iscsi database is; ``None`` for
    any other file."""
    at = _db_index(parts)
    if at is None:
        return None
    area, below = parts[at], parts[at + 1 :]
    if area == "ifaces":
        return RecordPath("iface", iface=below[0]) if len(below) == 1 else None
    if area in _DISCOVERY_FILES:
        return _discovery(below, _DISCOVERY_FILES[area])
    return _node(below)


def _discovery(below: tuple[str, ...], name: str) -> RecordPath | None:
    portal = _portal(below[0])
    if portal is None or not (len(below) == 1 or below[1:] == (name,)):
        return None
    return RecordPath("discovery", address=portal[0], port=portal[1])


def _node(below: tuple[str, ...]) -> RecordPath | None:
    if len(below) not in (2, 3):
        return None
    portal = _portal(below[1])
    if portal is None:
        return None
    address, port, tpgt = portal
    if len(below) == 2:  # the flat layout: read only without a tpgt
        return RecordPath("node", below[0], address, port, tpgt, "default", read=tpgt is None)
    if tpgt is None:
        return None  # iscsiadm reads <address>,<port> as a file, never as a directory
    return RecordPath("node", below[0], address, port, tpgt, below[2])
