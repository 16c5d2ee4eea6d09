"""The ``xend-config`` codec: ``/etc/xen/xend-config.sxp`` (xm/xend, Xen 3.x to 4.4).

The file is a sequence of S-expressions ``(name value...)`` with ``#`` comments
(xend-config.sxp(5)).
Atoms are bare words or quoted strings (``'...'`` or ``"..."``; a backslash escapes the next
character, so a regex dot is written ``\\\\.``).  xend looks a setting up with
``sxp.child_value``, which returns the first expression of that name: the first one wins.
Booleans are read as ``XendOptions.get_config_bool`` does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Union

import attrs

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.domain.numerals import read_int
from xsanconf.formats._lines import LineView, append_last_line, check_one_line, plain_key
from xsanconf.parsing import Lexed, LexError, parse_with
from xsanconf.secrets import (
    is_secret_name,
    redact,  # blanks secrets in `xsanconf parse --json`
)
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "SxpAtom",
    "SxpList",
    "XendConfig",
    "XendEntry",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_bool",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "xend-config"

_TRIVIA = re.compile(r"(?:\s++|\#[^\n]*+)*+")
_BARE = re.compile(r"[^\s()'\"#]++")
_TRUE = frozenset({"yes", "y", "1", "on", "true", "t"})
_FALSE = frozenset({"no", "n", "0", "off", "false", "f"})
MAX_DEPTH = 50


@attrs.frozen
class SxpAtom:
    value: str
    start: int
    end: int
    quoted: bool


@attrs.frozen
class SxpList:
    items: tuple[SxpItem, ...]
    start: int
    end: int


SxpItem = Union[SxpAtom, SxpList]  # noqa: UP007 - a runtime alias used before Python 3.12


def _read_string(text: str, pos: int) -> tuple[SxpAtom, int]:
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return SxpAtom("".join(out), pos, i + 1, True), i + 1
        out.append(ch)
        i += 1
    raise LexError(pos, f"string opened with {quote} is not closed")


def read_item(text: str, pos: int, depth: int = 0) -> tuple[SxpItem, int]:
    """The atom or list at ``pos`` and the offset just past it."""
    if depth > MAX_DEPTH:
        raise LexError(pos, f"lists nested deeper than {MAX_DEPTH} levels")
    ch = text[pos]
    if ch in "'\"":
        return _read_string(text, pos)
    if ch == "(":
        items: list[SxpItem] = []
        i = _TRIVIA.match(text, pos + 1).end()  # type: ignore[union-attr]
        while i < len(text) and text[i] != ")":
            item, i = read_item(text, i, depth + 1)
            items.append(item)
            i = _TRIVIA.match(text, i).end()  # type: ignore[union-attr]
        if i >= len(text):
            raise LexError(pos, "'(' is never closed by ')'")
        return SxpList(tuple(items), pos, i + 1), i + 1
    if ch == ")":
        raise LexError(pos, "unexpected ')' without a matching '('")
    m = _BARE.match(text, pos)
    assert m is not None
    return SxpAtom(m.group(), pos, m.end(), False), m.end()


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    pos = 0
    while True:
        gap_start = pos
        pos = _TRIVIA.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            return lexed.finish(text[gap_start:])
        if text[pos] != "(":
            raise LexError(pos, "expected '(' to start a setting such as (name value)")
        _, end = read_item(text, pos)
        lexed.add(text[gap_start:pos], "SEXP", text[pos:end], pos)
        pos = end


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("xend-config", tokenize, text, path=path, names={"SEXP": "(name value)"})


def model(doc: Document) -> XendConfig:
    return XendConfig(doc)


# blanks, not \s: see xen_domain's sniff
_SNIFF = re.compile(r"^[^\S\n]*+\((xend-|dom0-|vif-script|network-script|enable-dom0)", re.M)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None


def parse_bool(value: str | None) -> bool | None:
    """``yes y 1 on true t`` / ``no n 0 off false f`` (any case); None for anything else."""
    if value is None:
        return None
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _plain(item: SxpItem) -> str | list[object]:
    if isinstance(item, SxpAtom):
        return item.value
    return [_plain(i) for i in item.items]


def _quoted(value: str) -> str:
    if value and _BARE.fullmatch(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _in_quotes(value: str, quote: str) -> str:
    return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


class XendEntry(LineView):
    """``(name value...)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"XendEntry({self.token.text!r})"

    def _list(self) -> SxpList:
        item, _ = read_item(self.token.text, 0)
        assert isinstance(item, SxpList)
        return item

    @property
    def name(self) -> str:
        items = self._list().items
        return items[0].value if items and isinstance(items[0], SxpAtom) else ""

    @property
    def values(self) -> list[str | list[object]]:
        return [_plain(i) for i in self._list().items[1:]]

    @property
    def value(self) -> str | None:
        """The first value when it is an atom."""
        items = self._list().items[1:]
        return items[0].value if items and isinstance(items[0], SxpAtom) else None

    def set(self, value: str) -> None:
        """Replace the values by one atom, quoted when it needs to be."""
        items = self._list().items
        text = self.token.text
        if len(items) > 1:
            start, end = items[1].start, items[-1].end
            first = items[1]
            quote = text[start] if isinstance(first, SxpAtom) and first.quoted else None
            new = _quoted(value) if quote is None else _in_quotes(value, quote)
            self.token.text = text[:start] + new + text[end:]
        else:
            close = len(text) - 1
            self.token.text = text[:close].rstrip() + " " + _quoted(value) + text[close:]
        self.doc.touched()


