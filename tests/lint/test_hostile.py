"""Hostile and broken trees: each case gives a clear diagnostic in bounded time, the rest of the
site is still linted, nothing outside the host root is read, nothing is written or executed.

The command runs in a child process with a timeout: a FIFO opened for reading, a glob over a
live root or a quadratic parser would hang the test run otherwise (pytest-timeout is not
installed).  Run as root (as in CI containers), permissions do not stop reads: unreadable files
are simulated there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import xsanconf
from tests.lint.conftest import REPO
from tests.lint.sites import write_site
from xsanconf.facts.stack import resolve_in_host
from xsanconf.limits import MAX_FILE_BYTES, read_regular
from xsanconf.lint.site import MAX_INCLUDE_DEPTH, MAX_INCLUDE_MATCHES, Site

# a generous bound for one run over a small site on a loaded CI machine: a hang or a
# quadratic blow-up takes far longer
SECONDS = 60.0

# A syntax error every host carries: its SYN001 proves the rest of the host was still linted.
BROKEN = {"etc/multipath.conf": "defaults {\n  user_friendly_names yes\n"}
BROKEN_AT = ("multipath.conf", "SYN001")
TOO_LARGE = "over the 4 MiB limit for a configuration file; not read"


def _xsanlint(*args: str | Path, timeout: float = SECONDS) -> tuple[int, bytes, str, float]:
    """Run xsanlint in a child process: (exit code, stdout, stderr, seconds)."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from xsanconf.lint.cli import run; run()", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd=REPO,
    )
    elapsed = time.monotonic() - started
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return done.returncode, done.stdout, err, elapsed


def _lint(site: Path, *args: str) -> tuple[list[dict[str, Any]], float]:
    code, out, err, elapsed = _xsanlint(site, "--isolated", "-f", "json", *args)
    assert code == 1, err
    assert err == ""
    return json.loads(out)["diagnostics"], elapsed


def _found(diagnostics: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(Path(d["path"]).name, d["code"]) for d in diagnostics}


def _messages(diagnostics: list[dict[str, Any]], name: str) -> list[str]:
    return [d["message"] for d in diagnostics if Path(d["path"]).name == name]


# sizes


def test_a_50_mb_file_is_not_read(tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"h": {"etc/drbd.conf": "", **BROKEN}})
    with open(site / "h" / "etc" / "drbd.conf", "wb") as big:
        big.truncate(50 * 1024 * 1024)  # sparse: cheap to make, 50 MB to whoever reads it
    diagnostics, elapsed = _lint(site)
    assert _messages(diagnostics, "drbd.conf") == [f"is {50 * 1024 * 1024} bytes long, {TOO_LARGE}"]
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS / 4


def test_xsanconf_parse_refuses_a_50_mb_file(tmp_path: Path) -> None:
    big = tmp_path / "drbd.conf"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    done = subprocess.run(
        [sys.executable, "-c", "from xsanconf.cli.main import run; run()", "parse", "--json", big],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        check=False,
    )
    assert done.returncode == 1
    error = json.loads(done.stdout)["errors"][0]["error"]
    assert error == (f"is {50 * 1024 * 1024} bytes long, {TOO_LARGE}")


def test_megabyte_lines(tmp_path: Path) -> None:
    mb = 1024 * 1024
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/drbd.conf": "# " + "x" * mb + "\nglobal { usage-count no; }\n",
                "etc/ietd.conf": "Target iqn.2001-04.com.example:" + "a" * mb + "\n",
                "etc/iscsi/iscsid.conf": "node.startup = " + "m" * mb + "\n",
                "etc/modprobe.d/x.conf": "options drbd " + "y" * mb + "\n",
                **BROKEN,
            }
        },
    )
    diagnostics, elapsed = _lint(site)
    assert BROKEN_AT in _found(diagnostics)
    assert ("ietd.conf", "IET001") in _found(diagnostics)  # a target name over 223 bytes
    assert elapsed < SECONDS / 2


