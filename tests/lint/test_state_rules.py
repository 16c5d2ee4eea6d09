"""STATE001-STATE005 on the fixture sites (plain captures and sosreports) and on small sites
built for each case; every rule is silent where its capture is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lint.conftest import SITES
from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

STATE = ["STATE001", "STATE002", "STATE003", "STATE004", "STATE005"]


def _lint(root: Path) -> list[Diagnostic]:
    result = lint(Site.load([root]), LintOptions(select=STATE))
    assert not result.failures, result.failures
    return list(result.diagnostics)


def _found(root: Path) -> list[tuple[str, str | None, str, int]]:
    return sorted(
        (d.code, d.location.host, d.location.path.rsplit("/", 1)[-1], d.location.line)
        for d in _lint(root)
    )


def test_state_ok_lints_clean() -> None:
    result = lint(Site.load([SITES / "state-ok"]))
    assert [d.message for d in result.diagnostics] == []


def test_state_broken_sosreports() -> None:
    assert _found(SITES / "state-broken") == [
        ("STATE001", "san1", "drbdsetup_status_-vs_all", 15),
        ("STATE001", "san2", "drbd", 6),
        ("STATE002", "san1", "drbdsetup_status_-vs_all", 1),
        ("STATE002", "san2", "dmesg", 3),
        ("STATE002", "san2", "drbd", 4),
        ("STATE003", "xen1", "multipath_-ll", 1),
        ("STATE003", "xen2", "multipath_-ll", 1),
        ("STATE003", "xen2", "multipath_-ll", 5),
        ("STATE004", "xen1", "multipath_-ll", 7),
        ("STATE005", "xen2", "iscsiadm_-m_node_--op_show", 19),
    ]


def test_state_broken_reports_nothing_else() -> None:
    result = lint(Site.load([SITES / "state-broken"]))
    assert {d.code for d in result.diagnostics} <= set(STATE)
    assert [h.name for h in Site.load([SITES / "state-broken"]).hosts] == [
        "san1",
        "san2",
        "xen1",
        "xen2",
    ]


def test_no_capture_no_finding() -> None:
    assert _lint(SITES / "stack-ok") == []


PAIR = """\
resource r0 {
  on san1 {
    device    /dev/drbd0;
    disk      /dev/vg0/r0;
    address   10.0.0.1:7788;
    meta-disk internal;
  }
  on san2 {
    device    /dev/drbd0;
    disk      %s;
    address   10.0.0.2:7788;
    meta-disk internal;
  }
}
"""


def _pair(tmp_path: Path, capture: str, text: str, disk: str = "/dev/vg0/r0") -> Path:
    write_site(tmp_path, {"san2": {"etc/drbd.conf": PAIR % disk, capture: text}})
    return tmp_path


def test_a_resource_the_capture_does_not_show_is_down(tmp_path: Path) -> None:
    root = _pair(tmp_path, "captures/drbdadm-status.txt", "other role:Secondary\n  disk:UpToDate\n")
    (found,) = _lint(root)
    assert found.code == "STATE001" and found.location.path.endswith("etc/drbd.conf")
    assert "drbdadm up r0" in found.message


@pytest.mark.parametrize(
    ("status", "disk", "expected"),
    [
        # a diskless node configured with "disk none" is what it should be
        (
            "r0 role:Secondary\n  disk:Diskless\n  san1 role:Primary\n    peer-disk:UpToDate\n",
            "none",
            [],
        ),
        (
            "r0 role:Secondary\n  disk:Diskless\n  san1 role:Primary\n    peer-disk:UpToDate\n",
            "/dev/vg0/r0",
            [2],
        ),
        (
            "r0 role:Secondary\n  disk:Inconsistent\n  san1 role:Primary\n"
            "    replication:SyncTarget peer-disk:UpToDate done:12.50\n",
            "/dev/vg0/r0",
            [2],
        ),
        ("r0 role:Secondary\n  disk:UpToDate\n  san1 connection:Connecting\n", "/dev/vg0/r0", [3]),
    ],
)
def test_drbd_status_cases(tmp_path: Path, status: str, disk: str, expected: list[int]) -> None:
    root = _pair(tmp_path, "captures/drbdadm-status.txt", status, disk)
    assert [d.location.line for d in _lint(root) if d.code == "STATE001"] == expected


def test_proc_drbd_resync_counts_as_connected_and_9_says_nothing(tmp_path: Path) -> None:
    syncing = (
        "version: 8.4.11 (api:1/proto:86-101)\n"
        " 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n"
    )
    root = _pair(tmp_path / "a", "proc/drbd", syncing)
    assert [(d.code, d.location.line, "Inconsistent" in d.message) for d in _lint(root)] == [
        ("STATE001", 2, True)
    ]
    nine = "version: 9.2.8 (api:2/proto:86-122)\nTransports (api:20): tcp (9.2.8)\n"
    assert _lint(_pair(tmp_path / "b", "proc/drbd", nine)) == []


def test_json_status_and_dual_primary_with_a_secondary(tmp_path: Path) -> None:
    dual = PAIR.replace(
        "resource r0 {\n",
        "resource r0 {\n  startup { become-primary-on both; }\n"
        "  net { allow-two-primaries yes; }\n",
    )
    status = (
        '[{"name": "r0", "role": "Primary", "devices": [{"volume": 0, "disk-state": "UpToDate"}],'
        ' "connections": [{"name": "san1", "connection-state": "Connected",'
        ' "peer-role": "Secondary", "peer_devices": [{"volume": 0,'
        ' "replication-state": "Established", "peer-disk-state": "UpToDate"}]}]}]\n'
    )
    write_site(
        tmp_path,
        {
            "san2": {
                "etc/drbd.conf": dual % "/dev/vg0/r0",
                "captures/drbdsetup-status-json.txt": status,
            }
        },
    )
    (found,) = _lint(tmp_path)
    assert found.code == "STATE002" and "san1 is Secondary" in found.message


def _initiator(tmp_path: Path, files: dict[str, str]) -> Path:
    ietd = (
        "Target iqn.2024-01.org.example.san:vm\n"
        "\tLun 0 Path=/dev/vg0/a,Type=blockio,ScsiId=vm-a\n"
        "\tLun 1 Path=/dev/vg0/b,Type=blockio,ScsiId=vm-a\n"
    )
    write_site(tmp_path, {"san1": {"etc/iet/ietd.conf": ietd}, "xen1": files})
    return tmp_path


SESSION = """\
Target: iqn.2024-01.org.example.san:vm (non-flash)
\tCurrent Portal: 10.0.1.1:3260,1
\tPersistent Portal: 10.0.1.9:3260,1
\t\tscsi3 Channel 00 Id 0 Lun: 0
\t\t\tAttached scsi disk sdb\t\tState: running
\t\tscsi3 Channel 00 Id 0 Lun: 1
\t\t\tAttached scsi disk sdc\t\tState: running
"""
OLD_MAP = """\
vm-a (14945540000000000766d2d61000000000000000000000000) [size=10 GB][features="0"]
\\_ round-robin 0 [prio=1][active]
 \\_ 3:0:0:0 sdb 8:16 [active][ready]
 \\_ 3:0:0:1 sdc 8:32 [active][ready]
