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


def _etckeeper(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the drop-in as etckeeper runs it: from ``cwd``, with ``env`` (ETCKEEPER_DIR ...)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("XSANLINT", "ETCKEEPER"))}
    return subprocess.run(
        ["sh", str(ETCKEEPER)],
        cwd=cwd,
        env={**inherited, "PATH": path, **env},
        capture_output=True,
        text=True,
        check=False,
    )


needs_xsanlint = pytest.mark.skipif(
    shutil.which("xsanlint", path=str(Path(sys.executable).parent)) is None,
    reason="the xsanlint console script is not installed beside this python",
)


def _tree(tmp_path: Path, site: str = "example") -> Path:
    """A copy of san1's etc as an etckeeper repository holds it."""
    etc = tmp_path / "repo" / "etc"
    shutil.copytree(SITES / site / "san1" / "etc", etc, symlinks=True)
    return etc


@needs_xsanlint
def test_etckeeper_refuses_a_commit_with_errors(tmp_path: Path) -> None:
    done = _etckeeper(_tree(tmp_path), XSANLINT_BASELINE="none")
    assert done.returncode == 1
    assert "DRBD001" in done.stderr and "commit refused" in done.stderr


@needs_xsanlint
def test_etckeeper_passes_a_clean_tree_and_can_be_skipped(tmp_path: Path) -> None:
    clean = _tree(tmp_path / "fixed", "example-fixed")
    assert _etckeeper(clean, XSANLINT_FAIL_ON="warning").returncode == 0
    assert _etckeeper(_tree(tmp_path), XSANLINT="off").returncode == 0


@needs_xsanlint
def test_etckeeper_lints_the_tree_of_etckeeper_dir(tmp_path: Path) -> None:
    """The repository is elsewhere than /etc and the drop-in runs from another directory:
    ETCKEEPER_DIR names the tree, and the machine's own /etc is never linted."""
    etc = _tree(tmp_path)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    done = _etckeeper(elsewhere, ETCKEEPER_DIR=str(etc), XSANLINT_BASELINE="none")
    assert done.returncode == 1
    assert f"{etc}/drbd.d/xensan.res" in done.stderr
    assert "[san1]" in done.stderr and "/etc/drbd.conf:" not in done.stderr.replace(str(etc), "")
    # a relative ETCKEEPER_DIR: etckeeper has changed into it
    done = _etckeeper(etc, ETCKEEPER_DIR="etc", XSANLINT_BASELINE="none")
    assert done.returncode == 1 and "[san1]" in done.stderr


@needs_xsanlint
def test_etckeeper_baselines_old_errors_and_refuses_new_ones(tmp_path: Path) -> None:
    etc = _tree(tmp_path)
    baseline = etc / ".xsanlint-baseline.json"
    first = _etckeeper(tmp_path, ETCKEEPER_DIR=str(etc))
    assert first.returncode == 0, first.stderr
    assert baseline.is_file() and "recorded the findings already in" in first.stderr
    assert _etckeeper(tmp_path, ETCKEEPER_DIR=str(etc)).returncode == 0
    # an unrelated edit above an old error does not bring it back
    res = etc / "drbd.d" / "xensan.res"
    res.write_text("# edited\n" + res.read_text())
    assert _etckeeper(tmp_path, ETCKEEPER_DIR=str(etc)).returncode == 0
    # a new error does stop the commit
    (etc / "drbd.d" / "new.res").write_text("resource new {\n  protocol Z;\n}\n")
    done = _etckeeper(tmp_path, ETCKEEPER_DIR=str(etc))
    assert done.returncode == 1, done.stderr
    assert "new.res" in done.stderr and "xensan.res" not in done.stderr.split("hidden")[-1]


@needs_xsanlint
def test_etckeeper_skips_a_tree_that_is_no_etc(tmp_path: Path) -> None:
    done = _etckeeper(tmp_path, ETCKEEPER_DIR=str(tmp_path))
    assert done.returncode == 0 and "neither an etc directory nor a host root" in done.stderr


def test_the_fix_rounds_keep_the_host_a_context_file_names(tmp_path: Path) -> None:
    """After --fix, what remains of a host named by a context file is still reported."""
    from xsanconf.lint.fixing import fix_site

    # no final newline: a safe fix, so the rounds lint a rebuilt site
    files = {
        "etc/drbd.conf": "resource r0 {\n  protocol Z;\n}\n",
        "etc/iscsi/iscsid.conf": "node.startup = automatic",
    }
    write_site(tmp_path, {"h": files})
    (tmp_path / "h/etc/hostname").write_text("h\n")
    site = Site.load([tmp_path / "h/etc/hostname"])
    run = fix_site(site, LintOptions(), unsafe=True)
    assert run.applied
    assert {d.location.path for d in run.result.diagnostics} >= {str(tmp_path / "h/etc/drbd.conf")}
