"""Selectors over scst.conf, for ``xsanconf get/set/unset``.

A step ``KEYWORD[name]`` names a block (``HANDLER[vdisk_blockio]``, ``DEVICE[disk1]``,
``TARGET_DRIVER[iscsi]``, ``TARGET[iqn...]``, ``GROUP[name]``, ``DEVICE_GROUP[dg]``,
``TARGET_GROUP[tg]``); the last step is an attribute (``filename``, ``enabled``, ``setup_id``
at the top), ``LUN[n]`` (its value is the device name), a list entry (``INITIATOR[pattern]``,
``allowed_portal[address]``), an account (``IncomingUser``: the value is ``USER SECRET``;
``IncomingUser[USER]``: the secret), or a block to read or remove whole.  Missing blocks are
added when something is set in them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.scst.model import ScstEntry, ScstScope, empty_block, quote_value
from xsanconf.select import SelectorError, Step
from xsanconf.syntax import Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value"]

BLOCKS = frozenset(
    {"HANDLER", "DEVICE", "TARGET_DRIVER", "TARGET", "GROUP", "DEVICE_GROUP", "TARGET_GROUP"}
)
_ACCOUNTS = frozenset({"IncomingUser", "OutgoingUser"})
_LISTS = frozenset({"INITIATOR", "allowed_portal"})


def _fail(selector: str, why: str) -> SelectorError:
    return SelectorError(f"selector {selector!r}: {why}")


class _Path:
    def __init__(self, selector: str) -> None:
        self.selector = selector
        steps = steps_of(selector)
        self.blocks: list[Step] = []
        for step in steps[:-1]:
            if step.name not in BLOCKS or step.filter is None:
                raise _fail(selector, f"'{step.name}' is not a block; write e.g. TARGET[iqn...]")
            self.blocks.append(step)
        self.last = steps[-1]

    @property
    def is_block(self) -> bool:
        return self.last.name in BLOCKS

    def scope(self, doc: Document, create: bool) -> ScstScope | None:
        scope = ScstScope(doc, doc.root)
        for step in self.blocks:
            assert step.filter is not None
            entry = scope.block(step.name, step.filter)
            if entry is None:
                if not create:
                    return None
                entry = scope.add_block(step.name, step.filter)
            elif entry.node is None:
                if not create:
                    return None
                entry = _open_up(doc, scope, entry)
            assert entry.node is not None
            scope = ScstScope(doc, entry.node)
        return scope


def _open_up(doc: Document, scope: ScstScope, entry: ScstEntry) -> ScstEntry:
    """Turn a plain ``DEVICE name`` line into an empty ``DEVICE name {`` / ``}`` block."""
    newline = edit.newline_style(doc.root)
    indent = edit.indent_before(scope.node, entry.token)
    head = Token("HEAD", entry.token.text)
    node = empty_block(head, indent, newline)
    edit.replace_child(scope.node, entry.token, node)
    doc.touched()
    return ScstEntry(doc, scope.node, head, node)


def _plain(scope: ScstScope, name: str) -> list[ScstEntry]:
    return [e for e in scope.entries(name) if e.node is None]


def _account(scope: ScstScope, keyword: str, user: str) -> ScstEntry | None:
    for entry in _plain(scope, keyword):
        parts = (entry.value or "").split()
        if parts and parts[0] == user:
            return entry
    return None


def _lun(scope: ScstScope, number: str) -> list[ScstEntry]:
    return [e for e in scope.entries("LUN") if e.value == number]


def get_value(doc: Document, selector: str) -> list[str]:
    """What scstadmin reads: an attribute's values, a LUN's device, an account's ``USER
    SECRET`` (its secret for ``[USER]``), a block's name when it is there."""
    path = _Path(selector)
    scope = path.scope(doc, create=False)
    if scope is None:
        return []
    last = path.last
    if path.is_block:
        if last.filter is None:
            raise _fail(selector, f"name the {last.name}: {last.name}[NAME]")
        return [last.filter] if scope.block(last.name, last.filter) is not None else []
    if last.name == "LUN":
        if last.filter is None:
            raise _fail(selector, "name the LUN: LUN[0]")
        return [w for e in _lun(scope, last.filter) for w in e.words[2:3]]
    if last.filter is not None:
        if last.name in _ACCOUNTS:
            found = _account(scope, last.name, last.filter)
            parts = (found.value or "").split(None, 1) if found is not None else []
            return parts[1:]
        return [last.filter] if last.filter in scope.values(last.name) else []
    return scope.values(last.name)


