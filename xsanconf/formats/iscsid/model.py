"""Typed views over an iscsid.conf syntax tree, and what open-iscsi makes of the file.

Views hold no copies: an entry reads its token, and edits splice token text or add and remove
lines through :mod:`xsanconf.edit`.  What iscsid *sees* (``effective``, ``settings``,
``dropped``) comes from :mod:`xsanconf.formats.iscsid.reader`, which follows open-iscsi's own
readers, quirks included, so a rule can compare what the file says with what the daemon uses.
Secret values (CHAP passwords) never appear in a ``repr``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.flat import flat_text
from xsanconf.formats.iscsid.keys import (
    CHAP_ALGORITHMS,
    KEYS,
    KeySpec,
    is_secret,
    read_c_integer,
)
from xsanconf.formats.iscsid.lexer import C_SPACE
from xsanconf.formats.iscsid.reader import (
    NO_NAME,
    IdbmLine,
    daemon_lookup,
    entry_layout,
    idbm_lines,
    idbm_parse,
    value_start,
)
from xsanconf.syntax import Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "DEFAULT_SEPARATOR",
    "IscsidConfig",
    "IscsidEntry",
    "IscsidOtherLine",
    "IscsidSetting",
    "typed_value",
]

DEFAULT_SEPARATOR = " = "
HIDDEN = "<hidden>"
DAEMON_KEYS = tuple(k for k, s in KEYS.items() if s.type == "daemon")


def _shown(key: str, value: str | None) -> str | None:
    return HIDDEN if value is not None and is_secret(key) else value


def typed_value(spec: KeySpec | None, value: str) -> object:
    """``value`` read as iscsid reads it for a key of this spec (text for unknown keys)."""
    if spec is None:
        return value
    if spec.type == "int":
        return read_c_integer(value, spec.bits)
    if spec.type == "bool":
        return value == "Yes"
    if spec.type == "list":
        # separated by comma, space or newline; unknown and repeated names are ignored
        names = value.replace(",", " ").split()
        return tuple(dict.fromkeys(n for n in names if n in CHAP_ALGORITHMS))
    if spec.key == "iscsid.safe_logout":
        return value == "Yes"
    if spec.key == "iscsid.ipc_auth_uid":
        return value != "No"
    return value


def _accepts(spec: KeySpec | None, value: str) -> bool:
    """Whether iscsid takes ``value`` (an enumeration ignores anything but its exact options)."""
    return spec is None or spec.type not in ("enum", "bool") or value in spec.options


class IscsidSetting:
    """A value iscsid reads for a key: from which line, whether it took it, and its type.

    ``whole_line`` is false for a value read from the tail of a line longer than iscsid's
    buffer; such a value has no :attr:`entry`.
    """

    __slots__ = ("accepted", "config", "key", "line", "value", "whole_line")

    def __init__(
        self,
        config: IscsidConfig,
        key: str,
        value: str,
        line: int,
        *,
        whole_line: bool = True,
        accepted: bool = True,
    ) -> None:
        self.config = config
        self.key = key
        self.value = value
        self.line = line
        self.whole_line = whole_line
        self.accepted = accepted

    def __repr__(self) -> str:
        return f"IscsidSetting({self.key!r}, {_shown(self.key, self.value)!r}, line={self.line})"

    @property
    def entry(self) -> IscsidEntry | None:
        """The ``name = value`` line this value comes from."""
        return self.config.entry_on_line(self.line) if self.whole_line else None

    @property
    def spec(self) -> KeySpec | None:
        return KEYS.get(self.key)

    @property
    def known(self) -> bool:
        """iscsid ignores unknown keys without a word."""
        return self.key in KEYS

    @property
    def typed(self) -> object:
        return typed_value(self.spec, self.value)


class IscsidEntry:
    """A ``name = value`` line."""

    __slots__ = ("_seen", "config", "token")

    def __init__(self, config: IscsidConfig, token: Token) -> None:
        self.config = config
        self.token = token
        self._seen: tuple[str, tuple[str, int]] | None = None

    def __repr__(self) -> str:
        return f"IscsidEntry({self.key!r}, {_shown(self.key, self.value)!r})"

    def _layout(self) -> tuple[str, int]:
        text = self.token.text
        seen = self._seen
        if seen is None or seen[0] is not text:  # read again after an edit
            seen = self._seen = (text, entry_layout(text))
        return seen[1]

    @property
    def key(self) -> str:
        return self._layout()[0]

    @property
    def separator(self) -> str:
        """The text between the name and the value, such as ``" = "``."""
        key, start = self._layout()
        return self.token.text[len(key) : start]

    @property
    def value(self) -> str:
        """The value as iscsid reads it: to the end of the line, an inline ``# ...`` included.

        For a line iscsid drops (see :attr:`dropped`) it is what follows the ``=``.
        """
        return self.token.text[self._layout()[1] :]

    @property
    def inline_comment(self) -> str | None:
        """A ``# ...`` after blanks in the value: a comment to a reader, part of it to iscsid."""
        value = self.value
        for i, ch in enumerate(value):
            if ch == "#" and i > 0 and value[i - 1] in C_SPACE:
                return value[i:]
        return None

    @property
    def intended_value(self) -> str:
        """The value without an inline comment (what the author most likely meant)."""
        comment = self.inline_comment
        if comment is None:
            return self.value
        return self.value[: -len(comment)].rstrip(C_SPACE)

    @property
    def spec(self) -> KeySpec | None:
        return KEYS.get(self.key)

    @property
    def known(self) -> bool:
        return self.key in KEYS

    @property
    def secret(self) -> bool:
        return is_secret(self.key)

    @property
    def typed(self) -> object:
        return typed_value(self.spec, self.value)

    @property
    def accepted(self) -> bool:
        """Whether the value is one iscsid takes (an enumeration's exact spelling)."""
        return _accepts(self.spec, self.value)

    @property
    def position(self) -> tuple[int, int]:
        return self.config.doc.position(self.token)

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def dropped(self) -> str | None:
        """Why iscsid ignores this line, or ``None`` when it reads it."""
        spec = self.spec
        if spec is not None and spec.type == "daemon":
            return None  # cfg_get_string_param reads any line that holds the key
        reading = self.config.reading_at(self.line)
        assert reading is not None, "every significant line is read or dropped"
        return reading.dropped

    def set(self, value: str) -> None:
        """Replace the value; the name, the spacing around ``=`` and the indentation stay."""
        _check_value(value)
        text = self.token.text
        self.token.text = text[: self._layout()[1]] + value
        self.config.doc.touched()

    def remove(self) -> None:
        edit.remove_child(self.config.doc.root, self.token)
        self.config.doc.touched()

    def _line_end(self) -> str:
        """The newline this line ends with (the file's style for a last line without one)."""
        root = self.config.doc.root
        after = edit.index_of(root, self.token) + 1
        if after < len(root.children):
            text = render(root.children[after])
            if text.endswith("\r\n"):
                return "\r\n"
            if text.endswith("\n"):
                return "\n"
        return edit.newline_style(root)

    def move_inline_comment_above(self) -> bool:
        """Turn the inline comment into a comment line above, leaving the intended value.

        Returns whether there was one to move.
        """
        comment = self.inline_comment
        if comment is None:
            return False
        intended = self.intended_value
        root = self.config.doc.root
        indent = edit.indent_before(root, self.token)
        at = edit.index_of(root, self.token) - (1 if indent else 0)
        self.token.text = self.token.text[: self._layout()[1]] + intended
        root.children.insert(at, Trivia(indent + comment + self._line_end()))
        self.config.doc.touched()
        return True


