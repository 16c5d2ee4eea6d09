"""/proc/drbd, drbdadm/drbdsetup status (text, verbose, JSON, 8.4's XML) and drbdsetup show,
against outputs published in bug reports and guides (minimal excerpts, sources cited)."""

from __future__ import annotations

from xsanconf.captures.drbd_status import parse_drbd_status, parse_drbd_status_json
from xsanconf.captures.drbdsetup_show import parse_drbdsetup_show
from xsanconf.captures.proc_drbd import parse_proc_drbd

# github.com/clustervision/trinity/issues/651 (DRBD 8.4.6, two states of one pair)
PROC_84_WFCONNECTION = """\
version: 8.4.6 (api:1/proto:86-101)
GIT-hash: 833d830e0152d1e457fa7856e71e11248ccf3f70 build by phil@Build64R7, 2015-04-10 05:13:52

 1: cs:WFConnection ro:Secondary/Unknown ds:Inconsistent/DUnknown C r-----
    ns:484 nr:72025332 dw:72025816 dr:9301 al:6 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:40448704
"""
PROC_84_STANDALONE = """\
version: 8.4.6 (api:1/proto:86-101)
GIT-hash: 833d830e0152d1e457fa7856e71e11248ccf3f70 build by phil@Build64R7, 2015-04-10 05:13:52

 1: cs:StandAlone ro:Primary/Unknown ds:UpToDate/Inconsistent   r-----
    ns:72181000 nr:484 dw:71846132 dr:42275122 al:803 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1
"""
# github.com/cockpit-project/cockpit/issues/17042 (8.4.11, resync lines under each device)
PROC_84_SYNCING = """\
version: 8.4.11 (api:1/proto:86-101)
srcversion: C83CE761848B9DE61379370

 1: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----
    ns:696684000 nr:0 dw:2729072 dr:696641533 al:500 bm:0 lo:15 pe:1 ua:15 ap:0 ep:1 wo:f oos:3
        [==>.................] sync'ed: 17.9% (3134016/3815352)M
        finish: 10:43:36 speed: 83,088 (100,400) K/sec
"""
# the MySQL 5.5 manual's DRBD chapter (8.0.4: "st:" for the roles, resync and act_log lines)
PROC_80 = """\
version: 8.0.4 (api:86/proto:86)
SVN Revision: 2947 build by root@drbd-one, 2007-07-30 16:43:05
 0: cs:Connected st:Primary/Secondary ds:UpToDate/UpToDate C r---
    ns:2175704 nr:0 dw:99192 dr:2076641 al:33 bm:128 lo:0 pe:0 ua:0 ap:0
        resync: used:0/31 hits:134841 misses:135 starving:0 dirty:0 changed:135
        act_log: used:0/257 hits:24765 misses:33 starving:0 dirty:0 changed:33
"""
# DRBD 9: the version and transports only (drbd's drbd_proc.c)
PROC_9 = """\
version: 9.2.8 (api:2/proto:86-122)
GIT-hash: e163b05a76254c0f51f999970e861d72bb16409a build by root@san1, 2024-03-01 10:00:00
Transports (api:20): tcp (9.2.8)
"""


def test_proc_drbd_84_states() -> None:
    waiting = parse_proc_drbd(PROC_84_WFCONNECTION)
    assert waiting.version == "8.4.6" and waiting.api == "api:1/proto:86-101"
    (device,) = waiting.devices
    assert (device.minor, device.line, device.connection) == (1, 4, "WFConnection")
    assert (device.role, device.peer_role, device.disk, device.peer_disk) == (
        "Secondary",
        "Unknown",
        "Inconsistent",
        "DUnknown",
    )
    assert device.protocol == "C" and not waiting.unread and not waiting.reduced
    alone = parse_proc_drbd(PROC_84_STANDALONE).devices[0]
    assert (alone.connection, alone.role, alone.protocol) == ("StandAlone", "Primary", None)


def test_proc_drbd_resync_lines_and_old_st() -> None:
    syncing = parse_proc_drbd(PROC_84_SYNCING)
    assert syncing.devices[0].connection == "SyncSource" and not syncing.unread
    old = parse_proc_drbd(PROC_80)
    assert old.version == "8.0.4" and old.devices[0].role == "Primary" and not old.unread


