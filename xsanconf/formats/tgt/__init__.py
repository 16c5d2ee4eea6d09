"""The ``tgt`` codec: ``/etc/tgt/targets.conf``, ``/etc/tgt/conf.d/*.conf`` and what they
include, as ``tgt-admin`` reads them (Linux SCSI target framework, ``tgtd``).

The syntax is Perl Config::General's (see :mod:`xsanconf.formats.tgt.lexer`); the model
(:mod:`xsanconf.formats.tgt.model`) reads it as tgt-admin does, and
:mod:`xsanconf.formats.tgt.luns` numbers targets and LUNs as tgt-admin numbers them.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.tgt.lexer import include_path, logical_text, split_option
from xsanconf.formats.tgt.lexer import tokenize as _tokenize
from xsanconf.formats.tgt.model import (
    TgtBlock,
    TgtConfig,
    TgtStatement,
    TgtTarget,
    _block_header,
    check_value,
)
from xsanconf.formats.tgt.select import get_value, set_value, unset_value
from xsanconf.parsing import Lexed, parse_with
from xsanconf.secrets import redact  # blanks secrets in `xsanconf parse --json`
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.formats import Include

__all__ = [
    "ACCOUNT_KEYS",
    "KIND",
    "TgtBlock",
    "TgtConfig",
    "TgtStatement",
    "TgtTarget",
    "build",
    "directives",
    "get_value",
    "includes",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "tokenize",
    "unset_value",
]

KIND = "tgt"
ACCOUNT_KEYS = frozenset(
    {"incominguser", "outgoinguser", "incomingdiscoveryuser", "outgoingdiscoveryuser"}
)

_NAMES = {
    "OPEN": "a '<block>' line",
    "CLOSE": "a '</block>' line",
    "STMT": "an option",
    "INCLUDE": "an include line",
}


def tokenize(text: str) -> Lexed:
    return _tokenize(text)


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("tgt", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> TgtConfig:
    return TgtConfig(doc)


def includes(doc: Document) -> list[Include]:
    """The file's ``include`` and ``includeoptional`` lines, in text order: the paths (glob
    patterns, directories or files) they name, what the site loader follows as the registry's
    :class:`~xsanconf.formats.IncludeStyle` for tgt says (Config::General's expansion).
    tgt-admin runs from ``/``: a relative path is taken from there (Config::General is not
    told ``-IncludeRelative``)."""
    from xsanconf.formats import Include

    if not doc.parsed:
        return []
    return [
        Include(path, token, doc.position(token), token.text.lower().startswith("includeoptional"))
        for path, token in TgtConfig(doc).includes
    ]


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*<target[ \t]+[^>\n]+>[ \t\r]*$", re.M)


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def _args(value: str | None) -> list[str]:
    # tgt-admin splits account values at single spaces; data keeps that split exactly
    return value.split(" ") if value is not None else []


def _directive(doc: Document, item: Node | Token | Trivia) -> Directive | None:
    if isinstance(item, Trivia):
        return None
    if isinstance(item, Token):
        line = doc.position(item)[0]
        if item.kind == "INCLUDE":
            return Directive("include", [include_path(item.text) or ""], None, line)
        if item.kind == "STMT":
            key, value = split_option(logical_text(item.text))
            return Directive(key, _args(value), None, line)
        return None
    header = item.children[0]
    assert isinstance(header, Token)
    block_type, name = _block_header(header.text)
    inner = [d for c in item.children[1:] if (d := _directive(doc, c)) is not None]
    return Directive(block_type, [name] if name is not None else [], inner, doc.position(header)[0])


def directives(doc: Document) -> list[Directive]:
    out = []
    for child in doc.root.children:
        found = _directive(doc, child)
        if found is not None:
            out.append(found)
    return out


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The passwords of account lines: everything after the user name (tgt-admin takes the
    second space-separated word; the rest is masked too)."""
    text = token.text
    if token.kind != "STMT" or "user" not in text.lower():
        return []
    key, value = split_option(logical_text(text))
    if key not in ACCOUNT_KEYS or not value or " " not in value:
        return []
    user = value.split(" ")[0]
    start = text.find(user, len(key)) + len(user)
    while start < len(text) and text[start] in " \t\\\r\n":
        start += 1
    end = len(text)
    return [(start, end)] if start < end else []


def _escaped(value: str) -> str:
    """A value as Config::General reads it back: ``\\ $ " #`` escaped."""
    return re.sub(r'([\\$"#])', r"\\\1", value)


def _line(name: str, args: list[str]) -> str:
    if not name or any(c in name for c in " \t\n\r\f\v=#\\") or name.startswith("<"):
        raise ValueError(f"not a targets.conf option name: {name!r}")
    if not args:
        return name
    return f"{name} {check_value(_escaped(' '.join(args)))}"


def build(items: list[Directive], indent: str = "") -> str:
    """targets.conf text: options, ``include`` lines, blocks with tab-indented contents."""
    lines: list[str] = []
    for d in items:
        if d.name.lower() in ("include", "includeoptional") and d.block is None:
            lines.append(f"{indent}{d.name} {check_value(' '.join(d.args))}\n")
        elif d.block is None:
            lines.append(indent + _line(d.name, d.args) + "\n")
        else:
            block_type = _line(d.name, [])
            head = " ".join([block_type, *(check_value(a) for a in d.args)])
            if indent == "" and lines:
                lines.append("\n")
            lines.append(f"{indent}<{head}>\n")
            lines.append(build(d.block, indent + "\t"))
            lines.append(f"{indent}</{block_type}>\n")
    return "".join(lines)
