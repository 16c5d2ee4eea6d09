"""The ``iet-access`` codec: IET's ``initiators.allow``, ``initiators.deny``, ``targets.allow``.

Each line is ``TARGET-NAME|ALL item, item, ...``.  ietd re-reads the file on every login and
decides on the first line naming ``ALL`` or the target; an item is ``ALL``, an address, a
network (``a.b.c.d/N``, ``[v6]/N``) or, in the initiators files, a POSIX basic regex matched
against the whole initiator name.  Source: IET 1.4.20 ``usr/plain.c`` (``match``,
``__match``, ``netmask_match``).  Like ietd, the parser accepts any text; the model says how
each line is read.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.domain.numerals import read_int
from xsanconf.formats._lines import append_last_line, check_one_line, steps_of
from xsanconf.formats.ietd.lexer import BLANKS, tokenize_lines, words
from xsanconf.parsing import Lexed, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "AccessItem",
    "IetAccessEntry",
    "IetAccessFile",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_items",
    "set_value",
    "sniff",
    "unset_value",
]

KIND = "iet-access"

ItemKind = Literal["all", "address", "network", "pattern"]
Role = Literal["initiators.allow", "initiators.deny", "targets.allow"]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_ROLES: tuple[Role, ...] = ("initiators.allow", "initiators.deny", "targets.allow")


def tokenize(text: str) -> Lexed:
    return tokenize_lines(text, "ENTRY")


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("iet-access", tokenize, text, path=path, names={"ENTRY": "an entry"})


def model(doc: Document) -> IetAccessFile:
    return IetAccessFile(doc)


_ENTRY_LINE = re.compile(
    r"[ \t]*(?:ALL|(?:iqn|eui|naa)\.\S+)[ \t]+(?:ALL|[\[\d]|[^,\s]+\\\.)[^\n]*"
)


def sniff(text: str) -> bool:
    """Every non-comment line looks like ``ALL ALL`` or ``iqn.... address, ...``."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    return bool(lines) and all(_ENTRY_LINE.fullmatch(line) for line in lines)


@attrs.frozen
class AccessItem:
    """One item of an entry's list as ietd reads it; ``start`` is its offset in the list text.

    ``problem`` says why an address or network item can never match (ietd gives no warning).
    """

    text: str
    start: int
    kind: ItemKind
    address: Address | None = None
    prefix: int | None = None
    problem: str | None = None


def _strtoul(text: str) -> int:
    """C ``strtoul(text, NULL, 0)`` for a prefix length: junk reads as what precedes it."""
    m = re.match(r"[ \t]*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", text)
    if m is None:
        return 0
    digits = m.group(1)
    base, numeral = 10, digits
    if digits[:2].lower() == "0x":
        base, numeral = 16, digits[2:]
    elif digits.startswith("0"):
        base = 8
    number = read_int(numeral, base)
    # strtoul saturates at ULONG_MAX: far above every prefix length, refused all the same
    return 2**64 - 1 if number is None else number


def _network_problem(address: Address, prefix: int) -> str | None:
    limit = 31 if address.version == 4 else 127
    if prefix > limit:
        hint = "; write the bare address" if prefix == limit + 1 else ""
        return f"prefix /{prefix} is above /{limit}: ietd never matches it{hint}"
    if prefix == 0 and address.version == 4:
        return "prefix /0 relies on undefined behaviour in ietd"
    if address.version == 4:
        network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        if network.network_address != address:
            return f"host bits are set: ietd never matches it (write {network})"
    return None


def _classify(item: str, start: int) -> AccessItem:
    if item == "ALL":
        return AccessItem(item, start, "all")
    host, prefix_text = item, None
    if item.startswith("["):
        close = item.find("]")
        if close < 0:
            return AccessItem(item, start, "pattern", problem="'[' without ']': ietd stops here")
        host, rest = item[1:close], item[close + 1 :]
        slash = rest.find("/")
        prefix_text = rest[slash + 1 :] if slash >= 0 else None
    elif "/" in item:
        host, prefix_text = item.split("/", 1)
    try:
        address: Address = ipaddress.ip_address(host)
    except ValueError:
        return AccessItem(item, start, "pattern")
    if prefix_text is None:
        return AccessItem(item, start, "address", address)
    prefix = _strtoul(prefix_text)
    return AccessItem(item, start, "network", address, prefix, _network_problem(address, prefix))


