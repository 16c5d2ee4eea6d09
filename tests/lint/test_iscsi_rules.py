"""ISCSI001-ISCSI005 on small sites: what fires, what must not, the fix, and that no report
shows a CHAP secret."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint.conftest import SITES, Runner
from tests.lint.sites import apply, messages, write_site
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

NAME = "etc/iscsi/initiatorname.iscsi"
ISCSID = "etc/iscsi/iscsid.conf"
IETD = "etc/iet/ietd.conf"
MULTIPATH = "etc/multipath.conf"

SCSI_ID = "149455403f160c00"
WWID = "1494554000000000031343934353534303366313630633030"  # iet_wwid(SCSI_ID)
TARGET = "iqn.2009-02.nl.example:storage.xensan"
SECRET = "Tr0ub4dor&3x!"
OLD_SECRET = "Correct-Horse-42"
DISCOVERY_SECRET = "Disc0verySecret"

MAP = f"multipaths {{\n\tmultipath {{\n\t\twwid {WWID}\n\t\talias xensan\n\t}}\n}}\n"


def ietd(accounts: str = f"\tIncomingUser xenhosts {SECRET}\n", head: str = "") -> str:
    return (
        f"{head}Target {TARGET}\n{accounts}\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId={SCSI_ID}\n"
    )


def chap(password: str | None = SECRET, user: str = "xenhosts", method: str = "CHAP") -> str:
    text = f"node.startup = automatic\nnode.session.auth.authmethod = {method}\n"
    text += f"node.session.auth.username = {user}\n"
    if password is not None:
        text += f"node.session.auth.password = {password}\n"
    return text


def run(tmp_path: Path, code: str, hosts: Mapping[str, Mapping[str, str]]) -> list[Diagnostic]:
    write_site(tmp_path / "site", hosts)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,)))
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


# ISCSI001 invalid-initiator-name -----------------------------------------------------------------


def iscsi001(tmp_path: Path, text: str, rel: str = NAME) -> list[Diagnostic]:
    return run(tmp_path, "ISCSI001", {"xen1": {rel: text}})


def test_iscsi001_valid_name_is_fine(tmp_path: Path) -> None:
    text = (
        "## DO NOT EDIT OR REMOVE THIS FILE!\n"
        "InitiatorName=iqn.1993-08.org.debian:01:a1b2c3d4e5f6\n"
    )
    assert iscsi001(tmp_path, text) == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("iqn.2009-02.nl.example:xen_1", "'_'"),
        ("iqn.2009-2.nl.example:xen1", "two digits"),
        ("iqn.2009-13.nl.example", "month 13"),
        ("eui.0200456", "16 hex digits"),
        ("xen1.example.nl", "starts with 'iqn.'"),
    ],
)
def test_iscsi001_invalid_name(tmp_path: Path, name: str, why: str) -> None:
    found = iscsi001(tmp_path, f"InitiatorName={name}\n")
    assert len(found) == 1
    assert "not a valid iSCSI name" in found[0].message and why in found[0].message
    assert (found[0].location.line, found[0].location.column) == (1, 1)


def test_iscsi001_upper_case_is_only_not_canonical(tmp_path: Path) -> None:
    assert iscsi001(tmp_path, "InitiatorName=iqn.2009-02.NL.Example:Xen1\n") == []


def test_iscsi001_missing_name(tmp_path: Path) -> None:
    found = iscsi001(tmp_path, "InitiatorAlias=xen1\n#InitiatorName=iqn.2009-02.nl.example:x\n")
    assert len(found) == 1 and "no 'InitiatorName=' line" in found[0].message


def test_iscsi001_debian_placeholder(tmp_path: Path) -> None:
    found = iscsi001(tmp_path, "## generated on first start\nGenerateName=yes\n")
    assert len(found) == 1 and "GenerateName=yes" in found[0].message
    assert found[0].location.line == 2


def test_iscsi001_several_name_lines(tmp_path: Path) -> None:
    text = "InitiatorName=iqn.2009-02.nl.example:xen1\nInitiatorName=iqn.2009-02.nl.example:xen9\n"
    found = iscsi001(tmp_path, text)
    assert len(found) == 1
    assert found[0].location.line == 2 and "first one (line 1)" in found[0].message
    assert found[0].related[0].line == 1


def test_iscsi001_indented_name_fails_the_debian_check(tmp_path: Path) -> None:
    found = iscsi001(tmp_path, "  InitiatorName=iqn.2009-02.nl.example:xen1\n")
    assert len(found) == 1 and "startup-checks.sh" in found[0].message
    assert str(found[0].severity) == "warning"


def test_iscsi001_backup_copies_are_not_read(tmp_path: Path) -> None:
    assert iscsi001(tmp_path, "GenerateName=yes\n", rel=NAME + ".dpkg-old") == []


# ISCSI002 duplicate-initiator-name ---------------------------------------------------------------


def named(name: str) -> dict[str, str]:
    return {NAME: f"InitiatorName={name}\n"}


def test_iscsi002_two_hosts_one_name(tmp_path: Path) -> None:
    hosts = {
        "xen1": named("iqn.2009-02.nl.example:xen1"),
        "xen2": named("IQN.2009-02.nl.example:XEN1"),  # names compare case-insensitively
        "xen3": named("iqn.2009-02.nl.example:xen3"),
    }
    found = run(tmp_path, "ISCSI002", hosts)
    assert sorted(d.location.host or "" for d in found) == ["xen1", "xen2"]
    assert "also used by xen2" in found[0].message
    assert [r.host for r in found[0].related] == ["xen2"]


def test_iscsi002_distinct_names_and_placeholders_are_fine(tmp_path: Path) -> None:
    hosts = {
        "xen1": named("iqn.2009-02.nl.example:xen1"),
        "xen2": named("iqn.2009-02.nl.example:xen2"),
        "xen3": {NAME: "GenerateName=yes\n"},
        "xen4": {NAME: "GenerateName=yes\n"},
    }
    assert run(tmp_path, "ISCSI002", hosts) == []


def test_iscsi002_initiator_named_like_a_target(tmp_path: Path) -> None:
    hosts = {"san1": {IETD: ietd()}, "xen1": named(TARGET)}
    found = run(tmp_path, "ISCSI002", hosts)
    assert len(found) == 1 and "name of a target on san1" in found[0].message
    assert found[0].related[0].host == "san1"


def test_iscsi002_many_clones_list_a_few_and_count_the_rest(tmp_path: Path) -> None:
    hosts = {f"xen{i}": named("iqn.2009-02.nl.example:golden") for i in range(12)}
    found = run(tmp_path, "ISCSI002", hosts)
    assert len(found) == 12
    assert all(len(d.related) == 5 for d in found)
    assert "and 6 more" in found[0].message


def test_iscsi002_clones_that_kept_the_host_name_too(tmp_path: Path) -> None:
    # a machine cloned whole: same /etc/hostname, same initiator name, two host roots
    clone = {"etc/hostname": "debian\n", **named("iqn.1993-08.org.debian:01:5eed")}
    found = run(tmp_path, "ISCSI002", {"a": clone, "b": clone})
    assert len(found) == 2
    root_b = str(tmp_path / "site" / "b")
    assert f"also used by debian ({root_b})" in found[0].message
    assert [r.path for r in found[0].related] == [str(Path(root_b, NAME))]


# ISCSI003 chap-mismatch --------------------------------------------------------------------------


def iscsi003(tmp_path: Path, target: str, initiator: str, *, used: bool = True) -> list[Diagnostic]:
    xen1 = {ISCSID: initiator, **({MULTIPATH: MAP} if used else {})}
    return run(tmp_path, "ISCSI003", {"san1": {IETD: target}, "xen1": xen1})


def test_iscsi003_matching_accounts(tmp_path: Path) -> None:
    assert iscsi003(tmp_path, ietd(), chap()) == []


def test_iscsi003_password_does_not_match(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), chap(OLD_SECRET))
    assert len(found) == 1
    message = found[0].message
    assert "node.session.auth.password does not match" in message
    assert SECRET not in message and OLD_SECRET not in message
    assert found[0].location.line == 4  # the password line; reporters mask its value
    assert found[0].related[0].host == "san1"


def test_iscsi003_unknown_user(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), chap(user="xen1"))
    assert len(found) == 1 and "'xen1' is not an IncomingUser" in found[0].message
    assert "it knows xenhosts" in found[0].message


def test_iscsi003_target_requires_chap_initiator_has_none(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), "node.startup = automatic\n")
    assert len(found) == 1 and "requires CHAP" in found[0].message


def test_iscsi003_authmethod_chap_without_password(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), chap(None))
    assert len(found) == 1
    assert "authmethod is CHAP but node.session.auth.password is not set" in found[0].message


def test_iscsi003_authmethod_none_with_password_still_sends_chap(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), chap(method="None"))
    assert len(found) == 1 and str(found[0].severity) == "warning"
    assert "future release will honour None" in found[0].message
    assert found[0].location.line == 2
    assert iscsi003(tmp_path / "unknown", ietd(), chap(method="None"), used=False) == []


def test_iscsi003_dropped_last_line_is_no_password(tmp_path: Path) -> None:
    found = iscsi003(tmp_path, ietd(), chap().rstrip("\n"))
    assert len(found) == 1 and "does not read the node.session.auth.password line" in (
        found[0].message
    )


def test_iscsi003_initiator_chap_but_target_without_accounts(tmp_path: Path) -> None:
    assert iscsi003(tmp_path, ietd(accounts=""), chap(OLD_SECRET)) == []


def test_iscsi003_silent_without_targets(tmp_path: Path) -> None:
    hosts = {"xen1": {ISCSID: chap(OLD_SECRET), MULTIPATH: MAP}}
    assert run(tmp_path, "ISCSI003", hosts) == []


def test_iscsi003_accounts_of_a_repeated_stanza_join_the_first(tmp_path: Path) -> None:
    target = ietd(accounts="") + f"Target {TARGET.upper()}\n\tIncomingUser xenhosts {SECRET}\n"
    assert iscsi003(tmp_path, target, chap()) == []
    assert len(iscsi003(tmp_path, target, chap(OLD_SECRET))) == 1


def test_iscsi003_account_without_password_is_dropped_by_ietd(tmp_path: Path) -> None:
    target = ietd(accounts="\tIncomingUser xenhosts\n")
    assert iscsi003(tmp_path, target, chap(OLD_SECRET)) == []


def test_iscsi003_discovery_needs_the_global_account(tmp_path: Path) -> None:
    head = f"IncomingUser discover {DISCOVERY_SECRET}\n"
    found = iscsi003(tmp_path, ietd(head=head), chap())
    assert len(found) == 1 and found[0].message.startswith("discovery on san1 requires CHAP")
    good = chap() + (
        "discovery.sendtargets.auth.authmethod = CHAP\n"
        "discovery.sendtargets.auth.username = discover\n"
        f"discovery.sendtargets.auth.password = {DISCOVERY_SECRET}\n"
    )
    assert iscsi003(tmp_path, ietd(head=head), good) == []


def test_iscsi003_per_target_account_does_not_open_discovery(tmp_path: Path) -> None:
    head = f"IncomingUser discover {DISCOVERY_SECRET}\n"
    text = chap() + (
        "discovery.sendtargets.auth.username = xenhosts\n"
        f"discovery.sendtargets.auth.password = {SECRET}\n"
    )
    found = iscsi003(tmp_path, ietd(head=head), text)
    assert len(found) == 1 and "'xenhosts' is not an IncomingUser of discovery" in found[0].message


def test_iscsi003_mutual_chap(tmp_path: Path) -> None:
    mutual = (
        chap()
        + "node.session.auth.username_in = san\nnode.session.auth.password_in = Rev3rseSecret\n"
    )
    found = iscsi003(tmp_path, ietd(), mutual)
    assert len(found) == 1 and "has no OutgoingUser" in found[0].message
    wrong = ietd(f"\tIncomingUser xenhosts {SECRET}\n\tOutgoingUser san Other5ecret12\n")
    found = iscsi003(tmp_path, wrong, mutual)
    assert len(found) == 1 and "password_in does not match" in found[0].message
    assert "Rev3rseSecret" not in found[0].message and "Other5ecret12" not in found[0].message
    right = ietd(f"\tIncomingUser xenhosts {SECRET}\n\tOutgoingUser san Rev3rseSecret\n")
    assert iscsi003(tmp_path, right, mutual) == []
    other_name = right.replace("OutgoingUser san", "OutgoingUser san1")
    found = iscsi003(tmp_path, other_name, mutual)
    assert len(found) == 1 and "'san' is not the OutgoingUser ('san1')" in found[0].message
    nameless = mutual.replace("node.session.auth.username_in = san\n", "")
    found = iscsi003(tmp_path, right, nameless)
    assert len(found) == 1 and "without node.session.auth.username_in" in found[0].message


def test_iscsi003_unknown_use_reports_only_when_no_target_accepts(tmp_path: Path) -> None:
    other = "Target iqn.2009-02.nl.example:storage.backup\n\tIncomingUser backup Backup5ecret1\n"
    # the host's maps name no LUN: which target it uses is not known
    assert iscsi003(tmp_path, ietd() + other, chap(), used=False) == []
    found = iscsi003(tmp_path, ietd() + other, chap(OLD_SECRET), used=False)
    assert len(found) == 1 and "no target of the site accepts" in found[0].message
    assert len(found[0].related) == 2


def test_iscsi003_host_without_chap_settings_is_left_alone(tmp_path: Path) -> None:
    # open-iscsi installed on a head, say: no CHAP keys, no multipath map of the site's LUNs
    assert iscsi003(tmp_path, ietd(), "node.startup = manual\n", used=False) == []


def test_iscsi003_known_use_checks_every_head(tmp_path: Path) -> None:
    stale = ietd(f"\tIncomingUser xenhosts {OLD_SECRET}\n")
    hosts = {
        "san1": {IETD: ietd()},
        "san2": {IETD: stale},
        "xen1": {ISCSID: chap(), MULTIPATH: MAP},
    }
    found = run(tmp_path, "ISCSI003", hosts)
    assert len(found) == 1 and "on san2" in found[0].message


def test_iscsi003_fixture_site() -> None:
    result = lint(Site.load([SITES / "iscsi-chap"]), LintOptions(select=("ISCSI003",)))
    by_host: dict[str, list[str]] = {}
    for d in result.diagnostics:
        by_host.setdefault(d.location.host or "", []).append(d.message)
    assert sorted(by_host) == ["xen2", "xen3"]
    assert len(by_host["xen2"]) == 2
    assert all("password does not match" in m for m in by_host["xen2"])
    assert sum(m.startswith("discovery on") for m in by_host["xen3"]) == 2
    assert len(by_host["xen3"]) == 4


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_no_report_shows_a_chap_secret(xsanlint: Runner, output: str) -> None:
    code, out, err = xsanlint(SITES / "iscsi-chap", "--format", output, "--statistics")
    assert code == 1, err
    assert "ISCSI003" in out
    for secret in (SECRET, OLD_SECRET, DISCOVERY_SECRET):
        assert secret not in out and secret not in err


def test_no_diff_shows_a_chap_secret(xsanlint: Runner) -> None:
    # the fixes touch the lines next to the password lines: the diff's context stops short of
    # them (a masked context line would not apply)
    code, out, err = xsanlint(SITES / "example", "--unsafe-fixes", "--diff")
    assert code == 1, err
    assert "+node.session.timeo.replacement_timeout = 15" in out
    assert "node.session.auth.password" not in out and SECRET not in out + err


# ISCSI004 slow-path-failover ---------------------------------------------------------------------


def iscsi004(tmp_path: Path, text: str, multipath: bool = True) -> list[Diagnostic]:
    files = {
        ISCSID: text,
        **({MULTIPATH: "defaults {\n\tpolling_interval 5\n}\n"} if multipath else {}),
    }
    return run(tmp_path, "ISCSI004", {"xen1": files})


def fixed(found: list[Diagnostic], text: str) -> str:
    assert len(found) == 1, messages(found)
    fix = found[0].fix
    assert fix is not None and not fix.safe
    return apply(text, fix.edits)


def test_iscsi004_value_is_replaced(tmp_path: Path) -> None:
    text = "node.startup = automatic\nnode.session.timeo.replacement_timeout   =  120\n"
    found = iscsi004(tmp_path, text)
    assert "holds I/O for 120 s" in found[0].message
    assert fixed(found, text) == (
        "node.startup = automatic\nnode.session.timeo.replacement_timeout   =  15\n"
    )


def test_iscsi004_inline_comment_stays(tmp_path: Path) -> None:
    text = "\tnode.session.timeo.replacement_timeout = 60 # one minute\r\n"
    assert fixed(iscsi004(tmp_path, text), text) == (
        "\tnode.session.timeo.replacement_timeout = 15 # one minute\r\n"
    )


def test_iscsi004_unset_adds_a_line_in_the_file_style(tmp_path: Path) -> None:
    text = (
        "node.startup=automatic\n"  # dropped by iscsid: not the style to copy
        "node.session.cmds_max   = 128\n"
        "node.session.queue_depth   = 32\n"
        "discovery.sendtargets.auth.authmethod   = None\n"
    )
    found = iscsi004(tmp_path, text)
    assert "not set, so iscsid uses its default of 120 s" in found[0].message
    assert fixed(found, text) == (
        "node.startup=automatic\n"
        "node.session.cmds_max   = 128\n"
        "node.session.queue_depth   = 32\n"
        "node.session.timeo.replacement_timeout   = 15\n"
        "discovery.sendtargets.auth.authmethod   = None\n"
    )


def test_iscsi004_dropped_last_line_counts_as_default(tmp_path: Path) -> None:
    text = "node.startup = automatic\nnode.session.timeo.replacement_timeout = 10"
    found = iscsi004(tmp_path, text)
    assert "does not read the node.session.timeo.replacement_timeout line" in found[0].message
    assert "default of 120 s" in found[0].message and found[0].location.line == 2
    assert fixed(found, text) == (
        "node.startup = automatic\nnode.session.timeo.replacement_timeout = 15\n"
        "node.session.timeo.replacement_timeout = 10"
    )


def test_iscsi004_the_fix_removes_the_finding(tmp_path: Path) -> None:
    text = "node.session.timeo.replacement_timeout = 120\n"
    after = fixed(iscsi004(tmp_path, text), text)
    assert iscsi004(tmp_path / "again", after) == []


def test_iscsi004_negative_queues_forever(tmp_path: Path) -> None:
    found = iscsi004(tmp_path, "node.session.timeo.replacement_timeout = -1\n")
    assert len(found) == 1 and "queues I/O forever" in found[0].message


@pytest.mark.parametrize("value", ["0", "5", "15", "20", "20s"])
def test_iscsi004_fast_values_are_fine(tmp_path: Path, value: str) -> None:
    assert iscsi004(tmp_path, f"node.session.timeo.replacement_timeout = {value}\n") == []


def test_iscsi004_last_value_wins(tmp_path: Path) -> None:
    text = (
        "node.session.timeo.replacement_timeout = 15\n"
        "node.session.timeo.replacement_timeout = 120\n"
    )
    found = iscsi004(tmp_path, text)
    assert len(found) == 1 and found[0].location.line == 2


def test_iscsi004_needs_multipath(tmp_path: Path) -> None:
    assert iscsi004(tmp_path, "node.session.timeo.replacement_timeout = 120\n", False) == []


def test_iscsi004_a_packaged_blacklist_drop_in_is_no_multipath(tmp_path: Path) -> None:
    # drbd-utils ships this drop-in whether or not multipath-tools is installed
    drop_in = {"etc/multipath/conf.d/drbd.conf": 'blacklist {\n\tdevnode "^drbd[0-9]+"\n}\n'}
    timeout = {ISCSID: "node.session.timeo.replacement_timeout = 120\n"}
    assert run(tmp_path, "ISCSI004", {"xen1": {**timeout, **drop_in}}) == []
    # a multipath.conf of its own, even a bare blacklist, says multipathd runs
    own = {MULTIPATH: 'blacklist {\n\tdevnode "^sda"\n}\n'}
    found = run(tmp_path / "own", "ISCSI004", {"xen1": {**timeout, **drop_in, **own}})
    assert [d.related[0].path.endswith("multipath.conf") for d in found] == [True]


# ISCSI005 manual-startup -------------------------------------------------------------------------


def iscsi005(tmp_path: Path, text: str, xen1: Mapping[str, str] | None = None) -> list[Diagnostic]:
    files = {ISCSID: text, **(xen1 if xen1 is not None else {MULTIPATH: MAP})}
    return run(tmp_path, "ISCSI005", {"san1": {IETD: ietd()}, "xen1": files})


def test_iscsi005_manual_under_a_map_of_the_site(tmp_path: Path) -> None:
    found = iscsi005(tmp_path, "node.startup = manual\n")
    assert len(found) == 1 and found[0].location.line == 1
    assert found[0].related[0].path.endswith(MULTIPATH)
    assert TARGET in (found[0].related[0].message or "")


def test_iscsi005_automatic_is_fine(tmp_path: Path) -> None:
    assert iscsi005(tmp_path, "node.startup = automatic\n") == []


def test_iscsi005_unset_is_manual(tmp_path: Path) -> None:
    found = iscsi005(tmp_path, "node.session.timeo.replacement_timeout = 15\n")
    assert len(found) == 1 and "default is manual" in found[0].message


def test_iscsi005_wrong_case_stays_manual(tmp_path: Path) -> None:
    found = iscsi005(tmp_path, "node.startup = Automatic\n")
    assert len(found) == 1 and "case-sensitive" in found[0].message


def test_iscsi005_dropped_automatic_line(tmp_path: Path) -> None:
    found = iscsi005(tmp_path, "node.startup=automatic\n")
    assert len(found) == 1 and "does not read the node.startup line" in found[0].message


def test_iscsi005_map_of_another_lun_is_not_known_to_need_iscsi(tmp_path: Path) -> None:
    other = MAP.replace(WWID, "3600508b400105e210000900000490000")
    assert iscsi005(tmp_path, "node.startup = manual\n", {MULTIPATH: other}) == []


def test_iscsi005_xen_guest_on_a_lun_by_wwid(tmp_path: Path) -> None:
    guest = f"name = 'vm1'\ndisk = [ 'phy:/dev/disk/by-id/scsi-{WWID},xvda,w' ]\n"
    found = iscsi005(tmp_path, "node.startup = manual\n", {"etc/xen/vm1.cfg": guest})
    assert len(found) == 1 and found[0].related[0].path.endswith("etc/xen/vm1.cfg")


def test_iscsi005_xen_guest_on_an_iscsi_path(tmp_path: Path) -> None:
    guest = (
        "name = 'vm1'\n"
        f"disk = [ 'phy:/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-{TARGET}-lun-0,xvda,w' ]\n"
    )
    found = iscsi005(tmp_path, "node.startup = manual\n", {"etc/xen/vm1.cfg": guest})
    assert len(found) == 1 and "iSCSI path" in (found[0].related[0].message or "")


# The example sites ------------------------------------------------------------------------------


def test_example_site_findings() -> None:
    result = lint(Site.load([SITES / "example"]), LintOptions(select=("ISCSI",)))
    found = sorted((d.code, d.location.host or "") for d in result.diagnostics)
    assert found == [
        ("ISCSI002", "xen1"),
        ("ISCSI002", "xen2"),
        ("ISCSI004", "xen1"),
        ("ISCSI004", "xen2"),
        ("ISCSI005", "xen1"),
    ]


def test_example_fixed_site_is_clean() -> None:
    result = lint(Site.load([SITES / "example-fixed"]), LintOptions(select=("ISCSI",)))
    assert result.diagnostics == []
