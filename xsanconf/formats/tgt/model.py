"""Typed views over a targets.conf syntax tree, read as tgt-admin reads the file.

Views hold no copies: reading a value reads its token, and every edit replaces, adds or removes
tokens, so the rest of the file re-renders byte for byte.  A ``block`` node holds its ``<name
arg>`` line, what is inside and its ``</name>`` line.

What tgt-admin makes of the text (``scripts/tgt-admin`` in fujita/tgt, Config::General with
``-MergeDuplicateBlocks``): option names and block names are case-sensitive (``Target`` is not
``target``); two ``<target NAME>`` blocks of one name are one target, their options added up;
an option given twice is a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.formats._lines import append_last_line, check_one_line
from xsanconf.formats.tgt.lexer import BLANKS, include_path, logical_text, split_option
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import TargetLun
    from xsanconf.formats.tgt.luns import TgtLunDefinition

__all__ = [
    "LUN_OPTIONS",
    "MULTI_OPTIONS",
    "STORE_KINDS",
    "TgtBlock",
    "TgtConfig",
    "TgtStatement",
    "TgtTarget",
]

_HIDDEN = "<hidden>"
STORE_KINDS = ("backing-store", "direct-store")
# Options tgt-admin reads once per target or LUN (it refuses a second one, or uses the first)
# and those it takes as a list: ``set`` changes the one, and adds to the list.
MULTI_OPTIONS = frozenset(
    {
        "backing-store",
        "direct-store",
        "initiator-address",
        "initiator-name",
        "incominguser",
        "mode_page",
        "params",
    }
)
# LUN options: in a ``<backing-store PATH>`` block, or at target level for every LUN
# (tgt-admin's add_backing_direct; ``lun`` and ``allow-in-use`` through its make_key).
LUN_OPTIONS = (
    "lun",
    "allow-in-use",
    "write-cache",
    "scsi_id",
    "scsi_sn",
    "vendor_id",
    "product_id",
    "product_rev",
    "sense_format",
    "removable",
    "online",
    "path",
    "mode_page",
    "readonly",
    "device-type",
    "bs-type",
    "bsopts",
    "bsoflags",
    "block-size",
    "lbppbe",
    "la_lba",
    "optimal_xfer_gran",
    "optimal_xfer_len",
    "params",
)


def check_value(value: str) -> str:
    """A value a line can hold: one line, no leading or trailing blanks (Config::General
    strips them), no ``#`` (a comment) unless escaped."""
    check_one_line(value)
    if not value or value != value.strip(BLANKS):
        raise ValueError(f"a targets.conf value has no blanks around it: {value!r}")
    if "#" in value.replace("\\#", ""):
        raise ValueError(f"'#' starts a comment in targets.conf; write it as '\\#': {value!r}")
    if value.endswith("\\") and not value.endswith("\\\\"):
        raise ValueError(f"a value ending in '\\' continues the line: {value!r}")
    if "*/" in value:
        raise ValueError(f"'*/' ends a C comment to tgt-admin: {value!r}")
    return value


def _check_key(key: str) -> str:
    if not key or any(c in key for c in BLANKS + "=#<>") or key.lower().startswith("include"):
        raise ValueError(f"not a targets.conf option name: {key!r}")
    return key


class TgtStatement:
    """One ``key value`` line (continuations included)."""

    __slots__ = ("container", "doc", "token")

    def __init__(self, doc: Document, container: Node, token: Token) -> None:
        self.doc = doc
        self.container = container
        self.token = token

    def __repr__(self) -> str:
        if self.key in ("incominguser", "outgoinguser", "incomingdiscoveryuser"):
            return f"TgtStatement({self.key!r}, {self.user!r} + {_HIDDEN})"
        return f"TgtStatement({self.key!r}, {self.value!r})"

    def _split(self) -> tuple[str, str | None]:
        return split_option(logical_text(self.token.text))

    @property
    def key(self) -> str:
        """The option name as written (tgt-admin compares it case-sensitively)."""
        return self._split()[0]

    @property
    def value(self) -> str | None:
        """The value as tgt-admin gets it (quotes and escapes read); ``None`` without one."""
        return self._split()[1]

    @property
    def user(self) -> str | None:
        """For an account line, the user name (tgt-admin splits the value at single spaces)."""
        value = self.value
        return value.split(" ")[0] if value else None

    @property
    def password(self) -> str | None:
        """For an account line, the secret: the second space-separated word."""
        value = self.value
        parts = value.split(" ") if value else []
        return parts[1] if len(parts) > 1 and parts[1] else None

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, value: str) -> None:
        """Replace the value; the key and the separator as written stay."""
        check_value(value)
        text = self.token.text
        line = logical_text(text)
        key, old = split_option(line)
        if "\n" in text or old is None:
            self.token.text = f"{key} {value}"
        else:
            start = text.find(line) + len(line) - len(_raw_value(line))
            self.token.text = text[:start] + value
        self.doc.touched()

    def remove(self) -> None:
        edit.remove_child(self.container, self.token)
        self.doc.touched()


