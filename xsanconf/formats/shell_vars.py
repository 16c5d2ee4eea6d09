"""The ``shell-vars`` codec: ``/etc/default/*`` files, shell code sourced by init scripts.

Assignments (``NAME=word``, ``export NAME=word``) are read the way POSIX sh reads the word:
single quotes are literal, double quotes keep ``$``, backquote, ``"``, ``\\`` and newline
escapable, an unquoted backslash quotes the next character and a backslash-newline joins lines.
Expansions (``$VAR``, ``${...}``, ``$((...))``, ``$(...)``, backquotes) stay as text: nothing
is expanded or run.  An assignment may end with ``;``.  Any other statement (``if`` blocks,
function calls, ``A=1 B=2``, ``A=1; B=2``, bash arrays) is kept as an opaque ``OTHER`` token so
that the file still round-trips; the assignment's value is then not read.  An unterminated quote
in an assignment is a parse error, as ``sh -n`` reports it.

Known limits: a CR before a newline (a CRLF file) is kept as line-end trivia, while sh would make
it part of the value (a rule should flag CRLF in a sourced file); here-document bodies are read
as statements; assignments inside ``if`` blocks are read like any other (the last one wins).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.formats._lines import LineView, append_last_line, check_one_line, plain_key
from xsanconf.formats.flat import Piece, flat_tree, lexed
from xsanconf.parsing import Lexed, LexError, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "QuoteStyle",
    "ShellAssignment",
    "ShellVars",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_with_grammar",
    "pieces",
    "quote",
    "read_word",
    "set_value",
    "sniff",
    "tokenize",
    "unset_value",
]

KIND = "shell-vars"

QuoteStyle = Literal["bare", "single", "double"]

_DQ_BODY = r'(?:[^"\\]|\\[\s\S])*+'
_PIECE = re.compile(
    rf"""(?P<sq>'[^']*+')
    |(?P<dq>"{_DQ_BODY}")
    |(?P<arith>\$\(\((?:[^()]|\([^()]*+\))*+\)\))
    |(?P<cmd>\$\((?:[^()'"\\]|\\[\s\S]|'[^']*+'|"{_DQ_BODY}")*+\))
    |(?P<brace>\$\{{[^}}]*+\}})
    |(?P<bq>`(?:[^`\\]|\\[\s\S])*+`)
    |(?P<esc>\\[\s\S])
    |(?P<blank>[ \t\r]++)
    |(?P<nl>\n)
    |(?P<word>[^\s'"\\`$\#;&|()<>]++)
    |(?P<other>[\s\S])""",
    re.X,
)
_START = re.compile(r"[ \t\r\v\f\n]*+")
_ASSIGN_HEAD = re.compile(r"(?:(export)[ \t]++)?([A-Za-z_][A-Za-z0-9_]*+)=")
_METACHARS = frozenset(";&|()<>")
_WORD_BREAK = frozenset(" \t\r\n;&|()<>")
_QUOTES = {"'": "single quote", '"': "double quote", "`": "backquote"}


def _statement_end(text: str, start: int, head_end: int | None) -> tuple[int, bool]:
    """Where the code of the statement at ``start`` ends, and whether it is one plain assignment.

    ``head_end`` is the end of ``NAME=`` when the statement starts like an assignment.  A ``#``
    that starts a word begins a comment, which is trivia; newlines inside quotes or after a
    backslash do not end the statement.
    """
    # the head (``export NAME=``) is known; scan the value word and whatever follows it
    pos = code_end = start if head_end is None else head_end
    simple = head_end is not None
    word_ended = semicolon = False
    end = len(text)
    while pos < end:
        m = _PIECE.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind, piece = m.lastgroup, m.group()
        if kind == "nl":
            break
        if kind == "blank":
            word_ended = True
            pos = m.end()
            continue
        if kind == "other":
            if piece == "#" and (pos == 0 or text[pos - 1] in _WORD_BREAK):
                break
            if piece in _QUOTES and head_end is not None:
                raise LexError(pos, f"unterminated {_QUOTES[piece]}")
            if piece == ";" and simple and not semicolon:
                word_ended = semicolon = True  # "A=1;" is still one plain assignment
                pos = code_end = m.end()
                continue
            if piece in _METACHARS:
                simple = False
        if word_ended:
            simple = False  # a second word: a command with an environment, or A=1 B=2
        pos = code_end = m.end()
    return code_end, simple


def _word_end(text: str, pos: int) -> int:
    """Where the shell word starting at ``pos`` ends (at a blank, a newline or ``;``)."""
    end = len(text)
    while pos < end:
        m = _PIECE.match(text, pos)
        assert m is not None  # the last alternative matches any character
        if m.lastgroup in ("blank", "nl") or m.group() == ";":
            break
        pos = m.end()
    return pos


def pieces(text: str) -> Iterator[Piece]:
    pos = previous = 0
    end = len(text)
    while True:
        pos = _START.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= end:
            yield text[previous:], "", "", end
            return
        if text[pos] == "#":
            newline = text.find("\n", pos)
            pos = end if newline < 0 else newline + 1
            continue
        head = _ASSIGN_HEAD.match(text, pos)
        code_end, simple = _statement_end(text, pos, head.end() if head else None)
        kind = "ASSIGN" if head is not None and simple else "OTHER"
        yield text[previous:pos], kind, text[pos:code_end], pos
        previous = pos = code_end


def tokenize(text: str) -> Lexed:
    return lexed(pieces(text))


_NAMES = {"ASSIGN": "an assignment", "OTHER": "a statement"}


def parse(text: str, path: str | None = None) -> Node:
    return flat_tree(text, pieces(text), path=path)


def parse_with_grammar(text: str, path: str | None = None) -> Node:
    """The same tree through ``grammars/shell_vars.lark`` (the tests compare the two)."""
    return parse_with("shell_vars", tokenize, text, path=path, names=_NAMES)


# reading and writing words


def read_word(raw: str) -> tuple[str, bool]:
    """The value of a shell word, and whether it holds an expansion (kept as text)."""
    out: list[str] = []
    expands = False
    for m in _PIECE.finditer(raw):
        kind, piece = m.lastgroup, m.group()
        if kind == "sq":
            out.append(piece[1:-1])
        elif kind == "dq":
            body = piece[1:-1]
            expands = expands or _has_expansion(body)
            out.append(re.sub(r"\\([$`\"\\\n])", _unescape, body))
        elif kind == "esc":
            out.append("" if piece == "\\\n" else piece[1])
        else:
            if kind in ("arith", "cmd", "brace", "bq") or (
                piece == "$" and re.match(r"[A-Za-z0-9_@*#?$!-]", raw[m.end() : m.end() + 1])
            ):
                expands = True
            out.append(piece)
    return "".join(out), expands


def _unescape(m: re.Match[str]) -> str:
    return "" if m.group(1) == "\n" else m.group(1)


def _has_expansion(body: str) -> bool:
    return re.search(r"(?<!\\)(?:\\\\)*(?:\$[A-Za-z0-9_@*#?$!{(-]|`)", body) is not None


_BARE_SAFE = re.compile(r"[A-Za-z0-9_./:,+@%=^-]++")


def quote(value: str, style: QuoteStyle = "double") -> str:
    """``value`` as a shell word that reads back literally, in ``style`` where it can be."""
    if style == "bare" and _BARE_SAFE.fullmatch(value):
        return value
    if style == "single" and "'" not in value:
        return "'" + value + "'"
    return '"' + re.sub(r'([$`"\\])', r"\\\1", value) + '"'


def _style_of(raw: str) -> QuoteStyle:
    if len(raw) >= 2 and raw[0] == raw[-1] == "'" and "'" not in raw[1:-1]:
        return "single"
    if len(raw) >= 2 and raw[0] == '"' and _PIECE.fullmatch(raw) is not None:
        return "double"
    return "bare"


# the model


class ShellAssignment(LineView):
    """``[export] NAME=word``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ShellAssignment({self.name!r}, {self.raw_value!r})"

    def _head(self) -> re.Match[str]:
        m = _ASSIGN_HEAD.match(self.token.text)
        assert m is not None, "an ASSIGN token always starts with NAME="
        return m

    @property
    def name(self) -> str:
        return self._head().group(2)

    @property
    def exported(self) -> bool:
        return self._head().group(1) is not None

    def _word(self) -> tuple[int, int]:
        text = self.token.text
        start = self._head().end()
        return start, _word_end(text, start)

    @property
    def raw_value(self) -> str:
        """The word as written, quotes and escapes included."""
        start, end = self._word()
        return self.token.text[start:end]

    @property
    def value(self) -> str:
        """The value the shell assigns, with expansions left as text."""
        return read_word(self.raw_value)[0]

    @property
    def expands(self) -> bool:
        """Whether the value refers to variables or commands (its real value is unknown here)."""
        return read_word(self.raw_value)[1]

    @property
    def quote_style(self) -> QuoteStyle:
        return _style_of(self.raw_value)

    def set(self, value: str, *, raw: bool = False, style: QuoteStyle | None = None) -> None:
        """Assign ``value`` (quoted as needed, in this line's style); ``raw`` writes it as is."""
        word = value if raw else quote(value, style or self.quote_style)
        start, end = self._word()
        self.token.text = self.token.text[:start] + word + self.token.text[end:]
        self.doc.touched()


