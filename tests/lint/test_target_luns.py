"""The target rules over every implementation: sites mixing IET with a synthetic target format
(``tests/lint/fake_target.py``, registered as a target kind for each test) whose model answers
``target_luns()`` as the LIO, tgt and SCST codecs do."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint import fake_target
from tests.lint.sites import write_site
from tests.lint.stack_hosts import drbd_conf, ietd_conf, multipath_conf, wwid
from xsanconf.facts.stack import stack_index
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

FAKE = "etc/fake-targets.conf"
TARGET = "iqn.2024-01.org.example:r0"


@pytest.fixture(autouse=True)
def _fake_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_target.register(monkeypatch)


def load(tmp_path: Path, hosts: Mapping[str, Mapping[str, str]]) -> Site:
    write_site(tmp_path / "site", hosts)
    return Site.load([tmp_path / "site"])


def run(tmp_path: Path, code: str, hosts: Mapping[str, Mapping[str, str]]) -> list[Diagnostic]:
    result = lint(load(tmp_path, hosts), LintOptions(select=(code,)))
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


def iet_head(lun: str) -> dict[str, str]:
    return {"etc/drbd.conf": drbd_conf(("r0", 0)), "etc/iet/ietd.conf": ietd_conf(lun)}


def fake_head(line: str) -> dict[str, str]:
    return {"etc/drbd.conf": drbd_conf(("r0", 0)), FAKE: f"# synthetic\n{line}\n"}


def test_the_stack_indexes_every_target_kind(tmp_path: Path) -> None:
    site = load(
        tmp_path,
        {
            "san1": iet_head("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0"),
            "san2": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0 cache=wb"),
        },
    )
    index = stack_index(site)
    assert index.has_targets
    iet, fake = index.by_replica[("r0", 0)]
    assert (iet.implementation, fake.implementation) == ("iet", "tgt")
    assert fake.setting("backing") == "backing-store" and fake.device is not None
    assert fake.wwid == fake_target.wwid_of("r0")
    assert index.by_wwid[fake_target.wwid_of("r0").value] == [fake]
    location = fake.setting_location("backing")
    assert (location.line, location.column, location.end_column) == (2, 34, 44)


def test_replica_identity_compares_across_implementations(tmp_path: Path) -> None:
    hosts = {
        "san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0"),
        "san2": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0-other"),
    }
    (found,) = run(tmp_path / "a", "IET004", hosts)
    assert found.location.host == "san2"
    assert "with scsi_id=r0-other, but san1 exports it with scsi_id=r0" in found.message
    assert (found.location.column, found.location.end_column) == (45, 56)  # the id= piece
    hosts["san2"] = fake_head(f"lun {TARGET} 0 /dev/drbd0")
    (missing,) = run(tmp_path / "b", "IET004", hosts)
    assert "but it sets no scsi_id: it presents another WWID than the scsi_id=r0" in missing.message
    hosts["san2"] = fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0")
    assert run(tmp_path / "c", "IET004", hosts) == []


def test_a_write_back_replica_names_the_implementations_setting(tmp_path: Path) -> None:
    hosts = {
        "san1": iet_head("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0"),
        "san2": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0 cache=wb"),
    }
    (found,) = run(tmp_path, "IET008", hosts)
    assert found.location.host == "san2" and found.fix is None
    assert "here with write-cache on:" in found.message and "set write-cache off" in found.message
    assert (found.location.column, found.location.end_column) == (51, 59)  # cache=wb


def test_a_backing_disk_and_a_path_twice(tmp_path: Path) -> None:
    lines = f"lun {TARGET} 0 /dev/vg0/r0\nlun {TARGET} 1 /dev/drbd0\nlun {TARGET} 2 /dev/drbd0"
    found = run(tmp_path, "IET003", {"san1": fake_head(lines)})
    assert [d.location.line for d in found] == [2, 4]
    assert "backing-store=/dev/vg0/r0 is the backing disk of DRBD resource r0" in found[0].message
    assert "backing-store=/dev/drbd0 is already exported as LUN 1" in found[1].message


def test_a_drbd_device_the_host_does_not_define(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET005", {"san1": fake_head(f"lun {TARGET} 0 /dev/drbd7")})
    assert "backing-store=/dev/drbd7 is not a DRBD device of this host" in found.message


def test_identity_collision_of_two_independent_servers(tmp_path: Path) -> None:
    # tgt numbers its defaults the same on every server: two different disks, one WWID
    hosts = {
        "store1": {FAKE: "lun iqn.2024-01.org.example:disks 1 /dev/sdb\n"},
        "store2": {FAKE: "lun iqn.2024-01.org.example:disks 1 /dev/sdb\n"},
    }
    (found,) = run(tmp_path / "a", "IET011", hosts)
    assert found.location.host == "store2"
    assert "tgt's default, numbered from the target and LUN on every server" in found.message
    assert "give each device its own scsi_id" in found.message
    assert [r.host for r in found.related] == ["store1"]
    # replicas of one DRBD device share their identity by design: no collision
    replicas = {
        "san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0"),
        "san2": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0"),
    }
    assert run(tmp_path / "b", "IET011", replicas) == []


def test_identity_collision_between_iet_and_another_target(tmp_path: Path) -> None:
    hosts = {
        "iet": {"etc/iet/ietd.conf": ietd_conf("0 Path=/dev/sdb,Type=blockio,ScsiId=disk1")},
        "other": {FAKE: f"lun {TARGET} 0 /dev/sdc id=x\n"},
        "third": {"etc/iet/ietd.conf": ietd_conf("0 Path=/dev/sdc,Type=blockio,ScsiId=disk1")},
    }
    (found,) = run(tmp_path, "IET011", hosts)
    assert found.location.host == "third"
    assert "(set by ScsiId=disk1)" in found.message


def test_multipath_knows_every_targets_wwids(tmp_path: Path) -> None:
    known, unknown = fake_target.wwid_of("r0").value, fake_target.wwid_of("gone").value
    hosts = {
        "san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0"),
        "xen1": {"etc/multipath.conf": multipath_conf((known, "r0"), (unknown, "gone"))},
    }
    (found,) = run(tmp_path / "a", "MPATH001", hosts)
    assert f"names wwid {unknown}, which no LUN of the site's targets presents" in found.message
    # a WWID of a kind no target of the site presents (an IET one stays judged)
    other = "3600508b4000156d700012000000b0000"
    hosts["xen1"] = {"etc/multipath.conf": multipath_conf((other, "fc"), (wwid("x"), "iet"))}
    (iet,) = run(tmp_path / "b", "MPATH001", hosts)
    assert f"names wwid {wwid('x')}," in iet.message


def test_an_open_target_of_another_implementation(tmp_path: Path) -> None:
    hosts = {"san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 open=yes\nlun {TARGET} 1 /dev/drbd0")}
    (found,) = run(tmp_path / "a", "IET006", hosts)
    assert found.message.startswith(f"target {TARGET} (tgt) accepts every initiator: no initiator")
    closed = {"san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 open=yes user=joe:secret")}
    assert run(tmp_path / "b", "IET006", closed) == []


def test_a_site_of_other_targets_only_runs_the_target_rules(tmp_path: Path) -> None:
    # no ietd.conf anywhere: the rules need any target kind of the registry
    hosts = {
        "san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=a"),
        "san2": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=b"),
    }
    result = lint(load(tmp_path, hosts), LintOptions(select=("IET",)))
    assert [d.code for d in result.diagnostics] == ["IET004"]


def test_chap_is_checked_against_any_targets_accounts(tmp_path: Path) -> None:
    used = fake_target.wwid_of("r0").value
    initiator = (
        "node.startup = automatic\nnode.session.auth.authmethod = CHAP\n"
        "node.session.auth.username = joe\nnode.session.auth.password = wrong-secret\n"
    )
    hosts = {
        "san1": fake_head(f"lun {TARGET} 0 /dev/drbd0 id=r0 user=joe:right-secret"),
        "xen1": {
            "etc/iscsi/iscsid.conf": initiator,
            "etc/multipath.conf": multipath_conf((used, "r0")),
        },
    }
    (found,) = run(tmp_path / "a", "ISCSI003", hosts)
    assert found.location.host == "xen1"
    assert f"does not match the password of incominguser 'joe' of target {TARGET} on san1" in (
        found.message
    )
    assert [r.host for r in found.related] == ["san1"]
    right = initiator.replace("wrong-secret", "right-secret")
    hosts["xen1"] = {**hosts["xen1"], "etc/iscsi/iscsid.conf": right}
    assert run(tmp_path / "b", "ISCSI003", hosts) == []
