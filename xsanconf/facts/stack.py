"""The site's storage stack, indexed by identity: DRBD device -> IET LUN -> WWID -> map -> guest.

A replicated LUN is one DRBD resource's device exported by IET on each of its peers; initiators
bundle the paths by the WWID each LUN presents, and Xen guests open the bundle by its alias.
This module builds that chain once per site (and targeted versions) so that cross-host rules
(IET003-IET005, IET008, MPATH001, MPATH006) and the graph are lookups in dictionaries: the cost
grows with the number of hosts, never with pairs of them.  The index assumes the site's
documents are not edited after it is built (a run that applies fixes loads the site again).

Public API
----------
``stack_index(site, drbd_version="9", iet_version=None, drbd_versions=None, iet_versions=None)``
    Built on first use, then memoised per site and versions.  ``iet_version`` is a tuple
    such as ``(1, 4, 19)``; ``None`` means IET 1.4.20 or later.  ``parse_iet_version("1.4.19")``
    turns the text of ``ctx.versions["iet"]`` into that tuple.  ``drbd_versions`` and
    ``iet_versions`` give hosts (by name) their own versions.
    ``stack_index_for(site, ctx.versions, ctx.host_versions)`` does all that for a rule, each
    host at the versions its own evidence gives.

``StackIndex``
    ``hosts: dict[Host, HostStack]`` (site order), ``host(h) -> HostStack``,
    ``by_replica: dict[ReplicaKey, list[LunExport]]`` (every LUN that exports a DRBD device,
    keyed by ``(resource name, volume number)``), ``by_wwid: dict[str, list[LunExport]]``,
    ``maps_by_wwid: dict[str, list[MultipathMap]]``, ``guests_by_wwid: dict[str, list[GuestDisk]]``,
    ``has_targets`` (the site carries an ietd.conf that ietd reads, and every one parses: else
    no rule may conclude that no LUN presents a WWID), ``unknown_wwids`` (LUNs
    whose WWID cannot be computed from their configuration), ``replica_hosts(key)``.

``HostStack`` (one host)
    ``drbd_devices: list[DrbdDevice]`` (the volumes the host's DRBD config defines *for this
    host*), ``device(path) -> DrbdDevice | None`` (by ``/dev/drbdN``, the configured name,
    ``/dev/drbd/by-res/R``, ``/dev/drbd/by-res/R/V``, ``/dev/drbd/by-disk/...``; the dict is
    ``by_name``), ``backing(path) -> DrbdDevice | None`` (by backing disk, LVM ``/dev/VG/LV``
    and ``/dev/mapper/VG-LV`` alike; the dict is ``by_backing``), ``elsewhere: dict[str,
    list[str]]`` (names of devices this host's config defines only for other hosts -> those
    hosts' names), ``has_drbd`` (the host carries an /etc/drbd.conf that parses, and so do
    its includes), ``ietd_file`` (the file ietd reads), ``ignored_ietd`` (ietd.conf files it
    does not read), ``luns: list[LunExport]``, ``maps: list[MultipathMap]``,
    ``maps_by_alias``, ``maps_by_wwid`` (``dict[str, MultipathMap]``), ``guest_disks:
    list[GuestDisk]``.

``DrbdDevice``: ``host, resource, volume, minor, path, disk, file, statement, implicit``,
    ``replica`` (the ``ReplicaKey``), ``names()``, ``location(message)``.
``IetLunExport``: ``host, file, lun (IetLun), target, number, params (LunParams), path,
    resolved_path, io_type, io_mode, scsi_id, scsi_sn, identity (IetIdentity), device
    (DrbdDevice | None), backing_of (DrbdDevice | None)``, ``wwid``, ``replica``, ``serial``,
    ``location(message)``, ``param_location(key, message)``.
``MultipathMap``: ``host, file, wwid, alias, entry (MultipathEntry | None), exception
    (the blacklist_exceptions option | None), policy, policy_option, policy_source, prio,
    prio_option``, ``location(message)``, ``policy_location(message)``.
``GuestDisk``: ``host, file, guest, disk (XenDisk), path, map_name, drbd_resource, map
    (MultipathMap | None), wwid``, ``location(message)``.

Helpers: ``canonical_device(path)``, ``resolve_in_host(host, path)`` (symbolic links followed
inside the host root only), ``iet_wwid_scsi_id(wwid)`` (the 16 SCSI ID bytes an IET WWID
carries), ``IET_WWID_PREFIX``.

Assumptions
-----------
* The ietd.conf a host's ietd reads is IET009's answer
  (:func:`xsanconf.facts.ietd.config_choice`): 1.x reads ``/etc/iet/ietd.conf`` and falls
  back to ``/etc/ietd.conf``, 0.4.x reads only ``/etc/ietd.conf``, and ``ietd -c FILE``
  in ``ISCSITARGET_OPTIONS`` wins.
* WWIDs are udev's ``ID_SERIAL`` (``xsanconf.domain.wwid``).  Without ``ScsiId`` the identity
  is IET 1.4.20's MD5 of the target name and LUN number; before 1.4.20 it cannot be known.  The
  unit serial (``ScsiSN``) defaults to the hex of the SCSI ID bytes from 1.4.20 on.
* A map's path grouping policy is multipathd's precedence: its ``multipath`` entries (merged,
  later wins), ``overrides``, ``devices`` entries matching vendor ``IET`` product
  ``VIRTUAL-DISK`` (multipath-tools has no built-in entry for IET), ``defaults``, then the
  compiled-in ``failover``.  Files are read as multipathd reads them: multipath.conf, then
  ``multipath/conf.d/*.conf`` in name order, later values winning.
"""

