"""Start and stop order of a host's storage services, from what its ``/etc`` (and ``/lib``) holds.

Four mechanisms decide the order, and a host uses one of them (as sysv-rc, insserv, systemd's
sysv-generator and the packages' units implement it):

* **systemd** (the host carries ``etc/systemd/system``): ``After=``/``Before=`` between the two
  units, read from the unit file (``/etc`` replaces ``/lib``), its drop-ins (which can only add),
  the unit the distribution ships when the site does not carry ``/lib`` (an assumption the
  relation states), or the unit sysv-generator makes from an init script's LSB header.
  Stop order is the reverse of start order.
* **insserv** (``etc/init.d/.depend.start`` exists): the make-style dependency files it wrote.
* **LSB headers** (insserv in use without its ``.depend`` files, or no runlevel links at all):
  the dependency order the headers declare, transitively.
* **runlevel links** (plain sysvinit): the lexical order of ``S``/``K`` links.

A relation says whether the first service starts (or stops) before or after the second, or that
nothing orders them, and names its evidence: links, header fields, unit keys.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import weakref
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from xsanconf.lint.diagnostics import Location
from xsanconf.lint.rc_links import RcLink, rc_links, stays_inside

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.formats.init_script import LsbField, LsbHeader
    from xsanconf.formats.systemd_unit import UnitEntry
    from xsanconf.lint.site import Host
    from xsanconf.syntax import Node, Token, Trivia

__all__ = [
    "DRBD_SERVICES",
    "INITIATOR_SERVICES",
    "MULTIPATH_SERVICES",
    "SHIPPED_UNITS",
    "TARGET_SERVICES",
    "BootOrder",
    "Evidence",
    "Relation",
    "boot_order",
]

DRBD_SERVICES = ("drbd",)
# IET, SCST, tgt (Debian tgt, RHEL tgtd) and LIO (RHEL target, Debian rtslib-fb-targetctl).
TARGET_SERVICES = (
    "iscsitarget",
    "iscsi-target",
    "iscsi-scst",
    "scst",
    "tgt",
    "tgtd",
    "target",
    "rtslib-fb-targetctl",
)
INITIATOR_SERVICES = ("iscsid", "open-iscsi", "iscsi")
MULTIPATH_SERVICES = ("multipathd", "multipath-tools", "multipath-tools-boot", "boot.multipath")

# Configuration files whose presence says a service's package is installed.
CONFIG_EVIDENCE: dict[str, tuple[str, ...]] = {
    "drbd": ("etc/drbd.conf", "etc/drbd.d"),
    "iscsitarget": ("etc/iet/ietd.conf", "etc/ietd.conf", "etc/default/iscsitarget"),
    "tgt": ("etc/tgt/targets.conf",),
    "target": ("etc/target/saveconfig.json",),
    "rtslib-fb-targetctl": ("etc/rtslib-fb-target/saveconfig.json",),
    "scst": ("etc/scst.conf",),
    "iscsid": ("etc/iscsi/iscsid.conf",),
    "open-iscsi": ("etc/iscsi/iscsid.conf",),
    "multipathd": ("etc/multipath.conf",),
}

# The [Unit] ordering of the units the packages ship (reference: boot-order.md, section 3),
# used when the site does not carry /lib/systemd/system.  Services missing here (IET's
# iscsitarget, SCST) ship only an init script that sysv-generator turns into a unit.
SHIPPED_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "drbd": {
        "After": ("network-online.target", "sshd.service", "drbdproxy.service"),
        "Before": ("pacemaker.service",),
        "Wants": ("network-online.target", "sshd.service"),
    },
    "target": {
        "After": ("sys-kernel-config.mount", "network.target", "local-fs.target"),
        "Requires": ("sys-kernel-config.mount",),
    },
    "rtslib-fb-targetctl": {
        "After": ("sys-kernel-config.mount", "network.target", "local-fs.target"),
        "Requires": ("sys-kernel-config.mount",),
    },
    "tgt": {"After": ("network.target",)},
    "tgtd": {"After": ("network.target",)},
    "iscsid": {
        "After": ("network.target", "network-online.target"),
        "Before": ("remote-fs-pre.target",),
    },
    "open-iscsi": {
        "After": ("network-online.target", "iscsid.service"),
        "Before": ("remote-fs-pre.target",),
    },
    "iscsi": {
        "After": ("network-online.target", "iscsid.service"),
        "Before": ("remote-fs.target",),
    },
    "multipathd": {
        "After": ("systemd-udevd-kernel.socket", "multipathd.socket", "systemd-remount-fs.service"),
        "Before": ("local-fs-pre.target", "blk-availability.service", "shutdown.target"),
    },
}
UNIT_DIRS = (
    "etc/systemd/system",
    "run/systemd/system",
    "lib/systemd/system",
    "usr/lib/systemd/system",
)
# Debian keeps init scripts in /etc/init.d; RHEL in /etc/rc.d/init.d (with /etc/init.d a link).
INIT_DIRS = ("etc/init.d", "etc/rc.d/init.d")
Order = Literal["before", "after", "unordered"]
Phase = Literal["start", "stop"]


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(repr=False)
class Evidence:
    """One fact an order rests on: a link, a header field, a unit key, or an assumption."""

    text: str
    location: Location | None = None


@attrs.frozen(repr=False)
class Relation:
    """How ``first`` is ordered against ``second`` in one phase, by one mechanism."""

    mechanism: str
    phase: Phase
    first: str
    second: str
    order: Order  # first starts (stops) before / after second, or nothing orders them
    detail: str
    evidence: tuple[Evidence, ...] = ()
    assumption: str | None = None
    runlevels: tuple[str, ...] = ()

    @property
    def related(self) -> tuple[Location, ...]:
        return tuple(attrs.evolve(e.location, message=e.text) for e in self.evidence if e.location)


def _shown(root: Path, rel: str) -> str:
    text = str(root)
    return rel if text in ("", ".") else posixpath.join(text, rel)


# The records below are plain classes: attrs compiles each class's methods at import, on every
# lint run, and these are never compared or printed.
class _File:
    """A parsed file with a display path: a site file, or one read here from the host's /lib."""

    __slots__ = ("doc", "host", "path")

    def __init__(self, path: str, host: str, doc: Document) -> None:
        self.path = path
        self.host = host
        self.doc = doc

    def location(
        self, item: Node | Token | Trivia | None = None, message: str | None = None
    ) -> Location:
        if item is None:
            return Location(self.path, host=self.host, message=message)
        line, column = self.doc.position(item)
        end_line, end_column = self.doc.end_position(item)
        return Location(self.path, line, column, end_line, end_column, self.host, message)


