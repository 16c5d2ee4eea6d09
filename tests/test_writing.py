"""The one file writer behind ``xsanconf set``/``unset``, ``dump()`` and ``xsanlint --fix``:
nothing a user owns is lost, replaced behind their back, or written somewhere else."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xsanconf
from xsanconf import writing
from xsanconf.api import write_text
from xsanconf.cli.main import app
from xsanconf.limits import MAX_FILE_BYTES
from xsanconf.writing import ChangedOnDiskError, ReadOnlyFileError, WriteError, replace_file

runner = CliRunner()
RES = "resource r0 {\n\tnet {\n\t\tprotocol C;\n\t}\n}\n"
PROTOCOL = "resource[r0].net.protocol"


def _set(file: Path, *args: str) -> tuple[int, str]:
    done = runner.invoke(app, ["set", str(file), PROTOCOL, "A", *args])
    return done.exit_code, done.output


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    file = tmp_path / "r0.res"
    file.write_text(RES)
    return file


def test_set_writes_through_a_symbolic_link(tmp_path: Path, conf: Path) -> None:
    link = tmp_path / "link.res"
    link.symlink_to(conf.name)
    assert _set(link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == conf.name
    assert "protocol A;" in conf.read_text()


def test_dump_writes_through_a_symbolic_link_and_keeps_mode_and_owner(
    tmp_path: Path, conf: Path
) -> None:
    os.chmod(conf, 0o640)
    if os.geteuid() == 0:
        os.chown(conf, 1234, 4321)
    link = tmp_path / "drbd.d" / "r0.res"
    link.parent.mkdir()
    link.symlink_to(f"../{conf.name}")
    doc = xsanconf.load(link, "drbd")
    doc.model.resource("r0").section("net").set("protocol", "B")
    xsanconf.dump(doc)
    assert link.is_symlink() and "protocol B;" in conf.read_text()
    info = conf.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (1234, 4321)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drbd.d", "r0.res"]  # no temp left


def test_a_line_appended_meanwhile_is_not_lost(conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program appends after set read the file and before the rename: set refuses."""
    real_fsync = os.fsync

    def appending(fd: int) -> None:
        real_fsync(fd)
        if os.path.isfile(conf):
            with open(conf, "a") as other:
                other.write("# appended by another program\n")

    monkeypatch.setattr(os, "fsync", appending)
    code, output = _set(conf)
    monkeypatch.undo()
    assert code == 1
    assert "changed on disk since it was read" in output and "internal error" not in output
    assert conf.read_text().endswith("# appended by another program\n")
    assert "protocol C;" in conf.read_text()
    assert [p.name for p in conf.parent.iterdir()] == ["r0.res"]


def test_dump_refuses_to_overwrite_a_change_made_after_load(conf: Path) -> None:
    doc = xsanconf.load(conf, "drbd")
    conf.write_text(RES + "# theirs\n")
    doc.model.resource("r0").section("net").set("protocol", "B")
    with pytest.raises(ChangedOnDiskError):
        xsanconf.dump(doc)
    assert conf.read_text().endswith("# theirs\n")


