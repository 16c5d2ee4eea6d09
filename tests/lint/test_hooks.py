"""The pre-commit hooks and the etckeeper drop-in, run as their callers run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.lint.conftest import REPO, SITES
from tests.lint.sites import write_site
from xsanconf.formats import detect_kind
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.hook_pattern import files_pattern
from xsanconf.lint.site import Site

HOOKS = REPO / ".pre-commit-hooks.yaml"
ETCKEEPER = REPO / "contrib" / "etckeeper" / "pre-commit.d" / "30xsanlint"
DEBIAN = REPO / "fixtures" / "hosts" / "debian-defaults"


def _hooks() -> dict[str, dict[str, str]]:
    """The hooks file's entries (flat keys only: enough to check what pre-commit reads)."""
    hooks: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in HOOKS.read_text().splitlines():
        found = re.match(r"^(- |  )(\w+): (.*)$", line)
        if found is None:
            continue
        if found.group(1) == "- ":
            current = hooks.setdefault(found.group(3), {})
        current[found.group(2)] = found.group(3)
    return hooks


def test_two_hooks() -> None:
    hooks = _hooks()
    assert set(hooks) == {"xsanlint", "xsanlint-site"}
    assert hooks["xsanlint-site"]["pass_filenames"] == "false"
    assert all(h["entry"] == "xsanlint" for h in hooks.values())


def test_the_hook_pattern_is_derived_from_the_registry() -> None:
    assert _hooks()["xsanlint"]["files"] == files_pattern()


def _read_by_the_site(root: Path) -> list[str]:
    """Paths (from ``root``) of every file the site loader reads below ``root``."""
    site = Site.load([root])
    return sorted(os.path.relpath(f.path, root) for f in site.files())


def test_every_file_the_site_loader_reads_matches_the_hook() -> None:
    pattern = re.compile(files_pattern())
    files = [f for site in sorted(SITES.iterdir()) for f in _read_by_the_site(site)]
    files += _read_by_the_site(DEBIAN)
    assert len(files) > 40
    assert [f for f in files if not pattern.search(f)] == []


# Components that host trees are made of; hypothesis joins them into paths.
_PARTS = [
    *("etc", "lib", "usr", "run", "srv", "site", "san1", "xen", "auto", "scripts", "default"),
    *("drbd.d", "modprobe.d", "modules-load.d", "multipath", "conf.d", "systemd", "system"),
    *("drbd.service.d", "multi-user.target.wants", "init.d", "iscsi", "iet", "initramfs-tools"),
    *("drbd.conf", "global_common.conf", "r0.res", "ietd.conf", "initiators.allow", "vm1"),
    *("targets.allow", "iscsid.conf", "initiatorname.iscsi", "multipath.conf", "modules"),
    *("x.conf", "drbd", "open-iscsi", "tgt.service", "xl.conf", "xend-config.sxp", "vm1.cfg"),
    *("xl.conf.bak", "README", ".hidden.res", "passwd", "a.txt"),
]


@given(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=6))
def test_every_path_a_codec_reads_below_etc_matches_the_hook(parts: list[str]) -> None:
    """What the registry reads by name, below an etc directory, the hook selects."""
    path = "/".join(["site", "h", "etc", *parts])
    if detect_kind(path) is not None:
        assert re.search(files_pattern(), path), path


@pytest.mark.parametrize(
    "path",
    [
        "h/etc/hostname",
        "h/etc/rc2.d/S20drbd",
        "h/etc/rcS.d/S10open-iscsi",
        "h/etc/rc.d/rc3.d/K80iscsitarget",
        "h/etc/init.d/.depend.start",
        "h/etc/systemd/system/drbd.service.d/after.conf",
        "h/lib/systemd/system/drbd.service",
        "h/usr/lib/systemd/system/iscsid.service.d/override.conf",
        "h/etc/xen/vm1",
        "h/etc/xen/auto/vm1.cfg",
        "h/etc/multipath/bindings",
        "h/var/lib/multipath/bindings",
        "h/etc/fstab",
        "h/etc/lvm/backup/vg0",
        "h/lib/modprobe.d/aliases.conf",
        "h/usr/lib/modules-load.d/drbd.conf",
    ],
)
def test_context_files_rules_read_match_the_hook(path: str) -> None:
    assert re.search(files_pattern(), path)


@pytest.mark.parametrize(
    "path",
    [
        "h/etc/hostname",
        "h/lib/systemd/system/drbd.service",
        "h/usr/lib/systemd/system/iscsid.service.d/override.conf",
        "h/var/lib/multipath/bindings",
        "h/etc/rc2.d/S20drbd",
    ],
)
def test_a_context_file_the_hook_passes_reports_its_host(tmp_path: Path, path: str) -> None:
    """xsanlint takes each file the hook passes: a context file names its host, reported
    whole (a hostname change can break DRBD's `on` sections)."""
    write_site(
        tmp_path,
        {"h": {"etc/drbd.conf": "resource r0 {\n  protocol Z;\n}\n", path[2:]: "x\n"}},
    )
    site = Site.load([tmp_path / path])
    (host,) = site.hosts
    assert site.focus_hosts == {host.name}
    result = lint(site, LintOptions())
    assert {d.location.path for d in result.diagnostics} >= {str(tmp_path / "h/etc/drbd.conf")}


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("sites/example/san1/etc/drbd.d/xensan.res", True),
        ("etc/drbd.conf", True),
        ("hosts/xen1/etc/multipath.conf", True),
        ("hosts/xen1/etc/modprobe.d/sbp2.conf", True),
        ("hosts/xen1/etc/iscsi/iscsid.conf", True),
        ("hosts/san1/etc/ietd.conf", True),
        ("hosts/xen1/etc/modules", True),
        ("hosts/xen1/etc/xen/vm1.cfg", True),
        ("hosts/xen1/etc/hostname", True),
        ("README.md", False),
        ("hosts/xen1/etc/passwd", False),
        ("lib/python/default/x.py", False),
        ("hosts/xen1/lib/modprobe.d/deeper/x.conf", False),
    ],
)
def test_hook_file_pattern(path: str, wanted: bool) -> None:
    pattern = re.compile(_hooks()["xsanlint"]["files"])
    assert bool(pattern.search(path)) is wanted


def _etckeeper(etc: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        ["sh", str(ETCKEEPER)],
        cwd=etc,
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        check=False,
    )


needs_xsanlint = pytest.mark.skipif(
    shutil.which("xsanlint", path=str(Path(sys.executable).parent)) is None,
    reason="the xsanlint console script is not installed beside this python",
)


@needs_xsanlint
def test_etckeeper_refuses_a_commit_with_errors() -> None:
    done = _etckeeper(SITES / "example" / "san1" / "etc")
    assert done.returncode == 1
    assert "DRBD001" in done.stderr and "commit refused" in done.stderr


@needs_xsanlint
def test_etckeeper_passes_a_clean_tree_and_can_be_skipped() -> None:
    clean = SITES / "example-fixed" / "san1" / "etc"
    assert _etckeeper(clean, XSANLINT_FAIL_ON="warning").returncode == 0
    assert _etckeeper(SITES / "example" / "san1" / "etc", XSANLINT="off").returncode == 0
