"""Rule families: one module per family (``syn``, ``drbd``, ...), each registering its checks.

A run imports only the families it needs: :data:`MANIFEST` (``_manifest.py``) says, without
importing them, which module registers each code under which name and which kinds of file its
rules need, so a site without a CIB never imports the cluster rules and ``--select DRBD`` never
imports the multipath ones.  The tests hold the manifest to what the modules register
(``python -m xsanconf.lint.rules._manifest`` rewrites it).  :func:`load_all` imports every
family, for the commands that list or explain rules.  Installed plugins
(:mod:`xsanconf.lint.plugins`) join the same registry.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from typing import NamedTuple

from xsanconf.lint.rule import REGISTRY, Rule, needed_kinds
from xsanconf.lint.rules._manifest import MANIFEST

__all__ = ["RuleInfo", "catalog", "family_modules", "load_all", "load_needed"]


class RuleInfo(NamedTuple):
    """What selection needs to know of a rule before its module is imported."""

    code: str
    name: str
    module: str
    needs: tuple[str, ...]


def family_modules() -> list[str]:
    """Every rule module of the package, by full name (pkgutil, which also walks zip archives,
    costs more to import than a lint run can spare)."""
    names = {n[:-3] for folder in __path__ for n in os.listdir(folder) if n.endswith(".py")}
    return [f"{__name__}.{n}" for n in sorted(names) if not n.startswith("_")]


def catalog() -> dict[str, RuleInfo]:
    """Every rule, built-in (from the manifest) and from the plugins loaded so far, by code."""
    from xsanconf.lint.plugins import load_entry_point_plugins

    load_entry_point_plugins()
    found = {code: RuleInfo(code, *entry) for code, entry in MANIFEST.items()}
    for code, rule in REGISTRY.items():
        if code not in found:
            found[code] = RuleInfo(code, rule.name, rule.check.__module__, rule.needs)
    return found


def load_needed(chosen: Iterable[RuleInfo], kinds: set[str]) -> dict[str, Rule]:
    """Import the families of the ``chosen`` rules that can run on a site of ``kinds`` (no
    ``needs``, or one of them present); the registry, by code."""
    wanted = {
        info.module
        for info in chosen
        if info.code not in REGISTRY
        and (not info.needs or kinds.intersection(needed_kinds(info.needs)))
    }
    for module in sorted(wanted):
        importlib.import_module(module)
    return REGISTRY


def load_all() -> dict[str, Rule]:
    """Import every rule family, then the installed plugins; the registry, by code."""
    for module in family_modules():
        importlib.import_module(module)
    from xsanconf.lint.plugins import load_entry_point_plugins

    load_entry_point_plugins()
    return REGISTRY
