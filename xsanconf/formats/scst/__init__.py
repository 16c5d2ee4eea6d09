"""The ``scst`` codec: ``/etc/scst.conf``, the file scstadmin reads (SCST's configuration).

The tokenizer reads comments, escapes and braces as scstadmin's ``readConfigFile`` and
``parseStanza`` do (:mod:`xsanconf.formats.scst.lexer`); the model reads the hash scstadmin
builds (:mod:`xsanconf.formats.scst.model`).  Only a ``}`` that closes no block (scstadmin stops
reading there) and nesting beyond the project's bound fail to parse.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import REDACTED, Directive
from xsanconf.formats.scst.lexer import tokenize
from xsanconf.formats.scst.model import (
    ScstAccount,
    ScstConfig,
    ScstDevice,
    ScstDeviceGroup,
    ScstEntry,
    ScstGroup,
    ScstHandler,
    ScstLun,
    ScstTarget,
    ScstTargetDriver,
    elements,
    quote_value,
)
from xsanconf.formats.scst.select import get_value, set_value, unset_value
from xsanconf.parsing import parse_with
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "ScstAccount",
    "ScstConfig",
    "ScstDevice",
    "ScstDeviceGroup",
    "ScstEntry",
    "ScstGroup",
    "ScstHandler",
    "ScstLun",
    "ScstTarget",
    "ScstTargetDriver",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "tokenize",
    "unset_value",
]

KIND = "scst"

_NAMES = {
    "STMT": "a line",
    "HEAD": "a block name",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LOST": "text before '}'",
}
_ACCOUNTS = ("IncomingUser", "OutgoingUser")


def parse(text: str, path: str | None = None) -> Node:
    # scstadmin closes the blocks still open at the end of the file (parseStanza returns)
    return parse_with("scst", tokenize, text, path=path, names=_NAMES, eof_closer="RBRACE")


def model(doc: Document) -> ScstConfig:
    return ScstConfig(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:HANDLER|TARGET_DRIVER|DEVICE_GROUP)[ \t]+\S+[ \t]*\{", re.M)


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    """The entries scstadmin reads (three elements at most; dropped text and nameless blocks
    are no data)."""
    return _directives(doc, doc.root)


def _directives(doc: Document, node: Node) -> list[Directive]:
    out: list[Directive] = []
    for child in node.children:
        if isinstance(child, Token) and child.kind == "STMT":
            words = [e[0] for e in elements(child.text)[:3]]
            if words:
                out.append(Directive(words[0], words[1:], None, doc.position(child)[0]))
        elif isinstance(child, Node) and child.kind == "block":
            head = child.children[0]
            if isinstance(head, Token) and head.kind == "HEAD":
                words = [e[0] for e in elements(head.text)[:3]]
                block = _directives(doc, child)
                out.append(Directive(words[0], words[1:], block, doc.position(head)[0]))
    return out


def build(items: list[Directive], level: int = 0) -> str:
    """scst.conf text for directives, tab-indented as ``scstadmin -write_config`` writes it."""
    indent = "\t" * level
    lines: list[str] = []
    for d in items:
        head = indent + " ".join([quote_value(d.name), *(quote_value(a) for a in d.args)])
        if d.block is None:
            lines.append(head + "\n")
        else:
            lines.append(head + " {\n" + build(d.block, level + 1) + indent + "}\n")
    return "".join(lines)


def redact(directive: Directive) -> Directive:
    """An account's secret blanked out: ``IncomingUser "joe secret"`` becomes
    ``IncomingUser "joe ********"`` (a third word, where written unquoted, too)."""
    args = directive.args
    if directive.name not in _ACCOUNTS or not args:
        return directive
    if len(args) > 1:
        new = [args[0], REDACTED, *args[2:]]
    else:
        parts = args[0].split(None, 1)
        if len(parts) < 2:
            return directive
        new = [f"{parts[0]} {REDACTED}"]
    return Directive(directive.name, new, directive.block, directive.line)


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The secret of an ``IncomingUser``/``OutgoingUser`` line: what follows the user name in
    its value (``"joe secret"``), or the words after it when written unquoted."""
    if "User" not in token.text or token.kind in ("LBRACE", "RBRACE"):
        return []
    found = []
    offset = 0
    for line in token.text.split("\n"):
        found += [(offset + s, offset + e) for s, e in _line_secrets(line)]
        offset += len(line) + 1
    return found


def _line_secrets(line: str) -> list[tuple[int, int]]:
    parts = elements(line)
    if len(parts) < 2 or parts[0][0] not in _ACCOUNTS:
        return []
    if len(parts) > 2:
        return [(parts[2][1], parts[-1][2])]
    _, start, end = parts[1]
    raw = line[start:end]
    quoted = raw.startswith('"') and raw.endswith('"') and len(raw) > 1
    inner_start, inner_end = (start + 1, end - 1) if quoted else (start, end)
    inner = line[inner_start:inner_end]
    user = re.match(r"[ \t]*\S+[ \t]+", inner)
    if user is None:
        return []
    return [(inner_start + user.end(), inner_end)] if inner_start + user.end() < inner_end else []
