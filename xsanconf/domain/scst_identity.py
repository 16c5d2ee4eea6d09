"""The identity an SCST vdisk device presents, and the WWID udev and multipath give it.

Read from SCST's ``scst/src/dev_handlers/scst_vdisk.c`` (SCST-project/scst):

* ``vdisk_gen_dev_id_num``: ``(setup_id << 32) | crc32c(0, name, strlen(name) + 1)`` -- the
  Linux ``crc32c()`` with seed 0 and no final inversion, over the device name *and its NUL*;
  ``setup_id`` is the SCST core attribute of that name.
* ``vdev_create_node``: ``t10_dev_id = "%llx-%s" % (dev_id_num, name)`` cut to 25 characters
  (a 26-byte buffer), ``usn = "%llx" % dev_id_num`` (VPD page 0x80), vendor ``SCST_FIO``
  (``SCST_BIO`` for ``vdisk_blockio``), product the device name cut to 16 characters.
  Explicit ``t10_dev_id`` (at most 25 characters) and ``usn`` (at most 20) replace them.
* ``vdisk_dev_id_vpd`` (VPD page 0x83): a T10 vendor designator (ASCII), the relative target
  port and target port group (associated with the port, which udev skips), then -- when
  neither ``eui64_id`` nor ``naa_id`` is set -- an EUI-64 designator (binary, 8 bytes) made of
  the *first eight bytes of t10_dev_id*; otherwise the EUI-64 of ``eui64_id`` and the NAA of
  ``naa_id`` that are set.

udev's ``scsi_id`` takes, for ID_SERIAL (multipath's WWID), a logical-unit NAA designator
before an EUI-64 before a T10 one, and writes a binary designator as its type digit (``3``
NAA, ``2`` EUI-64) followed by lower-case hex of every byte.  So a default device's WWID is
``"2" + hex(first 8 bytes of t10_dev_id)``: ``vg1`` gives t10_dev_id ``509f7d73-vg1`` and
WWID ``23530396637643733``, as ``multipath -ll`` shows it in a public SCST/DRBD how-to
(icicimov/blog, 2016, ``mpatha (23530396637643733) dm-3 SCST_BIO,vg1`` with unit serial
``509f7d73``).

History (``scst/ChangeLog``): the CRC32C default came with SCST 2.1.0 (earlier versions hashed
the name with a table and wrote ``"name hexid"``); the EUI-64 from t10_dev_id with 2.0;
``eui64_id`` and ``naa_id`` with 3.1.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import attrs

from xsanconf.domain.wwid import Wwid

__all__ = [
    "T10_DEV_ID_MAX",
    "USN_MAX",
    "ScstIdentity",
    "crc32c",
    "default_t10_dev_id",
    "default_usn",
    "dev_id_num",
    "naa_id_problem",
    "eui64_id_problem",
    "parse_hex_id",
    "vdisk_identity",
]

T10_DEV_ID_MAX = 25  # char t10_dev_id[16 + 8 + 2], NUL included, newline allowed
USN_MAX = 20  # MAX_USN_LEN (20 + 1)
PROD_ID_MAX = 16
VENDOR_MAX = 8
_CRC32C_POLY = 0x82F63B78  # Castagnoli, reflected


@cache
def _table() -> tuple[int, ...]:
    out = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (_CRC32C_POLY if crc & 1 else 0)
        out.append(crc)
    return tuple(out)


def crc32c(data: bytes, seed: int = 0) -> int:
    """The kernel's ``crc32c(seed, data, len)``: no initial or final inversion."""
    table = _table()
    crc = seed
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def _name_bytes(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def dev_id_num(name: str, setup_id: int = 0) -> int:
    """``vdisk_gen_dev_id_num``: the number both defaults are written from."""
    return ((setup_id & 0xFFFFFFFF) << 32) | crc32c(_name_bytes(name) + b"\0")


def default_t10_dev_id(name: str, setup_id: int = 0) -> str:
    return f"{dev_id_num(name, setup_id):x}-{name}"[:T10_DEV_ID_MAX]


def default_usn(name: str, setup_id: int = 0) -> str:
    return f"{dev_id_num(name, setup_id):x}"[:USN_MAX]


def parse_hex_id(value: str) -> bytes | None:
    """An ``eui64_id``/``naa_id`` value as the sysfs store reads it: blanks trimmed, an optional
    ``0x``, then hex digit pairs (``hex2bin``); None when it is not hex."""
    text = value.strip(" \t\n\x0b\x0c\r")
    if text.startswith("0x"):
        text = text[2:]
    if len(text) % 2 or any(c not in "0123456789abcdefABCDEF" for c in text):
        return None
    return bytes.fromhex(text)


def eui64_id_problem(value: str) -> str | None:
    """Why ``vdev_sysfs_eui64_id_store`` refuses ``value`` (None: it takes it)."""
    text = value.strip(" \t\n\x0b\x0c\r").removeprefix("0x")
    if len(text) not in (0, 16, 24, 32):
        return "an eui64_id is 16, 24 or 32 hex digits"
    if parse_hex_id(value) is None:
        return "an eui64_id is hex digits"
    return None


def naa_id_problem(value: str) -> str | None:
    """Why ``vdev_sysfs_naa_id_store`` refuses ``value`` (None: it takes it)."""
    text = value.strip(" \t\n\x0b\x0c\r").removeprefix("0x")
    if len(text) == 16 and text[0] not in "235":
        return "a 16-digit naa_id starts with 2, 3 or 5 (the NAA type)"
    if len(text) == 32 and text[0] != "6":
        return "a 32-digit naa_id starts with 6 (NAA IEEE Registered Extended)"
    if len(text) not in (0, 16, 32):
        return "an naa_id is 16 or 32 hex digits"
    if parse_hex_id(value) is None:
        return "an naa_id is hex digits"
    return None


Designator = Literal["naa", "eui-64"]


@attrs.frozen(eq=False, repr=False)
class ScstIdentity:
    """What a vdisk device answers to INQUIRY and VPD pages 0x80/0x83."""

    vendor: str
    product: str
    t10_dev_id: str
    usn: str
    designator: Designator
    designator_bytes: bytes

    @property
    def wwid(self) -> Wwid:
        digit = "3" if self.designator == "naa" else "2"
        return Wwid(digit + self.designator_bytes.hex())

    def __repr__(self) -> str:
        return f"ScstIdentity(wwid={self.wwid!s})"


def vdisk_identity(
    name: str,
    *,
    handler: str,
    setup_id: int = 0,
    t10_dev_id: str | None = None,
    usn: str | None = None,
    eui64_id: str | None = None,
    naa_id: str | None = None,
    vendor: str | None = None,
    product: str | None = None,
) -> ScstIdentity:
    """The identity of vdisk device ``name`` of ``handler`` with these attributes set.

    Values the kernel refuses are the caller's to reject (see the ``*_problem`` functions);
    here an unreadable ``eui64_id``/``naa_id`` counts as unset.
    """
    t10 = t10_dev_id if t10_dev_id is not None else default_t10_dev_id(name, setup_id)
    serial = usn if usn is not None else default_usn(name, setup_id)
    default_vendor = "SCST_BIO" if handler == "vdisk_blockio" else "SCST_FIO"
    eui = parse_hex_id(eui64_id) if eui64_id is not None else None
    naa = parse_hex_id(naa_id) if naa_id is not None else None
    designator: Designator
    if naa:
        designator, data = "naa", naa
    elif eui:
        designator, data = "eui-64", eui
    else:
        # compatibility mode: the first eight bytes of the t10_dev_id buffer, NULs after it
        designator, data = "eui-64", _name_bytes(t10)[:8].ljust(8, b"\0")
    return ScstIdentity(
        vendor=(vendor if vendor is not None else default_vendor)[:VENDOR_MAX],
        product=(product if product is not None else name)[:PROD_ID_MAX],
        t10_dev_id=t10,
        usn=serial,
        designator=designator,
        designator_bytes=data,
    )
