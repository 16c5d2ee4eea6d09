"""Typed views over a multipath.conf syntax tree, nested the way multipathd nests it.

The tree keeps the file's own braces.  multipathd does not read braces, though: it reads line
by line, opens a section when a *known* section keyword comes (``process_stream`` in
multipath-tools' ``parser.c``), and leaves the section at the next line that starts with
``}``.  So the lines of a misspelt section (``blacklist_exception {``) are read as options of
the enclosing section, and its ``}`` closes the enclosing one.  The views follow multipathd:
each option belongs to the section multipathd puts it in (:attr:`MultipathOption.section`),
which is usually, not always, the braces it is written in.

Views hold no copies: reading a value reads its token, and every edit replaces, adds or removes
tokens in the tree, so the rest of the file re-renders byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf import edit
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.multipath.keywords import (
    BRACELESS_SECTIONS,
    DEPRECATED,
    ROOT,
    SectionSpec,
)
from xsanconf.formats.multipath.lexer import keyword_of, quote, quote_closed, unquote, words
from xsanconf.formats.multipath.values import INVALID, Typed, read_value
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "BlacklistEntry",
    "IgnoredLine",
    "MergedSection",
    "MultipathBlacklist",
    "MultipathConfig",
    "MultipathDevice",
    "MultipathEntry",
    "MultipathOption",
    "MultipathProtocol",
    "MultipathSection",
]

BLACKLIST_KINDS = ("devnode", "wwid", "property", "protocol")


# A plain class: attrs compiles each class's methods at import, and this one is never
# compared or printed.
class _Place:
    """Where a token sits in the tree: its node and that node's parent."""

    __slots__ = ("container", "parent")

    def __init__(self, container: Node, parent: Node | None) -> None:
        self.container = container
        self.parent = parent


class MultipathOption:
    """A ``keyword value`` line as multipathd reads it, in the section multipathd reads it in."""

    __slots__ = ("doc", "known", "place", "section", "token")

    def __init__(
        self, doc: Document, token: Token, place: _Place, section: MultipathSection, known: bool
    ) -> None:
        self.doc = doc
        self.token = token
        self.place = place
        self.section = section
        self.known = known

    def __repr__(self) -> str:
        return f"MultipathOption({self.token.text!r})"

    @property
    def keyword(self) -> str:
        """The first word as written (a quoted keyword is never a known one to multipathd)."""
        return keyword_of(self.token.text)[0]

    @property
    def value(self) -> str | None:
        """The value multipathd reads: the second word, unquoted (``None`` when absent)."""
        found = words(self.token.text)
        return unquote(found[1][2]) if len(found) > 1 else None

    @property
    def raw_value(self) -> str | None:
        found = words(self.token.text)
        return found[1][2] if len(found) > 1 else None

    @property
    def ignored(self) -> list[str]:
        """Words after the value: multipathd ignores them ("ignoring extra data")."""
        return [w for _, _, w in words(self.token.text)[2:]]

    @property
    def unclosed_quote(self) -> bool:
        """The value opens a quote and the line ends first ("missing closing quotes")."""
        return any(w.startswith('"') and not quote_closed(w) for _, _, w in words(self.token.text))

    @property
    def typed(self) -> Typed:
        """The value read by the keyword's type (``INVALID`` where multipathd rejects it)."""
        return read_value(self.keyword, self.value)

    @property
    def valid(self) -> bool:
        return self.typed is not INVALID

    @property
    def deprecated(self) -> bool:
        """Accepted by multipathd but ignored (since the release in ``keywords.DEPRECATED``)."""
        return self.known and self.keyword in DEPRECATED

    @property
    def misplaced(self) -> bool:
        """Written inside other braces than the section multipathd reads it in."""
        return self.section.node is not self.place.container

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, value: str) -> None:
        """Replace the value; a quoted value stays quoted, anything else on the line is kept."""
        text = self.token.text
        found = words(text)
        if len(found) > 1:
            start, end, raw = found[1]
            new = '"' + value.replace('"', '""') + '"' if raw.startswith('"') else quote(value)
            text = text[:start] + new + text[end:]
        else:
            text = text + " " + quote(value)
        self.token.text = text
        self.doc.touched()

    def remove(self) -> None:
        """Remove the option's line (a whole brace block when the option is a section head)."""
        container, parent = self.place.container, self.place.parent
        if container.children and _first_token(container) is self.token and parent is not None:
            edit.remove_child(parent, container)
        else:
            edit.remove_child(container, self.token)
        if self in self.section.options:
            self.section.options.remove(self)
        _restructured(self.doc)


