"""iSCSI names: the valid forms of RFC 3720/3722/3980 and the exact reason for invalid ones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xsanconf.domain.iscsi_name import IscsiName
from xsanconf.testing.ietd import iet_names


@pytest.mark.parametrize(
    "name",
    [
        "iqn.2001-04.com.example:storage.disk2.sys1.xyz",
        "iqn.1992-01.com.example",
        "iqn.2003-01.org.linux-iscsi.host1.x8664:sn.1234abcd",
        "iqn.1998-01.com.vmware:esx01-5a1b2c3d",
        "iqn.2001-04.com.example:a:b.c",
        "eui.02004567a425678d",
        "naa.52004567ba64678d",
        "naa.62004567ba64678d0123456789abcdef",
    ],
)
def test_valid_canonical_names(name: str) -> None:
    parsed = IscsiName.parse(name)
    assert parsed.valid, parsed.errors
    assert parsed.warnings == ()
    assert parsed.canonical == name
    assert parsed.kind == name[:3]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "the name is empty"),
        ("iqn.2001-4.com.example", "month '4' must have two digits (yyyy-mm)"),
        ("iqn.01-2001.com.example", "date '01-2001' is month first; write it yyyy-mm"),
        ("iqn.201-04.com.example", "year '201' must have four digits (yyyy-mm)"),
        ("iqn.2001-13.com.example", "month 13 is not valid (01 to 12)"),
        ("iqn.2001-00.com.example", "month 0 is not valid (01 to 12)"),
        ("iqn.com.example", "missing date after 'iqn.' (expected iqn.yyyy-mm.domain)"),
        ("iqn.2001-04", "missing naming authority (a reversed domain name) after the date"),
        ("iqn.2001-04:disk", "missing naming authority (a reversed domain name) after the date"),
        ("iqn.2001-04-com.example", "expected '.' after the date, found '-'"),
        ("iqn.2001-04.com..example", "empty label in the naming authority 'com..example'"),
        (
            "iqn.2001-04.com.example:disk_1",
            "character '_' not allowed (only a-z, 0-9, '-', '.' and ':' are)",
        ),
        (
            "iqn.2001-04.com.example:a/b@c",
            "characters '/', '@' not allowed (only a-z, 0-9, '-', '.' and ':' are)",
        ),
        ("iqn.2001-04.com.example:my disk", "whitespace is not allowed in an iSCSI name"),
        ("eui.0200456", "eui. must be followed by 16 hex digits, found 7"),
        ("eui.02004567a425678g", "eui. must be followed by hex digits only, found 'g'"),
        ("naa.1234", "naa. must be followed by 16 or 32 hex digits, found 4"),
        ("storage.example", "an iSCSI name starts with 'iqn.', 'eui.' or 'naa.'"),
        (
            "iqn.2001-04.com.example:" + "x" * 200,
            "224 bytes long; an iSCSI name is at most 223 bytes",
        ),
    ],
)
def test_invalid_names_say_why(name: str, reason: str) -> None:
    parsed = IscsiName.parse(name)
    assert not parsed.valid
    assert parsed.reason == reason


def test_upper_case_is_valid_but_not_canonical() -> None:
    parsed = IscsiName.parse("IQN.2001-04.COM.EXAMPLE:Disk1")
    assert parsed.valid
    assert parsed.canonical == "iqn.2001-04.com.example:disk1"
    assert parsed.warnings[0].startswith("upper-case letters")
    assert parsed.same_as("iqn.2001-04.com.example:disk1")
    assert not parsed.same_as("iqn.2001-04.com.example:disk2")


def test_parts_of_an_iqn() -> None:
    parsed = IscsiName.parse("iqn.2003-01.org.linux-iscsi.host1:sn.1234")
    assert parsed.date == (2003, 1)
    assert parsed.naming_authority == "org.linux-iscsi.host1"
    assert parsed.unique_part == "sn.1234"
    assert IscsiName.parse("iqn.1992-01.com.example").unique_part is None
    assert IscsiName.parse("iqn.2001-13.com.example").date is None


def test_dns_convention_and_empty_suffix_are_warnings() -> None:
    parsed = IscsiName.parse("iqn.2001-04.-com.example:")
    assert parsed.valid
    assert parsed.warnings == (
        "domain label '-com' starts or ends with '-' (not a DNS name)",
        "nothing follows the ':'",
    )


def test_non_ascii_follows_the_stringprep_profile() -> None:
    assert IscsiName.parse("iqn.2001-04.de.b\u00fccher:disk").valid
    fullwidth = IscsiName.parse("iqn.2001-04.com.example:\uff44isk")  # NFKC maps it to 'd'
    assert fullwidth.valid and fullwidth.canonical.endswith(":disk")
    assert fullwidth.warnings[0].startswith("not in canonical form")
    private = IscsiName.parse("iqn.2001-04.com.example:\ue000")
    assert private.reason is not None and "U+E000" in private.reason
    assert IscsiName.parse("iqn.2001-04.com.example:\u3002x").reason is not None


@given(iet_names)
def test_generated_names_are_valid(name: str) -> None:
    assert IscsiName.parse(name).valid


@given(st.text(max_size=40))
def test_any_text_gets_a_verdict_without_error(text: str) -> None:
    parsed = IscsiName.parse(text)
    assert parsed.valid == (parsed.reason is None)
    assert str(parsed) == text


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_the_ascii_shortcut_maps_as_stringprep_does(text: str) -> None:
    import stringprep
    import unicodedata

    from xsanconf.domain import iscsi_name

    mapped = "".join(stringprep.map_table_b2(c) for c in text if not stringprep.in_table_b1(c))
    assert iscsi_name._prepare(text) == unicodedata.ucd_3_2_0.normalize("NFKC", mapped)
    assert iscsi_name._bidi_error(text) is None
