"""Tokens and values of LVM's config-tree syntax, read as libdm's ``dm_config`` parser reads
them (``libdm/libdm-config.c``: ``_get_token``, ``_section``, ``_value``, ``_type``).

* A statement is ``NAME = VALUE`` or ``NAME { ... }``; ``}`` closes a section.  A name runs
  to a blank, ``#``, ``=``, ``{`` or ``}`` (or is a quoted string); ``a/b = 1`` and
  ``a/b { }`` name the nested ``b`` of section ``a``.
* A value is a scalar or an array ``[ v, v ]`` (commas optional, ``[ ]`` empty).  A scalar
  after ``=``, ``[`` or ``,`` is a number (a run of digits with one ``.``, after an optional
  sign, which ends at the first other character), a ``"string"`` in which ``\\`` escapes the
  next character, a ``'string'`` without escapes, or else a bare word that runs to a blank,
  ``#``, ``=``, ``{`` or ``}`` (``,`` and ``]`` included).
* ``#`` starts a comment to the end of the line, outside strings.

One token per statement: ``SETTING`` (the name, ``=`` and the whole value), ``HEAD`` (the name
and ``{``) and ``RBRACE``; values are read from the token text on demand, with their spans.
"""

from __future__ import annotations

import re

import attrs

from xsanconf.parsing import Lexed, LexError

__all__ = [
    "MAX_DEPTH",
    "LvmArray",
    "LvmNumber",
    "LvmString",
    "LvmValue",
    "raw_name",
    "read_head",
    "read_setting",
    "tokenize",
    "unquote",
]

# libdm recurses once per section level; real files nest four levels at most.
MAX_DEPTH = 100


@attrs.frozen
class LvmString:
    """A string: ``quote`` is ``"``, ``'`` or ``""`` for a bare word."""

    value: str
    start: int
    end: int
    quote: str


@attrs.frozen
class LvmNumber:
    value: int | float
    start: int
    end: int


@attrs.frozen
class LvmArray:
    items: tuple[LvmString | LvmNumber, ...]
    start: int
    end: int


LvmValue = LvmString | LvmNumber | LvmArray

_TRIVIA = re.compile(r"(?:\s++|\#[^\n]*+)*+")
_NAME = re.compile(r"[^\s#={}]++")
_BARE = re.compile(r"[^\s#={}]++")
_NUMBER = re.compile(r"\.[0-9]*+|[-+0-9][0-9]*+(?:\.[0-9]*+)?")
# a "string" in which a backslash takes the next character along; a 'string' without escapes
_DOUBLE = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_SINGLE = re.compile(r"'[^']*+'")
_ESCAPE = re.compile(r'\\([\\"])')


def unquote(text: str) -> str:
    """A ``"string"``'s value: ``\\"`` and ``\\\\`` stand for ``"`` and ``\\``; any other
    backslash stays (``dm_unescape_double_quotes``)."""
    return _ESCAPE.sub(r"\1", text)


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """The string at ``pos`` (``"`` or ``'``), and the offset past its closing quote."""
    quote = text[pos]
    m = (_DOUBLE if quote == '"' else _SINGLE).match(text, pos)
    if m is None:
        raise LexError(pos, f"string opened with {quote} is not closed before the end of the file")
    body = text[pos + 1 : m.end() - 1]
    return (unquote(body) if quote == '"' else body), m.end()


def _scalar(text: str, pos: int) -> tuple[LvmString | LvmNumber, int]:
    if pos >= len(text):
        raise LexError(pos, "unexpected end of input; expected a value")
    ch = text[pos]
    if ch in "\"'":
        value, end = _quoted(text, pos)
        return LvmString(value, pos, end, ch), end
    if ch in "-+.0123456789":
        m = _NUMBER.match(text, pos)
        assert m is not None
        return LvmNumber(_number(m.group()), pos, m.end()), m.end()
    m = _BARE.match(text, pos)
    if m is None or ch in ",[]":  # libdm's punctuation tokens: no value starts with one
        raise LexError(pos, f"unexpected {ch!r}; expected a value")
    return LvmString(m.group(), pos, m.end(), ""), m.end()


