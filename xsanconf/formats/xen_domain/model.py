"""Typed views over Xen ``KEY = VALUE`` configs (guest configs and xl.conf).

A setting's value is read from its token each time; edits splice the new literal over the old
value's characters (or one list item's), so nothing else in the file changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xsanconf import edit
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.xen_domain.disk import DiskSpec, parse_disk_spec
from xsanconf.formats.xen_domain.lexer import (
    XenList,
    XenString,
    XenUnknown,
    XenValue,
    read_assignment,
)
from xsanconf.syntax import Token

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.formats.xen_domain.program import Binding, Bindings

__all__ = ["Computed", "XenConfig", "XenDisk", "XenSetting", "literal", "plain"]


class Computed:
    """A value only running the config would give (an xm config that is a Python program):
    ``why`` says what it depends on.  Never equal to any value, itself included."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"<computed: {self.why}>"

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def plain(value: XenValue) -> Any:
    """A value as plain Python data: str, int, float, bool, None or a list of those, with
    :class:`Computed` where the value is not certain."""
    if isinstance(value, XenList):
        return [plain(v) for v in value.items]
    if isinstance(value, XenUnknown):
        return Computed(value.why)
    return value.value


def certain(value: XenValue) -> bool:
    """Whether every part of ``value`` is known."""
    if isinstance(value, XenList):
        return all(certain(v) for v in value.items)
    return not isinstance(value, XenUnknown)


def literal(value: Any, quote: str = "'") -> str:
    """Config text for a plain value (strings in ``quote``, lists as ``[ a, b ]``)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[ " + ", ".join(literal(v, quote) for v in value) + " ]"
    if value is None:
        raise ValueError("xl has no None; remove the setting instead")
    text = str(value).replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + text + quote


class XenSetting:
    """``KEY = VALUE``; in a config that is a Python program, also a statement that binds the
    name otherwise (``binding``: an ``if`` block, ``+=``, an import), whose value may be
    :class:`Computed`."""

    __slots__ = ("binding", "doc", "dotted", "token")

    def __init__(
        self, doc: Document, token: Token, dotted: bool, binding: Binding | None = None
    ) -> None:
        self.doc = doc
        self.token = token
        self.dotted = dotted
        self.binding = binding if token.kind != "ASSIGN" else None

    def __repr__(self) -> str:
        return f"XenSetting({self.token.text!r})"

    def _read(self) -> tuple[int, int, XenValue, int]:
        return read_assignment(self.token.text, 0, self.dotted)

    @property
    def key(self) -> str:
        if self.binding is not None:
            return self.binding.key
        return self.token.text[: self._read()[0]]

    @property
    def raw_value(self) -> XenValue:
        if self.binding is not None:
            return self.binding.value
        return self._read()[2]

    @property
    def value(self) -> Any:
        return plain(self.raw_value)

    @property
    def known(self) -> bool:
        """Whether the value is certain without running the config."""
        return certain(self.raw_value)

    @property
    def written(self) -> str:
        """The value as the file writes it (the whole statement for a name bound otherwise)."""
        found = self.raw_value
        return self.token.text[found.start : found.end]

    def _editable(self) -> None:
        binding = self.binding
        if binding is not None and not binding.editable:
            line = self.position[0]
            raise ValueError(
                f"{self.key} is set by Python code at line {line} (not as {self.key} = VALUE); "
                "xsanconf changes only values it can read: edit that code by hand"
            )

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def position_of(self, offset: int) -> tuple[int, int]:
        """Line and column of a character of this setting (an offset into its text)."""
        line, column = self.position
        before = self.token.text[:offset]
        newlines = before.count("\n")
        if newlines:
            return line + newlines, offset - before.rfind("\n")
        return line, column + offset

    def _quote(self, strings_only: bool = False) -> str:
        """The quote this value's strings use; ``'`` (``""`` with ``strings_only``) if none."""
        found = self.raw_value
        while isinstance(found, XenList) and found.items:
            found = found.items[0]
        if isinstance(found, XenString):
            opener = self.token.text[found.start : found.start + 1]
            if opener in ("'", '"'):
                return opener
        return "" if strings_only else "'"

    def set(self, value: Any) -> None:
        """Replace the whole value by ``value``'s literal, in the quotes already used."""
        self._editable()
        found = self.raw_value
        text = self.token.text
        self.token.text = text[: found.start] + literal(value, self._quote()) + text[found.end :]
        self.doc.touched()

    def set_item(self, index: int, value: Any) -> None:
        """Replace one item of a list value, leaving the others and the layout alone."""
        self._editable()
        found = self.raw_value
        if not isinstance(found, XenList) or found.computed:
            raise ValueError(f"{self.key} is not a list written in the file")
        item = found.items[index]
        if item.computed:
            raise ValueError(f"item {index} of {self.key} is computed: set the whole {self.key}")
        text = self.token.text
        self.token.text = text[: item.start] + literal(value, self._quote()) + text[item.end :]
        self.doc.touched()

    def remove(self) -> None:
        self._editable()
        edit.remove_child(self.doc.root, self.token)
        self.doc.touched()


