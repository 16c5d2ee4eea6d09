"""Findings weighed over the versions a host may run.

A version-dependent check runs once per candidate version; what it finds at one place for
some versions only is reported once, saying for which versions it holds and which still
read the text as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from xsanconf.lint.diagnostics import Location

__all__ = ["by_place", "for_versions"]

Found = TypeVar("Found")


def by_place(
    found: Iterable[tuple[str, Location, Found]],
) -> list[tuple[list[str], Found]]:
    """(versions, the newest version's finding) for each place, in the order of the text."""
    places: dict[tuple[int, int], list[tuple[str, Found]]] = {}
    for version, location, finding in found:
        places.setdefault((location.line, location.column), []).append((version, finding))
    return [
        ([version for version, _ in places[where]], places[where][-1][1])
        for where in sorted(places)
    ]


def for_versions(message: str, holding: Sequence[str], candidates: Sequence[str]) -> str:
    """``message``, noting the candidates it does not hold for (none: unchanged)."""
    rest = [v for v in candidates if v not in holding]
    if not rest:
        return message
    reads = "reads" if len(rest) == 1 else "read"
    return f"{message} (for DRBD {_either(holding)}; {_either(rest)} still {reads} it as written)"


def _either(versions: Sequence[str]) -> str:
    return " and ".join(versions) if len(versions) < 3 else ", ".join(versions)