class IscsidOtherLine:
    """A line iscsid warns about and drops: no ``=``, or nothing after it."""

    __slots__ = ("config", "token")

    def __init__(self, config: IscsidConfig, token: Token) -> None:
        self.config = config
        self.token = token

    def __repr__(self) -> str:
        return f"IscsidOtherLine(line={self.position[0]})"

    @property
    def text(self) -> str:
        return self.token.text

    @property
    def reason(self) -> str:
        found = idbm_parse(self.token.text)
        # "==x" is read with an empty name, which no key matches
        return found if isinstance(found, str) else NO_NAME

    @property
    def position(self) -> tuple[int, int]:
        return self.config.doc.position(self.token)

    def remove(self) -> None:
        edit.remove_child(self.config.doc.root, self.token)
        self.config.doc.touched()


def _check_value(value: str) -> None:
    if not value or value != value.strip(C_SPACE):
        raise ValueError("an iscsid.conf value must be non-empty with no surrounding blanks")
    if "\n" in value:
        raise ValueError("an iscsid.conf value cannot span lines")


def _shared_prefix(a: str, b: str) -> int:
    """How many leading dotted components two keys share."""
    count = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        count += 1
    return count


class IscsidConfig:
    """The whole iscsid.conf: its entries, and what iscsid makes of them."""

    __slots__ = ("_readings", "doc")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        # (document generation, text, readings, first reading by line)
        self._readings: tuple[int, str, list[IdbmLine], dict[int, IdbmLine]] | None = None

    def __repr__(self) -> str:
        return f"IscsidConfig({len(self.entries)} entries)"

    # the file as written

    def _tokens(self, kind: str) -> list[Token]:
        return [c for c in self.doc.root.children if isinstance(c, Token) and c.kind == kind]

    @property
    def entries(self) -> list[IscsidEntry]:
        return [IscsidEntry(self, t) for t in self._tokens("ENTRY")]

    @property
    def other_lines(self) -> list[IscsidOtherLine]:
        return [IscsidOtherLine(self, t) for t in self._tokens("OTHER")]

    def entries_for(self, key: str) -> list[IscsidEntry]:
        return [e for e in self.entries if e.key == key]

    def keys(self) -> list[str]:
        """Keys in file order, each once."""
        return list(dict.fromkeys(e.key for e in self.entries))

    def duplicates(self) -> dict[str, list[IscsidEntry]]:
        found: dict[str, list[IscsidEntry]] = {}
        for e in self.entries:
            found.setdefault(e.key, []).append(e)
        return {k: v for k, v in found.items() if len(v) > 1}

    @property
    def inline_comments(self) -> list[IscsidEntry]:
        """Entries whose value carries a ``# ...`` that iscsid reads as part of the value."""
        return [e for e in self.entries if e.inline_comment is not None]

    @property
    def unknown(self) -> list[IscsidEntry]:
        return [e for e in self.entries if not e.known]

    # what iscsid sees

    def _text_readings(self) -> tuple[str, list[IdbmLine], dict[int, IdbmLine]]:
        # Rendering the file costs its length: asked once per entry, rendering on every
        # question made a 20,000-line file take 23 s.  Every edit goes through doc.touched().
        generation = self.doc.generation
        if self._readings is None or self._readings[0] != generation:
            text = flat_text(self.doc.root)
            lines = idbm_lines(text)
            by_line = {r.line: r for r in lines if r.first}
            self._readings = (generation, text, lines, by_line)
        return self._readings[1:]

    def readings(self) -> list[IdbmLine]:
        """Every non-comment line as iscsid's node/discovery reader handles it, in order."""
        return self._text_readings()[1]

    def reading_at(self, line: int) -> IdbmLine | None:
        return self._text_readings()[2].get(line)

    @property
    def last_line_dropped(self) -> bool:
        """The file does not end in a newline and its last line holds a setting iscsid drops."""
        lines = self.readings()
        text = self._text_readings()[0]
        if not lines or text.endswith("\n"):
            return False
        last_line = text.count("\n") + 1
        return lines[-1].line == last_line and lines[-1].dropped is not None

    def entry_on_line(self, line: int) -> IscsidEntry | None:
        for e in self.entries:
            if e.line == line:
                return e
        return None

    def settings(self) -> dict[str, IscsidSetting]:
        """The value iscsid ends up with for each key the file sets, and the line it comes from.

        Node and discovery keys: the last line read with an accepted value wins.  ``iscsid.*``
        keys: the first line that holds the key wins.  Unknown keys are included (iscsid
        ignores them; ``IscsidSetting.known`` says so).
        """
        winners: dict[str, IdbmLine] = {}
        for r in self.readings():
            key, value = r.key, r.value
            if key is None or value is None:
                continue
            spec = KEYS.get(key)
            if spec is None or (spec.type != "daemon" and _accepts(spec, value)):
                winners[key] = r
        found = {
            key: IscsidSetting(self, key, r.value, r.line, whole_line=r.first)
            for key, r in winners.items()
            if r.value is not None
        }
        text = self._text_readings()[0]
        for key in DAEMON_KEYS:
            daemon = self._daemon_setting(key, text)
            if daemon is not None:
                found[key] = daemon
        return found

    def _daemon_setting(self, key: str, text: str) -> IscsidSetting | None:
        daemon = daemon_lookup(text, key)
        if daemon is None:
            return None
        return IscsidSetting(self, key, daemon.value, daemon.line)

    def rejected(self) -> list[IscsidSetting]:
        """Lines iscsid reads but whose value it refuses ("unknown value format")."""
        out = []
        for r in self.readings():
            if r.key is None or r.value is None:
                continue
            if not _accepts(KEYS.get(r.key), r.value):
                out.append(
                    IscsidSetting(self, r.key, r.value, r.line, whole_line=r.first, accepted=False)
                )
        return out

    def setting(self, key: str) -> IscsidSetting | None:
        spec = KEYS.get(key)
        if spec is not None and spec.type == "daemon":
            return self._daemon_setting(key, self._text_readings()[0])
        return self.settings().get(key)

    def effective(self, key: str) -> str | None:
        """The value text iscsid uses for ``key``; ``None`` when the file does not set it."""
        found = self.setting(key)
        return found.value if found is not None else None

    def typed(self, key: str) -> object:
        """The typed value iscsid uses: from the file, else the compiled-in default."""
        found = self.setting(key)
        if found is not None:
            return found.typed
        spec = KEYS.get(key)
        return spec.default if spec is not None else None

    def entry(self, key: str) -> IscsidEntry | None:
        """The line iscsid takes ``key`` from, else the last line that names it."""
        found = self.setting(key)
        if found is not None and found.entry is not None:
            return found.entry
        named = self.entries_for(key)
        return named[-1] if named else None

    # editing

    def separator_style(self) -> str:
        """The spacing around ``=`` most entries use (among lines iscsid reads)."""
        styles = Counter(e.separator for e in self.entries if value_start(e.token.text) is not None)
        return styles.most_common(1)[0][0] if styles else DEFAULT_SEPARATOR

    def set(self, key: str, value: str) -> IscsidEntry:
        """Change the line iscsid takes ``key`` from, or add one in the file's style."""
        found = self.entry(key)
        if found is not None:
            found.set(value)
            return found
        return self.add(key, value)

    def add(self, key: str, value: str) -> IscsidEntry:
        """A new line after the last entry that shares the longest key prefix (else at the end)."""
        _check_value(value)
        if not key or any(c in C_SPACE or c == "=" for c in key):
            raise ValueError(f"not an iscsid.conf key: {key!r}")
        token = Token("ENTRY", key + self.separator_style() + value)
        root = self.doc.root
        newline = edit.newline_style(root)
        anchor = self._anchor_for(key)
        if anchor is None and self.last_line_dropped:
            edit.insert_line_after(root, None, token, "", newline)
        elif anchor is None:
            append_last_line(root, token)
        else:
            indent = edit.indent_before(root, anchor)
            edit.insert_line_after(root, anchor, token, indent, newline)
        self.doc.touched()
        return IscsidEntry(self, token)

    def _anchor_for(self, key: str) -> Token | None:
        tokens = [c for c in self.doc.root.children if isinstance(c, Token)]
        if tokens and self.last_line_dropped:
            # adding after it would give it a newline and so bring a dropped setting to life
            tokens.pop()
        best: Token | None = None
        best_shared = 0
        for token in tokens:
            if token.kind != "ENTRY":
                continue
            shared = _shared_prefix(key, IscsidEntry(self, token).key)
            if shared and shared >= best_shared:
                best, best_shared = token, shared
        if best is not None:
            return best
        return tokens[-1] if tokens else None

    def add_final_newline(self) -> bool:
        """End the file with a newline so that iscsid reads its last line; whether it lacked one."""
        root = self.doc.root
        if not root.children or flat_text(root).endswith("\n"):
            return False
        root.children.append(Trivia(edit.newline_style(root)))
        self.doc.touched()
        return True

    def remove(self, key: str) -> int:
        """Remove every line that sets ``key``; how many were removed."""
        found = self.entries_for(key)
        for e in found:
            e.remove()
        return len(found)
