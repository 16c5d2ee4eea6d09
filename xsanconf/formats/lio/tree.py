"""Views over a lossless JSON tree, and edits that splice it.

An ``object`` node holds ``{``, its ``member`` nodes with the commas between them, and ``}``;
an ``array`` node holds ``[``, its values (nodes or tokens) and commas, and ``]``; every other
value is one token (a scalar in an array is no node of its own: a file of two million numbers
is two million tokens, not as many nodes more).  Reading a value reads its token.  Setting a
value replaces that token (or node) only; adding a member copies the whitespace its siblings
have (rtslib writes ``indent=2`` and sorted keys: a new key goes where the sorted order puts
it, when the keys are sorted); removing one takes its comma along.  Objects keep every member
as written: where a key is repeated, Python's ``json`` (and so rtslib) reads the last one, and
so does :meth:`JsonObject.get`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from xsanconf import edit
from xsanconf.formats.lio.lexer import decode_string
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "JsonArray",
    "JsonMember",
    "JsonObject",
    "JsonScalar",
    "JsonView",
    "Scalar",
    "decode",
    "literal",
    "object_text",
    "view",
]

Scalar = Union[str, int, float, bool, None]  # noqa: UP007 - a runtime alias
Child = Node | Token | Trivia
_LITERALS: dict[str, Scalar] = {"true": True, "false": False, "null": None}


def decode(token: Token) -> Scalar:
    """A scalar token's value as ``json.loads`` gives it."""
    text = token.text
    if token.kind in ("STRING", "SECRET"):
        return decode_string(text)
    if token.kind == "LITERAL":
        return _LITERALS[text]
    if text.lstrip("-").isdigit():
        return int(text)
    return float(text)


def literal(value: Scalar) -> str:
    """The JSON text of a scalar, as ``json.dumps`` writes it (non-ASCII escaped)."""
    import json

    return json.dumps(value)


class JsonView:
    """A value in a document: ``item`` is its node (object, array) or token (scalar)."""

    __slots__ = ("doc", "item")

    def __init__(self, doc: Document, item: Node | Token) -> None:
        self.doc = doc
        self.item = item

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.item!r})"

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.item)

    def plain(self) -> object:
        """The value as ``json.loads`` returns it (for a repeated key, the last)."""
        raise NotImplementedError


class JsonScalar(JsonView):
    __slots__ = ()

    item: Token

    @property
    def value(self) -> Scalar:
        return decode(self.item)

    def plain(self) -> object:
        return self.value


class JsonMember:
    """``"key": value`` of an object."""

    __slots__ = ("doc", "node")

    def __init__(self, doc: Document, node: Node) -> None:
        self.doc = doc
        self.node = node

    def __repr__(self) -> str:
        return f"JsonMember({self.key!r})"

    @property
    def key_token(self) -> Token:
        token = self.node.children[0]
        assert isinstance(token, Token)
        return token

    @property
    def key(self) -> str:
        return decode_string(self.key_token.text)

    @property
    def value_item(self) -> Node | Token:
        return _value_of(self.node)

    @property
    def value(self) -> JsonView:
        return view(self.doc, self.value_item)


class JsonObject(JsonView):
    __slots__ = ()

    item: Node

    def members(self) -> list[JsonMember]:
        return [
            JsonMember(self.doc, c)
            for c in self.item.children
            if isinstance(c, Node) and c.kind == "member"
        ]

    def member(self, key: str) -> JsonMember | None:
        """The member ``json`` reads for ``key``: the last one of that key."""
        found = None
        for m in self.members():
            if m.key == key:
                found = m
        return found

    def get(self, key: str) -> JsonView | None:
        found = self.member(key)
        return None if found is None else found.value

    def scalar(self, key: str) -> Scalar:
        """The scalar value of ``key`` (None when absent, null or not a scalar)."""
        found = self.get(key)
        return found.value if isinstance(found, JsonScalar) else None

    def child(self, key: str) -> JsonObject | None:
        found = self.get(key)
        return found if isinstance(found, JsonObject) else None

    def array(self, key: str) -> JsonArray | None:
        found = self.get(key)
        return found if isinstance(found, JsonArray) else None

    def objects(self, key: str) -> list[JsonObject]:
        """The objects in the array ``key`` (other items skipped)."""
        found = self.array(key)
        return [] if found is None else [i for i in found.items() if isinstance(i, JsonObject)]

    def plain(self) -> dict[str, object]:
        return {m.key: m.value.plain() for m in self.members()}

    def set(self, key: str, text: str) -> JsonMember:
        """Give ``key`` the JSON value ``text`` (already valid JSON): the member ``json`` reads
        is changed in place, a missing one is added."""
        from xsanconf.formats.lio import mark_secrets

        found = self.member(key)
        if found is not None:
            replace_value(self.doc, found.node, text)
            mark_secrets(found.node)
            return found
        node = _member_node(self.doc, self.item, key, text)
        _insert_member(self.doc, self.item, node, key)
        mark_secrets(node)
        self.doc.touched()
        return JsonMember(self.doc, node)

    def remove(self, key: str) -> int:
        """Remove every member of ``key``; how many there were."""
        found = [m for m in self.members() if m.key == key]
        for m in found:
            remove_entry(self.item, m.node)
        if found:
            self.doc.touched()
        return len(found)


