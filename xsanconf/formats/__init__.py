"""The format registry: one codec module per kind, imported only when a file of that kind is read.

The one place that says which path is which kind and which codec reads it: the site loader
(``xsanconf.lint.site``), :func:`detect_kind` and the pre-commit hook's file pattern
(``xsanconf.lint.hook_pattern``) all read :data:`_ENTRIES`.  An entry also declares how the
daemon reads its files (:class:`IncludeStyle`: the file it starts from and whose includes it
follows; ``separate``: each file a whole of its own; ``outside_etc``: directories outside
``/etc`` it reads) and what its model answers (``targets``: an iSCSI target whose model has
``target_luns()``).

Adding a format means adding ``grammars/<kind>.lark``, a codec module here that satisfies
:class:`Codec`, and one :class:`FormatEntry` line in ``_ENTRIES``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from xsanconf.data import Directive
    from xsanconf.document import Document
    from xsanconf.errors import ParseError
    from xsanconf.syntax import Node, Token

__all__ = [
    "CAPABILITY_FUNCTIONS",
    "KINDS",
    "Codec",
    "FormatEntry",
    "Include",
    "IncludeStyle",
    "NotEditableError",
    "codec",
    "detect_kind",
    "entries",
    "entry",
    "host_file_kind",
    "path_fragments",
]


class Codec:
    """A format's codec: its module's functions, as its registry entry declares them.

    Every codec module defines ``KIND``, ``parse(text, path)``, ``model(doc)``,
    ``directives(doc)``, ``build(directives)`` and ``sniff(text)``.  What only some formats
    have is declared on the :class:`FormatEntry`, never found by probing the module (a test
    holds each module to its declaration):

    * ``editable``: ``get_value(doc, selector)``, ``set_value(doc, selector, value)``,
      ``unset_value(doc, selector)`` (``xsanconf get/set/unset``);
    * ``secrets``: ``redact(directive)`` (plain data with its secrets replaced) and
      ``token_secrets(token)`` (where in a token a secret value is: :mod:`xsanconf.secrets`);
    * ``problems``: ``problems(doc, text)``, input the format tolerates but flags;
    * ``includes`` (an :class:`IncludeStyle`): ``includes(doc)``, its include statements.

    Without the capability, the method does what a format without it means: no problems, no
    includes, nothing to redact; the selector functions raise :class:`NotEditableError`.

    A read-only kind (its files are changed by their own tools, as the CIB by pcs or cibadmin)
    sets ``READ_ONLY`` to the reason; its ``build``, ``set_value`` and ``unset_value`` raise
    ``ValueError`` with it.
    """

    def __init__(self, declared: FormatEntry, module: ModuleType) -> None:
        self.KIND: str = declared.kind
        self.entry = declared
        self.module = module

    def parse(self, text: str, path: str | None = None) -> Node:
        node: Node = self.module.parse(text, path)
        return node

    def model(self, doc: Document[Any]) -> Any:
        return self.module.model(doc)

    def directives(self, doc: Document[Any]) -> list[Directive]:
        found: list[Directive] = self.module.directives(doc)
        return found

    def build(self, directives: list[Directive]) -> str:
        text: str = self.module.build(directives)
        return text

    def sniff(self, text: str) -> bool:
        return bool(self.module.sniff(text))

    @property
    def editable(self) -> bool:
        return self.entry.editable

    @property
    def secrets(self) -> bool:
        return self.entry.secrets

    def problems(self, doc: Document[Any], text: str) -> list[ParseError]:
        if not self.entry.problems:
            return []
        found: list[ParseError] = self.module.problems(doc, text)
        return found

    def includes(self, doc: Document[Any]) -> list[Include]:
        if self.entry.includes is None:
            return []
        found: list[Include] = self.module.includes(doc)
        return found

    def redact(self, directive: Directive) -> Directive:
        if not self.entry.secrets:
            return directive
        redacted: Directive = self.module.redact(directive)
        return redacted

    def token_secrets(self, token: Token) -> list[tuple[int, int]]:
        if not self.entry.secrets:
            return []
        spans: list[tuple[int, int]] = self.module.token_secrets(token)
        return spans

    def _editing(self) -> ModuleType:
        if not self.entry.editable:
            raise NotEditableError(f"selectors are not supported for {self.KIND} files yet")
        return self.module

    def get_value(self, doc: Document[Any], selector: str) -> list[str]:
        values: list[str] = self._editing().get_value(doc, selector)
        return values

    def set_value(self, doc: Document[Any], selector: str, value: str) -> None:
        self._editing().set_value(doc, selector, value)

    def unset_value(self, doc: Document[Any], selector: str) -> int:
        removed: int = self._editing().unset_value(doc, selector)
        return removed


class NotEditableError(ValueError):
    """``get/set/unset`` on a kind whose codec declares no selectors."""


# The functions each capability stands for (tests hold every codec module to its entry).
CAPABILITY_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "editable": ("get_value", "set_value", "unset_value"),
    "secrets": ("redact", "token_secrets"),
    "problems": ("problems",),
    "includes": ("includes",),
}


def _parts(path: PurePosixPath) -> tuple[str, str, str]:
    return path.name, path.parent.name, path.parent.parent.name


# Include and IncludeStyle are plain classes: attrs compiles an __init__ for each class at
# import, which every run pays for.
class Include:
    """An include statement of a document, as its codec reads it (``includes(doc)``)."""

    __slots__ = ("anchor", "optional", "pattern", "position")

    def __init__(
        self, pattern: str | None, anchor: Token, position: tuple[int, int], optional: bool = False
    ) -> None:
        self.pattern = pattern  # the path or glob as written; None: an include naming nothing
        self.anchor = anchor  # the statement, for locations
        self.position = position  # where it stands: included files' contents are read there
        self.optional = optional  # a missing file is fine (Config::General's includeoptional)

    def __repr__(self) -> str:
        return f"Include({self.pattern!r}, at={self.position})"


class IncludeStyle:
    """How a daemon reads a kind's files: from ``main``, each include expanded where it stands,
    each file once.  ``reader`` names the program in messages; ``missing`` is what it does with
    an include of a file that does not exist, ``empty`` with a pattern that matches nothing.

    The daemons expand patterns differently: drbdadm takes a path relative to the including
    file's directory, globs it (``glob(3)``) and refuses a file already on the include stack
    (a loop); tgt-admin's Config::General takes a relative path from ``/`` (where tgt-admin
    runs: ``relative_to="root"``), expands ``{a,b}`` (``braces``), reads a named directory's
    regular files in name order (``directories``), keeps only regular files of a glob, and
    skips a file it has read, loop or not (``loops="skip"``)."""

    __slots__ = (
        "braces",
        "directories",
        "empty",
        "loops",
        "main",
        "missing",
        "reader",
        "relative_to",
    )

    def __init__(
        self,
        main: str,
        reader: str,
        *,
        missing: str,
        empty: str,
        relative_to: Literal["file", "root"] = "file",
        braces: bool = False,
        directories: bool = False,
        loops: Literal["error", "skip"] = "error",
    ) -> None:
        self.main = main  # inside the host root, e.g. etc/drbd.conf
        self.reader = reader
        self.missing = missing
        self.empty = empty
        self.relative_to = relative_to
        self.braces = braces
        self.directories = directories
        self.loops = loops


@attrs.frozen
class FormatEntry:
    kind: str
    module: str
    summary: str
    matches: Callable[[PurePosixPath], bool]
    # Regular expressions, each matched from the start of a path component to the end of the
    # path, that together match every path ``matches`` accepts (they may match more): what a
    # file-pattern filter such as pre-commit's ``files:`` selects (:func:`path_fragments`).
    paths: tuple[str, ...] = ()
    # the daemon starts from one file and follows its includes (the codec has ``includes``)
    includes: IncludeStyle | None = None
    # each file is a whole of its own (a guest, an init script, a unit, one daemon's
    # defaults): one that does not parse leaves the others known
    separate: bool = False
    # directories outside etc whose files the daemon reads as this kind, highest precedence
    # first (read after etc, in this order)
    outside_etc: tuple[str, ...] = ()
    # an iSCSI target configuration: the model answers ``target_luns(version)`` with
    # :class:`xsanconf.domain.target.TargetLun` records, which the facts layer indexes
    targets: bool = False
    # the codec's optional capabilities (:class:`Codec`)
    editable: bool = True
    secrets: bool = False
    problems: bool = False

    def capabilities(self) -> tuple[str, ...]:
        """The optional capabilities the entry declares, by name (:data:`CAPABILITY_FUNCTIONS`)."""
        declared = {
            "editable": self.editable,
            "secrets": self.secrets,
            "problems": self.problems,
            "includes": self.includes is not None,
        }
        return tuple(name for name, on in declared.items() if on)


def _other_drop_in(parent: str, own: str) -> bool:
    """Whether ``parent`` is a ``*.d`` directory of another daemon: packages name their drop-ins
    after themselves (``modules-load.d/drbd.conf``, ``modprobe.d/multipath.conf``,
    ``tgt.service.d/drbd.conf``), and the directory says what the file is."""
    return parent.endswith(".d") and parent != own


def _drbd(p: PurePosixPath) -> bool:
    name, parent, grand = _parts(p)
    if parent == "conf.d" and grand == "multipath":
        return False  # the blacklist drop-in drbd-utils ships as multipath/conf.d/drbd.conf
    return (
        (name in ("drbd.conf", "global_common.conf") and not _other_drop_in(parent, "drbd.d"))
        or p.suffix == ".res"
        or (parent == "drbd.d" and not name.startswith("."))
    )


def _multipath(p: PurePosixPath) -> bool:
    name, parent, grand = _parts(p)
    return (name == "multipath.conf" and not _other_drop_in(parent, "conf.d")) or (
        parent == "conf.d" and grand == "multipath" and name.endswith(".conf")
    )


def _modprobe(p: PurePosixPath) -> bool:
    name, parent, _ = _parts(p)
    return parent == "modprobe.d" or name in ("modprobe.conf",)


def _modules(p: PurePosixPath) -> bool:
    name, parent, _ = _parts(p)
    return parent == "modules-load.d" or (
        name == "modules" and parent in ("etc", "initramfs-tools")
    )


_UNIT_SUFFIXES = (
    ".service",
    ".socket",
    ".target",
    ".mount",
    ".automount",
    ".swap",
    ".timer",
    ".path",
    ".device",
    ".slice",
    ".scope",
)
# Enablement directories hold only symbolic links into /lib or /usr/lib: nothing to read.
_UNIT_LINK_DIRS = (".wants", ".requires", ".upholds")


def _unit(p: PurePosixPath) -> bool:
    name, parent, _ = _parts(p)
    if "systemd" not in p.parts or parent.endswith(_UNIT_LINK_DIRS):
        return False
    drop_in = parent.endswith(".d") and parent[:-2].endswith(_UNIT_SUFFIXES)
    return name.endswith(_UNIT_SUFFIXES) or (drop_in and name.endswith(".conf"))


# Files in /etc/xen that are not guest configs (xm guest configs often have no extension).
_XEN_NOT_GUESTS = frozenset(
    {"xl.conf", "xend-config.sxp", "xenapiusers", "cpupool", "xm-config.xml"}
)
_XEN_NOT_GUEST_SUFFIXES = (
    ".sxp",
    ".sh",
    ".py",
    ".conf",
    ".xml",
    ".pem",
    ".key",
    ".crt",
    ".txt",
    ".md",
    "~",
    ".bak",
    ".orig",
    ".dpkg-old",
    ".dpkg-dist",
    ".dpkg-new",
    ".rpmnew",
    ".rpmsave",
    ".img",
    ".iso",
    ".qcow2",
    ".raw",
    ".json",
    ".log",
)


def _xen_domain(p: PurePosixPath) -> bool:
    name, _, _ = _parts(p)
    parts = p.parts
    if (
        name.startswith((".", "README", "xmexample", "xlexample"))  # dotfiles, shipped examples
        or name in _XEN_NOT_GUESTS
        or name.endswith(_XEN_NOT_GUEST_SUFFIXES)
    ):
        return False
    for i in range(len(parts) - 2):
        if parts[i : i + 2] == ("etc", "xen"):
            # /etc/xen/NAME (often a host name: any suffix), /etc/xen/auto/NAME; not the scripts
            return parts[i + 2] != "scripts"
    return name.endswith(".cfg") and "xen" in parts


def _tgt(p: PurePosixPath) -> bool:
    # tgt-admin reads /etc/tgt/targets.conf, which includes /etc/tgt/conf.d/*.conf; files
    # included from elsewhere are read as tgt by the site loader, which follows the includes
    name, parent, grand = _parts(p)
    return (name == "targets.conf" and parent == "tgt") or (
        parent == "conf.d" and grand == "tgt" and name.endswith(".conf")
    )


def _lvm(p: PurePosixPath) -> bool:
    name, parent, grand = _parts(p)
    if name.startswith(".") or name.endswith(("~", ".bak", ".dpkg-old", ".rpmsave", ".rpmnew")):
        return False
    if parent == "lvm":
        return name in ("lvm.conf", "lvmlocal.conf")
    # metadata LVM writes itself (backup/VG, archive/VG_00001-123.vg) and profiles
    return grand == "lvm" and (
        parent in ("backup", "archive") or (parent == "profile" and name.endswith(".profile"))
    )


def _iscsi_record(p: PurePosixPath) -> bool:
    # /etc/iscsi (Debian), /var/lib/iscsi (Red Hat), /var/lib/open-iscsi (old Debian)
    if "iscsi" not in p.parts and "open-iscsi" not in p.parts:
        return False
    from xsanconf.domain.iscsi_db import record_path

    return record_path(p.parts) is not None


def _shell_vars(p: PurePosixPath) -> bool:
    name, parent, grand = _parts(p)
    # grub-mkconfig sources /etc/default/grub.d/*.cfg after /etc/default/grub
    return parent == "default" or (
        parent == "grub.d" and grand == "default" and name.endswith(".cfg")
    )


def _lio(p: PurePosixPath) -> bool:
    # targetctl restores only this file; targetcli's backups (backup/saveconfig-*-json.gz,
    # gzip since targetcli-fb 2.1.50, plain saveconfig-*.json before) are never restored
    name, parent, _ = _parts(p)
    return name == "saveconfig.json" and parent in ("target", "rtslib-fb-target")


def _beside_usr(name: str) -> tuple[str, ...]:
    """kmod's and systemd's directories outside etc, highest precedence first (on merged-/usr
    hosts lib/ is usr/lib/, read once)."""
    return tuple(f"{base}/{name}" for base in ("run", "usr/local/lib", "usr/lib", "lib"))


_ENTRIES: tuple[FormatEntry, ...] = (
    FormatEntry(
        "drbd",
        "xsanconf.formats.drbd",
        "DRBD drbd.conf, drbd.d/*.res",
        _drbd,
        (r"drbd\.conf", r"global_common\.conf", r"[^/]*\.res", r"drbd\.d/[^/]+"),
        includes=IncludeStyle(
            "etc/drbd.conf",
            "drbdadm",
            missing='drbdadm fails: "Failed to open include file"',
            empty="drbdadm ignores it silently",
        ),
        secrets=True,
        problems=True,
    ),
    # before ietd: ietd's sniffing takes the "TARGET iqn...." lines of an scst.conf
    FormatEntry(
        "scst",
        "xsanconf.formats.scst",
        "SCST /etc/scst.conf (scstadmin)",
        lambda p: p.name == "scst.conf" and not _other_drop_in(p.parent.name, ""),
        (r"scst\.conf",),
        targets=True,
        secrets=True,
    ),
    FormatEntry(
        "ietd",
        "xsanconf.formats.ietd",
        "iSCSI Enterprise Target ietd.conf",
        lambda p: p.name == "ietd.conf",
        (r"ietd\.conf",),
        targets=True,
        secrets=True,
    ),
    FormatEntry(
        "lio",
        "xsanconf.formats.lio",
        "LIO saveconfig.json (targetcli, rtslib-fb)",
        _lio,
        (r"(?:rtslib-fb-)?target/saveconfig\.json",),
        targets=True,
        secrets=True,
    ),
    FormatEntry(
        "tgt",
        "xsanconf.formats.tgt",
        "tgt (tgtd, tgt-admin) targets.conf, conf.d/*.conf",
        _tgt,
        (r"tgt/targets\.conf", r"tgt/conf\.d/[^/]*\.conf"),
        includes=IncludeStyle(
            "etc/tgt/targets.conf",
            "tgt-admin",
            missing='tgt-admin stops: "Config::General The file ... does not exist"',
            empty="tgt-admin ignores it",
            relative_to="root",
            braces=True,
            directories=True,
            loops="skip",
        ),
        targets=True,
        secrets=True,
    ),
    FormatEntry(
        "iet-access",
        "xsanconf.formats.iet_access",
        "IET initiators.allow, initiators.deny, targets.allow",
        lambda p: p.name in ("initiators.allow", "initiators.deny", "targets.allow"),
        (r"initiators\.(?:allow|deny)", r"targets\.allow"),
    ),
    FormatEntry(
        "iscsi-node",
        "xsanconf.formats.iscsi_node",
        "open-iscsi node, discovery and iface records (nodes/, send_targets/, ifaces/)",
        _iscsi_record,
        (
            r"(?:open-)?iscsi/(?:nodes|send_targets|isns)/.+",
            r"(?:open-)?iscsi/ifaces/[^/]+",
        ),
        separate=True,
        secrets=True,
    ),
    FormatEntry(
        "iscsid",
        "xsanconf.formats.iscsid",
        "open-iscsi iscsid.conf",
        lambda p: p.name.startswith("iscsid.conf"),
        (r"iscsid\.conf[^/]*",),
        secrets=True,
    ),
    FormatEntry(
        "initiatorname",
        "xsanconf.formats.initiatorname",
        "open-iscsi initiatorname.iscsi",
        lambda p: p.name.startswith("initiatorname.iscsi"),
        (r"initiatorname\.iscsi[^/]*",),
    ),
    FormatEntry(
        "multipath",
        "xsanconf.formats.multipath",
        "dm-multipath multipath.conf",
        _multipath,
        (r"multipath\.conf", r"multipath/conf\.d/[^/]*\.conf"),
        problems=True,
    ),
    FormatEntry(
        "modprobe",
        "xsanconf.formats.modprobe",
        "kmod modprobe.d/*.conf",
        _modprobe,
        (r"modprobe\.d/[^/]+", r"modprobe\.conf"),
        outside_etc=_beside_usr("modprobe.d"),
    ),
    FormatEntry(
        "modules",
        "xsanconf.formats.modules",
        "/etc/modules, modules-load.d/*.conf",
        _modules,
        (r"modules-load\.d/[^/]+", r"modules"),
        outside_etc=_beside_usr("modules-load.d"),
    ),
    FormatEntry(
        "init-script",
        "xsanconf.formats.init_script",
        "SysV init scripts (their LSB header), /etc/init.d/*",
        lambda p: p.parent.name == "init.d",
        (r"init\.d/[^/]+",),
        separate=True,
    ),
    FormatEntry(
        "systemd-unit",
        "xsanconf.formats.systemd_unit",
        "systemd units and drop-ins",
        _unit,
        (r"systemd/.+",),
        separate=True,
    ),
    FormatEntry(
        "xend-config",
        "xsanconf.formats.xend_config",
        "Xen xend-config.sxp",
        lambda p: p.name == "xend-config.sxp",
        (r"xend-config\.sxp",),
        secrets=True,
    ),
    FormatEntry(
        "xl-conf",
        "xsanconf.formats.xl_conf",
        "Xen /etc/xen/xl.conf",
        lambda p: p.name == "xl.conf",
        (r"xl\.conf",),
        secrets=True,
    ),
    FormatEntry(
        "xen-domain",
        "xsanconf.formats.xen_domain",
        "Xen xm/xl guest configs",
        _xen_domain,
        (r"xen/.+",),
        separate=True,
        secrets=True,
    ),
    FormatEntry(
        "lvm",
        "xsanconf.formats.lvm",
        "LVM lvm.conf, lvmlocal.conf, metadata in backup/ and archive/",
        _lvm,
        (
            r"lvm/lvm(?:local)?\.conf",
            r"lvm/(?:backup|archive)/[^/]+",
            r"lvm/profile/[^/]+\.profile",
        ),
    ),
    FormatEntry(
        "shell-vars",
        "xsanconf.formats.shell_vars",
        "/etc/default/*, default/grub.d/*.cfg shell variable files",
        _shell_vars,
        (r"default/[^/]+", r"default/grub\.d/[^/]+\.cfg"),
        separate=True,
    ),
    FormatEntry(
        "cib",
        "xsanconf.formats.cib",
        "Pacemaker CIB, var/lib/pacemaker/cib/cib.xml or a saved cibadmin -Q (read-only)",
        lambda p: p.name == "cib.xml",
        (r"cib\.xml",),
        secrets=True,
    ),
)

_BY_KIND = {e.kind: e for e in _ENTRIES}


def _available() -> tuple[str, ...]:
    found = []
    for e in _ENTRIES:
        if importlib.util.find_spec(e.module) is not None:
            found.append(e.kind)
    return tuple(found)


KINDS: tuple[str, ...] = _available()


def entries() -> tuple[FormatEntry, ...]:
    """Every kind whose codec is installed, in the registry's order."""
    return tuple(e for e in _ENTRIES if e.kind in KINDS)


