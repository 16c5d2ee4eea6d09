"""Where a Xen config holds passwords, read as the lexer reads its settings.

A setting whose key names a password (``vncpasswd``, ``spicepasswd``) holds one in its whole
value, on whatever line the value sits (after a backslash continuation); a ``vfb`` spec string
holds one after ``vncpasswd=``.  In a file that did not parse, each password setting (at the
start of a line or after ``;``) is read within its logical line, value by value, so that a
password written as adjacent strings (``vncpasswd = "ab" "cd"``, which only Python joins), on a
continuation line, or as a bare word is still found.
"""

from __future__ import annotations

import functools
import re

from xsanconf.data import Directive
from xsanconf.formats.xen_domain.lexer import (
    XenList,
    XenString,
    XenValue,
    read_assignment,
    read_value,
)
from xsanconf.parsing import LexError
from xsanconf.secrets import is_secret_name, mask_spans
from xsanconf.secrets import redact as redact_setting
from xsanconf.syntax import Token

__all__ = ["redact", "token_secrets"]

Span = tuple[int, int]


@functools.cache
def _blank() -> re.Pattern[str]:
    # blanks and backslash continuations, as between the parts of a setting
    return re.compile(r"(?:[ \t\f]++|\\\r?\n)*+")


@functools.cache
def _inline() -> re.Pattern[str]:
    # "vnc=1,vncpasswd=SECRET,vnclisten=..." inside a vfb spec string
    return re.compile(r"(?i)(?<![\w])(?:vnc|spice)?passw(?:or)?d[ \t]*=[ \t]*([^,]*)")


def _value_secrets(text: str, value: XenValue, secret: bool) -> list[Span]:
    """The whole value of a password setting; the inline passwords of any other's strings."""
    if secret:
        return [(value.start, value.end)]
    if isinstance(value, XenList):
        return [span for item in value.items for span in _value_secrets(text, item, False)]
    if isinstance(value, XenString):
        # the string's body: inside its quotes (r/u prefix, one or three quote characters)
        literal = text[value.start : value.end]
        opener = value.start + len(literal) - len(literal.lstrip("rRuU"))
        quote = 3 if text.startswith(text[opener] * 3, opener) and value.end - opener >= 6 else 1
        body_start, body_end = opener + quote, value.end - quote
        return [
            m.span(1) for m in _inline().finditer(text, body_start, body_end) if m.group(1).strip()
        ]
    return []


def token_secrets(token: Token, dotted: bool = False) -> list[Span]:
    """The passwords a token holds: a setting (``ASSIGN``), a statement of an xm config that is
    a Python program (``PYTHON``), or a whole file that did not parse (``RAW``)."""
    if token.kind == "ASSIGN":
        key_end, _, value, _ = read_assignment(token.text, 0, dotted)
        return _value_secrets(token.text, value, is_secret_name(token.text[:key_end]))
    if token.kind == "RAW":
        return _scan(token.text)
    if token.kind == "PYTHON":
        return program_secrets(token.text)
    return []


@functools.cache
def _inline_in_code() -> re.Pattern[str]:
    # vncpasswd=... inside any string of the code, up to the end of the item or the line
    return re.compile(r"(?i)(?<![\w])(?:vnc|spice)?passw(?:or)?d[ \t]*=[ \t]*([^,\r\n]*)")


def program_secrets(text: str) -> list[Span]:
    """The passwords in Python code: every assignment to a password name (``vncpasswd = ...``,
    indented or after ``;``) to the end of its logical line, and every ``vncpasswd=`` in a
    string, to its ``,`` or the end of the line.  Code may compute a password any way; this
    masks where one is written."""
    spans = _scan(text)
    spans += [m.span(1) for m in _inline_in_code().finditer(text) if m.group(1).strip()]
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.cache
def _statement() -> re.Pattern[str]:
    # "=" or an augmented "+=" (a Python program may add to a password)
    return re.compile(r"(?m)(?:^|;)[ \t]*+([A-Za-z_][\w.]*+)[ \t]*+[-+*/%]?=[ \t]*+")


def _scan(text: str) -> list[Span]:
    """The password settings of text that did not parse, each read within its logical line
    (so that a broken value costs no more than its line)."""
    spans: list[Span] = []
    pos = 0
    statement = _statement()
    while True:
        m = statement.search(text, pos)
        if m is None:
            return spans
        stop = _line_end(text, m.end())
        if is_secret_name(m.group(1)):
            start = m.end()
            spans += [(start + s, start + e) for s, e in _values(text[start:stop])]
            pos = stop
        else:
            pos = m.end()


def _line_end(text: str, pos: int) -> int:
    """The end of the logical line at ``pos``: its newline, past backslash continuations."""
    while True:
        at = text.find("\n", pos)
        if at < 0:
            return len(text)
        before = at - 1 if at > 0 and text[at - 1] == "\r" else at
        if before == 0 or text[before - 1] != "\\":
            return at
        pos = at + 1


def _values(line: str) -> list[Span]:
    """Each value of a logical line (strings written one after another, a value after a
    continuation); what does not read as a value is masked to the end of the line."""
    spans: list[Span] = []
    pos = _blank().match(line).end()  # type: ignore[union-attr]
    while pos < len(line):
        try:
            value, end = read_value(line, pos)
        except (LexError, ValueError):  # ValueError: a numeral Python cannot read (08)
            last = len(line.rstrip(" \t\r\f"))
            return [*spans, (pos, last)] if last > pos else spans
        spans.append((value.start, value.end))
        pos = _blank().match(line, end).end()  # type: ignore[union-attr]
        if pos < len(line) and line[pos] in "#;":
            break
    return spans


def redact(directive: Directive) -> Directive:
    """``directive`` (a setting and its value's literal, or a Python statement) with its
    passwords blanked out."""
    if directive.name == "<python>" and len(directive.args) == 1:
        code = directive.args[0]
        spans = program_secrets(code)
        if not spans:
            return directive
        return Directive(directive.name, [mask_spans(code, spans)], None, directive.line)
    if is_secret_name(directive.name) or len(directive.args) != 1:
        return redact_setting(directive)
    literal = directive.args[0]
    try:
        value, _ = read_value(literal, 0)
    except (LexError, ValueError):
        return redact_setting(directive)
    spans = _value_secrets(literal, value, False)
    if not spans:
        return directive
    return Directive(directive.name, [mask_spans(literal, spans)], None, directive.line)