class ShellVars:
    """The assignments of a sourced shell file; other statements are kept but not read."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return f"ShellVars({self.names()!r})"

    def _tokens(self, kind: str) -> list[Token]:
        return [c for c in self.doc.root.children if isinstance(c, Token) and c.kind == kind]

    @property
    def assignments(self) -> list[ShellAssignment]:
        return [ShellAssignment(self.doc, t) for t in self._tokens("ASSIGN")]

    @property
    def other_statements(self) -> list[Token]:
        return self._tokens("OTHER")

    def names(self) -> list[str]:
        return list(dict.fromkeys(a.name for a in self.assignments))

    def assignment(self, name: str) -> ShellAssignment | None:
        """The last assignment of ``name`` (the one in force after the file is sourced)."""
        found = [a for a in self.assignments if a.name == name]
        return found[-1] if found else None

    def get(self, name: str) -> str | None:
        found = self.assignment(name)
        return found.value if found is not None else None

    def as_dict(self) -> dict[str, str]:
        return {a.name: a.value for a in self.assignments}

    def quote_style(self) -> QuoteStyle:
        """The quotes this file's quoted values use most (double when none are quoted)."""
        styles = Counter(a.quote_style for a in self.assignments)
        styles.pop("bare", None)
        return styles.most_common(1)[0][0] if styles else "double"

    def set(self, name: str, value: str, *, raw: bool = False) -> ShellAssignment:
        """Change the last assignment of ``name``, or add one after the last assignment."""
        found = self.assignment(name)
        if found is not None:
            style = found.quote_style
            if style == "bare" and not _BARE_SAFE.fullmatch(value):
                style = self.quote_style()
            found.set(value, raw=raw, style=style)
            return found
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a shell variable name: {name!r}")
        return self._add(name, value if raw else quote(value, self._new_style(value)))

    def _new_style(self, value: str) -> QuoteStyle:
        """Bare when the value allows it, unless the file quotes every value."""
        existing = self.assignments
        quotes_all = bool(existing) and all(a.quote_style != "bare" for a in existing)
        if _BARE_SAFE.fullmatch(value) and not quotes_all:
            return "bare"
        return self.quote_style()

    def _add(self, name: str, word: str) -> ShellAssignment:
        existing = self.assignments
        export = "export " if existing and all(a.exported for a in existing) else ""
        token = Token("ASSIGN", f"{export}{name}={word}")
        root = self.doc.root
        newline = edit.newline_style(root)
        if existing:
            anchor = existing[-1].token
            edit.insert_line_after(root, anchor, token, edit.indent_before(root, anchor), newline)
        else:
            append_last_line(root, token)
        self.doc.touched()
        return ShellAssignment(self.doc, token)

    def unset(self, name: str) -> int:
        """Remove every assignment of ``name``; how many were removed."""
        found = [a for a in self.assignments if a.name == name]
        for a in found:
            a.remove()
        return len(found)


