"""get/set/unset on /etc/modules: the list of modules, a module's line, one parameter."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import modules as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.modules import modules_documents

MODULES = """\
# /etc/modules: kernel modules to load at boot time.
loop\tmax_loop=64
drbd
; a comment only systemd reads
"""


edited = functools.partial(edited_as, "modules")


def test_get() -> None:
    doc = xsanconf.loads(MODULES, "modules")
    assert fmt.get_value(doc, "modules") == ["loop", "drbd"]
    assert fmt.get_value(doc, "modules[loop]") == ["loop\tmax_loop=64"]
    assert fmt.get_value(doc, "modules[loop].max_loop") == ["64"]
    assert fmt.get_value(doc, "modules[sbp2]") == []


def test_set_a_parameter_keeps_the_gap() -> None:
    after = edited(MODULES, "modules[loop].max_loop", "8")
    assert changed_lines(MODULES, after) == ["-loop\tmax_loop=64\n", "+loop\tmax_loop=8\n"]
    after = edited(MODULES, "modules[drbd].minor_count", "4")
    assert changed_lines(MODULES, after) == ["-drbd\n", "+drbd minor_count=4\n"]


def test_add_a_module_after_the_last_one() -> None:
    after = edited(MODULES, "modules", "dm_multipath")
    assert changed_lines(MODULES, after) == ["+dm_multipath\n"]
    assert after.index("dm_multipath") < after.index("; a comment")
    assert edited(MODULES, "modules", "drbd") == MODULES


def test_set_and_unset_a_module_line() -> None:
    after = edited(MODULES, "modules[loop]", "")
    assert changed_lines(MODULES, after) == ["-loop\tmax_loop=64\n", "+loop\n"]
    assert edited(MODULES, "modules[drbd]", None) == MODULES.replace("drbd\n", "")
    assert edited(MODULES, "modules[loop].max_loop", None) == MODULES.replace("\tmax_loop=64", "")


def test_crlf_and_no_final_newline() -> None:
    text = "# x\r\nloop"
    assert edited(text, "modules", "drbd") == "# x\r\nloop\r\ndrbd\r\n"


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(MODULES, "modules")
    with pytest.raises(ValueError):
        fmt.set_value(doc, "modules[loop].max_loop", "1\n2")
    with pytest.raises(ValueError):
        fmt.set_value(doc, "modules[loop].x", 'a "b c"')
    for selector in ("loop", "modules[]", "modules.x", "modules[loop].a.b", "modules[a].b[c]"):
        with pytest.raises(SelectorError):
            fmt.set_value(doc, selector, "1")
    assert doc.render() == MODULES


@given(modules_documents(), st.data())
def test_edits_touch_only_their_lines(text: str, data: st.DataObject) -> None:
    doc = xsanconf.loads(text, "modules")
    names = [m for m in doc.model.modules() if "[" not in m and "]" not in m and "." not in m]
    name = data.draw(st.sampled_from([*names, "sbp2"]))
    selector = data.draw(st.sampled_from([f"modules[{name}]", f"modules[{name}].p"]))
    value = data.draw(st.one_of(st.none(), st.just("1")))
    check_edit("modules", text, selector, value, (name,))
