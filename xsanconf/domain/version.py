"""Software versions as packages and tools print them, read one way for every rule.

``1.4.20.3+svn496``, ``0.8.4-2ubuntu1``, ``1:9.15.0-1``, ``8.4.11``, ``1.4.20-rc1`` and
``2.0.874-3`` all reach the same parser (the rules once read ``1.4.20-rc1`` as 1.4.20,
1.4.20.1 and 1.4).  The release is the leading run of dot-separated numbers, after an
optional Debian epoch (``1:``); what follows (a Debian revision, ``+svn496``, ``-rc1``) names
a build of that release and compares equal to it.  A release candidate is taken to be its
release: the version thresholds of the rules mark when a behaviour arrived, and a candidate
is cut after the feature freeze.  ``pre`` records that it was one.

Versions compare with each other and with plain tuples of numbers (``(1, 4, 20)``), and
trailing zeros do not count (1.4 is 1.4.0).
"""

from __future__ import annotations

import re

from xsanconf.domain.numerals import read_int

__all__ = ["Version", "parse_version"]

_RELEASE = re.compile(r"(?:[0-9]+:)?([0-9]+(?:\.[0-9]+)*)(.*)", re.DOTALL)
_PRE_RELEASE = re.compile(r"[-~_.]?(?:rc|alpha|beta|pre)\d*", re.IGNORECASE)


class Version:
    """A release (numbers), whether it was a pre-release of it, and the text it was read from."""

    __slots__ = ("pre", "release", "text")

    def __init__(self, release: tuple[int, ...], pre: bool = False, text: str = "") -> None:
        self.release = release
        self.pre = pre
        self.text = text or ".".join(map(str, release))

    def _key(self, other: object) -> tuple[int, ...] | None:
        if isinstance(other, Version):
            return _padded(other.release)
        if isinstance(other, tuple) and all(isinstance(part, int) for part in other):
            return _padded(other)
        return None

    def _mine(self) -> tuple[int, ...]:
        return _padded(self.release)

    def __eq__(self, other: object) -> bool:
        key = self._key(other)
        return key is not None and self._mine() == key

    def __hash__(self) -> int:
        return hash(self._mine())

    def __lt__(self, other: Version | tuple[int, ...]) -> bool:
        key = self._key(other)
        if key is None:
            return NotImplemented
        return self._mine() < key

    def __le__(self, other: Version | tuple[int, ...]) -> bool:
        key = self._key(other)
        if key is None:
            return NotImplemented
        return self._mine() <= key

    def __gt__(self, other: Version | tuple[int, ...]) -> bool:
        key = self._key(other)
        if key is None:
            return NotImplemented
        return self._mine() > key

    def __ge__(self, other: Version | tuple[int, ...]) -> bool:
        key = self._key(other)
        if key is None:
            return NotImplemented
        return self._mine() >= key

    def __str__(self) -> str:
        return ".".join(map(str, self.release))

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def series(self, parts: int = 2) -> str:
        """``8.4.11`` -> ``8.4`` (``parts`` numbers)."""
        return ".".join(map(str, self.release[:parts]))


def _padded(release: tuple[int, ...]) -> tuple[int, ...]:
    # 1.4 and 1.4.0 are one release; trailing zeros must not make one sort after the other
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


def parse_version(text: str) -> Version | None:
    """The version ``text`` names; None when it starts with no number."""
    found = _RELEASE.match(text.strip())
    if found is None:
        return None
    parts = [read_int(part) for part in found.group(1).split(".")]
    if None in parts:
        return None  # a number too long for any release (and for int())
    release = tuple(part for part in parts if part is not None)
    pre = _PRE_RELEASE.match(found.group(2)) is not None
    return Version(release, pre, text.strip())
