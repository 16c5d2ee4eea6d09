"""The ``modprobe`` codec: kmod's modprobe.d/*.conf (and the old /etc/modprobe.conf)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import Directive
from xsanconf.domain.module_params import module_key, split_params
from xsanconf.formats.modprobe.lexer import tokenize
from xsanconf.formats.modprobe.model import (
    ModprobeAlias,
    ModprobeBadLine,
    ModprobeBlacklist,
    ModprobeCommand,
    ModprobeComment,
    ModprobeConfig,
    ModprobeEmptyLine,
    ModprobeInclude,
    ModprobeInstall,
    ModprobeLine,
    ModprobeOptions,
    ModprobeRemove,
    ModprobeSoftdep,
    ModprobeWeakdep,
    escape,
)
from xsanconf.formats.modprobe.select import get_value, set_value, unset_value
from xsanconf.parsing import parse_with

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.syntax import Node

__all__ = [
    "KIND",
    "ModprobeAlias",
    "ModprobeBadLine",
    "ModprobeBlacklist",
    "ModprobeCommand",
    "ModprobeComment",
    "ModprobeConfig",
    "ModprobeEmptyLine",
    "ModprobeInclude",
    "ModprobeInstall",
    "ModprobeLine",
    "ModprobeOptions",
    "ModprobeRemove",
    "ModprobeSoftdep",
    "ModprobeWeakdep",
    "build",
    "directives",
    "get_value",
    "model",
    "module_key",
    "parse",
    "set_value",
    "sniff",
    "unset_value",
]

KIND = "modprobe"


def parse(text: str, path: str | None = None) -> Node:
    """The lossless tree; never fails on text (kmod skips what it cannot read, and so do we)."""
    return parse_with("modprobe", tokenize, text, path=path)


def model(doc: Document) -> ModprobeConfig:
    return ModprobeConfig(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(
        r"^(?:blacklist[ \t]+\S+[ \t]*$|(?:options|alias|install|remove|softdep)[ \t]+\S+[ \t]+\S)",
        re.M,
    )


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    """One directive per line kmod reads as a command (bad lines included, comments not).

    ``options`` gives the module and one argument per parameter word; ``install``, ``remove``
    give the module and the shell command; other commands give their words.
    """
    out: list[Directive] = []
    for line in ModprobeConfig(doc).lines:
        if not isinstance(line, ModprobeCommand):
            continue
        number = line.position[0]
        if isinstance(line, ModprobeOptions):
            options = line.options
            args = [line.module, *(options[s.start : s.end] for s in split_params(options))]
        elif isinstance(line, ModprobeInstall):
            args = [line.module, line.shell_command.strip(" \t")]
        else:
            args = line.kmod_line.split()[1:]
        out.append(Directive(line.command, [a for a in args if a], None, number))
    return out


def build(items: list[Directive]) -> str:
    """modprobe.d text: one line per directive, words joined by a space, backslashes escaped.

    A directive named ``#...`` stands for an indented ``#`` line (a bad line to kmod, not a
    comment), so it is written indented to keep that meaning.
    """
    lines = []
    for d in items:
        line = " ".join(escape(w) for w in [d.name, *d.args])
        lines.append((" " + line if line.startswith("#") else line) + "\n")
    return "".join(lines)
