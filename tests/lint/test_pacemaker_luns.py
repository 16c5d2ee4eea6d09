"""LUs that Pacemaker's iSCSILogicalUnit creates reach the facts layer and the target rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from xsanconf.facts.stack import stack_index
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
WWID = "1494554000000000031343934353534303366313630633030"  # ScsiId=149455403f160c00
CIBS = ("san1/var/lib/pacemaker/cib/cib.xml", "san2/var/lib/pacemaker/cib/cib.xml")


def copy(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "example-pacemaker-fixed", root)
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def run(root: Path, *codes: str) -> list[Diagnostic]:
    result = lint(Site.load([root]), LintOptions(select=codes))
    assert not result.failures, result.failures
    return result.diagnostics


def test_each_heads_cib_copy_exports_the_lu_on_that_head() -> None:
    index = stack_index(Site.load([FIXTURES / "example-pacemaker"]))
    assert index.has_targets
    luns = index.by_replica[("xensan", 0)]
    assert [(lun.host.name, lun.engine, lun.lun.moves) for lun in luns] == [
        ("san1", "iet", True),
        ("san2", "iet", True),
    ]
    assert index.by_wwid[WWID] == luns
    assert luns[0].setting_location("identity").line == 54  # the scsi_id nvpair


def test_multipath_wwids_are_checked_against_pacemaker_lus(tmp_path: Path) -> None:
    root = copy(tmp_path)
    assert run(root, "MPATH001") == []
    wrong = WWID[:-2] + "31"
    edit(root, "xen1/etc/multipath.conf", WWID, wrong)
    (found,) = run(root, "MPATH001")
    assert found.location.host == "xen1" and f"names wwid {wrong}" in found.message


def test_copies_of_one_lu_are_one_lun_that_moves(tmp_path: Path) -> None:
    # multibus over a LU that runs on one head at a time groups nothing across heads
    root = copy(tmp_path)
    edit(root, "xen1/etc/multipath.conf", "failover", "multibus")
    assert run(root, "MPATH006", "IET004", "IET011") == []


def test_heads_whose_cibs_disagree_on_the_lu_identity(tmp_path: Path) -> None:
    root = copy(tmp_path)
    edit(root, CIBS[1], 'value="149455403f160c00"', 'value="other-id"')
    (found,) = run(root, "IET004")
    assert found.location.host == "san2" and found.location.line == 55
    assert "with scsi_id=other-id, but san1 exports it with scsi_id=149455403f160c00" in (
        found.message
    )


def test_an_lu_on_a_drbd_device_the_head_does_not_define_is_not_its_own(tmp_path: Path) -> None:
    root = copy(tmp_path)
    for rel in CIBS:
        edit(root, rel, 'value="/dev/drbd0"', 'value="/dev/drbd7"')
    index = stack_index(Site.load([root]))
    assert index.luns == []
    assert run(root, "IET005") == []


def test_chap_is_checked_against_the_pacemaker_targets_account(tmp_path: Path) -> None:
    root = copy(tmp_path)
    assert run(root, "ISCSI003") == []
    edit(root, "xen1/etc/iscsi/iscsid.conf", "password = Tr0ub4dor&3x!", "password = wrong-secret!")
    # the target may run on either head (each head's CIB copy): a login fails on both
    found = run(root, "ISCSI003")
    assert [d.location.host for d in found] == ["xen1", "xen1"]
    assert "incoming_username 'xenhosts' of target" in found[0].message
    assert [m.message.split(" on ")[-1][:4] for m in found] == ["san1", "san2"]


def test_an_unreadable_cib_leaves_the_sites_luns_unknown(tmp_path: Path) -> None:
    root = copy(tmp_path)
    for rel in CIBS:
        (root / rel).write_text("<cib><configuration>")
    assert not stack_index(Site.load([root])).has_targets


def test_an_lu_without_implementation_cannot_be_known_to_agree(tmp_path: Path) -> None:
    # the agent picks iet, tgt, lio or lio-t from each node's binaries: the WWID is unknown
    root = copy(tmp_path)
    for rel in CIBS:
        for line in (
            '<nvpair id="p_lu_xensan-implementation" name="implementation" value="iet"/>',
            '<nvpair id="p_target-implementation" name="implementation" value="iet"/>',
        ):
            edit(root, rel, line, "")
    found = run(root, "IET004")
    assert [d.location.host for d in found] == ["san1", "san2"]
    assert "with scsi_id=149455403f160c00, but its WWID is not fixed by it (no " in (
        found[0].message
    )
    assert "cannot be known to present one WWID" in found[0].message
    advice = "set the LU's implementation parameter (iet, tgt, lio or lio-t)"
    assert found[0].message.endswith(advice)
