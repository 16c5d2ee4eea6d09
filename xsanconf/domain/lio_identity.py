"""The identity a LIO (Linux kernel target) LUN presents, and the WWID multipath gives it.

What the kernel answers (``drivers/target/target_core_spc.c``):

* INQUIRY: vendor ``LIO-ORG`` (``t10_wwn.vendor``), product the backstore's
  ``inquiry_prod`` (``IBLOCK``, ``FILEIO``, ``RAMDISK-MCP``, ``USER``; a pscsi device passes
  its own through), or the storage object's name cut to 16 characters when the attribute
  ``emulate_model_alias`` is 1;
* VPD page 0x80: the unit serial, ``wwn/vpd_unit_serial``: rtslib writes the storage object's
  ``wwn`` there, a fresh ``uuid4`` when the saved object has none;
* VPD page 0x83, once a unit serial is set: first an NAA IEEE Registered Extended designator
  (``spc_gen_naa_6h_vendor_specific``): NAA ``6``, the IEEE company id ``0x001405``
  (``t10_wwn.company_id``, the OpenFabrics id, the default), then the hexadecimal digits of
  the unit serial taken in order, every other character skipped (``hex_to_bin`` < 0), 25
  nibbles in all, zero-filled when the serial has fewer; then a T10 vendor id designator
  ``LIO-ORG`` + product + ``:`` + serial, and port designators.

udev's ``scsi_id`` (and multipath's default ``uid_attribute`` ``ID_SERIAL``) picks the NAA
Registered Extended designator first and prints it as ``3`` (the designator type) followed by
its 16 bytes in lower-case hex: ``"3" + "6001405" + first 25 hex digits of the serial``
(zero-padded), 33 characters.  For the serial ``d27e5d89-8829-468b-90ce-4ef8c02f07fe`` this is
``36001405d27e5d898829468b90ce4ef8c``, as udev reported it for a LIO LUN (rook's
``pkg/daemon/ceph/osd/daemon_test.go`` keeps that ``udevadm info`` output as test data).
"""

from __future__ import annotations

import attrs

from xsanconf.domain.wwid import Wwid

__all__ = [
    "LIO_COMPANY_ID",
    "LIO_VENDOR",
    "LioIdentity",
    "lio_identity",
    "lio_naa",
    "lio_product",
]

LIO_VENDOR = "LIO-ORG"
LIO_COMPANY_ID = 0x001405
_NIBBLES = 25  # the low nibble of byte 3, then bytes 4 to 15
_PRODUCT_LEN = 16
_INQUIRY_PRODUCTS = {
    "block": "IBLOCK",
    "fileio": "FILEIO",
    "ramdisk": "RAMDISK-MCP",
    "user": "USER",
}
_HEX = frozenset("0123456789abcdefABCDEF")


@attrs.frozen
class LioIdentity:
    """``vendor``/``product`` (INQUIRY), ``serial`` (VPD 0x80), ``naa`` (the 16 bytes of the
    VPD 0x83 NAA designator), ``t10`` (the T10 vendor id designator as text) and ``wwid``;
    ``reason`` says why a part is unknown."""

    vendor: str
    product: str | None
    serial: str | None
    naa: bytes | None
    t10: str | None
    wwid: Wwid | None
    reason: str | None = None


def lio_naa(serial: str, company_id: int = LIO_COMPANY_ID) -> bytes:
    """The NAA IEEE Registered Extended designator the kernel makes from a unit serial."""
    nibbles = [(company_id >> shift) & 0xF for shift in (20, 16, 12, 8, 4, 0)]
    digits = [int(c, 16) for c in serial if c in _HEX][:_NIBBLES]
    nibbles += digits + [0] * (_NIBBLES - len(digits))
    nibbles.insert(0, 6)
    return bytes((nibbles[i] << 4) | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def lio_product(plugin: str | None, name: str | None, model_alias: bool) -> str | None:
    """The INQUIRY product: the object's name (16 characters) with ``emulate_model_alias``,
    else the backstore's; None for pscsi (the device's own) and unknown plugins."""
    if model_alias and name is not None:
        return name[:_PRODUCT_LEN]
    return _INQUIRY_PRODUCTS.get(plugin or "")


def lio_identity(
    plugin: str | None,
    serial: str | None,
    *,
    name: str | None = None,
    model_alias: bool = False,
) -> LioIdentity:
    """The identity of a LUN backed by a storage object of ``plugin`` with unit serial
    ``serial`` (the object's ``wwn``; None: none saved, so a fresh uuid at every restore)."""
    product = lio_product(plugin, name, model_alias)
    if plugin == "pscsi":
        return LioIdentity(
            LIO_VENDOR,
            None,
            serial,
            None,
            None,
            None,
            "a pscsi object passes INQUIRY and VPD pages through from the SCSI device: its "
            "identity is the device's, not in the configuration",
        )
    if plugin == "user":
        return LioIdentity(
            LIO_VENDOR,
            product,
            serial,
            None,
            None,
            None,
            "a user (TCMU) object answers INQUIRY in its userspace handler: the identity is "
            "the handler's",
        )
    if serial is None:
        return LioIdentity(
            LIO_VENDOR,
            product,
            None,
            None,
            None,
            None,
            "no wwn is saved: rtslib gives the object a fresh random unit serial (uuid4) at "
            "every restore, so the WWID changes at every boot and differs on every head",
        )
    naa = lio_naa(serial)
    t10 = f"{LIO_VENDOR}_{product}:{serial}" if product is not None else None
    return LioIdentity(LIO_VENDOR, product, serial, naa, t10, Wwid("3" + naa.hex()))