from __future__ import annotations

import os
import posixpath
import re
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.wwid import Wwid
from xsanconf.facts.drbd import DRBD, ResourceView, drbd_index, newest_versions
from xsanconf.facts.registry import Fact
from xsanconf.lint.diagnostics import Location
from xsanconf.lint.site import resolve_in_root

if TYPE_CHECKING:
    from xsanconf.domain.target import LunIdentity, TargetAccess, TargetLun
    from xsanconf.facts.registry import Facts
    from xsanconf.formats.drbd.model import DrbdStatement, EffectiveVolume
    from xsanconf.formats.ietd.model import IetConfig
    from xsanconf.formats.multipath.model import (
        MultipathConfig,
        MultipathEntry,
        MultipathOption,
        MultipathSection,
    )
    from xsanconf.formats.xen_domain.model import XenConfig, XenDisk
    from xsanconf.lint.facts.versions import HostVersions
    from xsanconf.lint.site import Host, Site, SiteFile

__all__ = [
    "STACK",
    "DrbdDevice",
    "GuestDisk",
    "HostStack",
    "IetLunExport",
    "LunExport",
    "MultipathMap",
    "ReplicaKey",
    "StackIndex",
    "canonical_device",
    "export_key",
    "iet_wwid_scsi_id",
    "parse_iet_version",
    "resolve_in_host",
    "stack_index",
    "stack_index_for",
    "target_kinds",
]

ReplicaKey = tuple[str, int]  # (DRBD resource name, volume number)
IetVersion = tuple[int, ...]

IET_FILES = ("etc/iet/ietd.conf", "etc/ietd.conf")
IET_VENDOR, IET_PRODUCT = "IET", "VIRTUAL-DISK"
DEFAULT_POLICY = "failover"
IET_WWID_PREFIX = "1" + b"IET\0\0\0\0\0".hex()
_DRBD_MINOR = re.compile(r"/dev/drbd(\d+)")
_DRBD_DEVICE = re.compile(r"/dev/drbd(?:\d+|/by-res/.+|/by-disk/.+|_.+)")


# DRBD devices ------------------------------------------------------------------------------------


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(eq=False, repr=False)
class DrbdDevice:
    """One volume of a DRBD resource as a host's configuration defines it for that host."""

    host: Host
    resource: str
    volume: int
    minor: int | None
    path: str | None  # the device node as configured, e.g. /dev/drbd0
    disk: str | None  # the backing disk ("none" on a diskless node)
    file: SiteFile
    statement: DrbdStatement | None  # the ``device`` statement
    implicit: bool  # no ``volume`` sections: 8.x udev also names it /dev/drbd/by-res/<res>

    @property
    def replica(self) -> ReplicaKey:
        """What every peer's copy of this volume has in common."""
        return self.resource, self.volume

    def names(self) -> tuple[str, ...]:
        """Every path that names the device on its host (udev's links included)."""
        found = [f"/dev/drbd/by-res/{self.resource}/{self.volume}"]
        if self.implicit or self.volume == 0:
            found.append(f"/dev/drbd/by-res/{self.resource}")
        if self.minor is not None:
            found.append(f"/dev/drbd{self.minor}")
        if self.path is not None:
            found.append(posixpath.normpath(self.path))
        if self.disk not in (None, "none"):
            found.append("/dev/drbd/by-disk/" + str(self.disk).removeprefix("/dev/"))
        return tuple(dict.fromkeys(found))

    def location(self, message: str | None = None) -> Location:
        return self.file.location(self.statement.token if self.statement else None, message)

    def __repr__(self) -> str:
        return f"DrbdDevice({self.host.name!r}, {self.resource!r}/{self.volume}, {self.path!r})"


