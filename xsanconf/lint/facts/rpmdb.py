"""Installed packages from an rpm database in SQLite form (``var/lib/rpm/rpmdb.sqlite``).

rpm 4.16 and later keep each installed package as one row of the ``Packages`` table: a blob
holding the package's header without its magic: two big-endian 32-bit counts (index entries,
data bytes), the index entries (tag, type, offset, count: four 32-bit numbers each), then the
data store.  Only the NAME (1000), VERSION (1001) and RELEASE (1002) strings are read here.
The database is opened read-only and immutable, so nothing is written beside it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

__all__ = ["header_strings", "installed"]

_NAME, _VERSION, _RELEASE = 1000, 1001, 1002
_STRING = 6
_ENTRY = struct.Struct(">iiii")


def header_strings(blob: bytes, tags: frozenset[int]) -> dict[int, str]:
    """The string tags ``tags`` of one header blob; a malformed blob gives what it could."""
    if len(blob) < 8:
        return {}
    count, size = struct.unpack_from(">ii", blob)
    store = 8 + count * _ENTRY.size
    if count < 0 or size < 0 or store + size > len(blob):
        return {}
    found: dict[int, str] = {}
    for at in range(8, store, _ENTRY.size):
        tag, kind, offset, _ = _ENTRY.unpack_from(blob, at)
        if tag not in tags or kind != _STRING or not 0 <= offset < size:
            continue
        start = store + offset
        end = blob.find(b"\0", start, store + size)
        if end >= 0:
            found[tag] = blob[start:end].decode("utf-8", "replace")
    return found


def installed(path: str, wanted: Callable[[str], bool]) -> Iterator[tuple[str, str]]:
    """(name, version-release) of each installed package whose name ``wanted`` accepts."""
    import sqlite3  # only for a host with an rpm database

    tags = frozenset({_NAME, _VERSION, _RELEASE})
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return
    try:
        rows = connection.execute("SELECT blob FROM Packages").fetchall()
    except sqlite3.Error:
        rows = []
    finally:
        connection.close()
    for (blob,) in rows:
        if not isinstance(blob, bytes):
            continue
        strings = header_strings(blob, tags)
        name = strings.get(_NAME)
        if name is None or not wanted(name) or _VERSION not in strings:
            continue
        release = strings.get(_RELEASE)
        yield name, strings[_VERSION] + (f"-{release}" if release else "")
