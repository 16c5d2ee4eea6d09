"""The ``lio`` codec: LIO's ``/etc/target/saveconfig.json`` (``/etc/rtslib-fb-target/`` on
Debian), written by targetcli-fb and rtslib-fb, restored at boot by ``targetctl restore``.

The text is JSON as Python's ``json`` reads it (:mod:`xsanconf.formats.lio.lexer`).  Plain
data (``xsanconf parse --json``) is one directive per object member, named by its key: a
scalar's argument is its JSON text (``"disk0"``, ``true``, ``1``); an object's argument is
``{}`` and an array's ``[]``, with their members or items as the block.  An array item (and a
top-level value that is not an object) has no key: its JSON text (or ``{}``/``[]``) is the
directive's name and it has no arguments.  :func:`build` writes the data back as rtslib
writes the file (``indent=2``; keys in the data's order).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.lio.lexer import tokenize
from xsanconf.formats.lio.model import (
    DiscoveryAuth,
    LioConfig,
    LioLun,
    LioNodeAcl,
    LioStorageObject,
    LioTarget,
    LioTpg,
)
from xsanconf.formats.lio.select import get_value, set_value, unset_value
from xsanconf.formats.lio.tree import JsonArray, JsonObject, decode
from xsanconf.parsing import parse_with
from xsanconf.secrets import is_secret_name
from xsanconf.secrets import redact as redact  # blanks secrets in `xsanconf parse --json`
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "DiscoveryAuth",
    "LioConfig",
    "LioLun",
    "LioNodeAcl",
    "LioStorageObject",
    "LioTarget",
    "LioTpg",
    "build",
    "directives",
    "get_value",
    "mark_secrets",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "tokenize",
    "unset_value",
]

KIND = "lio"

_NAMES = {
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LBRACK": "'['",
    "RBRACK": "']'",
    "COMMA": "','",
    "COLON": "':'",
    "STRING": "a string",
    "NUMBER": "a number",
    "LITERAL": "true, false or null",
    "SECRET": "a string",
}


def parse(text: str, path: str | None = None) -> Node:
    root = parse_with("lio", tokenize, text, path=path, names=_NAMES)
    mark_secrets(root)
    return root


def mark_secrets(node: Node) -> None:
    """Give the string value of every member whose key names a password (``chap_password``,
    ``discovery_mutual_password`` ...) the kind ``SECRET``, so that :func:`token_secrets`
    knows it without its key (iterative: a deep file must not recurse)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.kind == "member":
            key, value = current.children[0], _last(current)
            if (
                isinstance(key, Token)
                and isinstance(value, Token)
                and value.kind in ("STRING", "SECRET")
            ):
                value.kind = "SECRET" if is_secret_name(key.text) else "STRING"
        stack += [c for c in current.children if isinstance(c, Node)]


def _last(node: Node) -> Node | Token | None:
    for child in reversed(node.children):
        if isinstance(child, Node | Token):
            return child
    return None


def model(doc: Document) -> LioConfig:
    return LioConfig(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r'^\s*\{\s*"(?:fabric_modules|storage_objects|targets)"\s*:')


def sniff(text: str) -> bool:
    return _sniff_pattern().match(text) is not None


def _directive(doc: Document, item: Node | Token, name: str | None) -> Directive:
    line = doc.position(item)[0]
    if isinstance(item, Token):
        value = item.text
        return (
            Directive(value, [], None, line)
            if name is None
            else Directive(name, [value], None, line)
        )
    mark = "{}" if item.kind == "object" else "[]"
    block = []
    if item.kind == "object":
        for member in JsonObject(doc, item).members():
            block.append(_directive(doc, member.value_item, member.key))
    else:
        block += [_directive(doc, value, None) for value in JsonArray(doc, item).entries()]
    if name is None:
        return Directive(mark, [], block, line)
    return Directive(name, [mark], block, line)


def directives(doc: Document) -> list[Directive]:
    top = _last(doc.root)
    if top is None:
        return []
    found = _directive(doc, top, None)
    if isinstance(top, Node) and top.kind == "object":
        return found.block or []
    return [found]


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The password strings (their text between the quotes) of ``SECRET`` tokens; in a file
    that did not parse, the string after each ``"...password...":``."""
    if token.kind == "SECRET":
        return [(1, len(token.text) - 1)] if len(token.text) > 2 else []
    if token.kind == "RAW":
        return [
            (m.start(2), m.end(2))
            for m in _raw_secret().finditer(token.text)
            if is_secret_name(m.group(1)) and m.end(2) > m.start(2)
        ]
    return []


@functools.cache
def _raw_secret() -> re.Pattern[str]:
    return re.compile(r'"([^"\\\n]*)"[ \t\r\n]*:[ \t\r\n]*"((?:[^"\\\n]|\\.)*)')


def _literal_check(text: str) -> str:
    """``text`` when it is one JSON scalar as :func:`parse` reads it; else ValueError."""
    root = parse(text)
    token = _last(root)
    if not isinstance(token, Token):
        raise ValueError(f"not a JSON scalar: {text!r}")
    decode(token)
    return token.text


def _build_value(d: Directive, arg: str, indent: str) -> str:
    inner = indent + "  "
    if arg in ("{}", "[]") and d.block is not None:
        if not d.block:
            return arg
        if arg == "{}":
            parts = [f"{inner}{_key(b.name)}: {_build_value(b, *_arg(b), inner)}" for b in d.block]
        else:
            parts = [f"{inner}{_build_value(b, b.name, inner)}" for b in d.block]
        return arg[0] + "\n" + ",\n".join(parts) + "\n" + indent + arg[1]
    if d.block is not None:
        raise ValueError(f"{d.name!r}: only {{}} and [] hold a block, not {arg!r}")
    return _literal_check(arg)


def _arg(d: Directive) -> tuple[str]:
    if len(d.args) != 1:
        raise ValueError(f"member {d.name!r} takes one argument, its JSON value")
    return (d.args[0],)


def _key(name: str) -> str:
    from xsanconf.formats.lio.tree import literal

    return literal(name)


def build(items: list[Directive]) -> str:
    """saveconfig.json text for directives, in rtslib's layout (``indent=2``)."""
    if len(items) == 1 and not items[0].args:
        return _build_value(items[0], items[0].name, "") + "\n"
    top = Directive("", ["{}"], items)
    return _build_value(top, "{}", "") + "\n"
