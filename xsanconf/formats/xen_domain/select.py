"""Selectors over Xen configs (guest configs and xl.conf), for ``xsanconf get/set/unset``.

A selector is a setting's name (``memory``, ``vif.default.bridge`` in xl.conf, taken whole),
or one item of a list setting, ``disk[0]``.  A value that reads as a literal of the format (a
number, a quoted string, a ``[ ... ]`` list) is written as that literal; any other text is a
string, written in the quotes the file already uses: ``set vm.cfg memory 1024`` gives
``memory = 1024`` and ``set vm.cfg name vm1`` gives ``name = 'vm1'``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from xsanconf.domain.numerals import read_int
from xsanconf.formats._lines import check_one_line
from xsanconf.formats.xen_domain.lexer import XenList, XenValue, read_value
from xsanconf.formats.xen_domain.model import XenConfig, certain, plain
from xsanconf.parsing import LexError
from xsanconf.select import SelectorError

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value", "value_of"]

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_SELECTOR = re.compile(rf"({_KEY})(?:\[(\d+)\])?")
_DOTTED_SELECTOR = re.compile(rf"({_KEY}(?:\.{_KEY})*)(?:\[(\d+)\])?")


def _path(selector: str, dotted: bool) -> tuple[str, int | None]:
    m = (_DOTTED_SELECTOR if dotted else _SELECTOR).fullmatch(selector.strip())
    index = read_int(m.group(2)) if m is not None else None
    if m is None or (m.group(2) is not None and index is None):
        raise SelectorError(
            f"selector {selector!r}: name a setting, or an item of a list setting: disk[0]"
        )
    return m.group(1), index


def value_of(text: str) -> Any:
    """The value ``text`` stands for: a literal of the format as such, other text a string."""
    stripped = text.strip()
    try:
        found, end = read_value(stripped, 0)
    except LexError:
        return text
    return plain(found) if stripped and end == len(stripped) else text


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def get_value(doc: Document, selector: str, dotted: bool = False) -> list[str]:
    """A setting's value (a list: one item per line of output), or one item of a list; a value
    computed by Python code (an xm config that is a program) as the file writes it."""
    key, index = _path(selector, dotted)
    found = XenConfig(doc, dotted).setting(key)
    if found is None:
        return []
    raw = found.raw_value
    items: list[XenValue] = list(raw.items) if isinstance(raw, XenList) else [raw]
    if index is not None:
        if not isinstance(raw, XenList):
            return []
        items = items[index : index + 1]
    elif not found.known:
        items = [raw]
    return [_printed(found.token.text, v) for v in items]


def _printed(text: str, value: XenValue) -> str:
    if not certain(value):
        return text[value.start : value.end]
    return str(plain(value)) if isinstance(value, XenList) else _shown(plain(value))


def set_value(doc: Document, selector: str, value: str, dotted: bool = False) -> None:
    key, index = _path(selector, dotted)
    config = XenConfig(doc, dotted)
    typed = value_of(check_one_line(value))
    if index is None:
        config.set(key, typed)
        return
    found = config.setting(key)
    raw = found.raw_value if found is not None else None
    if found is None or not isinstance(raw, XenList) or index >= len(raw.items):
        raise SelectorError(f"selector {selector!r}: {key} has no item {index} to set")
    found.set_item(index, typed)


def unset_value(doc: Document, selector: str, dotted: bool = False) -> int:
    key, index = _path(selector, dotted)
    if index is not None:
        raise SelectorError(f"selector {selector!r}: unset the whole {key}, or set it anew")
    return XenConfig(doc, dotted).unset(key)
