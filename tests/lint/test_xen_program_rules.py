"""XEN001, XEN002 and the stack index on xm configs that are Python programs: a value only
running the file gives is no value, so no rule reports on it, and a value that is certain is
judged as in a plain config."""

from __future__ import annotations

from pathlib import Path

from tests.lint.boot_hosts import write_host
from xsanconf.facts.stack import stack_index
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

MULTIPATH = """\
multipaths {
    multipath {
        wwid  3600140512345678901234567890abcde
        alias xensan
    }
}
"""

HEADER = "import os, re\narch = os.uname()[4]\n"


def run(root: Path, codes: tuple[str, ...]) -> list[Diagnostic]:
    result = lint(Site.load([root]), LintOptions(select=codes))
    assert not result.failures, result.failures
    return list(result.diagnostics)


def _site(tmp_path: Path, config: str) -> Path:
    for host in ("xen1", "xen2"):
        files = {"etc/hostname": f"{host}\n", "etc/multipath.conf": MULTIPATH}
        write_host(tmp_path / "site" / host, {**files, "etc/xen/vm1.cfg": config})
    return tmp_path / "site"


def test_a_certain_computed_disk_is_judged(tmp_path: Path) -> None:
    config = (
        HEADER + "name = 'vm1'\nimages = '/srv/xen/'\n"
        "disk = [ 'file:' + images + 'vm1.img,xvda,w',\n"
        "         'phy:/dev/mapper/' + 'mpathz' + ',xvdb,w' ]\n"
    )
    site = _site(tmp_path, config)
    found = run(site, ("XEN001", "XEN002", "SYN001"))
    assert sorted({d.code for d in found}) == ["XEN001", "XEN002"]
    xen001 = next(d for d in found if d.code == "XEN001")
    assert "file:/srv/xen/vm1.img" in xen001.message
    assert (xen001.location.line, xen001.location.column) == (5, 10)  # the expression


def test_unknown_disks_and_names_report_nothing(tmp_path: Path) -> None:
    config = (
        HEADER + "if re.search('64', arch):\n    images = '/srv/xen64/'\nelse:\n"
        "    images = '/srv/xen32/'\n"
        "name = 'vm%d' % vmid\n"
        "disk = [ 'file:' + images + 'vm1.img,xvda,w',\n"
        "         'phy:/dev/mapper/mpath' + arch + ',xvdb,w' ]\n"
    )
    site = _site(tmp_path, config)
    assert run(site, ("XEN", "SYN001", "MPATH007")) == []


def test_a_changed_disk_list_is_unknown_not_empty(tmp_path: Path) -> None:
    config = (
        HEADER + "name = 'vm1'\ndisk = [ 'phy:/dev/mapper/xensan,xvda,w' ]\n"
        "disk.append('file:/srv/xen/vm1-swap.img,xvdb,w')\n"
    )
    write_host(tmp_path / "xen1", {"etc/multipath.conf": MULTIPATH, "etc/xen/vm1.cfg": config})
    site = Site.load([tmp_path / "xen1"])
    model = site.hosts[0].documents("xen-domain")[0].doc.model
    assert model.disks == [] and not model.known("disk")
    index = stack_index(site)
    assert index.host(site.hosts[0]).guest_disks == []  # no disk invented, none claimed absent


def test_a_certain_disk_reaches_the_stack_index(tmp_path: Path) -> None:
    config = (
        HEADER + "name = 'vm1'\nmap = 'xensan'\ndisk = [ 'phy:/dev/mapper/' + map + ',xvda,w' ]\n"
    )
    write_host(tmp_path / "xen1", {"etc/multipath.conf": MULTIPATH, "etc/xen/vm1.cfg": config})
    site = Site.load([tmp_path / "xen1"])
    disks = stack_index(site).host(site.hosts[0]).guest_disks
    assert [(d.guest, d.map_name, d.wwid) for d in disks] == [
        ("vm1", "xensan", "3600140512345678901234567890abcde")
    ]


def test_the_xm_python_fixture_site() -> None:
    """fixtures/sites/xm-python/README.md: computed values are judged where certain, the
    same as plain settings, and not at all where only xm create knows them."""
    site = Path(__file__).resolve().parents[2] / "fixtures/sites/xm-python"
    found = [
        (d.code, d.location.host, Path(d.location.path).name, d.location.line)
        for d in lint(Site.load([site])).diagnostics
    ]
    assert sorted(found) == [
        ("XEN001", "xen1", "numbered", 19),
        ("XEN001", "xen1", "winsrv.cfg", 18),
        ("XEN001", "xen2", "winsrv.cfg", 8),
    ]