def canonical_device(path: str) -> str:
    """A device path in one spelling: normalised, LVM's /dev/mapper/VG-LV as /dev/VG/LV."""
    path = posixpath.normpath(path)
    if path.startswith("/dev/mapper/"):
        name = path[len("/dev/mapper/") :]
        # device-mapper doubles the dashes inside VG and LV names and joins them with one
        parts = re.split(r"(?<!-)-(?!-)", name)
        if len(parts) == 2 and all(parts):
            vg, lv = (p.replace("--", "-") for p in parts)
            return f"/dev/{vg}/{lv}"
    return path


# Target LUNs ------------------------------------------------------------------------------------

# IET's Lun parameters by the TargetLun field they set (param_location's keys)
_IET_PARAMS = {"path": "backing", "scsiid": "identity", "scsisn": "serial", "type": "cache"}


@attrs.frozen(eq=False, repr=False)
class LunExport:
    """A LUN a target on a host exports (any implementation: the registry's ``targets``
    kinds), with what it exports there: the DRBD device its backing path names, or the DRBD
    device whose backing disk it is."""

    host: Host
    file: SiteFile
    lun: TargetLun
    resolved_path: str | None  # after symbolic links inside the host root
    device: DrbdDevice | None  # the DRBD device the backing path names on this host
    backing_of: DrbdDevice | None  # the DRBD device whose backing disk the path is

    @property
    def implementation(self) -> str:
        return self.lun.implementation

    @property
    def engine(self) -> str:
        """The target daemon that presents the LUN (a Pacemaker LU's agent implementation)."""
        return self.lun.engine

    @property
    def target(self) -> str | None:
        return self.lun.target or None

    @property
    def number(self) -> int | None:
        return self.lun.lun

    @property
    def path(self) -> str | None:
        return self.lun.backing

    @property
    def identity(self) -> LunIdentity:
        return self.lun.identity

    @property
    def wwid(self) -> Wwid | None:
        return self.lun.identity.wwid

    @property
    def serial(self) -> str | None:
        """The unit serial (VPD page 0x80); None when it cannot be known."""
        return self.lun.identity.serial

    @property
    def scsi_id(self) -> str | None:
        """The identity setting as written (IET's ScsiId); None for the default identity."""
        return self.lun.identity.written

    @property
    def scsi_sn(self) -> str | None:
        """The unit serial as written (IET's ScsiSN); None for the default serial."""
        return self.lun.identity.serial if self.lun.sets("serial") else None

    @property
    def io_type(self) -> str | None:
        return self.lun.backing_kind

    @property
    def replica(self) -> ReplicaKey | None:
        return self.device.replica if self.device is not None else None

    @property
    def name(self) -> str:
        """``LUN 0 of iqn...`` for messages."""
        return f"LUN {self.number if self.number is not None else '?'} of {self.target or '?'}"

    def setting(self, field: str) -> str:
        """The implementation's own name for ``field`` (IET's ``Path`` for ``backing``)."""
        return self.lun.setting(field)

    def location(self, message: str | None = None) -> Location:
        return self.file.location(self.lun.anchor, message)

    def setting_location(self, field: str, message: str | None = None) -> Location:
        """Where the configuration sets ``field`` (the piece of a line that does, when it is
        part of one); the LUN's definition when it leaves it at the default."""
        span = self.lun.spans.get(field)
        if span is not None:
            token, start, end = span
            line, column = self.file.doc.position(token)
            return Location(
                self.file.path, line, column + start, line, column + end, self.host.name, message
            )
        anchor = self.lun.anchors.get(field)
        return self.file.location(anchor, message) if anchor is not None else self.location(message)

    def param_location(self, key: str, message: str | None = None) -> Location:
        """IET's ``key=value`` piece (``Path``, ``ScsiId``, ``ScsiSN``, ``Type``)."""
        return self.setting_location(_IET_PARAMS.get(key.lower(), key), message)

    def __repr__(self) -> str:
        return f"LunExport({self.host.name!r}, {self.name!r}, {self.path!r})"


IetLunExport = LunExport  # the name it had when IET was the only target


def export_key(lun: LunExport) -> tuple[str, ...]:
    """What a LUN's backing path opens on its host: the DRBD device whatever its name, else the
    canonical path (LVM's /dev/mapper/VG-LV as /dev/VG/LV)."""
    if lun.device is not None:
        return ("drbd", lun.device.resource, str(lun.device.volume))
    return ("path", canonical_device(lun.resolved_path or lun.path or ""))


