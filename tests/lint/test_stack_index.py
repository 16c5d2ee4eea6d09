"""The stack index: DRBD devices by every name, LUNs and their identity, maps, guests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.lint.sites import write_site
from tests.lint.stack_hosts import TARGET, drbd_conf, head, ietd_conf, multipath_conf, wwid
from xsanconf.facts.stack import (
    canonical_device,
    iet_wwid_scsi_id,
    parse_iet_version,
    resolve_in_host,
    stack_index,
    stack_index_for,
)
from xsanconf.lint.site import Host, Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"


def load(tmp_path: Path, hosts: dict[str, dict[str, str]]) -> Site:
    write_site(tmp_path / "site", hosts)
    return Site.load([tmp_path / "site"])


def host(site: Site, name: str) -> Host:
    found = site.host(name)
    assert found is not None
    return found


def test_example_site_chain() -> None:
    site = Site.load([FIXTURES / "example"])
    index = stack_index(site)
    san1, san2 = host(site, "san1"), host(site, "san2")
    assert [(d.resource, d.volume, d.minor, d.disk) for d in index.host(san1).drbd_devices] == [
        ("xensan", 0, 0, "/dev/vg00/san")
    ]
    luns = index.by_replica[("xensan", 0)]
    assert [(lun.host.name, lun.number, lun.path) for lun in luns] == [
        ("san1", 0, "/dev/drbd0"),
        ("san2", 0, "/dev/drbd0"),
    ]
    first, second = luns
    assert first.wwid is not None and first.wwid.value == wwid("149455403f160c00")
    assert first.identity.source == "explicit" and first.identity.written == "149455403f160c00"
    assert second.identity.source == "default"  # san2 sets no ScsiId
    assert second.wwid != first.wwid
    assert first.serial == b"149455403f160c00".hex()
    assert index.replica_hosts(("xensan", 0)) == [san1, san2]
    assert index.has_targets
    maps = index.maps_by_wwid[wwid("149455403f160c00")]
    assert [(m.host.name, m.alias, m.policy, m.policy_source) for m in maps] == [
        ("xen1", "xensan", "failover", "multipath entry"),
        ("xen2", "xensan", "multibus", "multipath entry"),
    ]
    assert index.host(san2).elsewhere["/dev/drbd0"] == ["san1"]


def test_built_once_per_site_and_versions() -> None:
    site = Site.load([FIXTURES / "example"])
    assert stack_index(site) is stack_index(site)
    assert stack_index_for(site, {"drbd": "9"}) is stack_index(site)
    assert stack_index(site, "8.4") is not stack_index(site)
    assert stack_index_for(site, {"iet": "1.4.19"}).iet_version == (1, 4, 19)


def test_every_name_of_a_device(tmp_path: Path) -> None:
    drbd = (
        "resource r0 {\n  volume 0 { device /dev/drbd0; disk /dev/vg0/a; meta-disk internal; }\n"
        "  volume 1 { device minor 1; disk /dev/vg0/b; meta-disk internal; }\n"
        "  on san1 { address 10.0.0.1:7788; }\n  on san2 { address 10.0.0.2:7788; }\n}\n"
    )
    site = load(tmp_path, {"san1": {"etc/drbd.conf": drbd}})
    stack = stack_index(site).host(host(site, "san1"))
    for path, volume in [
        ("/dev/drbd0", 0),
        ("/dev/drbd/by-res/r0/0", 0),
        ("/dev/drbd/by-res/r0", 0),
        ("/dev/drbd1", 1),
        ("/dev/drbd/by-res/r0/1", 1),
        ("/dev/drbd/by-disk/vg0/b", 1),
        ("/dev//drbd1", 1),
    ]:
        device = stack.device(path)
        assert device is not None and device.replica == ("r0", volume), path
    assert stack.device("/dev/drbd/by-res/r0/2") is None
    backing = stack.backing("/dev/mapper/vg0-b")
    assert backing is not None and backing.volume == 1


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/dev/mapper/vg0-data", "/dev/vg0/data"),
        ("/dev/mapper/my--vg-my--lv", "/dev/my-vg/my-lv"),
        ("/dev/mapper/mpatha", "/dev/mapper/mpatha"),
        ("/dev/mapper/a-b-c", "/dev/mapper/a-b-c"),
        ("/dev/./sdb", "/dev/sdb"),
    ],
)
def test_canonical_device(path: str, canonical: str) -> None:
    assert canonical_device(path) == canonical


def test_lun_paths_follow_links_inside_the_host(tmp_path: Path) -> None:
    site = load(tmp_path, {"san1": head("0 Path=/dev/disks/r0,Type=blockio,ScsiId=a")})
    root = tmp_path / "site" / "san1"
    (root / "dev" / "disks").mkdir(parents=True)
    os.symlink("../drbd/by-res/r0", root / "dev" / "disks" / "r0")
    (root / "dev" / "drbd" / "by-res").mkdir(parents=True)
    os.symlink("/dev/drbd0", root / "dev" / "drbd" / "by-res" / "r0")
    site = Site.load([tmp_path / "site"])
    (lun,) = stack_index(site).luns
    assert lun.resolved_path == "/dev/drbd0"
    assert lun.device is not None and lun.device.replica == ("r0", 0)


def test_absolute_links_resolve_inside_the_host_root(tmp_path: Path) -> None:
    site = load(tmp_path, {"san1": {"etc/hostname": "san1\n"}})
    root = tmp_path / "site" / "san1"
    os.symlink("/dev", root / "dev")  # the host's own /dev: a link to itself
    assert resolve_in_host(host(site, "san1"), "/dev/stdin") == "/dev/stdin"
    os.symlink("/etc", root / "loop")  # the host's /etc, not the linting machine's
    assert resolve_in_host(host(site, "san1"), "loop/passwd") == "/etc/passwd"
    os.symlink("../../../../../../../../etc", root / "climb")  # ".." stops at the host root
    assert resolve_in_host(host(site, "san1"), "climb/hostname") == "/etc/hostname"


def test_ietd_file_that_ietd_reads(tmp_path: Path) -> None:
    site = load(
        tmp_path,
        {
            "san1": {
                "etc/iet/ietd.conf": ietd_conf("0 Path=/dev/drbd0,ScsiId=new"),
                "etc/ietd.conf": ietd_conf("0 Path=/dev/drbd0,ScsiId=old"),
            }
        },
    )
    san1 = host(site, "san1")
    new = stack_index(site).host(san1)
    assert [lun.scsi_id for lun in new.luns] == ["new"]
    assert [f.rel for f in new.ignored_ietd] == ["etc/ietd.conf"]
    # 1.4.18 moved the files to /etc/iet/ (IET009 reads the same way); 0.4.x never looks there
    assert [lun.scsi_id for lun in stack_index(site, iet_version=(1, 4, 19)).host(san1).luns] == [
        "new"
    ]
    old = stack_index(site, iet_version=(0, 4, 17)).host(san1)
    assert [lun.scsi_id for lun in old.luns] == ["old"]


def test_identity_without_scsi_id_depends_on_the_version(tmp_path: Path) -> None:
    site = load(tmp_path, {"san1": head("0 Path=/dev/drbd0,Type=blockio", rel="etc/ietd.conf")})
    (lun,) = stack_index(site).luns
    assert lun.wwid is not None and lun.identity.source == "default"
    assert lun.serial == lun.wwid.value[17:]
    old = stack_index(site, iet_version=(1, 4, 19))
    assert [lun.wwid for lun in old.luns] == [None]
    assert old.unknown_wwids == old.luns
    assert old.luns[0].serial is None


def test_lun_fields(tmp_path: Path) -> None:
    site = load(
        tmp_path,
        {"san1": head("3 Path=/dev/drbd0,IOMode=wb,ScsiId=disk1,ScsiSN=SN1", drbd=drbd_conf())},
    )
    (lun,) = stack_index(site).luns
    assert (lun.target, lun.number, lun.io_type) == (TARGET, 3, "fileio")
    assert (lun.lun.cache, lun.lun.cache_reason) == (
        "write-back",
        "no Type (fileio is the default) and IOMode=wb",
    )
    assert lun.implementation == "iet" and lun.setting("backing") == "Path"
    assert (lun.scsi_id, lun.scsi_sn, lun.serial) == ("disk1", "SN1", "SN1")
    assert lun.device is None and lun.replica is None
    location = lun.param_location("ScsiId", "here")
    assert (location.line, location.column, location.end_column) == (2, 34, 46)
    assert location.message == "here"


def test_map_grouping_precedence(tmp_path: Path) -> None:
    w = wwid("a")
    body = (
        "defaults {\n\tpath_grouping_policy multibus\n\tprio const\n}\n"
        'devices {\n\tdevice {\n\t\tvendor "IET"\n\t\tproduct "VIRTUAL"\n'
        "\t\tpath_grouping_policy group_by_serial\n\t}\n"
        '\tdevice {\n\t\tvendor "NETAPP"\n\t\tpath_grouping_policy group_by_prio\n\t}\n}\n'
    )
    conf_d = "overrides {\n\tpath_grouping_policy group_by_node_name\n}\n"
    site = load(
        tmp_path,
        {
            "xen1": {"etc/multipath.conf": multipath_conf((w, "a"), body=body)},
            "xen2": {
                "etc/multipath.conf": multipath_conf((w, "a"), body=body),
                "etc/multipath/conf.d/zz.conf": conf_d,
            },
            "xen3": {
                "etc/multipath.conf": multipath_conf(
                    (w, "a"), body=body, entry_body="\t\tpath_grouping_policy failover\n"
                ),
                "etc/multipath/conf.d/zz.conf": conf_d,
            },
            "xen4": {"etc/multipath.conf": multipath_conf((w, "a"))},
        },
    )
    found = {m.host.name: m for m in stack_index(site).maps_by_wwid[w]}
    assert (found["xen1"].policy, found["xen1"].policy_source) == ("group_by_serial", "devices")
    assert (found["xen2"].policy, found["xen2"].policy_source) == (
        "group_by_node_name",
        "overrides",
    )
    assert found["xen2"].policy_location().path.endswith("xen2/etc/multipath/conf.d/zz.conf")
    assert (found["xen3"].policy, found["xen3"].policy_source) == ("failover", "multipath entry")
    assert (found["xen4"].policy, found["xen4"].policy_source) == ("failover", "built-in")
    assert found["xen1"].prio == "const" and found["xen4"].prio is None


def test_maps_from_exceptions_and_merged_entries(tmp_path: Path) -> None:
    w, v = wwid("a"), wwid("b")
    text = (
        f'blacklist_exceptions {{\n\twwid "^{w}$"\n\twwid "^{v}$"\n\twwid "3600.*"\n}}\n'
        + multipath_conf((v, "first"))
        + f"multipaths {{\n\tmultipath {{\n\t\twwid {v}\n\t\tpath_grouping_policy multibus\n"
        "\t}\n}\n"
    )
    site = load(tmp_path, {"xen1": {"etc/multipath.conf": text}})
    maps = {m.wwid: m for m in stack_index(site).host(host(site, "xen1")).maps}
    assert set(maps) == {w, v}
    assert maps[w].entry is None and maps[w].exception is not None
    assert (maps[v].alias, maps[v].policy) == ("first", "multibus")


def test_guest_disks(tmp_path: Path) -> None:
    w = wwid("a")
    guest = (
        "name = 'vm1'\ndisk = ['phy:/dev/mapper/data,xvda,w', 'drbd:r0,xvdb,w', "
        f"'phy:/dev/disk/by-id/scsi-{w},xvdc,w', 'phy:/dev/sda1,xvdd,w']\n"
    )
    site = load(
        tmp_path,
        {"xen1": {"etc/multipath.conf": multipath_conf((w, "data")), "etc/xen/vm1.cfg": guest}},
    )
    index = stack_index(site)
    disks = index.host(host(site, "xen1")).guest_disks
    assert [(d.guest, d.map_name, d.drbd_resource, d.wwid) for d in disks] == [
        ("vm1", "data", None, w),
        ("vm1", None, "r0", None),
        ("vm1", None, None, w),
    ]
    assert disks[0].map is disks[2].map is index.maps_by_wwid[w][0]
    assert [d.location().line for d in index.guests_by_wwid[w]] == [2, 2]


@pytest.mark.parametrize(
    ("text", "version"),
    [("1.4.19", (1, 4, 19)), ("0.4.15", (0, 4, 15)), ("", None), (None, None), ("new", None)],
)
def test_parse_iet_version(text: str | None, version: tuple[int, ...] | None) -> None:
    assert parse_iet_version(text) == version


def test_scsi_id_of_a_wwid() -> None:
    assert iet_wwid_scsi_id(wwid("disk1")) == b"disk1".ljust(16, b"\0")
    assert iet_wwid_scsi_id(wwid("disk1").upper()) == b"disk1".ljust(16, b"\0")
    assert iet_wwid_scsi_id("3600508b4000156d700012000000b0000") is None
    assert iet_wwid_scsi_id(wwid("disk1")[:-1] + "g") is None


def test_each_host_is_indexed_at_its_own_iet_version(tmp_path: Path) -> None:
    """A head whose package database says IET 1.4.19 presents no default unit serial; its
    peer, with no evidence, is read as 1.4.20 or later (a serial from the SCSI ID)."""
    from xsanconf.lint.facts.versions import host_versions

    old = head("0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0", drbd=drbd_conf(("r0", 0)))
    old["var/lib/dpkg/status"] = (
        "Package: iscsitarget\nStatus: install ok installed\nVersion: 1.4.19+svn275-ubuntu2\n"
    )
    new = head("0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0", drbd=drbd_conf(("r0", 0)))
    site = load(tmp_path, {"san1": old, "san2": new})
    index = stack_index_for(site, {}, host_versions)
    assert index.iet_versions == {"san1": (1, 4, 19)}
    (lun1,) = index.host(host(site, "san1")).luns
    (lun2,) = index.host(host(site, "san2")).luns
    assert lun1.serial is None and lun2.serial is not None
    site_wide = stack_index_for(site, {})
    assert all(lun.serial is not None for lun in site_wide.luns)


def test_luns_by_the_device_they_open(tmp_path: Path) -> None:
    luns = ("0 Path=/dev/drbd0", "1 Path=/dev/drbd/by-res/r0", "2 Path=/dev/mapper/vg0-x")
    site = load(tmp_path, {"san1": head(*luns)})
    (stack,) = stack_index(site).hosts.values()
    assert {k: [lun.number for lun in v] for k, v in stack.luns_by_device.items()} == {
        ("drbd", "r0", "0"): [0, 1],
        ("path", "/dev/vg0/x"): [2],
    }
