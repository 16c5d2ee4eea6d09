"""Rule pages (``rules/CODE.md``): the documentation users read and the examples tests run.

A page starts with ``# CODE name`` and has the sections ``## What it checks``, ``## Why``,
``## Bad``, ``## Good``, ``## Fix`` and ``## Versions``.  The fenced blocks under Bad and Good are
files of a host: the info string names the format and the path inside the host root, and may name
the host for examples of several hosts::

    ```drbd title="etc/drbd.conf" host="san1"
    resource r0 {
      startup { become-primary-on both; }  # <- DRBD001
    }
    ```

A Bad example marks each line its rule reports with a trailing ``# <- CODE``: the tests expect a
finding of CODE on exactly the marked lines.  The marker (with the blanks before it) is not part
of the file the rule reads, so it cannot change what the rule sees.  A fenced block always ends
with a newline; ``final-newline="no"`` in the info string drops the last one, for examples about
a file that lacks it.

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

__all__ = ["Example", "Mark", "RulePage", "page", "pages"]

_TITLE = re.compile(r"#\s+([A-Z]+[0-9]+)\s+(\S+)")
_PAGE_NAME = re.compile(r"[A-Z]+[0-9]+\.md")
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
# ``# <- CODE`` at the end of a line of an example: where the page's rule reports
_MARK = re.compile(r"[ \t]+# <- ([A-Z]+[0-9]+)$")
SECTIONS = ("What it checks", "Why", "Bad", "Good", "Fix", "Versions")


@attrs.frozen
class Mark:
    """A ``# <- CODE`` marker: the example's rule reports ``code`` on this 1-based line."""

    line: int
    code: str


@attrs.frozen
class Example:
    """One fenced block of a Bad or Good section: a file of a host, markers taken out."""

    language: str
    path: str  # inside the host root, e.g. "etc/drbd.conf"
    host: str
    text: str  # the file as the rule reads it: without the markers
    attributes: dict[str, str] = attrs.field(factory=dict, eq=False)
    marks: tuple[Mark, ...] = ()


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
        text, marks = _unmarked(content)
        if attributes.get("final-newline") == "no":
            text = text.removesuffix("\n")
        found.append(
            Example(
                language,
                attributes.get("title", ""),
                attributes.get("host", "host1"),
                text,
                attributes,
                marks,
            )
        )
    return found


def _unmarked(lines: list[str]) -> tuple[str, tuple[Mark, ...]]:
    """The lines without their ``# <- CODE`` markers, and the markers."""
    marks = []
    kept = []
    for number, line in enumerate(lines, 1):
        body = line.rstrip("\n")
        marker = _MARK.search(body)
        if marker is None:
            kept.append(line)
        else:
            marks.append(Mark(number, marker.group(1)))
            kept.append(body[: marker.start()] + line[len(body) :])
    return "".join(kept), tuple(marks)


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
