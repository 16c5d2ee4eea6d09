"""The ``iscsid`` codec: open-iscsi's ``/etc/iscsi/iscsid.conf`` (and node records' syntax)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.flat import flat_tree
from xsanconf.formats.iscsid.keys import KEYS, KeySpec, is_secret
from xsanconf.formats.iscsid.lexer import C_SPACE, pieces, tokenize
from xsanconf.formats.iscsid.model import (
    IscsidConfig,
    IscsidEntry,
    IscsidOtherLine,
    IscsidSetting,
)
from xsanconf.formats.iscsid.reader import idbm_parse
from xsanconf.parsing import parse_with
from xsanconf.secrets import mask_spans
from xsanconf.secrets import redact as redact_setting
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
    "token_secrets",
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


# what a key is made of (a "name" glued to its value starts with the key), and what may
# stand between a key and its value
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]")
_SEPARATORS = frozenset(C_SPACE + "=:")


def _line_secret(stripped: str) -> tuple[int, int] | None:
    """Where the password is in a stripped, significant line, as idbm reads the line.

    idbm takes the name up to a blank or ``=``; when it then finds no ``=`` it drops the line
    (``node.session.auth.password SECRET``), but the words after such a name are the password
    all the same, and so is what follows the key in a name glued to its value
    (``node.session.auth.password:SECRET``).
    """
    read = idbm_parse(stripped)
    if not isinstance(read, str):
        key, value = read
        return (len(stripped) - len(value), len(stripped)) if is_secret(key) else None
    name_end = _skip(stripped, 0, lambda ch: ch not in C_SPACE and ch != "=")
    if not is_secret(stripped[:name_end]):
        return None
    start = _skip(stripped, _skip(stripped, 0, _KEY_CHARS.__contains__), _SEPARATORS.__contains__)
    return (start, len(stripped)) if start < len(stripped) else None


def _skip(text: str, pos: int, wanted: Callable[[str], bool]) -> int:
    while pos < len(text) and wanted(text[pos]):
        pos += 1
    return pos


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The passwords a token holds: a token is one stripped line (the text of a file that did
    not parse is read line by line, the same way)."""
    if token.kind != "RAW":
        found = _line_secret(token.text)
        return [found] if found is not None else []
    spans = []
    offset = 0
    for line in token.text.split("\n"):
        stripped = line.strip(C_SPACE)
        if stripped and not stripped.startswith("#"):
            found = _line_secret(stripped)
            if found is not None:
                lead = offset + len(line) - len(line.lstrip(C_SPACE))
                spans.append((lead + found[0], lead + found[1]))
        offset += len(line) + 1
    return spans


def redact(directive: Directive) -> Directive:
    """``directive`` with its password blanked out; a line iscsid drops is one directive with
    no value, its whole text the name, masked as idbm would read it (see :func:`_line_secret`)."""
    if directive.args:
        return redact_setting(directive)
    found = _line_secret(directive.name)
    if found is None:
        return directive
    name = mask_spans(directive.name, [found])
    return Directive(name, [], directive.block, directive.line)


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
