"""get/set/unset on /etc/default shell files: values quoted as sh needs, one line touched."""

from __future__ import annotations

import functools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import shell_vars as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.shell_vars import shell_names, shell_vars_with_values

DEFAULTS = """\
# Defaults for iscsitarget initscript
ISCSITARGET_ENABLE=false
ISCSITARGET_MAX_SLEEP=3

# ietd options
ISCSITARGET_OPTIONS=""
"""


edited = functools.partial(edited_as, "shell-vars", must_find=False)


def test_get_reads_the_value_after_sourcing() -> None:
    doc = xsanconf.loads(DEFAULTS + "ISCSITARGET_ENABLE='true'\n", "shell-vars")
    assert fmt.get_value(doc, "ISCSITARGET_ENABLE") == ["true"]
    assert fmt.get_value(doc, "ISCSITARGET_OPTIONS") == [""]
    assert fmt.get_value(doc, "NOPE") == []


def test_set_existing_bare_value() -> None:
    after = edited(DEFAULTS, "ISCSITARGET_ENABLE", "true")
    assert changed_lines(DEFAULTS, after) == [
        "-ISCSITARGET_ENABLE=false\n",
        "+ISCSITARGET_ENABLE=true\n",
    ]


def test_set_keeps_the_line_quotes_and_quotes_what_must_be() -> None:
    after = edited(DEFAULTS, "ISCSITARGET_OPTIONS", "-f $HOME")
    assert changed_lines(DEFAULTS, after) == [
        '-ISCSITARGET_OPTIONS=""\n',
        '+ISCSITARGET_OPTIONS="-f \\$HOME"\n',
    ]
    after = edited(DEFAULTS, "ISCSITARGET_MAX_SLEEP", "3 4")
    assert '\nISCSITARGET_MAX_SLEEP="3 4"\n' in after


def test_set_new_goes_after_the_last_assignment() -> None:
    after = edited(DEFAULTS, "ISCSITARGET_BIND", "10.0.0.1")
    assert after == DEFAULTS + "ISCSITARGET_BIND=10.0.0.1\n"


def test_set_new_in_an_exported_crlf_file_without_final_newline() -> None:
    text = "# x\r\n\texport A='1'\r\n# end"
    after = edited(text, "B", "two words")
    assert after == "# x\r\n\texport A='1'\r\n\texport B='two words'\r\n# end"


def test_unset_removes_every_assignment() -> None:
    text = "A=1\n# keep\nA=2 # note\nB=3"
    assert edited(text, "A", None) == "# keep\nB=3"


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(DEFAULTS, "shell-vars")
    with pytest.raises(ValueError, match="one line"):
        fmt.set_value(doc, "ISCSITARGET_ENABLE", "a\nb")
    for bad in ("1ABC", "A.B", "A[x]", "A-B"):
        with pytest.raises(SelectorError):
            fmt.set_value(doc, bad, "x")
    assert doc.render() == DEFAULTS


@given(shell_vars_with_values(), shell_names, st.data())
def test_edits_touch_only_their_lines(
    sample: tuple[str, dict[str, str]], other: str, data: st.DataObject
) -> None:
    text, values = sample
    assume("\\\n" not in text and all("\n" not in v for v in values.values()))
    name = data.draw(st.sampled_from([*values, other]))
    value = data.draw(st.one_of(st.none(), st.from_regex(r"[ -~]{0,10}", fullmatch=True)))
    check_edit("shell-vars", text, name, value, (name + "=",))