@attrs.frozen
class IgnoredLine:
    """A line multipathd drops whole, and why."""

    token: Token
    reason: str


class MultipathSection:
    """A section as multipathd reads it: its options and sub-sections in file order."""

    __slots__ = ("doc", "head", "node", "options", "parent", "place", "sections", "spec")

    def __init__(
        self,
        doc: Document,
        spec: SectionSpec,
        head: Token | None,
        place: _Place | None,
        parent: MultipathSection | None,
    ) -> None:
        self.doc = doc
        self.spec = spec
        self.head = head
        self.place = place
        self.parent = parent
        self.options: list[MultipathOption] = []
        self.sections: list[MultipathSection] = []
        # the braces of its own: the tree node this section's head opens
        self.node: Node | None = None
        if head is None:
            self.node = doc.root
        elif place is not None and _first_token(place.container) is head:
            self.node = place.container

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.keyword!r})"

    @property
    def keyword(self) -> str:
        return self.spec.name

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.head) if self.head is not None else (1, 1)

    @property
    def brace_on_next_line(self) -> bool:
        """``name`` with ``{`` on the next line: multipathd logs "missing '{'" but goes on."""
        if self.head is None or _lbrace(self.node) is None:
            return False
        return "{" not in [w for _, _, w in words(self.head.text)]

    @property
    def close_ignored(self) -> list[str]:
        """Words after the ``}`` that ends this block (``} # x`` has none; ``} foo`` has one)."""
        last = self.node.children[-1] if self.node is not None and self.node.children else None
        if self.head is None or not isinstance(last, Token) or last.kind != "RBRACE":
            return []
        return [w for _, _, w in words(last.text)[1:]]

    @property
    def head_ignored(self) -> list[str]:
        """Words after ``name {`` on the head line: ignored (``blacklist { devnode "x" }``)."""
        if self.head is None:
            return []
        found = [w for _, _, w in words(self.head.text)]
        return found[2:] if len(found) > 1 and found[1] == "{" else found[1:]

    @property
    def closed(self) -> bool:
        """False when the file ends before this section's ``}``."""
        if self.node is None or self.head is None:
            return True
        last = self.node.children[-1]
        return not (isinstance(last, Token) and last.kind == "RBRACE" and last.text == "")

    # reading

    def option(self, keyword: str) -> MultipathOption | None:
        """The last line that sets ``keyword`` here: the one a later line overrides nothing of
        (``set_str`` frees the earlier value; ``set_int`` overwrites it)."""
        for found in reversed(self.options):
            if found.keyword == keyword:
                return found
        return None

    def effective(self, keyword: str) -> MultipathOption | None:
        """The option whose value multipathd uses: the last *valid* one (a refused value
        leaves the previous one in place)."""
        for found in reversed(self.options):
            if found.keyword == keyword and found.valid:
                return found
        return None

    def all(self, keyword: str) -> list[MultipathOption]:
        return [o for o in self.options if o.keyword == keyword]

    def value(self, keyword: str) -> str | None:
        found = self.option(keyword)
        return found.value if found else None

    def typed(self, keyword: str) -> Typed:
        """The value multipathd uses for ``keyword`` (``None`` when none is set or valid)."""
        found = self.effective(keyword)
        return found.typed if found else None

    def subsections(self, keyword: str) -> list[MultipathSection]:
        return [s for s in self.sections if s.keyword == keyword]

    @property
    def unknown(self) -> list[MultipathOption]:
        """Options multipathd does not know in this section ("invalid keyword")."""
        return [o for o in self.options if not o.known]

    def walk(self) -> Iterator[MultipathSection]:
        stack: list[MultipathSection] = [self]
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.sections))

    # editing

    def set(self, keyword: str, value: str) -> MultipathOption:
        """Set an option: change the value kept now, or add a line in the style of siblings."""
        found = self.option(keyword)
        if found is not None:
            found.set(value)
            return found
        return self._add_option(keyword, value)

    def _add_option(self, keyword: str, value: str) -> MultipathOption:
        node = self._own_node()
        indent = self._child_indent()
        text = (
            keyword + self._separator(keyword, indent) + self._quote_like_siblings(keyword, value)
        )
        token = Token("STMT", text)
        self._append(token, indent)
        place = _Place(node, self._parent_node())
        option = MultipathOption(self.doc, token, place, self, self.spec.knows(keyword))
        self.options.append(option)
        return option

    def _quote_like_siblings(self, keyword: str, value: str) -> str:
        """Quote a new value when the file quotes this keyword's values elsewhere."""
        sections = [self, *(self.parent.sections if self.parent is not None else [])]
        for section in sections:
            for option in reversed(section.options):
                if option.keyword == keyword:
                    raw = option.raw_value
                    if raw is not None and raw.startswith('"'):
                        return '"' + value.replace('"', '""') + '"'
                    return quote(value)
        return quote(value)

    def unset(self, keyword: str) -> int:
        """Remove every option with this keyword; how many were removed."""
        found = self.all(keyword)
        for option in found:
            option.remove()
        return len(found)

    def add_section(self, keyword: str) -> MultipathSection:
        """Append a ``keyword {`` ... ``}`` block at the end of this section."""
        spec = self.spec.subsections.get(keyword, SectionSpec(keyword))
        node = Node("section", [Token("HEAD", keyword + " {"), Token("RBRACE", "}")])
        indent = self._child_indent()
        self._append(node, indent)
        node.children[1:1] = [Trivia(edit.newline_style(self.doc.root))] + (
            [Trivia(indent)] if indent else []
        )
        head = node.children[0]
        assert isinstance(head, Token)
        section = _section_class(spec)(self.doc, spec, head, _Place(node, self._own_node()), self)
        self.sections.append(section)
        return section

    def remove(self) -> None:
        if self.place is None or self.place.parent is None or self.node is None:
            raise ValueError("only a section with braces of its own can be removed")
        edit.remove_child(self.place.parent, self.node)
        if self.parent is not None and self in self.parent.sections:
            self.parent.sections.remove(self)
        _restructured(self.doc)

    def _own_node(self) -> Node:
        if self.node is None:
            raise ValueError(f"'{self.keyword}' has no braces of its own to add lines to")
        return self.node

    def _parent_node(self) -> Node | None:
        return self.place.container if self.place is not None else None

    def _own_indent(self) -> str:
        if self.place is None or self.place.parent is None or self.node is None:
            return ""
        return edit.indent_before(self.place.parent, self.node)

    def _child_indent(self) -> str:
        """Indentation for a new line inside: a child's, a cousin's, else one step more."""
        node = self._own_node()
        if self.head is None:
            return ""
        for child in reversed(list(_body(node))):
            return edit.indent_before(node, child)
        own = self._own_indent()
        if self.parent is not None:
            for cousin in reversed(self.parent.sections):
                if cousin is self or cousin.node is None or cousin._own_indent() != own:
                    continue
                for child in reversed(list(_body(cousin.node))):
                    return edit.indent_before(cousin.node, child)
        return own + edit.indent_unit(self.doc.root)

    def _separator(self, keyword: str, indent: str) -> str:
        """Space between a new keyword and its value, copying the siblings' column alignment."""
        return edit.aligned_gap(self._value_gaps(), indent + keyword)

    def _value_gaps(self) -> list[tuple[str, str]]:
        """(indentation and keyword, blanks before the value) of options here or in cousins."""
        candidates = [self]
        if self.parent is not None:
            candidates += [s for s in reversed(self.parent.sections) if s is not self]
        for section in candidates:
            found = []
            for option in section.options:
                if option.token.kind != "STMT" or option.misplaced:
                    continue
                parts = words(option.token.text)
                if len(parts) < 2:
                    continue
                indent = edit.indent_before(option.place.container, option.token)
                text = option.token.text
                found.append((indent + text[: parts[0][1]], text[parts[0][1] : parts[1][0]]))
            if found:
                return found
        return []

    def _append(self, item: Node | Token, indent: str) -> None:
        node = self._own_node()
        newline = edit.newline_style(self.doc.root)
        if self.head is None:
            last = next((c for c in reversed(node.children) if not isinstance(c, Trivia)), None)
            if last is None:
                append_last_line(node, item)  # below a header comment, not above it
            else:
                edit.insert_line_after(node, last, item, indent, newline)
        else:
            edit.append_line(node, item, indent, newline, self._own_indent())
        _restructured(self.doc)


