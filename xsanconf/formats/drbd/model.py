"""Typed views over a drbd.conf syntax tree.

Views hold no copies: reading a value reads its token, and every edit replaces, adds or removes
tokens in the tree, so the rest of the file re-renders byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from xsanconf import edit
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.drbd import lexer
from xsanconf.formats.drbd.values import (
    Address,
    DeviceSpec,
    MetaDisk,
    parse_address,
    parse_bool,
    parse_device,
    parse_meta_disk,
    parse_size,
    quote,
    unquote,
)
from xsanconf.syntax import Node, Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "OPTION_TYPES",
    "DrbdConfig",
    "DrbdConnection",
    "DrbdHost",
    "DrbdResource",
    "DrbdSection",
    "DrbdStatement",
    "DrbdVolume",
    "EffectiveVolume",
]

# How to read the values of the options whose type is known (drbd-utils config_flags.c).
OPTION_TYPES: dict[str, str] = {
    **dict.fromkeys(
        [
            "allow-two-primaries",
            "always-asbp",
            "disk-barrier",
            "disk-flushes",
            "disk-drain",
            "md-flushes",
            "use-rle",
            "tcp-cork",
            "discard-my-data",
            "auto-promote",
            "al-updates",
            "wait-after-sb",
            "disable-ip-verification",
            "stacked-timeouts",
            "allow-remote-read",
            "csums-after-crash-only",
            "discard-zeroes-if-aligned",
            "disable-write-same",
            "two-primaries",
            "no-disk-barrier",
            "no-disk-flushes",
            "no-disk-drain",
            "no-md-flushes",
            "no-tcp-cork",
        ],
        "bool",
    ),
    **dict.fromkeys(
        [
            "size",
            "resync-rate",
            "rate",
            "c-max-rate",
            "c-min-rate",
            "c-fill-target",
            "sndbuf-size",
            "rcvbuf-size",
            "congestion-fill",
            "max-bio-size",
        ],
        "size",
    ),
    **dict.fromkeys(
        [
            "al-extents",
            "timeout",
            "connect-int",
            "ping-int",
            "ping-timeout",
            "wfc-timeout",
            "degr-wfc-timeout",
            "outdated-wfc-timeout",
            "ko-count",
            "max-epoch-size",
            "max-buffers",
            "node-id",
            "minor-count",
            "dialog-refresh",
            "disk-timeout",
            "c-plan-ahead",
            "c-delay-target",
            "congestion-extents",
            "unplug-watermark",
        ],
        "int",
    ),
    "address": "address",
    "device": "device",
    "meta-disk": "meta-disk",
    "flexible-meta-disk": "meta-disk",
}

HOST_KEYWORDS = frozenset({"on", "floating", "stacked-on-top-of", "_this_host"})


def _statement_words(token: Token) -> list[tuple[int, int, str]]:
    return lexer.words(token.text)


def _styled(value: str, old: str | None) -> str:
    """The word for ``value`` in place of the word ``old``: unchanged when it already says
    ``value`` (so setting a value to itself changes no byte), quoted when ``old`` was."""
    if old is not None and unquote(old) == value:
        return old
    return quote(value, always=old is not None and old.startswith('"'))


class DrbdStatement:
    """``keyword value...;`` -- an option or a parameter such as ``device``."""

    __slots__ = ("container", "doc", "token")

    def __init__(self, doc: Document, container: Node, token: Token) -> None:
        self.doc = doc
        self.container = container
        self.token = token

    def __repr__(self) -> str:
        return f"DrbdStatement({self.token.text!r})"

    @property
    def keyword(self) -> str:
        found = _statement_words(self.token)
        return unquote(found[0][2]) if found else ""

    @property
    def args(self) -> list[str]:
        """The values after the keyword, unquoted."""
        return [unquote(w) for _, _, w in _statement_words(self.token)[1:]]

    @property
    def value(self) -> str | None:
        """The values joined by a space; ``None`` for a bare flag (``allow-two-primaries;``)."""
        args = self.args
        return " ".join(args) if args else None

    @property
    def typed(self) -> Any:
        """The value read by its known type (bool, int, bytes, Address, ...), else the text."""
        kind = OPTION_TYPES.get(self.keyword)
        args = self.args
        value = self.value
        if kind == "bool":
            return parse_bool(value)
        if kind == "size" and value is not None:
            return parse_size(value)
        if kind == "int" and value is not None and value.isdigit():
            return int(value)
        if kind == "address":
            return parse_address(args)
        if kind == "device":
            return parse_device(args)
        if kind == "meta-disk":
            return parse_meta_disk(args)
        return value

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, *values: str) -> None:
        """Replace the values, keeping the spacing after the keyword and anything after them."""
        text = self.token.text
        found = _statement_words(self.token)
        old = [w for _, _, w in found[1:]]
        new = " ".join(_styled(v, old[i] if i < len(old) else None) for i, v in enumerate(values))
        if len(found) > 1:
            start, end = found[1][0], found[-1][1]
            text = text[:start] + new + text[end:]
        else:
            end = found[0][1]
            text = text[:end] + (" " + new if new else "") + text[end:]
        self.token.text = text
        self.doc.touched()

    def remove(self) -> None:
        edit.remove_child(self.container, self.token)
        self.doc.touched()


class DrbdSection:
    """A ``keyword args... { ... }`` section, or the whole file for :class:`DrbdConfig`."""

    __slots__ = ("doc", "node", "parent")

    def __init__(self, doc: Document, node: Node, parent: DrbdSection | None = None) -> None:
        self.doc = doc
        self.node = node
        self.parent = parent

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.keyword!r}, {self.args!r})"

    @property
    def head(self) -> Token | None:
        first = self.node.children[0] if self.node.children else None
        return first if isinstance(first, Token) and first.kind in ("HEAD", "SKIP_HEAD") else None

    def _head_words(self) -> list[str]:
        head = self.head
        return [unquote(w) for _, _, w in lexer.words(head.text)] if head else []

    @property
    def keyword(self) -> str:
        found = self._head_words()
        return found[0] if found else ""

    @property
    def args(self) -> list[str]:
        return self._head_words()[1:]

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.head or self.node)

    @property
    def closed(self) -> bool:
        """False for a section whose ``}`` is missing at the end of the file."""
        last = self.node.children[-1] if self.node.children else None
        return not (isinstance(last, Token) and last.kind == "RBRACE" and last.text == "")

    @property
    def skipped(self) -> bool:
        return self.node.kind == "skip"

    # reading

    def statements(self, keyword: str | None = None) -> list[DrbdStatement]:
        found = [
            DrbdStatement(self.doc, self.node, c)
            for c in self.node.children
            if isinstance(c, Token) and c.kind == "STMT"
        ]
        if keyword is not None:
            found = [s for s in found if s.keyword == keyword]
        return found

    def sections(self, keyword: str | None = None) -> list[DrbdSection]:
        found = [
            _view(self.doc, c, self)
            for c in self.node.children
            if isinstance(c, Node) and c.kind == "section"
        ]
        if keyword is not None:
            found = [s for s in found if s.keyword == keyword]
        return found

    def skips(self) -> list[DrbdSection]:
        return [
            DrbdSection(self.doc, c, self)
            for c in self.node.children
            if isinstance(c, Node) and c.kind == "skip"
        ]

    def statement(self, keyword: str) -> DrbdStatement | None:
        """The statement with this keyword (the last one, as drbdadm's later value wins)."""
        found = self.statements(keyword)
        return found[-1] if found else None

    def section(self, keyword: str, *args: str) -> DrbdSection | None:
        for s in self.sections(keyword):
            if not args or s.args[: len(args)] == list(args):
                return s
        return None

    def value(self, keyword: str) -> str | None:
        found = self.statement(keyword)
        return found.value if found else None

    def options(self) -> dict[str, DrbdStatement]:
        """Statements by keyword (the last wins)."""
        return {s.keyword: s for s in self.statements()}

    # editing

    def _indent(self) -> tuple[str, str, str]:
        """Indentation for a new child line, for this section's closing brace, and the newline."""
        root = self.doc.root
        newline = edit.newline_style(root)
        if self.head is None:
            # the file itself: its lines start where its first one does (in column 1 if none)
            first = next((c for c in self.node.children if not isinstance(c, Trivia)), None)
            return (edit.indent_before(root, first) if first is not None else ""), "", newline
        for child in self.node.children[1:-1]:
            if not isinstance(child, Trivia):
                indent = edit.indent_before(self.node, child)
                # a sibling sharing the header's line (`disk { a; }`) says nothing of indentation
                if indent or self.head is None:
                    return indent, self._own_indent(), newline
                break
        own = self._own_indent()
        return own + self._indent_step(), own, newline

    def _indent_step(self) -> str:
        """One level of indentation as this section's ancestors use it, else the file's."""
        section: DrbdSection | None = self.parent
        while section is not None:
            child = next((c for c in section.node.children[1:] if not isinstance(c, Trivia)), None)
            if child is not None and section.head is not None:
                inner = edit.indent_before(section.node, child)
                outer = section._own_indent()
                if inner.startswith(outer) and len(inner) > len(outer):
                    return inner[len(outer) :]
            section = section.parent
        return edit.indent_unit(self.doc.root)

    def _own_indent(self) -> str:
        if self.parent is None:
            return ""
        return edit.indent_before(self.parent.node, self.node)

    def set(self, keyword: str, *values: str) -> DrbdStatement:
        """Set an option: change the existing statement, or add one after its siblings."""
        found = self.statement(keyword)
        if found is not None:
            found.set(*values)
            return found
        words = [quote(v) for v in values]
        gap = edit.aligned_gap(self._value_gaps(), self._indent()[0] + quote(keyword))
        token = Token("STMT", quote(keyword) + (gap + " ".join(words) if words else "") + ";")
        self._append(token)
        return DrbdStatement(self.doc, self.node, token)

    def _value_gaps(self) -> list[tuple[str, str]]:
        """(indentation and keyword, blanks after it) of this section's one-line statements,
        to line a new value up with theirs."""
        samples = []
        for statement in self.statements():
            found = _statement_words(statement.token)
            if len(found) < 2 or "\n" in statement.token.text:
                continue
            text = statement.token.text
            indent = edit.indent_before(self.node, statement.token)
            samples.append((indent + text[: found[0][1]], text[found[0][1] : found[1][0]]))
        return samples

    def unset(self, keyword: str) -> int:
        """Remove every statement with this keyword; how many were removed."""
        found = self.statements(keyword)
        for s in found:
            s.remove()
        return len(found)

    def add_section(self, keyword: str, *args: str) -> DrbdSection:
        head = " ".join([quote(keyword), *(quote(a) for a in args)]) + " {"
        node = Node("section", [Token("HEAD", head), Token("RBRACE", "}")])
        self._append(node)
        indent = edit.indent_before(self.node, node)
        newline = Trivia(edit.newline_style(self.doc.root))
        node.children[1:1] = [newline, Trivia(indent)] if indent else [newline]
        return _view(self.doc, node, self)

    def _append(self, item: Node | Token) -> None:
        indent, close_indent, newline = self._indent()
        if self.head is None:
            last = next(
                (c for c in reversed(self.node.children) if not isinstance(c, Trivia)), None
            )
            if last is None:
                append_last_line(self.node, item)  # below any comments, not above them
            else:
                edit.insert_line_after(self.node, last, item, indent, newline)
        else:
            edit.append_line(self.node, item, indent, newline, close_indent)
        self.doc.touched()

    def remove(self) -> None:
        if self.parent is None:
            raise ValueError("cannot remove the whole file")
        edit.remove_child(self.parent.node, self.node)
        self.doc.touched()

    def text(self) -> str:
        return render(self.node)


class DrbdVolume(DrbdSection):
    __slots__ = ()

    @property
    def number(self) -> int | None:
        args = self.args
        return int(args[0]) if args and args[0].isdigit() else None

    @property
    def device(self) -> DeviceSpec | None:
        found = self.statement("device")
        return found.typed if found else None

    @property
    def disk(self) -> str | None:
        return self.value("disk")

    @property
    def meta_disk(self) -> MetaDisk | None:
        found = self.statement("meta-disk") or self.statement("flexible-meta-disk")
        return found.typed if found else None


class DrbdHost(DrbdSection):
    """``on NAME... { }``, ``floating [AF] ADDR:PORT { }`` or ``stacked-on-top-of RES { }``."""

    __slots__ = ()

    @property
    def names(self) -> list[str]:
        """Host names an ``on`` section stands for (empty for floating and stacked sections)."""
        return self.args if self.keyword == "on" else []

    @property
    def address(self) -> Address | None:
        if self.keyword == "floating":
            return parse_address(self.args)
        found = self.statement("address")
        return found.typed if found else None

    @property
    def node_id(self) -> int | None:
        value = self.value("node-id")
        return int(value) if value and value.isdigit() else None

    @property
    def volumes(self) -> list[DrbdVolume]:
        return [s for s in self.sections("volume") if isinstance(s, DrbdVolume)]

    @property
    def device(self) -> DeviceSpec | None:
        found = self.statement("device")
        return found.typed if found else None

    @property
    def disk(self) -> str | None:
        return self.value("disk")

    @property
    def meta_disk(self) -> MetaDisk | None:
        found = self.statement("meta-disk") or self.statement("flexible-meta-disk")
        return found.typed if found else None


class DrbdConnection(DrbdSection):
    """A DRBD 9 ``connection { host ...; path { } }`` or ``connection-mesh { hosts ...; }``."""

    __slots__ = ()

    @property
    def hosts(self) -> list[str]:
        if self.keyword == "connection-mesh":
            return self.statement("hosts").args if self.statement("hosts") else []  # type: ignore[union-attr]
        names = [s.args[0] for s in self.statements("host") if s.args]
        for path in self.sections("path"):
            names += [s.args[0] for s in path.statements("host") if s.args]
        return list(dict.fromkeys(names))


class EffectiveVolume:
    """A volume of one host after inheritance from the resource level."""

    __slots__ = ("device", "disk", "meta_disk", "number", "sources")

    def __init__(self, number: int) -> None:
        self.number = number
        self.device: DeviceSpec | None = None
        self.disk: str | None = None
        self.meta_disk: MetaDisk | None = None
        self.sources: dict[str, DrbdStatement] = {}

    def take(self, section: DrbdSection) -> None:
        for keyword in ("device", "disk", "meta-disk", "flexible-meta-disk"):
            found = section.statement(keyword)
            if found is None:
                continue
            self.sources[keyword] = found
            if keyword == "device":
                self.device = found.typed
            elif keyword == "disk":
                self.disk = found.value
            else:
                self.meta_disk = found.typed


class DrbdResource(DrbdSection):
    __slots__ = ()

    @property
    def name(self) -> str:
        args = self.args
        return args[0] if args else ""

    @property
    def hosts(self) -> list[DrbdHost]:
        return [s for s in self.sections() if isinstance(s, DrbdHost)]

    @property
    def host_names(self) -> list[str]:
        return [name for h in self.hosts for name in h.names]

    @property
    def volumes(self) -> list[DrbdVolume]:
        return [s for s in self.sections("volume") if isinstance(s, DrbdVolume)]

    @property
    def connections(self) -> list[DrbdConnection]:
        return [s for s in self.sections() if isinstance(s, DrbdConnection)]

    def host(self, name: str) -> DrbdHost | None:
        for h in self.hosts:
            if name in h.names:
                return h
        return None

    def effective_volumes(self, host: DrbdHost) -> list[EffectiveVolume]:
        """The host's volumes with what they inherit from the resource level."""
        volumes: dict[int, EffectiveVolume] = {}

        def volume(number: int) -> EffectiveVolume:
            return volumes.setdefault(number, EffectiveVolume(number))

        implicit = any(self.statement(k) for k in ("device", "disk", "meta-disk")) or any(
            host.statement(k) for k in ("device", "disk", "meta-disk", "flexible-meta-disk")
        )
        if implicit:
            volume(0).take(self)
        for v in self.volumes:
            if v.number is not None:
                volume(v.number).take(v)
        if implicit:
            volume(0).take(host)
        for v in host.volumes:
            if v.number is not None:
                volume(v.number).take(v)
        return [volumes[n] for n in sorted(volumes)]


def _view(doc: Document, node: Node, parent: DrbdSection | None) -> DrbdSection:
    head = node.children[0] if node.children else None
    keyword = ""
    if isinstance(head, Token):
        found = lexer.words(head.text)
        keyword = unquote(found[0][2]) if found else ""
    cls: type[DrbdSection] = DrbdSection
    if keyword == "resource" and (parent is None or parent.parent is None):
        cls = DrbdResource
    elif keyword in HOST_KEYWORDS:
        cls = DrbdHost
    elif keyword == "volume":
        cls = DrbdVolume
    elif keyword in ("connection", "connection-mesh"):
        cls = DrbdConnection
    return cls(doc, node, parent)


class DrbdConfig(DrbdSection):
    """The whole file: ``global``, ``common``, resources and includes."""

    __slots__ = ()

    def __init__(self, doc: Document) -> None:
        super().__init__(doc, doc.root, None)

    @property
    def global_section(self) -> DrbdSection | None:
        return self.section("global")

    @property
    def common(self) -> DrbdSection | None:
        return self.section("common")

    @property
    def resources(self) -> list[DrbdResource]:
        return [s for s in self.sections("resource") if isinstance(s, DrbdResource)]

    def resource(self, name: str) -> DrbdResource | None:
        for r in self.resources:
            if r.name == name:
                return r
        return None

    @property
    def includes(self) -> list[DrbdStatement]:
        return self.statements("include")

    def add_resource(self, name: str) -> DrbdResource:
        added = self.add_section("resource", name)
        assert isinstance(added, DrbdResource)
        return added

    def unclosed(self) -> list[DrbdSection]:
        """Sections left open at the end of the file (drbdadm 9 closes a resource there)."""
        return [s for s in self.walk() if s.head is not None and not s.closed]

    def walk(self) -> Iterator[DrbdSection]:
        """Every section, depth first (skipped blocks excluded)."""
        stack: list[DrbdSection] = [self]
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.sections()))
