"""The ``init-script`` codec: SysV init scripts, read for their LSB header and nothing else.

The header block (``### BEGIN INIT INFO`` ... ``### END INIT INFO``) is what insserv, chkconfig
and systemd's sysv-generator read to order services.  Each of its lines is one token; the rest of
the script is kept verbatim as opaque ``SCRIPT`` tokens and never interpreted, let alone run.

Header lines follow the LSB 3.1 "Comment Conventions for Init Scripts": ``# Keyword: value``,
with continuation lines of a multi-line ``Description`` starting with ``#`` and a tab or at least
two spaces.  insserv matches keywords without regard to case; so does :meth:`LsbHeader.field`.
A RHEL ``# chkconfig: <levels> <start> <stop>`` line is typed as well.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.domain.numerals import read_int
from xsanconf.formats._lines import check_one_line, plain_key
from xsanconf.parsing import Lexed, LexError, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "KNOWN_FIELDS",
    "Chkconfig",
    "InitScript",
    "LsbField",
    "LsbHeader",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "set_value",
    "sniff",
    "tokenize",
    "unset_value",
]

KIND = "init-script"

# Keywords of the LSB header that insserv (and Debian's sysv-rc) reads, in their usual spelling.
KNOWN_FIELDS = (
    "Provides",
    "Required-Start",
    "Required-Stop",
    "Should-Start",
    "Should-Stop",
    "X-Start-Before",
    "X-Stop-After",
    "Default-Start",
    "Default-Stop",
    "Short-Description",
    "Description",
    "X-Interactive",
)
_KNOWN_LOWER = {k.lower(): k for k in KNOWN_FIELDS}

_LINE = re.compile(r"[^\n]*+\n?")
_BEGIN = re.compile(r"###[ \t]*+BEGIN INIT INFO[ \t\r]*+$")
_END = re.compile(r"###[ \t]*+END INIT INFO[ \t\r]*+$")
_FIELD = re.compile(r"#[ \t]*+([A-Za-z][A-Za-z0-9_-]*+)[ \t]*+:")
_CONT = re.compile(r"#(?:\t| {2})")
_CHKCONFIG = re.compile(r"#[ \t]*+chkconfig[ \t]*+:", re.IGNORECASE)

_NAMES = {
    "SCRIPT": "script text",
    "CHKCONFIG": "a chkconfig line",
    "BEGIN": "'### BEGIN INIT INFO'",
    "FIELD": "a header field",
    "CONT": "a continuation line",
    "OTHER": "a comment line",
    "END": "'### END INIT INFO'",
}


def _header_kind(content: str, previous: str | None) -> str:
    """FIELD, CONT or OTHER for a line inside the header block."""
    field = _FIELD.match(content)
    if field is not None and (
        field.group(1).lower() in _KNOWN_LOWER or not _CONT.match(content) or previous is None
    ):
        return "FIELD"
    if previous in ("FIELD", "CONT") and _CONT.match(content):
        return "CONT"
    return "FIELD" if field is not None else "OTHER"


def _classify(text: str) -> list[tuple[str, int, int]]:
    """Each line's kind and the span of its content (without the line end)."""
    lines: list[tuple[str, int, int]] = []
    in_header = False
    begin_at = 0
    previous: str | None = None
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        if start == end:
            break
        stop = end - 1 if text.endswith("\n", start, end) else end
        if text.endswith("\r", start, stop):
            stop -= 1
        content = text[start:stop]
        if in_header:
            if _END.match(content):
                kind, in_header = "END", False
            elif not content.strip():
                kind = "BLANK"
            else:
                kind = _header_kind(content, previous)
            previous = kind if kind != "BLANK" else previous
        elif _BEGIN.match(content):
            kind, in_header, begin_at, previous = "BEGIN", True, start, None
        elif _CHKCONFIG.match(content):
            kind = "CHKCONFIG"
        else:
            kind = "BLANK" if not content.strip() else "SCRIPT"
        lines.append((kind, start, stop))
    if in_header:
        raise LexError(begin_at, "'### BEGIN INIT INFO' is never closed by '### END INIT INFO'")
    return lines


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    spans: list[tuple[str, int, int]] = []
    for kind, start, stop in _classify(text):
        if kind == "BLANK":
            continue
        if kind == "SCRIPT" and spans and spans[-1][0] == "SCRIPT":
            spans[-1] = ("SCRIPT", spans[-1][1], stop)
        else:
            spans.append((kind, start, stop))
    pos = 0
    for kind, start, stop in spans:
        lexed.add(text[pos:start], kind, text[start:stop], start)
        pos = stop
    return lexed.finish(text[pos:])


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("init-script", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> InitScript:
    return InitScript(doc)


def sniff(text: str) -> bool:
    return any(_BEGIN.match(line) for line in text.splitlines()[:200])


class LsbField:
    """``# Keyword: value`` and its continuation lines."""

    __slots__ = ("continuations", "doc", "header", "token")

    def __init__(
        self, doc: Document, header: LsbHeader, token: Token, continuations: list[Token]
    ) -> None:
        self.doc = doc
        self.header = header
        self.token = token
        self.continuations = continuations

    def __repr__(self) -> str:
        return f"LsbField({self.token.text!r})"

    def _split(self) -> tuple[str, str]:
        m = _FIELD.match(self.token.text)
        assert m is not None
        return m.group(1), self.token.text[m.end() :]

    @property
    def key(self) -> str:
        """The keyword as written."""
        return self._split()[0]

    @property
    def canonical_key(self) -> str:
        """The keyword in its LSB spelling (``required-start`` -> ``Required-Start``)."""
        key = self.key
        return _KNOWN_LOWER.get(key.lower(), key)

    @property
    def value(self) -> str:
        """The value, continuation lines joined by a space."""
        parts = [self._split()[1].strip()]
        parts += [c.text[1:].strip() for c in self.continuations]
        return " ".join(p for p in parts if p)

    @property
    def words(self) -> list[str]:
        return self.value.split()

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def text_with(self, words: list[str]) -> str:
        """The keyword's line with ``words`` as its value, the alignment after the colon kept."""
        m = _FIELD.match(self.token.text)
        assert m is not None
        rest = self.token.text[m.end() :]
        lead = rest[: len(rest) - len(rest.lstrip(" \t"))]
        if not lead and words:
            lead = " "
        return self.token.text[: m.end()] + (lead + " ".join(words) if words else lead)

    def set_words(self, words: list[str]) -> None:
        """Replace the value on the keyword's line (continuation lines go)."""
        self.token.text = self.text_with(words)
        for extra in self.continuations:
            edit.remove_child(self.header.node, extra)
        self.continuations = []
        self.doc.touched()

    def add_word(self, word: str) -> None:
        if word not in self.words:
            self.set_words([*self.words, word])

    def remove_word(self, word: str) -> None:
        self.set_words([w for w in self.words if w != word])

    def remove(self) -> None:
        for item in [self.token, *self.continuations]:
            edit.remove_child(self.header.node, item)
        self.doc.touched()


class LsbHeader:
    """The ``### BEGIN INIT INFO`` block."""

    __slots__ = ("doc", "node")

    def __init__(self, doc: Document, node: Node) -> None:
        self.doc = doc
        self.node = node

    @property
    def begin(self) -> Token:
        first = self.node.children[0]
        assert isinstance(first, Token)
        return first

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.begin)

    def fields(self) -> list[LsbField]:
        found: list[LsbField] = []
        for child in self.node.children:
            if not isinstance(child, Token):
                continue
            if child.kind == "FIELD":
                found.append(LsbField(self.doc, self, child, []))
            elif child.kind == "CONT" and found:
                found[-1].continuations.append(child)
        return found

    def field(self, key: str) -> LsbField | None:
        """The first field with this keyword, compared without regard to case."""
        wanted = key.lower()
        return next((f for f in self.fields() if f.key.lower() == wanted), None)

    def words(self, key: str) -> list[str]:
        found = self.field(key)
        return found.words if found else []

    @property
    def provides(self) -> list[str]:
        return self.words("Provides")

    @property
    def required_start(self) -> list[str]:
        return self.words("Required-Start")

    @property
    def required_stop(self) -> list[str]:
        return self.words("Required-Stop")

    @property
    def should_start(self) -> list[str]:
        return self.words("Should-Start")

    @property
    def should_stop(self) -> list[str]:
        return self.words("Should-Stop")

    @property
    def start_before(self) -> list[str]:
        return self.words("X-Start-Before")

    @property
    def stop_after(self) -> list[str]:
        return self.words("X-Stop-After")

    @property
    def default_start(self) -> list[str]:
        return self.words("Default-Start")

    @property
    def default_stop(self) -> list[str]:
        return self.words("Default-Stop")

    @property
    def short_description(self) -> str | None:
        found = self.field("Short-Description")
        return found.value if found else None

    def set(self, key: str, *words: str) -> LsbField:
        """Set a field's words: change its line, or add a line before ``### END INIT INFO``."""
        found = self.field(key)
        if found is not None:
            found.set_words(list(words))
            return found
        token = Token("FIELD", self.format_line(key, list(words)))
        fields = self.fields()
        anchor = fields[-1].continuations[-1] if fields and fields[-1].continuations else None
        anchor = anchor or (fields[-1].token if fields else self.begin)
        newline = edit.newline_style(self.doc.root)
        edit.insert_line_after(self.node, anchor, token, "", newline)
        self.doc.touched()
        return LsbField(self.doc, self, token, [])

    def add_word(self, key: str, word: str) -> LsbField:
        """Add ``word`` to a field (``Required-Start``, ...), creating the field if missing."""
        found = self.field(key)
        if found is None:
            return self.set(key, word)
        found.add_word(word)
        return found

    def format_line(self, key: str, words: list[str]) -> str:
        """``# Key: words`` with the value aligned like the other fields."""
        column = None
        for f in self.fields():
            m = _FIELD.match(f.token.text)
            assert m is not None
            rest = f.token.text[m.end() :]
            if rest.strip():
                column = m.end() + len(rest) - len(rest.lstrip(" "))
                break
        head = f"# {key}:"
        pad = " " * (column - len(head)) if column and column > len(head) else " "
        return head + (pad + " ".join(words) if words else "")


