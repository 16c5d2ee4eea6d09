"""Tokens and values of Xen configs: the static subset of Python that xm and xl both read.

xm executed a guest config as Python; xl (libxlu, xl.cfg(5) "SYNTAX") reads ``KEY=VALUE``
settings separated by newlines or ``;``, where a value is a single- or double-quoted string, a
number (decimal, ``0`` octal, ``0x`` hex) or a ``[ ... ]`` list, with ``#`` comments.  This
reader accepts that subset plus what static xm configs also use -- triple-quoted and raw
strings, ``True``/``False``/``None``, trailing commas, line continuations -- and refuses
everything that would need Python to be run, naming the construct and where it is.

Values are read from the token text on demand; every value keeps its span (offsets into the
text it was read from), so an edit replaces exactly its characters.
"""

from __future__ import annotations

import re

import attrs

from xsanconf.domain.numerals import MAX_DIGITS, NumeralError, parse_int
from xsanconf.parsing import Lexed, LexError

__all__ = [
    "NeedsPythonError",
    "XenConstant",
    "XenList",
    "XenNumber",
    "XenString",
    "XenUnknown",
    "XenValue",
    "read_assignment",
    "read_value",
    "tokenize",
]


# ``computed``: the value was worked out from an expression (a name, ``+``, ``%``) rather than
# written as this literal; its span is the expression's, which an item edit must not replace.


@attrs.frozen
class XenString:
    value: str
    start: int
    end: int
    computed: bool = False


@attrs.frozen
class XenNumber:
    value: int | float
    start: int
    end: int
    computed: bool = False


@attrs.frozen
class XenConstant:
    """``True``, ``False`` or ``None`` (xm only: xl has no such words)."""

    value: bool | None
    start: int
    end: int
    computed: bool = False


@attrs.frozen
class XenList:
    items: tuple[XenValue, ...]
    start: int
    end: int
    computed: bool = False


@attrs.frozen
class XenUnknown:
    """A value only running the config would give (xm configs that are Python programs):
    ``why`` says what it depends on."""

    why: str
    start: int
    end: int
    computed: bool = True


XenValue = XenString | XenNumber | XenConstant | XenList | XenUnknown


class NeedsPythonError(LexError):
    """The text is no plain ``KEY = VALUE`` config: only Python reads it (xm did)."""


_PYTHON_STATEMENTS = frozenset(
    {
        "import",
        "from",
        "if",
        "elif",
        "else",
        "def",
        "for",
        "while",
        "class",
        "try",
        "except",
        "finally",
        "with",
        "return",
        "print",
        "global",
        "del",
        "assert",
        "lambda",
        "raise",
        "exec",
        "pass",
        "yield",
    }
)
_CONSTANTS: dict[str, bool | None] = {"True": True, "False": False, "None": None}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+")
_DOTTED_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+(?:\.[A-Za-z_][A-Za-z0-9_]*+)*+")
_TRIVIA = re.compile(r"(?:[ \t\r\n\f]++|\#[^\n]*+|\\\r?\n)*+")
_BLANK = re.compile(r"(?:[ \t\f]++|\\\r?\n)*+")
_NUMBER = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F]++|0[oO][0-7]++|(?:[0-9]++(?:\.[0-9]*+)?|\.[0-9]++)(?:[eE][-+]?[0-9]++)?)[lL]?"
)
_STRING_START = re.compile(r"[rRuU]?(?:'''|\"\"\"|'|\")")
_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\n": "",
}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|\r?\n|.)", re.S)


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "x" and len(code) == 3:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        if code in ("\r\n",):
            return ""
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(one, body)


def _python_only(pos: int, what: str) -> LexError:
    return NeedsPythonError(
        pos,
        f"{what}: this needs Python to evaluate; xsanconf reads only KEY = VALUE settings "
        "(strings, numbers, lists) and never runs a config",
    )


def _read_string(text: str, pos: int) -> tuple[XenString, int]:
    m = _STRING_START.match(text, pos)
    assert m is not None
    opener = m.group()
    raw = opener[0] in "rR"
    quote = opener.lstrip("rRuU")
    body_start = m.end()
    i = body_start
    end = len(text)
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            body = text[body_start:i]
            value = body if raw else _unescape(body)
            return XenString(value, pos, i + len(quote)), i + len(quote)
        if ch == "\n" and len(quote) == 1:
            break
        i += 1
    return _unterminated(pos, quote)


def _unterminated(pos: int, quote: str) -> tuple[XenString, int]:
    where = "before the end of the line" if len(quote) == 1 else "before the end of the file"
    raise LexError(pos, f"string opened with {quote} is not closed {where}")


def _read_list(text: str, pos: int, depth: int) -> tuple[XenList, int]:
    closer = "]" if text[pos] == "[" else ")"
    if closer == ")":
        raise _python_only(pos, "a tuple or parenthesised expression")
    items: list[XenValue] = []
    i = _TRIVIA.match(text, pos + 1).end()  # type: ignore[union-attr]
    while True:
        if i >= len(text):
            raise LexError(i, "unexpected end of input inside a list; expected ']'")
        if text[i] == closer:
            return XenList(tuple(items), pos, i + 1), i + 1
        item, i = read_value(text, i, depth + 1)
        items.append(item)
        i = _TRIVIA.match(text, i).end()  # type: ignore[union-attr]
        if i < len(text) and text[i] == ",":
            i = _TRIVIA.match(text, i + 1).end()  # type: ignore[union-attr]
        elif i < len(text) and text[i] != closer:
            raise _after_value(text, i, "',' or ']'")


