"""get/set/unset on unit files: Section.Key; dependency lists end up as set."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import systemd_unit as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.systemd_unit import unit_files

UNIT = """\
[Unit]
Description=DRBD
After=network.target
After=iscsid.service

[Service]
Type=oneshot
"""


edited = functools.partial(edited_as, "systemd-unit")


def test_get_lists_each_assignment() -> None:
    doc = xsanconf.loads(UNIT, "systemd-unit")
    assert fmt.get_value(doc, "Unit.After") == ["network.target", "iscsid.service"]
    assert fmt.get_value(doc, "Service.Type") == ["oneshot"]
    assert fmt.get_value(doc, "Install.WantedBy") == []


def test_set_a_single_value_changes_its_line() -> None:
    after = edited(UNIT, "Service.Type", "forking")
    assert changed_lines(UNIT, after) == ["-Type=oneshot\n", "+Type=forking\n"]


def test_set_a_dependency_list_leaves_one_assignment() -> None:
    after = edited(UNIT, "Unit.After", "network-online.target")
    assert changed_lines(UNIT, after) == [
        "-After=network.target\n",
        "-After=iscsid.service\n",
        "+After=network-online.target\n",
    ]


def test_new_key_and_new_section() -> None:
    after = edited(UNIT, "Unit.Wants", "iscsid.service")
    assert changed_lines(UNIT, after) == ["+Wants=iscsid.service\n"]
    after = edited(UNIT, "Install.WantedBy", "multi-user.target")
    assert after == UNIT + "\n[Install]\nWantedBy=multi-user.target\n"


def test_crlf_spaced_and_no_final_newline() -> None:
    text = "[Unit]\r\nDescription = x\r\n\r\n[Service]\r\nType = simple"
    after = edited(text, "Service.Type", "oneshot")
    assert after == text.replace("simple", "oneshot")
    after = edited(text, "Service.ExecStart", "/bin/true")
    assert after == text + "\r\nExecStart=/bin/true"


def test_a_file_of_comments_gets_its_section_below_them() -> None:
    assert (
        edited("# drop-in\n", "Unit.After", "a.service") == "# drop-in\n[Unit]\nAfter=a.service\n"
    )


def test_unset() -> None:
    assert edited(UNIT, "Unit.After", None) == UNIT.replace(
        "After=network.target\nAfter=iscsid.service\n", ""
    )


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(UNIT, "systemd-unit")
    for bad in ("a\nb", "a \\"):
        with pytest.raises(ValueError):
            fmt.set_value(doc, "Unit.After", bad)
    for selector in ("After", "Unit.After.x", "Unit[x].After", "Unit.=x"):
        with pytest.raises(SelectorError):
            fmt.set_value(doc, selector, "x")
    assert doc.render() == UNIT


@given(
    unit_files(),
    st.sampled_from(["Unit", "Service", "Install"]),
    st.sampled_from(["After", "Wants", "ExecStart", "Type"]),
    st.one_of(st.none(), st.sampled_from(["a.service", "x y"])),
)
def test_edits_touch_only_their_lines(text: str, section: str, key: str, value: str | None) -> None:
    doc = xsanconf.loads(text, "systemd-unit")
    if any("\\" in e.token.text for s in doc.model.sections() for e in s.entries(key)):
        return  # a continued value spans lines that do not name the key
    check_edit("systemd-unit", text, f"{section}.{key}", value, (key,))
