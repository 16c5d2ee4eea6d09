"""get/set/unset on initiatorname.iscsi: the line iscsid reads changes, nothing else."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import initiatorname as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.initiatorname import initiator_names, initiatorname_documents

NAMES = """\
## DO NOT EDIT OR REMOVE THIS FILE!
InitiatorName=iqn.1993-08.org.debian:01:aaaa
InitiatorAlias = xen1
"""


edited = functools.partial(edited_as, "initiatorname", must_find=False)


def test_get_reads_what_iscsid_reads() -> None:
    doc = xsanconf.loads(NAMES, "initiatorname")
    assert fmt.get_value(doc, "InitiatorName") == ["iqn.1993-08.org.debian:01:aaaa"]
    assert fmt.get_value(doc, "InitiatorAlias") == ["xen1"]
    assert fmt.get_value(doc, "GenerateName") == []


def test_set_existing_changes_only_the_value() -> None:
    after = edited(NAMES, "InitiatorAlias", "xen-one")
    assert changed_lines(NAMES, after) == [
        "-InitiatorAlias = xen1\n",
        "+InitiatorAlias = xen-one\n",
    ]


def test_set_new_key_is_a_new_last_line() -> None:
    after = edited(NAMES, "GenerateName", "no")
    assert after == NAMES + "GenerateName=no\n"


def test_set_name_replaces_the_debian_placeholder() -> None:
    text = "## generated at first start\r\nGenerateName=yes"
    after = edited(text, "InitiatorName", "iqn.2001-04.com.example:xen1")
    assert after == "## generated at first start\r\nInitiatorName=iqn.2001-04.com.example:xen1"


def test_add_to_a_crlf_file_without_final_newline() -> None:
    text = "# c\r\nInitiatorName=iqn.2001-04.com.example:a"
    after = edited(text, "InitiatorAlias", "a")
    assert after == "# c\r\nInitiatorName=iqn.2001-04.com.example:a\r\nInitiatorAlias=a\r\n"


def test_unset_removes_the_line_only() -> None:
    assert edited(NAMES, "InitiatorAlias", None) == NAMES.replace("InitiatorAlias = xen1\n", "")


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(NAMES, "initiatorname")
    with pytest.raises(ValueError, match="one line"):
        fmt.set_value(doc, "InitiatorName", "iqn.a\nInitiatorName=iqn.b")
    with pytest.raises(ValueError):
        fmt.set_value(doc, "InitiatorName", " iqn.a")
    for bad in ("a.b", "x[1]", "Key=x"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, bad)
    assert doc.render() == NAMES


@given(
    initiatorname_documents(),
    st.sampled_from(["InitiatorName", "InitiatorAlias", "GenerateName"]),
    st.one_of(st.none(), initiator_names),
)
def test_edits_touch_only_their_lines(text: str, key: str, value: str | None) -> None:
    touches = (key, "GenerateName") if key == "InitiatorName" else (key,)
    check_edit("initiatorname", text, key, value, touches)
