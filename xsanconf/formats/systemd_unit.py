"""The ``systemd-unit`` codec: unit files and drop-ins, as systemd's config parser reads them.

Facts from systemd.syntax(7) and ``src/shared/conf-parser.c``: a line is a section header
``[Name]``, an assignment ``Key=Value`` (whitespace around the ``=`` and at both ends is
dropped), a comment (first non-blank character ``#`` or ``;``) or blank.  A line ending in a
backslash continues on the next line (the backslash becomes a space); comment lines met while
a value continues are skipped.  Keys repeat: for list settings each assignment appends, and an
empty assignment (``After=``) resets the list read so far.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.formats._lines import append_last_line, check_one_line, remove_line, steps_of
from xsanconf.parsing import Lexed, LexError, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "DEPENDENCY_KEYS",
    "KIND",
    "SystemdUnit",
    "UnitEntry",
    "UnitSection",
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

KIND = "systemd-unit"

# [Unit] settings that name other units: ordering (After/Before) and requirement.
DEPENDENCY_KEYS = (
    "After",
    "Before",
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
    "Conflicts",
)

_LINE = re.compile(r"[^\n]*+\n?")
_SECTION = re.compile(r"[ \t]*+\[[^\]\n]*+\][ \t\r]*+$")
# possessive throughout: a lazy name followed by optional blanks retried every split of a long
# line without "=" (80,000 blanks took 4 s)
_ASSIGN = re.compile(r"[ \t]*+[^=\s\[#;][^=\n]*+=")

_NAMES = {"SECTION": "a [Section] line", "ASSIGN": "a Key=Value line"}


def _content_end(text: str, start: int, end: int) -> int:
    stop = end - 1 if text.endswith("\n", start, end) else end
    return stop - 1 if text.endswith("\r", start, stop) else stop


def _add_assignment(lexed: Lexed, text: str, gap_from: int, span: tuple[int, int]) -> None:
    lexed.add(text[gap_from : span[0]], "ASSIGN", text[span[0] : span[1]], span[0])


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    gap_from = 0
    continuing: tuple[int, int] | None = None  # (start of the assignment, end of its last line)
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        if start == end:
            break
        stop = _content_end(text, start, end)
        content = text[start:stop]
        stripped = content.strip()
        if continuing is not None:
            if stripped.startswith(("#", ";")):
                continue  # a comment inside a continued value: systemd skips it
            continuing = (continuing[0], stop)
            if not content.endswith("\\"):
                _add_assignment(lexed, text, gap_from, continuing)
                gap_from, continuing = stop, None
            continue
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if _SECTION.match(content):
            head = start + len(content) - len(content.lstrip())
            tail = start + len(content.rstrip())
            lexed.add(text[gap_from:head], "SECTION", text[head:tail], head)
            gap_from = tail
            continue
        if _ASSIGN.match(content) is None:
            first = start + len(content) - len(content.lstrip())
            what = "'[' without ']'" if stripped.startswith("[") else "no '='"
            raise LexError(first, f"not a [Section], Key=Value or comment line ({what})")
        head = start + len(content) - len(content.lstrip())
        if content.endswith("\\"):
            continuing = (head, stop)
            continue
        lexed.add(text[gap_from:head], "ASSIGN", text[head:stop], head)
        gap_from = stop
    if continuing is not None:
        # the last line ends in a backslash: systemd takes the value as it stands
        _add_assignment(lexed, text, gap_from, continuing)
        gap_from = continuing[1]
    return lexed.finish(text[gap_from:])


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("systemd-unit", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> SystemdUnit:
    return SystemdUnit(doc)


_SNIFF = re.compile(r"^\[(Unit|Service|Install|Socket|Mount|Timer|Path)\][ \t]*\r?$", re.M)


def sniff(text: str) -> bool:
    return _SNIFF.search(text) is not None


def _logical_lines(raw: str) -> list[str]:
    """The lines of an assignment token, comment lines inside a continuation dropped."""
    lines = [ln.rstrip("\r") for ln in raw.split("\n")]
    return [lines[0], *(ln for ln in lines[1:] if not ln.strip().startswith(("#", ";")))]


class UnitEntry:
    """``Key=Value`` (with its continuation lines)."""

    __slots__ = ("doc", "node", "token")

    def __init__(self, doc: Document, node: Node, token: Token) -> None:
        self.doc = doc
        self.node = node
        self.token = token

    def __repr__(self) -> str:
        return f"UnitEntry({self.token.text!r})"

    @property
    def key(self) -> str:
        return self.token.text.split("=", 1)[0].strip()

    @property
    def value(self) -> str:
        """The value: continuation backslashes become spaces, outer whitespace dropped."""
        lines = _logical_lines(self.token.text.split("=", 1)[1])
        joined = "".join(ln[:-1] + " " if ln.endswith("\\") else ln for ln in lines[:-1])
        last = lines[-1][:-1] if lines[-1].endswith("\\") else lines[-1]
        return (joined + last).strip()

    @property
    def words(self) -> list[str]:
        return self.value.split()

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, value: str) -> None:
        """Replace the value, keeping the key and the spacing around ``=``."""
        key_part, rest = self.token.text.split("=", 1)
        lead = rest[: len(rest) - len(rest.lstrip(" \t"))]
        self.token.text = f"{key_part}={lead}{value}"
        self.doc.touched()

    def remove(self) -> None:
        remove_line(self.doc.root, self.node, self.token)
        self.doc.touched()


class UnitSection:
    """``[Name]`` and its assignments; ``name`` is None for assignments before any section."""

    __slots__ = ("doc", "node")

    def __init__(self, doc: Document, node: Node) -> None:
        self.doc = doc
        self.node = node

    def __repr__(self) -> str:
        return f"UnitSection({self.name!r})"

    @property
    def head(self) -> Token | None:
        first = self.node.children[0] if self.node.children else None
        return first if isinstance(first, Token) and first.kind == "SECTION" else None

    @property
    def name(self) -> str | None:
        head = self.head
        return head.text.strip()[1:-1] if head else None

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.head or self.node)

    def entries(self, key: str | None = None) -> list[UnitEntry]:
        found = [
            UnitEntry(self.doc, self.node, c)
            for c in self.node.children
            if isinstance(c, Token) and c.kind == "ASSIGN"
        ]
        return found if key is None else [e for e in found if e.key == key]

    def value(self, key: str) -> str | None:
        """A single-valued setting: the last assignment wins."""
        found = self.entries(key)
        return found[-1].value if found else None

    def list_value(self, key: str) -> list[str]:
        """A list setting: assignments append, an empty one resets what came before."""
        return fold_list(self.entries(key))

    def add(self, key: str, value: str) -> UnitEntry:
        """Append ``Key=Value`` after the section's last assignment (or its header)."""
        token = Token("ASSIGN", f"{key}={value}")
        children = self.node.children
        newline = edit.newline_style(self.doc.root)
        if children and isinstance(children[-1], Token):
            # the last line's end belongs to the enclosing node: start a line before it
            children += [Trivia(newline), token]
        else:
            anchor = next((c for c in reversed(children) if isinstance(c, Token)), None)
            edit.insert_line_after(self.node, anchor, token, "", newline)
        self.doc.touched()
        return UnitEntry(self.doc, self.node, token)


