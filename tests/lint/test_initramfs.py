"""The initramfs reader (cpio newc, concatenated, compressed) and BOOT003 on images built here."""

from __future__ import annotations

import gzip
import importlib.util
import lzma
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.initramfs import Bounds, image_names, read_initramfs
from xsanconf.lint.site import Site
from xsanconf.testing.initramfs import cpio_newc, initramfs_image

SBP2 = "etc/modprobe.d/sbp2.conf"
OFF = b"options sbp2 exclusive_login=0\n"
ON = b"options sbp2 exclusive_login=1\n"
IMAGE = "boot/initrd.img-2.6.26-2-xen-amd64"
MULTIPATH = "defaults {\n\tuser_friendly_names yes\n}\n"


def wanted(path: str) -> bool:
    return path.startswith("etc/")


def image(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "initrd.img"
    path.write_bytes(data)
    return path


# the reader


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


_EXTRA = pytest.mark.skipif(
    not (_have("zstandard") and _have("lz4")), reason="the initramfs extra is not installed"
)


@pytest.mark.parametrize(
    "compression",
    ["gzip", "xz", "lzma", "bzip2", "none", pytest.param("zstd", marks=_EXTRA)]
    + [pytest.param("lz4", marks=_EXTRA)],
)
@pytest.mark.parametrize("microcode", [True, False])
def test_reads_every_compression_python_can(
    tmp_path: Path, compression: str, microcode: bool
) -> None:
    files = {SBP2: OFF, "./bin/busybox": b"\x7fELF" * 50_000, "/etc/lvm/lvm.conf": b"x\n"}
    data = initramfs_image(files, compression, microcode=microcode)
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is None
    assert found.files == {SBP2: OFF, "etc/lvm/lvm.conf": b"x\n"}
    assert {"etc/modprobe.d", "etc/lvm", "bin"} <= found.directories


def test_a_later_archive_replaces_a_member(tmp_path: Path) -> None:
    """The kernel unpacks the archives in turn and overwrites: the last copy counts."""
    data = cpio_newc({SBP2: ON}) + gzip.compress(cpio_newc({SBP2: OFF}))
    data += lzma.compress(cpio_newc({"etc/other": b"y"}) + b"\0" * 4 + cpio_newc({SBP2: ON}))
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is None
    assert found.files == {SBP2: ON, "etc/other": b"y"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x89LZO\0" + b"\0" * 64, "is compressed with lzo"),
        (b"hello world", "neither a cpio archive nor compressed"),
        (cpio_newc({SBP2: OFF})[:200], "ends inside"),
        (gzip.compress(cpio_newc({SBP2: OFF}))[:-30], "ends before the end of the stream"),
        (b"\x1f\x8b" + b"\xff" * 40, "holds corrupt gzip data"),
        (b"\xfd7zXZ\x00" + b"\xff" * 40, "holds corrupt xz data"),
        (b"BZh9" + b"\xff" * 40, "holds corrupt bzip2 data"),
        (b"070701" + b"zz" * 52, "not hexadecimal"),
        (b"070707" + b"0" * 104, "not newc"),
        (gzip.compress(b"plain text"), "compressed data that is not a cpio archive"),
    ],
)
def test_broken_or_unreadable_images_say_why(tmp_path: Path, data: bytes, problem: str) -> None:
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is not None and problem in found.problem


@_EXTRA
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\x28\xb5\x2f\xfd" + b"\xff" * 64, "holds corrupt zstd data"),
        (b"\x02\x21\x4c\x18" + (40).to_bytes(4, "little") + b"\xff" * 40, "corrupt lz4 data"),
        (b"\x28\xb5\x2f\xfd" + b"\0" * 32, "ends before the end of the stream"),
    ],
)
def test_corrupt_zstd_and_lz4_say_why(tmp_path: Path, data: bytes, problem: str) -> None:
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is not None and problem in found.problem, found.problem


@_EXTRA
def test_lz4_blocks_and_concatenated_streams(tmp_path: Path) -> None:
    """Several blocks, a second legacy stream after the first (the magic again), then a plain
    archive after the lz4 part (a size that is no block ends the stream)."""
    from xsanconf.testing.initramfs import lz4_legacy

    archive = cpio_newc({SBP2: OFF, "./bin/x": b"\x7fELF" * 9000})
    data = lz4_legacy(archive[:20000], block=4096) + lz4_legacy(archive[20000:], block=4096)
    data += cpio_newc({"etc/late": b"z"})
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is None
    assert found.files == {SBP2: OFF, "etc/late": b"z"}


