"""A host's captured state: command outputs found in its root, parsed once, on first question.

Where each capture is looked for, first found wins (README "Captures"):

=================  ===========================================================================
capture            files
=================  ===========================================================================
proc-drbd          ``captures/proc-drbd.txt``, ``proc/drbd`` (a copied root, a sosreport)
drbd-status        ``captures/drbdadm-status.txt``, ``captures/drbdsetup-status.txt``,
                   ``captures/drbdsetup-status-json.txt``; sos: ``sos_commands/drbd/``
                   ``drbdsetup_status_-vs_all`` (sos 4.10+), ``drbdsetup_status_all``
drbdsetup-show     ``captures/drbdsetup-show.txt``; sos: ``sos_commands/drbd/drbdsetup_show_all``
modinfo-drbd       ``captures/modinfo-drbd.txt``; sos: ``sos_commands/kernel/modinfo_ALL_MODULES``
                   (the drbd stanza), ``sos_commands/drbd/modinfo_*``
multipath-ll       ``captures/multipath-ll.txt``; sos: ``sos_commands/multipath/multipath_-ll``,
                   ``multipath_-v4_-ll``
iscsi-session      ``captures/iscsiadm-session.txt``; sos: ``sos_commands/iscsi/``
                   ``iscsiadm_-m_session_-P_3``
iscsi-node         ``captures/iscsiadm-node.txt``; sos: ``sos_commands/iscsi/``
                   ``iscsiadm_-m_node_--op_show``, ``iscsiadm_-m_node_-P_1``
targetcli-ls       ``captures/targetcli-ls.txt``; sos: ``sos_commands/targetcli/targetcli_ls``
proc-cmdline       ``captures/proc-cmdline.txt``, ``proc/cmdline``
dmesg              ``captures/dmesg.txt``; sos: ``sos_commands/kernel/dmesg``
=================  ===========================================================================

A supportconfig directory holds them as sections of its topic files (``drbd.txt``,
``mpio.txt``, ``fs-iscsi.txt``, ``boot.txt``, ``lio.txt``): the section whose command (path
dropped) starts with the capture's command, or for ``/proc`` files the section naming the file.

Every file is read as a configuration file is (inside the root, links followed as the host
follows them, regular, at most ``MAX_FILE_BYTES``); the linting machine's ``/proc`` is never
read.  A capture that is absent is None, and rules that need it stay silent.
"""

from __future__ import annotations

import functools
import importlib
import posixpath
import re
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from xsanconf.lint.diagnostics import Location

if TYPE_CHECKING:
    from xsanconf.captures.drbd_status import DrbdStatus
    from xsanconf.captures.drbdsetup_show import DrbdShow
    from xsanconf.captures.iscsiadm import IscsiNodes, IscsiSessions, NodeRecord
    from xsanconf.captures.kernel_log import SplitBrain
    from xsanconf.captures.modinfo import ModuleInfo
    from xsanconf.captures.multipath_ll import MultipathTopology
    from xsanconf.captures.proc_drbd import ProcDrbd
    from xsanconf.captures.targetcli import TargetcliTree
    from xsanconf.lint.site import Host

__all__ = [
    "CAPTURE_FILES",
    "NODE_DATABASES",
    "Capture",
    "HostCaptures",
    "captures",
    "multipath_version",
    "node_records",
]

T_co = TypeVar("T_co", covariant=True)

# capture -> files in the host root, first found wins; "*" names the newest of a glob
CAPTURE_FILES: dict[str, tuple[str, ...]] = {
    "proc-drbd": ("captures/proc-drbd.txt", "proc/drbd"),
    "drbd-status": (
        "captures/drbdadm-status.txt",
        "captures/drbdsetup-status.txt",
        "captures/drbdsetup-status-json.txt",
        "sos_commands/drbd/drbdsetup_status_-vs_all",
        "sos_commands/drbd/drbdsetup_status_all",
    ),
    "drbdsetup-show": ("captures/drbdsetup-show.txt", "sos_commands/drbd/drbdsetup_show_all"),
    "modinfo-drbd": (
        "captures/modinfo-drbd.txt",
        "modinfo-drbd.txt",
        "sos_commands/drbd/modinfo_*",
        "sos_commands/kernel/modinfo_ALL_MODULES",
    ),
    "multipath-ll": (
        "captures/multipath-ll.txt",
        "sos_commands/multipath/multipath_-ll",
        "sos_commands/multipath/multipath_-v4_-ll",
    ),
    "iscsi-session": (
        "captures/iscsiadm-session.txt",
        "sos_commands/iscsi/iscsiadm_-m_session_-P_3",
    ),
    "iscsi-node": (
        "captures/iscsiadm-node.txt",
        "sos_commands/iscsi/iscsiadm_-m_node_--op_show",
        "sos_commands/iscsi/iscsiadm_-m_node_-P_1",
    ),
    "multipath-v4": ("sos_commands/multipath/multipath_-v4_-ll",),
    "targetcli-ls": ("captures/targetcli-ls.txt", "sos_commands/targetcli/targetcli_ls"),
    "proc-cmdline": ("captures/proc-cmdline.txt", "proc/cmdline"),
    "dmesg": ("captures/dmesg.txt", "sos_commands/kernel/dmesg"),
}
# capture -> (supportconfig files, commands or /proc files a section names)
_SUPPORTCONFIG: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "proc-drbd": (("drbd.txt",), ("/proc/drbd", "cat /proc/drbd")),
    "drbd-status": (("drbd.txt",), ("drbdadm status", "drbdsetup status")),
    "drbdsetup-show": (("drbd.txt",), ("drbdsetup show",)),
    "modinfo-drbd": (("drbd.txt",), ("modinfo drbd",)),
    "multipath-ll": (("mpio.txt",), ("multipath -ll", "multipath -l", "multipath -v4 -ll")),
    "iscsi-session": (("fs-iscsi.txt",), ("iscsiadm -m session",)),
    "iscsi-node": (("fs-iscsi.txt",), ("iscsiadm -m node",)),
    "targetcli-ls": (("lio.txt", "fs-iscsi.txt"), ("targetcli ls",)),
    "proc-cmdline": (("boot.txt",), ("/proc/cmdline", "cat /proc/cmdline")),
    "dmesg": (("boot.txt",), ("dmesg",)),
}


