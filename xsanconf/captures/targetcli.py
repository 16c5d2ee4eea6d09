"""``targetcli ls``: the LIO configuration tree, as configshell draws it.

Each node is one line: the tree's glyphs, ``o- NAME``, a run of dots, and ``[SUMMARY]``::

    o- / ......................................................... [...]
      o- backstores .............................................. [...]
      | o- block .................................. [Storage Objects: 1]
      | | o- disk0 ....... [/dev/drbd0 (10.0GiB) write-thru activated]
      o- iscsi ................................................ [Targets: 1]
        o- iqn.2003-01.org.linux-iscsi.san1:r0 ................... [TPGs: 1]
          o- tpg1 ........................................ [no-gen-acls, no-auth]
            o- luns ................................................ [LUNs: 1]
            | o- lun0 ........... [block/disk0 (/dev/drbd0) (default_tg_pt_gp)]

The depth is the column of ``o-`` (two per level).  :meth:`TargetcliTree.luns` names each
target's LUNs with their backstore and device.
"""

from __future__ import annotations

import re

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = ["TargetcliLun", "TargetcliNode", "TargetcliTree", "parse_targetcli_ls"]


@attrs.frozen
class TargetcliNode:
    path: tuple[str, ...]  # ("backstores", "block", "disk0")
    summary: str  # the text in the brackets
    line: int


@attrs.frozen
class TargetcliLun:
    target: str
    tpg: str
    lun: int
    backstore: str  # "block/disk0"
    device: str | None  # "/dev/drbd0"
    line: int


@attrs.frozen
class TargetcliTree:
    nodes: tuple[TargetcliNode, ...]
    unread: tuple[Unread, ...] = ()

    def luns(self) -> tuple[TargetcliLun, ...]:
        found = []
        for node in self.nodes:
            path = node.path
            if len(path) == 5 and path[0] == "iscsi" and path[3] == "luns":
                number = re.match(r"lun(\d+)$", path[4])
                if number is None:
                    continue
                backstore = node.summary.split()[0] if node.summary.split() else ""
                device = re.search(r"\((/[^)]*)\)", node.summary)
                found.append(
                    TargetcliLun(
                        path[1],
                        path[2],
                        int(number.group(1)),
                        backstore,
                        device.group(1) if device else None,
                        node.line,
                    )
                )
        return tuple(found)


_NODE = re.compile(r"^([\s|`]*)o- (\S+)(?: \.*)?\s*(?:\[(.*)\])?\s*$")


def parse_targetcli_ls(text: str) -> TargetcliTree:
    nodes: list[TargetcliNode] = []
    unread: list[Unread] = []
    stack: list[tuple[int, str]] = []  # (column, name) of the open ancestors
    for number, line in lines(text):
        found = _NODE.match(line)
        if found is None:
            if line.strip() and not line.lstrip().startswith("/"):  # a prompt is no node
                unread.append(Unread(number, line))
            continue
        column = len(found.group(1))
        name = found.group(2)
        while stack and stack[-1][0] >= column:
            stack.pop()
        stack.append((column, name))
        path = tuple(n for _, n in stack if n != "/")
        if path:
            nodes.append(TargetcliNode(path, found.group(3) or "", number))
    return TargetcliTree(tuple(nodes), tuple(unread))