def parse_items(text: str) -> list[AccessItem]:
    """The items of a list: split on ``,``, blanks around each trimmed, empty ones skipped."""
    found = []
    start = 0
    for piece in text.split(","):
        item = piece.strip(BLANKS)
        if item:
            found.append(_classify(item, start + len(piece) - len(piece.lstrip(BLANKS))))
        start += len(piece) + 1
    return found


class IetAccessEntry:
    """One line: a target name (or ``ALL``) and its list."""

    __slots__ = ("doc", "token")

    def __init__(self, doc: Document, token: Token) -> None:
        self.doc = doc
        self.token = token

    def __repr__(self) -> str:
        return f"IetAccessEntry({self.token.text!r})"

    def _list_start(self) -> int:
        found = words(self.token.text)
        return found[1][0] if len(found) > 1 else len(self.token.text)

    @property
    def target(self) -> str:
        """The first word: a target name or ``ALL``."""
        return words(self.token.text)[0][2]

    @property
    def is_all(self) -> bool:
        """Whether the line applies to every target (ietd compares ``ALL`` case-sensitively)."""
        return self.target == "ALL"

    @property
    def items_text(self) -> str:
        return self.token.text[self._list_start() :]

    @property
    def items(self) -> list[AccessItem]:
        return parse_items(self.items_text)

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def item_position(self, item: AccessItem) -> tuple[int, int]:
        line, column = self.position
        return line, column + self._list_start() + item.start

    @property
    def unterminated(self) -> bool:
        """The file's last line without a newline: ietd ignores it."""
        return "\n" not in self._following()

    @property
    def skipped(self) -> bool:
        """A lone word with the newline right after it: ietd's word splitter drops the line."""
        return len(words(self.token.text)) == 1 and self._following().startswith("\n")

    @property
    def read(self) -> bool:
        """Whether ietd reads this line at all (see :attr:`unterminated`, :attr:`skipped`)."""
        return not self.unterminated and not self.skipped

    def _following(self) -> str:
        """The trivia text after the token, up to the next token."""
        children = self.doc.root.children
        at = edit.index_of(self.doc.root, self.token)
        text = []
        for child in children[at + 1 :]:
            if not isinstance(child, Trivia):
                break
            text.append(child.text)
        return "".join(text)

    @property
    def comment_like(self) -> str | None:
        """Text from a word starting with ``#`` in the list to the end of the line: ietd reads
        it as part of the last item."""
        for start, _, word in words(self.token.text)[1:]:
            if word.startswith("#"):
                return self.token.text[start:]
        return None

    def set_items(self, items: Sequence[str]) -> None:
        """Replace the list, written as ``a, b, c``."""
        text = self.token.text
        start = self._list_start()
        new = _format_items(items)
        if start == len(text):
            self.token.text = text + " " + new
        else:
            self.token.text = text[:start] + new
        self.doc.touched()

    def remove(self) -> None:
        edit.remove_child(self.doc.root, self.token)
        self.doc.touched()


def _format_items(items: Sequence[str]) -> str:
    for item in items:
        if not item or "," in item or "\n" in item or item != item.strip(BLANKS):
            raise ValueError(f"not a list item: {item!r}")
    if not items:
        raise ValueError("an entry needs at least one item")
    return ", ".join(items)