def parse_iet_version(text: str | None) -> IetVersion | None:
    """``"1.4.19"`` -> ``(1, 4, 19)``; ``None`` (or no number) means 1.4.20 or later."""
    from xsanconf.domain.version import parse_version

    found = parse_version(text or "")
    return found.release if found is not None else None


def iet_wwid_scsi_id(wwid: str) -> bytes | None:
    """The 16 SCSI ID bytes an IET WWID carries (``None`` for a WWID of another shape)."""
    if len(wwid) != 49 or not wwid.lower().startswith(IET_WWID_PREFIX):
        return None
    try:
        return bytes.fromhex(wwid[len(IET_WWID_PREFIX) :])
    except ValueError:
        return None


# multipath maps ----------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class MultipathMap:
    """A map an initiator's multipath configuration names by WWID, with its effective grouping."""

    host: Host
    file: SiteFile
    wwid: str  # as multipathd compares it: exact text, blanks around it dropped
    alias: str | None
    entry: MultipathEntry | None  # the (last) ``multipath`` entry; None for an exception only
    exception: MultipathOption | None  # a ``blacklist_exceptions`` ``wwid`` line
    policy: str
    policy_option: MultipathOption | None  # None: the compiled-in default
    policy_source: str  # "multipath entry", "overrides", "devices", "defaults", "built-in"
    prio: str | None
    prio_option: MultipathOption | None

    def location(self, message: str | None = None) -> Location:
        item = self.entry.option("wwid") if self.entry is not None else self.exception
        return self.file.location(item.token if item is not None else None, message)

    def policy_location(self, message: str | None = None) -> Location:
        option = self.policy_option
        if option is None:
            return self.location(message)
        return _option_file(self.host, option).location(option.token, message)

    def __repr__(self) -> str:
        return f"MultipathMap({self.host.name!r}, {self.wwid!r}, alias={self.alias!r})"


def _option_file(host: Host, option: MultipathOption) -> SiteFile:
    for file in host.documents("multipath"):
        if file.doc is option.doc:
            return file
    raise LookupError("an option of a file the host does not carry")


# Xen guests --------------------------------------------------------------------------------------


@attrs.frozen(eq=False, repr=False)
class GuestDisk:
    """A guest disk that names a multipath map, an IET WWID or a DRBD resource."""

    host: Host
    file: SiteFile
    guest: str | None
    disk: XenDisk
    path: str | None
    map_name: str | None  # /dev/mapper/NAME, /dev/disk/by-id/dm-name-NAME
    drbd_resource: str | None  # the block-drbd script's ``drbd:RES``
    map: MultipathMap | None
    wwid: str | None

    def location(self, message: str | None = None) -> Location:
        line, column = self.disk.position
        end_line, end_column = self.disk.end_position
        return Location(self.file.path, line, column, end_line, end_column, self.host.name, message)


# The index ---------------------------------------------------------------------------------------


@attrs.define(eq=False, repr=False)
class HostStack:
    """One host's part of the stack."""

    host: Host
    drbd_devices: list[DrbdDevice] = attrs.field(factory=list)
    by_name: dict[str, DrbdDevice] = attrs.field(factory=dict)
    by_backing: dict[str, DrbdDevice] = attrs.field(factory=dict)
    elsewhere: dict[str, list[str]] = attrs.field(factory=dict)
    has_drbd: bool = False
    ietd_file: SiteFile | None = None
    ignored_ietd: list[SiteFile] = attrs.field(factory=list)
    # the target configurations whose LUNs were read (every implementation)
    target_files: list[SiteFile] = attrs.field(factory=list)
    luns: list[LunExport] = attrs.field(factory=list)
    # the LUNs by what their backing path opens (:func:`export_key`): one device in two LUNs
    luns_by_device: dict[tuple[str, ...], list[LunExport]] = attrs.field(factory=dict)
    maps: list[MultipathMap] = attrs.field(factory=list)
    maps_by_alias: dict[str, MultipathMap] = attrs.field(factory=dict)
    maps_by_wwid: dict[str, MultipathMap] = attrs.field(factory=dict)
    guest_disks: list[GuestDisk] = attrs.field(factory=list)

    def device(self, path: str) -> DrbdDevice | None:
        return self.by_name.get(posixpath.normpath(path))

    def backing(self, path: str) -> DrbdDevice | None:
        return self.by_backing.get(canonical_device(path))


