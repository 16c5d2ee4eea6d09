"""Random edits on random documents leave every line outside the edited item byte for byte.

An edit names the lines it may touch: the statement it sets or removes, or the section it adds
an option to.  The lines before and after that range must come out identical (compared as lists
of lines split at ``\\n``, newlines included), the result must parse again, and the model must
read back what was written.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xsanconf.api import loads
from xsanconf.document import Document
from xsanconf.formats.drbd.model import DrbdSection, DrbdStatement
from xsanconf.formats.iscsid.model import IscsidConfig
from xsanconf.syntax import Node, Token
from xsanconf.testing.drbd import drbd_documents
from xsanconf.testing.iscsid import iscsid_documents, iscsid_keys

_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_KEYWORDS = st.sampled_from(["protocol", "rate", "x-new-option", "allow-two-primaries", "disk"])
_VALUES = st.lists(st.sampled_from(["yes", "C", "100M", "/dev/drbd0", "a b", "x;y"]), max_size=2)


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _span(doc: Document, item: Node | Token) -> tuple[int, int]:
    """The 0-based range of lines ``item`` covers, end exclusive."""
    start = doc.position(item)[0]
    end = doc.end_position(item)[0]
    return start - 1, end


def assert_only_range_changed(old: str, new: str, start: int, end: int) -> None:
    """Lines ``[start, end)`` of ``old`` may have become any lines; the others must not move."""
    before, after = _lines(old), _lines(new)
    tail = len(before) - end
    assert after[:start] == before[:start]
    assert len(after) >= start + tail
    assert after[len(after) - tail :] == before[end:]


# drbd: the model's own edit API


def _statements(doc: Document) -> list[tuple[DrbdSection, DrbdStatement]]:
    return [(s, st_) for s in doc.model.walk() for st_ in s.statements()]


@_SETTINGS
@given(text=drbd_documents(), data=st.data())
def test_drbd_set_existing_option_touches_its_lines_only(text: str, data: st.DataObject) -> None:
    doc = loads(text, "drbd")
    found = _statements(doc)
    if not found:
        return
    _, statement = data.draw(st.sampled_from(found))
    values = data.draw(st.lists(st.sampled_from(["yes", "C", "100M", "a b"]), min_size=1))
    start, end = _span(doc, statement.token)
    statement.set(*values)
    new = doc.render()
    assert_only_range_changed(text, new, start, end)
    assert loads(new, "drbd").render() == new
    assert statement.args == values


@_SETTINGS
@given(text=drbd_documents(), data=st.data())
def test_drbd_remove_option_touches_its_lines_only(text: str, data: st.DataObject) -> None:
    doc = loads(text, "drbd")
    found = _statements(doc)
    if not found:
        return
    section, statement = data.draw(st.sampled_from(found))
    count = len(section.statements())
    start, end = _span(doc, statement.token)
    statement.remove()
    new = doc.render()
    assert_only_range_changed(text, new, start, end)
    reparsed = loads(new, "drbd")
    assert reparsed.render() == new
    assert len(section.statements()) == count - 1


@_SETTINGS
@given(text=drbd_documents(), keyword=_KEYWORDS, values=_VALUES, data=st.data())
def test_drbd_set_option_in_a_section_touches_that_section_only(
    text: str, keyword: str, values: list[str], data: st.DataObject
) -> None:
    doc = loads(text, "drbd")
    sections = [s for s in doc.model.walk() if s.head is not None]
    if not sections:
        return
    section = data.draw(st.sampled_from(sections))
    had = section.statement(keyword)
    item: Node | Token = had.token if had is not None else section.node
    start, end = _span(doc, item)
    section.set(keyword, *values)
    new = doc.render()
    assert_only_range_changed(text, new, start, end)
    reparsed = loads(new, "drbd")
    assert reparsed.render() == new
    written = section.statement(keyword)
    assert written is not None and written.args == values
    if had is None:
        _assert_inserted(text, new, start, end)


def _assert_inserted(old: str, new: str, start: int, end: int) -> None:
    """Adding an option keeps the section's old lines, in order, except at most one that the
    new option joins (a one-line section, a closing brace after the last statement)."""
    before = _lines(old)[start:end]
    after = _lines(new)
    tail = len(_lines(old)) - end
    window = after[start : len(after) - tail]
    missing, at = 0, 0
    for line in before:
        while at < len(window) and window[at] != line:
            at += 1
        if at == len(window):
            missing += 1
            at = 0
        else:
            at += 1
    assert missing <= 1, (before, window)


# iscsid.conf: key = value lines


def _same_lines(lines: list[str], original: list[str]) -> bool:
    if not original or original[-1].endswith("\n"):
        return lines == original
    return lines[:-1] == original[:-1] and lines[-1].rstrip("\r\n") == original[-1]


@_SETTINGS
@given(text=iscsid_documents(), data=st.data())
def test_iscsid_set_and_remove_touch_their_lines_only(text: str, data: st.DataObject) -> None:
    doc = loads(text, "iscsid")
    config = IscsidConfig(doc)
    entries = config.entries
    if not entries:
        return
    entry = data.draw(st.sampled_from(entries))
    start, end = _span(doc, entry.token)
    if data.draw(st.booleans()):
        entry.set("42")
        assert entry.value == "42"
    else:
        entry.remove()
    new = doc.render()
    assert_only_range_changed(text, new, start, end)
    assert loads(new, "iscsid").render() == new


@_SETTINGS
@given(text=iscsid_documents(), key=iscsid_keys)
def test_iscsid_adding_a_key_only_inserts_a_line(text: str, key: str) -> None:
    doc = loads(text, "iscsid")
    config = IscsidConfig(doc)
    if config.entries_for(key) or config.last_line_dropped:
        return
    config.set(key, "7")
    new = doc.render()
    before, after = _lines(text), _lines(new)
    assert len(after) == len(before) + 1
    # one line is new; a last line without a newline gains the one a line after it needs
    assert any(_same_lines(after[:i] + after[i + 1 :], before) for i in range(len(after)))
    assert IscsidConfig(loads(new, "iscsid")).entry(key) is not None
