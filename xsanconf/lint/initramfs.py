"""The configuration files inside a host's initramfs images, read within bounds.

An initramfs is what the kernel unpacks into its first root file system (the kernel's
``init/initramfs.c``, ``unpack_to_rootfs``): one or more cpio archives in the "newc" format
(``070701``, or ``070702`` with checksums), concatenated, NUL bytes between them skipped, each
either as it is or compressed as a whole.  Debian's and Red Hat's images start with an
uncompressed archive of CPU microcode and go on with the compressed main archive; a later
member of the same name replaces an earlier one, as the kernel overwrites it.

Compression is recognised by its magic bytes as the kernel does (``lib/decompress.c``).  gzip,
xz, lzma and bzip2 are read with Python's standard library; zstd (dracut's and newer
initramfs-tools' default) with python-zstandard and lz4 (the kernel's legacy lz4 format, as
``lz4 -l`` writes it) with python-lz4, the optional extra ``xsanconf[initramfs]``: without
them, and for lzo, the image is reported as unreadable.  A zstd part is read through
python-zstandard's bounded stream reader: what follows its frame in the image is not read
(initramfs-tools and dracut put nothing there).

Everything is streamed: only the members asked for are kept (each at most ``MAX_FILE_BYTES``),
and reading stops at ``Bounds`` on the image's size, the bytes unpacked and the members listed,
so that a hostile or broken image (a compression bomb, a loop of tiny members) costs at most
a few seconds and a few megabytes.  Hard links are not followed (newc stores the data with the
last link; the files read here are never hard links in images that initramfs-tools or dracut
build).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import stat
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import attrs

from xsanconf.limits import MAX_FILE_BYTES

if TYPE_CHECKING:
    from xsanconf.lint.site import Host

__all__ = ["IMAGE_PATTERNS", "Bounds", "ImageReading", "image_names", "read_initramfs"]

_CHUNK = 1 << 16
_HEADER = 110  # "070701" and 13 fields of 8 hex digits
_MAX_NAME = 4096  # PATH_MAX: a longer name is no member of a real image
_REGULAR, _DIRECTORY = stat.S_IFREG, stat.S_IFDIR
_NOT_NUL = re.compile(rb"[^\0]")


@attrs.frozen
class Bounds:
    """How much of an image is read: its size on disk, the bytes unpacked, the members."""

    image_bytes: int = 256 * 1024 * 1024
    unpacked_bytes: int = 512 * 1024 * 1024
    members: int = 200_000


@attrs.define
class ImageReading:
    """What an image holds of the files asked for, the directories it holds members in, and
    why it was not read to its end (``None``: it was)."""

    files: dict[str, bytes] = attrs.field(factory=dict)
    directories: set[str] = attrs.field(factory=set)
    problem: str | None = None
    members: int = 0
    unpacked: int = 0


class _StopError(Exception):
    """Reading ends here; the message says why."""


class _Stream(Protocol):
    def read_some(self) -> bytes: ...

    def unread(self, data: bytes) -> None: ...


class _Reader:
    """Exact reads and skips over a stream that hands out chunks."""

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream

    def read(self, size: int) -> bytes:
        parts: list[bytes] = []
        self._take(size, parts.append)
        return b"".join(parts)

    def skip(self, size: int) -> int:
        """Pass over ``size`` bytes without keeping them; how many there were."""
        return self._take(size, None)

    def _take(self, size: int, keep: Callable[[bytes], object] | None) -> int:
        left = size
        while left > 0:
            chunk = self.stream.read_some()
            if not chunk:
                break
            if len(chunk) > left:
                self.stream.unread(chunk[left:])
                chunk = chunk[:left]
            if keep is not None:
                keep(chunk)
            left -= len(chunk)
        return size - left

    def skip_zeros(self) -> bool:
        """Skip NUL bytes; whether anything follows them."""
        while True:
            chunk = self.stream.read_some()
            if not chunk:
                return False
            if chunk == bytes(len(chunk)):  # all NULs (a compression bomb's): one memcmp
                continue
            found = _NOT_NUL.search(chunk)
            assert found is not None
            self.stream.unread(chunk[found.start() :])
            return True


class _File:
    """The image file, in chunks, with the bytes a decompressor did not use put back."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending: list[bytes] = []

    def read_some(self) -> bytes:
        if self.pending:
            return self.pending.pop()
        return os.read(self.fd, _CHUNK)

    def unread(self, data: bytes) -> None:
        if data:
            self.pending.append(data)


