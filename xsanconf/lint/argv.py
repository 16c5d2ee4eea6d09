"""Read a plain lint command line without typer, so the hot path starts fast.

A pre-commit hook runs ``xsanlint`` on every commit.  Importing typer costs more than the whole
lint of a small site (typer coerces every option through pydantic, whose import alone is ~8x
Python's start-up), so the common command line -- paths and the lint options -- is read here
from a table.  Anything else (``--help``, a subcommand, an unknown or malformed option) returns
``None`` and the caller hands the arguments to typer, which parses them and reports errors.

``tests/lint/test_argv.py`` checks this table against the typer command: the same spellings
map to the same parameters, and both readings of a command line give the same request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["FLAGS", "MULTI", "SINGLE", "read_check_args"]

# option spelling -> parameter of the typer ``check`` command
FLAGS: dict[str, str] = {
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--isolated": "isolated",
    "--fix": "fix",
    "--unsafe-fixes": "unsafe_fixes",
    "--diff": "diff",
    "--show-secrets": "show_secrets",
    "--update-baseline": "update_baseline",
}
SINGLE: dict[str, str] = {
    "--format": "output_format",
    "-f": "output_format",
    "--output": "output",
    "-o": "output",
    "--fail-on": "fail_on",
    "--config": "config",
    "--color": "color",
    "--baseline": "baseline",
}
MULTI: dict[str, str] = {
    "--host": "host",
    "--select": "select",
    "--ignore": "ignore",
    "--extend-select": "extend_select",
    "--target": "target",
    "--severity": "severity",
    "--rules-from": "rules_from",
}
_PATH_VALUED = frozenset({"output", "config", "baseline", "rules_from"})
# Words typer must see: subcommands and everything that prints help or the version.
_TYPER_ONLY = frozenset(
    {"rule", "rules", "hosts", "query", "export", "-h", "--help", "-V", "--version"}
)


def read_check_args(args: Sequence[str]) -> dict[str, object] | None:
    """The check command's parameters given on ``args``; ``None``: let typer read them."""
    if not args or args[0] in _TYPER_ONLY:
        return None
    values: dict[str, object] = {}
    paths: list[Path] = []
    at = 0
    while at < len(args):
        word = args[at]
        at += 1
        if word == "--":
            paths.extend(Path(rest) for rest in args[at:])
            break
        if not word.startswith("-") or word == "-":
            paths.append(Path(word))
            continue
        name, equals, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in FLAGS and not equals:
            values[FLAGS[name]] = True
            continue
        field = SINGLE.get(name) or MULTI.get(name)
        if field is None:
            return None  # unknown, or a spelling such as -fjson: typer knows what to say
        if equals:
            value = inline
        elif at < len(args):
            value = args[at]
            at += 1
        else:
            return None  # a missing value: typer's message
        typed: object = Path(value) if field in _PATH_VALUED else value
        if name in MULTI:
            listed = values.setdefault(field, [])
            assert isinstance(listed, list)
            listed.append(typed)
        else:
            values[field] = typed
    if paths:
        values["paths"] = paths
    return values
