"""target_luns() of scst.conf: the LUNs initiators see, their identity, cache and access.

Fixture sites: ``fixtures/sites/scst-pair`` (two DRBD heads export ``/dev/drbd0`` with the same
``t10_dev_id`` and ``usn``, write-through) and ``fixtures/sites/scst-pair-bad`` (the second
head names the device otherwise and caches writes).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import xsanconf
from xsanconf.domain.scst_identity import crc32c
from xsanconf.domain.target import TargetLun
from xsanconf.formats.scst.model import ScstConfig

SITES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "sites"


def _luns(text: str, version: tuple[int, ...] | None = None) -> list[TargetLun]:
    config: ScstConfig = xsanconf.loads(text, "scst").model
    return config.target_luns(version)


def _site_luns(site: str, host: str) -> list[TargetLun]:
    text = (SITES / site / host / "etc" / "scst.conf").read_text()
    return _luns(text)


def _device(handler: str, attributes: str, target: str = "\t\tenabled 1\n\t\tLUN 0 d\n") -> str:
    return (
        f"HANDLER {handler} {{\n\tDEVICE d {{\n\t\tfilename /dev/drbd0\n{attributes}\t}}\n}}\n"
        "TARGET_DRIVER iscsi {\n\tenabled 1\n"
        f"\tTARGET iqn.2024-01.com.example:t {{\n{target}\t}}\n}}\n"
    )


def test_the_good_pair_presents_one_identity_write_through() -> None:
    (one,) = _site_luns("scst-pair", "san1")
    (two,) = _site_luns("scst-pair", "san2")
    assert one.implementation == two.implementation == "scst"
    assert one.target == "iqn.2024-01.com.example:san1.vmstore"
    assert (one.lun, one.backing, one.backing_kind, one.object_name) == (
        0,
        "/dev/drbd0",
        "fileio",
        "vmstore",
    )
    assert one.identity.wwid == two.identity.wwid
    assert str(one.identity.wwid) == "2" + b"vmstore-".hex()  # the first 8 bytes of t10_dev_id
    assert one.identity.serial == two.identity.serial == "7f3a0c51"
    assert one.identity.source == "explicit"
    assert one.identity.device_id == two.identity.device_id == b"vmstore-"
    assert (one.cache, two.cache) == ("write-through", "write-through")
    assert not one.access.open and one.access.chap_required
    assert [(c.direction, c.user, c.scope) for c in one.chap] == [
        ("incoming", "xenhosts", "target")
    ]


def test_the_bad_pair_presents_two_identities_and_caches() -> None:
    (one,) = _site_luns("scst-pair-bad", "san1")
    (two,) = _site_luns("scst-pair-bad", "san2")
    assert one.identity.wwid != two.identity.wwid
    # the default, from the device name drbd0 (scst_vdisk.c vdev_create_node)
    assert two.identity.source == "default"
    assert two.identity.serial == format(crc32c(b"drbd0\0"), "x")
    assert (
        two.cache == "write-back"
        and two.cache_reason is not None
        and "nv_cache" in two.cache_reason
    )
    anchor = two.anchor_for("cache")
    assert anchor is not None


@pytest.mark.parametrize(
    ("handler", "attributes", "cache"),
    [
        ("vdisk_fileio", "", "write-back"),  # the page cache
        ("vdisk_fileio", "\t\twrite_through 1\n", "write-through"),  # O_DSYNC
        ("vdisk_fileio", "\t\twrite_through 2\n", "write-back"),  # a one-bit field: 2 is 0
        ("vdisk_fileio", "\t\twrite_through 1\n\t\tnv_cache 1\n", "write-back"),  # no O_DSYNC
        ("vdisk_blockio", "", "write-through"),  # bios to the device itself
        ("vdisk_blockio", "\t\tnv_cache 1\n", "write-back"),  # flushes ignored
        ("vdisk_nullio", "", "unknown"),
    ],
)
def test_cache_modes(handler: str, attributes: str, cache: str) -> None:
    (lun,) = _luns(_device(handler, attributes))
    assert lun.cache == cache


def test_access_default_group_and_groups() -> None:
    target = (
        "\t\tenabled 1\n\t\tLUN 0 d\n"
        "\t\tGROUP xen {\n\t\t\tLUN 1 d\n\t\t\tINITIATOR iqn.2024-01.com.example:xen*\n\t\t}\n"
    )
    default, grouped = _luns(_device("vdisk_blockio", "", target))
    assert default.access.open is True and default.access.chap_required is False
    assert grouped.access.open is False
    assert grouped.access.initiators == ("iqn.2024-01.com.example:xen*",)
    chap = target + '\t\tIncomingUser "u 0123456789ab"\n'
    default, grouped = _luns(_device("vdisk_blockio", "", chap))
    assert default.access.open is False and default.access.chap_required is True


def test_only_enabled_targets_with_defined_devices_count() -> None:
    assert _luns(_device("vdisk_blockio", "", "\t\tLUN 0 d\n")) == []  # not enabled
    assert _luns(_device("vdisk_blockio", "", "\t\tenabled 1\n\t\tLUN 0 other\n")) == []
    text = _device("vdisk_blockio", "").replace("\tenabled 1\n\tTARGET", "\tenabled 0\n\tTARGET")
    assert _luns(text) == []


def test_default_identity_and_versions() -> None:
    (lun,) = _luns(_device("vdisk_blockio", ""))
    assert lun.identity.source == "default"
    assert lun.identity.vendor == "SCST_BIO" and lun.identity.product == "d"
    (old,) = _luns(_device("vdisk_blockio", ""), (2, 0, 0))
    assert old.identity.wwid is None and old.identity.reason is not None
    naa = "\t\tnaa_id 0x600140512345678901234567890abcde\n"
    (new,) = _luns(_device("vdisk_blockio", naa))
    assert str(new.identity.wwid) == "3600140512345678901234567890abcde"
    (before,) = _luns(_device("vdisk_blockio", naa), (3, 0))  # no naa_id before SCST 3.1
    assert before.identity.designator == "eui-64"
    (bad,) = _luns(_device("vdisk_blockio", "\t\tt10_dev_id " + "x" * 26 + "\n"))
    assert bad.identity.wwid is None and "25" in str(bad.identity.reason)


def test_setup_id_leaves_a_default_identity_unknown() -> None:
    """scstadmin applies setup_id after it opens the devices (applyConfiguration), so the
    default t10_dev_id of a device depends on whether it was open before."""
    (lun,) = _luns("setup_id 0x1234\n" + _device("vdisk_blockio", ""))
    assert lun.identity.wwid is None and "setup_id" in str(lun.identity.reason)
    (explicit,) = _luns("setup_id 0x1234\n" + _device("vdisk_blockio", "\t\tt10_dev_id abc\n"))
    assert explicit.identity.wwid is not None
    assert explicit.identity.serial is None  # the default usn carries setup_id as well


def test_pass_through_devices_have_no_known_identity() -> None:
    text = (
        "HANDLER dev_disk {\n\tDEVICE 1:0:0:0\n}\n"
        "TARGET_DRIVER iscsi {\n\tTARGET t {\n\t\tenabled 1\n\t\tLUN 0 1:0:0:0\n\t}\n}\n"
    )
    (lun,) = _luns(text)
    assert lun.identity.wwid is None and lun.cache == "unknown"
