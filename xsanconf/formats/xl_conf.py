"""The ``xl-conf`` codec: ``/etc/xen/xl.conf``, xl's global settings (xl.conf(5)).

xl reads it with the same libxlu parser as guest configs: ``KEY=VALUE`` settings, strings,
numbers and lists, ``#`` comments.  Keys may be dotted (``vif.default.bridge``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.xen_domain import NAMES, build, select, settings_directives
from xsanconf.formats.xen_domain.lexer import tokenize_dotted
from xsanconf.formats.xen_domain.model import XenConfig
from xsanconf.formats.xen_domain.passwords import redact
from xsanconf.formats.xen_domain.passwords import token_secrets as _token_secrets
from xsanconf.parsing import parse_with

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.syntax import Node, Token

__all__ = [
    "KIND",
    "XlConf",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "xl-conf"


class XlConf(XenConfig):
    """xl.conf settings; ``autoballoon``, ``lockfile``, ``vif.default.bridge`` ..."""

    __slots__ = ()

    def __init__(self, doc: Document) -> None:
        super().__init__(doc, dotted=True)


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("xl-conf", tokenize_dotted, text, path=path, names=NAMES)


def model(doc: Document) -> XlConf:
    return XlConf(doc)


# blanks, not \s: see xen_domain's sniff
_SNIFF = re.compile(
    r"^#*+[^\S\n]*+(autoballoon|lockfile|vif\.default\.\w+|run_hotplug_scripts)\s*+=", re.M
)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None


def directives(doc: Document) -> list[Directive]:
    return settings_directives(XlConf(doc))


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """Passwords in a setting, read as in guest configs (keys may be dotted here)."""
    return _token_secrets(token, dotted=True)


# selectors: the key taken whole (``vif.default.bridge``); see xen_domain.select


def get_value(doc: Document, selector: str) -> list[str]:
    return select.get_value(doc, selector, dotted=True)


def set_value(doc: Document, selector: str, value: str) -> None:
    select.set_value(doc, selector, value, dotted=True)


def unset_value(doc: Document, selector: str) -> int:
    return select.unset_value(doc, selector, dotted=True)