def _number(text: str) -> int | float:
    """As libdm reads it: ``strtoll(…, 0)`` for an integer (a leading 0 is octal), ``strtod``
    for one with a ``.``; a sign or dot alone reads as 0."""
    if "." in text:
        try:
            return float(text)
        except ValueError:
            return 0.0
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits:
        return 0
    if len(digits) > 1 and digits.startswith("0"):
        octal = re.match(r"[0-7]*", digits[1:])
        return sign * int(octal.group() or "0", 8) if octal else 0  # strtoll stops at 8 or 9
    return sign * min(int(digits[:20]), 2**63 - 1)  # strtoll saturates


def _value(text: str, pos: int) -> tuple[LvmValue, int]:
    if pos < len(text) and text[pos] == "[":
        items: list[LvmString | LvmNumber] = []
        i = _TRIVIA.match(text, pos + 1).end()  # type: ignore[union-attr]
        while True:
            if i >= len(text):
                raise LexError(i, "unexpected end of input inside an array; expected ']'")
            if text[i] == "]":
                return LvmArray(tuple(items), pos, i + 1), i + 1
            item, i = _scalar(text, i)
            items.append(item)
            i = _TRIVIA.match(text, i).end()  # type: ignore[union-attr]
            if i < len(text) and text[i] == ",":
                i = _TRIVIA.match(text, i + 1).end()  # type: ignore[union-attr]
    return _scalar(text, pos)


def _name(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] in "\"'":
        name, end = _quoted(text, pos)
    else:
        m = _NAME.match(text, pos)
        if m is None:
            shown = repr(text[pos]) if pos < len(text) else "end of input"
            raise LexError(pos, f"unexpected {shown}; expected a name (NAME = VALUE or NAME {{)")
        name, end = m.group(), m.end()
    if not name:
        raise LexError(pos, "empty section identifier")
    return name, end


def read_setting(text: str, pos: int = 0) -> tuple[str, int, LvmValue, int]:
    """``NAME = VALUE`` at ``pos``: the name, the value's start, the value, and its end."""
    name, end = _name(text, pos)
    i = _TRIVIA.match(text, end).end()  # type: ignore[union-attr]
    if i >= len(text) or text[i] != "=":
        raise LexError(i, f"expected '=' or '{{' after {name!r}")
    start = _TRIVIA.match(text, i + 1).end()  # type: ignore[union-attr]
    value, stop = _value(text, start)
    return name, start, value, stop


def read_head(text: str) -> str:
    """The name a ``HEAD`` token opens."""
    return _name(text, 0)[0]


def tokenize(text: str) -> Lexed:
    """One token per statement: ``SETTING``, ``HEAD`` (``NAME {``) or ``RBRACE``."""
    lexed = Lexed()
    pos = 0
    depth = 0
    trivia = _TRIVIA.match
    end = len(text)
    while True:
        gap_start = pos
        pos = trivia(text, pos).end()  # type: ignore[union-attr]
        if pos >= end:
            return lexed.finish(text[gap_start:])
        if text[pos] == "}":
            depth -= 1
            lexed.add(text[gap_start:pos], "RBRACE", "}", pos)
            pos += 1
            continue
        _, name_end = _name(text, pos)
        after = trivia(text, name_end).end()  # type: ignore[union-attr]
        if after < end and text[after] == "{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LexError(pos, f"sections nested deeper than {MAX_DEPTH} levels")
            lexed.add(text[gap_start:pos], "HEAD", text[pos : after + 1], pos)
            pos = after + 1
            continue
        _, _, _, stop = read_setting(text, pos)
        lexed.add(text[gap_start:pos], "SETTING", text[pos:stop], pos)
        pos = stop


def raw_name(text: str) -> str:
    """A statement's name as written (quotes kept)."""
    return text[: _name(text, 0)[1]]
