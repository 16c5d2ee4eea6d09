"""The LUNs Pacemaker's ``iSCSILogicalUnit`` agent creates, as :class:`TargetLun` records.

The identity follows what the agent (ClusterLabs resource-agents, ``heartbeat/
iSCSILogicalUnit.in``) hands each implementation:

* ``scsi_id`` defaults to the first 16 characters of ``OCF_RESOURCE_INSTANCE`` (the primitive's
  id), ``scsi_sn`` to the first 8 hex digits of the MD5 of that id.  Both come from the CIB,
  which every node shares, so the LU presents the same identity on whichever head runs it.
* ``iet``: ``ietadm --op new ... --params Path=...,ScsiId=<scsi_id>,ScsiSN=<scsi_sn>`` -- the
  WWID is IET's T10 designator of ``ScsiId`` (:func:`xsanconf.domain.wwid.iet_identity`);
  vendor and product are IET's fixed ``IET`` / ``VIRTUAL-DISK``.
* ``tgt``: ``tgtadm --op update --params scsi_id=...,scsi_sn=...,vendor_id=...,product_id=...``;
  tgt 1.0.46 and later present an NAA 6 designator made of ``scsi_id``'s characters, one nibble
  each (a hex digit's value, any other character 0; the last 32 count; the first nibble forced
  to 6), which udev prefers: the WWID is ``3`` and those 32 nibbles.  Older tgt derive it from
  the target id and LUN (the reason says so).
* ``lio`` (``tcm_node --setunitserial``) and ``lio-t`` (``wwn/vpd_unit_serial``): only
  ``scsi_sn`` reaches the target, as the unit serial; LIO builds its NAA 6 designator from the
  serial's hex digits after its IEEE company id 0x001405, so the WWID is ``36001405`` followed
  by the first 25 hex digits of the serial, zero-padded (``scsi_id``, ``vendor_id`` and
  ``product_id`` are ignored, as the agent warns).
* no ``implementation``: the agent picks one from the binaries installed on the node (ietadm,
  then tgtadm, lio_node, targetcli); the serial is known, the WWID only when the caller says
  which implementation the host has.
* a LU inside a clone: the instance name may carry the clone's instance number, so the default
  identity is not predicted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from xsanconf.domain.target import LunIdentity, TargetAccess, TargetLun
from xsanconf.domain.wwid import Wwid, _md5, iet_identity

if TYPE_CHECKING:
    from xsanconf.formats.cib.model import Cib, Primitive
    from xsanconf.syntax import Node, Token

__all__ = ["AGENT_IMPLEMENTATIONS", "agent_serial_default", "lio_wwid", "target_luns", "tgt_wwid"]

AGENT_IMPLEMENTATIONS = ("iet", "tgt", "lio", "lio-t")
_SCSI_ID_DEFAULT_LEN = 16
_SCSI_SN_DEFAULT_LEN = 8
_LIO_COMPANY_ID = "001405"  # the IEEE OUI LIO puts in its NAA designators
_LIO_VENDOR_DIGITS = 25  # 36 bits of vendor id and 64 of extension, in hex digits
_NOT_HEX = re.compile(r"[^0-9a-fA-F]")
_HEX = frozenset("0123456789abcdefABCDEF")
_NAA_MASK = (1 << 128) - 1


def agent_serial_default(instance: str) -> str:
    """The agent's default ``scsi_sn``: ``echo -n $OCF_RESOURCE_INSTANCE | md5sum``, 8 digits."""
    return _md5(instance.encode("utf-8", "surrogateescape")).hex()[:_SCSI_SN_DEFAULT_LEN]


def lio_wwid(serial: str) -> Wwid:
    """The WWID multipath sees for a LIO LUN with unit serial ``serial`` (NAA 6 designator)."""
    digits = _NOT_HEX.sub("", serial)[:_LIO_VENDOR_DIGITS].lower()
    return Wwid("36" + _LIO_COMPANY_ID + digits.ljust(_LIO_VENDOR_DIGITS, "0"))


def tgt_wwid(scsi_id: str) -> Wwid:
    """The WWID multipath sees for a tgt (1.0.46+) LU with ``scsi_id`` (its NAA 6 designator)."""
    value = 0
    for ch in scsi_id:
        value = ((value << 4) | (int(ch, 16) if ch in _HEX else 0)) & _NAA_MASK
    return Wwid("36" + f"{value:032x}"[1:])