class XenDisk:
    """One item of ``disk = [ ... ]``: its spec string, typed, and where it is."""

    __slots__ = ("index", "item", "setting")

    def __init__(self, setting: XenSetting, index: int, item: XenString) -> None:
        self.setting = setting
        self.index = index
        self.item = item

    def __repr__(self) -> str:
        return f"XenDisk({self.item.value!r})"

    @property
    def text(self) -> str:
        return self.item.value

    @property
    def spec(self) -> DiskSpec:
        return parse_disk_spec(self.item.value)

    @property
    def position(self) -> tuple[int, int]:
        return self.setting.position_of(self.item.start)

    @property
    def end_position(self) -> tuple[int, int]:
        return self.setting.position_of(self.item.end)

    def set(self, spec: str) -> None:
        self.setting.set_item(self.index, spec)


class XenConfig:
    """A guest config or xl.conf: settings in file order; a later one overrides an earlier.

    In a config that is a Python program (xm's), a setting's value is what the statements
    before it certainly give, or :class:`Computed` (see
    :mod:`xsanconf.formats.xen_domain.program`).
    """

    __slots__ = ("_program", "doc", "dotted")

    def __init__(self, doc: Document, dotted: bool = False) -> None:
        self.doc = doc
        self.dotted = dotted
        self._program: tuple[int, Bindings | None] | None = None

    def program(self) -> Bindings | None:
        """The bindings of a config that is a Python program; None for a plain config."""
        generation = self.doc.generation
        if self._program is None or self._program[0] != generation:
            tokens = [c for c in self.doc.root.children if isinstance(c, Token)]
            found = None
            if any(t.kind == "PYTHON" for t in tokens):
                from xsanconf.formats.xen_domain.program import bindings

                found = bindings(tokens)
            self._program = (generation, found)
        return self._program[1]

    def settings(self, key: str | None = None) -> list[XenSetting]:
        program = self.program()
        if program is not None:
            found = [XenSetting(self.doc, b.token, self.dotted, b) for b in program.history]
        else:
            found = [
                XenSetting(self.doc, c, self.dotted)
                for c in self.doc.root.children
                if isinstance(c, Token) and c.kind == "ASSIGN"
            ]
        return found if key is None else [s for s in found if s.key == key]

    def setting(self, key: str) -> XenSetting | None:
        program = self.program()
        if program is None:
            found = self.settings(key)
            return found[-1] if found else None
        binding = program.resolve(key)
        return XenSetting(self.doc, binding.token, self.dotted, binding) if binding else None

    def get(self, key: str, default: Any = None) -> Any:
        found = self.setting(key)
        return found.value if found else default

    def known(self, key: str) -> bool:
        """Whether the setting's value (or its absence) is certain without running the file."""
        found = self.setting(key)
        return found is None or found.known

    def as_dict(self) -> dict[str, Any]:
        if self.program() is None:
            return {s.key: s.value for s in self.settings()}
        keys = dict.fromkeys(s.key for s in self.settings())
        return {key: self.get(key) for key in keys}

    @property
    def name(self) -> str | None:
        value = self.get("name")
        return value if isinstance(value, str) else None

    @property
    def disks(self) -> list[XenDisk]:
        """The disks whose spec is known; see :meth:`known` for whether there are others."""
        found = self.setting("disk")
        if found is None:
            return []
        value = found.raw_value
        items = value.items if isinstance(value, XenList) else (value,)
        return [
            XenDisk(found, i, item) for i, item in enumerate(items) if isinstance(item, XenString)
        ]

    def set(self, key: str, value: Any) -> XenSetting:
        """Change the setting, or add ``key = value`` after the last one in the file's style."""
        found = self.setting(key)
        if found is not None:
            found.set(value)
            return found
        settings = self.settings()
        quote = next((q for q in (s._quote(strings_only=True) for s in settings[::-1]) if q), "'")
        token = Token("ASSIGN", f"{key}{self._equals_for(key, settings)}{literal(value, quote)}")
        root = self.doc.root
        anchor = next((c for c in reversed(root.children) if isinstance(c, Token)), None)
        newline = edit.newline_style(root)
        if anchor is None:
            # only comments so far: the setting goes at the end, after them
            append_last_line(root, token)
        else:
            edit.insert_line_after(root, anchor, token, "", newline)
        self.doc.touched()
        return XenSetting(self.doc, token, self.dotted)

    @staticmethod
    def _equals(settings: list[XenSetting]) -> str:
        """How the file writes ``=``: with spaces around it or without."""
        for s in settings:
            if s.binding is not None:
                continue
            text = s.token.text
            key_end, value_start, _, _ = read_assignment(text, 0, s.dotted)
            between = text[key_end:value_start]
            return " = " if between.startswith((" ", "\t")) else "="
        return " = "

    def _equals_for(self, key: str, settings: list[XenSetting]) -> str:
        """``=`` with spaces as the file writes it, lined up where the file lines ``=`` up."""
        equals = self._equals(settings)
        if equals == "=":
            return equals
        samples = []
        for s in settings:
            text = s.token.text
            if "\n" in text or s.binding is not None:
                continue
            key_end, value_start, _, _ = read_assignment(text, 0, s.dotted)
            before_equals = text[key_end:value_start].split("=", 1)[0]
            indent = edit.indent_before(self.doc.root, s.token)
            samples.append((indent + text[:key_end], before_equals))
        return edit.aligned_gap(samples, key) + "= "

    def unset(self, key: str) -> int:
        found = self.settings(key)
        last = self.setting(key)
        for s in [*found, *([last] if last is not None else [])]:
            s._editable()  # all or nothing
        for s in found:
            s.remove()
        return len(found)