def _raw_value(line: str) -> str:
    """The value part of a logical line as written (before quotes and escapes are read)."""
    key, value = split_option(line)
    if value is None:
        return ""
    rest = line[len(key) :]
    return rest.lstrip(BLANKS).removeprefix("=").lstrip(BLANKS)


def _block_header(text: str) -> tuple[str, str | None]:
    """A block's type and name, as Config::General splits ``<type name>``."""
    inner = logical_text(text)[1:-1]
    if len(inner) > 1 and inner.startswith('"') and inner.endswith('"') and '"' not in inner[1:-1]:
        return inner[1:-1], None
    if inner.startswith('"'):
        close = inner.find('"', 1)
        if close > 1:
            head, rest = inner[1:close], inner[close + 1 :]
        else:
            head, rest = _first_word(inner)
    else:
        head, rest = _first_word(inner)
    rest = rest.lstrip(BLANKS)
    if not rest:
        return head, None
    if rest.startswith('"') and rest.endswith('"') and len(rest) > 1 and '"' not in rest[1:-1]:
        return head, rest[1:-1]
    return head, rest


def _first_word(text: str) -> tuple[str, str]:
    for at, char in enumerate(text):
        if char in BLANKS:
            return text[:at], text[at:]
    return text, ""


class _Scope:
    """The options of one or more nodes (a target's blocks of one name merge)."""

    __slots__ = ("doc", "nodes")

    def __init__(self, doc: Document, nodes: list[Node]) -> None:
        self.doc = doc
        self.nodes = nodes

    @property
    def node(self) -> Node:
        """The node edits go to: the first block of the name."""
        return self.nodes[0]

    def statements(self, key: str | None = None) -> list[TgtStatement]:
        found = []
        for node in self.nodes:
            for child in node.children:
                if isinstance(child, Token) and child.kind == "STMT":
                    statement = TgtStatement(self.doc, node, child)
                    if key is None or statement.key == key:
                        found.append(statement)
        return found

    def blocks(self, block_type: str | None = None) -> list[TgtBlock]:
        """Nested blocks, in text order (not merged: see :meth:`TgtTarget.stores`)."""
        return [
            TgtBlock(self.doc, [child])
            for node in self.nodes
            for child in node.children
            if isinstance(child, Node)
            and child.kind == "block"
            and (block_type is None or TgtBlock(self.doc, [child]).block_type == block_type)
        ]

    def values(self, key: str) -> list[str]:
        """Every value of ``key``, in order (a key without a value is left out)."""
        return [v for s in self.statements(key) if (v := s.value) is not None]

    def value(self, key: str) -> str | None:
        """The value of a single-valued option; the first when it is repeated."""
        found = self.values(key)
        return found[0] if found else None

    def _container(self) -> Node:
        return self.node

    def _indent(self) -> str:
        return ""

    def set(self, key: str, value: str) -> TgtStatement:
        """Set a single-valued option: change its (last) line, or add one."""
        found = self.statements(_check_key(key))
        if found:
            found[-1].set(value)
            return found[-1]
        return self.add(key, value)

    def add(self, key: str, value: str) -> TgtStatement:
        """Add a ``key value`` line after the scope's last line of that key, else at its end."""
        token = Token("STMT", f"{_check_key(key)} {check_value(value)}")
        same = self.statements(key)
        newline = edit.newline_style(self.doc.root)
        if same:
            anchor = same[-1]
            indent = edit.indent_before(anchor.container, anchor.token)
            edit.insert_line_after(anchor.container, anchor.token, token, indent, newline)
            container = anchor.container
        else:
            container = self._container()
            self._append(container, token, newline)
        self.doc.touched()
        return TgtStatement(self.doc, container, token)

    def _append(self, container: Node, item: Node | Token, newline: str) -> None:
        append_last_line(container, item)

    def unset(self, key: str) -> int:
        found = self.statements(key)
        for statement in found:
            statement.remove()
        return len(found)


class TgtBlock(_Scope):
    """A ``<type name>`` ... ``</type>`` block: a target, or a LUN's ``<backing-store PATH>``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"TgtBlock({self.block_type!r}, {self.name!r})"

    @property
    def header(self) -> Token:
        first = self.node.children[0]
        assert isinstance(first, Token)
        return first

    @property
    def block_type(self) -> str:
        return _block_header(self.header.text)[0]

    @property
    def name(self) -> str | None:
        """The block's name (a target's IQN, a LUN's path); ``None`` for an unnamed block."""
        return _block_header(self.header.text)[1]

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.header)

    def _indent(self) -> str:
        for child in self.node.children[1:-1]:
            if isinstance(child, (Node, Token)):
                return edit.indent_before(self.node, child)
        parent = self._parent()
        outer = edit.indent_before(parent, self.node) if parent is not None else ""
        return outer + (edit.indent_unit(self.doc.root, "\t") or "\t")

    def _parent(self) -> Node | None:
        return next(
            (p for p in _parents(self.doc.root) if any(c is self.node for c in p.children)), None
        )

    def _append(self, container: Node, item: Node | Token, newline: str) -> None:
        close = container.children[-1]
        close_indent = edit.indent_before(container, close)
        edit.append_line(container, item, self._indent(), newline, close_indent)

    def remove(self) -> None:
        """Remove the block; a blank line it leaves doubled (or trailing) goes too."""
        parent = self._parent()
        if parent is None:
            return
        at = edit.index_of(parent, self.node)
        edit.remove_child(parent, self.node)
        children = parent.children
        at = min(at, len(children))
        doubled = at >= 2 and _blank(children[at - 1]) and _ends_line(children[at - 2])
        if doubled and (at == len(children) or _blank(children[at])):
            del children[at - 1]
        self.doc.touched()


