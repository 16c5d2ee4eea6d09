"""The format registry: one codec module per kind, imported only when a file of that kind is read.

Adding a format means adding ``grammars/<kind>.lark``, a codec module here that satisfies
:class:`Codec`, and one :class:`FormatEntry` line in ``_ENTRIES``.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from xsanconf.data import Directive
    from xsanconf.document import Document
    from xsanconf.syntax import Node

__all__ = ["KINDS", "Codec", "FormatEntry", "codec", "detect_kind", "entry", "path_fragments"]


class Codec(Protocol):
    """What a format module provides.

    Optional: ``problems(doc, text)`` (input the format tolerates but flags), and for formats
    whose files hold secrets ``redact(directive)`` (plain data) and ``token_secrets(token)``
    (where in a token a secret value is; see :mod:`xsanconf.secrets`).
    """

    KIND: str

    def parse(self, text: str, path: str | None = None) -> Node: ...

    def model(self, doc: Document) -> Any: ...

    def directives(self, doc: Document) -> list[Directive]: ...

    def build(self, directives: list[Directive]) -> str: ...

    def sniff(self, text: str) -> bool: ...


def _parts(path: PurePosixPath) -> tuple[str, str, str]:
    return path.name, path.parent.name, path.parent.parent.name


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


_ENTRIES: tuple[FormatEntry, ...] = (
    FormatEntry(
        "drbd",
        "xsanconf.formats.drbd",
        "DRBD drbd.conf, drbd.d/*.res",
        _drbd,
        (r"drbd\.conf", r"global_common\.conf", r"[^/]*\.res", r"drbd\.d/[^/]+"),
    ),
    FormatEntry(
        "ietd",
        "xsanconf.formats.ietd",
        "iSCSI Enterprise Target ietd.conf",
        lambda p: p.name == "ietd.conf",
        (r"ietd\.conf",),
    ),
    FormatEntry(
        "lio",
        "xsanconf.formats.lio",
        "LIO saveconfig.json (targetcli, rtslib-fb)",
        _lio,
        (r"(?:rtslib-fb-)?target/saveconfig\.json",),
    ),
    FormatEntry(
        "tgt",
        "xsanconf.formats.tgt",
        "tgt (tgtd, tgt-admin) targets.conf, conf.d/*.conf",
        _tgt,
        (r"tgt/targets\.conf", r"tgt/conf\.d/[^/]*\.conf"),
    ),
    FormatEntry(
        "iet-access",
        "xsanconf.formats.iet_access",
        "IET initiators.allow, initiators.deny, targets.allow",
        lambda p: p.name in ("initiators.allow", "initiators.deny", "targets.allow"),
        (r"initiators\.(?:allow|deny)", r"targets\.allow"),
    ),
    FormatEntry(
        "iscsid",
        "xsanconf.formats.iscsid",
        "open-iscsi iscsid.conf",
        lambda p: p.name.startswith("iscsid.conf"),
        (r"iscsid\.conf[^/]*",),
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
    ),
    FormatEntry(
        "modprobe",
        "xsanconf.formats.modprobe",
        "kmod modprobe.d/*.conf",
        _modprobe,
        (r"modprobe\.d/[^/]+", r"modprobe\.conf"),
    ),
    FormatEntry(
        "modules",
        "xsanconf.formats.modules",
        "/etc/modules, modules-load.d/*.conf",
        _modules,
        (r"modules-load\.d/[^/]+", r"modules"),
    ),
    FormatEntry(
        "init-script",
        "xsanconf.formats.init_script",
        "SysV init scripts (their LSB header), /etc/init.d/*",
        lambda p: p.parent.name == "init.d",
        (r"init\.d/[^/]+",),
    ),
    FormatEntry(
        "systemd-unit",
        "xsanconf.formats.systemd_unit",
        "systemd units and drop-ins",
        _unit,
        (r"systemd/.+",),
    ),
    FormatEntry(
        "xend-config",
        "xsanconf.formats.xend_config",
        "Xen xend-config.sxp",
        lambda p: p.name == "xend-config.sxp",
        (r"xend-config\.sxp",),
    ),
    FormatEntry(
        "xl-conf",
        "xsanconf.formats.xl_conf",
        "Xen /etc/xen/xl.conf",
        lambda p: p.name == "xl.conf",
        (r"xl\.conf",),
    ),
    FormatEntry(
        "xen-domain",
        "xsanconf.formats.xen_domain",
        "Xen xm/xl guest configs",
        _xen_domain,
        (r"xen/.+",),
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


def entry(kind: str) -> FormatEntry:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}") from None


_loaded: dict[str, Codec] = {}


def codec(kind: str) -> Codec:
    """The codec module for ``kind``, imported on first use."""
    found = _loaded.get(kind)
    if found is None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
        found = _loaded[kind] = importlib.import_module(entry(kind).module)  # type: ignore[assignment]
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
