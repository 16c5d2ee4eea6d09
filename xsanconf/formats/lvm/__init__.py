"""The ``lvm`` codec: LVM's config-tree files -- ``/etc/lvm/lvm.conf``, ``lvmlocal.conf``,
``profile/*.profile``, and the metadata text LVM writes to ``/etc/lvm/backup/VG`` and
``archive/VG_*.vg`` (which physical volumes, by their ``device`` hint, hold which volume group
and logical volumes).

Selectors are paths as libdm writes them: ``devices/filter``, ``global/use_lvmetad``; ``set``
takes an LVM value as written (``[ "a|^/dev/mapper/|", "r|.*|" ]``, ``1``, ``"text"``), any
other text as a string.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats._lines import check_one_line
from xsanconf.formats.lvm.lexer import LvmString, raw_name, read_setting, tokenize
from xsanconf.formats.lvm.model import LvmConfig, LvmSetting, VolumeGroup, literal, plain
from xsanconf.parsing import LexError, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "LvmConfig",
    "LvmSetting",
    "VolumeGroup",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "set_value",
    "sniff",
    "unset_value",
]

KIND = "lvm"

NAMES = {"SETTING": "a setting (NAME = VALUE)", "HEAD": "a section (NAME {)", "RBRACE": "'}'"}


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("lvm", tokenize, text, path=path, names=NAMES)


def model(doc: Document) -> LvmConfig:
    return LvmConfig(doc)


# blanks, not \s, after ^ (see xen_domain's sniff)
_SNIFF = re.compile(
    r'^[^\S\n]*+(?:contents[^\S\n]*+=[^\S\n]*+"Text Format Volume Group"|activation[^\S\n]*+\{)',
    re.M,
)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None


def directives(doc: Document) -> list[Directive]:
    return _directives(doc, doc.root)


def _directives(doc: Document, node: Node) -> list[Directive]:
    found = []
    for child in node.children:
        if isinstance(child, Token) and child.kind == "SETTING":
            _, start, _, _ = read_setting(child.text)
            line = doc.position(child)[0]
            found.append(Directive(raw_name(child.text), [child.text[start:]], None, line))
        elif isinstance(child, Node) and child.kind == "section":
            head = child.children[0]
            assert isinstance(head, Token)
            block = _directives(doc, child)
            found.append(Directive(raw_name(head.text), [], block, doc.position(head)[0]))
    return found


def build(items: list[Directive], depth: int = 0) -> str:
    """``name = value`` lines and ``name {`` sections, indented by tabs as LVM writes them; a
    value that is no LVM value is written as a string."""
    lines = []
    indent = "\t" * depth
    for d in items:
        name = d.name if _is_name(d.name) else literal(d.name)
        if d.block is not None:
            lines.append(f"{indent}{name} {{\n{build(d.block, depth + 1)}{indent}}}\n")
            continue
        value = d.args[0] if d.args else '""'
        if not _is_value(value):
            value = literal(value)
        lines.append(f"{indent}{name} = {value}\n")
    return "".join(lines)


def _is_name(text: str) -> bool:
    try:
        return bool(text) and raw_name(text) == text
    except LexError:
        return False


def _is_value(text: str) -> bool:
    try:
        _, _, _, end = read_setting("x = " + text)
    except LexError:
        return False
    return end == len(text) + 4


def value_of(text: str) -> str:
    """``text`` as an LVM value: a number, array or quoted string as written; any other text
    (a bare word included) as a double-quoted string, as LVM writes its files."""
    stripped = text.strip()
    if stripped and _is_value(stripped):
        value = read_setting("x = " + stripped)[2]
        if not (isinstance(value, LvmString) and value.quote == ""):
            return stripped
    return literal(text)


def _path(selector: str) -> str:
    path = selector.strip().strip("/")
    if not path or any(c.isspace() or c in "#={}[]" for c in path):
        raise SelectorError(f"selector {selector!r}: name a setting by its path: devices/filter")
    return path


def get_value(doc: Document, selector: str) -> list[str]:
    """The value libdm reads at the path: one item a line for an array."""
    found = LvmConfig(doc).setting(_path(selector))
    if found is None:
        return []
    value = found.value
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def set_value(doc: Document, selector: str, value: str) -> None:
    config = LvmConfig(doc)
    path = _path(selector)
    text = value_of(check_one_line(value))
    found = config.setting(path)
    if found is not None and plain(read_setting("x = " + text)[2]) == found.value:
        return  # the value it holds: the text stays as written
    config.set(path, text)


def unset_value(doc: Document, selector: str) -> int:
    return LvmConfig(doc).unset(_path(selector))
