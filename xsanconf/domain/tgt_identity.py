"""The SCSI identity of a tgt (``tgtd``) logical unit, and the WWID multipath gives it.

Sources (fujita/tgt, read at 1.0.97):

* ``usr/spc.c`` ``spc_lu_init``: the defaults, ``scsi_id = "IET     %04x%04" PRIx64`` of
  (tid, lun), ``scsi_sn = "beaf%d%" PRIu64`` of (tid, lun), ``numeric_id = tid << 32 | lun``,
  vendor ``IET`` (``usr/tgtd.h`` ``VENDOR_ID``), product ``VIRTUAL-DISK`` (``usr/sbc.c``);
* ``usr/spc.c`` ``lu_config``: ``scsi_id=``/``scsi_sn=`` are copied with ``snprintf`` into
  37-byte buffers (``SCSI_ID_LEN``/``SCSI_SN_LEN`` 36: longer values are cut to 36 bytes), and
  the parameter list is split at commas first;
* ``usr/spc.c`` ``update_vpd_83``: three logical-unit designators -- T10 vendor ID in ASCII (the
  scsi_id), NAA 3 "locally assigned" from ``numeric_id`` (since v1.0.37: it keeps the tid and
  LUN whatever scsi_id says), NAA 6 "IEEE registered extended" (since v1.0.46) made from the
  scsi_id: each byte becomes one nibble (``strtoul`` of the byte alone: its hex value, else 0),
  shifted into 128 bits (so the last 32 bytes count), the top nibble set to 6.

udev's ``scsi_id`` (systemd ``src/udev/scsi_id/scsi_serial.c`` ``id_search_list``) takes the
first designator in its priority order: NAA 6 binary before any other NAA, NAA before T10; it
prints a binary designator as lower-case hex after the designator type digit (``3`` for NAA).
multipath's default ``uid_attribute`` is that ``ID_SERIAL``.  So, for tgt 1.0.46 and later::

    WWID = "3" + "6" + the last 31 hex digits of (nibbles of scsi_id, as a 128-bit number)

tid 1, LUN 1 (``IET     00010001``) gives ``360000000000000000e00000000010001``: the ``E`` of
``IET`` is a hex digit, ``I``, ``T`` and the blanks count 0 (the value ``multipath -ll`` shows
for a tgt LUN with its default identity).  From 1.0.37 to 1.0.45 udev takes the NAA 3:
``"3" + "%016x" % (0x3 << 60 | tid << 32 | lun)``; before 1.0.37 only the ASCII T10 one exists:
``"1" + scsi_id`` with blanks turned into ``_`` (``1IET_00010001``).
"""

from __future__ import annotations

from typing import Literal

from xsanconf.domain.target import LunIdentity
from xsanconf.domain.wwid import Wwid

__all__ = [
    "SCSI_ID_LEN",
    "SCSI_SN_LEN",
    "default_scsi_id",
    "default_scsi_sn",
    "tgt_identity",
    "tgt_wwid",
]

SCSI_ID_LEN = 36
SCSI_SN_LEN = 36
VENDOR_ID_LEN = 8
PRODUCT_ID_LEN = 16
NAA_LOCAL_SINCE = (1, 0, 37)
NAA_EXTENDED_SINCE = (1, 0, 46)
_HEX = {ord(c): int(c, 16) for c in "0123456789abcdefABCDEF"}
# characters udev keeps in ID_SERIAL (udev_replace_chars); the others become "_"
_UDEV_PLAIN = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#+-.:=@_")


def default_scsi_id(tid: int, lun: int) -> str:
    """tgtd's scsi_id for a LUN that sets none (``spc_lu_init``)."""
    return f"IET     {tid:04x}{lun:04x}"[:SCSI_ID_LEN]


def default_scsi_sn(tid: int, lun: int) -> str:
    """tgtd's scsi_sn for a LUN that sets none: ``beaf`` then tid and LUN in decimal (so
    tid 1 LUN 11 and tid 11 LUN 1 share ``beaf111``)."""
    return f"beaf{tid}{lun}"[:SCSI_SN_LEN]


def _cut(value: str, size: int) -> bytes:
    """A parameter as tgtd stores it: up to the first comma (``lu_config`` splits there), at
    most ``size`` bytes (``snprintf`` into a buffer one byte larger)."""
    return value.split(",", 1)[0].encode("utf-8", "surrogateescape")[:size]