def fold_list(entries: list[UnitEntry]) -> list[str]:
    """The list that a run of assignments leaves: each appends, an empty one resets."""
    result: list[str] = []
    for entry in entries:
        words = entry.words
        if not words:
            result = []
        else:
            result += [w for w in words if w not in result]
    return result


class SystemdUnit:
    """A unit file or drop-in."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def sections(self, name: str | None = None) -> list[UnitSection]:
        found = [
            UnitSection(self.doc, c)
            for c in self.doc.root.children
            if isinstance(c, Node) and c.kind == "section"
        ]
        return found if name is None else [s for s in found if s.name == name]

    def section(self, name: str) -> UnitSection | None:
        """The first section of this name (systemd merges repeated sections in order)."""
        found = self.sections(name)
        return found[0] if found else None

    def orphan_entries(self) -> list[UnitEntry]:
        """Assignments before the first section (systemd ignores them)."""
        root = self.doc.root
        return [
            UnitEntry(self.doc, root, c)
            for c in root.children
            if isinstance(c, Token) and c.kind == "ASSIGN"
        ]

    def entries(self, section: str, key: str) -> list[UnitEntry]:
        return [e for s in self.sections(section) for e in s.entries(key)]

    def value(self, section: str, key: str) -> str | None:
        found = self.entries(section, key)
        return found[-1].value if found else None

    def list_value(self, section: str, key: str) -> list[str]:
        return fold_list(self.entries(section, key))

    def dependencies(self) -> dict[str, list[str]]:
        """The [Unit] dependency lists (After, Before, Requires, ...) this file leaves."""
        return {key: self.list_value("Unit", key) for key in DEPENDENCY_KEYS}

    def set(self, section: str, key: str, value: str) -> UnitEntry:
        """Set a single-valued setting: change its last assignment, or add one."""
        found = self.entries(section, key)
        if found:
            found[-1].set(value)
            return found[-1]
        return self.ensure_section(section).add(key, value)

    def ensure_section(self, name: str) -> UnitSection:
        found = self.section(name)
        if found is not None:
            return found
        root = self.doc.root
        newline = edit.newline_style(root)
        node = Node("section", [Token("SECTION", f"[{name}]")])
        last = next((c for c in reversed(root.children) if not isinstance(c, Trivia)), None)
        if last is None:
            append_last_line(root, node)  # below a header comment, not above it
        else:
            edit.insert_line_after(root, last, node, "", newline)
        if last is not None:
            # a blank line between sections, as systemd's own units have
            root.children.insert(edit.index_of(root, node), Trivia(newline))
        self.doc.touched()
        return UnitSection(self.doc, node)


def directives(doc: Document) -> list[Directive]:
    unit = SystemdUnit(doc)
    out = [Directive(e.key, [e.value], None, e.position[0]) for e in unit.orphan_entries()]
    for section in unit.sections():
        block = [Directive(e.key, [e.value], None, e.position[0]) for e in section.entries()]
        out.append(Directive(f"[{section.name}]", [], block, section.position[0]))
    return out


def build(items: list[Directive]) -> str:
    parts: list[str] = []
    for d in items:
        if d.block is None:
            parts.append(f"{d.name}={' '.join(d.args)}\n")
            continue
        if parts:
            parts.append("\n")
        name = d.name if d.name.startswith("[") else f"[{d.name}]"
        parts.append(name + "\n")
        parts += [f"{e.name}={' '.join(e.args)}\n" for e in d.block]
    return "".join(parts)


# selectors: ``Section.Key`` (``Unit.After``, ``Service.ExecStart``)


def _path(selector: str) -> tuple[str, str]:
    steps = steps_of(selector)
    names = [step.name for step in steps]
    if len(steps) != 2 or any(step.filter is not None for step in steps):
        raise SelectorError(f"selector {selector!r}: name a section and a key, e.g. Unit.After")
    section, key = names
    if "]" in section or _ASSIGN.fullmatch(key + "=") is None:
        raise SelectorError(f"selector {selector!r}: not a section and key of a unit file")
    return section, key


def get_value(doc: Document, selector: str) -> list[str]:
    """The value of each assignment of the key, in order (sections of one name merge; list
    settings such as ``After`` accumulate, and an empty assignment resets them)."""
    section, key = _path(selector)
    return [e.value for e in SystemdUnit(doc).entries(section, key)]


def set_value(doc: Document, selector: str, value: str) -> None:
    """Change the key's last assignment (adding the section and the key where missing).

    For a dependency list (``After``, ``Wants`` ...) the earlier assignments, which would
    still add to the list, go, so that the list is what was set.
    """
    section, key = _path(selector)
    if check_one_line(value).endswith("\\"):
        raise ValueError(f"{value!r}: a value ending in a backslash continues on the next line")
    unit = SystemdUnit(doc)
    found = unit.entries(section, key)
    if key in DEPENDENCY_KEYS:
        for earlier in found[:-1]:
            earlier.remove()
    unit.set(section, key, value)


def unset_value(doc: Document, selector: str) -> int:
    section, key = _path(selector)
    found = SystemdUnit(doc).entries(section, key)
    for entry in found:
        entry.remove()
    return len(found)
