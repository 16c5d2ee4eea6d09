"""Captured state as version evidence, wherever the host keeps it: plain captures, a sosreport's
sos_commands (names as sos writes them), a supportconfig's sections."""

from __future__ import annotations

from pathlib import Path

from tests.lint.sites import write_site
from xsanconf.lint.facts.captures import captures
from xsanconf.lint.facts.versions import host_versions
from xsanconf.lint.site import Site

MODINFO_ALL = (
    "filename:       /lib/modules/4.18.0-513.el8.x86_64/kernel/drivers/md/dm-mod.ko.xz\n"
    "license:        GPL\n"
    "filename:       /lib/modules/4.18.0-513.el8.x86_64/extra/drbd90/drbd.ko\n"
    "version:        9.1.18\n"
    "license:        GPL\n"
)


def _host(tmp_path: Path) -> Site:
    return Site.load([tmp_path])


def test_modinfo_of_all_modules_in_a_sosreport(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {"h": {"etc/drbd.conf": "", "sos_commands/kernel/modinfo_ALL_MODULES": MODINFO_ALL}},
    )
    (host,) = _host(tmp_path).hosts
    found = host_versions(host).components["drbd"]
    assert found.versions == ("9",)
    assert [(e.source, e.where, e.says) for e in found.evidence] == [
        ("modinfo", "sos_commands/kernel/modinfo_ALL_MODULES:4", "version: 9.1.18")
    ]


def test_proc_drbd_wins_over_modinfo_and_plain_captures_are_read(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": "",
                "captures/proc-drbd.txt": "version: 8.4.11 (api:1/proto:86-101)\n",
                "captures/modinfo-drbd.txt": "filename: /x/drbd.ko\nversion: 9.2.1\n",
            }
        },
    )
    found = host_versions(_host(tmp_path).hosts[0]).components["drbd"]
    assert found.versions == ("8.4",)
    assert [(e.where, e.says) for e in found.ignored] == [
        ("captures/modinfo-drbd.txt:2", "version: 9.2.1")
    ]


def test_supportconfig_sections_are_captures(tmp_path: Path) -> None:
    root = tmp_path / "scc_san1_240101_1200"
    root.mkdir()
    (root / "basic-environment.txt").write_text(
        "#==[ Command ]======================================#\n"
        "# /bin/uname -a\n"
        "Linux san1 5.14.21-150500.55.19-default #1 SMP x86_64 GNU/Linux\n"
    )
    (root / "drbd.txt").write_text(
        "#==[ Command ]======================================#\n"
        "# /usr/bin/rpm -q drbd-utils\n"
        "drbd-utils-9.25.0-150500.1.2.x86_64\n"
        "\n"
        "#==[ Configuration File ]===========================#\n"
        "# /proc/drbd\n"
        "version: 9.1.16 (api:2/proto:86-121)\n"
        "\n"
        "#==[ Command ]======================================#\n"
        "# /usr/sbin/drbdadm status\n"
        "r0 role:Secondary\n"
        "  disk:UpToDate\n"
        "  san2 connection:Connecting\n"
    )
    (host,) = Site.load([tmp_path]).hosts
    assert host.name == "san1"
    found = host_versions(host).components["drbd"]
    assert found.versions == ("9",) and found.evidence[0].where == "drbd.txt:7"
    status = captures(host).drbd_status()
    assert status is not None
    assert status.parsed.resources[0].connections[0].connection == "Connecting"
    assert status.location(3).line == 13 and status.location().path.endswith("drbd.txt")


def test_multipath_tools_version_from_a_verbose_capture(tmp_path: Path) -> None:
    v4 = "Dec 06 05:00:00 | multipath-tools v0.8.4 (05/04, 2020)\nDec 06 05:00:00 | libdevmapper\n"
    write_site(tmp_path, {"h": {"sos_commands/multipath/multipath_-v4_-ll": v4}})
    found = host_versions(_host(tmp_path).hosts[0]).components["multipath"]
    assert found.versions == ("0.8.4",)
    assert found.evidence[0].where == "sos_commands/multipath/multipath_-v4_-ll"


def test_no_capture_no_evidence(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": ""}})
    (host,) = _host(tmp_path).hosts
    assert captures(host).drbd_status() is None and captures(host).modinfo_drbd() is None
    assert host_versions(host).components["multipath"].versions == ()