def test_proc_drbd_9_is_reduced() -> None:
    nine = parse_proc_drbd(PROC_9)
    assert nine.version == "9.2.8" and nine.devices == () and nine.reduced and not nine.unread


def test_proc_drbd_unconfigured_and_garbage() -> None:
    parsed = parse_proc_drbd("version: 8.3.7 (api:88/proto:86-91)\n 0: cs:Unconfigured\nxyz\n")
    assert not parsed.devices[0].configured and parsed.devices[0].role is None
    assert [(u.line, u.text) for u in parsed.unread] == [(3, "xyz")]


# github.com/LINBIT/drbd/issues/97 (drbd-utils 9.28 on an 8.4.11 module)
STATUS_CONNECTED = """\
r0 role:Primary
  disk:UpToDate
  peer role:Secondary
    replication:Established peer-disk:UpToDate
"""
# github.com/hwameistor/hwameistor/issues/326
STATUS_STANDALONE = """\
pvc-4d6880e8-50ef-42fe-8b8d-e8f987987992 role:Secondary
  disk:UpToDate
  k8s-node2 connection:StandAlone

"""
# github.com/LINBIT/linstor-server/issues/218 (plain, then --verbose --statistics)
STATUS_THREE_NODES = """\
one-vm-9120-disk-0 role:Secondary
  disk:Inconsistent
  m14c19 role:Secondary
    replication:SyncTarget peer-disk:UpToDate
  m14c36 role:Primary
    peer-disk:Diskless
"""
STATUS_VERBOSE = """\
one-vm-9120-disk-0 node-id:1 role:Secondary suspended:no
    write-ordering:flush
  volume:0 minor:2796 disk:Inconsistent quorum:yes
      size:41946328 read:28132 written:66812 al-writes:39 bm-writes:0 upper-pending:0
  m14c19 node-id:0 connection:Connected role:Secondary congested:no ap-in-flight:0
    volume:0 replication:SyncTarget peer-disk:UpToDate resync-suspended:no
        received:10752 sent:0 out-of-sync:0 pending:0 unacked:0
  m14c36 node-id:3 connection:Connected role:Primary congested:no ap-in-flight:0 rs-in-flight:0
    volume:0 replication:Established peer-disk:Diskless peer-client:yes resync-suspended:no
        received:56060 sent:0 out-of-sync:0 pending:0 unacked:0
"""
# github.com/ClusterLabs/ha_cluster_exporter/issues/25 (drbdsetup status --json)
STATUS_JSON = """\
[
{
  "name": "1-single-0",
  "node-id": 1,
  "role": "Primary",
  "suspended": false,
  "devices": [
    { "volume": 0, "minor": 2, "disk-state": "UpToDate", "client": false, "quorum": true } ],
  "connections": [
    {
      "peer-node-id": 2,
      "name": "SLE15-sp1-gm-drbd1145296-node2",
      "connection-state": "Connected",
      "peer-role": "Secondary",
      "peer_devices": [
        { "volume": 0, "replication-state": "Established", "peer-disk-state": "UpToDate" } ]
    } ]
}
]
"""


def test_status_connected_fills_in_what_drbdsetup_leaves_out() -> None:
    (resource,) = parse_drbd_status(STATUS_CONNECTED).resources
    assert (resource.name, resource.role, resource.line) == ("r0", "Primary", 1)
    assert [(v.volume, v.disk, v.line) for v in resource.volumes] == [(0, "UpToDate", 2)]
    (peer,) = resource.connections
    assert (peer.peer, peer.connection, peer.role, peer.line) == (
        "peer",
        "Connected",
        "Secondary",
        3,
    )
    assert [(v.replication, v.peer_disk) for v in peer.volumes] == [("Established", "UpToDate")]


def test_status_standalone_and_three_nodes() -> None:
    alone = parse_drbd_status(STATUS_STANDALONE).resources[0].connections[0]
    assert (alone.peer, alone.connection, alone.role, alone.volumes) == (
        "k8s-node2",
        "StandAlone",
        None,
        (),
    )
    three = parse_drbd_status(STATUS_THREE_NODES).resources[0]
    assert [
        (c.peer, c.role, c.volumes[0].replication, c.volumes[0].peer_disk)
        for c in three.connections
    ] == [
        ("m14c19", "Secondary", "SyncTarget", "UpToDate"),
        ("m14c36", "Primary", "Established", "Diskless"),
    ]