def test_without_the_extra_zstd_and_lz4_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("zstandard", "lz4", "lz4.block"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    for magic, name in ((b"\x28\xb5\x2f\xfd", "zstd"), (b"\x02\x21\x4c\x18", "lz4")):
        found = read_initramfs(image(tmp_path, magic + b"\0" * 64), wanted)
        assert found.problem is not None
        assert f"is compressed with {name}; install xsanconf[initramfs]" in found.problem


def test_a_cpio_name_longer_than_path_max_stops_reading(tmp_path: Path) -> None:
    header = b"070701" + b"%08X" % 0 * 11 + b"%08X" % 100_000 + b"%08X" % 0
    found = read_initramfs(image(tmp_path, header + b"a" * 100), wanted)
    assert found.problem == "holds a cpio member with a name of 100000 bytes"


def test_not_a_regular_file_or_too_big(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert read_initramfs(fifo, wanted).problem == "is not a regular file; not read"
    big = image(tmp_path, b"\0" * 4096)
    found = read_initramfs(big, wanted, Bounds(image_bytes=1024))
    assert found.problem is not None and "over the 0 MiB limit" in found.problem


def test_a_member_over_the_file_limit_is_not_kept(tmp_path: Path) -> None:
    from xsanconf.limits import MAX_FILE_BYTES

    data = initramfs_image({SBP2: b"#" * (MAX_FILE_BYTES + 1), "etc/x": b"y"})
    found = read_initramfs(image(tmp_path, data), wanted)
    assert found.problem is None and found.files == {"etc/x": b"y"}


def test_bounds_on_unpacked_bytes_and_members(tmp_path: Path) -> None:
    bomb = image(tmp_path, gzip.compress(b"\0" * (8 << 20), compresslevel=1))
    found = read_initramfs(bomb, wanted, Bounds(unpacked_bytes=1 << 20))
    assert found.problem == "unpacks to more than 1 MiB; not read further"
    many = {f"bin/f{i}": b"" for i in range(50)}
    found = read_initramfs(image(tmp_path, initramfs_image(many)), wanted, Bounds(members=20))
    assert found.problem == "holds more than 20 members; not read further"


def _write_bomb(path: Path, compression: str) -> None:
    """600 MiB of zeros, compressed piece by piece (this process stays small)."""
    zero = bytes(1 << 20)
    with path.open("wb") as out:
        if compression == "gzip":
            packer = zlib.compressobj(1, zlib.DEFLATED, 31)
            for _ in range(600):
                out.write(packer.compress(zero))
            out.write(packer.flush())
        elif compression == "zstd":
            import zstandard

            with zstandard.ZstdCompressor().stream_writer(out, closefd=False) as writer:
                for _ in range(600):
                    writer.write(zero)
        else:
            from xsanconf.testing.initramfs import lz4_legacy

            out.write(lz4_legacy(b""))  # the magic number
            for _ in range(75):
                out.write(lz4_legacy(bytes(8 << 20))[4:])


@pytest.mark.parametrize(
    "compression", ["gzip", pytest.param("zstd", marks=_EXTRA), pytest.param("lz4", marks=_EXTRA)]
)
def test_a_compression_bomb_is_cut_short_in_time_and_memory(
    tmp_path: Path, compression: str
) -> None:
    """512 MiB of zeros (the default bound) in a child process: its time and its peak memory.
    The child reports VmHWM, the peak of its own address space (ru_maxrss would also count
    this process's peak at the fork)."""
    bomb = tmp_path / "bomb.img"
    _write_bomb(bomb, compression)
    code = (
        "import sys\n"
        "from xsanconf.lint.initramfs import read_initramfs\n"
        "found = read_initramfs(sys.argv[1], lambda p: True)\n"
        "print(found.problem)\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "print(status.split()[0])\n"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, str(bomb)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    problem, peak_kib = done.stdout.splitlines()
    assert problem == "unpacks to more than 512 MiB; not read further", done.stderr
    assert int(peak_kib) < 200 * 1024  # streamed: the unpacked bytes are never held
    assert elapsed < 60


def test_image_names(tmp_path: Path) -> None:
    names = [
        "initrd.img-2.6.26-2-xen-amd64",
        "initrd.img-2.6.26-2-xen-amd64.bak",
        "initramfs-3.10.0-1160.el7.x86_64.img",
        "initramfs-3.10.0-1160.el7.x86_64kdump.img",
        "initrd-2.6.18-8.el5.img",
        "vmlinuz-2.6.26-2-xen-amd64",
        "xen-3.2-1-amd64.gz",
    ]
    write_site(tmp_path, {"h": {f"boot/{n}": "" for n in names}})
    (host,) = Site.load([tmp_path]).hosts
    assert image_names(host) == [
        "initramfs-3.10.0-1160.el7.x86_64.img",
        "initrd-2.6.18-8.el5.img",
        "initrd.img-2.6.26-2-xen-amd64",
    ]


# BOOT003


def boot003(tmp_path: Path, files: dict[str, str], images: dict[str, bytes]) -> list[Diagnostic]:
    write_site(tmp_path / "site", {"xen1": files})
    for rel, data in images.items():
        path = tmp_path / "site" / "xen1" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("BOOT003",)))
    assert not result.failures, result.failures
    return list(result.diagnostics)


def test_a_fresh_image_is_fine(tmp_path: Path) -> None:
    files = {SBP2: OFF.decode(), "etc/multipath.conf": MULTIPATH}
    images = {IMAGE: initramfs_image({SBP2: OFF, "etc/multipath.conf": MULTIPATH.encode()})}
    assert boot003(tmp_path, files, images) == []


def test_a_stale_copy_is_reported_at_the_hosts_file(tmp_path: Path) -> None:
    found = boot003(tmp_path, {SBP2: OFF.decode()}, {IMAGE: initramfs_image({SBP2: ON})})
    (finding,) = found
    assert finding.severity is Severity.WARNING
    assert finding.location.path.endswith(SBP2)
    assert finding.message.startswith(
        f"{IMAGE} holds a copy of /{SBP2} that differs from the host's: the kernel unpacks"
    )
    assert finding.related[0].path.endswith(IMAGE)


def test_files_the_image_lacks_or_the_host_lost(tmp_path: Path) -> None:
    files = {SBP2: OFF.decode(), "etc/multipath.conf": MULTIPATH}
    stale = initramfs_image(
        {SBP2: OFF, "etc/modprobe.d/old.conf": b"blacklist sbp2\n", "etc/multipath/wwids": b""}
    )
    (finding,) = boot003(tmp_path, files, {IMAGE: stale})
    # the host's multipath.conf is missing from an image that carries /etc/multipath
    assert "lacks the host's /etc/multipath.conf; its copies of /etc/modprobe.d/old.conf" in (
        finding.message
    )
    assert finding.location.path.endswith("etc/multipath.conf")
    # an image that carries nothing of /etc/multipath is not expected to hold multipath.conf
    only = initramfs_image({SBP2: OFF})
    assert boot003(tmp_path / "2", files, {IMAGE: only}) == []


def test_an_unreadable_image_is_an_info_note(tmp_path: Path) -> None:
    lzo = {"boot/initramfs-5.14.0.img": b"\x89LZO\0" + b"\0" * 32}
    (finding,) = boot003(tmp_path, {SBP2: OFF.decode()}, lzo)
    assert finding.severity is Severity.INFO
    assert "compressed with lzo" in finding.message
    assert finding.location.path.endswith("boot/initramfs-5.14.0.img")


def test_silent_without_images_or_without_module_configuration(tmp_path: Path) -> None:
    assert boot003(tmp_path, {SBP2: OFF.decode()}, {}) == []
    stale = {IMAGE: initramfs_image({SBP2: ON})}
    assert boot003(tmp_path / "2", {"etc/hostname": "xen1\n"}, stale) == []


def test_the_fixture_site_shows_a_stale_and_a_fresh_image() -> None:
    """fixtures/sites/initramfs: xen1's image predates the sbp2 change, xen2's does not."""
    from xsanconf.lint.engine import lint
    from xsanconf.lint.site import Site

    site_root = Path(__file__).resolve().parents[2] / "fixtures" / "sites" / "initramfs"
    found = lint(Site.load([site_root])).diagnostics
    assert [(d.code, d.location.host, d.location.path.rsplit("/", 1)[-1]) for d in found] == [
        ("BOOT003", "xen1", "sbp2.conf")
    ]


# RHEL 7's lvm.conf as shipped (locking_type = 1, use_lvmetad = 1), reduced to those lines;
# dracut 033 (modules.d/90lvm/module-setup.sh) copies it and sets 4 and 0 in the copy.
RHEL7_LVM = "global {\n\tumask = 077\n\tlocking_type = 1\n\tuse_lvmetad = 1\n}\n"
RHEL7_IMAGE = "boot/initramfs-3.10.0-1160.el7.x86_64.img"


def test_dracut_s_read_only_locking_edit_is_not_a_stale_copy(tmp_path: Path) -> None:
    lvm = "etc/lvm/lvm.conf"
    edited = RHEL7_LVM.replace("locking_type = 1", "locking_type = 4")
    edited = edited.replace("use_lvmetad = 1", "use_lvmetad = 0")
    fresh = {RHEL7_IMAGE: initramfs_image({lvm: edited.encode()})}
    assert boot003(tmp_path, {lvm: RHEL7_LVM}, fresh) == []
    # the host's filter changed since: the copy is stale whatever dracut edited
    newer = RHEL7_LVM.replace("}", '\tfilter = [ "r|.*|" ]\n}')
    (finding,) = boot003(tmp_path / "2", {lvm: newer}, fresh)
    assert f"holds a copy of /{lvm} that differs" in finding.message