def _blank(item: Node | Token | Trivia) -> bool:
    return isinstance(item, Trivia) and item.text.endswith("\n") and not item.text.strip()


def _ends_line(item: Node | Token | Trivia) -> bool:
    return isinstance(item, Trivia) and item.text.endswith("\n")


def _parents(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(c for c in node.children if isinstance(c, Node))


class TgtTarget(TgtBlock):
    """A target: every ``<target NAME>`` block of one name (tgt-admin merges them)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"TgtTarget({self.name!r})"

    def stores(self) -> list[TgtLunDefinition]:
        """The target's LUN definitions (line and block form), in text order."""
        from xsanconf.formats.tgt.luns import store_definitions

        return store_definitions(self)

    def add_store(self, path: str, kind: str = "backing-store") -> TgtStatement:
        if kind not in STORE_KINDS:
            raise ValueError(f"a LUN is a backing-store or a direct-store, not {kind!r}")
        return self.add(kind, path)

    def store_block(self, path: str, kind: str | None = None) -> TgtBlock | None:
        """The (first) ``<backing-store PATH>`` or ``<direct-store PATH>`` block of ``path``."""
        for block in self.blocks():
            right_kind = block.block_type == kind if kind else block.block_type in STORE_KINDS
            if right_kind and block.name == path:
                return block
        return None

    def add_store_block(self, path: str, kind: str = "backing-store") -> TgtBlock:
        """Add an empty ``<backing-store PATH>`` block at the end of the target."""
        if kind not in STORE_KINDS:
            raise ValueError(f"a LUN is a backing-store or a direct-store, not {kind!r}")
        check_value(path)
        newline = edit.newline_style(self.doc.root)
        indent = self._indent()
        node = Node(
            "block",
            [
                Token("OPEN", f"<{kind} {path}>"),
                Trivia(newline),
                *([Trivia(indent)] if indent else []),
                Token("CLOSE", f"</{kind}>"),
            ],
        )
        self._append(self.node, node, newline)
        self.doc.touched()
        return TgtBlock(self.doc, [node])


class TgtConfig(_Scope):
    """The whole file: global options, includes and targets."""

    __slots__ = ()

    def __init__(self, doc: Document) -> None:
        super().__init__(doc, [doc.root])

    def __repr__(self) -> str:
        return f"TgtConfig({len(self.targets)} targets)"

    @property
    def includes(self) -> list[tuple[str, Token]]:
        """What the ``include`` lines name, anywhere in the file, in text order."""
        found = []
        for node in _parents(self.doc.root):
            for child in node.children:
                if isinstance(child, Token) and child.kind == "INCLUDE":
                    path = include_path(child.text)
                    if path is not None:
                        found.append((path, child))
        return sorted(found, key=lambda item: self.doc.position(item[1]))

    @property
    def targets(self) -> list[TgtTarget]:
        """Targets by name, merged as tgt-admin merges them, in the order they first appear
        (tgt-admin itself goes through them sorted by name: see :meth:`target_luns`)."""
        by_name: dict[str, list[Node]] = {}
        for block in self.blocks("target"):
            name = block.name
            if name is not None:
                by_name.setdefault(name, []).append(block.node)
        return [TgtTarget(self.doc, nodes) for nodes in by_name.values()]

    def target(self, name: str) -> TgtTarget | None:
        return next((t for t in self.targets if t.name == name), None)

    @property
    def default_driver(self) -> str:
        """``default-driver``, else ``iscsi`` (tgt-admin's default)."""
        return self.value("default-driver") or "iscsi"

    def add_target(self, name: str) -> TgtTarget:
        """Append ``<target NAME>`` ... ``</target>`` at the end of the file."""
        check_value(name)
        newline = edit.newline_style(self.doc.root)
        node = Node("block", [Token("OPEN", f"<target {name}>"), Trivia(newline)])
        node.children.append(Token("CLOSE", "</target>"))
        children = self.doc.root.children
        if any(isinstance(c, Node) for c in children) and children:
            last = children[-1]
            if isinstance(last, Trivia) and last.text.endswith("\n"):
                children.append(Trivia(newline))
        append_last_line(self.doc.root, node)
        self.doc.touched()
        return TgtTarget(self.doc, [node])

    def target_luns(self, version: tuple[int, ...] | None = None) -> list[TargetLun]:
        """The LUNs tgt-admin creates from this file alone, with the identity each presents:
        see :func:`xsanconf.formats.tgt.luns.target_luns` (a host's files together)."""
        from xsanconf.formats.tgt.luns import target_luns

        return target_luns([self], version)
