"""Format facts the SYN rules need, one module per kind, imported only when a file of it exists.

A module ``xsanconf.lint.facts.<kind>`` (``-`` in a kind becomes ``_``) may define any of

* ``invalid_values(file) -> Iterable[Finding]`` (SYN001: values the daemon's parser refuses,
  though the file's structure parses),
* ``refused_values(file, version) -> Iterable[Finding]`` (drbd only: values drbdadm of
  ``version`` refuses, weighed over the host's versions by :mod:`xsanconf.lint.values.drbd`
  for SYN007, whose other checkers live in :mod:`xsanconf.lint.values`),
* ``unknown_keywords(file, version) -> Iterable[Finding]`` (SYN002),
* ``duplicates(file) -> Iterable[Finding]`` (SYN004, one file) and
  ``host_duplicates(host) -> Iterable[Finding]`` (SYN004, across the files of one host),
* ``read_differently(file) -> Iterable[Finding]`` (SYN005; :func:`final_newline_fix` is the
  fix for a last line the daemon loses because the file does not end in a newline),

and the SYN rules call what is there.  A format without a facts module is simply not checked.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING

import attrs

from xsanconf.edit import newline_style
from xsanconf.lint.diagnostics import Fix, TextEdit

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.site import SiteFile

__all__ = ["Finding", "facts_for", "final_newline_fix"]


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(repr=False)
class Finding:
    """What a facts module found: the message, where, the other places involved, a fix."""

    message: str
    location: Location
    related: tuple[Location, ...] = ()
    fix: Fix | None = None


def final_newline_fix(file: SiteFile) -> Fix | None:
    """End the file with a newline in its own style, so that the daemon reads its last line.

    Safe: the file then means what it shows.
    """
    text = file.text()
    if not text or text.endswith("\n"):
        return None
    line = text.count("\n") + 1
    column = len(text) - text.rfind("\n")
    end = TextEdit(file.path, line, column, line, column, newline_style(file.doc.root))
    return Fix("end the file with a newline", True, (end,))


_modules: dict[str, ModuleType | None] = {}


def facts_for(kind: str) -> ModuleType | None:
    if kind not in _modules:
        name = f"{__name__}.{kind.replace('-', '_')}"
        _modules[kind] = (
            importlib.import_module(name) if importlib.util.find_spec(name) is not None else None
        )
    return _modules[kind]
