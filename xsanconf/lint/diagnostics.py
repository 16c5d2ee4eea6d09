"""What a rule reports: a code, a severity, a message, where, what else is involved, and a fix."""

from __future__ import annotations

import enum

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


@attrs.frozen
class Fix:
    """Edits that resolve a diagnostic; ``safe`` fixes keep the meaning of the configuration."""

    description: str
    safe: bool
    edits: tuple[TextEdit, ...] = ()
    renames: tuple[FileRename, ...] = ()


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