def test_status_verbose_reads_as_the_plain_form() -> None:
    parsed = parse_drbd_status(STATUS_VERBOSE)
    assert not parsed.unread
    (resource,) = parsed.resources
    assert resource.fields["write-ordering"] == "flush" and resource.role == "Secondary"
    assert [(v.volume, v.disk) for v in resource.volumes] == [(0, "Inconsistent")]
    assert [(c.peer, c.connection, c.role) for c in resource.connections] == [
        ("m14c19", "Connected", "Secondary"),
        ("m14c36", "Connected", "Primary"),
    ]
    assert resource.connections[1].volumes[0].line == 9


def test_status_json() -> None:
    (resource,) = parse_drbd_status(STATUS_JSON).resources
    assert (resource.name, resource.role, resource.line) == ("1-single-0", "Primary", 3)
    assert [(v.volume, v.disk) for v in resource.volumes] == [(0, "UpToDate")]
    (peer,) = resource.connections
    assert (peer.peer, peer.connection, peer.role) == (
        "SLE15-sp1-gm-drbd1145296-node2",
        "Connected",
        "Secondary",
    )
    assert peer.volumes[0].peer_disk == "UpToDate"
    assert parse_drbd_status_json("{").resources == ()
    assert parse_drbd_status_json("{}").unread[0].text == "not a list of resources"


def test_status_xml_of_drbd_84() -> None:
    # drbdadm status of 8.4 (drbd-utils' v84 drbdsetup: one <resource/> per device)
    text = (
        '<drbd-status version="8.4.3" api="1">\n'
        '<resources config_file="/etc/drbd.conf">\n'
        '<resource minor="0" name="r0" cs="WFConnection" ro1="Primary" ro2="Unknown"'
        ' ds1="UpToDate" ds2="DUnknown" />\n'
        "</resources>\n</drbd-status>\n"
    )
    (resource,) = parse_drbd_status(text).resources
    assert (resource.name, resource.role, resource.line) == ("r0", "Primary", 3)
    assert resource.connections[0].connection == "WFConnection"


def test_status_colours_and_stray_lines() -> None:
    coloured = "r0 role:\x1b[1;36mPrimary\x1b[0m\n  disk:\x1b[32mUpToDate\x1b[0m\n"
    assert parse_drbd_status(coloured).resources[0].role == "Primary"
    assert parse_drbd_status("  disk:UpToDate\n").unread[0].line == 1


# drbdsetup show of 8.4 (the form drbdsetup's print_options writes; names as the kernel holds)
SHOW_84 = """\
resource r0 {
    options {
    }
    net {
        allow-two-primaries yes;
        after-sb-0pri    discard-zero-changes;
        shared-secret    "s3cret";
    }
    _remote_host {
        address            ipv4 10.0.0.2:7789;
    }
    _this_host {
        address            ipv4 10.0.0.1:7789;
        volume 0 {
            device            minor 0;
            disk            "/dev/vg0/r0";
            meta-disk            internal;
        }
    }
}
"""


def test_drbdsetup_show() -> None:
    parsed = parse_drbdsetup_show(SHOW_84)
    (resource,) = parsed.resources
    assert (resource.name, resource.line) == ("r0", 1)
    allow = resource.option("allow-two-primaries")
    assert allow is not None and (allow.value, allow.line, allow.path) == ("yes", 5, ("net",))
    disk = resource.option("disk", "volume 0")
    assert disk is not None and disk.value == "/dev/vg0/r0"
    assert not parsed.unread
    nine = parse_drbdsetup_show(
        "resource r1 {\n connection {\n  net {\n   protocol C;\n  }\n }\n}\n"
    )
    protocol = nine.resources[0].option("protocol")
    assert protocol is not None and protocol.path == ("connection", "net")
    assert parse_drbdsetup_show("{" * 100).unread[-1].text == "nested too deep"