@attrs.frozen
class Capture(Generic[T_co]):
    """One capture: where it was read and what it says."""

    path: str  # as shown: the host root joined with the file
    host: str
    parsed: T_co
    first_line: int = 1  # of the output in the file (a supportconfig section starts lower)
    rel: str = ""  # inside the host root

    def location(self, line: int | None = None, message: str | None = None) -> Location:
        """Where ``line`` of the output is (the output's first line without one)."""
        at = self.first_line + (line or 1) - 1
        return Location(self.path, at, 1, host=self.host, message=message)


class HostCaptures:
    """The captures of one host, each parsed on first question."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._found: dict[str, Capture[Any] | None] = {}
        self._sections: dict[str, list[tuple[str, str, int, str]]] | None = None

    # Each parser is imported only when its capture is found: a site without captures (most)
    # pays nothing for them.
    def drbd_status(self) -> Capture[DrbdStatus] | None:
        return self._get("drbd-status", ("drbd_status", "parse_drbd_status"))

    def proc_drbd(self) -> Capture[ProcDrbd] | None:
        return self._get("proc-drbd", ("proc_drbd", "parse_proc_drbd"))

    def drbdsetup_show(self) -> Capture[DrbdShow] | None:
        return self._get("drbdsetup-show", ("drbdsetup_show", "parse_drbdsetup_show"))

    def modinfo_drbd(self) -> Capture[ModuleInfo] | None:
        found = self._get("modinfo-drbd", ("modinfo", "drbd_module"))
        return found if found is not None and found.parsed is not None else None

    def multipath(self) -> Capture[MultipathTopology] | None:
        return self._get("multipath-ll", ("multipath_ll", "parse_multipath_ll"))

    def iscsi_sessions(self) -> Capture[IscsiSessions] | None:
        return self._get("iscsi-session", ("iscsiadm", "parse_iscsi_sessions"))

    def iscsi_nodes(self) -> Capture[IscsiNodes] | None:
        return self._get("iscsi-node", ("iscsiadm", "parse_iscsi_nodes"))

    def targetcli(self) -> Capture[TargetcliTree] | None:
        return self._get("targetcli-ls", ("targetcli", "parse_targetcli_ls"))

    def split_brains(self) -> Capture[tuple[SplitBrain, ...]] | None:
        """DRBD's split brains in the captured kernel log."""
        return self._get("dmesg", ("kernel_log", "drbd_split_brains"))

    def text(self, capture: str) -> Capture[str] | None:
        """The raw text of a capture (for what no parser reads: a version line)."""
        return self._get(f"{capture}#text", None, capture)

    # ------------------------------------------------------------------------------------------

    def _get(
        self, key: str, parser: tuple[str, str] | None, capture: str | None = None
    ) -> Capture[Any] | None:
        """The capture ``key``, parsed by ``parser`` (module of xsanconf.captures, function;
        None: the text itself)."""
        if key in self._found:
            return self._found[key]
        found = self._read(capture or key)
        result = None
        if found is not None:
            rel, text, first_line = found
            parsed: Any = text
            if parser is not None:
                module = importlib.import_module(f"xsanconf.captures.{parser[0]}")
                parsed = getattr(module, parser[1])(text)
            result = Capture(_shown(self._host, rel), self._host.name, parsed, first_line, rel)
        self._found[key] = result
        return result

    def _read(self, capture: str) -> tuple[str, str, int] | None:
        for rel in CAPTURE_FILES.get(capture, ()):
            for name in self._expand(rel):
                text = self._host.read_text(name)
                if text is not None:
                    return name, text, 1
        return self._supportconfig(capture)

    def _expand(self, rel: str) -> list[str]:
        if "*" not in rel:
            return [rel]
        directory, pattern = posixpath.split(rel)
        from fnmatch import fnmatchcase

        from xsanconf.lint.site import on_disk

        place = on_disk(self._host, directory)
        try:
            names = sorted(p.name for p in place.iterdir())[:256] if place is not None else []
        except OSError:
            return []
        return [f"{directory}/{n}" for n in names if fnmatchcase(n, pattern)]

    def _supportconfig(self, capture: str) -> tuple[str, str, int] | None:
        wanted = _SUPPORTCONFIG.get(capture)
        if wanted is None or not (self._host.root / "basic-environment.txt").is_file():
            return None
        files, commands = wanted
        for name in files:
            for kind, title, line, body in self._sections_of(name):
                said = _command(title) if kind == "Command" else title
                if any(said == c or said.startswith(c + " ") for c in commands):
                    return name, body, line
        return None

    def _sections_of(self, name: str) -> list[tuple[str, str, int, str]]:
        from xsanconf.captures.layout import sections

        if self._sections is None:
            self._sections = {}
        found = self._sections.get(name)
        if found is None:
            text = self._host.read_text(name)
            found = [(s.kind, s.title, s.line, s.body) for s in sections(text or "")]
            self._sections[name] = found
        return found