class _Decompressor(Protocol):
    eof: bool
    unused_data: bytes

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class _Lz4Legacy:
    """The kernel's legacy lz4 format (``lib/decompress_unlz4.c``): a magic number, then blocks,
    each a little-endian compressed size and an lz4 block of at most 8 MiB unpacked; the same
    magic number again starts a further stream, and the input's end ends it (no end mark)."""

    MAGIC = 0x184C2102
    BLOCK = 8 << 20  # LZ4_DEFAULT_UNCOMPRESSED_CHUNK_SIZE
    BOUND = BLOCK + BLOCK // 255 + 16  # LZ4_compressBound of a block: larger is not a block

    def __init__(self) -> None:
        from lz4 import block  # imported when an image needs it

        self._block = block
        self.buffer = b""
        self.eof = False
        self.unused_data = b""
        self.needs_input = True
        self.may_end = True  # between blocks: the end of the input ends the stream

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        self.buffer += data
        while True:
            if len(self.buffer) < 4:
                self.needs_input, self.may_end = True, not self.buffer
                return b""
            size = int.from_bytes(self.buffer[:4], "little")
            if size == self.MAGIC:  # the first magic, or a concatenated stream's
                self.buffer = self.buffer[4:]
                continue
            if size == 0 or size > self.BOUND:  # not a block: the stream ended before this
                self.eof, self.unused_data, self.buffer = True, self.buffer, b""
                return b""
            if len(self.buffer) < 4 + size:
                self.needs_input, self.may_end = True, False
                return b""
            chunk, self.buffer = self.buffer[4 : 4 + size], self.buffer[4 + size :]
            self.needs_input = len(self.buffer) < 4
            self.may_end = not self.buffer
            out: bytes = self._block.decompress(chunk, uncompressed_size=self.BLOCK)
            return out


class _Zstd:
    """python-zstandard's decompressor, fed a few hundred bytes at a time: its output for one
    call has no bound of its own (a zstd block of 3 bytes can stand for 128 KiB), so the input
    is what bounds it (about 20 MiB for the worst 512 bytes)."""

    PIECE = 512

    def __init__(self) -> None:
        import zstandard  # imported when an image needs it

        self.d = zstandard.ZstdDecompressor().decompressobj()
        self.buffer = b""

    @property
    def eof(self) -> bool:
        return bool(self.d.eof)

    @property
    def unused_data(self) -> bytes:
        return bytes(self.d.unused_data) + self.buffer

    @property
    def needs_input(self) -> bool:
        return not self.buffer

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        self.buffer += data
        piece, self.buffer = self.buffer[: self.PIECE], self.buffer[self.PIECE :]
        out: bytes = self.d.decompress(piece)
        return out  # after the frame's end, unused_data holds what follows it


class _Inflated:
    """One compressed part of the image, unpacked as it is read, counted against the bounds."""

    def __init__(
        self, source: _File, decompressor: object, name: str, reading: ImageReading, limit: int
    ) -> None:
        self.source = source
        self.d: _Decompressor = decompressor  # type: ignore[assignment]
        self.name = name
        self.reading = reading
        self.limit = limit
        self.pending: list[bytes] = []
        self.tail = b""  # zlib's input not yet used (its unconsumed_tail)
        self.done = False

    def unread(self, data: bytes) -> None:
        if data:
            self.pending.append(data)

    def read_some(self) -> bytes:
        if self.pending:
            return self.pending.pop()
        while not self.done:
            out = self._step()
            if out:
                self.reading.unpacked += len(out)
                if self.reading.unpacked > self.limit:
                    raise _StopError(
                        f"unpacks to more than {self.limit // (1024 * 1024)} MiB; not read further"
                    )
                return out
        return b""

    def _decompress(self, data: bytes) -> bytes:
        try:
            return self.d.decompress(data, _CHUNK)
        except Exception as error:
            # zlib.error, lzma.LZMAError, bz2's OSError: whatever a decompressor raises, the
            # data is corrupt (lzma is not imported for its exception's sake)
            raise _StopError(f"holds corrupt {self.name} data: {error}") from None

    def _step(self) -> bytes:
        d = self.d
        if self.name == "gzip":  # zlib keeps the input it did not use for the caller
            data = self.tail or self.source.read_some()
            if not data:
                raise _StopError(f"its {self.name} data ends before the end of the stream")
            out = self._decompress(data)
            self.tail = getattr(d, "unconsumed_tail", b"")
        else:
            data = self.source.read_some() if getattr(d, "needs_input", True) else b""
            if not data and getattr(d, "may_end", False):
                self.done = True  # legacy lz4 has no end mark: the input's end is the stream's
                return b""
            if not data and getattr(d, "needs_input", True):
                raise _StopError(f"its {self.name} data ends before the end of the stream")
            out = self._decompress(data)
        if d.eof:
            self.done = True
            self.source.unread(d.unused_data)
        return out


