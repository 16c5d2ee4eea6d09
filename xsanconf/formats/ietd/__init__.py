"""The ``ietd`` codec: ``/etc/iet/ietd.conf`` and ``/etc/ietd.conf`` (iSCSI Enterprise Target).

Every text is a valid ietd.conf, as it is to ietd (which skips what it does not understand),
so :func:`parse` only fails on what the API rejects for every format (binary data).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.ietd.keywords import keyword_kind
from xsanconf.formats.ietd.lexer import tokenize_lines, words
from xsanconf.formats.ietd.lun import LunParam, LunParams
from xsanconf.formats.ietd.model import IetAccount, IetConfig, IetLun, IetStatement, IetTarget
from xsanconf.formats.ietd.select import get_value, set_value, unset_value
from xsanconf.parsing import Lexed, parse_with
from xsanconf.secrets import redact  # blanks secrets in `xsanconf parse --json`
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "IetAccount",
    "IetConfig",
    "IetLun",
    "IetStatement",
    "IetTarget",
    "LunParam",
    "LunParams",
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

KIND = "ietd"

_NAMES = {"TARGET": "a Target line", "STMT": "a setting"}


def tokenize(text: str) -> Lexed:
    return tokenize_lines(text, "STMT", "TARGET")


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("ietd", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> IetConfig:
    return IetConfig(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(
        r"^[ \t]*(?:Target[ \t]+(?:iqn|eui|naa)\.|Lun[ \t]+\d+[ \t]+\S*(?:Path|Type)=)", re.M | re.I
    )


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def _directive(doc: Document, token: Token, block: list[Directive] | None = None) -> Directive:
    found = [w for _, _, w in words(token.text)]
    return Directive(found[0], found[1:], block, doc.position(token)[0])


def directives(doc: Document) -> list[Directive]:
    out: list[Directive] = []
    for child in doc.root.children:
        if isinstance(child, Token):
            out.append(_directive(doc, child))
        elif isinstance(child, Node):
            header, *rest = [c for c in child.children if isinstance(c, Token)]
            block = [_directive(doc, t) for t in rest]
            out.append(_directive(doc, header, block))
    return out


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The passwords of ``IncomingUser``/``OutgoingUser`` lines: each word after the user name
    (ietd reads the first as the secret).  A token is one line (the text of a file that did not
    parse is read line by line)."""
    found = []
    offset = 0
    for line in token.text.split("\n"):
        line_words = words(line)
        if len(line_words) > 2 and keyword_kind(line_words[0][2]) == "account":
            found += [(offset + s, offset + e) for s, e, _ in line_words[2:]]
        offset += len(line) + 1
    return found


def build(items: list[Directive]) -> str:
    """ietd.conf text for directives: global lines first, targets with tab-indented lines."""
    lines: list[str] = []
    for d in items:
        head = " ".join([d.name, *d.args])
        if d.block is None:
            lines.append(head + "\n")
            continue
        if lines:
            lines.append("\n")
        lines.append(head + "\n")
        lines += ["\t" + " ".join([b.name, *b.args]) + "\n" for b in d.block]
    return "".join(lines)
