"""get/set/unset on Xen guest configs: literals as written, strings in the file's quotes."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import xen_domain as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.xen_domain import xen_configs

VM = """\
# xensan guest
name   = "vm1"
memory = 512
disk   = [ "phy:/dev/drbd0,xvda,w",
           "phy:/dev/drbd1,xvdb,w" ]
"""


edited = functools.partial(edited_as, "xen-domain")


def test_get() -> None:
    doc = xsanconf.loads(VM, "xen-domain")
    assert fmt.get_value(doc, "name") == ["vm1"]
    assert fmt.get_value(doc, "memory") == ["512"]
    assert fmt.get_value(doc, "disk") == ["phy:/dev/drbd0,xvda,w", "phy:/dev/drbd1,xvdb,w"]
    assert fmt.get_value(doc, "disk[1]") == ["phy:/dev/drbd1,xvdb,w"]
    assert fmt.get_value(doc, "disk[5]") == fmt.get_value(doc, "vcpus") == []


def test_set_number_string_and_list_item() -> None:
    after = edited(VM, "memory", "1024")
    assert changed_lines(VM, after) == ["-memory = 512\n", "+memory = 1024\n"]
    after = edited(VM, "name", "vm2")
    assert changed_lines(VM, after) == ['-name   = "vm1"\n', '+name   = "vm2"\n']
    after = edited(VM, "disk[1]", "phy:/dev/drbd2,xvdb,w")
    assert changed_lines(VM, after) == [
        '-           "phy:/dev/drbd1,xvdb,w" ]\n',
        '+           "phy:/dev/drbd2,xvdb,w" ]\n',
    ]


def test_new_settings_line_up_their_equals_and_use_the_file_quotes() -> None:
    after = edited(VM, "vcpus", "2")
    assert changed_lines(VM, after) == ["+vcpus  = 2\n"]
    after = edited(VM, "on_crash", "restart")
    assert changed_lines(VM, after) == ['+on_crash = "restart"\n']
    after = edited(VM, "vif", "[ 'bridge=xenbr0' ]")
    assert changed_lines(VM, after) == ['+vif    = [ "bridge=xenbr0" ]\n']


def test_crlf_unspaced_and_no_final_newline() -> None:
    text = "name='a'\r\nmemory=256"
    assert edited(text, "vcpus", "1") == "name='a'\r\nmemory=256\r\nvcpus=1\r\n"


def test_unset() -> None:
    assert edited(VM, "memory", None) == VM.replace("memory = 512\n", "")


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(VM, "xen-domain")
    with pytest.raises(ValueError):
        fmt.set_value(doc, "name", "a\nb")
    for selector in ("disk.x", "disk[x]", "1name", "vif.default.bridge"):
        with pytest.raises(SelectorError):
            fmt.set_value(doc, selector, "1")
    with pytest.raises(SelectorError):
        fmt.set_value(doc, "disk[7]", "phy:/dev/x,xvdc,w")
    with pytest.raises(SelectorError):
        fmt.unset_value(doc, "disk[0]")
    assert doc.render() == VM


@given(
    xen_configs(),
    st.sampled_from(["name", "memory", "vif", "on_crash"]),
    st.one_of(st.none(), st.sampled_from(["512", "vm9", "[ 'a', 'b' ]", "it's"])),
)
def test_edits_touch_only_their_lines(text: str, key: str, value: str | None) -> None:
    doc = xsanconf.loads(text, "xen-domain")
    if any("\n" in s.token.text for s in doc.model.settings(key)):
        return  # a list over several lines: its other lines do not name the key
    check_edit("xen-domain", text, key, value, (key,))
