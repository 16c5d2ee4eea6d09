"""``drbdsetup show``: the configuration the kernel module holds, in drbd.conf's syntax.

``resource r0 { options {...} net { allow-two-primaries yes; } _remote_host {...}
_this_host { volume 0 { device minor 0; disk "/dev/sdb1"; ... } } }`` for 8.4 (``_this_host``
and ``_remote_host`` are drbdsetup's names for what drbdadm sent); 9 nests ``net`` in
``connection``.  Only statements are read: each ``keyword value...;`` with the path of the
sections it stands in.  The text is the kernel's, printed by drbdsetup, so no include or
variable occurs; a stray brace ends the resource where the kernel's text would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = ["DrbdShow", "ShowResource", "ShowStatement", "parse_drbdsetup_show"]

MAX_DEPTH = 16  # drbdsetup nests four levels; deeper text is not its output


@attrs.frozen
class ShowStatement:
    path: tuple[str, ...]  # ("net",), ("connection", "net"), ("_this_host", "volume 0")
    keyword: str
    value: str  # the words after the keyword, quotes removed, joined by one blank
    line: int


@attrs.frozen
class ShowResource:
    name: str
    line: int
    statements: tuple[ShowStatement, ...]

    def option(self, keyword: str, section: str = "net") -> ShowStatement | None:
        """The first ``keyword`` in a section named ``section`` (at any depth)."""
        return next(
            (s for s in self.statements if s.keyword == keyword and s.path[-1:] == (section,)),
            None,
        )


@attrs.frozen
class DrbdShow:
    resources: tuple[ShowResource, ...]
    unread: tuple[Unread, ...] = ()

    def resource(self, name: str) -> ShowResource | None:
        return next((r for r in self.resources if r.name == name), None)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{};]|[^\s{};"#]+|#[^\n]*')


def _tokens(text: str) -> Iterator[tuple[int, str]]:
    for number, line in lines(text):
        for found in _TOKEN.finditer(line):
            token = found.group(0)
            if not token.startswith("#"):
                yield number, token


def _plain(token: str) -> str:
    return token[1:-1].replace('\\"', '"') if token.startswith('"') else token


def parse_drbdsetup_show(text: str) -> DrbdShow:
    resources: list[ShowResource] = []
    unread: list[Unread] = []
    path: list[str] = []
    words: list[tuple[int, str]] = []
    current: tuple[str, int, list[ShowStatement]] | None = None
    for number, token in _tokens(text):
        if token == "{":
            head = " ".join(_plain(w) for _, w in words)
            line = words[0][0] if words else number
            words = []
            if not path and head.startswith("resource "):
                current = (head.split(None, 1)[1], line, [])
            elif not path:
                unread.append(Unread(line, head))
            if len(path) >= MAX_DEPTH:
                return DrbdShow(tuple(resources), (*unread, Unread(number, "nested too deep")))
            path.append(head)
        elif token == "}":
            words = []
            if path:
                path.pop()
            if not path and current is not None:
                resources.append(ShowResource(current[0], current[1], tuple(current[2])))
                current = None
        elif token == ";":
            if words and current is not None and len(path) > 1:
                keyword, *rest = (_plain(w) for _, w in words)
                section = tuple(path[1:])
                current[2].append(ShowStatement(section, keyword, " ".join(rest), words[0][0]))
            elif words:
                unread.append(Unread(words[0][0], " ".join(w for _, w in words)))
            words = []
        else:
            words.append((number, token))
    return DrbdShow(tuple(resources), tuple(unread))