def _xz(source: _File) -> object:
    import lzma  # imported when an image needs it: linting a site without images never does

    return lzma.LZMADecompressor(lzma.FORMAT_XZ)


def _lzma(source: _File) -> object:
    import lzma

    return lzma.LZMADecompressor(lzma.FORMAT_ALONE)


def _bzip2(source: _File) -> object:
    import bz2

    return bz2.BZ2Decompressor()


def _gzip(source: _File) -> object:
    return zlib.decompressobj(wbits=31)


def _zstd(source: _File) -> object:
    return _Zstd()


def _lz4(source: _File) -> object:
    return _Lz4Legacy()


# The extra that brings each decompressor Python lacks, and the module it imports.
_EXTRA_MODULES = {"zstd": "zstandard", "lz4": "lz4"}


# (magic, name, decompressor factory or None when Python has none), as lib/decompress.c
_COMPRESSIONS: tuple[tuple[bytes, str, Callable[[_File], object] | None], ...] = (
    (b"\x1f\x8b", "gzip", _gzip),
    (b"\x1f\x9e", "gzip", _gzip),
    (b"\xfd7zXZ\x00", "xz", _xz),
    (b"\x5d\x00\x00", "lzma", _lzma),
    (b"BZh", "bzip2", _bzip2),
    (b"\x28\xb5\x2f\xfd", "zstd", _zstd),
    (b"\x02\x21\x4c\x18", "lz4", _lz4),
    (b"\x89LZO", "lzo", None),
)


def read_initramfs(
    path: str | os.PathLike[str],
    wanted: Callable[[str], bool],
    bounds: Bounds = Bounds(),
) -> ImageReading:
    """The members of the image at ``path`` that ``wanted`` accepts (paths without a leading
    ``/`` or ``./``), and the directories it holds members in; never raises for a broken,
    hostile or unreadable image: :attr:`ImageReading.problem` says why it stopped."""
    reading = ImageReading()
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        reading.problem = f"cannot be read: {error.strerror}"
        return reading
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            reading.problem = "is not a regular file; not read"
        elif info.st_size > bounds.image_bytes:
            reading.problem = (
                f"is {info.st_size} bytes long, over the "
                f"{bounds.image_bytes // (1024 * 1024)} MiB limit for an image; not read"
            )
        else:
            _parts(_File(fd), reading, wanted, bounds)
    except _StopError as stop:
        reading.problem = str(stop)
    except (OSError, zlib.error, EOFError, ValueError) as error:
        reading.problem = f"cannot be unpacked: {error}"
    finally:
        os.close(fd)
    return reading


def _parts(
    source: _File, reading: ImageReading, wanted: Callable[[str], bool], bounds: Bounds
) -> None:
    """Each part of the image in turn: NUL padding, a cpio archive, or a compressed part."""
    raw = _Reader(source)
    while raw.skip_zeros():
        head = raw.read(6)
        source.unread(head)
        if head.startswith(b"0707"):
            _archive(raw, reading, wanted, bounds)
            continue
        for magic, name, factory in _COMPRESSIONS:
            if head.startswith(magic):
                if factory is None:
                    raise _StopError(
                        f"is compressed with {name}, which xsanlint cannot unpack (Python has "
                        "no decompressor for it); not read"
                    )
                try:
                    decompressor = factory(source)
                except ImportError:
                    raise _StopError(
                        f"is compressed with {name}; install xsanconf[initramfs] (which brings "
                        f"{_EXTRA_MODULES[name]}) to read it; not read"
                    ) from None
                inflated = _Inflated(source, decompressor, name, reading, bounds.unpacked_bytes)
                _inner(_Reader(inflated), reading, wanted, bounds)
                break
        else:
            raise _StopError(f"holds data that is neither a cpio archive nor compressed: {head!r}")