def test_files_just_under_the_limit_lint_in_bounded_time(tmp_path: Path) -> None:
    """The worst realistic case the limit admits: a 4 MiB file of lines (a modules list)."""
    line = "dm_multipath\n"
    count = (MAX_FILE_BYTES - 1) // len(line)
    site = write_site(tmp_path / "s", {"h": {"etc/modules": line * count, **BROKEN}})
    diagnostics, elapsed = _lint(site)
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS


def test_a_json_array_of_a_million_bytes_lints_in_bounded_time(tmp_path: Path) -> None:
    """The densest LIO file: one token per two bytes (README: 4 MiB take about 20 s)."""
    values = "0," * (1024 * 1024 // 2)
    text = '{"storage_objects": [' + values + "0]}\n"
    site = write_site(tmp_path / "s", {"h": {"etc/target/saveconfig.json": text, **BROKEN}})
    diagnostics, elapsed = _lint(site)
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS / 2


def test_xm_programs_at_their_limits_lint_in_bounded_time(tmp_path: Path) -> None:
    """Python's parser reads an xm config that is a program: the largest it may be, the most
    nodes, the deepest nesting, each linted in a child process with a time limit."""
    from xsanconf.formats.xen_domain.program import MAX_DEPTH, MAX_NODES, MAX_PROGRAM_CHARS

    statement = "disk = base + ['phy:/dev/sdb,xvda,w']; f(disk)\n"  # 16 syntax nodes
    largest = "import os\nbase = []\n" + statement * (MAX_NODES // 20)
    assert len(largest) < MAX_PROGRAM_CHARS
    files = {
        "etc/xen/largest.cfg": largest,
        "etc/xen/too-long.cfg": "import os\n" + "#" * MAX_PROGRAM_CHARS + "\n",
        "etc/xen/too-many.cfg": "import os\nx = [" + "1," * MAX_NODES + "]\n",
        "etc/xen/too-deep.cfg": "import os\nx = " + "-" * (MAX_DEPTH + 1) + "1\n",
        "etc/xen/chain.cfg": "import os\nx = " + "1+" * 100_000 + "1\n",
        **BROKEN,
    }
    site = write_site(tmp_path / "s", {"h": files})
    diagnostics, elapsed = _lint(site)
    found = _found(diagnostics)
    assert BROKEN_AT in found and ("largest.cfg", "SYN001") not in found
    for name in ("too-long.cfg", "too-many.cfg", "too-deep.cfg", "chain.cfg"):
        assert (name, "SYN001") in found
    assert elapsed < SECONDS / 2


# nesting


def test_10000_deep_nesting(tmp_path: Path) -> None:
    deep = "a {\n" * 10_000 + "}\n" * 10_000
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/drbd.conf": "resource r {\n" + deep + "}\n",
                "etc/multipath.conf": "defaults {\n" + deep + "}\n",
                "etc/xen/vm.cfg": "disk = " + "[" * 10_000 + "]" * 10_000 + "\n",
                "etc/xen/xend-config.sxp": "(a " * 10_000 + ")" * 10_000 + "\n",
                "etc/target/saveconfig.json": '{"a": ' * 10_000 + "1" + "}" * 10_000 + "\n",
            }
        },
    )
    diagnostics, elapsed = _lint(site)
    found = _found(diagnostics)
    assert {("drbd.conf", "SYN001"), ("multipath.conf", "SYN001")} <= found
    assert "sections nested deeper than 100 levels" in _messages(diagnostics, "drbd.conf")
    assert "sections nested deeper than 100 levels" in _messages(diagnostics, "multipath.conf")
    assert ("vm.cfg", "SYN001") in found
    assert "objects and arrays nested deeper than 100" in _messages(diagnostics, "saveconfig.json")
    assert elapsed < SECONDS / 2


# includes and links


