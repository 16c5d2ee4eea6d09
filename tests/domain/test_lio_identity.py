"""The identity of a LIO LUN, checked against what udev reported for real LIO LUNs."""

from __future__ import annotations

import pytest

from xsanconf.domain.lio_identity import LIO_VENDOR, lio_identity, lio_naa, lio_product

# udevadm info of LIO LUNs, as published:
# - rook/rook pkg/daemon/ceph/osd/daemon_test.go (udevFSOutput): ID_VENDOR=LIO-ORG,
#   ID_SCSI_SERIAL=d27e5d89-8829-468b-90ce-4ef8c02f07fe, ID_SERIAL=36001405d27e5d898829468b90ce4ef8c
# - an OpenStack Cinder (LIO target) walkthrough's `udevadm info /dev/sdb`: ID_MODEL=IBLOCK,
#   ID_SCSI_SERIAL=5b9485a9-d431-4afc-92a5-e3b1222dbae9,
#   ID_SERIAL=360014055b9485a9d4314afc92a5e3b12,
#   SCSI_IDENT_LUN_T10=LIO-ORG_IBLOCK:5b9485a9-d431-4afc-92a5-e3b1222dbae9
UDEV_REPORTED = [
    ("d27e5d89-8829-468b-90ce-4ef8c02f07fe", "36001405d27e5d898829468b90ce4ef8c"),
    ("5b9485a9-d431-4afc-92a5-e3b1222dbae9", "360014055b9485a9d4314afc92a5e3b12"),
]


@pytest.mark.parametrize(("serial", "wwid"), UDEV_REPORTED)
def test_the_wwid_is_what_udev_reported(serial: str, wwid: str) -> None:
    found = lio_identity("block", serial)
    assert str(found.wwid) == wwid
    assert found.wwid is not None and found.wwid.designator == "naa"


def test_the_t10_designator_is_what_udev_reported() -> None:
    found = lio_identity("block", "5b9485a9-d431-4afc-92a5-e3b1222dbae9")
    assert (found.vendor, found.product) == (LIO_VENDOR, "IBLOCK")
    assert found.t10 == "LIO-ORG_IBLOCK:5b9485a9-d431-4afc-92a5-e3b1222dbae9"


def test_non_hex_characters_are_skipped_and_short_serials_padded() -> None:
    # hex_to_bin() < 0 skips a character; the buffer is zeroed past the serial's digits
    assert lio_naa("xyz-1-2") == bytes.fromhex("60014051" + "2" + "0" * 23)
    assert lio_naa("ABCdef") == lio_naa("abcdef")
    # only the first 25 hex digits count: serials that differ later share a WWID
    assert lio_naa("0" * 25 + "1") == lio_naa("0" * 25 + "2")


def test_the_designator_is_sixteen_bytes() -> None:
    assert len(lio_naa("d27e5d89-8829-468b-90ce-4ef8c02f07fe")) == 16
    assert len(lio_naa("")) == 16


def test_no_wwn_means_a_fresh_serial_at_every_restore() -> None:
    found = lio_identity("fileio", None)
    assert found.wwid is None and found.reason is not None and "uuid4" in found.reason


@pytest.mark.parametrize("plugin", ["pscsi", "user"])
def test_passthrough_and_userspace_identities_are_unknown(plugin: str) -> None:
    found = lio_identity(plugin, "d27e5d89-8829-468b-90ce-4ef8c02f07fe")
    assert found.wwid is None and found.reason


def test_the_product_follows_the_model_alias() -> None:
    assert lio_product("fileio", "xensan", False) == "FILEIO"
    assert lio_product("ramdisk", "r", False) == "RAMDISK-MCP"
    assert lio_product("block", "a-very-long-object-name", True) == "a-very-long-obje"
    assert lio_product("pscsi", "p", False) is None