class JsonArray(JsonView):
    __slots__ = ()

    item: Node

    def entries(self) -> list[Node | Token]:
        """The items' own nodes and tokens."""
        return _entries(self.item)

    def items(self) -> list[JsonView]:
        return [view(self.doc, c) for c in self.entries()]

    def plain(self) -> list[object]:
        return [i.plain() for i in self.items()]

    def append(self, text: str) -> JsonView:
        node = _parse_value(self.doc, text, self._child_indent())
        _insert_entry(self.doc, self.item, node, None)
        self.doc.touched()
        return view(self.doc, node)

    def remove_item(self, node: Node | Token) -> None:
        remove_entry(self.item, node)
        self.doc.touched()

    def _child_indent(self) -> str:
        nodes = self.entries()
        if nodes:
            return _gap_before(self.item, nodes[-1]).rpartition("\n")[2]
        return _line_indent(self.doc, self.item) + _indent_step(self.doc)


def object_text(doc: Document, pairs: list[tuple[str, str]]) -> str:
    """A new object of one-line JSON values, one member a line as rtslib writes it (the lines
    after the first are indented where :func:`_parse_value` puts them)."""
    if not pairs:
        return "{}"
    step = _indent_step(doc)
    return "{\n" + ",\n".join(f"{step}{literal(k)}: {v}" for k, v in pairs) + "\n}"


def view(doc: Document, item: Node | Token) -> JsonView:
    if isinstance(item, Token):
        return JsonScalar(doc, item)
    if item.kind == "object":
        return JsonObject(doc, item)
    return JsonArray(doc, item)


def root_value(doc: Document) -> JsonView | None:
    for child in doc.root.children:
        if isinstance(child, Node | Token):
            return view(doc, child)
    return None


# -- edits ------------------------------------------------------------------------------------


def _entries(container: Node) -> list[Node | Token]:
    """The members of an object node, or the values of an array node."""
    if container.kind == "object":
        return [c for c in container.children if isinstance(c, Node) and c.kind == "member"]
    return [
        c
        for c in container.children[1:-1]
        if isinstance(c, Node) or (isinstance(c, Token) and c.kind != "COMMA")
    ]


def _value_of(node: Node) -> Node | Token:
    """The value of a member node: its last significant child."""
    for child in reversed(node.children):
        if isinstance(child, Node | Token):
            return child
    raise ValueError("an empty member")


def _parse_value(doc: Document, text: str, indent: str) -> Node | Token:
    """``text`` (JSON, lines after the first indented relative to the first) parsed into
    nodes, its continuation lines indented by ``indent`` and ended in the file's style."""
    from xsanconf.formats.lio import parse

    newline = edit.newline_style(doc.root)
    text = text.replace("\n", newline + indent) if "\n" in text else text
    root = parse(text)
    value = next(c for c in root.children if isinstance(c, Node | Token))
    return value


def _line_indent(doc: Document, item: Node | Token) -> str:
    line, _ = doc.position(item)
    text = doc.render()
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


def _indent_step(doc: Document) -> str:
    """The indentation one level adds in this file (rtslib: two spaces)."""
    top = root_value(doc)
    if isinstance(top, JsonObject | JsonArray):
        entries = _entries(top.item)
        if entries:
            gap = _gap_before(top.item, entries[0])
            if "\n" in gap:
                step = gap.rpartition("\n")[2]
                if step:
                    return step
    return "  "


