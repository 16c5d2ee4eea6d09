"""get/set/unset on initiators.allow and friends: a target's line holds its list."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import iet_access as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.iet_access import access_items, iet_access_documents

ALLOW = """\
# initiators.allow
iqn.2001-04.com.example:xensan\t10.0.0.1, 10.0.0.2
iqn.2001-04.com.example:db\t10.0.1.0/24
ALL\t\t\t\tALL
"""

T = "target[iqn.2001-04.com.example:xensan]"


edited = functools.partial(edited_as, "iet-access")


def test_get_lists_the_items() -> None:
    doc = xsanconf.loads(ALLOW, "iet-access")
    assert fmt.get_value(doc, T) == ["10.0.0.1", "10.0.0.2"]
    assert fmt.get_value(doc, "target[IQN.2001-04.COM.EXAMPLE:DB]") == ["10.0.1.0/24"]
    assert fmt.get_value(doc, "target[ALL]") == fmt.get_value(doc, "ALL") == ["ALL"]
    assert fmt.get_value(doc, "target[iqn.2001-04.com.example:none]") == []


def test_set_replaces_the_list_keeping_the_gap() -> None:
    after = edited(ALLOW, T, "10.0.0.1,10.0.0.3 ,  [fe80::1]")
    assert changed_lines(ALLOW, after) == [
        "-iqn.2001-04.com.example:xensan\t10.0.0.1, 10.0.0.2\n",
        "+iqn.2001-04.com.example:xensan\t10.0.0.1, 10.0.0.3, [fe80::1]\n",
    ]


def test_a_new_target_goes_above_all_lined_up() -> None:
    after = edited(ALLOW, "target[iqn.2001-04.com.example:web]", "10.0.2.1")
    assert changed_lines(ALLOW, after) == ["+iqn.2001-04.com.example:web\t10.0.2.1\n"]
    assert after.index(":web") < after.index("ALL\t")
    text = "iqn.a:x      10.0.0.1\niqn.a:yyy    10.0.0.2\n"
    after = edited(text, "target[iqn.a:zz]", "10.0.0.3")
    assert after == text + "iqn.a:zz     10.0.0.3\n"


def test_crlf_and_no_final_newline() -> None:
    text = "# x\r\niqn.a:x 10.0.0.1"
    assert edited(text, "target[ALL]", "ALL") == "# x\r\niqn.a:x 10.0.0.1\r\nALL ALL\r\n"


def test_unset_removes_the_target_lines() -> None:
    assert edited(ALLOW, T, None) == ALLOW.replace(
        "iqn.2001-04.com.example:xensan\t10.0.0.1, 10.0.0.2\n", ""
    )


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(ALLOW, "iet-access")
    for bad in ("", "10.0.0.1,,10.0.0.2", "10.0.0.1\n10.0.0.2"):
        with pytest.raises(ValueError):
            fmt.set_value(doc, T, bad)
    for selector in ("iqn.2001-04.com.example:xensan", "target", "target[]", f"{T}.x"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, selector)
    assert doc.render() == ALLOW


@given(iet_access_documents(), st.data())
def test_edits_touch_only_their_lines(text: str, data: st.DataObject) -> None:
    doc = xsanconf.loads(text, "iet-access")
    names = [e.target for e in doc.model.entries if "[" not in e.target and "]" not in e.target]
    target = data.draw(st.sampled_from([*names, "ALL", "iqn.2001-04.com.example:new"]))
    items = data.draw(st.lists(access_items.filter(lambda i: "," not in i), min_size=1, max_size=3))
    value = data.draw(st.one_of(st.none(), st.just(", ".join(items))))
    check_edit("iet-access", text, f"target[{target}]", value, (target,))
