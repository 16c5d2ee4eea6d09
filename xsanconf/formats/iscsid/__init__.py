"""The ``iscsid`` codec: open-iscsi's ``/etc/iscsi/iscsid.conf`` (and node records' syntax)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.flat import flat_tree
from xsanconf.formats.iscsid.keys import KEYS, KeySpec
from xsanconf.formats.iscsid.lexer import pieces, tokenize
from xsanconf.formats.iscsid.model import (
    IscsidConfig,
    IscsidEntry,
    IscsidOtherLine,
    IscsidSetting,
)
from xsanconf.parsing import parse_with
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KEYS",
    "KIND",
    "IscsidConfig",
    "IscsidEntry",
    "IscsidOtherLine",
    "IscsidSetting",
    "KeySpec",
    "build",
    "directives",
    "model",
    "parse",
    "parse_with_grammar",
    "sniff",
]

KIND = "iscsid"

_NAMES = {"ENTRY": "a 'name = value' line", "OTHER": "a line"}


def parse(text: str, path: str | None = None) -> Node:
    return flat_tree(text, pieces(text), path=path)


def parse_with_grammar(text: str, path: str | None = None) -> Node:
    """The same tree through ``grammars/iscsid.lark`` (slower; the tests compare the two)."""
    return parse_with("iscsid", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> IscsidConfig:
    return IscsidConfig(doc)


_SNIFF = re.compile(
    r"^[ \t]*(?:node\.(?:startup|session\.|conn\[)|discovery\.sendtargets\.|iscsid\.startup)"
    r"[^\s=]*+[ \t]*=",
    re.M,
)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None


def directives(doc: Document) -> list[Directive]:
    """One directive per setting (``name``, ``[value]``) or dropped line (``text``, ``[]``)."""
    config = IscsidConfig(doc)
    out: list[Directive] = []
    for child in doc.root.children:
        if not isinstance(child, Token):
            continue
        line = doc.position(child)[0]
        if child.kind == "ENTRY":
            entry = IscsidEntry(config, child)
            out.append(Directive(entry.key, [entry.value], None, line))
        else:
            out.append(Directive(child.text, [], None, line))
    return out


def build(items: list[Directive]) -> str:
    """iscsid.conf text: ``name = value`` lines (lines without a value as they were)."""
    lines = []
    for d in items:
        lines.append(f"{d.name} = {' '.join(d.args)}" if d.args else d.name)
    return "".join(line + "\n" for line in lines)