@attrs.define(eq=False, repr=False)
class StackIndex:
    drbd_version: str  # for hosts without a version of their own
    iet_version: IetVersion | None
    # each host's own versions (by host name), as the per-host evidence gives them
    drbd_versions: Mapping[str, str] = attrs.field(factory=dict)
    iet_versions: Mapping[str, IetVersion | None] = attrs.field(factory=dict)
    hosts: dict[Host, HostStack] = attrs.field(factory=dict)
    by_replica: dict[ReplicaKey, list[LunExport]] = attrs.field(factory=dict)
    by_wwid: dict[str, list[LunExport]] = attrs.field(factory=dict)
    maps_by_wwid: dict[str, list[MultipathMap]] = attrs.field(factory=dict)
    guests_by_wwid: dict[str, list[GuestDisk]] = attrs.field(factory=dict)
    unknown_wwids: list[LunExport] = attrs.field(factory=list)
    has_targets: bool = False

    def host(self, host: Host) -> HostStack:
        return self.hosts[host]

    @property
    def luns(self) -> list[LunExport]:
        return [lun for stack in self.hosts.values() for lun in stack.luns]

    def replica_hosts(self, key: ReplicaKey) -> list[Host]:
        """The hosts that export a replicated device, each once, in site order."""
        return list(dict.fromkeys(lun.host for lun in self.by_replica.get(key, [])))


_CACHE: weakref.WeakKeyDictionary[Site, dict[object, StackIndex]] = weakref.WeakKeyDictionary()


def stack_index(
    site: Site,
    drbd_version: str = "9",
    iet_version: IetVersion | None = None,
    drbd_versions: Mapping[str, str] | None = None,
    iet_versions: Mapping[str, IetVersion | None] | None = None,
) -> StackIndex:
    """The site's stack index for the targeted versions, built on first use: each host at
    its own version where ``drbd_versions``/``iet_versions`` (by host name) name one."""
    per_version = _CACHE.setdefault(site, {})
    own_drbd, own_iet = dict(drbd_versions or {}), dict(iet_versions or {})
    key = (drbd_version, iet_version, tuple(sorted(own_drbd.items())), tuple(own_iet.items()))
    found = per_version.get(key)
    if found is None:
        index = StackIndex(drbd_version, iet_version, own_drbd, own_iet)
        found = per_version[key] = _build(site, index)
    return found


def stack_index_for(
    site: Site,
    versions: Mapping[str, str],
    host_versions: Callable[[Host], HostVersions] | None = None,
) -> StackIndex:
    """The index for a rule's targeted versions (``ctx.versions``: ``drbd``, ``iet``), each
    host read at its own versions when ``host_versions`` (``ctx.host_versions``) is given: DRBD
    as the newest drbdadm it may run (as the DRBD rules read it), IET where one is known."""
    drbd = versions.get("drbd", "9")
    drbd = drbd if drbd in ("8.3", "8.4", "9") else "9"
    if host_versions is None:
        return stack_index(site, drbd, parse_iet_version(versions.get("iet")))
    own_drbd = newest_versions(site, host_versions, drbd)
    own_iet: dict[str, IetVersion | None] = {}
    for host in site.hosts:
        known = host_versions(host).version("iet")
        if known is not None:
            own_iet[host.name] = parse_iet_version(known)
    return stack_index(site, drbd, parse_iet_version(versions.get("iet")), own_drbd, own_iet)


def _stack_fact(facts: Facts) -> StackIndex:
    return stack_index_for(facts.site, facts.versions, facts.host_versions)


# The stack index at the run's targeted versions, each host at its own (the DRBD index it is
# built on is the DRBD fact: one object, memoised per site and versions).
STACK: Fact[StackIndex] = Fact("stack", _stack_fact, requires=(DRBD,))


def target_kinds() -> tuple[str, ...]:
    """The kinds the format registry flags as iSCSI targets."""
    from xsanconf.formats import entries

    return tuple(e.kind for e in entries() if e.targets)


def _build(site: Site, index: StackIndex) -> StackIndex:
    drbd = drbd_index(site, index.drbd_versions or index.drbd_version)
    unread = False  # a target configuration that did not parse: the site's LUNs are unknown
    for host in site.hosts:
        stack = HostStack(host)
        index.hosts[host] = stack
        _read_drbd(stack, drbd.of_host(host), drbd.version_of(host))
        _read_targets(stack, index.iet_versions.get(host.name, index.iet_version))
        _read_multipath(stack)
        _read_guests(stack)
        index.has_targets = index.has_targets or bool(stack.target_files)
        unread = unread or not all(host.known(kind) for kind in target_kinds())
        # a CIB that does not parse may define LUs (Pacemaker's iSCSILogicalUnit)
        unread = unread or any(not f.doc.parsed for f in host.files if f.kind == "cib")
        for lun in stack.luns:
            if lun.resolved_path is not None:
                stack.luns_by_device.setdefault(export_key(lun), []).append(lun)
            if lun.replica is not None:
                index.by_replica.setdefault(lun.replica, []).append(lun)
            if lun.wwid is None:
                index.unknown_wwids.append(lun)
            else:
                index.by_wwid.setdefault(lun.wwid.value, []).append(lun)
        for map_ in stack.maps:
            index.maps_by_wwid.setdefault(map_.wwid, []).append(map_)
        for disk in stack.guest_disks:
            if disk.wwid is not None:
                index.guests_by_wwid.setdefault(disk.wwid, []).append(disk)
    index.has_targets = index.has_targets and not unread
    return index


