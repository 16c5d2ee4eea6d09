"""SCST's LUNs in the shared :class:`~xsanconf.domain.target.TargetLun` vocabulary.

What each field is read from:

* the LUNs: every ``LUN n device`` of an *enabled* target (``enabled 1``: scstadmin enables
  only what the file says; a new iSCSI target starts disabled) of a driver not disabled, in
  the default group and in each ``GROUP``; ``copy_manager`` and ``scst_local`` (SCST's own,
  host-local drivers) export nothing to the network.  A LUN naming a device the file does
  not define is dropped by scstadmin (``checkConfiguration``) and gives no record.
* identity: :mod:`xsanconf.domain.scst_identity` for the vdisk handlers (``vdisk_fileio``,
  ``vdisk_blockio``, ``vdisk_nullio``, ``vcdrom``); a pass-through device (``dev_disk`` ...)
  presents the identity of the SCSI device behind it, which the file does not know.
* cache (``scst_vdisk.c``): ``nv_cache 1`` makes SCST ignore SYNCHRONIZE CACHE while telling
  initiators there is no volatile cache (write-back); ``vdisk_blockio`` submits writes to the
  block device itself (write-through as far as the head goes; ``write_through`` adds FUA);
  ``vdisk_fileio`` writes into the page cache unless ``write_through 1`` (O_DSYNC) or
  ``o_direct 1``.
* access: a default-group LUN is seen by every initiator that no ``GROUP`` lists, so it is open
  unless the target requires CHAP (``IncomingUser``); a ``GROUP`` LUN only by the initiators
  its ``INITIATOR`` patterns match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.domain.scst_identity import (
    T10_DEV_ID_MAX,
    USN_MAX,
    eui64_id_problem,
    naa_id_problem,
    vdisk_identity,
)
from xsanconf.domain.target import CacheMode, ChapAccount, LunIdentity, TargetAccess, TargetLun
from xsanconf.domain.wwid import Wwid

if TYPE_CHECKING:
    from xsanconf.formats.scst.model import (
        ScstConfig,
        ScstDevice,
        ScstLun,
        ScstTarget,
        ScstTargetDriver,
    )
    from xsanconf.syntax import Node, Token

__all__ = ["VDISK_HANDLERS", "device_cache", "device_identity", "target_luns"]

VDISK_HANDLERS = frozenset({"vdisk_fileio", "vdisk_blockio", "vdisk_nullio", "vcdrom"})
_LOCAL_DRIVERS = frozenset({"copy_manager", "scst_local"})
_CRC_DEFAULT = (2, 1)  # SCST 2.1.0: the CRC32C of the name
_HEX_IDS = (3, 1)  # SCST 3.1: eui64_id and naa_id


def _attribute_anchor(device: ScstDevice, *names: str) -> Node | Token:
    for name in names:
        entry = device.attribute_entry(name)
        if entry is not None:
            return entry.anchor
    return device.entry.anchor


def _unknown(reason: str) -> LunIdentity:
    return LunIdentity(None, None, None, None, "default", reason=reason)


def _refused(device: ScstDevice, version: tuple[int, ...] | None) -> str | None:
    t10, usn = device.t10_dev_id, device.usn
    if t10 is not None and len(t10.encode("utf-8", "surrogateescape")) > T10_DEV_ID_MAX:
        return f"the kernel refuses a t10_dev_id over {T10_DEV_ID_MAX} characters"
    if usn is not None and len(usn.encode("utf-8", "surrogateescape")) > USN_MAX:
        return f"the kernel refuses a usn over {USN_MAX} characters"
    if version is None or version >= _HEX_IDS:
        for value, problem in (
            (device.eui64_id, eui64_id_problem),
            (device.naa_id, naa_id_problem),
        ):
            why = problem(value) if value is not None else None
            if why is not None:
                return f"the kernel refuses it: {why}"
    return None


def device_identity(
    device: ScstDevice, setup_id: int | None, version: tuple[int, ...] | None = None
) -> LunIdentity:
    """What initiators read from ``device``, and the WWID udev's scsi_id makes of it."""
    if device.handler not in VDISK_HANDLERS:
        return _unknown(f"a {device.handler} device passes the identity of its SCSI device through")
    refused = _refused(device, version)
    if refused is not None:
        return _unknown(refused)
    hex_ids = version is None or version >= _HEX_IDS
    eui64 = device.eui64_id if hex_ids else None
    naa = device.naa_id if hex_ids else None
    explicit = device.t10_dev_id is not None or bool(eui64) or bool(naa)
    if not explicit:
        if version is not None and version < _CRC_DEFAULT:
            return _unknown("SCST before 2.1 derives the default t10_dev_id from a table hash")
        if setup_id:
            return _unknown(
                "setup_id is in the default t10_dev_id, and scstadmin sets it after it opens "
                "the devices: a device opened at boot is named with setup_id 0, one opened "
                "later with this one; set t10_dev_id"
            )
    found = vdisk_identity(
        device.name,
        handler=device.handler,
        setup_id=setup_id or 0,
        t10_dev_id=device.t10_dev_id,
        usn=device.usn,
        eui64_id=eui64,
        naa_id=naa,
        vendor=device.t10_vend_id,
        product=device.prod_id,
    )
    wwid: Wwid = found.wwid
    # a default usn carries setup_id too, which a device opened at boot has not seen yet
    serial = found.usn if device.usn is not None or not setup_id else None
    return LunIdentity(
        found.vendor,
        found.product,
        serial,
        wwid,
        "explicit" if explicit else "default",
        designator=found.designator,
        device_id=found.designator_bytes,
        # what the initiator's WWID comes from as written: naa_id over eui64_id over t10_dev_id
        written=(naa or eui64 or device.t10_dev_id) if explicit else None,
    )


