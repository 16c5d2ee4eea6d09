"""XEN001-XEN003: guest disks that live migration cannot carry, and an open relocation port.

Live migration moves memory and CPU state, never disk contents: the destination dom0 opens the
same backend path, which must name the same data there (reference: xen.md, section 4).  A host
takes part in migration when its xend relocation server is on, or when another host of the site
carries a config for the same guest.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.formats.lvm.model import VolumeGroup
    from xsanconf.formats.xen_domain.disk import DiskSpec
    from xsanconf.formats.xen_domain.model import XenConfig, XenDisk
    from xsanconf.formats.xend_config import XendConfig
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

# The patterns below are compiled on first use: the XEN rules run only on sites with Xen
# configurations, and compiling them at import would cost every run, Xen or not.


# Device names that the kernel hands out per machine, in probe order.
@functools.cache
def _local_device() -> re.Pattern[str]:
    return re.compile(
        r"/dev/(?:[sh]d[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+n\d+|cciss/|md\d|mmcblk|loop\d|"
        r"disk/by-path/pci-|disk/by-id/(?:ata|usb|nvme)-)"
    )


_SHARED_FS = frozenset(
    {"nfs", "nfs4", "ocfs2", "gfs", "gfs2", "glusterfs", "cifs", "smbfs", "ceph", "lustre"}
)
_MATCH_ALL = frozenset({"", ".*", "^.*", "^.*$", ".*$", ".", ".+", "^.+$", "^"})


def _guests(host: Host) -> list[tuple[SiteFile, XenConfig]]:
    """The host's parsed guest configs, each file once (``auto/`` links to a config count once)."""
    seen: set[str] = set()
    found = []
    for file in host.documents("xen-domain"):
        if not file.doc.parsed:
            continue
        real = os.path.realpath(os.path.join(host.root, file.rel))
        if real in seen:
            continue
        seen.add(real)
        found.append((file, file.doc.model))
    return found


def _relocation(host: Host) -> tuple[SiteFile, XendConfig] | None:
    for file in host.documents("xend-config"):
        if file.doc.parsed:
            config: XendConfig = file.doc.model
            if config.relocation_server or config.relocation_ssl_server:
                return file, config
    return None


def _migrating_hosts(site: Site) -> dict[str, str]:
    """Hosts that take part in migration, with the reason."""
    names: dict[str, set[str]] = {}
    for host in site.hosts:
        for _, config in _guests(host):
            if config.name:
                names.setdefault(config.name, set()).add(host.name)
    found: dict[str, str] = {}
    for host in site.hosts:
        if _relocation(host) is not None:
            found[host.name] = "its xend relocation server is enabled"
            continue
        for _, config in _guests(host):
            others = sorted(names.get(config.name or "", set()) - {host.name})
            if others:
                found[host.name] = (
                    f"guest {config.name!r} is also configured on {', '.join(others)}"
                )
                break
    return found


def _disk_location(file: SiteFile, disk: XenDisk, message: str | None = None) -> Location:
    line, column = disk.position
    end_line, end_column = disk.end_position
    return Location(file.path, line, column, end_line, end_column, file.host.name, message)


def _read_inside(host: Host, rel: str) -> str | None:
    """A file of the host that the site does not load, read only when it stays in the root."""
    return host.read_text(rel)


def _shared_mounts(host: Host) -> list[str]:
    """Mount points of network and cluster file systems in the host's etc/fstab."""
    text = _read_inside(host, "etc/fstab")
    if text is None:
        return []
    lines = text.splitlines()
    mounts = []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 3 and fields[2] in _SHARED_FS:
            mounts.append(fields[1].rstrip("/") or "/")
    return mounts


def _on_shared_fs(path: str, mounts: list[str]) -> bool:
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts)


def _not_shared(spec: DiskSpec, mounts: list[str]) -> str | None:
    """Why the destination host cannot open this disk; None when it can (or we cannot tell)."""
    path = spec.device_path
    if spec.kind in ("file", "tap") or (
        spec.kind == "path" and spec.format in ("qcow", "qcow2", "vhd", "qed")
    ):
        if path and _on_shared_fs(path, mounts):
            return None
        what = "a CD-ROM image" if spec.is_cdrom else "an image file"
        return f"{what} ({spec.prefix}{path}) on a file system that is not shared"
    if spec.kind in ("phy", "path") and path and _local_device().match(path):
        return f"a local device name ({path}) that names another disk, or none, on another host"
    return None


