"""The ``xen-domain`` codec: xm and xl guest configs (``/etc/xen/*.cfg``, ``/etc/xen/auto/*``).

xm ran these files as Python; xsanconf reads the static subset (see
:mod:`xsanconf.formats.xen_domain.lexer`) and refuses the rest with a :class:`ParseError` that
names the construct, so the linter keeps such a file as raw text with a SYN001 diagnostic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.xen_domain.disk import DiskSpec, parse_disk_spec
from xsanconf.formats.xen_domain.lexer import tokenize
from xsanconf.formats.xen_domain.model import XenConfig, XenDisk, XenSetting, literal
from xsanconf.formats.xen_domain.passwords import redact, token_secrets
from xsanconf.formats.xen_domain.select import get_value, set_value, unset_value
from xsanconf.parsing import parse_with

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.syntax import Node

__all__ = [
    "KIND",
    "DiskSpec",
    "XenConfig",
    "XenDisk",
    "XenSetting",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_disk_spec",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "xen-domain"

NAMES = {"ASSIGN": "a setting (KEY = VALUE)", "SEMI": "';'"}


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("xen-domain", tokenize, text, path=path, names=NAMES)


def model(doc: Document) -> XenConfig:
    return XenConfig(doc)


# Blanks, not \s, after ^: "^\s*" tried at every line start runs over all the blank lines that
# follow, so a file of blank lines cost the square of its length.
_SNIFF = re.compile(r"^[^\S\n]*+(disk|vif|kernel|builder|bootloader)\s*+=\s*+[\['\"]", re.M)
_NAME = re.compile(r"^[^\S\n]*+name\s*+=", re.M)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None and _NAME.search(text) is not None


def directives(doc: Document) -> list[Directive]:
    return settings_directives(XenConfig(doc))


def settings_directives(config: XenConfig) -> list[Directive]:
    """One directive per setting: its key, and its value as a config literal."""
    return [
        Directive(s.key, [s.token.text[s.raw_value.start : s.raw_value.end]], None, s.position[0])
        for s in config.settings()
    ]


def build(items: list[Directive]) -> str:
    """``key = value`` lines; arguments are config literals (a plain word is quoted)."""
    lines = []
    for d in items:
        value = d.args[0] if d.args else "''"
        if not _is_literal(value):
            value = literal(value)
        lines.append(f"{d.name} = {value}\n")
    return "".join(lines)


def _is_literal(text: str) -> bool:
    from xsanconf.formats.xen_domain.lexer import read_value
    from xsanconf.parsing import LexError

    try:
        _, end = read_value(text, 0)
    except LexError:
        return False
    return end == len(text)
