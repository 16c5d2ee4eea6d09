"""get/set/unset on ietd.conf: targets, parameters, accounts and Lun parameters."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import ietd as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.ietd import ietd_documents

CONF = """\
# /etc/iet/ietd.conf
IncomingUser discover discoversecret1

Target iqn.2001-04.com.example:xensan
\tIncomingUser jim othersecret12
\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0
\tMaxConnections\t\t1\t\t# one only
\tInitialR2T\t\tYes
"""

T = "target[iqn.2001-04.com.example:xensan]"


edited = functools.partial(edited_as, "ietd")


def test_get() -> None:
    doc = xsanconf.loads(CONF, "ietd")
    assert fmt.get_value(doc, f"{T}.lun[0].ScsiId") == ["xensan0"]
    assert fmt.get_value(doc, f"{T}.lun[0].scsiid") == ["xensan0"]
    assert fmt.get_value(doc, f"{T}.lun[0]") == ["Path=/dev/drbd0,Type=blockio,ScsiId=xensan0"]
    assert fmt.get_value(doc, f"{T}.maxconnections") == ["1"]
    assert fmt.get_value(doc, "IncomingUser") == ["discover discoversecret1"]
    assert fmt.get_value(doc, f"{T}.IncomingUser[jim]") == ["othersecret12"]
    assert fmt.get_value(doc, "target[IQN.2001-04.COM.EXAMPLE:XENSAN]") == [
        "iqn.2001-04.com.example:xensan"
    ]
    assert fmt.get_value(doc, f"{T}.lun[1].Path") == []
    assert fmt.get_value(doc, "target[iqn.x:y].Alias") == []


def test_set_lun_param_touches_only_its_characters() -> None:
    after = edited(CONF, f"{T}.lun[0].ScsiId", "xensan9")
    assert changed_lines(CONF, after) == [
        "-\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0\n",
        "+\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan9\n",
    ]
    after = edited(CONF, f"{T}.lun[0].IOMode", "wt")
    assert "\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0,IOMode=wt\n" in after


def test_set_parameter_keeps_its_alignment_and_note() -> None:
    after = edited(CONF, f"{T}.MaxConnections", "2")
    assert changed_lines(CONF, after) == [
        "-\tMaxConnections\t\t1\t\t# one only\n",
        "+\tMaxConnections\t\t2\t\t# one only\n",
    ]


def test_a_new_parameter_lines_up_with_aligned_siblings() -> None:
    text = "Target iqn.2001-04.com.example:a\n\tMaxConnections\t\t1\n\tInitialR2T\t\tYes\n"
    after = edited(text, "target[iqn.2001-04.com.example:a].ImmediateData", "No")
    assert changed_lines(text, after) == ["+\tImmediateData\t\tNo\n"]
    spaced = "Target iqn.2001-04.com.example:a\n  Alias    one\n  Wthreads 8\n"
    after = edited(spaced, "target[iqn.2001-04.com.example:a].MaxSessions", "2")
    assert changed_lines(spaced, after) == ["+  MaxSessions 2\n"]  # wider than the column


def test_accounts_are_keyed_by_user() -> None:
    after = edited(CONF, f"{T}.IncomingUser", "ann annsecret1234")
    assert changed_lines(CONF, after) == ["+\tIncomingUser ann annsecret1234\n"]
    after = edited(CONF, f"{T}.IncomingUser", "jim newsecret1234")
    assert changed_lines(CONF, after) == [
        "-\tIncomingUser jim othersecret12\n",
        "+\tIncomingUser jim newsecret1234\n",
    ]
    after = edited(CONF, f"{T}.IncomingUser[jim]", "newsecret1234")
    assert "\tIncomingUser jim newsecret1234\n" in after
    assert edited(CONF, f"{T}.IncomingUser[jim]", None) == CONF.replace(
        "\tIncomingUser jim othersecret12\n", ""
    )


def test_set_in_a_missing_target_adds_the_target_in_the_file_style() -> None:
    after = edited(CONF, "target[iqn.2001-04.com.example:new].lun[0].Path", "/dev/drbd1")
    assert after == CONF + "\nTarget iqn.2001-04.com.example:new\n\tLun 0 Path=/dev/drbd1\n"


def test_global_setting_goes_with_the_global_lines() -> None:
    after = edited(CONF, "iSNSServer", "10.0.0.9")
    assert changed_lines(CONF, after) == ["+iSNSServer 10.0.0.9\n"]
    assert after.index("iSNSServer") < after.index("Target")


def test_unset_lun_param_lun_and_target() -> None:
    after = edited(CONF, f"{T}.lun[0].ScsiId", None)
    assert "\tLun 0 Path=/dev/drbd0,Type=blockio\n" in after
    assert edited(CONF, f"{T}.lun[0]", None) == CONF.replace(
        "\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0\n", ""
    )
    assert edited(CONF, T, None) == CONF[: CONF.index("\nTarget")]


def test_crlf_and_no_final_newline() -> None:
    text = "Target iqn.2001-04.com.example:a\r\n\tLun 0 Path=/dev/sdb"
    after = edited(text, "target[iqn.2001-04.com.example:a].Alias", "a")
    assert after == "Target iqn.2001-04.com.example:a\r\n\tLun 0 Path=/dev/sdb\r\n\tAlias a"


def test_values_it_cannot_hold_are_refused() -> None:
    doc = xsanconf.loads(CONF, "ietd")
    refused = [
        (f"{T}.lun[0].ScsiId", "a,Type=nullio"),
        (f"{T}.lun[0].Path", "/dev/a b"),
        (f"{T}.Alias", "two words"),
        (f"{T}.Alias", "a\nTarget iqn.x:y"),
        (f"{T}.IncomingUser", "onlyuser"),
        (f"{T}.lun[0]", "Path"),
    ]
    for selector, value in refused:
        with pytest.raises(ValueError):
            fmt.set_value(doc, selector, value)
    assert doc.render() == CONF


@pytest.mark.parametrize(
    "selector",
    ["target", "target[]", f"{T}.lun[x].Path", f"{T}.lun", f"{T}.Alias[x]", f"{T}.a.b", "a=b"],
)
def test_bad_selectors(selector: str) -> None:
    doc = xsanconf.loads(CONF, "ietd")
    with pytest.raises(SelectorError):
        fmt.set_value(doc, selector, "1")


_SELECTORS = st.sampled_from(
    [
        ("MaxConnections", ("MaxConnections",)),
        ("Alias", ("Alias",)),
        ("lun[0].ScsiId", ("Lun",)),
        ("lun[0].Path", ("Lun",)),
        ("IncomingUser[jim]", ("IncomingUser",)),
    ]
)


@given(ietd_documents(), _SELECTORS, st.booleans(), st.data())
def test_edits_touch_only_their_lines(
    text: str, choice: tuple[str, tuple[str, ...]], unset: bool, data: st.DataObject
) -> None:
    doc = xsanconf.loads(text, "ietd")
    names = [t.name for t in doc.model.targets if t.name] or ["iqn.2001-04.com.example:new"]
    target = data.draw(st.sampled_from(names))
    selector = f"target[{target}].{choice[0]}"
    try:
        fmt.get_value(doc, selector)
    except SelectorError:
        return  # a generated name that is no selector (brackets in it)
    check_edit("ietd", text, selector, None if unset else "v1", choice[1])
