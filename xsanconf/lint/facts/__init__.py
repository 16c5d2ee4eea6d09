"""Format facts the SYN rules need, one module per kind, imported only when a file of it exists.

A module ``xsanconf.lint.facts.<kind>`` (``-`` in a kind becomes ``_``) may define any of

* ``unknown_keywords(file, version) -> Iterable[Finding]`` (SYN002),
* ``duplicates(file) -> Iterable[Finding]`` (SYN004, one file) and
  ``host_duplicates(host) -> Iterable[Finding]`` (SYN004, across the files of one host),
* ``read_differently(file) -> Iterable[Finding]`` (SYN005),

and the SYN rules call what is there.  A format without a facts module is simply not checked.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Location

__all__ = ["Finding", "facts_for"]


@attrs.frozen
class Finding:
    """What a facts module found: the message, where, and the other places involved."""

    message: str
    location: Location
    related: tuple[Location, ...] = ()


_modules: dict[str, ModuleType | None] = {}


def facts_for(kind: str) -> ModuleType | None:
    if kind not in _modules:
        name = f"{__name__}.{kind.replace('-', '_')}"
        _modules[kind] = (
            importlib.import_module(name) if importlib.util.find_spec(name) is not None else None
        )
    return _modules[kind]
