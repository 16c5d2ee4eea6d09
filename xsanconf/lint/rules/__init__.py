"""Rule families: one module per family (``syn``, ``drbd``, ...), each registering its checks.

A new family is a new module here; :func:`load_all` imports every module of this package, so
nothing else has to change for its rules to run.  Then it imports the installed plugins
(:mod:`xsanconf.lint.plugins`), whose rules join the same registry.
"""

from __future__ import annotations

import importlib
import os

from xsanconf.lint.rule import REGISTRY, Rule

__all__ = ["load_all"]


def load_all() -> dict[str, Rule]:
    """Import every rule family, then the installed plugins; the registry, by code."""
    # the package's own files (pkgutil, which also walks zip archives, costs more to import
    # than a lint run can spare)
    names = {n[:-3] for folder in __path__ for n in os.listdir(folder) if n.endswith(".py")}
    for name in sorted(names):
        if not name.startswith("_"):
            importlib.import_module(f"{__name__}.{name}")
    from xsanconf.lint.plugins import load_entry_point_plugins

    load_entry_point_plugins()
    return REGISTRY
