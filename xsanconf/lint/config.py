"""``[tool.xsanlint]`` settings: found by walking up from the working directory; the CLI beats them.

Looked for in each directory, nearest first: ``xsanlint.toml``, ``.xsanlint.toml`` (the whole file,
or its ``[tool.xsanlint]`` table) and ``pyproject.toml`` (only when it has ``[tool.xsanlint]``).

    [tool.xsanlint]
    select = ["SYN", "DRBD"]
    ignore = ["DRBD008"]
    extend-select = []
    fail-on = "warning"
    format = "text"
    [tool.xsanlint.versions]
    drbd = "8.4"
    [tool.xsanlint.hosts.san1.versions]   # one host's own, stronger than the site's
    drbd = "9"
    [tool.xsanlint.severity]
    DRBD003 = "error"
    rules-from = ["house_rules.py"]       # plugin files, relative to this file (see below)
    [tool.xsanlint.per-path-ignores]
    "*/etc/drbd.d/legacy-*.res" = ["DRBD007"]

``rules-from`` names plain Python files of rules (:mod:`xsanconf.lint.plugins`), relative to
the configuration file that names them; ``--rules-from`` adds to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from xsanconf.lint.diagnostics import Severity

__all__ = ["CONFIG_NAMES", "ConfigError", "FileConfig", "find_config", "load_config"]

CONFIG_NAMES = ("xsanlint.toml", ".xsanlint.toml", "pyproject.toml")
_KEYS = frozenset(
    {
        "select",
        "ignore",
        "extend-select",
        "fail-on",
        "format",
        "versions",
        "severity",
        "per-path-ignores",
        "exit-zero",
        "hosts",
        "rules-from",
    }
)


class ConfigError(ValueError):
    """A configuration file that cannot be read or holds a bad setting."""


@attrs.frozen(repr=False)  # never printed: attrs would compile a __repr__ on every run
class FileConfig:
    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    fail_on: Severity | None = None
    format: str | None = None
    exit_zero: bool = False
    versions: Mapping[str, str] = attrs.field(factory=dict)
    host_versions: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    severities: Mapping[str, Severity] = attrs.field(factory=dict)
    per_path_ignores: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    rules_from: tuple[Path, ...] = ()  # plugin files, resolved against the file's folder


def _table(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    if path.name == "pyproject.toml" and not _may_hold_our_table(raw):
        # Runs inside a Python project meet its pyproject.toml every time, and importing
        # tomllib only to learn it has nothing for us costs a thirtieth of a short run (a
        # pyproject.toml that is not valid TOML is the project's business, not ours).
        return None
    import tomllib  # only when a configuration file must be read: it is not free to import

    try:
        data = tomllib.loads(raw.decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    section = data.get("tool", {}).get("xsanlint")
    if section is None and path.name != "pyproject.toml":
        return data
    return section if isinstance(section, dict) else None


# TOML reaches tool.xsanlint through a dotted name (``[tool.xsanlint]``, ``[ tool."xsanlint" ]``,
# ``tool.xsanlint.select = ...``) or through a ``tool`` table or key (``[tool]`` then
# ``xsanlint.select = ...``; ``tool = {xsanlint = ...}``); a file with neither (a project that
# merely installs the ``xsanlint`` script) has no table of ours.
_DOTTED = re.compile(rb"""tool["']?\s*\.\s*["']?xsanlint""")
_TOOL = re.compile(rb"""^[ \t]*(?:\[[ \t]*["']?tool["']?[ \t]*\]|["']?tool["']?[ \t]*=)""", re.M)


def _may_hold_our_table(raw: bytes) -> bool:
    return b"xsanlint" in raw and (_DOTTED.search(raw) is not None or _TOOL.search(raw) is not None)


def find_config(start: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration, walking up from ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                table = _table(candidate)
                if table is not None:
                    return candidate, table
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> FileConfig:
    """The settings of ``path``, or of the configuration found from ``start``; none: defaults."""
    if path is not None:
        table = _table(path)
        if table is None:
            raise ConfigError(f"{path}: has no [tool.xsanlint] table")
        return _parse(path, table)
    found = find_config(start)
    return _parse(*found) if found else FileConfig()


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return tuple(value)


def _severity(path: Path, key: str, value: Any) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError as error:
        raise ConfigError(f"{path}: '{key}': {error}") from None


def _mapping(path: Path, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{key}' must be a table")
    return value


def _parse(path: Path, table: dict[str, Any]) -> FileConfig:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(repr(k) for k in unknown)}; "
            f"known: {', '.join(sorted(_KEYS))}"
        )
    fail_on = table.get("fail-on")
    return FileConfig(
        path=path,
        select=_strings(path, "select", table["select"]) if "select" in table else None,
        ignore=_strings(path, "ignore", table.get("ignore", [])),
        extend_select=_strings(path, "extend-select", table.get("extend-select", [])),
        fail_on=_severity(path, "fail-on", fail_on) if fail_on is not None else None,
        format=str(table["format"]) if "format" in table else None,
        exit_zero=bool(table.get("exit-zero", False)),
        versions={
            str(k): str(v) for k, v in _mapping(path, "versions", table.get("versions", {})).items()
        },
        host_versions=_host_versions(path, table.get("hosts", {})),
        severities={
            str(k): _severity(path, f"severity.{k}", v)
            for k, v in _mapping(path, "severity", table.get("severity", {})).items()
        },
        per_path_ignores={
            str(k): _strings(path, f"per-path-ignores.{k}", v)
            for k, v in _mapping(
                path, "per-path-ignores", table.get("per-path-ignores", {})
            ).items()
        },
        rules_from=tuple(
            path.parent / name for name in _strings(path, "rules-from", table.get("rules-from", []))
        ),
    )


def _host_versions(path: Path, value: Any) -> dict[str, dict[str, str]]:
    """``[tool.xsanlint.hosts.NAME.versions]`` tables, by host name."""
    found = {}
    for name, settings in _mapping(path, "hosts", value).items():
        host = _mapping(path, f"hosts.{name}", settings)
        unknown = sorted(set(host) - {"versions"})
        if unknown:
            raise ConfigError(
                f"{path}: unknown setting 'hosts.{name}.{unknown[0]}'; known: versions"
            )
        versions = _mapping(path, f"hosts.{name}.versions", host.get("versions", {}))
        found[str(name)] = {str(k): str(v) for k, v in versions.items()}
    return found