def _volume_groups(host: Host) -> dict[str, VolumeGroup]:
    """The volume groups the host's LVM metadata (backups after archives) describes."""
    files = host.documents("lvm")
    files = [f for f in files if "/archive/" in f.rel] + [f for f in files if "/backup/" in f.rel]
    return {vg.name: vg for file in files for vg in file.doc.model.volume_groups()}


def _volume_not_shared(groups: dict[str, VolumeGroup], spec: DiskSpec) -> str | None:
    """Why a logical volume (``/dev/VG/LV``, ``/dev/mapper/VG-LV``) is on no shared storage:
    the host's LVM metadata puts it on a local disk.  None when its physical volumes are
    shared (a multipath map, a DRBD device) or unknown (no metadata for that group)."""
    path = spec.device_path
    if spec.kind not in ("phy", "path") or not path or not path.startswith("/dev/"):
        return None
    named = _volume_name(path[len("/dev/") :])
    if named is None or named[0] not in groups:
        return None
    vg, lv = named
    devices = groups[vg].devices_of(lv) or list(groups[vg].devices.values())
    local = [d for d in devices if _local_device().match(d)]
    if not local:
        return None
    return (
        f"a logical volume ({path}) of volume group {vg}, whose physical volume is the local "
        f"disk {local[0]}"
    )


def _volume_name(rest: str) -> tuple[str, str] | None:
    """(VG, LV) of ``VG/LV`` or ``mapper/VG-LV`` (device-mapper doubles a ``-`` in a name)."""
    if rest.startswith("mapper/"):
        match = _lvm_dm_name().fullmatch(rest[len("mapper/") :])
        if match is None:
            return None
        vg, lv = (part.replace("--", "-") for part in match.groups())
        return vg, lv
    parts = rest.split("/")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