def test_include_loops_depth_and_counts(tmp_path: Path) -> None:
    chain = {
        f"etc/drbd.d/c{i:03d}.conf": f'include "c{i + 1:03d}.conf";\n'
        for i in range(MAX_INCLUDE_DEPTH + 10)
    }
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/drbd.conf": (
                    'include "drbd.d/loop-a.conf";\ninclude "drbd.d/c000.conf";\n'
                    'include "drbd.d/many/*.res";\n'
                ),
                "etc/drbd.d/loop-a.conf": 'include "loop-b.conf";\n',
                "etc/drbd.d/loop-b.conf": 'include "/etc/drbd.d/loop-a.conf";\n',
                **chain,
                **BROKEN,
            }
        },
    )
    many = site / "h" / "etc" / "drbd.d" / "many"
    many.mkdir()
    for i in range(MAX_INCLUDE_MATCHES + 5):
        (many / f"r{i:05d}.res").write_text("")
    diagnostics, elapsed = _lint(site)
    messages = [d["message"] for d in diagnostics if d["code"] == "SYN003"]
    assert any(
        m.startswith("include loop: etc/drbd.conf -> etc/drbd.d/loop-a.conf") for m in messages
    )
    assert f"includes nested more than {MAX_INCLUDE_DEPTH} files deep; not followed" in messages
    assert (
        f"include 'drbd.d/many/*.res' matches more than {MAX_INCLUDE_MATCHES} files; "
        f"only the first {MAX_INCLUDE_MATCHES} are read"
    ) in messages
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS / 2


