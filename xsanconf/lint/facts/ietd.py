"""ietd.conf facts for the SYN rules, read from the codec's model of what ietd reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.facts import Finding, final_newline_fix

if TYPE_CHECKING:
    from xsanconf.formats.ietd.model import IetStatement
    from xsanconf.lint.site import SiteFile

__all__ = ["read_differently", "refused_values", "unknown_keywords"]


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


# What ietd does with a target or session value (IET ``usr/param.c`` and ``usr/plain.c``, as
# the project's IET reference summarises them): Yes/No keys and digests take exact values and
# ignore the line otherwise; numbers are read with ``strtol(..., 0)`` and one out of range is
# replaced by the minimum (the maximum for DefaultTime2Wait).
_YES_NO = frozenset(
    {"InitialR2T", "ImmediateData", "DataPDUInOrder", "DataSequenceInOrder", "OFMarker", "IFMarker"}
)
_YES_NO_DEFAULT = {"OFMarker": "No", "IFMarker": "No"}
_DIGESTS = frozenset({"HeaderDigest", "DataDigest"})
_RANGES: dict[str, tuple[int, int]] = {
    "Wthreads": (1, 128),
    "QueuedCommands": (1, 256),
    "NOPInterval": (0, 90),
    "NOPTimeout": (0, 90),
    "MaxConnections": (1, 65535),
    "MaxRecvDataSegmentLength": (512, 16777215),
    "MaxXmitDataSegmentLength": (512, 16777215),
    "MaxBurstLength": (512, 16777215),
    "FirstBurstLength": (512, 16777215),
    "DefaultTime2Wait": (0, 3600),
    "MaxOutstandingR2T": (1, 65535),
    "OFMarkInt": (1, 65535),
    "IFMarkInt": (1, 65535),
}
# A whole number as strtol(..., 0) reads it without leftovers: decimal, 0x hex, 0 octal.
_C_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]{1,16}|0[0-7]{0,21}|[1-9][0-9]{0,18})")


def refused_values(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Target and session values ietd ignores or replaces (warnings)."""
    for statement in _statements(file):
        key, value = statement.key, statement.value
        if value is None or statement.comment_like is not None:
            continue  # SYN005 reports a '#' after the keyword
        problem = _value_problem(key, value)
        if problem is not None:
            yield Finding(
                f"'{key} {value}': {problem}",
                file.location(statement.token),
                severity=Severity.WARNING,
            )


def _value_problem(key: str, value: str) -> str | None:
    if key in _YES_NO and value not in ("Yes", "No"):
        default = _YES_NO_DEFAULT.get(key, "Yes")
        return f"ietd takes exactly Yes or No and ignores the line ({default} stays)"
    if key in _DIGESTS and not set(value.split(",")) <= {"None", "CRC32C"}:
        return "ietd takes None, CRC32C or a list of both, and ignores the line (None stays)"
    bounds = _RANGES.get(key)
    if bounds is None:
        return None
    low, high = bounds
    if _C_NUMBER.fullmatch(value):
        octal = re.fullmatch(r"[+-]?0[0-7]+", value)
        number = int(value, 8) if octal else int(value, 0)
    elif re.fullmatch(r"[+-]?[0-9]+", value):
        number = -1 if value.startswith("-") else high + 1  # strtol saturates
    else:
        return "not a whole number: ietd reads the digits it finds (none: 0)"
    if not low <= number <= high:
        replaced = high if key == "DefaultTime2Wait" else low
        return f"out of range {low}..{high}: ietd uses {replaced} instead"
    return None
