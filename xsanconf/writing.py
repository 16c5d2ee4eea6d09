"""Replacing a user's file without losing anything.

``xsanconf set``/``unset``, :func:`xsanconf.dump` (:func:`xsanconf.api.write_text`) and
``xsanlint --fix`` all write through :func:`replace_file`, which promises:

* The path is resolved one component at a time from an open directory -- the host root for
  ``--fix``, ``/`` otherwise -- and each directory is opened relative to the one before with
  ``O_NOFOLLOW``.  Symbolic links are followed as the host follows them (an absolute target
  starts at the root, ``..`` stops there, 40 hops at most), never by the kernel, so a directory
  swapped for a link while we work cannot make us write, or leave a temporary file, elsewhere.
* A symbolic link stays a link: the file it names gets the new text.
* The new text goes to a temporary file in the directory that was opened; it is synced, given
  the old file's mode and owner, and renamed over the old name: readers see the old file or the
  new one, never half of one.
* A file with several hard links is written in place instead (truncated, written and synced on
  the same inode, as vim writes such files), so every name keeps seeing one file.  That write
  is not atomic, which is the price of keeping the links.
* Just before the rename (or the in-place write) the file is read again; when its content or
  its identity differs from what the caller read (``expected``), nothing is written: another
  program changed it meanwhile and its change would be lost.
* A file that nobody may write (no ``w`` bit: mode 0444) or that the current user may not write
  is refused unless ``force`` -- for root too, who could otherwise replace anything.
* Failures are :class:`WriteError`, a sentence to show (``cannot write x: the directory is
  read-only``), never a bare ``PermissionError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

__all__ = [
    "ChangedOnDiskError",
    "ReadOnlyFileError",
    "TargetExistsError",
    "WriteError",
    "rename_file",
    "replace_file",
]

MAX_SYMLINK_HOPS = 40  # as Linux follows them: ELOOP beyond
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC


class WriteError(OSError):
    """Why a file was not written."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"


class ChangedOnDiskError(WriteError):
    """The file is no longer what the caller read: another program wrote it meanwhile."""


class TargetExistsError(WriteError):
    """A rename whose new name is taken: the file there is never replaced."""


class ReadOnlyFileError(WriteError):
    """A file nobody may write, or the current user may not: written only when forced."""


def replace_file(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    root: str | os.PathLike[str] | None = None,
    expected: bytes | None = None,
    force: bool = False,
) -> None:
    """Write ``data`` as the file ``path`` names (see the module's promises).

    With ``root``, ``path`` is relative to it and links resolve with ``root`` as ``/``; without,
    ``path`` is a path of this machine.  ``expected`` is the content read before: the file must
    still hold exactly that.
    """
    shown = os.fspath(path)
    if root is None:
        base, rel = "/", os.path.abspath(shown)
    else:
        base, rel = os.fspath(root), shown
    dir_fd, name = _resolve(base, rel, shown)
    try:
        _replace_in(dir_fd, name, data, shown, expected=expected, force=force)
    finally:
        os.close(dir_fd)


def rename_file(root: str | os.PathLike[str], rel: str, new_rel: str) -> None:
    """Rename the file ``rel`` of the tree under ``root`` (a link itself, not its target) to
    ``new_rel``, both resolved as :func:`replace_file` resolves paths; an existing file at
    ``new_rel`` is never replaced."""
    base = os.fspath(root)
    old_dir, old_name = _resolve_parent(base, rel)
    try:
        new_dir, new_name = _resolve_parent(base, new_rel)
        try:
            try:
                os.stat(new_name, dir_fd=new_dir, follow_symlinks=False)
            except FileNotFoundError:
                pass
            else:
                raise TargetExistsError(new_rel, "it already exists")
            os.rename(old_name, new_name, src_dir_fd=old_dir, dst_dir_fd=new_dir)
        except WriteError:
            raise
        except OSError as error:
            raise WriteError(new_rel, _why(error)) from None
        finally:
            os.close(new_dir)
    finally:
        os.close(old_dir)


def _resolve_parent(root: str, rel: str) -> tuple[int, str]:
    """An open descriptor of the directory that holds the name ``rel`` (its last component
    unresolved: a link is named, not followed), and that name."""
    head, _, name = rel.rstrip("/").rpartition("/")
    if name in ("", ".", ".."):
        raise WriteError(rel, "it names a directory, not a file")
    if not _parts(head):
        try:
            return os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC), name
        except OSError as error:
            raise WriteError(rel, f"{root}: {error.strerror}") from None
    parent_fd, last = _resolve(root, head, rel)
    try:
        return os.open(last, _DIRECTORY, dir_fd=parent_fd), name
    except OSError as error:
        raise WriteError(rel, f"its directory is not one ({error.strerror})") from None
    finally:
        os.close(parent_fd)


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def _resolve(root: str, rel: str, shown: str) -> tuple[int, str]:
    """An open descriptor of the directory holding ``rel``'s file, and the file's name there."""
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    except OSError as error:
        raise WriteError(shown, f"{root}: {error.strerror}") from None
    stack = [root_fd]  # the directories from the root down to the current one
    try:
        found = _walk(stack, _parts(rel), shown)
    except BaseException:
        for fd in stack:
            os.close(fd)
        raise
    for fd in stack[:-1]:
        os.close(fd)
    return stack[-1], found


