"""Typed views over an scst.conf syntax tree, read as scstadmin reads the file.

scstadmin's ``parseStanza`` turns the file into nested Perl hashes: a line's first three
*elements* (words, or ``"quoted strings"``) are keys, ``$h{a}{b}{c} = {block}``, so

* a later ``TARGET x`` (or ``HANDLER``, ``DEVICE``, ``GROUP``) block *replaces* an earlier one
  of the same name, contents and all (:meth:`ScstScope.entries` keeps the last);
* ``name value`` lines with the same name add up: each value is a key (``IncomingUser``,
  ``INITIATOR``, ``allowed_portal``); for a single-valued attribute two different values make a
  list that the kernel refuses;
* only the first three elements count; an attribute line with three (``IncomingUser joe
  secret`` without quotes) is refused (``configToAttr``: "Attribute ... has an invalid value").

Views hold no copies: reading a value reads its token, and edits splice tokens, so the rest of
the file re-renders byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from xsanconf import edit
from xsanconf.formats._lines import append_last_line, remove_line
from xsanconf.formats.scst.lexer import BLANKS, comment_start
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import TargetLun

__all__ = [
    "Element",
    "ScstAccount",
    "ScstConfig",
    "ScstDevice",
    "ScstDeviceGroup",
    "ScstEntry",
    "ScstGroup",
    "ScstHandler",
    "ScstLun",
    "ScstScope",
    "ScstTarget",
    "ScstTargetDriver",
    "elements",
    "empty_block",
    "is_section_word",
    "quote_value",
]

_ELEMENT = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"|([^ \t\n\x0b\x0c\r]+)')
_HIDDEN = "<hidden>"

Element = tuple[str, int, int]  # value, raw start, raw end (offsets into the token's text)
# attributes whose values add up rather than replace one another
LIST_ATTRIBUTES = frozenset(
    {"IncomingUser", "OutgoingUser", "INITIATOR", "allowed_portal", "DEVICE", "TARGET"}
)


def _logical_map(raw: str) -> tuple[str, list[int]]:
    """The unescaped text of ``raw`` and, for each of its characters, its raw start offset
    (one extra entry: the raw end)."""
    chars: list[str] = []
    starts: list[int] = []
    i = 0
    while i < len(raw):
        starts.append(i)
        if raw[i] == "\\" and i + 1 < len(raw):
            chars.append(raw[i + 1])
            i += 2
        else:
            chars.append(raw[i])
            i += 1
    starts.append(len(raw))
    return "".join(chars), starts


def elements(raw: str) -> list[Element]:
    """parseLine's elements of a token's raw text: each value with its raw span.

    Escapes are removed first (readConfigFile does it for the whole line), then a double-quoted
    string is one element (its quotes dropped; a backslash pair inside it kept as written), any
    other run of non-blanks is one.
    """
    if "\\" not in raw:
        return [
            (m.group(1) if m.group(1) is not None else m.group(2), m.start(), m.end())
            for m in _ELEMENT.finditer(raw)
        ]
    text, starts = _logical_map(raw)
    return [
        (m.group(1) if m.group(1) is not None else m.group(2), starts[m.start()], starts[m.end()])
        for m in _ELEMENT.finditer(text)
    ]


def quote_value(value: str) -> str:
    """``value`` written so that scstadmin reads it back as one element (escapeMeta's style:
    ``\\`` and ``#`` escaped, double quotes around a value with a blank); ``ValueError`` for
    what no writing reads back (a line break, a brace, a double quote in a value with blanks)."""
    if not value:
        raise ValueError("an scst.conf value cannot be empty")
    if any(c in value for c in "\n{}"):
        raise ValueError(f"an scst.conf value cannot hold a line break or a brace: {value!r}")
    escaped = value.replace("\\", "\\\\").replace("#", "\\#")
    if any(c in BLANKS for c in value):
        if '"' in value or "\\" in value:
            raise ValueError(f"a value with blanks cannot hold '\"' or '\\': {value!r}")
        return f'"{escaped}"'
    if value.startswith('"'):
        raise ValueError(f"a value cannot start with '\"': {value!r}")
    result = escaped
    if [e[0] for e in elements(result)] != [value]:
        raise ValueError(f"scstadmin would not read {value!r} back")
    return result


_LEGACY = frozenset({"HANDLER", "GROUP", "ASSIGNMENT"})


def _legacy_section(line: str) -> str | None:
    """``$1`` of Perl's ``/\\[(.*)\\s+.*\\]/`` on ``line``, in linear time: from the first ``[``
    to the last blank that a ``]`` follows (the greedy group backs off to it)."""
    start = line.find("[")
    close = line.rfind("]")
    if start < 0 or close <= start:
        return None
    for at in range(close - 1, start, -1):
        if line[at] in BLANKS:
            return line[start + 1 : at]
    return None


def _check_name(name: str) -> str:
    if not name or any(c in BLANKS or c in '{}#"\\' for c in name):
        raise ValueError(f"an scst.conf name is one word without braces, quotes or '#': {name!r}")
    return name


class ScstEntry:
    """One statement or block of a scope, read as parseLine reads its line: ``elements``.

    ``node`` is the block (``None`` for a plain line); ``token`` the line or the block's head.
    """

    __slots__ = ("_read", "doc", "node", "scope", "token")

    def __init__(self, doc: Document, scope: Node, token: Token, node: Node | None) -> None:
        self.doc = doc
        self.scope = scope
        self.token = token
        self.node = node
        self._read: tuple[str, list[Element]] | None = None

    def __repr__(self) -> str:
        if self.keyword in ("IncomingUser", "OutgoingUser"):
            return f"ScstEntry({self.keyword!r}, {_HIDDEN})"
        return f"ScstEntry({self.token.text!r})"

    @property
    def elements(self) -> list[Element]:
        text = self.token.text
        read = self._read
        if read is None or read[0] is not text:
            read = self._read = (text, elements(text))
        return read[1]

    @property
    def words(self) -> list[str]:
        """The element values scstadmin keeps (the first three)."""
        return [e[0] for e in self.elements[:3]]

    @property
    def keyword(self) -> str:
        found = self.elements
        return found[0][0] if found else ""

    @property
    def value(self) -> str | None:
        found = self.elements
        return found[1][0] if len(found) > 1 else None

    @property
    def key(self) -> tuple[str, ...]:
        """Where parseLine stores the entry: its first three elements."""
        return tuple(self.words)

    @property
    def anchor(self) -> Node | Token:
        return self.node if self.node is not None else self.token

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set_value(self, value: str) -> None:
        """Replace everything after the keyword with ``value`` (one element)."""
        found = self.elements
        if not found:
            raise ValueError("this line has no keyword")
        text = self.token.text
        new = quote_value(value)
        if len(found) > 1:
            self.token.text = text[: found[1][1]] + new + text[found[-1][2] :]
        else:
            self.token.text = text + " " + new
        self.doc.touched()

    def remove(self) -> None:
        """Remove the line (or the whole block) with its indentation and line end."""
        remove_line(self.doc.root, self.scope, self.anchor)  # type: ignore[arg-type]
        self.doc.touched()


def _kept(found: list[ScstEntry]) -> list[ScstEntry]:
    seen: set[tuple[str, ...]] = set()
    kept: list[ScstEntry] = []
    for entry in reversed(found):
        key = entry.key
        if not key or any(key[:n] in seen for n in range(1, len(key) + 1)):
            continue
        seen.add(key)
        kept.append(entry)
    kept.reverse()
    return kept


def _read_scope(doc: Document, node: Node) -> tuple[list[ScstEntry], list[ScstEntry]]:
    """A scope's entries, all and kept, read once per edit of the document (rules ask about
    the same scopes many times; the lists are not to be changed)."""
    config = doc.model
    cache = config._scopes if isinstance(config, ScstConfig) else None
    if cache is not None and cache[0] == doc.generation:
        found = cache[1].get(id(node))
        if found is not None:
            return found
    everything = [ScstEntry(doc, node, t, n) for t, n in _scope_items(node)]
    result = (everything, _kept(everything))
    if isinstance(config, ScstConfig):
        if cache is None or cache[0] != doc.generation:
            cache = config._scopes = (doc.generation, {})
        cache[1][id(node)] = result
    return result


def _scope_items(node: Node) -> Iterator[tuple[Token, Node | None]]:
    """The statements and named blocks directly in ``node`` (anonymous blocks and text
    scstadmin drops are no entries)."""
    for child in node.children:
        if isinstance(child, Token):
            if child.kind == "STMT":
                yield child, None
        elif isinstance(child, Node) and child.kind == "block":
            head = child.children[0]
            if isinstance(head, Token) and head.kind == "HEAD":
                yield head, child


class ScstScope:
    """The entries of one block (or of the file)."""

    __slots__ = ("doc", "node")

    def __init__(self, doc: Document, node: Node) -> None:
        self.doc = doc
        self.node = node

    def all_entries(self, keyword: str | None = None) -> list[ScstEntry]:
        """Every entry in file order, those scstadmin overrides included."""
        found = _read_scope(self.doc, self.node)[0]
        return found if keyword is None else [e for e in found if e.keyword == keyword]

    def entries(self, keyword: str | None = None) -> list[ScstEntry]:
        """The entries scstadmin keeps: a later entry whose key (first three elements) is the
        same as an earlier one's, or a start of it, replaces it (a Perl hash assignment)."""
        kept = _read_scope(self.doc, self.node)[1]
        return kept if keyword is None else [e for e in kept if e.keyword == keyword]

    def blocks(self, keyword: str) -> list[ScstEntry]:
        """The named ``keyword NAME`` entries kept (a plain ``DEVICE x`` line counts: an entry
        with no attributes)."""
        return [e for e in self.entries(keyword) if e.value is not None]

    def block(self, keyword: str, name: str) -> ScstEntry | None:
        for entry in self.blocks(keyword):
            if entry.value == name:
                return entry
        return None

    def values(self, name: str) -> list[str]:
        """The distinct values of attribute ``name`` (each ``name value`` line adds one)."""
        out: list[str] = []
        for entry in self.entries(name):
            if entry.node is None and entry.value is not None and entry.value not in out:
                out.append(entry.value)
        return out

    def value(self, name: str) -> str | None:
        """The attribute's value when it has exactly one (scstadmin makes several a list)."""
        found = self.values(name)
        return found[0] if len(found) == 1 else None

    def attributes(self) -> dict[str, list[str]]:
        """Every attribute (a plain line whose keyword is not an upper-case section word)."""
        out: dict[str, list[str]] = {}
        for entry in self.entries():
            if entry.node is None and not is_section_word(entry.keyword):
                out.setdefault(entry.keyword, [])
                if entry.value is not None and entry.value not in out[entry.keyword]:
                    out[entry.keyword].append(entry.value)
        return out

    # -- editing ---------------------------------------------------------------------------

    def _indent(self) -> str:
        for entry in self.all_entries():
            found = edit.indent_before(self.node, entry.anchor)
            if found or self.node is self.doc.root:
                return found
        if self.node is self.doc.root:
            return ""
        return self._outer_indent() + edit.indent_unit(self.doc.root)

    def _outer_indent(self) -> str:
        parent = _parent_of(self.doc.root, self.node)
        if parent is None:
            return ""
        return edit.indent_before(parent, self.node)

    def _append(self, item: Node | Token) -> None:
        newline = edit.newline_style(self.doc.root)
        if self.node is self.doc.root:
            append_last_line(self.doc.root, item)
        else:
            entries = self.all_entries()
            if entries and not is_section_word(_keyword_of(item)):
                # attributes go after the last attribute line, before the sub-blocks
                plain = [e for e in entries if e.node is None]
                anchor = plain[-1].anchor if plain else None
                if anchor is not None:
                    edit.insert_line_after(self.node, anchor, item, self._indent(), newline)
                    self.doc.touched()
                    return
            edit.append_line(self.node, item, self._indent(), newline, self._outer_indent())
        self.doc.touched()

    def set(self, name: str, value: str) -> ScstEntry:
        """Set attribute ``name``: the last line of it changes (the others go), or one is added."""
        found = [e for e in self.all_entries(name) if e.node is None]
        if found:
            for extra in found[:-1]:
                extra.remove()
            found[-1].set_value(value)
            return found[-1]
        return self.add(name, value)

    def add(self, name: str, value: str) -> ScstEntry:
        """Add a ``name value`` line (a value of a list attribute such as ``IncomingUser``)."""
        return self.add_line(f"{_check_name(name)} {quote_value(value)}")

    def add_line(self, text: str) -> ScstEntry:
        """Add a line of this (already quoted) text."""
        token = Token("STMT", text)
        self._append(token)
        return ScstEntry(self.doc, self.node, token, None)

    def unset(self, name: str, value: str | None = None) -> int:
        """Remove the lines of attribute ``name`` (only those of ``value`` if given)."""
        found = [e for e in self.all_entries(name) if e.node is None]
        found = [e for e in found if value is None or e.value == value]
        for entry in found:
            entry.remove()
        return len(found)

    def add_block(self, keyword: str, name: str) -> ScstEntry:
        """Append ``KEYWORD name {`` / ``}``, indented as the scope's entries."""
        newline = edit.newline_style(self.doc.root)
        head = Token("HEAD", f"{_check_name(keyword)} {quote_value(name)}")
        indent = self._indent()
        node = empty_block(head, indent, newline)
        self._append(node)
        return ScstEntry(self.doc, self.node, head, node)