class IetAccessFile:
    """An access file: its entries in order (the first applicable one decides)."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return f"IetAccessFile({self.role!r}, {len(self.entries)} entries)"

    @property
    def role(self) -> Role | None:
        """Which of the three files this is, from its name."""
        name = (self.doc.path or "").replace("\\", "/").rsplit("/", 1)[-1]
        return name if name in _ROLES else None  # type: ignore[return-value]

    @property
    def entries(self) -> list[IetAccessEntry]:
        return [
            IetAccessEntry(self.doc, c)
            for c in self.doc.root.children
            if isinstance(c, Token) and c.kind == "ENTRY"
        ]

    def decisive_entry(self, target: str) -> IetAccessEntry | None:
        """The line that decides for ``target``: the first line ietd reads that names ``ALL``
        or the target (ietd compares target names ignoring case)."""
        wanted = target.lower()
        for entry in self.entries:
            if entry.read and (entry.is_all or entry.target.lower() == wanted):
                return entry
        return None

    def add_entry(self, target: str, items: Sequence[str]) -> IetAccessEntry:
        """Add a line; a specific target's line goes above the first ``ALL`` line, where it
        can still decide."""
        if not target or any(c in target for c in BLANKS + "\n,") or target.startswith("#"):
            raise ValueError(f"not a target name: {target!r}")
        token = Token("ENTRY", target + self._gap_after(target) + _format_items(items))
        first_all = next((e for e in self.entries if e.is_all), None)
        if target != "ALL" and first_all is not None:
            self._insert_above(first_all.token, token)
        else:
            self._append(token)
        self.doc.touched()
        return IetAccessEntry(self.doc, token)

    def _gap_after(self, target: str) -> str:
        """The blanks between a new line's target and its list, lined up as the file does."""
        samples = []
        for entry in self.entries:
            found = words(entry.token.text)
            if len(found) > 1:
                indent = edit.indent_before(self.doc.root, entry.token)
                text = entry.token.text
                samples.append((indent + text[: found[0][1]], text[found[0][1] : found[1][0]]))
        return edit.aligned_gap(samples, target)

    def _insert_above(self, anchor: Token, token: Token) -> None:
        root = self.doc.root
        at = edit.index_of(root, anchor)
        before = root.children[at - 1] if at > 0 else None
        if isinstance(before, Trivia) and "\n" not in before.text:
            at -= 1  # above the indentation of the anchor's line
        root.children[at:at] = [token, Trivia(edit.newline_style(root))]

    def _append(self, token: Token) -> None:
        root = self.doc.root
        newline = edit.newline_style(root)
        entries = self.entries
        if entries:
            edit.insert_line_after(root, entries[-1].token, token, "", newline)
            return
        append_last_line(root, token)


def directives(doc: Document) -> list[Directive]:
    out = []
    for entry in IetAccessFile(doc).entries:
        out.append(Directive(entry.target, [i.text for i in entry.items], None, entry.position[0]))
    return out


def build(items: list[Directive]) -> str:
    return "".join(" ".join([d.name, ", ".join(d.args)]).rstrip(" ") + "\n" for d in items)


# selectors: ``target[NAME]`` (or ``target[ALL]``) names a line; its value is the list


def _target(selector: str) -> str:
    steps = steps_of(selector)
    if len(steps) == 1 and steps[0].name == "ALL" and steps[0].filter is None:
        return "ALL"
    if len(steps) != 1 or steps[0].name.lower() != "target" or not steps[0].filter:
        raise SelectorError(
            f"selector {selector!r}: name a line as target[NAME] or target[ALL], "
            "e.g. target[iqn.2001-04.com.example:xensan]"
        )
    return steps[0].filter.strip()


def _lines_for(doc: Document, target: str) -> list[IetAccessEntry]:
    """The lines naming ``target`` itself (ietd compares names ignoring case, ``ALL`` not)."""
    wanted = target.lower()
    return [
        e
        for e in IetAccessFile(doc).entries
        if (e.target == target if target == "ALL" else e.target.lower() == wanted)
    ]


def get_value(doc: Document, selector: str) -> list[str]:
    """The items of the first line naming the target, one per line of output."""
    found = _lines_for(doc, _target(selector))
    return [item.text for item in found[0].items] if found else []


def set_value(doc: Document, selector: str, value: str) -> None:
    """Replace the list of the first line naming the target (``a, b``), or add a line for it
    (above the first ``ALL`` line, where it can still decide)."""
    target = _target(selector)
    items = [i.strip(BLANKS) for i in check_one_line(value).split(",")]
    found = _lines_for(doc, target)
    if found:
        found[0].set_items(items)
    else:
        IetAccessFile(doc).add_entry(target, items)


def unset_value(doc: Document, selector: str) -> int:
    found = _lines_for(doc, _target(selector))
    for entry in found:
        entry.remove()
    return len(found)
