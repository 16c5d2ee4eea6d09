"""Rule pages (``rules/CODE.md``): the documentation users read and the examples tests run.

A page starts with ``# CODE name`` and has the sections ``## What it checks``, ``## Why``,
``## Bad``, ``## Good``, ``## Fix`` and ``## Versions``.  The fenced blocks under Bad and Good are
files of a host: the info string names the format and the path inside the host root, and may name
the host for examples of several hosts::

    ```drbd title="etc/drbd.conf" host="san1"
    resource r0 { ... }
    ```

Pages are read from the source tree's ``rules/`` folder, else from the installed package data
``xsanconf/rule_pages``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

__all__ = ["Example", "RulePage", "page", "pages"]

_TITLE = re.compile(r"#\s+([A-Z]+[0-9]+)\s+(\S+)")
_PAGE_NAME = re.compile(r"[A-Z]+[0-9]+\.md")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
SECTIONS = ("What it checks", "Why", "Bad", "Good", "Fix", "Versions")


@attrs.frozen
class Example:
    """One fenced block of a Bad or Good section: a file of a host."""

    language: str
    path: str  # inside the host root, e.g. "etc/drbd.conf"
    host: str
    text: str
    attributes: dict[str, str] = attrs.field(factory=dict, eq=False)


@attrs.frozen
class RulePage:
    code: str
    name: str
    text: str
    sections: dict[str, str] = attrs.field(eq=False)

    def section(self, title: str) -> str:
        return self.sections.get(title, "").strip()

    def examples(self, title: str) -> list[Example]:
        return _examples(self.sections.get(title, ""))

    @property
    def summary(self) -> str:
        """The first paragraph of "What it checks"."""
        return self.section("What it checks").split("\n\n")[0].replace("\n", " ").strip()


def _examples(body: str) -> list[Example]:
    found = []
    lines = body.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index].rstrip("\n"))
        index += 1
        if opening is None:
            continue
        fence, info = opening.groups()
        content = []
        while index < len(lines) and not lines[index].rstrip("\n").startswith(fence):
            content.append(lines[index])
            index += 1
        index += 1
        language = info.split()[0] if info.split() else ""
        attributes = dict(_ATTRIBUTE.findall(info))
        found.append(
            Example(
                language,
                attributes.get("title", ""),
                attributes.get("host", "host1"),
                "".join(content),
                attributes,
            )
        )
    return found


def parse_page(text: str) -> RulePage:
    lines = text.splitlines()
    title = _TITLE.match(lines[0]) if lines else None
    if title is None:
        raise ValueError("a rule page starts with '# CODE name'")
    sections: dict[str, str] = {}
    current: str | None = None
    fence: str | None = None
    for line in lines[1:]:
        marker = _FENCE.match(line)
        if marker is not None:
            if fence is None:
                fence = marker.group(1)
            elif marker.group(1).startswith(fence) and not marker.group(2).strip():
                fence = None
        if fence is None and line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return RulePage(title.group(1), title.group(2), text, sections)


def _folder() -> Path | Traversable:
    source = Path(__file__).resolve().parents[2] / "rules"
    if source.is_dir():
        return source
    return resources.files("xsanconf") / "rule_pages"


@cache
def pages() -> dict[str, RulePage]:
    """Every rule page, by code."""
    found: dict[str, RulePage] = {}
    folder = _folder()
    if not folder.is_dir():
        return found
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if _PAGE_NAME.fullmatch(entry.name):
            parsed = parse_page(entry.read_text(encoding="utf-8"))
            found[parsed.code] = parsed
    return found


def page(code: str) -> RulePage | None:
    return pages().get(code.upper())
