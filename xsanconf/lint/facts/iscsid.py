"""iscsid.conf facts for the SYN rules, read from the codec's model of what iscsid makes of it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.iscsid.keys import KEYS
from xsanconf.formats.iscsid.reader import NO_NEWLINE
from xsanconf.lint.facts import Finding, final_newline_fix

if TYPE_CHECKING:
    from xsanconf.formats.iscsid.model import IscsidEntry
    from xsanconf.lint.site import SiteFile
    from xsanconf.syntax import Token

__all__ = ["duplicates", "read_differently", "unknown_keys", "unknown_keywords"]


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keys iscsid does not know: it ignores them."""
    yield from unknown_keys(file, file.doc.model.unknown, list(KEYS), "iscsid")


def unknown_keys(
    file: SiteFile, entries: Iterable[IscsidEntry], known: list[str], reader: str
) -> Iterator[Finding]:
    """A finding for each of ``entries``, with the nearest of ``known`` as a hint for the ones
    shown: beyond ``MAX_FINDINGS_PER_FILE`` findings are only counted, and a hint costs a
    comparison with every known key (50,000 unknown keys took two minutes)."""
    import difflib

    from xsanconf.lint.engine import MAX_FINDINGS_PER_FILE

    for count, entry in enumerate(entries):
        hint = ""
        if count < MAX_FINDINGS_PER_FILE:
            close = difflib.get_close_matches(entry.key, known, n=1, cutoff=0.75)
            hint = f"; did you mean '{close[0]}'?" if close else ""
        yield Finding(
            f"unknown key '{entry.key}': {reader} ignores it{hint}", file.location(entry.token)
        )


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A key set on several lines: one value wins, the others are dead text."""
    config = file.doc.model
    for key, entries in config.duplicates().items():
        first = entries[0]
        winner = config.entry(key)
        for entry in entries[1:]:
            wins = "this one wins" if entry is winner else f"line {winner.line} wins"
            yield Finding(
                f"'{key}' is set again (first at line {first.line}); {wins}",
                file.location(entry.token),
                (file.location(first.token, "first set here"),),
            )


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """A ``# ...`` after a value (part of the value), lines iscsid drops (a last line without a
    newline, ``name=value`` without a blank, a line without ``=``)."""
    config = file.doc.model
    for entry in config.inline_comments:
        shown = "" if entry.secret else f": the value is '{entry.value}'"
        yield Finding(
            f"'#' after the value of '{entry.key}' is not a comment to iscsid{shown}; "
            "put the comment on its own line",
            file.location(entry.token),
        )
    for entry in config.entries:
        reason = entry.dropped
        if reason is not None:
            yield _dropped(file, reason, entry.token)
    for line in config.other_lines:
        yield _dropped(file, line.reason, line.token)


def _dropped(file: SiteFile, reason: str, token: Token) -> Finding:
    fix = final_newline_fix(file) if reason == NO_NEWLINE else None
    return Finding(f"iscsid drops this line ({reason})", file.location(token), fix=fix)
