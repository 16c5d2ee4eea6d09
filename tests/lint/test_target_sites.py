"""The target fixture sites end to end: good sites lint clean (or with exactly the mistake their
README names), bad sites report exactly their README's mistakes (code, host, file, line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xsanconf.lint.engine import lint
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"

Finding = tuple[str, str | None, str, int]

SITES: dict[str, list[Finding]] = {
    "lio-pair": [],
    "lio-pair-bad": [
        ("IET004", "san2", "san2/etc/target/saveconfig.json", 24),  # its wwn
        ("IET006", "san1", "san1/etc/target/saveconfig.json", 36),
        ("IET008", "san1", "san1/etc/target/saveconfig.json", 16),
    ],
    # two independent servers, one default identity (tid 1, LUN 1): the README's one mistake
    "tgt-servers": [("IET011", "tgt2", "tgt2/etc/tgt/conf.d/archive.conf", 4)],
    "tgt-servers-bad": [
        ("IET004", "san2", "san2/etc/tgt/conf.d/r0.conf", 5),
        ("IET006", "san2", "san2/etc/tgt/conf.d/r0.conf", 5),
        ("IET008", "san2", "san2/etc/tgt/conf.d/r0.conf", 5),
    ],
    # one replica through two implementations: two WWIDs by construction
    "mixed-iet-lio": [("IET004", "san2", "san2/etc/target/saveconfig.json", 24)],
    "mixed-iet-lio-split": [],
    "scst-pair": [],
    "scst-pair-bad": [
        ("IET004", "san2", "san2/etc/scst.conf", 18),
        ("IET008", "san2", "san2/etc/scst.conf", 6),
    ],
}


def findings(name: str) -> list[Finding]:
    root = FIXTURES / name
    result = lint(Site.load([root]))
    assert not result.failures, result.failures
    return sorted(
        (
            d.code,
            d.location.host,
            Path(d.location.path).resolve().relative_to(root.resolve()).as_posix(),
            d.location.line,
        )
        for d in result.diagnostics
    )


@pytest.mark.parametrize("name", sorted(SITES))
def test_target_site_reports_exactly_its_readme(name: str) -> None:
    assert findings(name) == sorted(SITES[name])


def test_the_mixed_site_says_why_no_setting_helps() -> None:
    result = lint(Site.load([FIXTURES / "mixed-iet-lio"]))
    (found,) = result.diagnostics
    assert "through lio (wwn=6e2c0a4d-9f6b-4c2e-8d1a-3b5f7e9c1d20), but san1" in found.message
    assert "through iet (ScsiId=xensan-lun0)" in found.message
    assert "different implementations present different WWIDs by construction" in found.message


def scst_server(name: str, filename: str) -> str:
    return (
        f"HANDLER vdisk_blockio {{\n\tDEVICE disk1 {{\n\t\tfilename {filename}\n\t}}\n}}\n\n"
        "TARGET_DRIVER iscsi {\n\tenabled 1\n\n"
        f"\tTARGET iqn.2024-01.com.example:{name}.disks {{\n"
        '\t\tIncomingUser "xenhosts 9xq2Lr7vTb4mWs"\n\t\tenabled 1\n\n\t\tLUN 0 disk1\n\t}\n}\n'
    )


def test_scst_defaults_collide_across_servers_that_name_devices_alike(tmp_path: Path) -> None:
    # SCST derives the default t10_dev_id from the device name: two servers naming their own
    # disks "disk1" present one WWID for different data
    for host, filename in (("store1", "/dev/sdb"), ("store2", "/dev/sdc")):
        (tmp_path / host / "etc").mkdir(parents=True)
        (tmp_path / host / "etc" / "scst.conf").write_text(scst_server(host, filename))
    result = lint(Site.load([tmp_path]))
    assert [(d.code, d.location.host, d.location.line) for d in result.diagnostics] == [
        ("IET011", "store2", 14)  # LUN 0 disk1
    ]
    assert "give each device its own t10_dev_id" in result.diagnostics[0].message


def test_one_device_object_through_two_targets_is_one_lun(tmp_path: Path) -> None:
    """One SCST DEVICE exported by two targets (as scstadmin's own examples do) is one device
    with two ports, not two LUNs with separate caches: IET003 stays silent. Two IET Lun lines
    of one path open it twice, and two SCST DEVICEs of one file are two devices: reported."""
    two_targets = (
        "HANDLER vdisk_blockio {\n\tDEVICE disk1 {\n\t\tfilename /dev/sdb\n\t}\n}\n\n"
        "TARGET_DRIVER iscsi {\n\tenabled 1\n\n"
        "\tTARGET iqn.2024-01.com.example:store.a {\n\t\tenabled 1\n\t\tLUN 0 disk1\n\t}\n"
        "\tTARGET iqn.2024-01.com.example:store.b {\n\t\tenabled 1\n\t\tLUN 0 disk1\n\t}\n}\n"
    )
    two_devices = two_targets.replace(
        "\tDEVICE disk1 {\n\t\tfilename /dev/sdb\n\t}\n",
        "\tDEVICE disk1 {\n\t\tfilename /dev/sdb\n\t}\n"
        "\tDEVICE disk2 {\n\t\tfilename /dev/sdb\n\t}\n",
    ).replace(
        "store.b {\n\t\tenabled 1\n\t\tLUN 0 disk1", "store.b {\n\t\tenabled 1\n\t\tLUN 0 disk2"
    )
    iet = (
        "Target iqn.2024-01.com.example:store.a\n\tLun 0 Path=/dev/sdb,Type=blockio\n"
        "Target iqn.2024-01.com.example:store.b\n\tLun 0 Path=/dev/sdb,Type=blockio\n"
    )
    cases = {"scst1": ("etc/scst.conf", two_targets), "scst2": ("etc/scst.conf", two_devices)}
    cases["iet"] = ("etc/iet/ietd.conf", iet)
    for host, (rel, text) in cases.items():
        (tmp_path / host / rel).parent.mkdir(parents=True)
        (tmp_path / host / rel).write_text(text)
    result = lint(Site.load([tmp_path]))
    assert sorted({d.location.host for d in result.diagnostics if d.code == "IET003"}) == [
        "iet",
        "scst2",
    ]
