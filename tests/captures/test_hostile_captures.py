"""Capture parsers on arbitrary and hostile text: they never raise, and stay linear."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xsanconf.captures.cmdline import parse_cmdline
from xsanconf.captures.drbd_status import parse_drbd_status, parse_drbd_status_json
from xsanconf.captures.drbdsetup_show import parse_drbdsetup_show
from xsanconf.captures.iscsiadm import parse_iscsi_nodes, parse_iscsi_sessions
from xsanconf.captures.kernel_log import drbd_split_brains
from xsanconf.captures.layout import sections
from xsanconf.captures.modinfo import parse_modinfo
from xsanconf.captures.multipath_ll import parse_multipath_ll
from xsanconf.captures.proc_drbd import parse_proc_drbd
from xsanconf.captures.targetcli import parse_targetcli_ls

PARSERS: dict[str, Callable[[str], object]] = {
    "proc_drbd": parse_proc_drbd,
    "drbd_status": parse_drbd_status,
    "drbd_status_json": parse_drbd_status_json,
    "drbdsetup_show": parse_drbdsetup_show,
    "multipath_ll": parse_multipath_ll,
    "iscsi_sessions": parse_iscsi_sessions,
    "iscsi_nodes": parse_iscsi_nodes,
    "targetcli": parse_targetcli_ls,
    "modinfo": parse_modinfo,
    "cmdline": parse_cmdline,
    "kernel_log": drbd_split_brains,
    "sections": lambda text: list(sections(text)),
}
# the characters the formats give meaning to, and a few others
ALPHABET = st.sampled_from(list(" \t\n:[](){}\"';,=#|`\\_-+o.*<>/0123456789abcdefsdxAPSU\x1b"))


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=150, deadline=None)
@given(text=st.text(ALPHABET, max_size=300))
def test_never_raises(name: str, text: str) -> None:
    PARSERS[name](text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 200_000,  # JSON nested past the recursion limit
        "{" * 200_000,  # drbdsetup show nested past its bound
        '"' + "a" * 400_000,  # an unterminated quote
        "a " + " " * 400_000 + "b",
        "x (" + "(" * 200_000,  # a multipath header that never closes
        "|-+-" * 100_000,
        "o- " + "." * 400_000,
        "r0 role:Primary\n" + "  x\n" * 100_000,
    ],
    ids=range(8),
)
def test_hostile_input_stays_cheap(text: str) -> None:
    for name, parse in PARSERS.items():
        start = time.perf_counter()
        parse(text)
        assert time.perf_counter() - start < 5, name
