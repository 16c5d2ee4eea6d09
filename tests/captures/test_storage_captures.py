"""multipath -ll, iscsiadm sessions and node records, targetcli ls, modinfo and /proc/cmdline,
against outputs published in bug reports and vendor guides (minimal excerpts, sources cited)
and the layouts their printers write."""

from __future__ import annotations

from xsanconf.captures.cmdline import parse_cmdline
from xsanconf.captures.iscsiadm import parse_iscsi_nodes, parse_iscsi_sessions
from xsanconf.captures.modinfo import find_module, parse_modinfo
from xsanconf.captures.multipath_ll import parse_multipath_ll
from xsanconf.captures.targetcli import parse_targetcli_ls

# github.com/rear/rear/issues/2428 (IET LUNs of two sites, three paths each)
MULTIPATH_IET = """\
site_A_3 (360000000000000000e00e6b900000003) dm-4 IET,VIRTUAL-DISK
size=512M features='1 queue_if_no_path' hwhandler='0' wp=rw
`-+- policy='round-robin 0' prio=0 status=active
  |- 7:0:0:3  sdi  8:128  active undef running
  |- 9:0:0:3  sdm  8:192  active undef running
  `- 8:0:0:3  sdp  8:240  active undef running
"""
# github.com/openshift-examples/web/issues/132 (no alias; two path groups)
MULTIPATH_GROUPS = """\
3600a09803830326d51244a3759634e77 dm-2 NETAPP,LUN C-Mode
size=30G features='3 queue_if_no_path pg_init_retries 50' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=50 status=active
| `- 8:0:0:2  sde 8:64  active ready running
`-+- policy='service-time 0' prio=10 status=enabled
  `- 7:0:0:2  sdc 8:32  active ready running
"""
# Red Hat Enterprise Linux 5 DM Multipath guide, "Multipath Command Output" (the \\_ layout)
MULTIPATH_OLD = """\
mpath1 (3600d0230003228bc000339414edb8101) [size=10 GB][features="0"][hwhandler="0"]
\\_ round-robin 0 [prio=1][active]
 \\_ 2:0:0:6 sdb 8:16 [active][ready]
\\_ round-robin 0 [prio=1][enabled]
 \\_ 3:0:0:6 sdc 8:64 [active][ready]
"""
# DataDirect Networks' multipath guide (properties on their own line, dm-N and vendor)
MULTIPATH_OLD_DM = """\
mpath19 (360001ff0721160000000002688e10002) dm-2 DDN,S2A 6620
[size=21T][features=1 queue_if_no_path][hwhandler=0][rw]
\\_ round-robin 0 [prio=50][active]
 \\_ 1:0:0:2 sdg 8:96 [active][ready]
"""


def test_multipath_current_layout() -> None:
    parsed = parse_multipath_ll(MULTIPATH_IET)
    (mp,) = parsed.maps
    assert (mp.name, mp.wwid, mp.dm, mp.vendor, mp.product, mp.line) == (
        "site_A_3",
        "360000000000000000e00e6b900000003",
        "dm-4",
        "IET",
        "VIRTUAL-DISK",
        1,
    )
    (group,) = mp.groups
    assert (group.policy, group.prio, group.status) == ("round-robin 0", "0", "active")
    assert [(p.hctl, p.dev, p.devt, p.dm_state, p.checker, p.online, p.line) for p in mp.paths] == [
        ("7:0:0:3", "sdi", "8:128", "active", "undef", "running", 4),
        ("9:0:0:3", "sdm", "8:192", "active", "undef", "running", 5),
        ("8:0:0:3", "sdp", "8:240", "active", "undef", "running", 6),
    ]
    assert all(p.usable for p in mp.paths) and not parsed.unread


def test_multipath_without_alias_two_groups() -> None:
    (mp,) = parse_multipath_ll(MULTIPATH_GROUPS).maps
    assert (mp.name, mp.wwid, mp.product) == (
        mp.wwid,
        "3600a09803830326d51244a3759634e77",
        "LUN C-Mode",
    )
    assert [(g.status, [p.dev for p in g.paths]) for g in mp.groups] == [
        ("active", ["sde"]),
        ("enabled", ["sdc"]),
    ]


def test_multipath_old_layouts() -> None:
    (old,) = parse_multipath_ll(MULTIPATH_OLD).maps
    assert (old.name, old.wwid, old.dm) == ("mpath1", "3600d0230003228bc000339414edb8101", None)
    assert [(g.policy, g.prio, g.status) for g in old.groups] == [
        ("round-robin 0", "1", "active"),
        ("round-robin 0", "1", "enabled"),
    ]
    assert [(p.dev, p.dm_state, p.checker) for p in old.paths] == [
        ("sdb", "active", "ready"),
        ("sdc", "active", "ready"),
    ]
    parsed = parse_multipath_ll(MULTIPATH_OLD_DM)
    (dm,) = parsed.maps
    assert (dm.dm, dm.vendor, dm.product, len(dm.paths)) == ("dm-2", "DDN", "S2A 6620", 1)
    assert not parsed.unread