def _restructured(doc: Document) -> None:
    """After lines come or go: forget positions, and let the document's model read it again
    (views already handed out keep working on their own tokens)."""
    doc.touched()
    config = doc.__dict__.get("model")  # the cached model, if one was made
    if isinstance(config, MultipathConfig):
        config.refresh()


class MultipathDevice(MultipathSection):
    """``devices { device { vendor product ... } }`` (also a blacklist's ``device``)."""

    __slots__ = ()

    @property
    def vendor(self) -> str | None:
        return self.value("vendor")

    @property
    def product(self) -> str | None:
        return self.value("product")

    @property
    def revision(self) -> str | None:
        return self.value("revision")


class MultipathEntry(MultipathSection):
    """``multipaths { multipath { wwid alias ... } }``: settings for one map."""

    __slots__ = ()

    @property
    def wwid(self) -> str | None:
        """Compared with ``strcmp`` against the map's WWID: exact text, not a pattern."""
        return self.value("wwid")

    @property
    def alias(self) -> str | None:
        return self.value("alias")


class MultipathProtocol(MultipathSection):
    """``overrides { protocol { type ... } }`` (multipath-tools 0.9.0+)."""

    __slots__ = ()

    @property
    def type(self) -> str | None:
        return self.value("type")


_SECTION_CLASSES: dict[str, type[MultipathSection]] = {
    "device": MultipathDevice,
    "multipath": MultipathEntry,
    "protocol": MultipathProtocol,
}


