"""Rule families: one module per family (``syn``, ``drbd``, ...), each registering its checks.

A new family is a new module here; :func:`load_all` imports every module of this package, so
nothing else has to change for its rules to run.
"""

from __future__ import annotations

import importlib
import pkgutil

from xsanconf.lint.rule import REGISTRY, Rule

__all__ = ["load_all"]


def load_all() -> dict[str, Rule]:
    """Import every rule family; the registry, by code."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY
