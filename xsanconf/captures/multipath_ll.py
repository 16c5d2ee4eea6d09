"""``multipath -ll`` (and ``-l``): the maps, their path groups and paths as the host saw them.

The current layout (multipath-tools 0.4.9 and later; ``snprint_multipath_topology`` in
libmultipath/print.c)::

    [ACTION: ]ALIAS (WWID) dm-N VENDOR,PRODUCT        (``WWID dm-N ...`` when no alias)
    size=10G features='1 queue_if_no_path' hwhandler='0' wp=rw
    |-+- policy='round-robin 0' prio=1 status=active
    | `- 2:0:0:1 sdb 8:16 active ready running       (hctl, dev, dev_t, dm, checker, online)
    `-+- policy='round-robin 0' prio=1 status=enabled
      `- 3:0:0:1 sdc 8:32 active ready running

Older releases (RHEL 4 and 5, SLES 10) put the properties in brackets and draw ``\\_``::

    mpath1 (3600d0230003228bc000339414edb8101) [size=10 GB][features="0"][hwhandler="0"]
    \\_ round-robin 0 [prio=1][active]
     \\_ 2:0:0:6 sdb 8:16 [active][ready]

``multipath -v4 -ll`` (what sos captures besides ``-ll``) adds debug lines (``Feb 14 12:47:54
| sde: ...``); they and any other line that is no part of a map are kept as ``unread``.
"""

from __future__ import annotations

import re

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = ["MapState", "MultipathTopology", "PathGroupState", "PathState", "parse_multipath_ll"]

_BAD_CHECKER = frozenset({"faulty", "shaky", "failed", "offline", "i/o pending", "delayed"})


@attrs.frozen
class PathState:
    hctl: str  # "2:0:0:1" ("#:#:#:#" when unknown)
    dev: str  # "sdb"
    devt: str  # "8:16"
    dm_state: str | None  # active, failed
    checker: str | None  # ready, ghost, faulty, shaky, undef ...
    online: str | None  # running, offline
    line: int

    @property
    def usable(self) -> bool:
        """Whether the path carries I/O as far as the capture shows."""
        return (
            self.dm_state != "failed"
            and self.checker not in _BAD_CHECKER
            and self.online not in ("offline", "blocked", "transport-offline")
        )


@attrs.frozen
class PathGroupState:
    policy: str | None
    prio: str | None
    status: str | None  # active, enabled, disabled
    line: int
    paths: tuple[PathState, ...]


@attrs.frozen
class MapState:
    name: str  # the alias, or the WWID when the map has none
    wwid: str
    dm: str | None  # "dm-3"
    vendor: str | None
    product: str | None
    line: int
    groups: tuple[PathGroupState, ...]
    action: str | None = None  # create, reload ... when multipath changed the map

    @property
    def paths(self) -> tuple[PathState, ...]:
        return tuple(p for g in self.groups for p in g.paths)


@attrs.frozen
class MultipathTopology:
    maps: tuple[MapState, ...]
    unread: tuple[Unread, ...] = ()

    def by_wwid(self, wwid: str) -> MapState | None:
        return next((m for m in self.maps if m.wwid == wwid), None)


_GLYPHS = re.compile(r"^[\s|`\\_+-]*")
_HCTL = re.compile(r"^([#\d]+:[#\d]+:[#\d]+:[#\d]+)\s+(\S+)\s+(\d+:\d+)\s*(.*)$")
_ACTION = re.compile(r"^(\w+): ")
_DM = re.compile(r"^(dm-\d+|undef)$")
_CHECKER_STATES = ("ready", "ghost", "faulty", "shaky", "undef", "i/o pending", "delayed")
_DEBUG = re.compile(r"^(\w{3} +\d+ )?\d\d:\d\d:\d\d(\.\d+)? \| ")


@attrs.define
class _Map:
    header: MapState
    groups: list[tuple[PathGroupState, list[PathState]]] = attrs.field(factory=list)

    def build(self) -> MapState:
        groups = tuple(attrs.evolve(g, paths=tuple(p)) for g, p in self.groups)
        return attrs.evolve(self.header, groups=groups)


def parse_multipath_ll(text: str) -> MultipathTopology:
    maps: list[_Map] = []
    unread: list[Unread] = []
    for number, line in lines(text):
        if not line.strip():
            continue
        if _DEBUG.match(line):
            unread.append(Unread(number, line))
            continue
        glyphs = _GLYPHS.match(line)
        prefix = glyphs.group(0) if glyphs else ""
        rest = line[len(prefix) :]
        current = maps[-1] if maps else None
        path = _HCTL.match(rest) if prefix else None
        if current is not None and path is not None:
            if not current.groups:  # a path before any group line: an implicit group
                current.groups.append((PathGroupState(None, None, None, number, ()), []))
            current.groups[-1][1].append(_path(path, number))
        elif current is not None and ("-+-" in prefix or "\\_" in prefix):
            current.groups.append((_group(rest, number), []))
        elif current is not None and (rest.startswith(("size=", "[size=")) and not prefix):
            continue
        elif not prefix and not rest.startswith("["):
            header = _header(rest, number)
            if header is None:
                unread.append(Unread(number, line))
            else:
                maps.append(_Map(header))
        else:
            unread.append(Unread(number, line))
    return MultipathTopology(tuple(m.build() for m in maps), tuple(unread))


def _header(text: str, number: int) -> MapState | None:
    """``[ACTION: ]NAME[ (WWID)][ dm-N][ VENDOR,PRODUCT][ [size=...]...]``, read word by word
    (a pattern with optional groups backtracks on a long line of blanks)."""
    action = None
    found = _ACTION.match(text)
    if found is not None:
        action, text = found.group(1), text[found.end() :]
    bracket = text.find("[")
    words = (text[:bracket] if bracket >= 0 else text).split()
    if not words or "=" in words[0] or words[0].startswith("("):
        return None
    name, rest = words[0], words[1:]
    wwid = None
    if rest and rest[0].startswith("(") and rest[0].endswith(")"):
        wwid, rest = rest[0][1:-1], rest[1:]
    dm = None
    if rest and _DM.match(rest[0]):
        dm, rest = rest[0], rest[1:]
    vendor = product = None
    if rest:
        vendor, _, product = " ".join(rest).partition(",")
    return MapState(name, wwid or name, dm, vendor or None, product or None, number, (), action)


def _group(text: str, number: int) -> PathGroupState:
    if text.startswith("policy="):
        values = dict(re.findall(r"(\w+)=('[^']*'|\S+)", text))
        policy = values.get("policy", "").strip("'") or None
        return PathGroupState(policy, values.get("prio"), values.get("status"), number, ())
    # old: "round-robin 0 [prio=1][active]"
    policy, _, brackets = text.partition("[")
    words = re.findall(r"\[([^\]]*)\]", "[" + brackets) if brackets else []
    prio = next((w.split("=", 1)[1] for w in words if w.startswith("prio=")), None)
    status = next(
        (w.strip() for w in words if w.strip() in ("active", "enabled", "disabled")), None
    )
    return PathGroupState(policy.strip() or None, prio, status, number, ())


def _path(found: re.Match[str], number: int) -> PathState:
    hctl, dev, devt, rest = found.groups()
    words = rest.replace("[", " ").replace("]", " ").split()
    joined = " ".join(words)
    dm_state = next((w for w in words if w in ("active", "failed")), None)
    checker = next(
        (s for s in _CHECKER_STATES if re.search(rf"(^| ){re.escape(s)}( |$)", joined)), None
    )
    online = next(
        (w for w in words if w in ("running", "offline", "blocked", "transport-offline")), None
    )
    return PathState(hctl, dev, devt, dm_state, checker, online, number)
