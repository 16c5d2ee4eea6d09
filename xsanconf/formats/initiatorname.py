"""The ``initiatorname`` codec: open-iscsi's ``/etc/iscsi/initiatorname.iscsi``.

iscsid looks its two keys up with ``cfg_get_string_param`` (see
:mod:`xsanconf.formats.iscsid.reader`): the first line that contains ``InitiatorName`` as a
substring with no ``#`` before it wins, and the value is whatever follows the next ``=``,
stripped.  Debian and Ubuntu ship the file holding only ``GenerateName=yes``; their iscsid unit
(``startup-checks.sh``) replaces it with a generated name when a line starts with
``GenerateName=yes``, and then refuses to start unless a line matches
``^InitiatorName=[^ \\t\\n]`` (so leading blanks, which iscsid itself tolerates, fail there).

The model exposes the raw name; :attr:`InitiatorNameFile.iscsi_name` hands it to
:class:`xsanconf.domain.iscsi_name.IscsiName` for RFC 3720 checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.formats._lines import LineView, append_last_line, check_one_line, plain_key
from xsanconf.formats.flat import Piece, flat_tree, lexed
from xsanconf.formats.iscsid.lexer import C_SPACE
from xsanconf.formats.iscsid.reader import DaemonReading, daemon_lookup
from xsanconf.parsing import Lexed, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token, render

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.iscsi_name import IscsiName

__all__ = [
    "KIND",
    "InitiatorEntry",
    "InitiatorNameFile",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_with_grammar",
    "pieces",
    "set_value",
    "sniff",
    "tokenize",
    "unset_value",
]

KIND = "initiatorname"

NAME_KEY = "InitiatorName"
ALIAS_KEY = "InitiatorAlias"
PLACEHOLDER_KEY = "GenerateName"

_SIGNIFICANT = re.compile(r"^[ \t\r\v\f]*+([^ \t\n\r\v\f#][^\n]*+)", re.M)
_SETTING = re.compile(r"([^ \t\n\r\v\f=]++)[ \t\r\v\f]*+=[ \t\r\v\f]*+")
# the Debian startup checks, as grep patterns over the whole file
_DEBIAN_PLACEHOLDER = re.compile(r"^GenerateName=yes", re.M)
_DEBIAN_NAME = re.compile(r"^InitiatorName=[^ \t\n]", re.M)


def pieces(text: str) -> Iterator[Piece]:
    previous = 0
    for m in _SIGNIFICANT.finditer(text):
        start = m.start(1)
        line = m.group(1).rstrip(C_SPACE)
        yield text[previous:start], "SETTING" if _SETTING.match(line) else "OTHER", line, start
        previous = start + len(line)
    yield text[previous:], "", "", len(text)


def tokenize(text: str) -> Lexed:
    return lexed(pieces(text))


_NAMES = {"SETTING": "a setting", "OTHER": "a line"}


def parse(text: str, path: str | None = None) -> Node:
    return flat_tree(text, pieces(text), path=path)


def parse_with_grammar(text: str, path: str | None = None) -> Node:
    """The same tree through ``grammars/initiatorname.lark`` (the tests compare the two)."""
    return parse_with("initiatorname", tokenize, text, path=path, names=_NAMES)


class InitiatorEntry(LineView):
    """A ``Key=value`` line."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"InitiatorEntry({self.key!r}, {self.value!r})"

    def _match(self) -> re.Match[str]:
        m = _SETTING.match(self.token.text)
        assert m is not None, "a SETTING token always starts with 'Key='"
        return m

    @property
    def key(self) -> str:
        return self._match().group(1)

    @property
    def value(self) -> str:
        return self.token.text[self._match().end() :]

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def indented(self) -> bool:
        """Whether blanks precede the key (Debian's startup check then misses the line)."""
        return self.position[1] > 1

    def set(self, value: str) -> None:
        """Replace the value, keeping the key and the spacing around ``=``."""
        _check_value(value)
        self.token.text = self.token.text[: self._match().end()] + value
        self.doc.touched()


def _check_value(value: str) -> None:
    if not value or value != value.strip(C_SPACE) or "\n" in value:
        raise ValueError("a value must be one non-empty line with no surrounding blanks")


