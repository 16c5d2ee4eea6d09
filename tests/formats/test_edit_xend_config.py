"""get/set/unset on xend-config.sxp: ``(name value)`` expressions by name."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import xend_config as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.xend_config import xend_configs

SXP = """\
# -*- sh -*-
#(xend-relocation-server no)
(xend-relocation-server yes)
(xend-relocation-hosts-allow '^localhost$ ^xen2\\\\.example\\\\.com$')
(network-script 'network-bridge netdev=eth0')
"""


edited = functools.partial(edited_as, "xend-config")


def test_get() -> None:
    doc = xsanconf.loads(SXP, "xend-config")
    assert fmt.get_value(doc, "xend-relocation-server") == ["yes"]
    assert fmt.get_value(doc, "xend-relocation-hosts-allow") == [
        "^localhost$ ^xen2\\.example\\.com$"
    ]
    assert fmt.get_value(doc, "xend-relocation-port") == []


def test_set_keeps_quotes_and_quotes_what_must_be() -> None:
    after = edited(SXP, "xend-relocation-server", "no")
    assert changed_lines(SXP, after) == [
        "-(xend-relocation-server yes)\n",
        "+(xend-relocation-server no)\n",
    ]
    after = edited(SXP, "xend-relocation-hosts-allow", "^xen1$ ^xen2$")
    assert "(xend-relocation-hosts-allow '^xen1$ ^xen2$')\n" in after
    after = edited(SXP, "xend-relocation-address", "")
    assert changed_lines(SXP, after) == ["+(xend-relocation-address '')\n"]


def test_crlf_and_no_final_newline() -> None:
    text = "(xend-unix-server yes)\r\n(xend-relocation-port 8002)"
    assert edited(text, "xend-relocation-port", "8003") == text.replace("8002", "8003")
    after = edited(text, "xend-relocation-server", "yes")
    assert after == text + "\r\n(xend-relocation-server yes)\r\n"


def test_unset_and_refusals() -> None:
    assert edited(SXP, "network-script", None) == SXP.replace(
        "(network-script 'network-bridge netdev=eth0')\n", ""
    )
    doc = xsanconf.loads(SXP, "xend-config")
    with pytest.raises(ValueError):
        fmt.set_value(doc, "xend-relocation-server", "yes\n(evil)")
    for selector in ("a.b", "a[b]"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, selector)


@given(
    xend_configs(),
    st.sampled_from(["xend-relocation-server", "xend-relocation-port", "vif-script"]),
    st.one_of(st.none(), st.sampled_from(["yes", "8002", "a b", "it's"])),
)
def test_edits_touch_only_their_lines(text: str, name: str, value: str | None) -> None:
    doc = xsanconf.loads(text, "xend-config")
    if any("\n" in e.token.text for e in doc.model.entries(name)):
        return  # an expression over several lines: its other lines do not name it
    check_edit("xend-config", text, name, value, (name,))