# reading DRBD ------------------------------------------------------------------------------------


def _read_drbd(stack: HostStack, views: list[ResourceView], version: str) -> None:
    host = stack.host
    main = host.file("etc/drbd.conf")
    known = main is not None and main.kind == "drbd" and host.known("drbd")
    stack.has_drbd = known and main is not None and main.doc.parsed
    for view in views:
        anywhere = view.matches_by_address_or_stacking()
        own = view.hosts if anywhere else view.own_sections(host.name, version)
        implicit = not view.resource.volumes and not any(s.volumes for s in view.hosts)
        for section in view.hosts:
            mine = section in own
            for volume in view.volumes_of(section):
                device = _device(stack.host, view, volume, implicit)
                if mine:
                    _add_device(stack, device)
                    continue
                for name in device.names():
                    others = stack.elsewhere.setdefault(name, [])
                    others += [n for n in view.names_of(section) if n not in others]


def _device(host: Host, view: ResourceView, volume: EffectiveVolume, implicit: bool) -> DrbdDevice:
    spec = volume.device
    return DrbdDevice(
        host=host,
        resource=view.name,
        volume=volume.number,
        minor=spec.effective_minor if spec is not None else None,
        path=spec.effective_path if spec is not None else None,
        disk=volume.disk,
        file=view.file,
        statement=volume.sources.get("device"),
        implicit=implicit,
    )


def _add_device(stack: HostStack, device: DrbdDevice) -> None:
    stack.drbd_devices.append(device)
    for name in device.names():
        stack.by_name.setdefault(name, device)
    if device.disk not in (None, "none"):
        stack.by_backing.setdefault(canonical_device(str(device.disk)), device)


# reading ietd ------------------------------------------------------------------------------------


def _effective_ietd(host: Host, version: IetVersion | None) -> SiteFile | None:
    # IET009 says which file ietd reads (versions, `ietd -c`); the index agrees with it.
    from xsanconf.facts.ietd import NEWEST, config_choice

    choice = config_choice(host, version or NEWEST)
    if choice is not None:
        return choice.file
    for rel in IET_FILES:  # ietd's arguments are not known: the usual order
        file = host.file(rel)
        if file is not None and file.kind == "ietd":
            return file
    return None


def _read_targets(stack: HostStack, iet_version: IetVersion | None) -> None:
    """Every LUN of the target configurations the host's daemons read: the ietd.conf ietd
    reads, and each parsed file of the other kinds the registry flags as targets."""
    from xsanconf.formats import entries

    host = stack.host
    for found in entries():
        if not found.targets:
            continue
        if found.kind == "ietd":
            _read_ietd(stack, iet_version)
            continue
        for file in host.documents(found.kind):
            if file.doc.parsed:
                stack.target_files.append(file)
                for lun in file.doc.model.target_luns(None):
                    stack.luns.append(_lun_export(stack, file, lun))
    _read_cib(stack, iet_version)


def _read_cib(stack: HostStack, iet_version: IetVersion | None) -> None:
    """The LUNs the host's CIB has Pacemaker's ``iSCSILogicalUnit`` create on this host.

    Every node carries a copy of the one cluster CIB, so each copy is read as its host's:
    the LU runs where Pacemaker places it, and an LU on a DRBD device runs only on a node
    whose DRBD defines that device (it is colocated with the promoted instance there).  An
    LU whose DRBD device this host does not define is not this host's (it never runs here;
    IET005 would misjudge it).  Copies on several heads describe one LUN that moves with
    the resource (``TargetLun.moves``); the rules compare them like any replica, and their
    identities agree by construction (the CIB is shared).  The first CIB file that parses
    is the host's (a saved ``cibadmin -Q`` and the daemon's file are the same CIB).
    """
    host = stack.host
    cib = next((f for f in host.documents("cib") if f.doc.parsed), None)
    if cib is None:
        return
    luns = cib.doc.model.target_luns(iet_version)
    exported = []
    for lun in luns:
        export = _lun_export(stack, cib, lun)
        path = export.resolved_path
        if export.device is None and path is not None and _DRBD_DEVICE.fullmatch(path):
            continue  # a DRBD device another node defines: the LU runs there
        exported.append(export)
    if exported:
        stack.target_files.append(cib)
        stack.luns.extend(exported)