class XendConfig:
    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def entries(self, name: str | None = None) -> list[XendEntry]:
        found = [
            XendEntry(self.doc, c)
            for c in self.doc.root.children
            if isinstance(c, Token) and c.kind == "SEXP"
        ]
        return found if name is None else [e for e in found if e.name == name]

    def entry(self, name: str) -> XendEntry | None:
        """The entry xend reads: the first of that name."""
        found = self.entries(name)
        return found[0] if found else None

    def value(self, name: str) -> str | None:
        found = self.entry(name)
        return found.value if found else None

    def flag(self, name: str) -> bool | None:
        return parse_bool(self.value(name))

    @property
    def relocation_server(self) -> bool:
        """Plain-TCP relocation listener (default off)."""
        return bool(self.flag("xend-relocation-server"))

    @property
    def relocation_ssl_server(self) -> bool:
        return bool(self.flag("xend-relocation-ssl-server"))

    @property
    def relocation_port(self) -> int:
        value = self.value("xend-relocation-port")
        number = read_int(value.strip()) if value else None
        return 8002 if number is None else number

    @property
    def relocation_address(self) -> str:
        """The bind address; empty means every interface."""
        return self.value("xend-relocation-address") or ""

    @property
    def relocation_hosts_allow(self) -> list[str]:
        """The allowed-peer regexes; empty (the default) allows every peer."""
        return (self.value("xend-relocation-hosts-allow") or "").split()

    def set(self, name: str, value: str) -> XendEntry:
        found = self.entry(name)
        if found is not None:
            found.set(value)
            return found
        token = Token("SEXP", f"({name} {_quoted(value)})")
        root = self.doc.root
        anchor = next((c for c in reversed(root.children) if isinstance(c, Token)), None)
        newline = edit.newline_style(root)
        if anchor is None:
            append_last_line(root, token)
        else:
            edit.insert_line_after(root, anchor, token, "", newline)
        self.doc.touched()
        return XendEntry(self.doc, token)


def directives(doc: Document) -> list[Directive]:
    out = []
    for e in XendConfig(doc).entries():
        args = [v if isinstance(v, str) else _sexp(v) for v in e.values]
        out.append(Directive(e.name, args, None, e.position[0]))
    return out


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The values of a ``(vncpasswd ...)`` expression (of any setting whose name names a
    password).  In a file that did not parse, each such expression is read within its line."""
    if token.kind == "SEXP":
        item, _ = read_item(token.text, 0)
        assert isinstance(item, SxpList)
        name = item.items[0] if item.items else None
        if isinstance(name, SxpAtom) and is_secret_name(name.value):
            return [(i.start, i.end) for i in item.items[1:]]
        return []
    if token.kind == "RAW":
        return _scan_secrets(token.text)
    return []


def _scan_secrets(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"\((?:\s|\#[^\n]*)*+([^\s()'\"#]++)", text):
        if not is_secret_name(m.group(1)):
            continue
        # the values start on the name's line or a later one; each is read within its line
        first = _TRIVIA.match(text, m.end()).end()  # type: ignore[union-attr]
        stop = text.find("\n", first)
        line = text[first : stop if stop >= 0 else len(text)]
        pos = 0
        while pos < len(line) and line[pos] != ")":
            try:
                item, end = read_item(line, pos)
            except LexError:
                spans.append((first + pos, first + len(line.rstrip())))
                break
            spans.append((first + item.start, first + item.end))
            pos = _TRIVIA.match(line, end).end()  # type: ignore[union-attr]
    return spans


def _sexp(value: object) -> str:
    if isinstance(value, list):
        return "(" + " ".join(_sexp(v) for v in value) + ")"
    return _quoted(str(value))


def _written_list(arg: str) -> bool:
    """Whether ``arg`` is a list as :func:`directives` writes one, ``(a b)``, and not an atom
    that starts with ``(``: such an atom is quoted."""
    if not arg.startswith("("):
        return False
    from xsanconf.errors import ParseError

    try:
        parse(f"(x {arg})\n")
    except ParseError:
        return False
    return True


def build(items: list[Directive]) -> str:
    lines = []
    for d in items:
        args = [a if _written_list(a) else _quoted(a) for a in d.args]
        lines.append("(" + " ".join([d.name, *args]) + ")\n")
    return "".join(lines)


# selectors: the setting's name (``xend-relocation-server``)


def _name(selector: str) -> str:
    return plain_key(selector, KIND, "xend-relocation-server")


def get_value(doc: Document, selector: str) -> list[str]:
    """The value of the first expression of that name (the one xend reads); a list value is
    shown as S-expression text."""
    found = XendConfig(doc).entry(_name(selector))
    if found is None:
        return []
    return [" ".join(v if isinstance(v, str) else _sexp(v) for v in found.values)]


def set_value(doc: Document, selector: str, value: str) -> None:
    """Set the first expression of that name to one atom (quoted when it must be), or add it
    after the last expression."""
    XendConfig(doc).set(_name(selector), check_one_line(value))


def unset_value(doc: Document, selector: str) -> int:
    found = XendConfig(doc).entries(_name(selector))
    for entry in found:
        entry.remove()
    return len(found)