"""


def test_one_map_over_luns_of_two_devices(tmp_path: Path) -> None:
    root = _initiator(
        tmp_path,
        {"captures/multipath-ll.txt": OLD_MAP, "captures/iscsiadm-session.txt": SESSION},
    )
    found = [d for d in _lint(root) if d.code == "STATE004"]
    assert len(found) == 1 and "/dev/vg0/a, /dev/vg0/b" in found[0].message


def test_paths_missing_in_the_old_layout(tmp_path: Path) -> None:
    old = OLD_MAP.replace(
        " \\_ 3:0:0:0 sdb 8:16 [active][ready]", " \\_ 3:0:0:0 sdb 8:16 [failed][faulty]"
    )
    root = _initiator(tmp_path, {"captures/multipath-ll.txt": old})
    # one head exports the WWID: one usable path is enough
    assert _lint(root) == []


def test_a_session_at_the_persistent_portal_counts(tmp_path: Path) -> None:
    record = (
        "# BEGIN RECORD 2.0-874\nnode.name = iqn.2024-01.org.example.san:vm\n"
        "node.startup = automatic\nnode.conn[0].address = %s\nnode.conn[0].port = 3260\n"
        "# END RECORD\n"
    )
    nodes = record % "10.0.1.9" + record % "10.0.1.1" + record % "10.0.1.5"
    root = _initiator(
        tmp_path,
        {"captures/iscsiadm-node.txt": nodes, "captures/iscsiadm-session.txt": SESSION},
    )
    found = [d for d in _lint(root) if d.code == "STATE005"]
    assert [(d.location.line, "10.0.1.5:3260" in d.message) for d in found] == [(15, True)]
    # without a session capture there is nothing to compare with
    (root / "xen1" / "captures" / "iscsiadm-session.txt").unlink()
    assert [d for d in _lint(root) if d.code == "STATE005"] == []


def test_node_database_files_when_no_node_listing_was_captured(tmp_path: Path) -> None:
    record = "node.name = iqn.2024-01.org.example.san:vm\nnode.startup = %s\n"
    base = "var/lib/iscsi/nodes/iqn.2024-01.org.example.san:vm"
    root = _initiator(
        tmp_path,
        {
            "captures/iscsiadm-session.txt": SESSION,
            # 2.0-871 and later: a folder per portal, a file per interface
            f"{base}/10.0.1.1,3260,1/default": record % "automatic",
            f"{base}/10.0.1.5,3260,1/default": record % "automatic",
            f"{base}/10.0.1.6,3260,1/default": record % "manual",
            # before: the portal is the file
            "etc/iscsi/nodes/iqn.2024-01.org.example.san:vm/10.0.1.7,3260,1": record % "automatic",
        },
    )
    found = sorted(
        (d.location.path.split("/nodes/")[1], d.location.line)
        for d in _lint(root)
        if d.code == "STATE005"
    )
    assert found == [
        ("iqn.2024-01.org.example.san:vm/10.0.1.5,3260,1/default", 2),
        ("iqn.2024-01.org.example.san:vm/10.0.1.7,3260,1", 2),
    ]
    assert not [d for d in lint(Site.load([root])).diagnostics if d.code.startswith("SYN")]


def test_every_path_through_one_portal(tmp_path: Path) -> None:
    ietd = (
        "Target iqn.2024-01.org.example.san:vm\n\tLun 0 Path=/dev/vg0/a,Type=blockio,ScsiId=vm-a\n"
    )
    two_paths = (
        "vm-a (14945540000000000766d2d61000000000000000000000000) dm-0 IET,VIRTUAL-DISK\n"
        "`-+- policy='round-robin 0' prio=1 status=active\n"
        "  |- 3:0:0:0 sdb 8:16 active ready running\n"
        "  `- 3:0:0:1 sdc 8:32 active ready running\n"
    )
    session = SESSION.replace("Lun: 1", "Lun: 0")
    files = {"captures/multipath-ll.txt": two_paths, "captures/iscsiadm-session.txt": session}
    write_site(
        tmp_path,
        {"san1": {"etc/iet/ietd.conf": ietd}, "san2": {"etc/iet/ietd.conf": ietd}, "xen1": files},
    )
    (found,) = [d for d in _lint(tmp_path) if d.code == "STATE003"]
    assert "through one portal, 10.0.1.1:3260" in found.message
    # a second session, to the other head's portal, carries sdc: nothing to say
    first = session.split("\t\tscsi3 Channel 00 Id 0 Lun: 0\n")[0] + (
        "\t\tscsi3 Channel 00 Id 0 Lun: 0\n\t\t\tAttached scsi disk sdb\t\tState: running\n"
    )
    second = first.replace("10.0.1.1", "10.0.1.2").replace("sdb", "sdc")
    (tmp_path / "xen1/captures/iscsiadm-session.txt").write_text(first + second)
    assert [d for d in _lint(tmp_path) if d.code == "STATE003"] == []


# the kernel log lines of a split brain, as the DRBD users' guide (8.4) and a hastexo article
# quote them, and DRBD 9's prefix of resource, volume, minor and peer
@pytest.mark.parametrize(
    ("log", "line"),
    [
        ("[  141.0] block drbd0: Split-Brain detected, dropping connection!\n", 1),
        (
            "Dec  6 08:00:00 san2 kernel: drbd other: Split-Brain detected but unresolved\n"
            "Dec  6 08:01:00 san2 kernel: drbd r0/0 drbd0 san1: Split-Brain detected but "
            "unresolved, dropping connection!\n",
            2,
        ),
    ],
)
def test_a_recorded_split_brain(tmp_path: Path, log: str, line: int) -> None:
    root = _pair(tmp_path, "captures/dmesg.txt", log)
    (found,) = _lint(root)
    assert (found.code, found.location.line) == ("STATE002", line)
    assert "split brain of resource r0" in found.message


def test_no_split_brain_in_the_log(tmp_path: Path) -> None:
    root = _pair(tmp_path, "captures/dmesg.txt", "block drbd0: Handshake successful\n")
    assert _lint(root) == []


def test_two_primaries_point_at_what_the_module_holds() -> None:
    (found,) = [
        d
        for d in _lint(SITES / "state-broken")
        if d.code == "STATE002" and d.location.host == "san1"
    ]
    loaded = found.related[-1]
    assert loaded.path.endswith("sos_commands/drbd/drbdsetup_show_all") and loaded.line == 19


def test_a_supportconfig_section_is_a_capture(tmp_path: Path) -> None:
    ietd = (
        "Target iqn.2024-01.org.example.san:vm\n\tLun 0 Path=/dev/vg0/a,Type=blockio,ScsiId=vm-a\n"
    )
    write_site(tmp_path, {"san1": {"etc/iet/ietd.conf": ietd}, "san2": {"etc/iet/ietd.conf": ietd}})
    scc = tmp_path / "scc_xen1_261206_0800"
    scc.mkdir()
    (scc / "basic-environment.txt").write_text(
        "#==[ Command ]======================================#\n# /bin/uname -a\n"
        "Linux xen1 5.14.21-150500.55.19-default #1 SMP x86_64 GNU/Linux\n"
    )
    (scc / "mpio.txt").write_text(
        "#==[ Command ]======================================#\n"
        "# /sbin/multipathd show config\n"
        "defaults {\n}\n\n"
        "#==[ Command ]======================================#\n"
        "# /sbin/multipath -ll\n"
        "vm-a (14945540000000000766d2d61000000000000000000000000) dm-0 IET,VIRTUAL-DISK\n"
        "size=20G features='0' hwhandler='0' wp=rw\n"
        "`-+- policy='service-time 0' prio=1 status=active\n"
        "  `- 3:0:0:0 sdb 8:16 active ready running\n"
    )
    (found,) = _lint(tmp_path)
    assert (found.code, found.location.host, found.location.line) == ("STATE003", "xen1", 8)
    assert found.location.path.endswith("scc_xen1_261206_0800/mpio.txt")


def test_a_status_capture_of_an_error_message_is_no_state(tmp_path: Path) -> None:
    # drbd8-utils 8.4 has no "drbdsetup status": what sos captured is its complaint
    error = "drbdsetup status: unknown command\nUSAGE: drbdsetup command device arguments\n"
    root = _pair(tmp_path / "a", "sos_commands/drbd/drbdsetup_status_all", error)
    assert _lint(root) == []
    # then /proc/drbd speaks
    proc = (
        "version: 8.4.3 (api:1/proto:86-101)\n"
        " 0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown\n"
    )
    (root / "san2" / "proc").mkdir()
    (root / "san2" / "proc" / "drbd").write_text(proc)
    assert [(d.code, d.location.path.endswith("proc/drbd")) for d in _lint(root)] == [
        ("STATE001", True)
    ]
    # an empty status: nothing is up
    empty = _pair(tmp_path / "b", "captures/drbdadm-status.txt", "")
    assert [d.code for d in _lint(empty)] == ["STATE001"]


def test_a_session_capture_of_an_error_is_no_state(tmp_path: Path) -> None:
    record = "node.name = iqn.2024-01.org.example.san:vm\nnode.startup = automatic\n"
    files = {
        "captures/iscsiadm-session.txt": "iscsiadm: can not connect to iSCSI daemon (111)!\n",
        "etc/iscsi/nodes/iqn.2024-01.org.example.san:vm/10.0.1.1,3260,1/default": record,
    }
    root = _initiator(tmp_path, files)
    assert [d for d in _lint(root) if d.code == "STATE005"] == []
    (root / "xen1/captures/iscsiadm-session.txt").write_text("iscsiadm: No active sessions.\n")
    assert [d.code for d in _lint(root)] == ["STATE005"]


# STATE004 over every target implementation: the heads of a fixture site, and an initiator whose
# capture shows the LUN under the WWID the facts layer predicts (silent) or another (reported)

Case = tuple[str, tuple[str, ...], str, int, str, str, str]
_ANY_TARGET: list[Case] = [
    # site, heads, target, LUN, predicted WWID, vendor in multipath -ll, identity setting
    (
        "lio-pair",
        ("san1", "san2"),
        "iqn.2003-01.nl.example:xensan",
        0,
        "360014056e2c0a4d9f6b4c2e8d1a3b5f7",
        "LIO-ORG,xensan",
        "wwn",
    ),
    (
        "scst-pair",
        ("san1",),
        "iqn.2024-01.com.example:san1.vmstore",
        0,
        "2766d73746f72652d",
        "SCST_BIO,vmstore",
        "t10_dev_id",
    ),
    (
        "tgt-servers",
        ("tgt1",),
        "iqn.2024-03.org.example:tgt1.backup",
        1,
        "360000000000000000e00000000010001",
        "IET,VIRTUAL-DISK",
        "scsi_id",
    ),
]
OTHER_WWID = "36001405aaaaaaaaaaaaaaaaaaaaaaaaa"


def _target_site(tmp_path: Path, case: Case, wwid: str) -> Path:
    import shutil

    site, heads, target, lun, _, vendor, _ = case
    for head in heads:
        shutil.copytree(SITES / site / head, tmp_path / head)
    session = (
        f"Target: {target} (non-flash)\n"
        "\tCurrent Portal: 10.0.1.1:3260,1\n"
        "\tPersistent Portal: 10.0.1.1:3260,1\n"
        f"\t\tscsi3 Channel 00 Id 0 Lun: {lun}\n"
        "\t\t\tAttached scsi disk sdb\t\tState: running\n"
    )
    map_ = (
        f"vm ({wwid}) dm-0 {vendor}\n"
        "size=20G features='0' hwhandler='0' wp=rw\n"
        "`-+- policy='service-time 0' prio=1 status=active\n"
        f"  `- 3:0:0:{lun} sdb 8:16 active ready running\n"
    )
    write_site(
        tmp_path,
        {"xen1": {"captures/iscsiadm-session.txt": session, "captures/multipath-ll.txt": map_}},
    )
    return tmp_path


@pytest.mark.parametrize("case", _ANY_TARGET, ids=[c[0] for c in _ANY_TARGET])
def test_observed_identity_of_every_implementation(tmp_path: Path, case: Case) -> None:
    site, heads, _, _, wwid, _, setting = case
    good = _target_site(tmp_path / "good", case, wwid)
    assert [d for d in _lint(good) if d.code == "STATE004"] == []
    bad = _target_site(tmp_path / "bad", case, OTHER_WWID)
    found = [d for d in _lint(bad) if d.code == "STATE004"]
    assert len(found) == 1, found
    assert f"which presents {wwid}" in found[0].message
    assert found[0].location.host == "xen1"
    assert {r.host for r in found[0].related} == set(heads)
    assert f"'s {setting}" in found[0].message or "default identity" in found[0].message
    if site != "lio-pair":
        return
    # LIO: a restore that did not happen, not ietd's ScsiId
    assert "targetctl restore" in found[0].message and "ScsiId" not in found[0].message


def test_one_map_over_lio_luns_of_two_devices_names_wwn(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(SITES / "lio-pair" / "san1", tmp_path / "san1")
    config = tmp_path / "san1" / "etc" / "target" / "saveconfig.json"
    data = json.loads(config.read_text())
    tpg = data["targets"][0]["tpgs"][0]
    second = dict(data["storage_objects"][0], name="other", dev="/dev/vg0/other")
    data["storage_objects"].append(second)
    tpg["luns"].append(dict(tpg["luns"][0], index=1, storage_object="/backstores/block/other"))
    config.write_text(json.dumps(data, indent=2))
    session = (
        "Target: iqn.2003-01.nl.example:xensan (non-flash)\n"
        "\tCurrent Portal: 10.0.1.1:3260,1\n"
        "\t\tscsi3 Channel 00 Id 0 Lun: 0\n"
        "\t\t\tAttached scsi disk sdb\t\tState: running\n"
        "\t\tscsi3 Channel 00 Id 0 Lun: 1\n"
        "\t\t\tAttached scsi disk sdc\t\tState: running\n"
    )
    map_ = (
        "vm (360014056e2c0a4d9f6b4c2e8d1a3b5f7) dm-0 LIO-ORG,xensan\n"
        "size=20G features='0' hwhandler='0' wp=rw\n"
        "`-+- policy='service-time 0' prio=1 status=active\n"
        "  |- 3:0:0:0 sdb 8:16 active ready running\n"
        "  `- 3:0:0:1 sdc 8:32 active ready running\n"
    )
    write_site(
        tmp_path,
        {"xen1": {"captures/iscsiadm-session.txt": session, "captures/multipath-ll.txt": map_}},
    )
    found = [d for d in _lint(tmp_path) if d.code == "STATE004"]
    assert len(found) == 1, found
    assert "give each LUN its own wwn" in found[0].message
