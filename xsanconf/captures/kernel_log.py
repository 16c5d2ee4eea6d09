"""The kernel log (``dmesg``, ``journalctl -k``): what DRBD said about split brains.

DRBD 8.x prefixes its messages with the device (``block drbd0: Split-Brain detected, dropping
connection!``; 8.4 adds ``but unresolved``), DRBD 9 with the resource, volume and peer
(``drbd r0/0 drbd0 san2: ...``, ``drbd r0 san2: ...``).  Timestamps, syslog prefixes and
``kernel:`` in front are skipped.  A split brain recorded here was, at least once, not resolved
automatically: the nodes' data diverged.
"""

from __future__ import annotations

import re

import attrs

from xsanconf.captures.common import lines

__all__ = ["SplitBrain", "drbd_split_brains"]


@attrs.frozen
class SplitBrain:
    line: int
    minor: int | None  # 8.x names the device
    resource: str | None  # 9 names the resource
    text: str


_SPLIT_BRAIN = re.compile(r"Split-Brain detected")
_MINOR = re.compile(r"\bblock drbd(\d+):|\bdrbd(\d+)\b")
_RESOURCE = re.compile(r"\bdrbd ([^\s/:]+)[/ :]")


def drbd_split_brains(text: str) -> tuple[SplitBrain, ...]:
    found = []
    for number, line in lines(text):
        if not _SPLIT_BRAIN.search(line):
            continue
        resource = _RESOURCE.search(line)
        minor = _MINOR.search(line)
        digits = (minor.group(1) or minor.group(2)) if minor else None
        found.append(
            SplitBrain(
                number,
                int(digits) if digits else None,
                resource.group(1) if resource else None,
                line.strip(),
            )
        )
    return tuple(found)
