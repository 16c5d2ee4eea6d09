"""The ``iscsi-node`` codec: open-iscsi's node, discovery and interface records.

iscsiadm writes a record as ``# BEGIN RECORD <version>``, one ``name = value`` line per
setting, and ``# END RECORD`` (``idbm_print``), and reads it back with the very reader it reads
iscsid.conf with (``idbm_recinfo_config`` in ``usr/idbm.c``): the two marker lines are plain
comments to it, a record lacking them reads the same, and a line the reader drops in iscsid.conf
is dropped here too.  So the syntax is iscsid.conf's (:mod:`xsanconf.formats.iscsid`: its
tokenizer, its grammar, its reader), and the model adds what a record is: its version and
markers, and its type (from the file's place in the database, :mod:`xsanconf.domain.iscsi_db`).

What a record does not set is the compiled-in default (``idbm_node_setup_defaults``), never
iscsid.conf: iscsid.conf only seeds a record when discovery creates it.  A record is read with
the keys of its type only (``idbm_recinfo_node``: ``node.*`` and ``iface.*``; discovery:
``discovery.*``; interfaces: ``iface.*``), so other keys are unknown there, ``iscsid.*`` too.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.domain.iscsi_db import RecordPath, RecordType, record_path
from xsanconf.formats import iscsid
from xsanconf.formats.iscsid.keys import KEYS
from xsanconf.formats.iscsid.lexer import tokenize
from xsanconf.formats.iscsid.model import IscsidConfig, IscsidSetting
from xsanconf.parsing import parse_with
from xsanconf.syntax import Node, Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "IscsiRecord",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "parse_with_grammar",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "iscsi-node"

_NAMES = {"ENTRY": "a 'name = value' line", "OTHER": "a line"}
# the marker lines idbm_print writes (ISCSI_BEGIN_REC, ISCSI_END_REC in usr/idbm_fields.h)
_BEGIN = re.compile(r"[ \t\r\v\f]*#[ \t\r\v\f]*BEGIN RECORD(?:[ \t\r\v\f]+(\S+))?")
_END = re.compile(r"[ \t\r\v\f]*#[ \t\r\v\f]*END RECORD\b")
_PREFIXES: dict[RecordType, tuple[str, ...]] = {
    "node": ("node.", "iface."),
    "discovery": ("discovery.",),
    "iface": ("iface.",),
}

# The syntax and its editing are iscsid.conf's (module docstring).
parse = iscsid.parse
directives = iscsid.directives
redact = iscsid.redact
token_secrets = iscsid.token_secrets
get_value = iscsid.get_value
set_value = iscsid.set_value
unset_value = iscsid.unset_value


def parse_with_grammar(text: str, path: str | None = None) -> Node:
    """The same tree through ``grammars/iscsi-node.lark`` (slower; the tests compare the two)."""
    return parse_with("iscsi-node", tokenize, text, path=path, names=_NAMES)


def model(doc: Document) -> IscsiRecord:
    return IscsiRecord(doc)


def sniff(text: str) -> bool:
    """A record names itself: iscsiadm starts every record file with its marker line."""
    return _BEGIN.match(text) is not None


def build(items: list[Directive]) -> str:
    """Record text: the marker lines around ``name = value`` lines (iscsiadm's layout)."""
    body = iscsid.build(items)
    return f"# BEGIN RECORD\n{body}# END RECORD\n"


class IscsiRecord(IscsidConfig):
    """One record file: an iscsid.conf-like reading, limited to the keys of its type."""

    __slots__ = ("_settings",)

    def __init__(self, doc: Document) -> None:
        super().__init__(doc)
        # (document generation, settings): rules ask a record for a key at a time, and each
        # reading costs the file's length (a 100,000-line record took 50 s uncached)
        self._settings: tuple[int, dict[str, IscsidSetting]] | None = None

    def __repr__(self) -> str:
        return f"IscsiRecord({self.type!r}, {len(self.entries)} entries)"

    @property
    def place(self) -> RecordPath | None:
        """What the file's path in the database says (None: a file outside one)."""
        if self.doc.path is None:
            return None
        return record_path(PurePosixPath(self.doc.path.replace("\\", "/")).parts)

    @property
    def type(self) -> RecordType | None:
        """node, discovery or iface: by the file's place, else by its first known key."""
        place = self.place
        if place is not None:
            return place.type
        for entry in self.entries:
            for kind, prefixes in _PREFIXES.items():
                if entry.key.startswith(prefixes[0]):
                    return kind
        return None

    def _markers(self) -> list[tuple[int, str]]:
        """(line, text) of each whole-line comment: where the marker lines are."""
        out = []
        line = 1
        for child in self.doc.root.children:
            text = child.text if isinstance(child, (Trivia, Token)) else render(child)
            if isinstance(child, Trivia) and text.lstrip(" \t\r\v\f").startswith("#"):
                out.append((line, text))
            line += text.count("\n")
        return out

    @property
    def begin(self) -> tuple[int, str | None] | None:
        """The ``# BEGIN RECORD`` line: its number and the version it names."""
        for line, text in self._markers():
            m = _BEGIN.match(text)
            if m is not None:
                return line, m.group(1)
        return None

    @property
    def version(self) -> str | None:
        """The open-iscsi version that wrote the record (``2.0-873``)."""
        found = self.begin
        return found[1] if found is not None else None

    @property
    def end_line(self) -> int | None:
        for line, text in self._markers():
            if _END.match(text):
                return line
        return None

    def reads(self, key: str) -> bool:
        """Whether idbm reads ``key`` from a record of this type (a known key of its prefixes;
        of any type but ``iscsid.*`` when the type is unknown)."""
        if key not in KEYS or key.startswith("iscsid."):
            return False
        kind = self.type
        return kind is None or key.startswith(_PREFIXES[kind])

    def settings(self) -> dict[str, IscsidSetting]:
        """The values the record gives the keys of its type (``iscsid.*`` is never read)."""
        generation = self.doc.generation
        if self._settings is None or self._settings[0] != generation:
            kind = self.type
            found = super().settings()
            prefixes = _PREFIXES[kind] if kind is not None else None
            self._settings = (
                generation,
                {
                    k: s
                    for k, s in found.items()
                    if (k.startswith(prefixes) if prefixes else not k.startswith("iscsid."))
                },
            )
        return self._settings[1]

    def _daemon_setting(self, key: str, text: str) -> IscsidSetting | None:
        return None  # cfg_get_string_param reads iscsid.conf, never a record
