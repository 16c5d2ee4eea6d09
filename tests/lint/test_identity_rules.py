"""IET003-IET005, IET008, MPATH001, MPATH006: what fires, what must not, and the IET008 fix."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint.sites import apply, write_site
from tests.lint.stack_hosts import drbd_conf, head, ietd_conf, multipath_conf, wwid
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
CODES = ("IET003", "IET004", "IET005", "IET008", "MPATH001", "MPATH006")
SAME = "Type=blockio,ScsiId=r0-lun0"


def run(
    tmp_path: Path,
    code: str,
    hosts: Mapping[str, Mapping[str, str]],
    versions: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    write_site(tmp_path / "site", hosts)
    result = lint(
        Site.load([tmp_path / "site"]), LintOptions(select=(code,), versions=versions or {})
    )
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


def where(found: list[Diagnostic]) -> list[tuple[str | None, int, int]]:
    return [(d.location.host, d.location.line, d.location.column) for d in found]


def lint_site(name: str, *codes: str) -> list[Diagnostic]:
    result = lint(Site.load([FIXTURES / name]), LintOptions(select=codes))
    assert not result.failures, result.failures
    return result.diagnostics


# IET003 -----------------------------------------------------------------------------------------


def test_iet003_one_device_under_two_names(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        "IET003",
        {"san1": head("0 Path=/dev/drbd0,Type=blockio", "1 Path=/dev/drbd/by-res/r0,Type=blockio")},
    )
    assert where(found) == [("san1", 3, 8)]
    assert "(the same device as Path=/dev/drbd0) is already exported as LUN 0" in found[0].message
    assert found[0].related[0].line == 2


def test_iet003_same_path_in_two_targets(tmp_path: Path) -> None:
    text = ietd_conf("0 Path=/dev/mapper/vg0-data") + ietd_conf(
        "0 Path=/dev/vg0/data", target="iqn.2024-01.org.example:other"
    )
    found = run(tmp_path, "IET003", {"san1": {"etc/ietd.conf": text}})
    assert where(found) == [("san1", 4, 8)]


def test_iet003_backing_disk(tmp_path: Path) -> None:
    found = run(tmp_path, "IET003", {"san1": head("0 Path=/dev/mapper/vg0-r0,Type=blockio")})
    assert len(found) == 1
    assert "backing disk of DRBD resource r0" in found[0].message
    assert "export /dev/drbd0 instead" in found[0].message
    assert found[0].related[0].path.endswith("san1/etc/drbd.conf")


def test_iet003_clean(tmp_path: Path) -> None:
    drbd = drbd_conf(("r0", 0), ("r1", 1))
    luns = ("0 Path=/dev/drbd0,Type=blockio", "1 Path=/dev/drbd1", "2 Type=nullio")
    assert run(tmp_path, "IET003", {"san1": head(*luns, drbd=drbd)}) == []


# IET005 -----------------------------------------------------------------------------------------


def test_iet005_unknown_minor(tmp_path: Path) -> None:
    found = run(tmp_path, "IET005", {"san1": head("0 Path=/dev/drbd1,Type=blockio")})
    assert where(found) == [("san1", 2, 8)]
    assert "no resource of this host's DRBD configuration defines it" in found[0].message


def test_iet005_defined_for_the_peer_only(tmp_path: Path) -> None:
    drbd = drbd_conf(("r0", 0)).replace(
        "device    /dev/drbd0;\n    disk      /dev/vg0/r0;\n    address   10.0.0.2",
        "device    /dev/drbd5;\n    disk      /dev/vg0/r0;\n    address   10.0.0.2",
    )
    found = run(tmp_path, "IET005", {"san2": head("0 Path=/dev/drbd0,Type=blockio", drbd=drbd)})
    assert len(found) == 1
    assert "defines it only for san1, not for san2" in found[0].message


def test_iet005_unknown_resource_name(tmp_path: Path) -> None:
    found = run(tmp_path, "IET005", {"san1": head("0 Path=/dev/drbd/by-res/r9,Type=blockio")})
    assert len(found) == 1


def test_iet005_silent_without_drbd_config_and_for_known_devices(tmp_path: Path) -> None:
    hosts = {
        "san1": {"etc/ietd.conf": ietd_conf("0 Path=/dev/drbd7")},
        "san2": head("0 Path=/dev/drbd/by-res/r0/0,Type=blockio", "1 Path=/dev/sdb"),
    }
    assert run(tmp_path, "IET005", hosts) == []


# IET004 -----------------------------------------------------------------------------------------


def test_iet004_different_scsi_id(tmp_path: Path) -> None:
    hosts = {
        "san1": head("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0-lun0"),
        "san2": head("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0-lun0"),
        "san3": head("0 Path=/dev/drbd0,Type=blockio,ScsiId=other"),
    }
    hosts["san3"]["etc/drbd.conf"] = hosts["san3"]["etc/drbd.conf"].replace("san2", "san3")
    found = run(tmp_path, "IET004", hosts)
    assert where(found) == [("san3", 2, 37)]
    assert "with ScsiId=other, but san1, san2 export it with ScsiId=r0-lun0" in found[0].message
    assert [r.host for r in found[0].related] == ["san1", "san2"]


def test_iet004_missing_scsi_id_on_every_head(tmp_path: Path) -> None:
    hosts = {"san1": head("0 Path=/dev/drbd0,Type=blockio"), "san2": head("0 Path=/dev/drbd0")}
    # IET 1.4.20+ derives the ID from the target name and LUN: the same name and number on
    # both heads give the same predicted WWID, which is one device to multipath
    assert run(tmp_path / "new", "IET004", hosts) == []
    # before 1.4.20 the ID comes from the target id and the device's inode: unknown per head
    found = run(tmp_path / "old", "IET004", hosts, {"iet": "1.4.19"})
    assert where(found) == [("san1", 2, 2), ("san2", 2, 2)]
    assert "cannot be known to present one WWID" in found[0].message
    assert "IET before 1.4.20 derives the ID from the target id" in found[0].message


def test_iet004_derived_ids_of_differently_named_targets(tmp_path: Path) -> None:
    hosts = {"san1": head("0 Path=/dev/drbd0,Type=blockio"), "san2": head("0 Path=/dev/drbd0")}
    hosts["san2"]["etc/iet/ietd.conf"] = hosts["san2"]["etc/iet/ietd.conf"].replace(
        "Target iqn", "Target iqn.x", 1
    )
    (found,) = run(tmp_path, "IET004", hosts)
    assert found.location.host == "san2"
    expected = "it presents another WWID than the iet's default identity (WWID 14945540"
    assert expected in found.message


def test_iet004_serial(tmp_path: Path) -> None:
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME}"),
        "san2": head(f"0 Path=/dev/drbd0,{SAME},ScsiSN=mine"),
    }
    found = run(tmp_path, "IET004", hosts)
    assert where(found)[0][0] in ("san1", "san2")
    assert len(found) == 1 and "ScsiSN" in found[0].message
    hosts["san1"] = head(f"0 Path=/dev/drbd0,{SAME},ScsiSN=" + b"r0-lun0".ljust(16, b"\0").hex())
    hosts["san2"] = head(f"0 Path=/dev/drbd0,{SAME}")
    assert run(tmp_path / "same", "IET004", hosts) == []


def test_iet004_clean(tmp_path: Path) -> None:
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME}"),
        "san2": head(f"0 Path=/dev/drbd/by-res/r0,{SAME}", rel="etc/ietd.conf"),
        "san3": head("0 Path=/dev/vg0/r0"),  # not a replica of this site's DRBD
    }
    assert run(tmp_path, "IET004", hosts) == []


# IET008 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lun", "edit", "fixed"),
    [
        (
            "0 Path=/dev/drbd0,Type=fileio,ScsiId=r0-lun0",
            (2, 29, 2, 35, "blockio"),
            "0 Path=/dev/drbd0,Type=blockio,ScsiId=r0-lun0",
        ),
        (
            "0 Path=/dev/drbd0,ScsiId=r0-lun0",
            (2, 38, 2, 38, ",Type=blockio"),
            "0 Path=/dev/drbd0,ScsiId=r0-lun0,Type=blockio",
        ),
        (
            "0 Path=/dev/drbd0,IOMode=wb,type=fileio,ScsiId=r0-lun0",
            (2, 24, 2, 45, "type=blockio"),
            "0 Path=/dev/drbd0,type=blockio,ScsiId=r0-lun0",
        ),
        (
            "0 Path=/dev/drbd0,ScsiId=r0-lun0,IOMode=wb",
            (2, 38, 2, 48, ",Type=blockio"),
            "0 Path=/dev/drbd0,ScsiId=r0-lun0,Type=blockio",
        ),
    ],
)
def test_iet008_fix(
    tmp_path: Path, lun: str, edit: tuple[int, int, int, int, str], fixed: str
) -> None:
    hosts = {"san1": head(lun), "san2": head(f"0 Path=/dev/drbd0,{SAME}")}
    found = run(tmp_path, "IET008", hosts)
    assert where(found)[0][0] == "san1" and len(found) == 1
    fix = found[0].fix
    assert fix is not None and not fix.safe
    (text_edit,) = fix.edits
    assert (text_edit.line, text_edit.column, text_edit.end_line, text_edit.end_column) == edit[:4]
    assert text_edit.text == edit[4]
    assert text_edit.path.endswith("san1/etc/iet/ietd.conf")
    original = hosts["san1"]["etc/iet/ietd.conf"]
    assert apply(original, fix.edits) == ietd_conf(fixed)


def test_iet008_message_and_related(tmp_path: Path) -> None:
    hosts = {
        "san1": head("0 Path=/dev/drbd0,Type=fileio,IOMode=wb,ScsiId=r0-lun0"),
        "san2": head(f"0 Path=/dev/drbd0,{SAME}"),
    }
    (found,) = run(tmp_path, "IET008", hosts)
    assert "DRBD resource r0 and san2 exports it too, here with Type=fileio and IOMode=wb" in (
        found.message
    )
    assert (found.location.line, found.location.column, found.location.end_column) == (2, 24, 35)
    assert [r.host for r in found.related] == ["san2"]


def test_iet008_clean(tmp_path: Path) -> None:
    one_head = {"san1": head("0 Path=/dev/drbd0,ScsiId=r0-lun0")}
    assert run(tmp_path, "IET008", one_head) == []
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME},IOMode=wb"),  # blockio ignores wb
        "san2": head(f"0 Path=/dev/drbd0,{SAME}"),
    }
    assert run(tmp_path / "two", "IET008", hosts) == []


# MPATH001 ---------------------------------------------------------------------------------------


def test_mpath001_wrong_scsi_id(tmp_path: Path) -> None:
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME}"),
        "xen1": {"etc/multipath.conf": multipath_conf((wwid("r0-lun1"), "r0"))},
    }
    found = run(tmp_path, "MPATH001", hosts)
    assert where(found) == [("xen1", 3, 3)]
    assert "it stands for ScsiId=r0-lun1, which no LUN sets" in found[0].message
    assert "whatever uses r0 finds no device" in found[0].message


def test_mpath001_hints(tmp_path: Path) -> None:
    good = wwid("r0-lun0")
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME}"),
        "xen1": {
            "etc/multipath.conf": multipath_conf((good.upper(), "upper"), (good[:-2], "short"))
            + f"blacklist_exceptions {{\n\twwid ^{good[:-1]}1$\n}}\n"
        },
    }
    found = run(tmp_path, "MPATH001", hosts)
    assert len(found) == 3
    upper, short, exception = found
    assert "differs only in letter case" in upper.message
    assert upper.related[0].host == "san1"
    assert "an IET WWID has 49 characters, this one 47" in short.message
    assert exception.message.startswith("blacklist_exceptions on xen1 names wwid")


def test_mpath001_silent(tmp_path: Path) -> None:
    entries = ((wwid("r0-lun0"), "r0"), ("3600508b4000156d700012000000b0000", "array"))
    no_targets = {"xen1": {"etc/multipath.conf": multipath_conf(*entries)}}
    assert run(tmp_path, "MPATH001", no_targets) == []
    hosts = {"san1": head(f"0 Path=/dev/drbd0,{SAME}"), **no_targets}
    assert run(tmp_path / "match", "MPATH001", hosts) == []
    # a derived (binary) ID could be the one of a LUN whose WWID cannot be computed
    old = {
        "san1": head("0 Path=/dev/drbd0", rel="etc/ietd.conf"),
        "xen1": {
            "etc/multipath.conf": multipath_conf(
                ("1494554000000000092b2f035f043507fbfe3f80d9b01d4a2", "x")
            )
        },
    }
    assert run(tmp_path / "old", "MPATH001", old, {"iet": "1.4.19"}) == []
    old["xen1"]["etc/multipath.conf"] = multipath_conf((wwid("typo"), "x"))
    assert len(run(tmp_path / "old2", "MPATH001", old, {"iet": "1.4.19"})) == 1


# MPATH006 ---------------------------------------------------------------------------------------


def heads(*luns: str) -> dict[str, dict[str, str]]:
    return {"san1": head(*luns), "san2": head(*luns)}


@pytest.mark.parametrize(
    ("body", "entry_body", "fires"),
    [
        ("", "\t\tpath_grouping_policy multibus\n", True),
        ("defaults {\n\tpath_grouping_policy multibus\n}\n", "", True),
        ("", "\t\tpath_grouping_policy group_by_serial\n", True),
        ("", "\t\tpath_grouping_policy group_by_node_name\n", True),
        ("", "\t\tpath_grouping_policy group_by_prio\n", True),
        ("", "\t\tpath_grouping_policy group_by_prio\n\t\tprio iet\n", False),
        ("", "\t\tpath_grouping_policy failover\n", False),
        ("", "", False),
        (
            "defaults {\n\tpath_grouping_policy multibus\n}\n"
            'devices {\n\tdevice {\n\t\tvendor "^IET"\n\t\tpath_grouping_policy failover\n\t}\n}\n',
            "",
            False,
        ),
        (
            'devices {\n\tdevice {\n\t\tvendor "IET"\n\t\tproduct "VIRTUAL-DISK"\n'
            "\t\tpath_grouping_policy multibus\n\t}\n}\n",
            "",
            True,
        ),
    ],
)
def test_mpath006_policies(tmp_path: Path, body: str, entry_body: str, fires: bool) -> None:
    hosts = {
        **heads(f"0 Path=/dev/drbd0,{SAME}"),
        "xen1": {
            "etc/multipath.conf": multipath_conf(
                (wwid("r0-lun0"), "r0"), body=body, entry_body=entry_body
            )
        },
    }
    found = run(tmp_path, "MPATH006", hosts)
    assert len(found) == (1 if fires else 0)
    if fires:
        assert found[0].location.host == "xen1"
        assert "exported by san1, san2" in found[0].message


def test_mpath006_serial_and_node_name_need_agreement(tmp_path: Path) -> None:
    hosts = {
        "san1": head(f"0 Path=/dev/drbd0,{SAME},ScsiSN=a"),
        "san2": {
            "etc/drbd.conf": drbd_conf(("r0", 0)),
            "etc/ietd.conf": ietd_conf(
                f"0 Path=/dev/drbd0,{SAME},ScsiSN=b", target="iqn.2024-01.org.example:san2"
            ),
        },
        "xen1": {
            "etc/multipath.conf": multipath_conf(
                (wwid("r0-lun0"), "r0"), entry_body="\t\tpath_grouping_policy group_by_serial\n"
            )
        },
    }
    assert run(tmp_path, "MPATH006", hosts) == []
    conf = hosts["xen1"]["etc/multipath.conf"].replace("group_by_serial", "group_by_node_name")
    hosts["xen1"]["etc/multipath.conf"] = conf
    assert run(tmp_path / "name", "MPATH006", hosts) == []


def test_mpath006_one_head_or_no_replica(tmp_path: Path) -> None:
    entry = "\t\tpath_grouping_policy multibus\n"
    xen = {"etc/multipath.conf": multipath_conf((wwid("r0-lun0"), "r0"), entry_body=entry)}
    assert run(tmp_path, "MPATH006", {"san1": head(f"0 Path=/dev/drbd0,{SAME}"), "xen1": xen}) == []
    plain = {
        "san1": {"etc/ietd.conf": ietd_conf(f"0 Path=/dev/sdb,{SAME}")},
        "san2": {"etc/ietd.conf": ietd_conf(f"0 Path=/dev/sdb,{SAME}")},
        "xen1": xen,
    }
    assert run(tmp_path / "plain", "MPATH006", plain) == []


# Sites ------------------------------------------------------------------------------------------


def test_example_site() -> None:
    found = {(d.code, d.location.host) for d in lint_site("example", *CODES)}
    assert found == {
        ("IET004", "san2"),
        ("IET008", "san1"),
        ("IET008", "san2"),
        ("MPATH006", "xen2"),
    }


@pytest.mark.parametrize("name", ["example-fixed", "stack-ok"])
def test_clean_sites(name: str) -> None:
    assert lint_site(name, *CODES) == []


def test_stack_identity_mismatch_site() -> None:
    found = [
        (d.code, d.location.host, d.location.line)
        for d in lint_site("stack-identity-mismatch", *CODES)
    ]
    assert sorted(found) == [
        ("IET004", "san2", 4),
        ("IET004", "san2", 5),
        ("IET008", "san1", 5),
        ("MPATH001", "xen1", 11),
        ("MPATH006", "xen2", 3),
        ("MPATH006", "xen2", 3),
    ]


def test_mpath006_fix_sets_failover_in_the_entry(tmp_path: Path) -> None:
    w = wwid("r0-lun0")
    body = "defaults {\n\tpath_grouping_policy multibus\n}\n"
    conf = multipath_conf((w, "r0"), body=body)
    found = run(
        tmp_path,
        "MPATH006",
        {**heads(f"0 Path=/dev/drbd0,{SAME}"), "xen1": {"etc/multipath.conf": conf}},
    )
    fix = found[0].fix
    assert fix is not None and not fix.safe
    assert [(e.line, e.column, e.end_line, e.end_column, e.text) for e in fix.edits] == [
        (8, 1, 8, 1, "\t\tpath_grouping_policy failover\n")
    ]
    assert found[0].location.line == 2  # the defaults line decides


def test_mpath006_fix_for_an_exception_adds_an_entry(tmp_path: Path) -> None:
    w = wwid("r0-lun0")
    conf = (
        "defaults {\n\tpath_grouping_policy multibus\n}\n"
        + f"blacklist_exceptions {{\n\twwid {w}\n}}\n"
    )
    found = run(
        tmp_path,
        "MPATH006",
        {**heads(f"0 Path=/dev/drbd0,{SAME}"), "xen1": {"etc/multipath.conf": conf}},
    )
    fix = found[0].fix
    assert fix is not None
    (edit,) = fix.edits
    assert (edit.line, edit.column) == (7, 1)
    assert f"wwid {w}" in edit.text and "path_grouping_policy failover" in edit.text