class Chkconfig:
    """``# chkconfig: <levels> <start> <stop>`` (RHEL; ``-`` for levels means none by default)."""

    __slots__ = ("doc", "token")

    def __init__(self, doc: Document, token: Token) -> None:
        self.doc = doc
        self.token = token

    def _words(self) -> list[str]:
        m = _CHKCONFIG.match(self.token.text)
        assert m is not None
        return self.token.text[m.end() :].split()

    @property
    def levels(self) -> str | None:
        found = self._words()
        return found[0] if found else None

    @property
    def start(self) -> int | None:
        found = self._words()
        return read_int(found[1]) if len(found) > 1 else None

    @property
    def stop(self) -> int | None:
        found = self._words()
        return read_int(found[2]) if len(found) > 2 else None


class InitScript:
    """An init script: its LSB header (if any), its chkconfig line, and opaque script text."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    @property
    def header(self) -> LsbHeader | None:
        """The first LSB header block (insserv reads only the first)."""
        for child in self.doc.root.children:
            if isinstance(child, Node) and child.kind == "lsb":
                return LsbHeader(self.doc, child)
        return None

    @property
    def chkconfig(self) -> Chkconfig | None:
        for child in self.doc.root.children:
            if isinstance(child, Token) and child.kind == "CHKCONFIG":
                return Chkconfig(self.doc, child)
        return None

    @property
    def provides(self) -> list[str]:
        header = self.header
        return header.provides if header else []


def directives(doc: Document) -> list[Directive]:
    out: list[Directive] = []
    for child in doc.root.children:
        if isinstance(child, Trivia):
            continue
        line = doc.position(child)[0]
        if isinstance(child, Node):
            header = LsbHeader(doc, child)
            block = [
                Directive(f.key, [f.value] if f.value else [], None, doc.position(f.token)[0])
                for f in header.fields()
            ]
            out.append(Directive("lsb", [], block, line))
        elif child.kind == "CHKCONFIG":
            out.append(Directive("chkconfig", Chkconfig(doc, child)._words(), None, line))
        else:
            out.append(Directive("script", [child.text], None, line))
    return out


def build(items: list[Directive]) -> str:
    """Script text: opaque chunks as given, the header as ``# Key: value`` lines."""
    lines: list[str] = []
    for d in items:
        if d.name == "lsb":
            lines.append("### BEGIN INIT INFO\n")
            for f in d.block or []:
                value = " ".join(f.args)
                lines.append(f"# {f.name}:" + (f" {value}" if value else "") + "\n")
            lines.append("### END INIT INFO\n")
        elif d.name == "chkconfig":
            lines.append("# chkconfig: " + " ".join(d.args) + "\n")
        else:
            lines.append("".join(d.args) + "\n")
    return "".join(lines)