def _walk(stack: list[int], parts: list[str], shown: str) -> str:
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if len(stack) > 1:
                os.close(stack.pop())
            continue
        try:
            info = os.stat(part, dir_fd=stack[-1], follow_symlinks=False)
        except FileNotFoundError:
            if parts:
                raise WriteError(shown, f"its directory {part} does not exist") from None
            return part
        except OSError as error:
            raise WriteError(shown, f"{part}: {error.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise WriteError(shown, "a symbolic link on its way loops")
            target = os.readlink(part, dir_fd=stack[-1])
            if target.startswith("/"):
                while len(stack) > 1:
                    os.close(stack.pop())
            parts[:0] = _parts(target)
            continue
        if not parts:
            return part
        try:
            # O_NOFOLLOW: a directory swapped for a link since the stat is refused, not followed
            stack.append(os.open(part, _DIRECTORY, dir_fd=stack[-1]))
        except OSError as error:
            raise WriteError(shown, f"{part} is not a directory ({error.strerror})") from None
    raise WriteError(shown, "it names a directory, not a file")


def _replace_in(
    dir_fd: int, name: str, data: bytes, shown: str, *, expected: bytes | None, force: bool
) -> None:
    try:
        info: os.stat_result | None = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        info = None
    if info is None:
        if expected is not None:
            raise ChangedOnDiskError(shown, "it was removed since it was read")
    else:
        if not stat.S_ISREG(info.st_mode):
            raise WriteError(shown, "it is not a regular file")
        why = None if force else _read_only(dir_fd, name, info)
        if why is not None:
            raise ReadOnlyFileError(shown, why)
    try:
        if info is not None and info.st_nlink > 1:
            _write_in_place(dir_fd, name, data, shown, info=info, expected=expected)
        else:
            _write_beside(dir_fd, name, data, shown, info=info, expected=expected)
    except WriteError:
        raise
    except OSError as error:
        raise WriteError(shown, _why(error)) from None


def _read_only(dir_fd: int, name: str, info: os.stat_result) -> str | None:
    """Why the file must not be replaced unless forced: nobody may write it (root may all
    the same, hence the test of the mode), or the current user may not, though the directory
    would let the rename replace it."""
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        return f"it is read-only (mode {mode:04o})"
    if not os.access(name, os.W_OK, dir_fd=dir_fd, follow_symlinks=False):
        return f"it is read-only for you (mode {mode:04o}, owner uid {info.st_uid})"
    return None


def _why(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "the directory is read-only (permission denied)"
    if error.errno == errno.EROFS:
        return "the directory is on a read-only file system"
    return error.strerror or str(error)


def _check_unchanged(
    dir_fd: int, name: str, shown: str, info: os.stat_result | None, expected: bytes | None
) -> None:
    """Refuse when the file is no longer the one (and the content) that was read."""
    if expected is None or info is None:
        return
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError:
        raise ChangedOnDiskError(shown, "it was replaced since it was read") from None
    try:
        now = os.fstat(fd)
        same = (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino) and stat.S_ISREG(now.st_mode)
        content = _read_all(fd, len(expected) + 1) if same else b""
    finally:
        os.close(fd)
    if not same or content != expected:
        raise ChangedOnDiskError(
            shown, "it changed on disk since it was read (another program wrote it)"
        )


def _read_all(fd: int, limit: int) -> bytes:
    chunks = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_beside(
    dir_fd: int,
    name: str,
    data: bytes,
    shown: str,
    *,
    info: os.stat_result | None,
    expected: bytes | None,
) -> None:
    import secrets as random  # here: only writing needs it

    temp = f".{name}.{random.token_hex(4)}.xsanconf"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC
    # a new file gets the mode the umask gives; a replaced one its predecessor's (below)
    fd = os.open(temp, flags, 0o600 if info is not None else 0o666, dir_fd=dir_fd)
    try:
        try:
            _write_all(fd, data)
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
                with contextlib.suppress(PermissionError):  # a user cannot give files away
                    os.fchown(fd, info.st_uid, info.st_gid)
            os.fsync(fd)
        finally:
            os.close(fd)
        _check_unchanged(dir_fd, name, shown, info, expected)
        os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp, dir_fd=dir_fd)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash on most file systems
        os.fsync(dir_fd)


def _write_in_place(
    dir_fd: int,
    name: str,
    data: bytes,
    shown: str,
    *,
    info: os.stat_result,
    expected: bytes | None,
) -> None:
    _check_unchanged(dir_fd, name, shown, info, expected)
    fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | _CLOEXEC, dir_fd=dir_fd)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            raise ChangedOnDiskError(shown, "it was replaced since it was read")
        os.ftruncate(fd, 0)
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