def test_a_read_only_directory_is_said_plainly(conf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root the kernel lets us create files in a 0555 directory, so the refusal it gives an
    ordinary user is simulated: what matters is the message and the exit code."""
    real_open = os.open

    def refusing(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)
    code, output = _set(conf)
    monkeypatch.undo()
    assert code == 1
    assert f"xsanconf: cannot write {conf}: the directory is read-only" in output
    assert "internal error" not in output
    assert conf.read_text() == RES


def test_a_file_the_user_may_not_write_is_refused(
    conf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user whose directory lets a rename replace someone else's 0644 file: refused too
    (simulated: the tests run as root, whom access() lets write anything)."""
    real_access = os.access

    def denying(path: str, mode: int, **kwargs: object) -> bool:
        return False if mode == os.W_OK else real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", denying)
    code, output = _set(conf)
    monkeypatch.undo()
    assert code == 1 and "it is read-only for you (mode 0644" in output
    assert conf.read_text() == RES


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_read_only_directory_for_a_user(conf: Path) -> None:
    os.chmod(conf.parent, 0o555)
    try:
        code, output = _set(conf)
    finally:
        os.chmod(conf.parent, 0o755)
    assert code == 1 and "the directory is read-only" in output


def test_a_read_only_file_is_refused_unless_forced(conf: Path) -> None:
    """The policy holds for root too: a file nobody may write is not replaced silently."""
    os.chmod(conf, 0o444)
    code, output = _set(conf)
    assert code == 1
    assert "it is read-only (mode 0444)" in output and "--force" in output
    assert conf.read_text() == RES
    with pytest.raises(ReadOnlyFileError):
        write_text(conf, "x")
    assert _set(conf, "--force")[0] == 0
    assert "protocol A;" in conf.read_text()
    assert stat.S_IMODE(conf.stat().st_mode) == 0o444


def test_a_file_with_several_hard_links_is_written_in_place(tmp_path: Path, conf: Path) -> None:
    twin = tmp_path / "twin.res"
    os.link(conf, twin)
    inode = conf.stat().st_ino
    assert _set(conf)[0] == 0
    assert conf.stat().st_ino == inode and conf.stat().st_nlink == 2
    assert "protocol A;" in twin.read_text()
    assert twin.read_text() == conf.read_text()


def test_a_hard_linked_file_changed_meanwhile_is_not_written(tmp_path: Path, conf: Path) -> None:
    os.link(conf, tmp_path / "twin.res")
    with pytest.raises(ChangedOnDiskError):
        write_text(conf, "x", expected=RES + "other")
    assert conf.read_text() == RES


@pytest.mark.parametrize("command", ["get", "set", "unset"])
def test_a_fifo_is_refused_without_hanging(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "r0.res"
    os.mkfifo(fifo)
    args = [command, str(fifo), PROTOCOL, *(["A"] if command == "set" else [])]
    script = f"import sys; from xsanconf.cli.main import run; sys.argv[1:] = {args!r}; run()"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 1
    assert "is not a regular file (a FIFO, device or socket); not read" in done.stderr


def test_a_device_and_an_oversized_file_are_refused(tmp_path: Path) -> None:
    done = runner.invoke(app, ["get", "/dev/zero", PROTOCOL, "-k", "drbd"])
    assert done.exit_code == 1 and "not a regular file" in done.output
    big = tmp_path / "big.res"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    done = runner.invoke(app, ["set", str(big), PROTOCOL, "A"])
    assert done.exit_code == 1 and "over the 4 MiB limit" in done.output


def test_links_resolve_inside_the_root_only(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "etc").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.conf").write_text("theirs\n")
    (root / "etc" / "abs").symlink_to(outside)  # absolute: the root's own /tmp/..., absent
    (root / "etc" / "rel").symlink_to("../../../outside")  # .. stops at the root
    for name in ("abs", "rel"):
        with pytest.raises(WriteError, match="does not exist"):
            replace_file(f"etc/{name}/x.conf", b"ours\n", root=root)
    assert (outside / "x.conf").read_text() == "theirs\n"
    assert [p.name for p in outside.iterdir()] == ["x.conf"]


def test_a_directory_swapped_for_a_link_while_writing_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory was opened; swapping its name for a link to outside the root afterwards
    changes nothing: the file and its temporary file go to the directory that was verified."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "etc" / "drbd.d").mkdir(parents=True)
    (root / "etc" / "drbd.d" / "r0.res").write_text("old\n")
    outside.mkdir()
    (outside / "r0.res").write_text("theirs\n")
    real = writing._replace_in

    def swapping(*args: object, **kwargs: object) -> None:
        (root / "etc" / "drbd.d").rename(root / "etc" / "moved")
        (root / "etc" / "drbd.d").symlink_to(outside)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "_replace_in", swapping)
    replace_file("etc/drbd.d/r0.res", b"new\n", root=root, expected=b"old\n")
    assert (outside / "r0.res").read_text() == "theirs\n"
    assert [p.name for p in outside.iterdir()] == ["r0.res"]
    assert (root / "etc" / "moved" / "r0.res").read_text() == "new\n"
