"""get/set/unset on modprobe.d files: parameters, blacklists, aliases and commands."""

from __future__ import annotations

import functools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import modprobe as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.modprobe import modprobe_documents, modprobe_module_names

CONF = """\
# /etc/modprobe.d/sbp2.conf
options firewire_sbp2 exclusive_login=1\tserialize_io=1
blacklist sbp2
alias scsi_hostadapter\tahci
install floppy /bin/true
"""


edited = functools.partial(edited_as, "modprobe")


def test_get() -> None:
    doc = xsanconf.loads(CONF, "modprobe")
    assert fmt.get_value(doc, "options[firewire-sbp2].exclusive_login") == ["1"]
    assert fmt.get_value(doc, "options[firewire_sbp2]") == ["exclusive_login=1 serialize_io=1"]
    assert fmt.get_value(doc, "blacklist") == ["sbp2"]
    assert fmt.get_value(doc, "blacklist[sbp2]") == ["sbp2"]
    assert fmt.get_value(doc, "blacklist[loop]") == []
    assert fmt.get_value(doc, "alias[scsi_hostadapter]") == ["ahci"]
    assert fmt.get_value(doc, "install[floppy]") == ["/bin/true"]


def test_set_a_parameter_touches_only_its_word() -> None:
    after = edited(CONF, "options[firewire_sbp2].exclusive_login", "0")
    assert changed_lines(CONF, after) == [
        "-options firewire_sbp2 exclusive_login=1\tserialize_io=1\n",
        "+options firewire_sbp2 exclusive_login=0\tserialize_io=1\n",
    ]
    after = edited(CONF, "options[firewire_sbp2].workarounds", "0x10")
    assert "options firewire_sbp2 exclusive_login=1\tserialize_io=1 workarounds=0x10\n" in after


def test_a_new_module_gets_its_own_options_line() -> None:
    after = edited(CONF, "options[loop].max_loop", "64")
    assert changed_lines(CONF, after) == ["+options loop max_loop=64\n"]
    assert after.index("options loop") < after.index("blacklist")


def test_blacklist_adds_once_and_removes_by_module() -> None:
    after = edited(CONF, "blacklist", "floppy")
    assert changed_lines(CONF, after) == ["+blacklist floppy\n"]
    assert edited(CONF, "blacklist", "sbp2") == CONF
    assert edited(CONF, "blacklist[sbp2]", None) == CONF.replace("blacklist sbp2\n", "")


def test_alias_and_commands_change_in_place_or_are_added() -> None:
    after = edited(CONF, "alias[scsi_hostadapter]", "mptsas")
    assert changed_lines(CONF, after) == [
        "-alias scsi_hostadapter\tahci\n",
        "+alias scsi_hostadapter\tmptsas\n",
    ]
    after = edited(CONF, "install[floppy]", "/bin/false")
    assert changed_lines(CONF, after) == [
        "-install floppy /bin/true\n",
        "+install floppy /bin/false\n",
    ]
    after = edited(CONF, "softdep[dm_multipath]", "pre: scsi_dh_alua")
    assert after == CONF + "softdep dm_multipath pre: scsi_dh_alua\n"


def test_crlf_and_no_final_newline() -> None:
    text = "# x\r\noptions drbd minor_count=8"
    assert edited(text, "options[drbd].minor_count", "16") == "# x\r\noptions drbd minor_count=16"
    assert (
        edited(text, "blacklist", "sbp2")
        == "# x\r\noptions drbd minor_count=8\r\nblacklist sbp2\r\n"
    )
    crlf = "blacklist sbp2\r\n"
    assert edited(crlf, "blacklist[sbp2]", None) == ""


def test_unset_parameter_removes_a_line_left_empty() -> None:
    text = "options drbd minor_count=8\noptions loop max_loop=8 max_part=4\n"
    assert edited(text, "options[drbd].minor_count", None) == "options loop max_loop=8 max_part=4\n"
    assert (
        edited(text, "options[loop].max_part", None)
        == "options drbd minor_count=8\noptions loop max_loop=8\n"
    )


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(CONF, "modprobe")
    refused = [
        ("options[loop].max_loop", "a\nb"),
        ("options[loop].x", 'say "a b"'),
        ("blacklist", "two words"),
        ("alias[x]", "a]b"),
    ]
    for selector, value in refused:
        with pytest.raises(ValueError):
            fmt.set_value(doc, selector, value)
    for selector in (
        "nope[x]",
        "options",
        "options[loop]",
        "blacklist[sbp2]",
        "alias",
        "options[x].a.b",
    ):
        with pytest.raises(SelectorError):
            fmt.set_value(doc, selector, "1")
    assert doc.render() == CONF


@given(modprobe_documents(), modprobe_module_names, st.data())
def test_edits_touch_only_their_lines(text: str, module: str, data: st.DataObject) -> None:
    assume("\\\n" not in text and "[" not in module and "]" not in module)
    doc = xsanconf.loads(text, "modprobe")
    known = [c.module for c in doc.model.lines if getattr(c, "module", "")]
    known = [m for m in known if "[" not in m and "]" not in m and "\r" not in m]
    name = data.draw(st.sampled_from([*known, module]))
    selector, touches = data.draw(
        st.sampled_from(
            [
                (f"options[{name}].x", (name, "x")),
                (f"blacklist[{name}]", (name,)),
                (f"install[{name}]", (name,)),
            ]
        )
    )
    value = None if selector.startswith("blacklist") else "1"
    value = data.draw(st.one_of(st.none(), st.just(value))) if value else None
    check_edit("modprobe", text, selector, value, touches)
