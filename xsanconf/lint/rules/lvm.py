"""LVM001: LVM may open the devices under a multipath map or under a DRBD device.

A physical volume on ``/dev/mapper/MAP`` is also readable on every path under the map, and one
on ``/dev/drbdN`` on DRBD's backing disk (DRBD keeps its metadata at the end, so the PV label
stays at the start).  LVM scans every block device its ``devices/filter`` and
``devices/global_filter`` accept; when it opens the path or the backing disk instead, I/O
bypasses multipath's failover or DRBD's replication.

libdm's regex filter (lvm2 ``filters/filter-regex.c``, ``_accept_p``): each pattern is
``a|REGEX|`` or ``r|REGEX|`` (any delimiter); for each name of a device the first pattern that
matches decides; a device is accepted when one of its names is accepted, or when no pattern
matches any of its names.  ``multipath_component_detection`` (default 1) makes LVM skip the
paths of a map by itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.stack import stack_index_for

if TYPE_CHECKING:
    from xsanconf.formats.lvm.model import LvmConfig, LvmSetting
    from xsanconf.lint.site import Host, Site, SiteFile
    from xsanconf.lint.stack import HostStack

__all__ = ["accepts", "volume_group_devices"]

_CONFIG_FILES = ("etc/lvm/lvm.conf", "etc/lvm/lvmlocal.conf")  # lvmlocal.conf is read last
# Names the kernel and udev may give a path under a map: kernel names other than the first
# disk (a local system disk, as a rule) and udev's by-id name of the LUN.
_PATH_NAMES = tuple(f"/dev/sd{c}" for c in "bcdefghijklmnopqrstuvwxyz")


@functools.cache
def _pattern(text: str) -> tuple[bool, re.Pattern[str]] | None:
    """``a|REGEX|`` as (accept, compiled); None for a pattern Python cannot read alike."""
    if len(text) < 3 or text[0] not in "ar":
        return None
    delimiter = text[1]
    end = text.rfind(delimiter)
    if end <= 1:
        return None
    regex = text[2:end]
    # libdm's own engine (regex/parse_rx.c) knows no (?...) groups, \\d-style classes or
    # {m,n} counts: Python would read such a pattern otherwise
    if re.search(r"\(\?|\\[A-Za-z]|\{", regex):
        return None
    try:
        return text[0] == "a", re.compile(regex)
    except re.error:
        return None


def accepts(patterns: list[str] | None, names: tuple[str, ...]) -> bool | None:
    """Whether a filter accepts a device with these names (None: a pattern not understood)."""
    if patterns is None:
        return True
    compiled = [_pattern(p) for p in patterns]
    if any(c is None for c in compiled):
        return None
    rejected = False
    for name in names:
        for accept, regex in (c for c in compiled if c is not None):
            if regex.search(name):
                if accept:
                    return True
                rejected = True
                break
    return not rejected


def _patterns(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class _Settings:
    """What LVM reads from lvm.conf and lvmlocal.conf (the later file's setting wins)."""

    def __init__(self, files: list[SiteFile]) -> None:
        self.files = files

    def setting(self, path: str) -> tuple[SiteFile, LvmSetting] | None:
        found = None
        for file in self.files:
            config: LvmConfig = file.doc.model
            setting = config.setting(path)
            if setting is not None:
                found = (file, setting)
        return found

    def value(self, path: str) -> Any:
        found = self.setting(path)
        return found[1].value if found is not None else None

    def accepts(self, names: tuple[str, ...]) -> bool | None:
        results = [
            accepts(_patterns(self.value(f"devices/{key}")), names)
            for key in ("filter", "global_filter")
        ]
        if None in results:
            return None
        return all(results)

    def where(self, path: str, message: str) -> Location:
        found = self.setting(path)
        if found is None:
            return self.files[0].location(None, message)
        file, setting = found
        return file.location(setting.token, message)


def volume_group_devices(host: Host) -> list[tuple[SiteFile, LvmSetting, str, str]]:
    """Each physical volume the host's metadata backups (else archives) name: the file, its
    ``device`` line, the volume group and the device hint."""
    found: dict[tuple[str, str], tuple[SiteFile, LvmSetting, str, str]] = {}
    files = [f for f in host.documents("lvm") if f.rel.startswith("etc/lvm/archive/")]
    files += [f for f in host.documents("lvm") if f.rel.startswith("etc/lvm/backup/")]
    for file in files:  # backups last: the newest metadata wins
        config: LvmConfig = file.doc.model
        for setting, _ in config.settings():
            path = setting.path
            device = setting.value
            pv_device = len(path) == 4 and path[1] == "physical_volumes" and path[3] == "device"
            if pv_device and isinstance(device, str):
                found[(path[0], path[2])] = (file, setting, path[0], device)
    return list(found.values())


def _under_map(stack: HostStack, device: str) -> tuple[str, str] | None:
    """The map a PV device hint names (``/dev/mapper/NAME``), with its wwid."""
    if not device.startswith("/dev/mapper/"):
        return None
    name = device[len("/dev/mapper/") :]
    map_ = stack.maps_by_alias.get(name) or stack.maps_by_wwid.get(name)
    return (name, map_.wwid) if map_ is not None else None


def _component_detection(settings: _Settings) -> bool:
    value = settings.value("devices/multipath_component_detection")
    if value is None:
        return True
    if isinstance(value, str):
        return value.lower() not in ("0", "n", "no", "off", "false")
    return bool(value)


@rule("LVM001", "lvm-sees-underlying-devices", Severity.WARNING, scope="host", needs=("lvm",))
def lvm_sees_underlying_devices(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """lvm.conf lets LVM open the paths under a map, or DRBD's backing disk, holding a PV."""
    index = stack_index_for(site, ctx.versions, ctx.host_versions)
    for host in site.hosts:
        files = [f for rel in _CONFIG_FILES if (f := host.file(rel)) is not None]
        files = [f for f in files if f.kind == "lvm" and f.doc.parsed and host.known("lvm")]
        if not files or files[0].rel != _CONFIG_FILES[0]:
            continue  # without lvm.conf what LVM scans is unknown
        settings = _Settings(files)
        stack = index.host(host)
        for file, line, vg, device in volume_group_devices(host):
            pv = line.path[2]
            hint = file.location(line.token, f"{pv} of volume group {vg} is {device}")
            drbd = stack.device(device) if device.startswith("/dev/drbd") else None
            if drbd is not None and drbd.disk and drbd.disk != "none":
                if settings.accepts((drbd.disk,)) is True:
                    yield ctx.diagnostic(
                        f"volume group {vg} has its physical volume {pv} on {device} (DRBD "
                        f"resource {drbd.resource}), and lvm.conf's filter accepts its backing "
                        f"disk {drbd.disk}: LVM may find the PV there too and write to the "
                        "disk behind DRBD's back, unreplicated; reject it in devices/filter "
                        f'(e.g. "r|^{re.escape(drbd.disk)}$|" before any "a|...|")',
                        settings.where("devices/filter", "the filter LVM reads"),
                        [hint],
                    )
                continue
            mapped = _under_map(stack, device)
            if mapped is None or _component_detection(settings):
                continue
            name, wwid = mapped
            names = (*_PATH_NAMES, f"/dev/disk/by-id/scsi-{wwid}")
            if any(settings.accepts((n,)) is True for n in names):
                yield ctx.diagnostic(
                    f"volume group {vg} has its physical volume {pv} on the multipath map "
                    f"{name}, but lvm.conf sets multipath_component_detection = 0 and its "
                    "filter accepts the SCSI paths under the map (/dev/sdX): LVM may use a "
                    "path instead of the map, and I/O stops when that path fails; accept only "
                    'the maps (filter = [ "a|^/dev/mapper/|", "r|.*|" ]) or set '
                    "multipath_component_detection = 1",
                    settings.where(
                        "devices/multipath_component_detection", "component detection off"
                    ),
                    [hint, settings.where("devices/filter", "the filter LVM reads")],
                )