def empty_block(head: Token, indent: str, newline: str) -> Node:
    """A block node ``head {`` / ``}`` whose closing brace stands at ``indent``."""
    children: list[Node | Token | Trivia] = [
        head,
        Trivia(" "),
        Token("LBRACE", "{"),
        Trivia(newline),
    ]
    if indent:
        children.append(Trivia(indent))
    children.append(Token("RBRACE", "}"))
    return Node("block", children)


def _keyword_of(item: Node | Token) -> str:
    token = item.children[0] if isinstance(item, Node) else item
    assert isinstance(token, Token)
    found = elements(token.text)
    return found[0][0] if found else ""


SECTION_WORDS = frozenset(
    {
        "HANDLER",
        "DEVICE",
        "TARGET_DRIVER",
        "TARGET",
        "LUN",
        "GROUP",
        "INITIATOR",
        "DEVICE_GROUP",
        "TARGET_GROUP",
        "ALUA",
        "HW_TARGET",
    }
)


def is_section_word(word: str) -> bool:
    """Whether ``word`` names a block or an entry rather than an attribute."""
    return word in SECTION_WORDS


def _parent_of(root: Node, node: Node) -> Node | None:
    stack = [root]
    while stack:
        current = stack.pop()
        for child in current.children:
            if child is node:
                return current
            if isinstance(child, Node):
                stack.append(child)
    return None


