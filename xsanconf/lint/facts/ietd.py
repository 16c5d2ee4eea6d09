"""ietd.conf facts for the SYN rules, read from the codec's model of what ietd reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.facts import Finding, final_newline_fix

if TYPE_CHECKING:
    from xsanconf.formats.ietd.model import IetStatement
    from xsanconf.lint.site import SiteFile

__all__ = ["read_differently", "unknown_keywords"]


def _statements(file: SiteFile) -> Iterator[IetStatement]:
    config = file.doc.model
    yield from config.settings
    for target in config.targets:
        yield from target.statements()


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keywords ietd does not know: it skips them."""
    for statement in _statements(file):
        if statement.kind == "unknown":
            yield Finding(
                f"unknown keyword '{statement.keyword}': ietd ignores it",
                file.location(statement.token),
            )


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """``#`` after a keyword (not a comment to ietd) and a last word lost at the end of file."""
    for statement in _statements(file):
        if statement.comment_like is not None:
            yield Finding(
                f"'#' after '{statement.keyword}' is not a comment to ietd (only a '#' that "
                "starts a line is): ietd reads it as part of the line; put it on its own line",
                file.location(statement.token),
            )
        if statement.at_end_of_file and statement.args and statement.args != statement.args_read:
            yield Finding(
                "the last line has no newline: ietd loses its last word; end the file with a "
                "newline",
                file.location(statement.token),
                fix=final_newline_fix(file),
            )