def _inner(
    stream: _Reader, reading: ImageReading, wanted: Callable[[str], bool], bounds: Bounds
) -> None:
    """The cpio archives of one compressed part (the kernel skips NULs between them too)."""
    while stream.skip_zeros():
        head = stream.read(6)
        stream.stream.unread(head)
        if not head.startswith(b"0707"):
            raise _StopError(f"holds compressed data that is not a cpio archive: {head!r}")
        _archive(stream, reading, wanted, bounds)


def _archive(
    stream: _Reader, reading: ImageReading, wanted: Callable[[str], bool], bounds: Bounds
) -> None:
    """One cpio newc archive, up to its ``TRAILER!!!``."""
    offset = 0
    while True:
        header = stream.read(_HEADER)
        if len(header) < _HEADER:
            raise _StopError("ends inside a cpio header")
        if header[:6] not in (b"070701", b"070702"):
            raise _StopError(f"holds a cpio header that is not newc: {header[:6]!r}")
        try:
            fields = [int(header[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            raise _StopError("holds a cpio header with a field that is not hexadecimal") from None
        mode, size, name_size = fields[1], fields[6], fields[11]
        if not 0 < name_size <= _MAX_NAME:
            raise _StopError(f"holds a cpio member with a name of {name_size} bytes")
        name = stream.read(name_size)
        offset += _HEADER + name_size
        offset += stream.skip(-offset % 4)
        text = name.rstrip(b"\0").decode("utf-8", "surrogateescape")
        if text == "TRAILER!!!":
            stream.skip(size)
            return
        reading.members += 1
        if reading.members > bounds.members:
            raise _StopError(f"holds more than {bounds.members} members; not read further")
        path = posixpath.normpath("/" + text).lstrip("/")
        _member(stream, reading, wanted, path, mode=mode, size=size)
        offset += size
        offset += stream.skip(-offset % 4)


def _member(
    stream: _Reader,
    reading: ImageReading,
    wanted: Callable[[str], bool],
    path: str,
    *,
    mode: int,
    size: int,
) -> None:
    parent = posixpath.dirname(path)
    if parent not in reading.directories:
        while parent and parent not in reading.directories:
            reading.directories.add(parent)
            parent = posixpath.dirname(parent)
    kind = stat.S_IFMT(mode)
    if kind == _DIRECTORY and path:
        reading.directories.add(path)
    if kind == _REGULAR and wanted(path) and size <= MAX_FILE_BYTES:
        data = stream.read(size)
        if len(data) < size:
            raise _StopError(f"ends inside the data of {path}")
        reading.files[path] = data
    elif stream.skip(size) < size:
        raise _StopError(f"ends inside the data of {path}")


# A host's images and the configuration they copy ------------------------------------------------

# initramfs-tools (Debian), dracut (Red Hat), mkinitrd (older Red Hat and SUSE)
IMAGE_PATTERNS = ("initrd.img-*", "initramfs-*.img", "initrd-*.img")
# copies and backups a bootloader never names by these patterns' owners' defaults
_NOT_IMAGES = (".bak", ".old", ".orig", ".dpkg-old", ".dpkg-new", ".dpkg-bak", "~")
MAX_IMAGES = 32  # per host: more kernels than any host keeps


def image_names(host: Host) -> list[str]:
    """The host's initramfs images (``boot/NAME`` inside its root), sorted; kdump's own
    images are left out (they boot only the capture kernel)."""
    from xsanconf.lint.site import on_disk

    boot = on_disk(host, "boot")
    if boot is None:
        return []
    try:
        names = sorted(os.listdir(boot))
    except OSError:
        return []
    found = [
        n
        for n in names
        if any(fnmatch.fnmatchcase(n, p) for p in IMAGE_PATTERNS)
        and not n.endswith(_NOT_IMAGES)
        and "kdump" not in n
    ]
    return found[:MAX_IMAGES]