def _naa_extended(scsi_id: bytes) -> Wwid:
    value = 0
    for byte in scsi_id:
        value = ((value << 4) | _HEX.get(byte, 0)) & ((1 << 128) - 1)
    return Wwid("36" + f"{value:032x}"[1:])


def _naa_local(tid: int, lun: int) -> Wwid:
    return Wwid("3" + f"{(3 << 60) | ((tid << 32) & ((1 << 64) - 1)) | lun:016x}")


def _t10_ascii(scsi_id: bytes) -> Wwid | None:
    """udev's ID_SERIAL of an ASCII T10 designator: type digit, the text, blanks trimmed and
    runs of them made one ``_``, other characters it does not keep made ``_``."""
    text = scsi_id.decode("utf-8", "surrogateescape")
    words = text.split()
    if not words:
        return None
    joined = "_".join(words)
    kept = "".join(c if c in _UDEV_PLAIN or ord(c) > 127 else "_" for c in joined)
    return Wwid("1" + kept)


def tgt_wwid(
    scsi_id: bytes, tid: int, lun: int, version: tuple[int, ...] | None = None
) -> tuple[Wwid | None, str]:
    """The WWID udev reports and the designator it comes from, for tgt ``version`` (``None``:
    1.0.46 or later)."""
    if version is None or version[:3] >= NAA_EXTENDED_SINCE:
        return _naa_extended(scsi_id), "naa"
    if version[:3] >= NAA_LOCAL_SINCE:
        return _naa_local(tid, lun), "naa"
    return _t10_ascii(scsi_id), "t10"


def _text(value: str | None, size: int, default: str | None) -> str | None:
    if not value:
        return default
    return _cut(value, size).decode("utf-8", "surrogateescape")


def tgt_identity(
    tid: int | None,
    lun: int | None,
    *,
    scsi_id: str | None = None,
    scsi_sn: str | None = None,
    vendor_id: str | None = None,
    product_id: str | None = None,
    version: tuple[int, ...] | None = None,
    vpd_unknown: bool = False,
) -> LunIdentity:
    """What an initiator reads from a tgt LUN: vendor, product, unit serial and the WWID.

    ``tid`` and ``lun`` are as tgt-admin assigns them (``None`` when they cannot be known);
    ``vpd_unknown``: vendor, product and serial are the device's own (a direct-store LUN
    copies them with ``sg_inq`` unless the configuration sets them).
    """
    source: Literal["explicit", "default"] = "explicit" if scsi_id is not None else "default"
    vendor = None if vpd_unknown and not vendor_id else _text(vendor_id, VENDOR_ID_LEN, "IET")
    product = (
        None
        if vpd_unknown and not product_id
        else _text(product_id, PRODUCT_ID_LEN, "VIRTUAL-DISK")
    )
    serial = _text(scsi_sn, SCSI_SN_LEN, None)
    if serial is None and not vpd_unknown and tid is not None and lun is not None:
        serial = default_scsi_sn(tid, lun)
    raw = _cut(scsi_id, SCSI_ID_LEN) if scsi_id is not None else None
    if tid is None or lun is None:
        if raw is not None and (version is None or version[:3] >= NAA_EXTENDED_SINCE):
            return LunIdentity(
                vendor, product, serial, _naa_extended(raw), source, None, "naa", raw, scsi_id
            )
        why = "the target id or LUN number tgt-admin assigns is not known"
        return LunIdentity(vendor, product, serial, None, source, why, None, raw, scsi_id)
    if raw is None:
        raw = default_scsi_id(tid, lun).encode()
    wwid, designator = tgt_wwid(raw, tid, lun, version)
    reason = None
    device_id: bytes | None = raw
    if version is not None and NAA_LOCAL_SINCE <= version[:3] < NAA_EXTENDED_SINCE:
        shown = ".".join(map(str, version))
        reason = f"tgt {shown} identifies the LUN by tid and LUN (NAA 3), whatever scsi_id says"
        device_id = ((tid << 32) | lun).to_bytes(8, "big")
    elif scsi_id is None:
        reason = (
            f"tgtd's default identity for tid {tid}, LUN {lun}: any tgt server that numbers "
            "a target and LUN the same presents it too"
        )
    return LunIdentity(
        vendor, product, serial, wwid, source, reason, designator, device_id, scsi_id
    )