def _scope(entry: ScstEntry) -> ScstScope | None:
    return ScstScope(entry.doc, entry.node) if entry.node is not None else None


class _Named:
    """A ``KEYWORD name { ... }`` entry (or a plain ``KEYWORD name`` line) and its scope."""

    __slots__ = ("entry",)

    def __init__(self, entry: ScstEntry) -> None:
        self.entry = entry

    @property
    def name(self) -> str:
        return self.entry.value or ""

    @property
    def scope(self) -> ScstScope | None:
        return _scope(self.entry)

    def values(self, name: str) -> list[str]:
        scope = self.scope
        return scope.values(name) if scope is not None else []

    def value(self, name: str) -> str | None:
        scope = self.scope
        return scope.value(name) if scope is not None else None

    def attribute_entry(self, name: str) -> ScstEntry | None:
        scope = self.scope
        if scope is None:
            return None
        found = [e for e in scope.entries(name) if e.node is None]
        return found[-1] if found else None

    def flag(self, name: str) -> bool | None:
        """A 0/1 attribute as the kernel reads it (``kstrtoull``, base 0, into a one-bit field:
        only the lowest bit counts); None when unset or unreadable."""
        return read_flag(self.value(name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def read_number(value: str | None) -> int | None:
    """``kstrtoull(value, 0)``: decimal, ``0x`` hex or ``0`` octal digits, a newline allowed."""
    if value is None:
        return None
    text = value[:-1] if value.endswith("\n") else value
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return int(text, 16)
        if re.fullmatch(r"0[0-7]*", text):
            return int(text, 8)
        if re.fullmatch(r"[1-9][0-9]*", text):
            return int(text)
    except ValueError:
        return None
    return None


def read_flag(value: str | None) -> bool | None:
    number = read_number(value)
    return None if number is None else bool(number & 1)


class ScstDevice(_Named):
    """``DEVICE name { attribute value ... }`` in a ``HANDLER`` block."""

    __slots__ = ("handler",)

    def __init__(self, entry: ScstEntry, handler: str) -> None:
        super().__init__(entry)
        self.handler = handler

    @property
    def filename(self) -> str | None:
        return self.value("filename")

    @property
    def t10_dev_id(self) -> str | None:
        return self.value("t10_dev_id")

    @property
    def t10_vend_id(self) -> str | None:
        return self.value("t10_vend_id")

    @property
    def usn(self) -> str | None:
        return self.value("usn")

    @property
    def naa_id(self) -> str | None:
        return self.value("naa_id")

    @property
    def eui64_id(self) -> str | None:
        return self.value("eui64_id")

    @property
    def prod_id(self) -> str | None:
        return self.value("prod_id")

    @property
    def write_through(self) -> bool | None:
        return self.flag("write_through")

    @property
    def nv_cache(self) -> bool | None:
        return self.flag("nv_cache")

    @property
    def o_direct(self) -> bool | None:
        return self.flag("o_direct")

    @property
    def read_only(self) -> bool | None:
        return self.flag("read_only")

    @property
    def blocksize(self) -> int | None:
        return read_number(self.value("blocksize"))


class ScstHandler(_Named):
    """``HANDLER vdisk_fileio { DEVICE ... }``."""

    __slots__ = ()

    @property
    def devices(self) -> list[ScstDevice]:
        scope = self.scope
        if scope is None:
            return []
        return [ScstDevice(e, self.name) for e in scope.blocks("DEVICE")]


Direction = Literal["incoming", "outgoing"]


class ScstAccount:
    """An ``IncomingUser "user secret"`` or ``OutgoingUser`` line.  ``repr`` hides the secret."""

    __slots__ = ("entry",)

    def __init__(self, entry: ScstEntry) -> None:
        self.entry = entry

    def __repr__(self) -> str:
        return f"ScstAccount({self.direction!r}, user={self.user!r}, secret={_HIDDEN})"

    @property
    def direction(self) -> Direction:
        return "incoming" if self.entry.keyword == "IncomingUser" else "outgoing"

    def _parts(self) -> list[str]:
        value = self.entry.value
        return value.split() if value is not None else []

    @property
    def user(self) -> str | None:
        parts = self._parts()
        return parts[0] if parts else None

    @property
    def secret(self) -> str | None:
        parts = self._parts()
        return parts[1] if len(parts) > 1 else None


def _accounts(scope: ScstScope | None) -> list[ScstAccount]:
    if scope is None:
        return []
    return [
        ScstAccount(e)
        for e in scope.entries()
        if e.node is None and e.keyword in ("IncomingUser", "OutgoingUser")
    ]


class ScstLun:
    """``LUN n device`` (or a ``LUN n device { read_only 1 }`` block) of a target or group."""

    __slots__ = ("entry", "group", "target")

    def __init__(self, entry: ScstEntry, target: ScstTarget, group: ScstGroup | None) -> None:
        self.entry = entry
        self.target = target
        self.group = group

    def __repr__(self) -> str:
        return f"ScstLun({self.number!r}, {self.device!r})"

    @property
    def number(self) -> int | None:
        """The LUN number; None when it is not a decimal number."""
        text = self.entry.value
        return int(text) if text is not None and text.isdigit() and text.isascii() else None

    @property
    def device(self) -> str | None:
        words = self.entry.words
        return words[2] if len(words) > 2 else None

    @property
    def read_only(self) -> bool | None:
        scope = _scope(self.entry)
        return read_flag(scope.value("read_only")) if scope is not None else None


class ScstGroup(_Named):
    """``GROUP name { LUN ...; INITIATOR ... }``: LUNs only the listed initiators see."""

    __slots__ = ("target",)

    def __init__(self, entry: ScstEntry, target: ScstTarget) -> None:
        super().__init__(entry)
        self.target = target

    @property
    def initiators(self) -> list[str]:
        return self.values("INITIATOR")

    @property
    def luns(self) -> list[ScstLun]:
        scope = self.scope
        if scope is None:
            return []
        return [ScstLun(e, self.target, self) for e in scope.entries("LUN")]


class ScstTarget(_Named):
    """``TARGET name { enabled 1; LUN ...; GROUP ... }`` of a target driver."""

    __slots__ = ("driver",)

    def __init__(self, entry: ScstEntry, driver: ScstTargetDriver) -> None:
        super().__init__(entry)
        self.driver = driver

    @property
    def enabled(self) -> bool | None:
        return self.flag("enabled")

    @property
    def accounts(self) -> list[ScstAccount]:
        return _accounts(self.scope)

    @property
    def allowed_portals(self) -> list[str]:
        return self.values("allowed_portal")

    @property
    def luns(self) -> list[ScstLun]:
        """The default group's LUNs: every initiator no ``GROUP`` lists sees them."""
        scope = self.scope
        if scope is None:
            return []
        return [ScstLun(e, self, None) for e in scope.entries("LUN")]

    @property
    def groups(self) -> list[ScstGroup]:
        scope = self.scope
        return [ScstGroup(e, self) for e in scope.blocks("GROUP")] if scope is not None else []

    def group(self, name: str) -> ScstGroup | None:
        return next((g for g in self.groups if g.name == name), None)


class ScstTargetDriver(_Named):
    """``TARGET_DRIVER iscsi { enabled 1; IncomingUser ...; TARGET ... }``."""

    __slots__ = ()

    @property
    def enabled(self) -> bool | None:
        return self.flag("enabled")

    @property
    def accounts(self) -> list[ScstAccount]:
        """Driver-level accounts (iSCSI: the SendTargets discovery CHAP)."""
        return _accounts(self.scope)

    @property
    def targets(self) -> list[ScstTarget]:
        scope = self.scope
        return [ScstTarget(e, self) for e in scope.blocks("TARGET")] if scope is not None else []

    def target(self, name: str) -> ScstTarget | None:
        return next((t for t in self.targets if t.name == name), None)


class ScstDeviceGroup(_Named):
    """``DEVICE_GROUP name { DEVICE d; TARGET_GROUP tg { group_id n; state s; TARGET t } }``
    (ALUA)."""

    __slots__ = ()

    @property
    def devices(self) -> list[str]:
        return self.values("DEVICE")

    @property
    def target_groups(self) -> list[_Named]:
        scope = self.scope
        return [_Named(e) for e in scope.blocks("TARGET_GROUP")] if scope is not None else []


class ScstConfig(ScstScope):
    """The whole file: SCST core attributes, handlers, target drivers, device groups."""

    __slots__ = ("_scopes",)

    def __init__(self, doc: Document) -> None:
        super().__init__(doc, doc.root)
        # (document generation, id(block node) -> its entries), see _read_scope
        self._scopes: tuple[int, dict[int, tuple[list[ScstEntry], list[ScstEntry]]]] | None = None

    def __repr__(self) -> str:
        return f"ScstConfig({len(self.handlers)} handlers, {len(self.target_drivers)} drivers)"

    @property
    def legacy_line(self) -> int | None:
        """The line that makes scstadmin read the file as the pre-2.0 format (a ``[HANDLER
        ...]``, ``[GROUP ...]`` or ``[ASSIGNMENT ...]`` section, found by ``readConfigFile``'s
        ``/\\[(.*)\\s+.*\\]/`` on each line without its comment), or None."""
        for number, line in enumerate(self.doc.render().split("\n"), start=1):
            if "[" not in line:
                continue
            cut = comment_start(line)
            if _legacy_section(line if cut is None else line[:cut]) in _LEGACY:
                return number
        return None

    @property
    def setup_id(self) -> int | None:
        """The ``setup_id`` core attribute (``kstrtoul``, base 0); None when unset."""
        return read_number(self.value("setup_id"))

    @property
    def handlers(self) -> list[ScstHandler]:
        return [ScstHandler(e) for e in self.blocks("HANDLER")]

    def handler(self, name: str) -> ScstHandler | None:
        return next((h for h in self.handlers if h.name == name), None)

    @property
    def devices(self) -> list[ScstDevice]:
        """Every device, one per name: scstadmin opens the handlers in name order, and a second
        device of a name the kernel already has is refused."""
        seen: dict[str, ScstDevice] = {}
        for handler in sorted(self.handlers, key=lambda h: h.name):
            for device in handler.devices:
                seen.setdefault(device.name, device)
        return list(seen.values())

    def device(self, name: str) -> ScstDevice | None:
        return next((d for d in self.devices if d.name == name), None)

    @property
    def target_drivers(self) -> list[ScstTargetDriver]:
        return [ScstTargetDriver(e) for e in self.blocks("TARGET_DRIVER")]

    def target_driver(self, name: str) -> ScstTargetDriver | None:
        return next((d for d in self.target_drivers if d.name == name), None)

    @property
    def targets(self) -> list[ScstTarget]:
        return [t for d in self.target_drivers for t in d.targets]

    @property
    def device_groups(self) -> list[ScstDeviceGroup]:
        return [ScstDeviceGroup(e) for e in self.blocks("DEVICE_GROUP")]

    def target_luns(self, version: tuple[int, ...] | None = None) -> list[TargetLun]:
        """Every LUN of an enabled target, in the shared vocabulary (see
        :mod:`xsanconf.formats.scst.luns`); ``version`` is SCST's (default: current)."""
        from xsanconf.formats.scst.luns import target_luns

        return target_luns(self, version)
