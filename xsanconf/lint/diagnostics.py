"""What a rule reports: a code, a severity, a message, where, what else is involved, and a fix."""

from __future__ import annotations

import enum
from collections.abc import Callable

import attrs

__all__ = ["Diagnostic", "FileRename", "Fix", "Location", "Severity", "TextEdit"]


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use info, warning or error") from None


@attrs.frozen
class Location:
    """A place in a file of a host: 1-based line and column; the end is exclusive."""

    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    host: str | None = None
    message: str | None = None  # for related locations: what this place has to do with it


@attrs.frozen
class TextEdit:
    """Replace the text between two positions of one file (1-based, end exclusive)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@attrs.frozen
class FileRename:
    """Move a file to another name in the same host, e.g. ``sbp2`` -> ``sbp2.conf``.

    Both are paths as shown to the user (like :attr:`TextEdit.path`).  Renames are applied after
    the text edits of the same fix.
    """

    path: str
    new_path: str


Edits = tuple[TextEdit, ...]


@attrs.frozen(eq=False, repr=False)
class Fix:
    """Edits that resolve a diagnostic; ``safe`` fixes keep the meaning of the configuration.

    The edits may be given, or computed on first use by ``later`` (a rule's fix is made on a
    copy of the file's tree: a plain lint, which only counts fixes, never pays for that).  Two
    fixes are equal when they say and change the same, however their edits came about.
    """

    description: str
    safe: bool
    given: Edits = attrs.field(default=(), alias="edits")
    renames: tuple[FileRename, ...] = ()
    later: Callable[[], Edits] | None = attrs.field(default=None, kw_only=True)
    _computed: list[Edits] = attrs.field(factory=list, init=False)  # the edits, once known

    @property
    def edits(self) -> Edits:
        if self.later is None:
            return self.given
        if not self._computed:
            self._computed.append(self.given + self.later())
        return self._computed[0]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fix):
            return False
        said = (self.description, self.safe, self.renames)
        # the edits last: made only for two fixes that say the same (a finding found twice)
        return said == (other.description, other.safe, other.renames) and self.edits == other.edits

    def __hash__(self) -> int:
        return hash((self.description, self.safe, self.renames))  # not the edits: lazily made

    def __repr__(self) -> str:
        edits, renames = self.edits, self.renames
        return f"Fix({self.description!r}, {self.safe}, edits={edits!r}, renames={renames!r})"


@attrs.frozen
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    fix: Fix | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code)
