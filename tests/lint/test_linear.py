"""Inputs that once cost time or memory out of proportion to their size (issue 14, "Super-linear").

Each test bounds the time generously (a loaded two-core CI machine); without its fix each took
tens of seconds to minutes.  The sizes are the smallest that still show the old blow-up clearly.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import xsanconf
from tests.lint.boot_hosts import host
from tests.lint.sites import write_site
from xsanconf.formats import codec
from xsanconf.lint.boot_order import BootOrder
from xsanconf.lint.engine import MAX_FINDINGS_PER_FILE, lint
from xsanconf.lint.site import (
    MAX_INCLUDE_MATCHES,
    MAX_INCLUDED_PER_FILE,
    MAX_INCLUDED_PER_HOST,
    Site,
)


def _linted(root: Path) -> tuple[list[tuple[str, str]], float]:
    started = time.perf_counter()
    result = lint(Site.load([root]))
    elapsed = time.perf_counter() - started
    return [(d.code, d.message) for d in result.diagnostics], elapsed


def test_mpath004_judges_each_section_once(tmp_path: Path) -> None:
    """8,000 deprecated options took 34 s: each one rescanned its section."""
    text = "defaults {\n" + "  getuid_callout x\n" * 8000 + "}\n"
    write_site(tmp_path, {"h": {"etc/multipath.conf": text}})
    found, elapsed = _linted(tmp_path)
    assert any(code == "MPATH004" for code, _ in found)
    assert elapsed < 15


def test_iscsid_readings_are_computed_once_per_edit(tmp_path: Path) -> None:
    """20,000 lines took 23 s: every question about a line rendered the whole file again."""
    write_site(tmp_path, {"h": {"etc/iscsi/iscsid.conf": "node.startup = manual\n" * 20_000}})
    _, elapsed = _linted(tmp_path)
    assert elapsed < 15
    config = xsanconf.loads("node.startup = manual\n", "iscsid").model
    assert config.effective("node.startup") == "manual"
    config.entries[0].set("automatic")  # an edit is seen by the next reading
    assert config.effective("node.startup") == "automatic"


def test_systemd_assignment_does_not_backtrack() -> None:
    """80,000 blanks without "=" took 4 s (the name was matched lazily before optional blanks)."""
    started = time.perf_counter()
    doc = xsanconf.loads("[Unit]\na" + " " * 200_000 + "b\n", "systemd-unit", recover=True)
    assert time.perf_counter() - started < 2
    assert not doc.parsed  # a line that is neither a section nor an assignment
    assert xsanconf.loads("[Unit]\n After = x\n", "systemd-unit").model is not None


@pytest.mark.parametrize("kind", list(xsanconf.KINDS))
def test_sniffing_blank_lines_is_linear(kind: str) -> None:
    """A "^\\s*" sniff ran from every line start over all the blank lines after it: 12,000
    blank lines took 3 s, 30,000 took 20 s."""
    started = time.perf_counter()
    codec(kind).sniff("\n" * 30_000 + " \t\n" * 10_000)
    assert time.perf_counter() - started < 1


def test_a_repeated_include_pattern_is_resolved_once(tmp_path: Path) -> None:
    """2,000 copies of one include over 1,000 files took 92 s.  drbdadm globs each copy and
    skips every file it already read (by realpath): the files and resources seen are the same."""
    files = {"etc/drbd.conf": 'include "/etc/drbd.d/*.res";\n' * 2000}
    for i in range(1000):
        files[f"etc/drbd.d/r{i:04d}.res"] = f"resource r{i} {{ }}\n"
    write_site(tmp_path, {"h": files})
    started = time.perf_counter()
    site = Site.load([tmp_path])
    assert time.perf_counter() - started < 20
    hosts = site.hosts[0]
    assert len(hosts.drbd_files()) == 1001
    assert [r.name for _, r in hosts.drbd_resources()] == [f"r{i}" for i in range(1000)]
    assert [p.message for p in site.problems] == []


def test_includes_are_bounded_per_file(tmp_path: Path) -> None:
    """Different patterns naming the same files: each file is read once, and past the bound
    for the file the includes are reported and not followed."""
    patterns = [f'include "/etc/drbd.d/{"?" * 4}{"*" * n}.res";\n' for n in range(1, 40)]
    files = {"etc/drbd.conf": "".join(patterns)}
    for i in range(MAX_INCLUDE_MATCHES):
        files[f"etc/drbd.d/r{i:04d}.res"] = ""
    write_site(tmp_path, {"h": files})
    site = Site.load([tmp_path])
    assert len(site.hosts[0].drbd_files()) == MAX_INCLUDE_MATCHES + 1
    assert [p.message for p in site.problems] == [
        f"the includes of this file name more than {MAX_INCLUDED_PER_FILE} files; "
        "this one and those after it are not followed"
    ]


def test_includes_are_bounded_per_host(tmp_path: Path) -> None:
    """Files each within their bound, together past the host's."""
    per_file = MAX_INCLUDED_PER_FILE // MAX_INCLUDE_MATCHES
    files = {"etc/drbd.conf": 'include "drbd.d/inc*.conf";\n'}
    for f in range(6):
        files[f"etc/drbd.d/inc{f}.conf"] = "".join(
            f'include "/etc/drbd.d/r{"*" * (f * per_file + n + 1)}.res";\n' for n in range(per_file)
        )
    for i in range(MAX_INCLUDE_MATCHES):
        files[f"etc/drbd.d/r{i:04d}.res"] = ""
    write_site(tmp_path, {"h": files})
    site = Site.load([tmp_path])
    assert len(site.hosts[0].drbd_files()) == 1 + 6 + MAX_INCLUDE_MATCHES
    assert [p.message for p in site.problems] == [
        f"the includes of this host's drbd files name more than {MAX_INCLUDED_PER_HOST} files; "
        "this one and those after it are not followed"
    ]


