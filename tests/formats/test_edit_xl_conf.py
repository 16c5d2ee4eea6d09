"""get/set/unset on xl.conf: dotted keys taken whole."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import xl_conf as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.xl_conf import xl_confs

XL = """\
## Global XL config file ##
autoballoon="off"
#lockfile="/var/lock/xl"
vif.default.bridge="xenbr0"
"""


edited = functools.partial(edited_as, "xl-conf")


def test_get() -> None:
    doc = xsanconf.loads(XL, "xl-conf")
    assert fmt.get_value(doc, "vif.default.bridge") == ["xenbr0"]
    assert fmt.get_value(doc, "lockfile") == []


def test_set_existing_and_new() -> None:
    after = edited(XL, "vif.default.bridge", "br-san")
    assert changed_lines(XL, after) == [
        '-vif.default.bridge="xenbr0"\n',
        '+vif.default.bridge="br-san"\n',
    ]
    assert (
        edited(XL, "vif.default.script", "vif-bridge") == XL + 'vif.default.script="vif-bridge"\n'
    )


def test_crlf_and_no_final_newline() -> None:
    text = 'autoballoon = "off"\r\nlockfile = "/var/lock/xl"'
    after = edited(text, "autoballoon", "auto")
    assert after == text.replace('"off"', '"auto"')


def test_unset_and_bad_selectors() -> None:
    assert edited(XL, "autoballoon", None) == XL.replace('autoballoon="off"\n', "")
    doc = xsanconf.loads(XL, "xl-conf")
    for selector in ("vif..bridge", "vif.default.bridge x", "[x]"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, selector)


@given(
    xl_confs(),
    st.sampled_from(["vif.default.bridge", "vm.cpumask", "autoballoon"]),
    st.one_of(st.none(), st.sampled_from(["1", "off", "[ '0-3' ]"])),
)
def test_edits_touch_only_their_lines(text: str, key: str, value: str | None) -> None:
    doc = xsanconf.loads(text, "xl-conf")
    if any("\n" in s.token.text for s in doc.model.settings(key)):
        return  # a list over several lines: its other lines do not name the key
    check_edit("xl-conf", text, key, value, (key,))