def _identity(
    lu: Primitive, implementation: str | None, cloned: bool, version: tuple[int, ...] | None
) -> LunIdentity:
    params = lu.params
    given_id, given_sn = params.get("scsi_id"), params.get("scsi_sn")
    source: Literal["explicit", "default"]
    if cloned and (given_id is None or given_sn is None):
        return LunIdentity(
            None,
            None,
            None,
            None,
            "default",
            "a cloned LU's default scsi_id/scsi_sn come from its instance name, which may "
            "carry the clone instance number: set scsi_id and scsi_sn",
        )
    scsi_id = given_id if given_id is not None else lu.id[:_SCSI_ID_DEFAULT_LEN]
    serial = given_sn if given_sn is not None else agent_serial_default(lu.id)
    if implementation == "iet":
        found = iet_identity(scsi_id, version=version)
        source = "explicit" if given_id is not None else "default"
        reason = found.reason
        if found.wwid is not None and given_id is None:
            reason = "the agent's default scsi_id (the resource id's first 16 characters)"
        return LunIdentity(
            "IET",
            "VIRTUAL-DISK",
            serial,
            found.wwid,
            source,
            reason,
            "t10",
            found.scsi_id,
            given_id,
        )
    if implementation in ("lio", "lio-t"):
        source = "explicit" if given_sn is not None else "default"
        reason = None if given_sn is not None else "the agent's default scsi_sn (MD5 of the id)"
        return LunIdentity(
            "LIO-ORG",
            None,
            serial,
            lio_wwid(serial),
            source,
            reason,
            "naa",
            serial.encode("utf-8", "surrogateescape"),
            given_sn,
        )
    source = "explicit" if given_id is not None and given_sn is not None else "default"
    if implementation == "tgt":
        source = "explicit" if given_id is not None else "default"
        why = (
            "the NAA 6 designator tgt 1.0.46 and later make of scsi_id; tgt 1.0.37-1.0.45 "
            "present one made of the target id and LUN instead"
        )
        return LunIdentity(
            params.get("vendor_id") or "IET",
            params.get("product_id") or "VIRTUAL-DISK",
            serial,
            tgt_wwid(scsi_id),
            source,
            why,
            "naa",
            scsi_id.encode("utf-8", "surrogateescape"),
            given_id,
        )
    why = (
        "no implementation= parameter: the agent picks iet, tgt, lio or lio-t from the "
        "binaries installed on the node, and each presents another WWID"
        if implementation is None
        else f"implementation={implementation} is none the agent supports (iet, tgt, lio, lio-t)"
    )
    return LunIdentity(None, None, serial, None, source, why, written=given_id)


def _backing_kind(implementation: str | None, lu: Primitive) -> str | None:
    path = lu.params.get("path") or ""
    if implementation == "iet":
        # the agent tests -b at start time; a /dev path is taken for a block device
        return "blockio" if path.startswith("/dev/") else "fileio"
    if implementation == "lio":
        return "iblock"
    if implementation == "lio-t":
        return "block"
    if implementation == "tgt":
        return lu.params.get("tgt_bstype") or "rdwr"
    return None


def _access(target: Primitive | None, lu: Primitive) -> TargetAccess:
    words = (lu.params.get("allowed_initiators") or "").split()
    if target is not None:
        words += (target.params.get("allowed_initiators") or "").split()
    chap = target is not None and bool(target.params.get("incoming_username"))
    if words or chap:
        return TargetAccess(False, tuple(words), chap_required=chap)
    return TargetAccess(None, chap_required=False)


def target_luns(
    cib: Cib, version: tuple[int, ...] | None = None, *, implementation: str | None = None
) -> list[TargetLun]:
    """Every ``iSCSILogicalUnit`` primitive as a LUN of the ``iSCSITarget`` it names.

    ``implementation`` is the one the host would pick when a primitive sets none (from its
    installed packages); ``version`` the IET version, for IET's identity rules."""
    from xsanconf.domain.target import ChapAccount

    targets = {p.params.get("iqn"): p for p in cib.by_agent(None, "iSCSITarget")}
    out = []
    for lu in cib.by_agent(None, "iSCSILogicalUnit"):
        iqn = lu.params.get("target_iqn")
        target = targets.get(iqn)
        chosen = lu.params.get("implementation") or (
            target.params.get("implementation") if target is not None else None
        )
        chosen = chosen or implementation
        cloned = cib.clone_of(lu.id) is not None
        lun_text = lu.params.get("lun")
        anchors: dict[str, Node | Token] = {"lun": lu.element}
        identity_key = "scsi_sn" if chosen in ("lio", "lio-t") else "scsi_id"
        for name, field in (("path", "backing"), (identity_key, "identity"), ("scsi_sn", "serial")):
            pair = lu.params.nvpair(name)
            if pair is not None:
                anchors[field] = pair.element
        chap: tuple[ChapAccount, ...] = ()
        if target is not None and target.params.get("incoming_username"):
            chap = (
                ChapAccount(
                    "incoming",
                    target.params.get("incoming_username") or "",
                    target.params.get("incoming_password"),
                    anchor=target.element,
                ),
            )
        backing_kind = _backing_kind(chosen, lu)
        # IET blockio and LIO's block backstores write through; tgt and fileio use the
        # page cache unless told otherwise
        cache = "write-through" if backing_kind in ("blockio", "iblock", "block") else "unknown"
        out.append(
            TargetLun(
                "pacemaker",
                iqn or "",
                int(lun_text) if lun_text is not None and lun_text.isdigit() else None,
                lu.params.get("path"),
                backing_kind,
                _identity(lu, chosen, cloned, version),
                cache,  # type: ignore[arg-type]
                _access(target, lu),
                cache_reason=f"the agent's {chosen} backstore" if cache != "unknown" else None,
                chap=chap,
                anchor=lu.element,
                anchors=anchors,
                object_name=lu.params.get("backstore_name") or lu.id,
                agent_implementation=chosen,
                moves=not cloned,
            )
        )
    return out
