"""LVM001 on small host roots: the filter as LVM reads it, both ways, for a map and for DRBD."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.boot_hosts import write_host
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.rules.lvm import accepts
from xsanconf.lint.site import Site

MULTIPATH = "multipaths {\n  multipath {\n    wwid 3600140512345678901234567890abcde\n"
MULTIPATH += "    alias xensan\n  }\n}\n"
DRBD = (
    "resource r0 {\n  on san1 {\n    device /dev/drbd0;\n    disk /dev/sdb1;\n"
    "    address 10.0.0.1:7788;\n    meta-disk internal;\n  }\n}\n"
)


def _backup(device: str) -> str:
    return (
        'contents = "Text Format Volume Group"\nversion = 1\n\nguests {\n'
        '\tphysical_volumes {\n\t\tpv0 {\n\t\t\tid = "x"\n'
        f'\t\t\tdevice = "{device}"\t# Hint only\n\t\t}}\n\t}}\n}}\n'
    )


def _lvm_conf(filter_: str | None, detection: int | None) -> str:
    lines = ["devices {", '    dir = "/dev"']
    if filter_ is not None:
        lines.append(f"    filter = {filter_}")
    if detection is not None:
        lines.append(f"    multipath_component_detection = {detection}")
    return "\n".join([*lines, "}", ""])


def run(root: Path) -> list[Diagnostic]:
    result = lint(Site.load([root]), LintOptions(select=("LVM001", "SYN001")))
    assert not result.failures, result.failures
    return list(result.diagnostics)


@pytest.mark.parametrize(
    ("filter_", "detection", "fires"),
    [
        ('[ "a|.*|" ]', 0, True),
        (None, 0, True),  # no filter accepts every device
        ('[ "r|^/dev/sda$|" ]', 0, True),  # the paths are other disks
        ('[ "a|^/dev/mapper/|", "r|.*|" ]', 0, False),
        ('[ "a|^/dev/mapper/|", "a|^/dev/sda[0-9]*$|", "r|.*|" ]', 0, False),
        ('[ "a|.*|" ]', 1, False),  # LVM skips the paths of a map itself
        ('[ "a|.*|" ]', None, False),  # ... by default
        ('[ "a|(?<=x)|" ]', 0, False),  # a pattern LVM's regex engine reads otherwise
    ],
)
def test_paths_under_a_map(
    tmp_path: Path, filter_: str | None, detection: int | None, fires: bool
) -> None:
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/lvm/lvm.conf": _lvm_conf(filter_, detection),
        "etc/lvm/backup/guests": _backup("/dev/mapper/xensan"),
    }
    write_host(tmp_path / "xen1", files)
    found = run(tmp_path / "xen1")
    assert [d.code for d in found] == (["LVM001"] if fires else [])
    if fires:
        assert "multipath map xensan" in found[0].message
        assert found[0].location.path.endswith("etc/lvm/lvm.conf")
        assert found[0].related[0].path.endswith("etc/lvm/backup/guests")
        assert found[0].related[0].line == 8


@pytest.mark.parametrize(
    ("filter_", "fires"),
    [
        (None, True),
        ('[ "a|^/dev/drbd|", "a|^/dev/sd|" ]', True),
        ('[ "r|^/dev/sdb1$|", "a|.*|" ]', False),
        ('[ "a|^/dev/drbd|", "r|.*|" ]', False),
    ],
)
def test_the_backing_disk_under_drbd(tmp_path: Path, filter_: str | None, fires: bool) -> None:
    files = {
        "etc/hostname": "san1\n",
        "etc/drbd.conf": DRBD,
        "etc/lvm/lvm.conf": _lvm_conf(filter_, None),
        "etc/lvm/backup/guests": _backup("/dev/drbd0"),
    }
    write_host(tmp_path / "san1", files)
    found = run(tmp_path / "san1")
    assert [d.code for d in found] == (["LVM001"] if fires else [])
    if fires:
        assert "backing disk /dev/sdb1" in found[0].message


def test_silent_without_lvm_conf_or_when_lvm_files_do_not_parse(tmp_path: Path) -> None:
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/lvm/backup/guests": _backup("/dev/mapper/xensan"),
    }
    write_host(tmp_path / "a", files)
    assert run(tmp_path / "a") == []
    files["etc/lvm/lvm.conf"] = _lvm_conf(None, 0)
    files["etc/lvm/archive/guests_00001-1.vg"] = "guests {\n"  # an archive that does not parse
    write_host(tmp_path / "b", files)
    assert [d.code for d in run(tmp_path / "b")] == ["SYN001"]


def test_lvmlocal_conf_is_read_after_lvm_conf(tmp_path: Path) -> None:
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/lvm/lvm.conf": _lvm_conf('[ "a|.*|" ]', 0),
        "etc/lvm/lvmlocal.conf": _lvm_conf(None, 1),
        "etc/lvm/backup/guests": _backup("/dev/mapper/xensan"),
    }
    write_host(tmp_path / "xen1", files)
    assert run(tmp_path / "xen1") == []


@pytest.mark.parametrize(
    ("patterns", "names", "expected"),
    [
        (None, ("/dev/sdb",), True),
        (["r|/dev/sdb|", "a|.*|"], ("/dev/sdb",), False),
        (["r|/dev/sdb|", "a|.*|"], ("/dev/sdb", "/dev/disk/by-id/x"), True),  # another name
        (["a|/dev/sdc|"], ("/dev/sdb",), True),  # no pattern matches: accepted
        (["a#/dev/mapper/#", "r#.*#"], ("/dev/sdb",), False),  # any delimiter
        (["x|y|"], ("/dev/sdb",), None),
    ],
)
def test_filter_semantics(
    patterns: list[str] | None, names: tuple[str, ...], expected: bool | None
) -> None:
    assert accepts(patterns, names) is expected


# XEN001 reads the volume group behind a guest's logical volume


@pytest.mark.parametrize(
    ("pv", "disk", "fires"),
    [
        ("/dev/sda2", "phy:/dev/guests/vm1", True),
        ("/dev/sda2", "phy:/dev/mapper/guests-vm1", True),
        ("/dev/mapper/xensan", "phy:/dev/guests/vm1", False),  # the VG is on the shared map
        ("/dev/drbd0", "phy:/dev/guests/vm1", False),
        ("/dev/sda2", "phy:/dev/other/vm1", False),  # no metadata for that group: unknown
    ],
)
def test_xen001_reads_the_volume_group_of_a_guest_disk(
    tmp_path: Path, pv: str, disk: str, fires: bool
) -> None:
    guest = f"name = 'vm1'\ndisk = [ '{disk},xvda,w' ]\n"
    for host in ("xen1", "xen2"):
        files = {
            "etc/hostname": f"{host}\n",
            "etc/multipath.conf": MULTIPATH,
            "etc/lvm/backup/guests": _backup(pv),
            "etc/xen/vm1.cfg": guest,
        }
        write_host(tmp_path / "site" / host, files)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("XEN001",)))
    found = list(result.diagnostics)
    assert len(found) == (2 if fires else 0)
    if fires:
        assert f"volume group guests, whose physical volume is the local disk {pv}" in (
            found[0].message
        )


def test_the_lvm_filter_fixture_site() -> None:
    """fixtures/sites/lvm-filter/README.md: the same volume group, a bad and a good filter."""
    site = Path(__file__).resolve().parents[2] / "fixtures/sites/lvm-filter"
    found = [
        (d.code, d.location.host, Path(d.location.path).name, d.location.line)
        for d in lint(Site.load([site])).diagnostics
    ]
    assert found == [("LVM001", "xen1", "lvm.conf", 7)]
