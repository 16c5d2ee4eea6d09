"""``modinfo``: ``field:   value`` lines, one module after another (sos's kernel plugin runs
``modinfo`` on every loaded module into one file, ``modinfo_ALL_MODULES``; each module starts
with its ``filename:``, or ``name:`` for a built-in one)."""

from __future__ import annotations

import posixpath
import re

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = ["ModuleInfo", "drbd_module", "find_module", "parse_modinfo"]


@attrs.frozen
class ModuleInfo:
    name: str  # "drbd" (from name:, else the file name)
    line: int
    fields: tuple[tuple[str, str, int], ...]  # (field, value, line), in order

    def get(self, field: str) -> str | None:
        return next((value for key, value, _ in self.fields if key == field), None)

    def line_of(self, field: str) -> int:
        return next((line for key, _, line in self.fields if key == field), self.line)

    @property
    def version(self) -> str | None:
        return self.get("version")


_FIELD = re.compile(r"^([a-z_][\w.-]*):\s*(.*?)\s*$")


def _name(filename: str) -> str:
    base = posixpath.basename(filename)
    return base.split(".ko", 1)[0].replace("-", "_")


def parse_modinfo(text: str) -> tuple[tuple[ModuleInfo, ...], tuple[Unread, ...]]:
    modules: list[ModuleInfo] = []
    unread: list[Unread] = []
    fields: list[tuple[str, str, int]] = []
    start = 0

    def close() -> None:
        if fields:
            named = next((v for k, v, _ in fields if k == "name"), None)
            filename = next((v for k, v, _ in fields if k == "filename"), "")
            modules.append(ModuleInfo(named or _name(filename), start, tuple(fields)))

    for number, line in lines(text):
        found = _FIELD.match(line)
        if found is None:
            if line.strip():
                unread.append(Unread(number, line))
            continue
        key, value = found.groups()
        if key == "filename" or (key == "name" and any(k == "name" for k, _, _ in fields)):
            close()
            fields, start = [], number
        if not fields:
            start = number
        fields.append((key, value, number))
    close()
    return tuple(modules), tuple(unread)


def find_module(modules: tuple[ModuleInfo, ...], name: str) -> ModuleInfo | None:
    key = name.replace("-", "_")
    return next((m for m in modules if m.name.replace("-", "_") == key), None)


def drbd_module(text: str) -> ModuleInfo | None:
    """The drbd module's stanza of a ``modinfo`` output (one module's, or every module's)."""
    return find_module(parse_modinfo(text)[0], "drbd")