def _gap_before(container: Node, child: Child) -> str:
    """The trivia text between ``child`` and the significant item before it."""
    i = edit.index_of(container, child)
    parts = []
    for c in reversed(container.children[:i]):
        if not isinstance(c, Trivia):
            break
        parts.append(c.text)
    return "".join(reversed(parts))


def replace_value(doc: Document, node: Node, text: str) -> None:
    """Make ``text`` the value of a member node."""
    old = _value_of(node)
    if isinstance(old, Token) and not text.lstrip().startswith(("{", "[")):
        parsed = _parse_value(doc, text, "")
        assert isinstance(parsed, Token)
        old.kind, old.text = parsed.kind, parsed.text
    else:
        new = _parse_value(doc, text, _line_indent(doc, node))
        edit.replace_child(node, old, new)
    doc.touched()


def _member_node(doc: Document, container: Node, key: str, text: str) -> Node:
    members = [c for c in container.children if isinstance(c, Node) and c.kind == "member"]
    if members:
        indent = _gap_before(container, members[-1]).rpartition("\n")[2]
        sample = members[-1]
        colon = next(i for i, c in enumerate(sample.children) if isinstance(c, Token) and i > 0)
        before = "".join(c.text for c in sample.children[1:colon] if isinstance(c, Trivia))
        after = _gap_before(sample, _value_of(sample))
    else:
        indent = _line_indent(doc, container) + _indent_step(doc)
        before, after = "", " "
    value = _parse_value(doc, text, indent)
    children: list[Child] = [Token("STRING", literal(key))]
    children += [Trivia(before)] if before else []
    children.append(Token("COLON", ":"))
    children += [Trivia(after)] if after and "\n" not in after else []
    children.append(value)
    return Node("member", children)


def _insert_member(doc: Document, container: Node, node: Node, key: str) -> None:
    members = [c for c in container.children if isinstance(c, Node) and c.kind == "member"]
    keys = [decode_string(JsonMember(doc, m).key_token.text) for m in members]
    before = None
    if keys and keys == sorted(keys) and key < keys[-1]:
        before = next(m for m, k in zip(members, keys, strict=True) if k > key)
    _insert_entry(doc, container, node, before)


def _insert_entry(doc: Document, container: Node, node: Node | Token, before: Node | None) -> None:
    """Put a member node into an object or a value into an array, before ``before`` or last."""
    children = container.children
    entries = _entries(container)
    if before is not None:
        # the new entry takes the place of ``before``, which follows it after a comma
        gap = _gap_before(container, before)
        at = edit.index_of(container, before)
        children[at:at] = [node, Token("COMMA", ","), *_trivia(gap)]
        return
    if entries:
        last = entries[-1]
        gap = _gap_before(container, last)
        at = edit.index_of(container, last) + 1
        children[at:at] = [Token("COMMA", ","), *_trivia(gap), node]
        return
    # an empty object or array: the entry goes on its own line, the closer on the next
    newline = edit.newline_style(doc.root)
    outer = _line_indent(doc, container)
    step = _indent_step(doc)
    close = len(children) - 1
    inner = [c for c in children[1:close] if isinstance(c, Trivia)]
    if any("\n" in t.text for t in inner) or not children[1:close]:
        children[1:close] = [Trivia(newline), Trivia(outer + step), node, Trivia(newline)]
        if outer:
            children.insert(len(children) - 1, Trivia(outer))
    else:
        children[1:close] = [node]


def _trivia(text: str) -> list[Child]:
    from xsanconf.syntax import split_lines

    return list(split_lines(text))


def remove_entry(container: Node, node: Node | Token) -> None:
    """Take a member or value out of its object or array, with one comma."""
    children = container.children
    at = edit.index_of(container, node)
    entries = _entries(container)
    if len(entries) == 1:
        # the last entry: the container becomes empty, `{}` or `[]`, as json.dumps writes it
        del children[1:-1]
        return
    if entries[0] is node:
        following = entries[1]
        end = edit.index_of(container, following)
        del children[at:end]
        return
    # from the comma before the entry up to the entry's end
    start = at - 1
    while not (isinstance(children[start], Token) and children[start].kind == "COMMA"):
        start -= 1
    del children[start : at + 1]
