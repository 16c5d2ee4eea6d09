"""SCST vdisk identities and the WWIDs udev gives them.

Sources: ``scst/src/dev_handlers/scst_vdisk.c`` (SCST-project/scst: ``vdisk_gen_dev_id_num``,
``vdev_create_node``, ``vdisk_dev_id_vpd``, the ``eui64_id``/``naa_id`` stores) and a public
``multipath -ll``/``sg_inq`` of an SCST ``vdisk_blockio`` device named ``vg1``
(icicimov/blog, ``_posts/2016-3-9-Highly-Available-iSCSI-ALUA-Storage-with-Pacemaker-and-DRBD-
in-Dual-Primary-mode-Part-2.md``: ``mpatha (23530396637643733) dm-3 SCST_BIO,vg1`` and ``Unit
serial number: 509f7d73``).
"""

from __future__ import annotations

import pytest

from xsanconf.domain.scst_identity import (
    crc32c,
    default_t10_dev_id,
    default_usn,
    eui64_id_problem,
    naa_id_problem,
    vdisk_identity,
)


def test_crc32c_is_castagnoli() -> None:
    # the CRC-32C check value (RFC 3720, iSCSI): initial and final inversion around the raw CRC
    assert crc32c(b"123456789", 0xFFFFFFFF) ^ 0xFFFFFFFF == 0xE3069283


def test_the_public_vg1_device() -> None:
    found = vdisk_identity("vg1", handler="vdisk_blockio")
    assert found.usn == "509f7d73"  # sg_inq: Unit serial number: 509f7d73
    assert found.t10_dev_id == "509f7d73-vg1"
    assert (found.vendor, found.product) == ("SCST_BIO", "vg1")  # multipath -ll: SCST_BIO,vg1
    assert str(found.wwid) == "23530396637643733"  # multipath -ll: mpatha (23530396637643733)
    assert found.designator == "eui-64"


def test_setup_id_is_the_high_half() -> None:
    assert default_usn("vg1", 0x1234) == "1234509f7d73"
    # t10_dev_id is cut to 25 characters (char t10_dev_id[16 + 8 + 2], NUL included)
    name = "a-rather-long-device-name"
    crc = crc32c(name.encode() + b"\0")
    assert default_t10_dev_id(name, 0x1234) == f"1234{crc:08x}-{name}"[:25]
    assert len(default_t10_dev_id(name, 0x1234)) == 25


def test_the_eui64_is_the_first_eight_bytes_of_t10_dev_id() -> None:
    short = vdisk_identity("d", handler="vdisk_fileio", t10_dev_id="abc")
    assert str(short.wwid) == "2" + b"abc\0\0\0\0\0".hex()  # NUL-filled buffer
    one = vdisk_identity("d1", handler="vdisk_fileio", t10_dev_id="xensan-vol1")
    two = vdisk_identity("d2", handler="vdisk_fileio", t10_dev_id="xensan-vol2")
    assert one.wwid == two.wwid  # only eight characters count: these two collide
    assert one.vendor == "SCST_FIO"


def test_naa_id_wins_over_eui64_id() -> None:
    both = vdisk_identity(
        "d",
        handler="vdisk_blockio",
        eui64_id="0x0011223344556677",
        naa_id="600140512345678901234567890abcde",
    )
    assert str(both.wwid) == "3600140512345678901234567890abcde"
    eui = vdisk_identity("d", handler="vdisk_blockio", eui64_id="0011223344556677")
    assert str(eui.wwid) == "20011223344556677"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("5001405123456789", None),
        ("0x600140512345678901234567890abcde", None),
        ("6001405123456789", "starts with 2, 3 or 5"),
        ("500140512345678901234567890abcde", "starts with 6"),
        ("5001405", "16 or 32 hex digits"),
        ("500140512345678g", "hex digits"),
    ],
)
def test_naa_id_as_the_sysfs_store_takes_it(value: str, problem: str | None) -> None:
    found = naa_id_problem(value)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_eui64_id_lengths() -> None:
    assert eui64_id_problem("0011223344556677") is None
    assert eui64_id_problem("001122334455667788990011") is None
    assert eui64_id_problem("00112233") is not None
