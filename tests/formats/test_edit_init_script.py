"""get/set/unset on init scripts: LSB header fields, lined up with the others."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import init_script as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.init_script import init_scripts

SCRIPT = """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          drbd
# Required-Start:    $local_fs $network
# Default-Start:     2 3 4 5
# Short-Description: Control DRBD resources.
### END INIT INFO
exit 0
"""


edited = functools.partial(edited_as, "init-script")


def test_get() -> None:
    doc = xsanconf.loads(SCRIPT, "init-script")
    assert fmt.get_value(doc, "Required-Start") == ["$local_fs $network"]
    assert fmt.get_value(doc, "required-start") == ["$local_fs $network"]
    assert fmt.get_value(doc, "Should-Start") == []


def test_set_existing_and_new_field() -> None:
    after = edited(SCRIPT, "Required-Start", "$local_fs $network $syslog")
    assert changed_lines(SCRIPT, after) == [
        "-# Required-Start:    $local_fs $network\n",
        "+# Required-Start:    $local_fs $network $syslog\n",
    ]
    after = edited(SCRIPT, "should-start", "iscsitarget")
    assert changed_lines(SCRIPT, after) == ["+# Should-Start:      iscsitarget\n"]


def test_crlf_and_unset() -> None:
    text = SCRIPT.replace("\n", "\r\n")
    after = edited(text, "Default-Start", None)
    assert after == text.replace("# Default-Start:     2 3 4 5\r\n", "")


def test_refusals() -> None:
    doc = xsanconf.loads("#!/bin/sh\nexit 0\n", "init-script")
    with pytest.raises(ValueError, match="no LSB header"):
        fmt.set_value(doc, "Provides", "x")
    for selector in ("Required Start", "a.b", "x[1]", "-x"):
        with pytest.raises(SelectorError):
            fmt.get_value(doc, selector)


@given(
    init_scripts(),
    st.sampled_from(["Provides", "Required-Start", "Should-Stop"]),
    st.one_of(st.none(), st.sampled_from(["$network", "a b"])),
)
def test_edits_touch_only_their_lines(text: str, key: str, value: str | None) -> None:
    doc = xsanconf.loads(text, "init-script")
    header = doc.model.header
    field = header.field(key) if header is not None else None
    if header is None and value is not None:
        return  # refused: nowhere to put it
    if field is not None and field.continuations:
        return  # continuation lines do not name the key
    check_edit("init-script", text, key, value, (key,))