# selectors: an LSB header keyword (``Required-Start``), compared without regard to case


def _key(selector: str) -> str:
    key = plain_key(selector, KIND, "Required-Start")
    if _FIELD.fullmatch(f"# {key}:") is None:
        raise SelectorError(f"selector {selector!r}: not an LSB header keyword")
    return key


def _header(doc: Document) -> LsbHeader | None:
    return InitScript(doc).header


def get_value(doc: Document, selector: str) -> list[str]:
    """The field's value, continuation lines joined (only the first header counts)."""
    key = _key(selector)
    header = _header(doc)
    found = header.field(key) if header is not None else None
    return [found.value] if found is not None else []


def set_value(doc: Document, selector: str, value: str) -> None:
    """Set the field's words on its line (continuation lines go), or add the field at the end
    of the header, its value lined up with the others.  A script without a header is refused:
    where a header goes in a script is for a person to decide."""
    key = _key(selector)
    header = _header(doc)
    if header is None:
        raise ValueError("the script has no LSB header (### BEGIN INIT INFO) to set a field in")
    header.set(_KNOWN_LOWER.get(key.lower(), key), *check_one_line(value).split())


def unset_value(doc: Document, selector: str) -> int:
    key = _key(selector)
    header = _header(doc)
    found = header.field(key) if header is not None else None
    if found is None:
        return 0
    found.remove()
    return 1
