"""The ``multipath`` codec: /etc/multipath.conf and /etc/multipath/conf.d/*.conf."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.errors import ParseError
from xsanconf.formats.multipath.lexer import quote, tokenize, unclosed_quotes, unquote, words
from xsanconf.formats.multipath.model import (
    BlacklistEntry,
    IgnoredLine,
    MergedSection,
    MultipathBlacklist,
    MultipathConfig,
    MultipathDevice,
    MultipathEntry,
    MultipathOption,
    MultipathProtocol,
    MultipathSection,
)
from xsanconf.formats.multipath.select import get_value, set_value, unset_value
from xsanconf.formats.multipath.values import INVALID
from xsanconf.parsing import parse_with
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "INVALID",
    "KIND",
    "BlacklistEntry",
    "IgnoredLine",
    "MergedSection",
    "MultipathBlacklist",
    "MultipathConfig",
    "MultipathDevice",
    "MultipathEntry",
    "MultipathOption",
    "MultipathProtocol",
    "MultipathSection",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "problems",
    "set_value",
    "sniff",
    "unset_value",
]

KIND = "multipath"

_NAMES = {
    "STMT": "an option line",
    "HEAD": "a section line",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
}


def parse(text: str, path: str | None = None) -> Node:
    try:
        return parse_with("multipath", tokenize, text, path=path, names=_NAMES, eof_closer="RBRACE")
    except ParseError as error:
        raise _explained(error) from None


def _explained(error: ParseError) -> ParseError:
    """Say what the brace error means for multipathd, which reads braces line by line."""
    if error.message.startswith("unexpected '}'"):
        error.message = (
            "unexpected '}': no section is open here (multipathd logs \"unmatched '}'\")"
        )
    elif error.message.startswith("unexpected '{'"):
        error.message = "unexpected '{': an opening brace belongs on the line of its section name"
    error.args = (error.message,)
    return error


def model(doc: Document) -> MultipathConfig:
    return MultipathConfig(doc)


def problems(doc: Document, text: str) -> list[ParseError]:
    """Input multipathd reads but must not be trusted with: an unclosed quote, a missing ``}``."""
    found = [
        ParseError.at(
            text,
            offset,
            "missing closing quote (multipathd reads the value to the end of the line)",
            path=doc.path,
            expected=["'\"'"],
        )
        for offset in unclosed_quotes(text)
    ]
    return found + _unclosed(doc, text)


def _unclosed(doc: Document, text: str) -> list[ParseError]:
    """The innermost section the end of the file closes (its ``}`` is an empty token)."""
    innermost = None
    stack = [doc.root]
    while stack:
        node = stack.pop()
        last = node.children[-1] if node.children else None
        if node.kind == "section" and isinstance(last, Token) and not last.text:
            innermost = node
        stack.extend(c for c in node.children if isinstance(c, Node))
    if innermost is None:
        return []
    head = innermost.children[0]
    assert isinstance(head, Token)
    line, column = doc.position(head)
    return [
        ParseError.at(
            text,
            len(text),
            f"unexpected end of input: '{words(head.text)[0][2]}' section opened at line {line}, "
            f"column {column} is not closed with '}}'",
            path=doc.path,
            expected=["'}'"],
        )
    ]


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(
        r"^[ \t]*(?:defaults|blacklist|blacklist_exceptions|devices|multipaths|overrides)[ \t]*\{",
        re.M,
    )


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    return _directives(doc, doc.root)


def _directives(doc: Document, node: Node) -> list[Directive]:
    out: list[Directive] = []
    for child in node.children:
        if isinstance(child, Token) and child.kind == "STMT":
            found = [w for _, _, w in words(child.text)]
            args = [unquote(w) for w in found[1:]]
            out.append(Directive(found[0], args, None, doc.position(child)[0]))
        elif isinstance(child, Node):
            head = child.children[0]
            assert isinstance(head, Token)
            found = [w for _, _, w in words(head.text)]
            args = found[1 : found.index("{")] if "{" in found else found[1:]
            block = _directives(doc, child)
            out.append(
                Directive(found[0], [unquote(a) for a in args], block, doc.position(head)[0])
            )
    return out


def build(items: list[Directive], level: int = 0) -> str:
    """multipath.conf text for directives: one per line, tab-indented, values quoted as needed."""
    indent = "\t" * level
    lines: list[str] = []
    for d in items:
        head = indent + " ".join([d.name, *(quote(a) for a in d.args)])
        if d.block is None:
            lines.append(head + "\n")
        else:
            lines.append(head + " {\n" + build(d.block, level + 1) + indent + "}\n")
    return "".join(lines)