def _section_class(spec: SectionSpec) -> type[MultipathSection]:
    return _SECTION_CLASSES.get(spec.name, MultipathSection)


class MergedSection:
    """All sections of one unique keyword (``defaults``, ``overrides``) read as multipathd
    merges them: each keyword's last value wins, across repeated sections too."""

    __slots__ = ("config", "keyword", "sections")

    def __init__(
        self, config: MultipathConfig, keyword: str, sections: list[MultipathSection]
    ) -> None:
        self.config = config
        self.keyword = keyword
        self.sections = sections

    def __repr__(self) -> str:
        return f"MergedSection({self.keyword!r}, {len(self.sections)} sections)"

    def __bool__(self) -> bool:
        return bool(self.sections)

    @property
    def options(self) -> dict[str, MultipathOption]:
        """The option multipathd keeps for each keyword (unknown keywords included)."""
        merged: dict[str, MultipathOption] = {}
        for section in self.sections:
            for option in section.options:
                merged[option.keyword] = option
        return merged

    def option(self, keyword: str) -> MultipathOption | None:
        """The last line that sets ``keyword``, in any of the sections."""
        for section in reversed(self.sections):
            found = section.option(keyword)
            if found is not None:
                return found
        return None

    def effective(self, keyword: str) -> MultipathOption | None:
        """The last line with a valid value for ``keyword``: the one multipathd uses."""
        for section in reversed(self.sections):
            found = section.effective(keyword)
            if found is not None:
                return found
        return None

    def value(self, keyword: str) -> str | None:
        found = self.option(keyword)
        return found.value if found else None

    def typed(self, keyword: str) -> Typed:
        """The value multipathd uses for ``keyword`` (``None`` when none is set or valid)."""
        found = self.effective(keyword)
        return found.typed if found else None

    @property
    def unknown(self) -> list[MultipathOption]:
        return [o for s in self.sections for o in s.unknown]

    @property
    def duplicates(self) -> list[MultipathOption]:
        """Options a later one of the same keyword overrides ("duplicate keyword")."""
        kept = set(map(id, self.options.values()))
        return [o for s in self.sections for o in s.options if id(o) not in kept]

    def set(self, keyword: str, value: str) -> MultipathOption:
        """Change the value multipathd keeps, or add the option to the last such section."""
        found = self.option(keyword)
        if found is not None:
            found.set(value)
            return found
        section = self.sections[-1] if self.sections else self.config.add_section(self.keyword)
        if not self.sections:
            self.sections.append(section)
        return section.set(keyword, value)

    def unset(self, keyword: str) -> int:
        return sum(s.unset(keyword) for s in self.sections)

    # the options most rules look at

    @property
    def user_friendly_names(self) -> Typed:
        return self.typed("user_friendly_names")

    @property
    def find_multipaths(self) -> Typed:
        return self.typed("find_multipaths")

    @property
    def polling_interval(self) -> Typed:
        return self.typed("polling_interval")

    @property
    def path_grouping_policy(self) -> Typed:
        return self.typed("path_grouping_policy")

    @property
    def protocols(self) -> list[MultipathProtocol]:
        return [p for s in self.sections for p in s.sections if isinstance(p, MultipathProtocol)]