@rule("XEN001", "guest-disk-not-shared", Severity.WARNING, scope="host", needs=("xen-domain",))
def guest_disk_not_shared(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A guest disk on a migrating host is a local image or device the other hosts cannot reach."""
    migrating = _migrating_hosts(site)
    for host in site.hosts:
        reason = migrating.get(host.name)
        if reason is None:
            continue
        mounts = _shared_mounts(host)
        groups = _volume_groups(host)
        for file, config in _guests(host):
            for disk in config.disks:
                why = _not_shared(disk.spec, mounts) or _volume_not_shared(groups, disk.spec)
                if why is None:
                    continue
                yield ctx.diagnostic(
                    f"guest {config.name or file.rel!r}: disk '{disk.text}' is {why}; this host "
                    f"takes part in live migration ({reason}) and the destination would open "
                    "different data or nothing: use shared storage (iSCSI/multipath alias, "
                    "DRBD, or an image on NFS/OCFS2/GFS2 mounted at the same path)",
                    _disk_location(file, disk),
                )


# XEN002 -------------------------------------------------------------------------------------------


class _MultipathNames:
    """The map names and wwids a host's multipath configuration provides."""

    def __init__(self) -> None:
        self.aliases: set[str] = set()
        self.wwids: set[str] = set()
        self.sources: list[str] = []

    def names(self) -> set[str]:
        return self.aliases | self.wwids

    def provides(self, map_name: str) -> bool:
        if map_name in self.names():
            return True
        # kpartx partition maps: ALIAS-part1, ALIASp1, ALIAS1, ALIAS_part1
        base = re.sub(r"(?:-part|_part|p)?\d+$", "", map_name)
        return base != map_name and base in self.names()


def _multipath_names(host: Host) -> _MultipathNames | None:
    """Aliases and wwids from multipath.conf, /etc/multipath/bindings and wwids (None: none,
    or unknown because a multipath file did not parse)."""
    if not host.known("multipath"):
        return None
    names = _MultipathNames()
    for file in host.documents("multipath"):
        names.sources.append(file.path)
        _read_multipath(file, names)
    for rel, column in (("etc/multipath/bindings", None), ("etc/multipath/wwids", "wwids")):
        text = _read_inside(host, rel)
        if text is None:
            continue
        names.sources.append(str(host.root / rel))
        for line in text.splitlines():
            fields = line.split("#", 1)[0].split()
            if column == "wwids" and fields:
                names.wwids.add(fields[0].strip("/"))
            elif len(fields) >= 2:
                names.aliases.add(fields[0])
                names.wwids.add(fields[1])
    return names if names.sources else None


def _read_multipath(file: SiteFile, names: _MultipathNames) -> None:
    for wwid, alias in ((e.wwid, e.alias) for e in file.doc.model.multipaths):
        if wwid:
            names.wwids.add(wwid)
        if alias:
            names.aliases.add(alias)


def _map_name(path: str) -> str | None:
    """The multipath map a /dev/mapper or /dev/disk/by-id path names; None for other paths."""
    if path.startswith("/dev/mapper/"):
        return path[len("/dev/mapper/") :]
    if path.startswith("/dev/disk/by-id/"):
        name = path[len("/dev/disk/by-id/") :]
        for prefix in ("dm-name-", "dm-uuid-mpath-", "scsi-", "wwn-"):
            if name.startswith(prefix):
                return name[len(prefix) :] if prefix != "wwn-" else name
        return None
    return None


# device-mapper names a logical volume VG-LV, doubling each "-" inside either name
@functools.cache
def _lvm_dm_name() -> re.Pattern[str]:
    return re.compile(r"((?:[^-/]|--)++)-((?:[^-/]|--)++)")


def _lvm_volume(host: Host, map_name: str) -> bool:
    """Whether /dev/mapper/MAP_NAME is a logical volume that the host's LVM metadata backup
    (/etc/lvm/backup/VG, written by every LVM command) lists: a stable name, no multipath map."""
    match = _lvm_dm_name().fullmatch(map_name)
    if match is None:
        return False
    vg, lv = (part.replace("--", "-") for part in match.groups())
    text = _read_inside(host, f"etc/lvm/backup/{vg}")
    # blanks, not \s, after ^: "^\s*" at every line start ran over all the blank lines after it
    volume = re.compile(rf"(?m)^[^\S\n]*+{re.escape(lv)}\s*+\{{")
    return text is not None and volume.search(text) is not None


@rule("XEN002", "guest-disk-unknown", Severity.WARNING, scope="host", needs=("xen-domain",))
def guest_disk_unknown(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A guest's /dev/mapper or by-id disk names no multipath alias or wwid of its host."""
    for host in site.hosts:
        guests = _guests(host)
        if not guests:
            continue
        names = _multipath_names(host)
        if names is None:
            continue
        for file, config in guests:
            for disk in config.disks:
                spec = disk.spec
                path = spec.device_path
                if spec.kind not in ("phy", "path") or not path:
                    continue
                map_name = _map_name(path)
                if map_name is None or names.provides(map_name) or _lvm_volume(host, map_name):
                    continue
                known = ", ".join(sorted(names.aliases)[:5]) or "none"
                yield ctx.diagnostic(
                    f"guest {config.name or file.rel!r}: disk '{disk.text}' uses {path}, but no "
                    f"multipath alias or wwid of {host.name} is {map_name!r} (aliases: {known}); "
                    "the guest fails to start, or starts on a different LUN, on this host "
                    "(an LVM volume is better written /dev/VG/LV)",
                    _disk_location(file, disk),
                    [
                        Location(source, host=host.name, message="multipath names read here")
                        for source in names.sources[:3]
                    ],
                )


# XEN003 -------------------------------------------------------------------------------------------


def _match_all(pattern: str) -> bool:
    return pattern in _MATCH_ALL or re.fullmatch(r"\^?\.[*+]\$?", pattern) is not None


@rule("XEN003", "relocation-open", Severity.WARNING, scope="file", needs=("xend-config",))
def relocation_open(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """xend's relocation server accepts domains from any host."""
    for file in site.files("xend-config"):
        if not file.doc.parsed:
            continue
        config: XendConfig = file.doc.model
        server = config.entry("xend-relocation-server")
        ssl = config.entry("xend-relocation-ssl-server")
        enabled = [e for e in (server, ssl) if e is not None and config.flag(e.name)]
        if not enabled:
            continue
        allow = config.entry("xend-relocation-hosts-allow")
        patterns = config.relocation_hosts_allow
        if patterns and not any(_match_all(p) for p in patterns):
            continue
        where = file.location(allow.token) if allow is not None else file.location(enabled[0].token)
        if allow is None:
            why = "xend-relocation-hosts-allow is not set (the default '' allows every host)"
        elif not patterns:
            why = "xend-relocation-hosts-allow is empty, which allows every host"
        else:
            wide = next(p for p in patterns if _match_all(p))
            why = f"xend-relocation-hosts-allow contains {wide!r}, which matches every host"
        port = config.relocation_port
        yield ctx.diagnostic(
            f"{enabled[0].name} is on and {why}: anyone who reaches port {port} can push a "
            "domain into this dom0, unauthenticated, and guest memory crosses the network "
            "unencrypted; list the peer dom0s as anchored regexes ('^san2\\\\.example\\\\.org$ "
            "^10\\\\.0\\\\.0\\\\.2$') or migrate with xl over ssh",
            where,
            [file.location(e.token, message="relocation server enabled here") for e in enabled],
        )