def test_include_of_the_root_and_globs_over_it(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/drbd.conf": 'include "/*";\ninclude "/*/*/*/*/*/*/*";\ninclude "/";\n',
                **BROKEN,
            }
        },
    )
    for i in range(30):  # a tree to wander through
        (site / "h" / "usr" / f"d{i}" / "x" / "y").mkdir(parents=True)
    diagnostics, elapsed = _lint(site)
    messages = _messages(diagnostics, "etc") + _messages(diagnostics, "usr")
    assert "is a directory where a file is expected" in messages
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS / 2


def test_symbolic_link_loops(tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"h": {"etc/drbd.conf": 'include "drbd.d/*.res";\n'}})
    drbd_d = site / "h" / "etc" / "drbd.d"
    drbd_d.mkdir()
    os.symlink("b.res", drbd_d / "a.res")
    os.symlink("a.res", drbd_d / "b.res")
    os.symlink(".", drbd_d / "again")  # a directory loop the walk must not follow forever
    os.symlink("../..", site / "h" / "etc" / "up")
    (site / "h" / "etc" / "multipath.conf").write_text(BROKEN["etc/multipath.conf"])
    diagnostics, elapsed = _lint(site)
    assert _messages(diagnostics, "a.res") == [
        "symbolic link to b.res cannot be followed: Too many levels of symbolic links"
    ]
    assert BROKEN_AT in _found(diagnostics)
    assert elapsed < SECONDS / 2


# special files


def test_fifos_and_devices_are_never_opened(tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"h": {"etc/drbd.conf": 'include "drbd.d/*.res";\n'}})
    etc = site / "h" / "etc"
    (etc / "drbd.d").mkdir()
    os.mkfifo(etc / "drbd.d" / "pipe.res")
    os.mkfifo(etc / "ietd.conf")
    (etc / "multipath").mkdir()
    os.mkfifo(etc / "multipath" / "bindings")  # read by a rule, not loaded by the site
    (etc / "init.d").mkdir()
    os.mkfifo(etc / "init.d" / ".depend.start")
    os.symlink("drbd.d/pipe.res", etc / "modules")  # a link to a FIFO
    devices = os.geteuid() == 0
    if devices:  # only root may make device nodes
        os.mknod(etc / "iscsi.conf", 0o600 | 0o020000, os.makedev(1, 3))  # /dev/null's
    (etc / "multipath.conf").write_text(
        "defaults {\n  user_friendly_names yes\n}\nmultipaths {\n  multipath {\n"
        "    wwid 1abc\n  }\n}\n"
    )
    (etc / "drbd.d" / "broken.res").write_text("resource r {\n")
    diagnostics, elapsed = _lint(site)
    assert "is a FIFO, not a regular file; not read" in _messages(diagnostics, "pipe.res")
    assert "is a FIFO, not a regular file; not read" in _messages(diagnostics, "ietd.conf")
    assert "is a FIFO, not a regular file; not read" in _messages(diagnostics, "modules")
    assert ("broken.res", "SYN001") in _found(diagnostics)
    assert elapsed < SECONDS / 2


def test_host_read_text_is_contained_and_bounded(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    etc = tmp_path / "h" / "etc"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("not yours\n")
    os.mkfifo(etc / "fifo")
    os.symlink(outside / "secret", etc / "link")
    os.symlink(outside, etc / "linked-dir")
    (etc / "ok").write_text("fine\n")
    with open(etc / "big", "wb") as big:
        big.truncate(MAX_FILE_BYTES + 1)
    host = Site.load([tmp_path / "h"]).hosts[0]
    assert host.read_text("/etc/ok") == "fine\n"
    assert host.read_text("etc/../../../etc/ok") == "fine\n"  # ".." stops at the host root
    for rel in ("/etc/fifo", "/etc/link", "/etc/linked-dir/secret", "/etc/big", "/etc/none"):
        assert host.read_text(rel) is None, rel
    assert read_regular(etc / "fifo") is None  # never blocks


# unreadable and undecodable


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"h": {"etc/drbd.conf": "global { }\n", **BROKEN}})
    (site / "h" / "etc" / "drbd.conf").chmod(0)
    diagnostics, _ = _lint(site)
    assert _messages(diagnostics, "drbd.conf") == ["cannot be read: Permission denied"]
    assert BROKEN_AT in _found(diagnostics)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads everything: make one file refuse, as a mode of 000 does for other users."""
    import xsanconf.limits

    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if os.fspath(path).endswith("drbd.conf"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args)

    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n", **BROKEN}})
    monkeypatch.setattr(xsanconf.limits.os, "open", refuse)
    site = Site.load([tmp_path / "h"])
    assert [(p.code, p.message) for p in site.problems] == [
        ("SYN001", "cannot be read: Permission denied")
    ]
    assert site.hosts[0].file("etc/multipath.conf") is not None


def test_undecodable_bytes(tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"h": BROKEN})
    (site / "h" / "etc" / "drbd.conf").write_bytes(
        b"resource r\xff\xfe {\n  net { protocol \xc3; }\n}\n"
    )
    (site / "h" / "etc" / "ietd.conf").write_bytes(b"Target iqn.2001-04.com.e:\xff\n")
    diagnostics, _ = _lint(site)
    assert BROKEN_AT in _found(diagnostics)
    assert ("ietd.conf", "IET001") in _found(diagnostics)


# containment


def test_includes_and_links_that_leave_the_host_are_never_followed_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "drbd.d").mkdir(parents=True)
    (outside / "stolen.res").write_text("resource stolen {\n")  # would be a SYN001 if read
    (outside / "drbd.d" / "x.res").write_text("resource stolen2 {\n")
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/drbd.conf": (
                    'include "../../../outside/stolen.res";\n'
                    'include "/../../../../outside/stolen.res";\n'
                    'include "linked/*.res";\ninclude "linked/x.res";\ninclude "link.res";\n'
                ),
                **BROKEN,
            }
        },
    )
    etc = site / "h" / "etc"
    os.symlink(outside / "drbd.d", etc / "linked")  # a directory on the way leads out
    os.symlink(outside / "stolen.res", etc / "link.res")
    (etc / "modules-load.d").mkdir()
    os.symlink(outside / "stolen.res", etc / "modules-load.d" / "drbd.conf")
    diagnostics, _ = _lint(site)
    text = json.dumps(diagnostics)
    assert "stolen" not in text.replace("stolen.res", "")  # nothing from outside was parsed
    messages = _messages(diagnostics, "drbd.conf") + _messages(diagnostics, "x.res")
    messages += _messages(diagnostics, "link.res")
    # ".." stops at the host root: the include names the host's own /outside/stolen.res
    assert any(
        m.startswith("include '../../../outside/stolen.res': outside/stolen.res does not")
        for m in messages
    ), messages
    # Links resolve as the host resolves them, with the host root as "/": an absolute target on
    # the linting machine names a file the copied host does not hold, so it is never read.
    not_held = f"is a symbolic link to {outside / 'stolen.res'}, which this copy of the host"
    assert f"{not_held} does not hold; not read" in messages
    assert [d["message"] for d in diagnostics if "modules-load.d" in d["path"]] == [
        f"{not_held} does not hold; not read"
    ]
    assert "include 'linked/x.res': etc/linked/x.res does not exist" in "\n".join(messages)
    assert "include 'linked/*.res' matches no file (drbdadm ignores it silently)" in messages
    assert BROKEN_AT in _found(diagnostics)


def test_config_paths_resolve_inside_the_host(tmp_path: Path) -> None:
    """IET ``Path=`` and xen ``phy:`` disks name devices: resolved as the host would, inside
    its root; links are read, never followed out of it."""
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    dev = tmp_path / "h" / "dev"
    (dev / "disk" / "by-id").mkdir(parents=True)
    os.symlink("/dev/drbd0", dev / "disk" / "by-id" / "abs")  # absolute: the host's /dev
    os.symlink("../../../../../../../dev/drbd1", dev / "disk" / "by-id" / "climb")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink("/etc/passwd", outside / "abs")
    os.symlink(outside, dev / "out")  # a copied tree's link to the linting machine
    host = Site.load([tmp_path / "h"]).hosts[0]
    assert resolve_in_host(host, "/dev/disk/by-id/abs") == "/dev/drbd0"
    assert resolve_in_host(host, "/dev/disk/by-id/climb") == "/dev/drbd1"
    # the copied tree's link names the linting machine's directory, which the host sees as
    # its own path of that name: resolved inside the root, never read from the machine
    assert resolve_in_host(host, "/dev/out/abs") == f"{outside}/abs"
    assert not (tmp_path / "h" / str(outside).lstrip("/")).exists()


def test_rc_and_module_links_are_read_not_followed(tmp_path: Path) -> None:
    from xsanconf.lint.rc_links import rc_links

    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    rc2 = tmp_path / "h" / "etc" / "rc2.d"
    rc2.mkdir()
    os.symlink("../../../../../../../etc/init.d/drbd", rc2 / "S20drbd")
    os.symlink("/etc/init.d/iscsitarget", rc2 / "S21iscsitarget")
    links = {link.name: link for link in rc_links(tmp_path / "h")}
    assert links["iscsitarget"].target_rel == "etc/init.d/iscsitarget"
    assert links["drbd"].target_rel in (None, "etc/init.d/drbd")  # never a path outside


# never executed, never written


def test_xen_configs_are_parsed_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                "etc/xen/evil.cfg": (
                    f"import os\nos.system('touch {marker}')\n"
                    f"name = __import__('os').system('touch {marker}')\n"
                ),
                "etc/xen/evil2.cfg": f"name = open('{marker}', 'w')\n",
                **BROKEN,
            }
        },
    )
    diagnostics, _ = _lint(site)
    # Python reads them (xm ran them): xsanconf parses them with Python's parser, and the
    # names they compute are unknown
    found = _found(diagnostics)
    assert BROKEN_AT in found
    assert not {("evil.cfg", "SYN001"), ("evil2.cfg", "SYN001")} & found
    assert not marker.exists()
    doc = xsanconf.loads((site / "h/etc/xen/evil.cfg").read_text(), "xen-domain")
    assert doc.model.name is None and not doc.model.known("name")
    assert not marker.exists()


def _snapshot(root: Path) -> dict[str, tuple[bytes | str, int]]:
    found: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            found[str(path)] = (os.readlink(path), info.st_mtime_ns)
        elif path.is_file():
            found[str(path)] = (path.read_bytes(), info.st_mtime_ns)
        else:
            found[str(path)] = (b"", 0)
    return found


def test_nothing_is_written_without_fix(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "s",
        {
            "h": {
                # a file with safe fixes (a deprecated option, no final newline)
                "etc/drbd.conf": "resource r {\n  syncer { rate 10M; }\n}",
                "etc/iscsi/iscsid.conf": "node.startup = automatic",
                **BROKEN,
            }
        },
    )
    before = _snapshot(tmp_path)
    for fmt in ("text", "json", "sarif", "github"):
        _xsanlint(site, "--isolated", "-f", fmt)
    _xsanlint(site, "--isolated", "--diff", "--unsafe-fixes")
    assert _snapshot(tmp_path) == before