def _command(title: str) -> str:
    """A command line as supportconfig names it, the program's directory dropped."""
    first, _, rest = title.partition(" ")
    program = posixpath.basename(first)
    return f"{program} {rest}".strip() if rest else program


def _shown(host: Host, rel: str) -> str:
    root = str(host.root)
    return rel if root in ("", ".") else posixpath.join(root.replace("\\", "/"), rel)


_CACHE: weakref.WeakKeyDictionary[Host, HostCaptures] = weakref.WeakKeyDictionary()


def captures(host: Host) -> HostCaptures:
    """``host``'s captures (one object per host: each capture is read and parsed once)."""
    found = _CACHE.get(host)
    if found is None:
        found = _CACHE[host] = HostCaptures(host)
    return found


# open-iscsi's node database: <target>/<portal,tpgt>/<iface> (2.0-871 and later) or
# <target>/<portal,tpgt> (a file, before); Debian keeps it in /etc/iscsi, Red Hat and SUSE in
# /var/lib/iscsi (which sos copies)
NODE_DATABASES = ("etc/iscsi/nodes", "var/lib/iscsi/nodes")
MAX_NODE_RECORDS = 1024


def node_records(host: Host) -> list[Capture[NodeRecord]]:
    """The records of ``host``'s node database, each file read as one ``-o show`` record (at
    most ``MAX_NODE_RECORDS`` files; a record's target and portal from its settings, else from
    its path)."""
    from xsanconf.captures.iscsiadm import parse_iscsi_nodes
    from xsanconf.lint.site import on_disk

    found: list[Capture[NodeRecord]] = []
    for base in NODE_DATABASES:
        top = on_disk(host, base)
        if top is None or not top.is_dir():
            continue
        for rel in _record_files(top, base):
            text = host.read_text(rel)
            if text is None:
                continue
            records = parse_iscsi_nodes(text).records
            if not records:
                continue
            record = records[0]
            parts = rel.split("/")
            target = parts[len(base.split("/"))]
            portal = _path_portal(parts[len(base.split("/")) + 1])
            if record.target == "?":
                record = attrs.evolve(record, target=target)
            if "node.conn[0].address" not in record.settings:
                record = attrs.evolve(record, portal=portal)
            found.append(Capture(_shown(host, rel), host.name, record, 1, rel))
            if len(found) >= MAX_NODE_RECORDS:
                return found
    return found


def _path_portal(name: str) -> str:
    """A portal as iscsiadm shows it from a record's folder name (``10.0.0.1,3260,1``)."""
    address, _, rest = name.partition(",")
    port = rest.split(",", 1)[0] or "3260"
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"
    return f"{address}:{port}"


def _record_files(top: Path, base: str) -> Iterator[str]:
    """Paths (inside the host root) of the record files below ``top``: two or three levels."""
    try:
        targets = sorted(p for p in top.iterdir() if p.is_dir())[:MAX_NODE_RECORDS]
        for target in targets:
            for portal in sorted(target.iterdir())[:MAX_NODE_RECORDS]:
                if portal.is_file():
                    yield f"{base}/{target.name}/{portal.name}"
                elif portal.is_dir():
                    for iface in sorted(portal.iterdir())[:64]:
                        if iface.is_file():
                            yield f"{base}/{target.name}/{portal.name}/{iface.name}"
    except OSError:
        return


@functools.cache  # compiled on first use: many runs never need it
def _multipath_version() -> re.Pattern[str]:
    return re.compile(r"multipath-tools v(\d+\.\d+\.\d+)")


def multipath_version(host: Host) -> tuple[str, Capture[str]] | None:
    """The multipath-tools version a verbose ``multipath`` capture printed (``multipath -v3``
    and above print ``multipath-tools v0.8.4 (05/04, 2020)``), and the capture."""
    for capture in ("multipath-ll", "multipath-v4"):
        found = captures(host).text(capture)
        if found is None:
            continue
        version = _multipath_version().search(found.parsed)
        if version is not None:
            return version.group(1), found
    return None
