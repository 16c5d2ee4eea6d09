"""Rules from outside the package: installed plugins and plain Python files.

A plugin is a module that registers checks with :func:`xsanconf.lint.rule.rule`, exactly as the
built-in families do.  Two ways in:

* an installed distribution declares the module in the ``xsanlint.rules`` entry-point group
  (``[project.entry-points."xsanlint.rules"] house = "house_rules"``); importing it registers
  its rules, and an entry point naming an attribute (``"house_rules:register"``) has that
  callable called as well;
* ``--rules-from FILE`` (or ``rules-from`` in the configuration) imports a plain ``.py`` file.

Codes live in a namespace of their own: upper-case letters then digits (``HOUSE001``), with a
prefix that is none of xsanconf's families and does not begin with one, so that ``--select
DRBD`` never selects a plugin's rule and a later xsanconf release cannot take a plugin's code.
A plugin that fails to import, raises while registering, or registers a code outside its
namespace contributes no rule; the failure is a :class:`PluginProblem` (the CLI prints it and
exits 2 after the report) and the other rules still run.

Entry points are found by reading ``entry_points.txt`` of each distribution on ``sys.path``
(``*.dist-info`` and ``*.egg-info``), the first distribution of a name winning, as
:func:`importlib.metadata.entry_points` finds them: that module costs more to import than a
lint of a small site.  ``tests/lint/test_plugins.py`` compares the two.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

from xsanconf.lint.rule import REGISTRY

__all__ = [
    "ENTRY_POINT_GROUP",
    "RESERVED_FAMILIES",
    "EntryPoint",
    "PluginProblem",
    "entry_points",
    "load_entry_point_plugins",
    "load_rule_files",
    "problems",
]

ENTRY_POINT_GROUP = "xsanlint.rules"

# Every family xsanconf has or the rule catalogue reserves: a plugin's prefix is none of these
# and begins with none of them.
RESERVED_FAMILIES = frozenset(
    {"BOOT", "CLU", "DRBD", "IET", "ISCSI", "LVM", "MOD", "MPATH", "STATE", "SYN", "XEN"}
)


@functools.cache  # compiled on first use: many runs never need it
def _code() -> re.Pattern[str]:
    return re.compile(r"([A-Z]+)([0-9]+)")


_BUILT_IN = "xsanconf.lint.rules."


@attrs.frozen
class EntryPoint:
    """One ``name = module[:attribute]`` line of a distribution's ``xsanlint.rules`` group."""

    name: str
    value: str
    distribution: str

    @property
    def module(self) -> str:
        return self.value.partition(":")[0].strip()

    @property
    def attribute(self) -> str | None:
        # "module:attr [extra1, extra2]": extras select optional dependencies; not ours to check
        attribute = self.value.partition(":")[2].split("[")[0].strip()
        return attribute or None


@attrs.frozen
class PluginProblem:
    """Why a plugin contributes no rule: ``source`` names it (entry point or file)."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"plugin {self.source}: {self.message}"


_problems: list[PluginProblem] = []
_loaded: set[str] = set()  # entry points and files already imported, by source
_ENTRY_POINTS_READ = "entry points"  # in _loaded once the installed plugins are imported


def problems() -> list[PluginProblem]:
    """The plugins that failed so far in this process."""
    return list(_problems)


def _distribution_name(folder: str) -> str:
    stem = folder.rsplit(".", 1)[0]  # name-version.dist-info, name.egg-info
    return re.sub(r"[-_.]+", "-", stem.split("-")[0]).lower()


def _metadata_folders(entry: str) -> Iterator[tuple[str, str]]:
    try:
        with os.scandir(entry or ".") as found:
            names = sorted(e.name for e in found if e.name.endswith((".dist-info", ".egg-info")))
    except OSError:  # a zip archive, a missing folder: no distribution metadata to read here
        return
    for name in names:
        yield _distribution_name(name), os.path.join(entry or ".", name)


def entry_points(group: str = ENTRY_POINT_GROUP) -> list[EntryPoint]:
    """The entry points of ``group`` of the distributions importable from ``sys.path``."""
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for entry in sys.path:
        for distribution, folder in _metadata_folders(entry):
            if distribution in seen:
                continue
            seen.add(distribution)
            try:
                with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if f"[{group}]" not in text:
                continue
            import configparser  # only when a distribution declares a plugin

            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the case
            try:
                parser.read_string(text)
            except configparser.Error:
                continue  # importlib.metadata skips such a file as well
            if parser.has_section(group):
                found.extend(
                    EntryPoint(name, value, distribution) for name, value in parser.items(group)
                )
    return found


def _check_codes(codes: Iterable[str]) -> str | None:
    """Why these codes are outside the plugin namespace, or ``None``."""
    for code in codes:
        matched = _code().fullmatch(code)
        if matched is None:
            return f"rule code {code!r} is not upper-case letters then digits (e.g. HOUSE001)"
        prefix = matched.group(1)
        clash = next((f for f in sorted(RESERVED_FAMILIES) if prefix.startswith(f)), None)
        if clash is not None:
            return (
                f"rule code {code} begins with {clash}, a family of xsanconf's own: "
                "choose a prefix of your own (e.g. HOUSE001)"
            )
    return None


def _register(source: str, load: Iterable[None]) -> None:
    """Run ``load`` (the plugin's import), keeping its rules only if all went well."""
    if source in _loaded:
        return
    _loaded.add(source)
    before = set(REGISTRY)
    problem: str | None
    try:
        for _ in load:
            pass
    except Exception as error:  # a broken plugin must not stop the built-in rules
        problem = f"{type(error).__name__}: {error}"
    except SystemExit as error:  # a plugin calling sys.exit() on import
        problem = f"exited while loading (SystemExit {error.code})"
    else:
        # a built-in family the plugin imports registers its own codes: not the plugin's
        added = [
            c
            for c in REGISTRY
            if c not in before and not REGISTRY[c].check.__module__.startswith(_BUILT_IN)
        ]
        problem = _check_codes(added)
        if problem is None:
            if not added:
                _problems.append(PluginProblem(source, "registers no rule"))
            for code in added:
                REGISTRY[code] = attrs.evolve(REGISTRY[code], origin=source)
            return
    for code in [c for c in REGISTRY if c not in before]:
        if not REGISTRY[code].check.__module__.startswith(_BUILT_IN):
            del REGISTRY[code]
    _problems.append(PluginProblem(source, problem or "failed"))


def _import_entry_point(point: EntryPoint) -> Iterator[None]:
    module = importlib.import_module(point.module)
    if point.attribute is not None:
        target: object = module
        for part in point.attribute.split("."):
            target = getattr(target, part)
        if callable(target):
            target()
    yield


def load_entry_point_plugins() -> None:
    """Import every installed plugin once per process (built-in rules must be loaded first,
    so that a plugin taking a built-in code fails instead of the built-in family)."""
    if _ENTRY_POINTS_READ in _loaded:
        return
    _loaded.add(_ENTRY_POINTS_READ)
    for point in entry_points():
        _register(f"{point.name} ({point.distribution})", _import_entry_point(point))


def _import_file(path: Path) -> Iterator[None]:
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    # a module name of its own per file, so two files of one name do not replace each other
    name = "xsanlint_rules_" + re.sub(r"\W", "_", str(path.resolve()))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path} (not a Python file?)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    yield


def load_rule_files(paths: Iterable[Path]) -> None:
    """Import each plain Python file of rules (``--rules-from``) once per process."""
    for path in paths:
        _register(str(path), _import_file(path))
