"""Bounds on what xsanconf reads, so that hostile or broken input costs bounded time and memory.

The README's "Limits" section states them; ``xsanlint`` (the site loader) and ``xsanconf parse``
apply the file bounds before opening anything.
"""

from __future__ import annotations

import os
import stat

__all__ = ["MAX_FILE_BYTES", "file_problem", "read_checked", "read_regular", "read_regular_bytes"]

# Larger files are not configuration a daemon reads: linting a 4 MiB drbd.conf already takes
# about a minute, and parsing costs some 20 times the file's size in memory.
MAX_FILE_BYTES = 4 * 1024 * 1024


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` must not be read as configuration; None when it may.

    Never opens it: a FIFO opened for reading blocks until a writer comes, a device may never end.
    """
    try:
        info = os.stat(path)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    return _type_problem(info)


def _type_problem(info: os.stat_result) -> str | None:
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a FIFO, device or socket); not read"
    if info.st_size > MAX_FILE_BYTES:
        return _too_large(info.st_size)
    return None


def _too_large(size: int, limit: int = MAX_FILE_BYTES) -> str:
    return (
        f"is {size} bytes long, over the {limit // 1024 // 1024} MiB "
        "limit for a configuration file; not read"
    )


def read_checked(path: str | os.PathLike[str]) -> tuple[str | None, str | None]:
    """The text of a regular file of at most ``MAX_FILE_BYTES`` (undecodable bytes kept as
    surrogates, as :func:`xsanconf.api.read_text` does) and None; or None and why it was not
    read.  The one reader of xsanlint and ``xsanconf get``/``set``: every file they read goes
    through here.
    """
    data, why = _read_bounded(path, MAX_FILE_BYTES)
    return (None, why) if data is None else (data.decode("utf-8", "surrogateescape"), None)


def read_regular(path: str | os.PathLike[str]) -> str | None:
    """:func:`read_checked`'s text; None when the file was not read."""
    return read_checked(path)[0]


def read_regular_bytes(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes (a package database may be larger
    than a configuration file); None for anything else."""
    return _read_bounded(path, limit)[0]


def _read_bounded(path: str | os.PathLike[str], limit: int) -> tuple[bytes | None, str | None]:
    # Opened without blocking and checked on the open descriptor, so a FIFO or device swapped in
    # after a check is never read.
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        return None, f"cannot be read: {error.strerror}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file (a FIFO, device or socket); not read"
        if info.st_size > limit:
            return None, _too_large(info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        return None, f"cannot be read: {error.strerror}"
    finally:
        os.close(fd)
    if len(data) > limit:  # grew after fstat
        return None, _too_large(len(data), limit)
    return data, None
