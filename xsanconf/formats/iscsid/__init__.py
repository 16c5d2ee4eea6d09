"""The ``iscsid`` codec: open-iscsi's ``/etc/iscsi/iscsid.conf`` (and node records' syntax)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.flat import flat_tree
from xsanconf.formats.iscsid.keys import KEYS, KeySpec
from xsanconf.formats.iscsid.lexer import C_SPACE, pieces, tokenize
from xsanconf.formats.iscsid.model import (
    IscsidConfig,
    IscsidEntry,
    IscsidOtherLine,
    IscsidSetting,
)
from xsanconf.parsing import parse_with
from xsanconf.secrets import redact  # blanks secrets in `xsanconf parse --json`
from xsanconf.select import SelectorError
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
    "get_value",
    "model",
    "parse",
    "parse_with_grammar",
    "redact",
    "set_value",
    "sniff",
    "unset_value",
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


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(
        r"^[ \t]*(?:node\.(?:startup|session\.|conn\[)|discovery\.sendtargets\.|iscsid\.startup)"
        r"[^\s=]*+[ \t]*=",
        re.M,
    )


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


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


# selectors: the key, taken whole (its dots and brackets are part of it)


def _key(selector: str) -> str:
    key = selector.strip()
    steps_of(key)  # the key's dots and brackets must still make a well-formed selector
    if not key or any(c in C_SPACE or c in "=#\n" for c in key):
        raise SelectorError(
            f"selector {selector!r}: name one iscsid.conf key, "
            "e.g. node.session.timeo.replacement_timeout"
        )
    return key


def _check_value(value: str) -> str:
    """iscsid keeps a ``#`` in the value, but after a blank a reader takes it for a comment
    (and a linter flags it): a value that would look like that is refused."""
    check_one_line(value)
    for i, ch in enumerate(value):
        if ch == "#" and (i == 0 or value[i - 1] in C_SPACE):
            raise ValueError(
                f"{value!r}: a '#' at the start or after a blank reads as a comment, "
                "but iscsid would keep it in the value"
            )
    return value


def get_value(doc: Document, selector: str) -> list[str]:
    """The value of the line iscsid takes the key from (else of the last line naming it)."""
    found = IscsidConfig(doc).entry(_key(selector))
    return [found.value] if found is not None else []


def set_value(doc: Document, selector: str, value: str) -> None:
    """Change the line iscsid takes the key from, or add one beside the keys it shares most
    of its dotted prefix with, with the file's spacing around ``=``."""
    IscsidConfig(doc).set(_key(selector), _check_value(value))


def unset_value(doc: Document, selector: str) -> int:
    return IscsidConfig(doc).remove(_key(selector))
