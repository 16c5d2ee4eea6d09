"""Bounds on what xsanconf reads, so that hostile or broken input costs bounded time and memory.

The README's "Limits" section states them; ``xsanlint`` (the site loader) and ``xsanconf parse``
apply the file bounds before opening anything.
"""

from __future__ import annotations

import os
import stat

__all__ = [
    "MAX_FILE_BYTES",
    "UnreadableFileError",
    "file_problem",
    "read_checked",
    "read_regular",
    "read_regular_bytes",
]

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
        return (
            f"is {info.st_size} bytes long, over the {MAX_FILE_BYTES // 1024 // 1024} MiB "
            "limit for a configuration file; not read"
        )
    return None


def read_regular_bytes(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else (opened
    without blocking, checked on the open descriptor: see :func:`read_regular`)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


def read_regular(path: str | os.PathLike[str]) -> str | None:
    """The text of a regular file of at most ``MAX_FILE_BYTES`` (undecodable bytes kept as
    surrogates, as :func:`xsanconf.api.read_text` does); None for anything else.

    Opened without blocking and checked on the open descriptor, so a FIFO or device swapped in
    after a check is never read.
    """
    data = read_regular_bytes(path, MAX_FILE_BYTES)
    if data is None:
        return None
    return data.decode("utf-8", "surrogateescape")


class UnreadableFileError(OSError):
    """A file that must not be read as configuration; ``str()`` says why (without the path)."""

    def __str__(self) -> str:
        return str(self.args[0])


def read_checked(path: str | os.PathLike[str]) -> str:
    """The text of the file at ``path``, as :func:`read_regular` reads it; raises
    :class:`UnreadableFileError` saying why (a FIFO, a device, over the size limit, unreadable)."""
    problem = file_problem(path)  # before opening: opening a FIFO may block
    if problem is not None:
        raise UnreadableFileError(problem)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise UnreadableFileError(f"cannot be read: {error.strerror}") from None
    try:
        # checked again on the descriptor: the file may have been swapped since the stat
        problem = _type_problem(os.fstat(fd))
        if problem is not None:
            raise UnreadableFileError(problem)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except UnreadableFileError:
        raise
    except OSError as error:
        raise UnreadableFileError(f"cannot be read: {error.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1024 // 1024
        raise UnreadableFileError(
            f"is over the {limit} MiB limit for a configuration file; not read"
        )
    return data.decode("utf-8", "surrogateescape")
