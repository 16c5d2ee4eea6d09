"""Hypothesis strategies for SysV init scripts with an LSB header and random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["init_scripts", "lsb_words"]

lsb_words = st.sampled_from(
    ["drbd", "iscsitarget", "$local_fs", "$remote_fs", "$network", "$syslog", "2", "S", "sshd"]
)
_KEYS = st.sampled_from(
    [
        "Provides",
        "Required-Start",
        "Required-Stop",
        "Should-Start",
        "Should-Stop",
        "X-Start-Before",
        "X-Stop-After",
        "Default-Start",
        "Default-Stop",
        "X-Custom",
    ]
)
_newline = st.sampled_from(["\n", "\n", "\r\n"])
_SCRIPT_LINES = st.sampled_from(
    [
        "",
        "  ",
        "PATH=/sbin:/bin",
        'case "$1" in',
        "  start) ;;",
        "esac",
        "# plain comment",
        "exit 0",
        "\t. /lib/lsb/init-functions",
        "echo '### not a header'",
    ]
)


@st.composite
def _field(draw: st.DrawFn) -> str:
    key = draw(_KEYS)
    words = draw(st.lists(lsb_words, max_size=4))
    gap = draw(st.sampled_from([" ", "  ", "\t", "        "]))
    line = "#" + draw(st.sampled_from([" ", "", "  "])) + key + ":"
    if words:
        line += gap + draw(st.sampled_from([" ", "\t"])).join(words)
    line += draw(st.sampled_from(["", " ", "\t"]))
    if draw(st.integers(0, 5)) == 0:
        line += draw(_newline) + "#" + draw(st.sampled_from(["\t", "  ", "     "])) + "more text"
    return line


@st.composite
def init_scripts(draw: st.DrawFn) -> str:
    """An init script: script lines, maybe a chkconfig line, maybe one LSB header."""
    nl = draw(_newline)
    lines = ["#!/bin/sh"]
    if draw(st.booleans()):
        lines.append(
            "# chkconfig: " + draw(st.sampled_from(["345 13 89", "- 70 08", "2345 50 50"]))
        )
    lines += draw(st.lists(_SCRIPT_LINES, max_size=3))
    if draw(st.booleans()):
        lines.append("### BEGIN INIT INFO")
        lines += draw(st.lists(_field(), max_size=6))
        lines += draw(st.lists(st.sampled_from(["#", "# free text line", ""]), max_size=1))
        lines.append("### END INIT INFO")
    lines += draw(st.lists(_SCRIPT_LINES, max_size=4))
    text = nl.join(lines)
    return text + (nl if draw(st.booleans()) else "")
