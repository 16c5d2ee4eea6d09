"""WWIDs, and the WWID that udev and multipath report for an IET LUN."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xsanconf.domain.wwid import Wwid, iet_identity, iet_wwid

PREFIX = "14945540000000000"


def test_documented_example() -> None:
    assert str(iet_wwid("149455403f160c00")) == (
        "1494554000000000031343934353534303366313630633030"
    )


def test_short_ids_are_nul_padded_and_case_is_kept() -> None:
    assert str(iet_wwid("disk1")) == "149455400000000006469736b310000000000000000000000"
    assert iet_wwid("ABC") != iet_wwid("abc")
    assert str(iet_wwid("a b")).startswith(PREFIX + "612062")


def test_too_long_id_gives_no_wwid_and_says_why() -> None:
    identity = iet_identity("0123456789abcdef0")
    assert identity.wwid is None
    assert identity.reason is not None and "17 bytes" in identity.reason
    truncated = iet_identity("0123456789abcdef0", version=(0, 4, 14))
    assert truncated.wwid == iet_wwid("0123456789abcdef")
    assert iet_identity("").wwid is None


def test_default_identity_is_md5_of_target_and_lun() -> None:
    target = "iqn.2001-04.com.example:storage.disk2.sys1.xyz"
    identity = iet_identity(None, target=target, lun=3)
    digest = hashlib.md5(target.encode() + b"\x03\x00\x00\x00").hexdigest()
    assert identity.source == "default"
    assert str(identity.wwid) == PREFIX + digest
    assert identity.reason is not None and "not verified" in identity.reason


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"target": "iqn.2001-04.com.example:a", "lun": 0, "version": (1, 4, 19)}, "before 1.4.20"),
        ({"target": "iqn.2001-04.com.example:a"}, "both are needed"),
        ({"target": "iqn.2001-04.com.example:a", "lun": 16384}, "out of range"),
    ],
)
def test_default_identity_that_cannot_be_known(kwargs: dict[str, object], needle: str) -> None:
    identity = iet_identity(None, **kwargs)  # type: ignore[arg-type]
    assert identity.wwid is None
    assert identity.reason is not None and needle in identity.reason


@given(st.text(st.characters(codec="ascii", exclude_characters=","), min_size=1, max_size=16))
def test_every_accepted_id_gives_49_lower_case_hex_characters(scsi_id: str) -> None:
    wwid = iet_wwid(scsi_id)
    assert wwid is not None
    assert len(wwid.value) == 49
    assert wwid.value == wwid.value.lower()
    assert bytes.fromhex(wwid.value[17:]).rstrip(b"\0") == scsi_id.encode().rstrip(b"\0")


def test_wwid_type() -> None:
    wwid = Wwid.parse("  1494554000000000031343934353534303366313630633030 ")
    assert wwid.designator == "t10"
    assert wwid.serial_short == "494554000000000031343934353534303366313630633030"
    assert Wwid("36001405e3b0c44298fc4c149afbf4c89").designator == "naa"
    for bad in ("", "a b", "x" * 128):
        with pytest.raises(ValueError):
            Wwid(bad)