def device_cache(device: ScstDevice) -> tuple[CacheMode, str, Node | Token]:
    """Whether the head acknowledges writes before the backing device has them, why, and the
    line that says so."""
    handler = device.handler
    if handler not in VDISK_HANDLERS or handler in ("vdisk_nullio", "vcdrom"):
        return "unknown", f"{handler} devices are not cached by SCST", device.entry.anchor
    if device.nv_cache:
        return (
            "write-back",
            "nv_cache 1: SCST ignores SYNCHRONIZE CACHE and tells initiators the device has "
            "no volatile cache",
            _attribute_anchor(device, "nv_cache"),
        )
    if handler == "vdisk_blockio":
        return (
            "write-through",
            "vdisk_blockio submits writes to the block device, not to the page cache",
            device.entry.anchor,
        )
    if device.write_through:
        return (
            "write-through",
            "write_through 1: the file is opened O_DSYNC",
            _attribute_anchor(device, "write_through"),
        )
    if device.o_direct:
        return (
            "write-through",
            "o_direct 1: writes bypass the page cache",
            _attribute_anchor(device, "o_direct"),
        )
    return (
        "write-back",
        "vdisk_fileio without write_through 1 writes into the head's page cache",
        _attribute_anchor(device, "write_through"),
    )


def _chap(target: ScstTarget, driver: ScstTargetDriver) -> tuple[ChapAccount, ...]:
    found = []
    for scope, accounts in (("target", target.accounts), ("discovery", driver.accounts)):
        for account in accounts:
            if account.user is None:
                continue
            found.append(
                ChapAccount(
                    account.direction,
                    account.user,
                    account.secret,
                    scope=scope,  # type: ignore[arg-type]
                    anchor=account.entry.token,
                )
            )
    return tuple(found)


def _record(
    config: ScstConfig,
    lun: ScstLun,
    device: ScstDevice,
    *,
    version: tuple[int, ...] | None,
    chap: tuple[ChapAccount, ...],
    initiators: tuple[str, ...] | None,
) -> TargetLun:
    """One LUN; ``initiators`` is its group's list (None for the default group)."""
    target = lun.target
    required = any(a.direction == "incoming" and a.scope == "target" for a in chap)
    read_only = bool(lun.read_only) or bool(device.read_only)
    if lun.group is None or initiators is None:
        access = TargetAccess(not required, chap_required=required, read_only=read_only)
        access_anchor = target.entry.anchor
    else:
        access = TargetAccess(False, initiators, chap_required=required, read_only=read_only)
        access_anchor = lun.group.entry.anchor
    cache, reason, cache_anchor = device_cache(device)
    handler = device.handler
    anchors: dict[str, Node | Token] = {
        "lun": lun.entry.anchor,
        "device": device.entry.anchor,
        "backing": _attribute_anchor(device, "filename"),
        "cache": cache_anchor,
        "identity": _attribute_anchor(device, "naa_id", "eui64_id", "t10_dev_id"),
        "access": access_anchor,
    }
    if device.usn is not None:
        anchors["serial"] = _attribute_anchor(device, "usn")  # written: ``sets()`` says so
    return TargetLun(
        "scst",
        target.name,
        lun.number,
        device.filename,
        handler.removeprefix("vdisk_"),
        device_identity(device, config.setup_id, version),
        cache,
        access,
        cache_reason=reason,
        chap=chap,
        anchor=lun.entry.anchor,
        anchors=anchors,
        object_name=device.name,
    )


def target_luns(config: ScstConfig, version: tuple[int, ...] | None = None) -> list[TargetLun]:
    if config.legacy_line is not None:
        return []  # scstadmin converts a pre-2.0 file with the running system's state
    devices = {d.name: d for d in config.devices}
    out: list[TargetLun] = []
    for driver in config.target_drivers:
        if driver.name in _LOCAL_DRIVERS or driver.enabled is False:
            continue
        for target in driver.targets:
            if not target.enabled:
                continue
            chap = _chap(target, driver)
            groups: list[tuple[tuple[str, ...] | None, list[ScstLun]]] = [(None, target.luns)]
            groups += [(tuple(g.initiators), g.luns) for g in target.groups]
            for initiators, luns in groups:
                for lun in luns:
                    device = devices.get(lun.device or "")
                    if device is not None:
                        out.append(
                            _record(
                                config,
                                lun,
                                device,
                                version=version,
                                chap=chap,
                                initiators=initiators,
                            )
                        )
    return out