def entry(kind: str) -> FormatEntry:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}") from None


_loaded: dict[str, Codec] = {}


def codec(kind: str) -> Codec:
    """The codec for ``kind``, its module imported on first use."""
    found = _loaded.get(kind)
    if found is None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
        declared = entry(kind)
        found = _loaded[kind] = Codec(declared, importlib.import_module(declared.module))
    return found


def path_fragments() -> tuple[str, ...]:
    """Every kind's :attr:`FormatEntry.paths`: a file-pattern filter built from them (``(?:^|/)``
    before, ``$`` after) selects every file that a codec reads by its name."""
    return tuple(f for e in _ENTRIES if e.kind in KINDS for f in e.paths)


def detect_kind(path: str, text: str | None = None) -> str | None:
    """The kind of the file at ``path``: by name and location, else by sniffing ``text``."""
    p = PurePosixPath(path.replace("\\", "/"))
    for e in _ENTRIES:
        if e.kind in KINDS and e.matches(p):
            return e.kind
    if text is not None:
        for kind in KINDS:
            if codec(kind).sniff(text):
                return kind
    return None


def host_file_kind(rel: str) -> str | None:
    """The codec kind of the file at ``rel`` inside a host root, as the site loader reads it.

    multipath-tools reads every ``/etc/multipath/conf.d/*.conf``, among them the ``drbd.conf``
    blacklist drop-in that DRBD packages ship, whatever the name's own kind.  In
    the same way a ``*.conf`` in any directory of drop-ins is of the directory's kind, whatever
    its name: the ``drbd.conf`` and ``multipath.conf`` that drbd-utils and multipath-tools put in
    ``modules-load.d``, an ``/etc/modprobe.d/drbd.conf``, a ``tgt.service.d/drbd.conf``.
    """
    parts = rel.split("/")
    if parts[-3:-1] == ["multipath", "conf.d"] and rel.endswith(".conf"):
        return "multipath" if detect_kind("etc/multipath.conf") == "multipath" else None
    if len(parts) > 1 and rel.endswith(".conf"):
        by_directory = detect_kind("/".join(parts[:-1]) + "/probe.conf")
        if by_directory is not None:
            return by_directory
    return detect_kind(rel)
