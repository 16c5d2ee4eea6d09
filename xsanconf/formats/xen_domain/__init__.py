"""The ``xen-domain`` codec: xm and xl guest configs (``/etc/xen/*.cfg``, ``/etc/xen/auto/*``).

xm ran these files as Python.  A plain config (``KEY = VALUE`` settings, the subset xl also
reads: :mod:`xsanconf.formats.xen_domain.lexer`) is read by its own small tokenizer; a config
that needs Python (imports, functions, computed values) is read by Python's parser, never run,
and its values are worked out where they are certain (:mod:`xsanconf.formats.xen_domain.program`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.formats.xen_domain.disk import DiskSpec, parse_disk_spec
from xsanconf.formats.xen_domain.lexer import read_assignment, tokenize
from xsanconf.formats.xen_domain.model import XenConfig, XenDisk, XenSetting, literal
from xsanconf.formats.xen_domain.passwords import redact, token_secrets
from xsanconf.formats.xen_domain.select import get_value, set_value, unset_value
from xsanconf.parsing import LexError, parse_with
from xsanconf.syntax import Token

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.parsing import Lexed
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

NAMES = {"ASSIGN": "a setting (KEY = VALUE)", "SEMI": "';'", "PYTHON": "a Python statement"}

# The data of a top-level Python statement of an xm config: its text, verbatim (no setting
# can have this name).
PYTHON_DIRECTIVE = "<python>"


def tokenize_config(text: str) -> Lexed:
    """A plain config's settings; a Python program's statements when the plain reader
    refuses the text and Python reads it (the plain path imports nothing more)."""
    try:
        return tokenize(text)
    except LexError as plain:
        from xsanconf.formats.xen_domain.program import tokenize_program

        return tokenize_program(text, plain)


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("xen-domain", tokenize_config, text, path=path, names=NAMES)


def model(doc: Document) -> XenConfig:
    return XenConfig(doc)


# Blanks, not \s, after ^: "^\s*" tried at every line start runs over all the blank lines that
# follow, so a file of blank lines cost the square of its length.
_SNIFF = re.compile(r"^[^\S\n]*+(disk|vif|kernel|builder|bootloader)\s*+=\s*+[\['\"]", re.M)
_NAME = re.compile(r"^[^\S\n]*+name\s*+=", re.M)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None and _NAME.search(text) is not None


def directives(doc: Document) -> list[Directive]:
    tokens = [c for c in doc.root.children if isinstance(c, Token) and c.kind != "SEMI"]
    if not any(t.kind == "PYTHON" for t in tokens):
        return settings_directives(XenConfig(doc))
    # a Python program: each statement, a setting as in a plain config, any other verbatim
    found = []
    for token in tokens:
        line = doc.position(token)[0]
        if token.kind == "ASSIGN":
            key_end, value_start, _, _ = read_assignment(token.text, 0, False)
            found.append(Directive(token.text[:key_end], [token.text[value_start:]], None, line))
        else:
            found.append(Directive(PYTHON_DIRECTIVE, [token.text], None, line))
    return found


def settings_directives(config: XenConfig) -> list[Directive]:
    """One directive per setting: its key, and its value as a config literal."""
    return [
        Directive(s.key, [s.token.text[s.raw_value.start : s.raw_value.end]], None, s.position[0])
        for s in config.settings()
    ]


def build(items: list[Directive]) -> str:
    """``key = value`` lines; arguments are config literals (a plain word is quoted); the
    statements of a Python program as they were written."""
    lines = []
    for d in items:
        if d.name == PYTHON_DIRECTIVE:
            from xsanconf.formats.xen_domain.program import statement_text

            lines.append(statement_text(d.args) + "\n")
            continue
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