def test_multipath_failed_paths_and_debug_lines() -> None:
    text = (
        "Feb 14 12:47:54 | sde: path_checker = tur (controller setting)\n"
        "data (1494554000000000072302d6c756e30000000000000000000) dm-0 IET,VIRTUAL-DISK\n"
        "size=10G features='0' hwhandler='0' wp=rw\n"
        "`-+- policy='round-robin 0' prio=1 status=active\n"
        "  |- 3:0:0:0 sdb 8:16 active ready running\n"
        "  `- #:#:#:# sdc 8:32 failed faulty offline\n"
    )
    parsed = parse_multipath_ll(text)
    assert [p.usable for p in parsed.maps[0].paths] == [True, False]
    assert [u.line for u in parsed.unread] == [1]
    assert parsed.by_wwid("1494554000000000072302d6c756e30000000000000000000") is parsed.maps[0]


# github.com/democratic-csi/democratic-csi/issues/227 (open-iscsi 2.1.5)
SESSIONS = """\
tcp: [1] truenas.example:3260,1 iqn.2005-10.org.freenas.ctl:csi-pvc-1224c988-main-k8s (non-flash)
tcp: [2] 192.168.10.102:3260,1 iqn.2005-10.org.freenas.ctl:csi-pvc-cf4d941b-main-k8s (non-flash)
"""
# github.com/flatcar/Flatcar/issues/349 (-P3 with its attached disk; minimal excerpt)
SESSIONS_P3 = """\
iSCSI Transport Class version 2.0-870
version 2.1.3
Target: iqn.1992-04.com.emc:cx.apm00191923511.a4 (non-flash)
\tCurrent Portal: 10.1.53.160:3260,1
\tPersistent Portal: 10.1.53.160:3260,1
\t\t**********
\t\tInterface:
\t\t**********
\t\tIface Name: default
\t\tIface Transport: tcp
\t\tSID: 1
\t\tiSCSI Connection State: LOGGED IN
\t\tiSCSI Session State: LOGGED_IN
\t\t************************
\t\tAttached SCSI devices:
\t\t************************
\t\tHost Number: 7\tState: running
\t\tscsi7 Channel 00 Id 0 Lun: 0
\t\t\tAttached scsi disk sdb\t\tState: running
"""


def test_sessions_flat_and_tree() -> None:
    flat = parse_iscsi_sessions(SESSIONS)
    assert [(s.transport, s.sid, s.portal, s.tpgt, s.target, s.line) for s in flat.sessions] == [
        (
            "tcp",
            "1",
            "truenas.example:3260",
            "1",
            "iqn.2005-10.org.freenas.ctl:csi-pvc-1224c988-main-k8s",
            1,
        ),
        (
            "tcp",
            "2",
            "192.168.10.102:3260",
            "1",
            "iqn.2005-10.org.freenas.ctl:csi-pvc-cf4d941b-main-k8s",
            2,
        ),
    ]
    tree = parse_iscsi_sessions(SESSIONS_P3)
    (session,) = tree.sessions
    assert (
        session.target,
        session.portal,
        session.sid,
        session.state,
        session.iface,
        session.line,
    ) == (
        "iqn.1992-04.com.emc:cx.apm00191923511.a4",
        "10.1.53.160:3260",
        "1",
        "LOGGED_IN",
        "default",
        4,
    )
    assert [(d.lun, d.dev, d.state, d.line) for d in session.disks] == [(0, "sdb", "running", 19)]
    assert not tree.unread
    assert parse_iscsi_sessions("iscsiadm: No active sessions.\n").sessions == ()


# github.com/vieyahn2017/iBlog/issues/78 (iscsiadm -m node -o show; minimal excerpt)
NODE_RECORD = """\
# BEGIN RECORD 2.0-873
node.name = iqn.2012-12.local.mynet:storage.lun1
node.tpgt = 1
node.startup = manual
iface.iscsi_ifacename = default
node.discovery_address = 127.0.0.1
node.session.auth.password = <empty>
node.conn[0].address = 127.0.0.1
node.conn[0].port = 3260
node.conn[0].startup = manual
# END RECORD
"""