def model(doc: Document) -> ShellVars:
    return ShellVars(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*(?:export[ \t]+)?[A-Z_][A-Z0-9_]*=")


def sniff(text: str) -> bool:
    """The first statement assigns an upper-case variable (as /etc/default files do)."""
    return _sniff_pattern().match(text) is not None


def directives(doc: Document) -> list[Directive]:
    """``NAME [raw word]``, ``export [NAME, raw word]``, other statements as their text."""
    out: list[Directive] = []
    for child in doc.root.children:
        if not isinstance(child, Token):
            continue
        line = doc.position(child)[0]
        if child.kind == "ASSIGN":
            a = ShellAssignment(doc, child)
            if a.exported:
                out.append(Directive("export", [a.name, a.raw_value], None, line))
            else:
                out.append(Directive(a.name, [a.raw_value], None, line))
        else:
            out.append(Directive(child.text, [], None, line))
    return out


def build(items: list[Directive]) -> str:
    lines = []
    for d in items:
        if d.name == "export" and len(d.args) == 2:
            lines.append(f"export {d.args[0]}={d.args[1]}")
        elif d.args:
            lines.append(f"{d.name}={d.args[0]}")
        else:
            lines.append(d.name)
    return "".join(line + "\n" for line in lines)


# selectors: the variable's name (``ISCSITARGET_ENABLE``)


def _name(selector: str) -> str:
    name = plain_key(selector, KIND, "ISCSITARGET_ENABLE")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SelectorError(f"selector {selector!r}: not a shell variable name")
    return name


def get_value(doc: Document, selector: str) -> list[str]:
    """The value the variable has once the file is sourced (expansions left as written)."""
    found = ShellVars(doc).get(_name(selector))
    return [found] if found is not None else []


def set_value(doc: Document, selector: str, value: str) -> None:
    """Assign ``value`` literally: quoted in the line's (or the file's) style when it must be.

    A line break is refused: sh would take it, but the result is a multi-line assignment
    that the other readers of these files (systemd's ``EnvironmentFile=``) do not.
    """
    ShellVars(doc).set(_name(selector), check_one_line(value))


def unset_value(doc: Document, selector: str) -> int:
    return ShellVars(doc).unset(_name(selector))
