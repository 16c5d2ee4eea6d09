"""The init-script codec: the LSB header typed, the script opaque, header edits line by line."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given

import xsanconf
from xsanconf.formats.init_script import InitScript, build, directives
from xsanconf.testing.init_script import init_scripts

IETD = """\
#!/bin/sh
#
# chkconfig: - 39 35
### BEGIN INIT INFO
# Provides:          iscsitarget
# Required-Start:    $remote_fs $syslog $network $time procps
# Required-Stop:     $remote_fs $syslog $network $time procps
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Starts and stops the iSCSI software target
# Description:       Starts and stops the iSCSI
#                    software target
### END INIT INFO

case "$1" in
  start) ietd ;;
esac
"""


def load(text: str) -> InitScript:
    return xsanconf.loads(text, "init-script").model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_header_fields_are_typed() -> None:
    header = load(IETD).header
    assert header is not None
    assert header.provides == ["iscsitarget"]
    assert header.required_start == ["$remote_fs", "$syslog", "$network", "$time", "procps"]
    assert header.default_start == ["2", "3", "4", "5"]
    assert header.default_stop == ["0", "1", "6"]
    assert header.should_start == []
    assert header.short_description == "Starts and stops the iSCSI software target"
    description = header.field("description")
    assert description is not None
    assert description.value == "Starts and stops the iSCSI software target"
    assert description.position == (11, 1)


def test_chkconfig_line() -> None:
    chk = load(IETD).chkconfig
    assert chk is not None
    assert (chk.levels, chk.start, chk.stop) == ("-", 39, 35)


def test_keywords_are_matched_without_case_and_x_fields_kept() -> None:
    text = "### BEGIN INIT INFO\n#provides: drbd\n# X-Start-Before: heartbeat corosync\n"
    text += "# X-Stop-After:   heartbeat\n### END INIT INFO\n"
    header = load(text).header
    assert header is not None
    assert header.provides == ["drbd"]
    assert header.start_before == ["heartbeat", "corosync"]
    assert header.stop_after == ["heartbeat"]
    assert header.fields()[0].canonical_key == "Provides"


def test_script_without_header() -> None:
    model = load("#!/bin/sh\nexit 0\n")
    assert model.header is None
    assert model.provides == []


def test_script_text_is_never_interpreted() -> None:
    text = '#!/bin/sh\necho "### BEGIN INIT INFO"\n$(rm -rf /)\n'
    doc = xsanconf.loads(text, "init-script")
    assert doc.model.header is None
    assert doc.render() == text


def test_add_word_changes_only_that_line() -> None:
    doc = xsanconf.loads(IETD, "init-script")
    doc.model.header.add_word("Required-Start", "drbd")
    assert changed_lines(IETD, doc.render()) == [
        "-# Required-Start:    $remote_fs $syslog $network $time procps\n",
        "+# Required-Start:    $remote_fs $syslog $network $time procps drbd\n",
    ]


def test_new_field_is_aligned_like_its_siblings() -> None:
    doc = xsanconf.loads(IETD, "init-script")
    doc.model.header.set("Should-Stop", "drbd")
    assert changed_lines(IETD, doc.render()) == ["+# Should-Stop:       drbd\n"]
    assert doc.model.header.should_stop == ["drbd"]


def test_set_empty_field_and_remove_word() -> None:
    text = "### BEGIN INIT INFO\r\n# Should-Start:\r\n# Provides: a b\r\n### END INIT INFO\r\n"
    doc = xsanconf.loads(text, "init-script")
    header = doc.model.header
    header.set("Should-Start", "drbd")
    header.field("Provides").remove_word("a")
    assert doc.render() == (
        "### BEGIN INIT INFO\r\n# Should-Start: drbd\r\n# Provides: b\r\n### END INIT INFO\r\n"
    )


def test_setting_a_multiline_field_drops_its_continuations() -> None:
    doc = xsanconf.loads(IETD, "init-script")
    doc.model.header.set("Description", "one line")
    assert changed_lines(IETD, doc.render()) == [
        "-# Description:       Starts and stops the iSCSI\n",
        "-#                    software target\n",
        "+# Description:       one line\n",
    ]


def test_unclosed_header_is_an_error_with_position() -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads("#!/bin/sh\n### BEGIN INIT INFO\n# Provides: x\n", "init-script")
    assert (info.value.line, info.value.column) == (2, 1)
    assert "END INIT INFO" in info.value.message


def test_directives_and_build() -> None:
    doc = xsanconf.loads(IETD, "init-script")
    data = directives(doc)
    assert [d.name for d in data] == ["script", "chkconfig", "lsb", "script"]
    lsb = data[2]
    assert lsb.block is not None
    assert lsb.block[1].name == "Required-Start"
    rebuilt = xsanconf.loads(build(data), "init-script")
    assert rebuilt.model.header.required_start == doc.model.header.required_start
    assert rebuilt.model.chkconfig.start == 39


def test_sniff() -> None:
    from xsanconf.formats import init_script

    assert init_script.sniff(IETD)
    assert not init_script.sniff("[Unit]\nAfter=x\n")


@given(init_scripts())
def test_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "init-script")
    assert doc.render() == text
    xsanconf.to_data(doc)