def set_value(doc: Document, selector: str, value: str) -> None:
    path = _Path(selector)
    check_one_line(value)
    quote_value(value)  # refuse what scstadmin cannot read back before anything changes
    last = path.last
    if path.is_block:
        raise _fail(selector, "a block has no value of its own; name one of its settings")
    if last.name == "LUN" and last.filter is None:
        raise _fail(selector, "name the LUN: LUN[0]")
    if last.filter is not None and last.name not in _ACCOUNTS | _LISTS | {"LUN"}:
        raise _fail(selector, f"'{last.name}' is an attribute; it takes no [filter]")
    scope = path.scope(doc, create=True)
    assert scope is not None
    if last.name == "LUN":
        _set_lun(scope, str(last.filter), value)
    elif last.name in _ACCOUNTS:
        _set_account(scope, last.name, last.filter, value)
    elif last.name in _LISTS:
        existing = [e for e in _plain(scope, last.name) if e.value == (last.filter or value)]
        if existing and last.filter is not None:
            existing[-1].set_value(value)
        elif not existing:
            scope.add(last.name, value)
    else:
        scope.set(last.name, value)


def _set_lun(scope: ScstScope, number: str, device: str) -> None:
    if not number.isdigit():
        raise ValueError(f"a LUN number is decimal digits: {number!r}")
    found = _lun(scope, number)
    for extra in found[:-1]:
        extra.remove()
    if not found:
        scope.add_line(f"LUN {number} {quote_value(device)}")
        return
    entry = found[-1]
    parts = entry.elements
    text = entry.token.text
    if len(parts) > 2:
        entry.token.text = text[: parts[2][1]] + quote_value(device) + text[parts[2][2] :]
    else:
        entry.token.text = text + " " + quote_value(device)
    scope.doc.touched()


def _set_account(scope: ScstScope, keyword: str, user: str | None, value: str) -> None:
    """``KEYWORD "USER SECRET"``: the line of that user changes, or one is added."""
    if user is None:
        parts = value.split()
        if len(parts) != 2:
            raise ValueError(f"{keyword} takes 'USER SECRET': {value!r}")
        user = parts[0]
        line = value
    else:
        if not value or any(c.isspace() for c in value):
            raise ValueError(f"a CHAP secret is one word: {value!r}")
        line = f"{user} {value}"
    found = _account(scope, keyword, user)
    if found is not None:
        found.set_value(line)
    else:
        scope.add(keyword, line)


def unset_value(doc: Document, selector: str) -> int:
    path = _Path(selector)
    scope = path.scope(doc, create=False)
    if scope is None:
        return 0
    last = path.last
    if path.is_block:
        if last.filter is None:
            raise _fail(selector, f"name the {last.name}: {last.name}[NAME]")
        found = [e for e in scope.all_entries(last.name) if e.value == last.filter]
    elif last.name == "LUN":
        if last.filter is None:
            raise _fail(selector, "name the LUN: LUN[0]")
        found = [e for e in scope.all_entries("LUN") if e.value == last.filter]
    elif last.filter is not None and last.name in _ACCOUNTS:
        found = [
            e
            for e in scope.all_entries(last.name)
            if e.node is None and (e.value or "").split()[:1] == [last.filter]
        ]
    elif last.filter is not None:
        found = [
            e for e in scope.all_entries(last.name) if e.node is None and e.value == last.filter
        ]
    else:
        found = [e for e in scope.all_entries(last.name) if e.node is None]
    for entry in found:
        entry.remove()
    return len(found)