def test_boot_rules_read_unit_files_bounded_and_without_blocking(tmp_path: Path) -> None:
    """Unit files the site does not load (/lib/systemd/system and its drop-ins) were read whole
    and blocking: a FIFO drop-in hung the run, a 60 MB unit took 21 s."""
    files = {"etc/drbd.conf": "", "lib/systemd/system/target.service": ""}
    root = tmp_path / "h"
    site_host = host(root, files, dirs=("etc/systemd/system",))  # a systemd host
    with open(root / "lib/systemd/system/target.service", "w") as big:
        big.write("[Unit]\n" + "# x\n" * (3 * 1024 * 1024))  # 12 MiB of comment lines
    drop_ins = root / "lib/systemd/system/target.service.d"
    drop_ins.mkdir()
    os.mkfifo(drop_ins / "wait.conf")
    done: list[object] = []
    worker = threading.Thread(
        target=lambda: done.append(BootOrder(site_host).start("drbd", "target")), daemon=True
    )
    started = time.perf_counter()
    worker.start()
    worker.join(30)
    assert done, "reading a FIFO blocked, or the 12 MiB unit took more than 30 s"
    assert time.perf_counter() - started < 5


def test_findings_are_capped_per_file_and_rule(tmp_path: Path) -> None:
    """A drbd.conf of 30,000 `a;` lines gave 60,000 diagnostics (3 MB took 61 s and 2.9 GB):
    each rule keeps 100 per file and says how many more there are."""
    write_site(tmp_path, {"h": {"etc/drbd.conf": "a;\n" * 30_000}})
    found, elapsed = _linted(tmp_path)
    by_code: dict[str, list[str]] = {}
    for code, message in found:
        by_code.setdefault(code, []).append(message)
    assert by_code
    for code, messages in by_code.items():
        assert len(messages) <= MAX_FINDINGS_PER_FILE + 1, code
        summaries = [
            m for m in messages if m.endswith(f" more {code} findings in this file not shown")
        ]
        if len(messages) == MAX_FINDINGS_PER_FILE + 1:
            # one a line (or a line after the first): all of them counted
            assert int(summaries[0].split()[0]) >= 30_000 - 1 - MAX_FINDINGS_PER_FILE
    assert any(len(m) == MAX_FINDINGS_PER_FILE + 1 for m in by_code.values())
    assert elapsed < 30