class _Edge:
    """``source`` runs (starts or stops) before ``dest`` because of ``evidence``."""

    __slots__ = ("dest", "evidence", "source")

    def __init__(self, source: str, dest: str, evidence: Evidence) -> None:
        self.source = source
        self.dest = dest
        self.evidence = evidence


class BootOrder:
    """The ordering facts of one host."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.root = Path(host.root)
        self.links = rc_links(self.root)
        self.headers: dict[str, tuple[_File, LsbHeader]] = {}
        self.scripts: set[str] = set()
        self._read_scripts()
        self._units: dict[str, _UnitView | None] = {}
        self._exist: dict[str, bool] = {}

    # what the host has

    def _read_scripts(self) -> None:
        for file in self.host.documents("init-script"):
            name = posixpath.basename(file.rel)
            if posixpath.dirname(file.rel) not in INIT_DIRS or name.startswith("."):
                continue
            self.scripts.add(name)
            if not file.doc.parsed:
                continue
            header = file.doc.model.header
            if header is not None:
                self.headers[name] = (_File(file.path, self.host.name, file.doc), header)

    def _exists(self, rel: str) -> bool:
        # Every rule asks present() about the same services in the same unit directories, most
        # of them absent: one lstat per path and host, and none below a directory that is not
        # there (nothing exists inside a missing directory).
        found = self._exist.get(rel)
        if found is None:
            parent = posixpath.dirname(rel)
            found = (parent in ("", rel) or self._exists(parent)) and os.path.lexists(
                os.path.join(self.root, rel)
            )
            self._exist[rel] = found
        return found

    @property
    def uses_systemd(self) -> bool:
        rel = "etc/systemd/system"
        return stays_inside(self.root, rel) and (self.root / rel).is_dir()

    @property
    def uses_insserv(self) -> bool:
        return any(
            self._exists(p) for p in ("etc/init.d/.depend.start", "etc/insserv.conf", "etc/insserv")
        )

    def present(self, service: str) -> bool:
        """Whether the host carries anything of the service: script, link, unit, config."""
        if service in self.scripts or any(link.script == service for link in self.links):
            return True
        if any(service in h.provides for _, h in self.headers.values()):
            return True
        unit = f"{service}.service"
        if any(self._exists(f"{d}/{unit}") or self._exists(f"{d}/{unit}.d") for d in UNIT_DIRS):
            return True
        return any(self._exists(p) for p in CONFIG_EVIDENCE.get(service, ()))

    def services(self, candidates: Iterable[str]) -> list[str]:
        """The candidates the host has, one name per init script (Provides: aliases merged)."""
        found: dict[str, str] = {}
        for service in candidates:
            if self.present(service):
                found.setdefault(self._provider(service) or service, service)
        return list(found.values())

    @property
    def mechanism(self) -> str | None:
        """Which mechanism orders this host's services."""
        if self.uses_systemd:
            return "systemd"
        if self._exists("etc/init.d/.depend.start"):
            return "insserv"
        if self.uses_insserv and self.headers:
            return "lsb"
        if self.links:
            return "links"
        return "lsb" if self.headers else None

    # relations

    def relation(self, first: str, second: str, phase: Phase) -> Relation | None:
        """How ``first`` starts/stops relative to ``second``; None without facts for both."""
        mechanism = self.mechanism
        if mechanism == "systemd":
            return self._systemd(first, second, phase)
        if mechanism == "insserv":
            return self._depend(first, second, phase)
        if mechanism == "links":
            return (
                self._links_start(first, second)
                if phase == "start"
                else self._links_stop(first, second)
            )
        if mechanism == "lsb":
            return self._lsb(first, second, phase)
        return None

    def start(self, first: str, second: str) -> Relation | None:
        return self.relation(first, second, "start")

    def stop(self, first: str, second: str) -> Relation | None:
        return self.relation(first, second, "stop")

    # runlevel links

    def _link_location(self, link: RcLink) -> Location:
        return Location(_shown(self.root, link.rel), host=self.host.name, message=link.shown)

    def _links_of(self, service: str, action: str) -> dict[str, RcLink]:
        found: dict[str, RcLink] = {}
        for link in self.links:
            if link.action == action and link.script == service:
                found.setdefault(link.runlevel, link)
        return found

    def _links_start(self, first: str, second: str) -> Relation | None:
        firsts, seconds = self._links_of(first, "S"), self._links_of(second, "S")
        verdicts: list[tuple[str, RcLink, RcLink, bool]] = []
        for level in "S2345":
            s = seconds.get(level)
            f = firsts.get("S") or firsts.get(level)
            if s is not None and f is not None:
                verdicts.append((level, f, s, f.runs_before(s)))
        if not verdicts:
            return None
        bad = [v for v in verdicts if not v[3]]
        level, f, s, _ = (bad or verdicts)[0]
        order: Order = "after" if bad else "before"
        runs = "after" if bad else "before"
        detail = f"{f.link_name} runs {runs} {s.link_name}" + (
            "" if f.runlevel == s.runlevel else f" (rc{f.runlevel}.d runs before rc{s.runlevel}.d)"
        )
        return Relation(
            "runlevel links",
            "start",
            first,
            second,
            order,
            detail,
            (Evidence(f.shown, self._link_location(f)), Evidence(s.shown, self._link_location(s))),
            runlevels=tuple(v[0] for v in (bad or verdicts)),
        )

    def _links_stop(self, first: str, second: str) -> Relation | None:
        firsts, seconds = self._links_of(first, "K"), self._links_of(second, "K")
        started = bool(self._links_of(second, "S"))
        verdicts: list[tuple[str, Order, str, tuple[Evidence, ...]]] = []
        for level in "06":
            f, s = firsts.get(level), seconds.get(level)
            if f is not None and s is not None:
                order: Order = "before" if f.link_name < s.link_name else "after"
                runs = "before" if order == "before" else "after"
                evidence: tuple[Evidence, ...] = (
                    Evidence(f.shown, self._link_location(f)),
                    Evidence(s.shown, self._link_location(s)),
                )
                verdicts.append(
                    (level, order, f"{f.link_name} runs {runs} {s.link_name}", evidence)
                )
            elif f is not None and started:
                detail = (
                    f"{f.link_name} runs while {second} has no K link in rc{level}.d: "
                    "it is only killed by sendsigs afterwards"
                )
                verdicts.append(
                    (level, "before", detail, (Evidence(f.shown, self._link_location(f)),))
                )
        if not verdicts:
            return None
        bad = [v for v in verdicts if v[1] == "before"]
        _, order, detail, evidence = (bad or verdicts)[0]
        return Relation(
            "runlevel links",
            "stop",
            first,
            second,
            order,
            detail,
            evidence,
            runlevels=tuple(v[0] for v in (bad or verdicts)),
        )

    # insserv's .depend files

    def _depend(self, first: str, second: str, phase: Phase) -> Relation | None:
        rel = "etc/init.d/.depend.start" if phase == "start" else "etc/init.d/.depend.stop"
        lines = self._depend_lines(rel)
        if lines is None or first not in lines or second not in lines:
            return None
        edges: list[_Edge] = []
        for name, (line, deps) in lines.items():
            where = Location(_shown(self.root, rel), line, 1, host=self.host.name)
            text = f"{rel}: {name}: {' '.join(deps)}"
            # "NAME: DEPS": NAME starts (stops) after DEPS
            edges += [_Edge(dep, name, Evidence(text, where)) for dep in deps]
        return self._judge(
            "insserv .depend files",
            phase,
            first,
            second,
            edges,
            self._depend_unordered(rel, lines, first, second),
        )

    def _depend_unordered(
        self, rel: str, lines: dict[str, tuple[int, list[str]]], first: str, second: str
    ) -> tuple[Evidence, ...]:
        shown = _shown(self.root, rel)
        return tuple(
            Evidence(
                f"{rel}: {n}: {' '.join(lines[n][1])}" if lines[n][1] else f"{rel}: {n} listed",
                Location(shown, lines[n][0], 1, host=self.host.name),
            )
            for n in (first, second)
        )

    def _depend_lines(self, rel: str) -> dict[str, tuple[int, list[str]]] | None:
        file = self.host.file(rel)
        if file is not None:
            text = file.text()
        else:
            # inside the host root, a regular file (a FIFO would block), bounded in size
            read = self.host.read_text(rel)
            if read is None:
                return None
            text = read
        found: dict[str, tuple[int, list[str]]] = {}
        listed: dict[str, int] = {}  # scripts named on TARGETS (or only as a dependency)
        for number, line in enumerate(text.splitlines(), 1):
            name, colon, deps = line.partition(":")
            name = name.strip()
            if colon and name and " " not in name:
                found[name] = (number, deps.split())
                listed.update(dict.fromkeys(deps.split(), number))
            elif line.startswith("TARGETS") and "=" in line:
                listed.update(dict.fromkeys(line.split("=", 1)[1].split(), number))
        for name, number in listed.items():
            found.setdefault(name, (number, []))
        return found

    # LSB headers

    def _provider(self, name: str) -> str | None:
        if name in self.headers:
            return name
        for script, (_, header) in self.headers.items():
            if name in header.provides:
                return script
        return None

    def _field_evidence(self, script: str, field: LsbField) -> Evidence:
        file, _ = self.headers[script]
        return Evidence(
            f"etc/init.d/{script}: # {field.key}: {field.value}", file.location(field.token)
        )

    def _lsb_edges(self, phase: Phase) -> list[_Edge]:
        # start: "A Required-Start/Should-Start: B" -> B before A;
        #        "A X-Start-Before: B" -> A before B
        # stop:  "A Required-Stop/Should-Stop: B" -> A stops before B (B must still run);
        #        "A X-Stop-After: B" -> B stops before A
        after_keys = ("Required-Start", "Should-Start") if phase == "start" else ()
        before_keys = ("X-Start-Before",) if phase == "start" else ("Required-Stop", "Should-Stop")
        later_keys = () if phase == "start" else ("X-Stop-After",)
        edges: list[_Edge] = []
        for script, (_, header) in self.headers.items():
            for field in header.fields():
                key = field.canonical_key
                if key not in after_keys + before_keys + later_keys:
                    continue
                evidence = self._field_evidence(script, field)
                for word in field.words:
                    other = self._provider(word)
                    if other is None or other == script:
                        continue
                    if key in after_keys or key in later_keys:
                        edges.append(_Edge(other, script, evidence))
                    else:
                        edges.append(_Edge(script, other, evidence))
        return edges

    def _lsb(self, first: str, second: str, phase: Phase) -> Relation | None:
        a, b = self._provider(first), self._provider(second)
        if a is None or b is None:
            return None
        unordered = []
        for script in (a, b):
            file, header = self.headers[script]
            key = "Required-Start" if phase == "start" else "Required-Stop"
            field = header.field(key)
            token = field.token if field else header.begin
            text = (
                f"etc/init.d/{script}: # {key}: {field.value}"
                if field
                else f"etc/init.d/{script}: LSB header"
            )
            unordered.append(Evidence(text, file.location(token)))
        relation = self._judge("LSB headers", phase, a, b, self._lsb_edges(phase), tuple(unordered))
        assumption = None
        if not self.uses_insserv:
            assumption = (
                "no runlevel links and no insserv files: the order insserv would derive "
                "from the headers"
            )
        return attrs.evolve(relation, first=first, second=second, assumption=assumption)

    # systemd

    def unit(self, service: str) -> _UnitView | None:
        if service not in self._units:
            self._units[service] = _UnitView.build(self, service)
        return self._units[service]

    def _systemd(self, first: str, second: str, phase: Phase) -> Relation | None:
        a, b = self.unit(first), self.unit(second)
        if a is None or b is None:
            return None
        forward = _unit_precedes(a, b)  # a starts before b
        backward = _unit_precedes(b, a)
        assumption = "; ".join(x for x in (a.assumption, b.assumption) if x) or None
        order: Order
        if backward:
            order, evidence = "after", backward
            detail = f"{a.name} starts after {b.name} (and so stops before it)"
        elif forward:
            order, evidence = "before", forward
            detail = f"{a.name} starts before {b.name} (and so stops after it)"
        else:
            order, evidence = "unordered", (*a.anchor(), *b.anchor())
            detail = f"neither {a.name} nor {b.name} has After= or Before= naming the other"
        if phase == "stop" and order != "unordered":
            order = "before" if order == "after" else "after"  # stop order reverses start order
        return Relation("systemd units", phase, first, second, order, detail, evidence, assumption)

    # shared

    def _judge(  # noqa: PLR0917 - one call per mechanism, each argument a distinct fact
        self,
        mechanism: str,
        phase: Phase,
        first: str,
        second: str,
        edges: list[_Edge],
        unordered: tuple[Evidence, ...],
    ) -> Relation:
        forward = _path(edges, first, second)
        backward = _path(edges, second, first)
        verb = "starts" if phase == "start" else "stops"
        if backward is not None:
            return Relation(
                mechanism, phase, first, second, "after", f"{first} {verb} after {second}", backward
            )
        if forward is not None:
            return Relation(
                mechanism,
                phase,
                first,
                second,
                "before",
                f"{first} {verb} before {second}",
                forward,
            )
        detail = (
            f"no declared dependency orders {first} and {second}: they may run in either "
            "order or in parallel"
        )
        return Relation(mechanism, phase, first, second, "unordered", detail, unordered)