class InitiatorNameFile:
    """The file's settings, and the name and alias iscsid will use."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return f"InitiatorNameFile(name={self.name!r})"

    @property
    def entries(self) -> list[InitiatorEntry]:
        return [
            InitiatorEntry(self.doc, c)
            for c in self.doc.root.children
            if isinstance(c, Token) and c.kind == "SETTING"
        ]

    @property
    def other_lines(self) -> list[Token]:
        """Lines that are not ``Key=value`` (a bare IQN, say): iscsid finds no key in them."""
        return [c for c in self.doc.root.children if isinstance(c, Token) and c.kind == "OTHER"]

    def entries_for(self, key: str) -> list[InitiatorEntry]:
        return [e for e in self.entries if e.key == key]

    @property
    def names(self) -> list[InitiatorEntry]:
        """Every ``InitiatorName=`` line (iscsid takes the first)."""
        return self.entries_for(NAME_KEY)

    def _lookup(self, key: str) -> DaemonReading | None:
        return daemon_lookup(render(self.doc.root), key)

    def _entry_at(self, line: int) -> InitiatorEntry | None:
        for e in self.entries:
            if e.line == line:
                return e
        return None

    @property
    def name(self) -> str | None:
        """The initiator name iscsid reads, raw; ``None`` when it finds none."""
        found = self._lookup(NAME_KEY)
        return found.value if found is not None else None

    @property
    def name_entry(self) -> InitiatorEntry | None:
        """The line the name comes from."""
        found = self._lookup(NAME_KEY)
        return self._entry_at(found.line) if found is not None else None

    @property
    def alias(self) -> str | None:
        found = self._lookup(ALIAS_KEY)
        return found.value if found is not None else None

    @property
    def alias_entry(self) -> InitiatorEntry | None:
        found = self._lookup(ALIAS_KEY)
        return self._entry_at(found.line) if found is not None else None

    @property
    def placeholder(self) -> bool:
        """Debian's ``GenerateName=yes``: a name is generated when iscsid first starts."""
        return _DEBIAN_PLACEHOLDER.search(render(self.doc.root)) is not None

    @property
    def placeholder_entry(self) -> InitiatorEntry | None:
        for e in self.entries_for(PLACEHOLDER_KEY):
            if e.position[1] == 1 and e.value.startswith("yes"):
                return e
        return None

    @property
    def debian_check_passes(self) -> bool:
        """Whether Debian's startup check finds a name (``^InitiatorName=[^ \\t\\n]``)."""
        return _DEBIAN_NAME.search(render(self.doc.root)) is not None

    @property
    def iscsi_name(self) -> IscsiName | None:
        """The name checked as an iSCSI name (RFC 3720/3722), ``None`` when there is none."""
        from xsanconf.domain.iscsi_name import IscsiName

        name = self.name
        return IscsiName.parse(name) if name is not None else None

    # editing

    def set_name(self, name: str) -> InitiatorEntry:
        """Set the name iscsid reads; a Debian placeholder line is replaced by it."""
        return self._set(NAME_KEY, name, self.name_entry or self.placeholder_entry)

    def set_alias(self, alias: str) -> InitiatorEntry:
        return self._set(ALIAS_KEY, alias, self.alias_entry)

    def _set(self, key: str, value: str, found: InitiatorEntry | None) -> InitiatorEntry:
        _check_value(value)
        if found is not None:
            if found.key != key:
                found.token.text = key + "=" + value
                self.doc.touched()
            else:
                found.set(value)
            return found
        token = Token("SETTING", key + "=" + value)
        root = self.doc.root
        newline = edit.newline_style(root)
        shadowing = self._line_read_for(key)
        if shadowing is not None:
            # iscsid takes the first line holding the key: go before the one it reads now
            at = edit.index_of(root, shadowing)
            if at > 0 and "\n" not in root.children[at - 1].text:  # type: ignore[union-attr]
                at -= 1  # its indentation
            edit.insert_line_after(root, root.children[at - 1] if at else None, token, "", newline)
        else:
            append_last_line(root, token)
        self.doc.touched()
        return InitiatorEntry(self.doc, token)

    def _line_read_for(self, key: str) -> Token | None:
        """The line (not a ``Key=value`` entry) iscsid reads ``key`` from, if any."""
        found = self._lookup(key)
        if found is None:
            return None
        for c in self.doc.root.children:
            if isinstance(c, Token) and self.doc.position(c)[0] == found.line:
                return c
        return None

    def unset(self, key: str) -> int:
        """Remove every line setting ``key``; how many were removed."""
        found = self.entries_for(key)
        for e in found:
            e.remove()
        return len(found)


def model(doc: Document) -> InitiatorNameFile:
    return InitiatorNameFile(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(?:InitiatorName|GenerateName)[ \t]*=", re.M)


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    out: list[Directive] = []
    for child in doc.root.children:
        if not isinstance(child, Token):
            continue
        line = doc.position(child)[0]
        if child.kind == "SETTING":
            entry = InitiatorEntry(doc, child)
            out.append(Directive(entry.key, [entry.value], None, line))
        else:
            out.append(Directive(child.text, [], None, line))
    return out


def build(items: list[Directive]) -> str:
    return "".join((f"{d.name}={d.args[0]}" if d.args else d.name) + "\n" for d in items)


# selectors: the key itself (``InitiatorName``, ``InitiatorAlias``, ``GenerateName``)

_EXAMPLE = "InitiatorName"


def _key(selector: str) -> str:
    key = plain_key(selector, KIND, _EXAMPLE)
    if _SETTING.fullmatch(key + "=") is None or key.startswith("#"):
        raise SelectorError(f"selector {selector!r}: not a key of this file")
    return key


def get_value(doc: Document, selector: str) -> list[str]:
    """The value iscsid reads for the name and the alias; every line's value for other keys."""
    key = _key(selector)
    names = InitiatorNameFile(doc)
    if key in (NAME_KEY, ALIAS_KEY):
        found = names.name if key == NAME_KEY else names.alias
        return [found] if found is not None else []
    return [e.value for e in names.entries_for(key)]


def set_value(doc: Document, selector: str, value: str) -> None:
    """Set the line iscsid reads (a Debian ``GenerateName=yes`` placeholder gives way to a name)."""
    key = _key(selector)
    names = InitiatorNameFile(doc)
    check_one_line(value)
    if key == NAME_KEY:
        names.set_name(value)
    elif key == ALIAS_KEY:
        names.set_alias(value)
    else:
        found = names.entries_for(key)
        names._set(key, value, found[-1] if found else None)


def unset_value(doc: Document, selector: str) -> int:
    return InitiatorNameFile(doc).unset(_key(selector))
