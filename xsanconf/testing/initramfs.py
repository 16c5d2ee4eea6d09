"""Small initramfs images for tests: cpio newc archives, concatenated, optionally compressed
(zstd and lz4 need the ``initramfs`` extra, as reading them does)."""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable, Mapping

__all__ = ["cpio_newc", "initramfs_image", "lz4_legacy"]


def _zstd(data: bytes) -> bytes:
    import zstandard

    compressed: bytes = zstandard.ZstdCompressor().compress(data)
    return compressed


def lz4_legacy(data: bytes, block: int = 8 << 20) -> bytes:
    """The kernel's legacy lz4 format, as ``lz4 -l`` writes it: the magic number, then each
    block of ``block`` bytes as its compressed size (little-endian) and the lz4 block."""
    from lz4 import block as lz4_block

    out = [(0x184C2102).to_bytes(4, "little")]
    for start in range(0, len(data), block):
        packed: bytes = lz4_block.compress(data[start : start + block], store_size=False)
        out += [len(packed).to_bytes(4, "little"), packed]
    return b"".join(out)


_COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "zstd": _zstd,
    "lz4": lz4_legacy,
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "xz": lambda data: lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32),
    "lzma": lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE),
    "bzip2": bz2.compress,
    "none": lambda data: data,
}


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _member(name: str, data: bytes, mode: int, ino: int) -> bytes:
    encoded = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    return _pad(header + encoded) + _pad(data)


def cpio_newc(files: Mapping[str, bytes], directories: tuple[str, ...] = ()) -> bytes:
    """A cpio newc archive (as ``cpio -H newc`` writes it) of the directories and files."""
    out = []
    ino = 1
    for directory in directories:
        out.append(_member(directory, b"", 0o040755, ino))
        ino += 1
    for name, data in files.items():
        out.append(_member(name, data, 0o100644, ino))
        ino += 1
    out.append(_member("TRAILER!!!", b"", 0, 0))
    archive = b"".join(out)
    return archive + b"\0" * (-len(archive) % 512)


def initramfs_image(
    files: Mapping[str, bytes],
    compression: str = "gzip",
    *,
    microcode: bool = True,
    directories: tuple[str, ...] = ("etc", "etc/modprobe.d"),
) -> bytes:
    """An image as initramfs-tools and dracut build one: an uncompressed early archive of CPU
    microcode (``microcode``), then the main archive, compressed with ``compression`` (gzip,
    xz, lzma, bzip2 or none)."""
    early = b""
    if microcode:
        early = cpio_newc(
            {"kernel/x86/microcode/GenuineIntel.bin": b"\x01" * 64},
            ("kernel", "kernel/x86", "kernel/x86/microcode"),
        )
    return early + _COMPRESSORS[compression](cpio_newc(files, directories))
