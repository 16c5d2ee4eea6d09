"""modprobe.d facts for the SYN rules, read from the codec's model of what kmod reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.modprobe.model import ModprobeBadLine, ModprobeComment
from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["read_differently", "unknown_keywords"]


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Commands kmod does not know (commands are case-sensitive)."""
    for line in file.doc.model.lines:
        if isinstance(line, ModprobeBadLine) and not line.command.startswith("#"):
            yield Finding(str(line.problem), file.location(line.token))


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """An indented ``#`` (a bad line, not a comment) and a comment continued by a backslash."""
    for line in file.doc.model.lines:
        indented_hash = isinstance(line, ModprobeBadLine) and line.command.startswith("#")
        if indented_hash or isinstance(line, ModprobeComment):
            yield Finding(str(line.problem), file.location(line.token))
