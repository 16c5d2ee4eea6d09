"""iscsid.conf facts for the SYN rules, read from the codec's model of what iscsid makes of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.iscsid.keys import KEYS, read_c_integer
from xsanconf.formats.iscsid.reader import NO_NEWLINE
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.facts import Finding, final_newline_fix

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile
    from xsanconf.syntax import Token

__all__ = ["duplicates", "read_differently", "refused_values", "unknown_keywords"]


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keys iscsid does not know: it ignores them."""
    import difflib

    for entry in file.doc.model.unknown:
        close = difflib.get_close_matches(entry.key, list(KEYS), n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        yield Finding(
            f"unknown key '{entry.key}': iscsid ignores it{hint}", file.location(entry.token)
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


_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,19}")


def refused_values(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Values iscsid silently replaces (idbm): an enumeration or Yes/No value that matches none
    of its options exactly is ignored (the default, or an earlier line's value, stays); a number
    is read with ``strtoul``, so text reads as 0 and ``15s`` as 15."""
    for entry in file.doc.model.entries:
        spec = entry.spec
        if spec is None or entry.dropped is not None or entry.secret or entry.inline_comment:
            continue
        value = entry.value.strip()
        if spec.type in ("enum", "bool") and value not in spec.options:
            default = spec.default
            if isinstance(default, bool):
                default = "Yes" if default else "No"
            yield Finding(
                f"'{entry.key} = {value}': iscsid takes only {', '.join(spec.options)} "
                f"(exactly, case included) and ignores this value: the default ({default}) "
                "or an earlier setting stays",
                file.location(entry.token),
                severity=Severity.WARNING,
            )
        elif spec.type == "int" and not _WHOLE_NUMBER.fullmatch(value):
            read = read_c_integer(value[:40], spec.bits)
            yield Finding(
                f"'{entry.key} = {value}': not a whole number; iscsid reads it as {read}",
                file.location(entry.token),
                severity=Severity.WARNING,
            )