def read_value(text: str, pos: int, depth: int = 0) -> tuple[XenValue, int]:
    """The value that starts at ``pos`` and the offset just past it."""
    if depth > 50:
        raise LexError(pos, "lists nested deeper than 50 levels")
    if pos >= len(text):
        raise LexError(pos, "unexpected end of input; expected a value")
    ch = text[pos]
    if _STRING_START.match(text, pos):
        return _read_string(text, pos)
    if ch in "[(":
        return _read_list(text, pos, depth)
    m = _NUMBER.match(text, pos)
    if m is not None and not _KEY.match(text, m.end()):
        digits = m.group().rstrip("lL")
        return XenNumber(_number(digits, pos), pos, m.end()), m.end()
    m = _KEY.match(text, pos)
    if m is not None:
        word = m.group()
        if word in _CONSTANTS:
            return XenConstant(_CONSTANTS[word], pos, m.end()), m.end()
        follow = _BLANK.match(text, m.end()).end()  # type: ignore[union-attr]
        if follow < len(text) and text[follow] == "(":
            raise _python_only(pos, f"a call of {word}()")
        raise _python_only(pos, f"a reference to the variable {word!r}")
    if ch == "{":
        raise _python_only(pos, "a dictionary")
    raise LexError(pos, f"unexpected {_shown(ch)}; expected a string, a number or a list")


def _number(digits: str, pos: int) -> int | float:
    sign = -1 if digits.startswith("-") else 1
    body = digits.lstrip("+-")
    base, numeral = 10, body
    if body[:2].lower() in ("0x", "0o"):
        base, numeral = (16 if body[1] in "xX" else 8), body[2:]
    elif len(body) > 1 and body.startswith("0") and body.isdigit():
        base = 8  # C and Python 2 read a leading 0 as octal
    elif not body.isdigit():
        return sign * float(body)
    try:
        return sign * parse_int(numeral, base)
    except NumeralError as error:
        # xl keeps the text and strtol() stops at the bad digit or overflows: the setting is
        # "not a valid number" and ignored; xm (Python 2) refuses the whole file.
        why = str(error)
        if base == 8 and len(numeral) <= MAX_DIGITS:
            why = f"{digits!r} starts with 0, so it is octal, and holds a digit 8 or 9"
        raise LexError(pos, f"not a number xm or xl can read: {why}") from None


def _shown(ch: str) -> str:
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


def _after_value(text: str, pos: int, expected: str) -> LexError:
    ch = text[pos]
    if ch in "%+*/-<>=!&|^~@" or ch.isidentifier():
        return _python_only(pos, f"an expression with {ch!r}")
    if ch in "'\"":
        return _python_only(pos, "strings written one after another (implicit concatenation)")
    if ch in "[.(":
        return _python_only(pos, f"indexing, an attribute or a call ({ch!r})")
    return LexError(pos, f"unexpected {_shown(ch)}; expected {expected}")


def read_assignment(text: str, pos: int, dotted: bool) -> tuple[int, int, XenValue, int]:
    """``KEY = VALUE`` at ``pos``: key end, value start, the value, and the statement end."""
    key = (_DOTTED_KEY if dotted else _KEY).match(text, pos)
    if key is None:
        if text[pos] in "@([{'\"`-+~." or text[pos].isdigit():
            raise _python_only(pos, f"a Python statement starting with {text[pos]!r}")
        raise LexError(pos, f"unexpected {_shown(text[pos])}; expected a setting (KEY = VALUE)")
    word = key.group()
    if word in _PYTHON_STATEMENTS:
        raise _python_only(pos, f"a Python {word!r} statement")
    i = _BLANK.match(text, key.end()).end()  # type: ignore[union-attr]
    if i >= len(text) or text[i] != "=" or text.startswith("==", i):
        if i < len(text) and text[i] == "(":
            raise _python_only(pos, f"a call of {word}()")
        if i < len(text) and text[i] == ".":
            raise _python_only(i, "an attribute access")
        if i < len(text) and text[i] in "[,:":
            raise _python_only(i, f"an assignment Python reads ({text[i]!r})")
        if i < len(text) and text[i] in "+-*/%" and text.startswith("=", i + 1):
            raise _python_only(i, f"an augmented assignment ({text[i]}=)")
        raise LexError(i, f"expected '=' after the setting name {word!r}")
    start = _BLANK.match(text, i + 1).end()  # type: ignore[union-attr]
    value, end = read_value(text, start)
    after = _BLANK.match(text, end).end()  # type: ignore[union-attr]
    if after < len(text) and text[after] not in "\r\n#;":
        raise _after_value(text, after, "the end of the line")
    return key.end(), start, value, end


def tokenize(text: str, dotted: bool = False) -> Lexed:
    """One ASSIGN token per setting (``KEY = VALUE``), SEMI for ``;``."""
    lexed = Lexed()
    pos = 0
    trivia = _TRIVIA.match
    end = len(text)
    while True:
        m = trivia(text, pos)
        gap_start = pos
        pos = m.end()  # type: ignore[union-attr]
        if pos >= end:
            return lexed.finish(text[gap_start:])
        if text[pos] == ";":
            lexed.add(text[gap_start:pos], "SEMI", ";", pos)
            pos += 1
            continue
        _, _, _, stop = read_assignment(text, pos, dotted)
        lexed.add(text[gap_start:pos], "ASSIGN", text[pos:stop], pos)
        pos = stop


def tokenize_dotted(text: str) -> Lexed:
    return tokenize(text, dotted=True)