def _path(edges: list[_Edge], start: str, goal: str) -> tuple[Evidence, ...] | None:
    """The evidence along a chain of edges from ``start`` to ``goal`` (breadth first)."""
    by_source: dict[str, list[_Edge]] = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    came: dict[str, _Edge | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            chain: list[Evidence] = []
            step = came[node]
            while step is not None:
                if step.evidence not in chain:
                    chain.append(step.evidence)
                step = came[step.source]
            return tuple(reversed(chain))
        for edge in by_source.get(node, []):
            if edge.dest not in came:
                came[edge.dest] = edge
                queue.append(edge.dest)
    return None


class _UnitView:
    """A service's effective unit: where it comes from and its ordering lists, with evidence."""

    __slots__ = ("after", "assumption", "before", "name", "service", "sources")

    def __init__(self, service: str, name: str) -> None:
        self.service = service
        self.name = name
        self.after: list[tuple[str, Evidence]] = []
        self.before: list[tuple[str, Evidence]] = []
        self.sources: list[Evidence] = []
        self.assumption: str | None = None

    def anchor(self) -> tuple[Evidence, ...]:
        return tuple(self.sources[:1])

    def names(self) -> set[str]:
        return {self.name, f"{self.service}.target"}

    def matches(self, unit: str) -> bool:
        return unit in self.names() or fnmatch.fnmatchcase(unit, f"{self.service}@*")

    @classmethod
    def build(cls, order: BootOrder, service: str) -> _UnitView | None:
        if not order.present(service):
            return None
        name = f"{service}.service"
        view = cls(service, name)
        etc = order.root / "etc/systemd/system" / name
        if etc.is_symlink() and os.readlink(etc) in ("/dev/null", "../../../dev/null"):
            return None  # masked: systemd never starts it
        base = next(
            (
                f"{d}/{name}"
                for d in UNIT_DIRS
                if not (order.root / d / name).is_symlink()
                and stays_inside(order.root, f"{d}/{name}")
                and (order.root / d / name).is_file()
            ),
            None,
        )
        if base is not None:
            view._take_file(order, base, drop_in=False)
        elif service in SHIPPED_UNITS:
            view._take_shipped(order, service)
        elif service in order.headers:
            view._take_generated(order, service)
        else:
            return None
        for rel in _drop_ins(order.root, name):
            view._take_file(order, rel, drop_in=True)
        return view

    def _take_file(self, order: BootOrder, rel: str, drop_in: bool) -> None:
        file = _unit_file(order, rel)
        if file is None or not file.doc.parsed:
            return
        unit = file.doc.model
        sections = unit.sections("Unit")
        if not self.sources:
            head = sections[0].head if sections else None
            self.sources.append(Evidence(rel, file.location(head)))
        for key, target in (("After", self.after), ("Before", self.before)):
            entries: list[UnitEntry] = unit.entries("Unit", key)
            for entry in entries:
                evidence = Evidence(f"{rel}: {entry.key}={entry.value}", file.location(entry.token))
                if not entry.words and not drop_in:
                    target.clear()  # an empty assignment resets the list read so far
                target += [(w, evidence) for w in entry.words]

    def _take_shipped(self, order: BootOrder, service: str) -> None:
        shipped = SHIPPED_UNITS[service]
        text = f"{self.name} as the package ships it"
        evidence = Evidence(text)
        self.sources.append(evidence)
        self.after += [(u, evidence) for u in shipped.get("After", ())]
        self.before += [(u, evidence) for u in shipped.get("Before", ())]
        self.assumption = (
            f"the site does not carry /lib/systemd/system/{self.name}; assumed the packaged "
            f"unit (After={' '.join(shipped.get('After', ()))})"
        )

    def _take_generated(self, order: BootOrder, service: str) -> None:
        # sysv-generator: Required-Start, Should-Start and X-Start-After become After=,
        # X-Start-Before becomes Before= (systemd up to v259; v260 dropped SysV scripts)
        file, header = order.headers[service]
        self.sources.append(
            Evidence(f"etc/init.d/{service}: LSB header", file.location(header.begin))
        )
        self.assumption = (
            f"no native {self.name}: systemd (before v260) generates it from /etc/init.d/{service}"
        )
        for field in header.fields():
            key = field.canonical_key
            if key not in ("Required-Start", "Should-Start", "X-Start-After", "X-Start-Before"):
                continue
            evidence = order._field_evidence(service, field)
            units = [_facility_unit(w) for w in field.words]
            target = self.before if key == "X-Start-Before" else self.after
            target += [(u, evidence) for u in units if u]


def _facility_unit(word: str) -> str | None:
    if word.startswith("$"):
        return None  # facilities map to targets, never to a storage service
    return word if "." in word else f"{word}.service"


def _unit_precedes(a: _UnitView, b: _UnitView) -> tuple[Evidence, ...]:
    """Evidence that ``a`` starts before ``b``: ``b`` After= ``a``, or ``a`` Before= ``b``."""
    found = [ev for unit, ev in b.after if a.matches(unit)]
    found += [ev for unit, ev in a.before if b.matches(unit)]
    return tuple(dict.fromkeys(found))


def _drop_ins(root: Path, name: str) -> list[str]:
    """Drop-in files of a unit in systemd's order: by file name, /etc masking /lib."""
    chosen: dict[str, str] = {}
    for base in reversed(UNIT_DIRS):
        rel_dir = f"{base}/{name}.d"
        if not stays_inside(root, rel_dir):
            continue
        try:
            names = os.listdir(root / rel_dir)
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".conf"):
                chosen[entry] = f"{rel_dir}/{entry}"
    return [chosen[n] for n in sorted(chosen)]


def _unit_file(order: BootOrder, rel: str) -> _File | None:
    site_file = order.host.file(rel)
    if site_file is not None and site_file.kind == "systemd-unit":
        return _File(site_file.path, order.host.name, site_file.doc)
    path = order.root / rel
    if path.is_symlink() or not stays_inside(order.root, rel):
        return None
    # read as every other file is: a regular file, bounded, opened without blocking (a unit
    # in /lib/systemd/system is no file the site loads, and could be a FIFO or 1 GB)
    text = order.host.read_text(rel)
    if text is None:
        return None
    from xsanconf.api import loads

    shown = _shown(order.root, rel)
    return _File(shown, order.host.name, loads(text, "systemd-unit", path=shown, recover=True))


_CACHE: weakref.WeakKeyDictionary[Host, BootOrder] = weakref.WeakKeyDictionary()


def boot_order(host: Host) -> BootOrder:
    """The host's ordering facts (built once per host and shared by the BOOT rules)."""
    cached = _CACHE.get(host)
    if cached is None:
        cached = _CACHE[host] = BootOrder(host)
    return cached
