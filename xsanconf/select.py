"""Selectors: a small path language that names one setting in a file, for ``get``/``set``.

``resource[xensan].net.allow-two-primaries`` is three steps: a ``resource`` section whose
arguments are ``xensan``, its ``net`` section, and the ``allow-two-primaries`` option.  A filter
``[key=value]`` picks an entry by one of its settings (``multipaths.multipath[wwid=36...].alias``),
``[key=value,key=value]`` by several.
Dots inside brackets do not split (``on[alice.example.com].address``).  Formats whose keys hold
dots themselves (iscsid.conf) take the selector text whole.
"""

from __future__ import annotations

import functools
import re

import attrs

__all__ = ["SelectorError", "Step", "parse_selector"]


@functools.cache  # compiled on first use: many runs never need it
def _next_key() -> re.Pattern[str]:
    return re.compile(r",\s*(?=[\w-]+\s*=)")


class SelectorError(ValueError):
    """A selector that cannot be read, or that names nothing settable."""


@attrs.frozen
class Step:
    name: str
    filter: str | None = None

    @property
    def keyed(self) -> tuple[str, str] | None:
        """``(key, value)`` for a ``[key=value]`` filter."""
        if self.filter is None or "=" not in self.filter:
            return None
        key, _, value = self.filter.partition("=")
        return key.strip(), value.strip()

    @property
    def keys(self) -> list[tuple[str, str]]:
        """Every ``(key, value)`` of a ``[key=value,key=value]`` filter; a comma not followed
        by ``key=`` belongs to the value (a regex such as ``{1,3}``)."""
        if self.keyed is None:
            return []
        assert self.filter is not None
        pairs = [p.partition("=") for p in _next_key().split(self.filter)]
        return [(key.strip(), value.strip()) for key, _, value in pairs]


def parse_selector(text: str) -> list[Step]:
    steps: list[Step] = []
    name, bracket, depth = "", "", 0
    pending: str | None = None
    for ch in text:
        if depth:
            # brackets nest, so that a filter may hold a regex class: devnode[^sd[a-z]$]
            depth += {"[": 1, "]": -1}.get(ch, 0)
            if depth == 0:
                pending = bracket
                bracket = ""
            else:
                bracket += ch
        elif ch == "[":
            if not name or pending is not None:
                raise SelectorError(f"selector {text!r}: '[' must follow a name")
            depth = 1
        elif ch == ".":
            if not name:
                raise SelectorError(f"selector {text!r}: empty step")
            steps.append(Step(name, pending))
            name, pending = "", None
        else:
            if pending is not None:
                raise SelectorError(f"selector {text!r}: expected '.' after ']'")
            name += ch
    if depth:
        raise SelectorError(f"selector {text!r}: '[' is not closed")
    if not name:
        raise SelectorError(f"selector {text!r}: empty step")
    steps.append(Step(name, pending))
    return steps