@attrs.frozen
class BlacklistEntry:
    """``devnode``/``wwid``/``property``/``protocol PATTERN``: an unanchored POSIX ERE."""

    kind: str
    option: MultipathOption

    @property
    def pattern(self) -> str | None:
        return self.option.value


class MultipathBlacklist:
    """Every ``blacklist`` (or ``blacklist_exceptions``) section: their entries accumulate."""

    __slots__ = ("config", "keyword", "sections")

    def __init__(
        self, config: MultipathConfig, keyword: str, sections: list[MultipathSection]
    ) -> None:
        self.config = config
        self.keyword = keyword
        self.sections = sections

    def __repr__(self) -> str:
        return f"MultipathBlacklist({self.keyword!r}, {len(self.entries)} entries)"

    def __bool__(self) -> bool:
        return bool(self.sections)

    @property
    def entries(self) -> list[BlacklistEntry]:
        return [
            BlacklistEntry(o.keyword, o)
            for s in self.sections
            for o in s.options
            if o.known and o.keyword in BLACKLIST_KINDS
        ]

    def patterns(self, kind: str) -> list[str]:
        return [e.pattern for e in self.entries if e.kind == kind and e.pattern is not None]

    @property
    def devnodes(self) -> list[str]:
        return self.patterns("devnode")

    @property
    def wwids(self) -> list[str]:
        return self.patterns("wwid")

    @property
    def properties(self) -> list[str]:
        return self.patterns("property")

    @property
    def protocols(self) -> list[str]:
        return self.patterns("protocol")

    @property
    def devices(self) -> list[MultipathDevice]:
        return [d for s in self.sections for d in s.sections if isinstance(d, MultipathDevice)]

    @property
    def unknown(self) -> list[MultipathOption]:
        return [o for s in self.sections for o in s.unknown]

    def add(self, kind: str, pattern: str) -> MultipathOption:
        """Append an entry (``devnode "^sda$"``) to the last such section, creating one if none."""
        if not self.sections:
            self.sections.append(self.config.add_section(self.keyword))
        return self.sections[-1]._add_option(kind, pattern)


class _Reader:
    """Replays multipathd's ``process_stream`` over the tree's lines."""

    def __init__(self, doc: Document, root: MultipathSection) -> None:
        self.doc = doc
        self.stack = [root]
        self.ignored: list[IgnoredLine] = []
        self.stray_closers: list[Token] = []

    def read(self) -> None:
        for token, place in _lines(self.doc.root):
            self.line(token, place)

    def line(self, token: Token, place: _Place) -> None:
        if token.kind == "RBRACE":
            if not token.text:  # the end of the file closing a section: no line at all
                return
            if len(self.stack) > 1:
                self.stack.pop()
            else:
                self.stray_closers.append(token)
            return
        if token.kind == "LBRACE":
            self.ignored.append(IgnoredLine(token, "a line starting with '{' is skipped"))
            return
        keyword, has_value = keyword_of(token.text)
        if not has_value and keyword not in BRACELESS_SECTIONS:
            self.ignored.append(IgnoredLine(token, f"missing value for option '{keyword}'"))
            return
        current = self.stack[-1]
        spec = current.spec.subsections.get(keyword)
        if spec is None:
            option = MultipathOption(self.doc, token, place, current, current.spec.knows(keyword))
            current.options.append(option)
            return
        section = _section_class(spec)(self.doc, spec, token, place, current)
        current.sections.append(section)
        self.stack.append(section)


def _first_token(node: Node) -> Token | None:
    for child in node.children:
        if isinstance(child, Token):
            return child
        if isinstance(child, Node):
            return None
    return None


def _lbrace(node: Node | None) -> Token | None:
    if node is None:
        return None
    for child in node.children[1:]:
        if isinstance(child, Token):
            return child if child.kind == "LBRACE" else None
        if isinstance(child, Node):
            return None
    return None


def _body(node: Node) -> Iterator[Node | Token]:
    """A section node's children between its head (and ``{`` line) and its ``}``."""
    for child in node.children[1:-1]:
        if isinstance(child, Trivia) or (isinstance(child, Token) and child.kind == "LBRACE"):
            continue
        yield child


def _lines(root: Node) -> Iterator[tuple[Token, _Place]]:
    """Every token in file order with the node holding it (iterative: deep trees are fine)."""
    stack: list[tuple[_Place, Iterator[Node | Token | Trivia]]] = [
        (_Place(root, None), iter(root.children))
    ]
    while stack:
        place, children = stack[-1]
        for child in children:
            if isinstance(child, Token):
                yield child, place
            elif isinstance(child, Node):
                stack.append((_Place(child, place.container), iter(child.children)))
                break
        else:
            stack.pop()


