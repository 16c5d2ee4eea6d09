"""get/set/unset on iscsid.conf: dotted keys taken whole, the line iscsid takes changes."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import iscsid as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.iscsid import iscsid_documents_with_settings, iscsid_keys

CONF = """\
# iscsid.conf
node.startup = automatic
node.session.timeo.replacement_timeout = 120
#node.session.auth.authmethod = CHAP
node.conn[0].timeo.login_timeout = 15
"""

TIMEOUT = "node.session.timeo.replacement_timeout"


edited = functools.partial(edited_as, "iscsid", must_find=False)


def test_get_takes_the_key_whole() -> None:
    doc = xsanconf.loads(CONF, "iscsid")
    assert fmt.get_value(doc, TIMEOUT) == ["120"]
    assert fmt.get_value(doc, "node.conn[0].timeo.login_timeout") == ["15"]
    assert fmt.get_value(doc, "node.session.auth.authmethod") == []


def test_set_existing_changes_only_the_value() -> None:
    after = edited(CONF, TIMEOUT, "5")
    assert changed_lines(CONF, after) == [
        "-node.session.timeo.replacement_timeout = 120\n",
        "+node.session.timeo.replacement_timeout = 5\n",
    ]


def test_set_new_goes_beside_the_keys_sharing_its_prefix() -> None:
    after = edited(CONF, "node.session.cmds_max", "1024")
    assert changed_lines(CONF, after) == ["+node.session.cmds_max = 1024\n"]
    assert after.index("cmds_max") < after.index("#node.session.auth")


def test_set_copies_the_spacing_around_equals_in_a_crlf_file() -> None:
    text = "node.startup=manual\r\niface.a\t=\tb\r\niface.c\t=\td\r\n"
    after = edited(text, "iface.e", "f")
    assert after == text + "iface.e\t=\tf\r\n"


def test_a_new_line_does_not_revive_a_dropped_last_line() -> None:
    # iscsid drops a last line without a newline: adding after it would end it, and so
    # bring its setting to life; the new line goes above it instead
    text = "iface.a = b\r\niface.c = d"
    assert edited(text, "iface.e", "f") == "iface.a = b\r\niface.e = f\r\niface.c = d"


def test_unset_removes_every_line_of_the_key() -> None:
    text = CONF + "node.session.timeo.replacement_timeout = 15\n"
    assert edited(text, TIMEOUT, None) == CONF.replace(f"{TIMEOUT} = 120\n", "")


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(CONF, "iscsid")
    for bad in ("5 # seconds", "#5", "1\n2", " 5"):
        with pytest.raises(ValueError):
            fmt.set_value(doc, TIMEOUT, bad)
    fmt.set_value(doc, "node.session.auth.password", "pa#ss")  # a '#' inside a word is kept
    for selector in ("", "a b", "a=b"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, selector)


@given(iscsid_documents_with_settings(), iscsid_keys, st.data())
def test_edits_touch_only_their_lines(
    sample: tuple[str, list[tuple[str, str]]], other: str, data: st.DataObject
) -> None:
    text, pairs = sample
    key = data.draw(st.sampled_from([*(k for k, _ in pairs), other]))
    value = data.draw(
        st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_.:/-]{1,10}", fullmatch=True))
    )
    try:
        fmt.get_value(xsanconf.loads(text, "iscsid"), key)
    except SelectorError:
        return  # a generated key whose brackets make no selector ("a]")
    check_edit("iscsid", text, key, value, (key,))
