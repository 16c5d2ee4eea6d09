"""JSON tokens as Python's ``json`` module reads them (rtslib-fb restores with ``json.loads``).

RFC 8259 JSON, plus what CPython's decoder also takes: ``NaN``, ``Infinity`` and ``-Infinity``
as numbers, and any value (not only an object) at the top.  Whitespace is only space, tab, LF
and CR.  A string holds no raw control character (U+0000 to U+001F) and only the escapes
``\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX``.  targetctl reads the file as UTF-8 text, so bytes that
are not UTF-8 (kept by xsanconf as surrogate escapes) stop it before ``json`` sees them: they
are refused here too.  Nesting is bounded (:data:`MAX_DEPTH`), as every reader of xsanconf is.
"""

from __future__ import annotations

import re

from xsanconf.parsing import Lexed, LexError

__all__ = ["MAX_DEPTH", "decode_string", "tokenize"]

MAX_DEPTH = 100

# One token with the whitespace before it; the group that matched names the token's kind.
_TOKEN = re.compile(
    r"[ \t\n\r]*+(?:"
    r'("(?:[^"\\\x00-\x1f\udc80-\udcff]++|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*+")'
    r"|(-?(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?(?:[eE][-+]?[0-9]++)?|NaN|-?Infinity)"
    r"|(true|false|null)"
    r"|([{}\[\],:]))"
)
_WHITESPACE = re.compile(r"[ \t\n\r]*+")
_KINDS = (None, "STRING", "NUMBER", "LITERAL")
_PUNCTUATION = {
    "{": "LBRACE",
    "}": "RBRACE",
    "[": "LBRACK",
    "]": "RBRACK",
    ",": "COMMA",
    ":": "COLON",
}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")


def _string_problem(text: str, pos: int) -> LexError:
    """Why the string that starts at ``pos`` is not one ``json`` reads."""
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\":
            escape = text[i + 1 : i + 2]
            if escape == "u":
                if not re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                    return LexError(i, "\\u must be followed by four hexadecimal digits")
                i += 6
                continue
            if escape not in _ESCAPES:
                return LexError(i, f"invalid escape {text[i : i + 2]!r} in a string")
            i += 2
            continue
        if ch < " ":
            return LexError(i, f"control character {ch!r} in a string: json refuses it")
        if "\udc80" <= ch <= "\udcff":
            return LexError(i, "bytes that are not UTF-8: targetctl reads the file as UTF-8")
        i += 1
    return LexError(pos, "string is not closed by '\"'")


def _problem(text: str, pos: int) -> LexError:
    ch = text[pos]
    if ch == '"':
        return _string_problem(text, pos)
    if ch == "\ufeff" and pos == 0:
        return LexError(pos, "a byte order mark before the JSON: json refuses it")
    if "\udc80" <= ch <= "\udcff":
        return LexError(pos, "bytes that are not UTF-8: targetctl reads the file as UTF-8")
    if ch == "'":
        return LexError(pos, "strings are written in double quotes in JSON")
    if ch in "/#":
        return LexError(pos, "JSON has no comments")
    word = re.match(r"[^\s{}\[\],:\"]{1,40}", text[pos:])
    shown = word.group() if word else ch
    return LexError(pos, f"{shown!r} is not a JSON value")


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    add = lexed.add
    match = _TOKEN.match
    end = len(text)
    pos = 0
    depth = 0
    while True:
        m = match(text, pos)
        if m is None:
            start = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
            if start >= end:
                return lexed.finish(text[pos:])
            raise _problem(text, start)
        group = m.lastindex
        assert group is not None
        start = m.start(group)
        value = m.group(group)
        if group == 4:
            kind = _PUNCTUATION[value]
            if value in "{[":
                depth += 1
                if depth > MAX_DEPTH:
                    raise LexError(start, f"objects and arrays nested deeper than {MAX_DEPTH}")
            elif value in "}]":
                depth -= 1
        else:
            kind = _KINDS[group]  # type: ignore[assignment]
        add(text[pos:start], kind, value, start)
        pos = m.end()


def _unescape(m: re.Match[str]) -> str:
    escape = m.group(1)
    if escape[0] == "u":
        return chr(int(escape[1:], 16))
    return _ESCAPES[escape]


def decode_string(literal: str) -> str:
    """The value of a string token (quotes included), as ``json`` reads it: surrogate pairs
    written as two ``\\u`` escapes join into one character, as CPython joins them."""
    inner = literal[1:-1]
    if "\\" not in inner:
        return inner
    value = _ESCAPE.sub(_unescape, inner)
    if any("\ud800" <= c <= "\udfff" for c in value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    return value