def _read_ietd(stack: HostStack, version: IetVersion | None) -> None:
    host = stack.host
    file = _effective_ietd(host, version)
    stack.ignored_ietd = [f for f in host.documents("ietd") if f is not file]
    if file is None or not file.doc.parsed:
        return
    stack.ietd_file = file
    stack.target_files.append(file)
    config: IetConfig = file.doc.model
    opened: dict[str, TargetAccess] = {}
    for read in config.target_luns(version):
        lun = read
        if read.access.open is None:  # no account: initiators.allow and .deny decide
            access = opened.get(read.target)
            if access is None:
                access = opened[read.target] = _iet_access(host, config, read.target, version)
            lun = attrs.evolve(read, access=access)
        stack.luns.append(_lun_export(stack, file, lun))


def _iet_access(
    host: Host, config: IetConfig, target: str, version: IetVersion | None
) -> TargetAccess:
    """Who may log in to an IET target without an IncomingUser account (IET006's reading)."""
    from xsanconf.domain.target import TargetAccess
    from xsanconf.facts.ietd import NEWEST, access_file, target_opening

    if config.isns_server and config.isns_access_control:
        return TargetAccess(open=None, reason="the iSNS server's discovery domains decide")
    version = version or NEWEST
    allow_known, allow = access_file(host, "initiators.allow", version)
    deny_known, deny = access_file(host, "initiators.deny", version)
    if not (allow_known and deny_known):
        return TargetAccess(open=None, reason="an access file cannot be read")
    opening = target_opening(target, allow, deny, version)
    if opening is None:
        return TargetAccess(open=False, reason="initiators.allow restricts it")
    return TargetAccess(open=True, chap_required=False, reason=opening[0])


def _lun_export(stack: HostStack, file: SiteFile, lun: TargetLun) -> LunExport:
    path = lun.backing
    resolved = resolve_in_host(stack.host, path) if path else None
    device = stack.device(resolved) if resolved else None
    backing = stack.backing(resolved) if resolved and device is None else None
    return LunExport(
        host=stack.host,
        file=file,
        lun=lun,
        resolved_path=resolved,
        device=device,
        backing_of=backing,
    )


def resolve_in_host(host: Host, path: str) -> str:
    """``path`` with symbolic links followed as the host follows them (absolute targets start
    at the host root, ``..`` stops there: :func:`~xsanconf.lint.site.resolve_in_root`); a
    link that loops leaves the path as written."""
    written = posixpath.normpath("/" + path.lstrip("/"))
    resolved, trouble = resolve_in_root(host.root, written)
    return written if trouble is not None else "/" + resolved


# reading multipath -------------------------------------------------------------------------------


def _multipath_configs(host: Host) -> list[tuple[SiteFile, MultipathConfig]]:
    """multipath.conf first, then conf.d/*.conf by name: the order multipathd reads them."""
    files = [f for f in host.documents("multipath") if f.doc.parsed]
    files.sort(key=lambda f: (f.rel != "etc/multipath.conf", f.rel))
    return [(f, f.doc.model) for f in files]


class _Grouping:
    """The host-wide sources of a map's path grouping, lowest precedence first (a plain
    class: attrs would compile its __init__ on every run)."""

    __slots__ = ("layers",)

    def __init__(self, layers: list[tuple[str, dict[str, MultipathOption]]]) -> None:
        self.layers = layers

    def pick(self, keyword: str) -> tuple[MultipathOption | None, str]:
        found: tuple[MultipathOption | None, str] = (None, "built-in")
        for source, options in self.layers:
            if keyword in options:
                found = (options[keyword], source)
        return found


def _effective_options(sections: list[MultipathSection]) -> dict[str, MultipathOption]:
    merged: dict[str, MultipathOption] = {}
    for section in sections:
        for keyword in ("path_grouping_policy", "prio"):
            option = section.effective(keyword)
            if option is not None:
                merged[keyword] = option
    return merged


def _iet_device(vendor: str | None, product: str | None) -> bool:
    """Whether a ``device`` entry's vendor and product (unanchored EREs) match IET's LUNs."""
    try:
        return bool(
            vendor is not None
            and re.search(vendor, IET_VENDOR)
            and (product is None or re.search(product, IET_PRODUCT))
        )
    except re.error:
        return False


def _grouping(configs: list[tuple[SiteFile, MultipathConfig]]) -> _Grouping:
    defaults = [s for _, c in configs for s in c.defaults.sections]
    devices = [d for _, c in configs for d in c.devices if _iet_device(d.vendor, d.product)]
    overrides = [s for _, c in configs for s in c.overrides.sections]
    return _Grouping(
        [
            ("defaults", _effective_options(defaults)),
            ("devices", _effective_options(list(devices))),
            ("overrides", _effective_options(overrides)),
        ]
    )