class MultipathConfig:
    """A whole multipath.conf (or conf.d file) as multipathd reads it."""

    __slots__ = ("_read", "doc")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._read: _Reader | None = None

    def __repr__(self) -> str:
        return f"MultipathConfig({self.doc.path!r})"

    def _reader(self) -> _Reader:
        if self._read is None:
            reader = _Reader(self.doc, MultipathSection(self.doc, ROOT, None, None, None))
            reader.read()
            self._read = reader
        return self._read

    def refresh(self) -> None:
        """Read the tree again (after edits made to it directly, not through the views)."""
        self._read = None

    @property
    def top(self) -> MultipathSection:
        """The file itself: top-level sections, and unknown top-level keywords as options."""
        return self._reader().stack[0]

    @property
    def sections(self) -> list[MultipathSection]:
        return self.top.sections

    def _all(self, keyword: str) -> list[MultipathSection]:
        return self.top.subsections(keyword)

    @property
    def defaults(self) -> MergedSection:
        return MergedSection(self, "defaults", self._all("defaults"))

    @property
    def overrides(self) -> MergedSection:
        return MergedSection(self, "overrides", self._all("overrides"))

    @property
    def blacklist(self) -> MultipathBlacklist:
        return MultipathBlacklist(self, "blacklist", self._all("blacklist"))

    @property
    def blacklist_exceptions(self) -> MultipathBlacklist:
        return MultipathBlacklist(self, "blacklist_exceptions", self._all("blacklist_exceptions"))

    @property
    def devices(self) -> list[MultipathDevice]:
        return [
            d for s in self._all("devices") for d in s.sections if isinstance(d, MultipathDevice)
        ]

    @property
    def multipaths(self) -> list[MultipathEntry]:
        return [
            m for s in self._all("multipaths") for m in s.sections if isinstance(m, MultipathEntry)
        ]

    def multipath(self, wwid: str) -> list[MultipathEntry]:
        """The entries for ``wwid`` (since 0.7.8 they merge, later settings winning)."""
        return [m for m in self.multipaths if m.wwid == wwid]

    def merged_multipaths(self) -> dict[str, dict[str, MultipathOption]]:
        """Options per WWID as multipathd 0.7.8+ merges entries (``merge_mptable``): entries
        with the same ``wwid`` merge, later valid settings win; an entry without ``wwid`` is
        dropped."""
        merged: dict[str, dict[str, MultipathOption]] = {}
        for entry in self.multipaths:
            wwid = entry.wwid
            if wwid is None:
                continue
            # an earlier entry fills in only what is unset, and never with "" (`merge_str`)
            earlier = {k: o for k, o in merged.get(wwid, {}).items() if o.value != ""}
            own = {o.keyword: o for o in entry.options if o.known and o.valid}
            merged[wwid] = {**earlier, **own}
        return merged

    @property
    def unknown(self) -> list[MultipathOption]:
        """Every option multipathd does not know where it reads it, in file order."""
        found = [o for s in self.top.walk() for o in s.unknown]
        return sorted(found, key=lambda option: self.doc.position(option.token))

    @property
    def ignored_lines(self) -> list[IgnoredLine]:
        """Lines multipathd drops whole: a lone ``{`` line, a keyword without a value."""
        return self._reader().ignored

    @property
    def stray_closers(self) -> list[Token]:
        """``}`` lines multipathd finds at the top level ("unmatched '}'")."""
        return self._reader().stray_closers

    def walk(self) -> Iterator[MultipathSection]:
        return self.top.walk()

    # editing

    def add_section(self, keyword: str) -> MultipathSection:
        """Append a top-level ``keyword { }`` block."""
        return self.top.add_section(keyword)

    def add_multipath(self, wwid: str, alias: str | None = None, **options: str) -> MultipathEntry:
        """Append a ``multipath`` entry to the last ``multipaths`` section (created if none)."""
        found = self._all("multipaths")
        multipaths = found[-1] if found else self.add_section("multipaths")
        entry = multipaths.add_section("multipath")
        assert isinstance(entry, MultipathEntry)
        entry.set("wwid", wwid)
        if alias is not None:
            entry.set("alias", alias)
        for keyword, value in options.items():
            entry.set(keyword, value)
        return entry
