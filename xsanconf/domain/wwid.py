"""WWIDs as udev and dm-multipath report them, and the WWID an IET LUN will get.

IET (iSCSI Enterprise Target) answers VPD page 0x83 with one T10 vendor-ID designator in the
*binary* code set: the vendor ``IET`` NUL-padded to 8 bytes, then the 16 bytes of the LUN's
SCSI ID.  udev's ``scsi_id`` turns a binary designator into lower-case hex of every byte and
prefixes the designator type (``1`` = T10), so the WWID is always 49 characters:
``"1" + hex(b"IET\\0\\0\\0\\0\\0") + hex(scsi_id padded with NULs to 16 bytes)``.
Sources: IET ``kernel/volume.c`` (ScsiId length check, default ID), udev ``scsi_id`` (hex
formatting); see ``reference/scsi-identity.md`` for the full derivation.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "IET_SCSI_ID_LEN",
    "IetIdentity",
    "Wwid",
    "iet_identity",
    "iet_wwid",
]

IET_SCSI_ID_LEN = 16
WWID_MAX = 127  # multipath's WWID_SIZE is 128 including the NUL
IET_LUN_MAX = 0x3FFF
_IET_T10_PREFIX = "1" + b"IET\0\0\0\0\0".hex()
_ISCSI_NAME_LEN = 256  # ietd copies the target name into a buffer this size (NUL included)

# The first character of an ID_SERIAL says which VPD designator it came from (udev scsi_id).
_DESIGNATORS = {
    "0": "vendor-specific",
    "1": "t10",
    "2": "eui-64",
    "3": "naa",
    "8": "scsi-name",
    "S": "unit-serial",
}


def _check_wwid(instance: Wwid, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValueError("a WWID cannot be empty")
    if len(value) > WWID_MAX:
        raise ValueError(f"a WWID is at most {WWID_MAX} characters, got {len(value)}")
    if any(c.isspace() for c in value):
        raise ValueError(f"a WWID contains no whitespace: {value!r}")


@attrs.frozen
class Wwid:
    """A device's WWID: udev's ``ID_SERIAL``, which multipath uses to group paths."""

    value: str = attrs.field(validator=_check_wwid)

    @classmethod
    def parse(cls, text: str) -> Wwid:
        """A WWID as multipath reads one: surrounding blanks dropped."""
        return cls(text.strip())

    def __str__(self) -> str:
        return self.value

    @property
    def designator(self) -> str | None:
        """Which VPD designator the WWID came from (``t10``, ``naa``, ...), if recognisable."""
        return _DESIGNATORS.get(self.value[0])

    @property
    def serial_short(self) -> str:
        """udev's ``ID_SERIAL_SHORT``: the WWID without its designator-type character."""
        return self.value[1:]


Source = Literal["ScsiId", "default"]


@attrs.frozen
class IetIdentity:
    """The WWID an IET LUN gets, where it comes from, and why there is none when there is none.

    ``reason`` explains a missing WWID, or qualifies a computed one (the default identity's
    derivation has not been checked against a running target).
    """

    wwid: Wwid | None
    source: Source | None
    reason: str | None = None
    scsi_id: bytes | None = None


def _from_bytes(scsi_id: bytes) -> Wwid:
    return Wwid(_IET_T10_PREFIX + scsi_id.ljust(IET_SCSI_ID_LEN, b"\0").hex())


def _explicit(scsi_id: str, version: tuple[int, ...] | None) -> IetIdentity:
    raw = scsi_id.encode("utf-8", "surrogateescape")
    if not raw:
        return IetIdentity(
            None,
            "ScsiId",
            "an empty ScsiId= is an unknown parameter to IET: the LUN is not created",
        )
    if len(raw) > IET_SCSI_ID_LEN:
        if version is not None and (0, 4, 12) <= version[:3] <= (0, 4, 14):
            raw = raw[:IET_SCSI_ID_LEN]
            return IetIdentity(
                _from_bytes(raw),
                "ScsiId",
                f"IET {'.'.join(map(str, version))} truncates ScsiId to {IET_SCSI_ID_LEN} bytes",
                raw,
            )
        return IetIdentity(
            None,
            "ScsiId",
            f"ScsiId is {len(raw)} bytes; IET rejects more than {IET_SCSI_ID_LEN} "
            '("SCSI ID too long") and does not create the LUN',
        )
    return IetIdentity(_from_bytes(raw), "ScsiId", None, raw)


def _md5(data: bytes) -> bytes:
    """MD5 of ``data``, by CPython's own MD5 module when it has one.

    ``hashlib`` loads OpenSSL on import, which costs a fiftieth of a lint run, for one digest
    that the built-in module computes the same.
    """
    try:
        from _md5 import md5  # type: ignore[import-not-found]  # typeshed has no stub for it
    except ImportError:  # a Python built without its own MD5: hashlib's is the same function
        from hashlib import md5
    digest: bytes = md5(data, usedforsecurity=False).digest()
    return digest


def _default(target: str | None, lun: int | None, version: tuple[int, ...] | None) -> IetIdentity:
    if version is not None and version[:3] < (1, 4, 20):
        return IetIdentity(
            None,
            "default",
            "without ScsiId, IET before 1.4.20 derives the ID from the target id, inode and "
            "device numbers: it cannot be known from the configuration (set ScsiId)",
        )
    if target is None or lun is None:
        return IetIdentity(
            None,
            "default",
            "without ScsiId the ID is derived from the target name and the LUN number; "
            "both are needed",
        )
    if not 0 <= lun <= IET_LUN_MAX:
        return IetIdentity(None, "default", f"LUN {lun} is out of range: IET does not create it")
    name = target.encode("utf-8", "surrogateescape")[: _ISCSI_NAME_LEN - 1]
    # IET 1.4.20 gen_scsiid: MD5 over the target name and the LUN as a little-endian u32.
    digest = _md5(name + lun.to_bytes(4, "little"))
    return IetIdentity(
        _from_bytes(digest),
        "default",
        "derived from MD5(target name, LUN) as IET 1.4.20+ does on little-endian hosts; "
        "not verified against a running target (set ScsiId to be sure)",
        digest,
    )


def iet_identity(
    scsi_id: str | None,
    *,
    target: str | None = None,
    lun: int | None = None,
    version: tuple[int, ...] | None = None,
) -> IetIdentity:
    """The identity of an IET LUN from its ``ScsiId`` (or, unset, its target name and number).

    ``version`` is the IET version (``(1, 4, 20)``); ``None`` means 1.4.20 or later.
    """
    if scsi_id is not None:
        return _explicit(scsi_id, version)
    return _default(target, lun, version)


def iet_wwid(
    scsi_id: str | None,
    *,
    target: str | None = None,
    lun: int | None = None,
    version: tuple[int, ...] | None = None,
) -> Wwid | None:
    """The WWID udev and multipath report for an IET LUN; ``None`` when it cannot be known.

    ``iet_identity`` with the same arguments says why.

    >>> str(iet_wwid("149455403f160c00"))
    '1494554000000000031343934353534303366313630633030'
    """
    return iet_identity(scsi_id, target=target, lun=lun, version=version).wwid
