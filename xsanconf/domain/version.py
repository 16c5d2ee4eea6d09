"""Software versions as packages and tools print them, read one way for every rule.

``1.4.20.3+svn496``, ``0.8.4-2ubuntu1``, ``1:9.15.0-1``, ``8.4.11``, ``1.4.20-rc1`` and
``2.0.874-3`` all reach the same parser.  The release is the leading run of dot-separated
numbers, after an optional Debian epoch (``1:``).  What follows decides only one thing: a
pre-release (``-rc1``, ``~rc1``, ``_beta2``, ``-pre3``, ``alpha``) sorts *before* its release,
because it predates what the release notes announce (IET 1.4.20-rc1 does not yet have
1.4.20's 32-byte serials); anything else after the numbers (a Debian revision, ``+svn496``)
is a build of that release and compares equal to it.

Versions compare with each other and with plain tuples of numbers (a threshold such as
``(1, 4, 20)`` is a release).
"""

from __future__ import annotations

import re

__all__ = ["Version", "parse_version"]

_RELEASE = re.compile(r"(?:\d+:)?(\d+(?:\.\d+)*)(.*)", re.DOTALL)
_PRE_RELEASE = re.compile(r"[-~_.]?(?:rc|alpha|beta|pre)\d*", re.IGNORECASE)


class Version:
    """A release (numbers) and whether it is a pre-release of that release."""

    __slots__ = ("pre", "release", "text")

    def __init__(self, release: tuple[int, ...], pre: bool = False, text: str = "") -> None:
        self.release = release
        self.pre = pre
        self.text = text or ".".join(map(str, release))

    def _key(self, other: object) -> tuple[tuple[int, ...], int] | None:
        if isinstance(other, Version):
            return _padded(other.release), 0 if other.pre else 1
        if isinstance(other, tuple) and all(isinstance(part, int) for part in other):
            return _padded(other), 1
        return None

    def _mine(self) -> tuple[tuple[int, ...], int]:
        return _padded(self.release), 0 if self.pre else 1

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
    release = tuple(int(part) for part in found.group(1).split("."))
    pre = _PRE_RELEASE.match(found.group(2)) is not None
    return Version(release, pre, text.strip())
