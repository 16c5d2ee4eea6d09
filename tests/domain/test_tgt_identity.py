"""tgt's LUN identity and the WWID udev and multipath give it.

Expected values come from:

* fujita/tgt ``usr/spc.c`` (``spc_lu_init`` defaults, ``update_vpd_83`` designators);
* a ``udevadm info`` listing of a LUN that tgtd (inside Longhorn's instance manager) exports
  as tid 1, LUN 1 with its default identity: ``ID_SERIAL=360000000000000000e00000000010001``,
  ``SCSI_IDENT_LUN_T10=IET_00010001``, ``SCSI_IDENT_LUN_NAA_LOCAL=3000000100000001``,
  ``ID_SCSI_SERIAL=beaf11``, ``ID_VENDOR=IET``, ``ID_MODEL=VIRTUAL-DISK``;
* Ubuntu's multipath-tools autopkgtest "tgt and open-iscsi based mpath operations", which
  creates tid 1 LUN 1 with tgtadm and expects the link
  ``/dev/disk/by-id/wwn-0x60000000000000000e00000000010001``;
* public ``multipath -ll`` output of tgt LUNs:
  ``mpatha (360000000000000000e00000000010001) dm-0 IET     ,VIRTUAL-DISK``.
"""

from __future__ import annotations

import pytest

from xsanconf.domain.tgt_identity import (
    default_scsi_id,
    default_scsi_sn,
    tgt_identity,
    tgt_wwid,
)


def test_the_default_identity_of_tid_1_lun_1_is_the_one_udev_reports() -> None:
    identity = tgt_identity(1, 1)
    assert str(identity.wwid) == "360000000000000000e00000000010001"
    assert identity.serial == "beaf11"
    assert (identity.vendor, identity.product) == ("IET", "VIRTUAL-DISK")
    assert identity.source == "default"
    assert identity.designator == "naa"
    assert identity.device_id == b"IET     00010001"


def test_older_releases_give_other_designators() -> None:
    # the NAA 3 (1.0.37-1.0.45) and T10 (before 1.0.37) designators of the same LUN, as udev
    # lists them beside the NAA 6 (scsi-33000000100000001, scsi-1IET_00010001)
    raw = default_scsi_id(1, 1).encode()
    assert str(tgt_wwid(raw, 1, 1, (1, 0, 40))[0]) == "33000000100000001"
    assert str(tgt_wwid(raw, 1, 1, (1, 0, 30))[0]) == "1IET_00010001"
    assert str(tgt_wwid(raw, 1, 1, (1, 0, 46))[0]) == "360000000000000000e00000000010001"


def test_the_default_identity_follows_tid_and_lun() -> None:
    assert default_scsi_id(2, 3) == "IET     00020003"
    assert str(tgt_identity(2, 3).wwid) == "360000000000000000e00000000020003"
    # the serial runs tid and LUN together: tid 1 LUN 11 and tid 11 LUN 1 share it
    assert default_scsi_sn(1, 11) == default_scsi_sn(11, 1) == "beaf111"


def test_an_explicit_scsi_id_gives_its_hex_digits() -> None:
    identity = tgt_identity(1, 1, scsi_id="4d2a5c81e7b90f13", scsi_sn="drbd0")
    assert str(identity.wwid) == "360000000000000004d2a5c81e7b90f13"
    assert identity.serial == "drbd0"
    assert identity.source == "explicit"


def test_only_hex_digits_and_the_last_32_characters_count() -> None:
    # non-hex characters are nibbles of 0: two scsi_ids that differ only there collide
    assert tgt_identity(1, 1, scsi_id="vol-x1").wwid == tgt_identity(5, 2, scsi_id="vol-y1").wwid
    assert tgt_identity(1, 1, scsi_id="vol-a1").wwid != tgt_identity(1, 1, scsi_id="vol-b1").wwid
    long = "f" * 4 + "0123456789abcdef" * 2
    assert str(tgt_identity(1, 1, scsi_id=long).wwid) == "36" + "123456789abcdef0123456789abcdef"


def test_values_are_cut_as_tgtd_stores_them() -> None:
    # lu_config splits the parameter list at commas; snprintf keeps 36 bytes
    assert tgt_identity(1, 1, scsi_id="abc,def").device_id == b"abc"
    assert tgt_identity(1, 1, scsi_id="a" * 40).device_id == b"a" * 36
    assert tgt_identity(1, 1, vendor_id="LONGVENDORNAME").vendor == "LONGVEND"


def test_a_direct_store_lun_has_the_devices_own_inquiry_data() -> None:
    identity = tgt_identity(1, 1, vpd_unknown=True)
    assert (identity.vendor, identity.product, identity.serial) == (None, None, None)
    assert str(identity.wwid) == "360000000000000000e00000000010001"


@pytest.mark.parametrize("version", [None, (1, 0, 46)])
def test_without_tid_only_an_explicit_scsi_id_is_known(version: tuple[int, ...] | None) -> None:
    assert tgt_identity(None, 1, version=version).wwid is None
    assert tgt_identity(None, 1, scsi_id="ab", version=version).wwid is not None
    assert tgt_identity(None, 1, scsi_id="ab", version=(1, 0, 40)).wwid is None