def _read_multipath(stack: HostStack) -> None:
    configs = _multipath_configs(stack.host)
    if not configs:
        return
    grouping = _grouping(configs)
    entries: dict[str, list[tuple[SiteFile, MultipathEntry]]] = {}
    for file, config in configs:
        for entry in config.multipaths:
            wwid = (entry.wwid or "").strip()
            if wwid:
                entries.setdefault(wwid, []).append((file, entry))
    for wwid, found in entries.items():
        _add_map(stack, wwid, found, None, grouping)
    for file, config in configs:
        for exception in config.blacklist_exceptions.entries:
            literal = _literal_wwid(exception.pattern)
            if exception.kind == "wwid" and literal and literal not in stack.maps_by_wwid:
                _add_map(stack, literal, [], (file, exception.option), grouping)


def _literal_wwid(pattern: str | None) -> str | None:
    """The one WWID an exception pattern stands for (``^1494...$`` or plain text)."""
    if not pattern:
        return None
    text = pattern.removeprefix("^").removesuffix("$")
    return text if re.fullmatch(r"[0-9A-Za-z]+", text) else None


def _add_map(
    stack: HostStack,
    wwid: str,
    entries: list[tuple[SiteFile, MultipathEntry]],
    exception: tuple[SiteFile, MultipathOption] | None,
    grouping: _Grouping,
) -> None:
    own = _effective_options([e for _, e in entries])
    layers = _Grouping([*grouping.layers, ("multipath entry", own)])
    policy_option, policy_source = layers.pick("path_grouping_policy")
    prio_option, _ = layers.pick("prio")
    alias = next((e.alias for _, e in reversed(entries) if e.alias), None)
    file = entries[-1][0] if entries else exception[0] if exception else None
    assert file is not None
    map_ = MultipathMap(
        host=stack.host,
        file=file,
        wwid=wwid,
        alias=alias,
        entry=entries[-1][1] if entries else None,
        exception=exception[1] if exception else None,
        policy=(policy_option.value or DEFAULT_POLICY) if policy_option else DEFAULT_POLICY,
        policy_option=policy_option,
        policy_source=policy_source,
        prio=prio_option.value if prio_option else None,
        prio_option=prio_option,
    )
    stack.maps.append(map_)
    stack.maps_by_wwid[wwid] = map_
    if alias:
        stack.maps_by_alias.setdefault(alias, map_)


# reading Xen guests ------------------------------------------------------------------------------


def _guest_configs(host: Host) -> list[tuple[SiteFile, XenConfig]]:
    """Each parsed guest config once (``auto/`` links to a config count once)."""
    seen: set[str] = set()
    found = []
    for file in host.documents("xen-domain"):
        real = os.path.realpath(os.path.join(host.root, file.rel))
        if file.doc.parsed and real not in seen:
            seen.add(real)
            found.append((file, file.doc.model))
    return found


def _disk_names(path: str | None) -> tuple[str | None, str | None]:
    """The map name and the WWID a disk path names, as far as it names them."""
    if not path:
        return None, None
    if path.startswith("/dev/mapper/"):
        return path[len("/dev/mapper/") :], None
    if path.startswith("/dev/disk/by-id/"):
        name = path[len("/dev/disk/by-id/") :]
        if name.startswith("dm-name-"):
            return name[len("dm-name-") :], None
        for prefix in ("dm-uuid-mpath-", "scsi-"):
            if name.startswith(prefix):
                return None, name[len(prefix) :]
    return None, None


def _read_guests(stack: HostStack) -> None:
    for file, config in _guest_configs(stack.host):
        for disk in config.disks:
            spec = disk.spec
            path = spec.device_path
            resource = spec.target if spec.script == "drbd" else None
            map_name, wwid = (None, None) if resource else _disk_names(path)
            map_ = stack.maps_by_alias.get(map_name) if map_name else None
            if map_ is None and map_name:
                map_ = stack.maps_by_wwid.get(map_name)  # no alias: the map is named by WWID
            if map_ is None and wwid:
                map_ = stack.maps_by_wwid.get(wwid)
            if map_ is None and not (map_name or wwid or resource):
                continue
            stack.guest_disks.append(
                GuestDisk(
                    host=stack.host,
                    file=file,
                    guest=config.name,
                    disk=disk,
                    path=path,
                    map_name=map_name,
                    drbd_resource=resource,
                    map=map_,
                    wwid=map_.wwid if map_ is not None else wwid,
                )
            )