def test_node_records() -> None:
    (record,) = parse_iscsi_nodes(NODE_RECORD).records
    assert (
        record.target,
        record.portal,
        record.tpgt,
        record.startup,
        record.iface,
        record.line,
    ) == (
        "iqn.2012-12.local.mynet:storage.lun1",
        "127.0.0.1:3260",
        "1",
        "manual",
        "default",
        1,
    )
    short = parse_iscsi_nodes(
        "10.0.0.1:3260,1 iqn.2009-02.nl.example:storage.xensan\n[fe80::1]:3260,1 iqn.x:y\n"
    )
    assert [(r.portal, r.tpgt, r.target, r.startup) for r in short.records] == [
        ("10.0.0.1:3260", "1", "iqn.2009-02.nl.example:storage.xensan", None),
        ("[fe80::1]:3260", "1", "iqn.x:y", None),
    ]
    tree = parse_iscsi_nodes(
        "Target: iqn.x:y\n\tPortal: 10.0.0.1:3260,1\n\t\tIface Name: default\n"
    )
    assert [(r.target, r.portal, r.iface) for r in tree.records] == [
        ("iqn.x:y", "10.0.0.1:3260", "default")
    ]
    # a record file of the node database: no BEGIN line, IPv6 address
    bare = parse_iscsi_nodes(
        "node.name = iqn.x:y\nnode.startup = automatic\nnode.conn[0].address = fe80::1\n"
    )
    assert [(r.portal, r.startup) for r in bare.records] == [("[fe80::1]:3260", "automatic")]


# github.com/democratic-csi/democratic-csi/issues/481 (minimal excerpt) and oVirt/vdsm#139
TARGETCLI = """\
o- / ........................................................................................ [...]
  o- backstores ............................................................................. [...]
  | o- block ................................................................. [Storage Objects: 1]
  | | o- vms-base-1001-disk-0 .. [/dev/vms/base-1001-disk-0 (32.0GiB) write-thru activated]
  o- iscsi ........................................................................... [Targets: 1]
  | o- iqn.2003-01.org.linux-iscsi.pve1.x8664:sn.2777fca514ab ........................... [TPGs: 1]
  | | o- tpg1 ................................................................. [gen-acls, no-auth]
  | |   o- acls ......................................................................... [ACLs: 0]
  | |   o- luns ......................................................................... [LUNs: 2]
  | |   | o- lun0 .. [block/vms-base-1001-disk-0 (/dev/vms/base-1001-disk-0) (default_tg_pt_gp)]
  | |   | o- lun1 ............................... [fileio/05-00 (/target/05/00) (default_tg_pt_gp)]
  | |   o- portals ................................................................... [Portals: 1]
  | |     o- 0.0.0.0:3260 .................................................................... [OK]
  o- loopback ........................................................................ [Targets: 0]
"""


def test_targetcli_tree_and_luns() -> None:
    tree = parse_targetcli_ls(TARGETCLI)
    assert not tree.unread
    assert [n.path for n in tree.nodes][:3] == [
        ("backstores",),
        ("backstores", "block"),
        ("backstores", "block", "vms-base-1001-disk-0"),
    ]
    target = "iqn.2003-01.org.linux-iscsi.pve1.x8664:sn.2777fca514ab"
    assert [
        (lun.target, lun.tpg, lun.lun, lun.backstore, lun.device, lun.line) for lun in tree.luns()
    ] == [
        (
            target,
            "tpg1",
            0,
            "block/vms-base-1001-disk-0",
            "/dev/vms/base-1001-disk-0",
            10,
        ),
        (target, "tpg1", 1, "fileio/05-00", "/target/05/00", 11),
    ]
    assert ("iscsi", target, "tpg1", "portals", "0.0.0.0:3260") in [n.path for n in tree.nodes]
    assert ("loopback",) in [n.path for n in tree.nodes]


# github.com/LINBIT/drbd/issues/97 (modinfo drbd | grep version) and sos's modinfo_ALL_MODULES
MODINFO_ALL = """\
filename:       /lib/modules/5.15.0-117-generic/kernel/drivers/block/drbd/drbd.ko
alias:          block-major-147-*
version:        8.4.11
srcversion:     C7B8F7076B8D6DB066D84D9
vermagic:       5.15.0-117-generic SMP mod_unload modversions
parm:           minor_count:Approximate number of drbd devices (1-255) (uint)
filename:       /lib/modules/5.15.0-117-generic/kernel/drivers/md/dm-multipath.ko
license:        GPL
name:           dm_multipath
"""


def test_modinfo_of_several_modules() -> None:
    modules, unread = parse_modinfo(MODINFO_ALL)
    assert [m.name for m in modules] == ["drbd", "dm_multipath"] and not unread
    drbd = find_module(modules, "drbd")
    assert drbd is not None and drbd.version == "8.4.11" and drbd.line_of("version") == 3
    assert find_module(modules, "dm-multipath") is modules[1]
    assert find_module(modules, "sbp2") is None


def test_cmdline() -> None:
    cmdline = parse_cmdline(
        'BOOT_IMAGE=/vmlinuz-4.9.0-3-amd64 root=UUID=ab ro quiet a="b c" quiet\n'
    )
    assert cmdline.get("root") == "UUID=ab" and cmdline.get("ro") is None
    assert cmdline.get("a") == "b c" and cmdline.words[0].start == 0
    assert [w.name for w in cmdline.words].count("quiet") == 2
