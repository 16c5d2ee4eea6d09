"""ISCSI003-ISCSI006 over node and discovery records: the records are what iscsid logs in with,
iscsid.conf speaks only for targets without one, and ISCSI006 reports where the two differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.conftest import SITES, Runner
from tests.lint.sites import apply, write_site
from tests.lint.test_iscsi_rules import IETD, ISCSID, MAP, MULTIPATH, OLD_SECRET, SECRET, ietd
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.rules.iscsi import _by_path_target
from xsanconf.lint.site import Site

TARGET = "iqn.2009-02.nl.example:storage.xensan"
OTHER = "iqn.2009-02.nl.example:storage.other"
NODE = f"etc/iscsi/nodes/{TARGET}/10.0.0.1,3260,1/default"
RH_NODE = f"var/lib/iscsi/nodes/{TARGET}/10.0.0.1,3260,1/default"
SITE = SITES / "iscsi-records"
CODES = ("ISCSI003", "ISCSI004", "ISCSI005", "ISCSI006")


def record(
    timeout: str = "15",
    startup: str = "automatic",
    password: str = SECRET,
    target: str = TARGET,
) -> str:
    return (
        f"# BEGIN RECORD 2.0-873\nnode.name = {target}\nnode.tpgt = 1\n"
        f"node.startup = {startup}\niface.iscsi_ifacename = default\n"
        "node.session.auth.authmethod = CHAP\nnode.session.auth.username = xenhosts\n"
        f"node.session.auth.password = {password}\n"
        f"node.session.timeo.replacement_timeout = {timeout}\n"
        "node.conn[0].address = 10.0.0.1\nnode.conn[0].port = 3260\n# END RECORD\n"
    )


def conf(timeout: str = "15", startup: str = "automatic", password: str = SECRET) -> str:
    return (
        f"node.startup = {startup}\nnode.session.timeo.replacement_timeout = {timeout}\n"
        "node.session.auth.authmethod = CHAP\nnode.session.auth.username = xenhosts\n"
        f"node.session.auth.password = {password}\n"
    )


def run(tmp_path: Path, xen1: dict[str, str], codes: tuple[str, ...] = CODES) -> list[Diagnostic]:
    hosts = {"san1": {IETD: ietd()}, "xen1": {MULTIPATH: MAP, **xen1}}
    write_site(tmp_path / "site", hosts)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=codes))
    assert not result.failures, result.failures
    return list(result.diagnostics)


def where(found: list[Diagnostic], root: Path) -> list[tuple[str, str, int]]:
    return sorted(
        (d.code, Path(d.location.path).relative_to(root).as_posix(), d.location.line) for d in found
    )


def test_fixture_site() -> None:
    result = lint(Site.load([SITE]), LintOptions(select=CODES))
    node = f"xen2/etc/iscsi/nodes/{TARGET}/10.0.0.1,3260,1/default"
    rh = f"xen3/var/lib/iscsi/nodes/{TARGET}/10.0.0.%d,3260,1/default"
    assert where(list(result.diagnostics), SITE) == [
        ("ISCSI003", node, 16),
        ("ISCSI003", node, 16),
        ("ISCSI004", node, 17),
        ("ISCSI005", node, 4),
        ("ISCSI006", node, 16),
        ("ISCSI006", rh % 1, 17),
        ("ISCSI006", rh % 2, 17),
    ]


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_no_report_shows_a_record_secret(xsanlint: Runner, output: str) -> None:
    code, out, err = xsanlint(SITE, "--format", output)
    assert code == 1, err
    assert "ISCSI006" in out
    for secret in (SECRET, OLD_SECRET):
        assert secret not in out and secret not in err


def test_a_record_is_judged_instead_of_iscsid_conf(tmp_path: Path) -> None:
    found = run(tmp_path, {ISCSID: conf("120", "manual"), NODE: record()}, CODES[:3])
    assert found == []
    found = run(tmp_path / "2", {ISCSID: conf(), NODE: record("120", "manual")}, CODES[:3])
    assert where(found, tmp_path / "2/site") == [
        ("ISCSI004", f"xen1/{NODE}", 9),
        ("ISCSI005", f"xen1/{NODE}", 4),
    ]
    assert "node record of" in found[0].message


def test_iscsid_conf_speaks_for_targets_without_a_record(tmp_path: Path) -> None:
    # the only record is of a target the host does not use: its LUN is logged in with
    # whatever discovery will write, which is iscsid.conf
    other = f"etc/iscsi/nodes/{OTHER}/10.0.0.1,3260,1/default"
    found = run(tmp_path, {ISCSID: conf("120", "manual"), other: record(target=OTHER)}, CODES[:3])
    assert where(found, tmp_path / "site") == [
        ("ISCSI004", f"xen1/{ISCSID}", 2),
        ("ISCSI005", f"xen1/{ISCSID}", 1),
    ]


def test_a_record_missing_the_key_has_the_compiled_default(tmp_path: Path) -> None:
    bare = "# BEGIN RECORD 2.0-873\nnode.name = " + TARGET + "\n# END RECORD\n"
    found = run(tmp_path, {ISCSID: conf(), RH_NODE: bare}, ("ISCSI004", "ISCSI005"))
    # no key in the record: iscsid's defaults (120 s, manual), at the record's marker line
    assert where(found, tmp_path / "site") == [
        ("ISCSI004", f"xen1/{RH_NODE}", 1),
        ("ISCSI005", f"xen1/{RH_NODE}", 1),
    ]
    assert "default of 120 s" in found[0].message


def test_chap_in_a_record(tmp_path: Path) -> None:
    found = run(tmp_path, {ISCSID: conf(), NODE: record(password=OLD_SECRET)}, ("ISCSI003",))
    assert where(found, tmp_path / "site") == [("ISCSI003", f"xen1/{NODE}", 8)]
    assert f"-T {TARGET} -p 10.0.0.1:3260 -o update" in found[0].message
    # iscsid.conf's old password no longer matters once a record holds the right one
    assert (
        run(tmp_path / "2", {ISCSID: conf(password=OLD_SECRET), NODE: record()}, ("ISCSI003",))
        == []
    )


def test_discovery_records_are_checked_for_discovery_chap(tmp_path: Path) -> None:
    st = "var/lib/iscsi/send_targets/10.0.0.1,3260/st_config"
    head = "IncomingUser discover Disc0verySecret\n"
    hosts = {
        "san1": {IETD: ietd(head=head)},
        "xen1": {
            MULTIPATH: MAP,
            ISCSID: conf(),
            NODE: record(),
            st: "discovery.startup = manual\n",
        },
    }
    write_site(tmp_path / "site", hosts)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("ISCSI003",)))
    found = list(result.diagnostics)
    assert [(d.location.path.endswith("st_config"), d.message[:12]) for d in found] == [
        (True, "discovery on")
    ]


def test_iscsi006_both_ways(tmp_path: Path) -> None:
    same = run(tmp_path, {ISCSID: conf(), NODE: record()}, ("ISCSI006",))
    assert same == []
    found = run(tmp_path / "2", {ISCSID: conf(), NODE: record("120")}, ("ISCSI006",))
    assert where(found, tmp_path / "2/site") == [("ISCSI006", f"xen1/{NODE}", 9)]
    assert "replacement_timeout (record '120', iscsid.conf '15')" in found[0].message
    assert found[0].related[0].line == 2  # iscsid.conf's line
    # no iscsid.conf: nothing to compare with
    assert run(tmp_path / "3", {NODE: record("120")}, ("ISCSI006",)) == []


def test_a_sosreport_s_node_listing_stands_for_records_it_did_not_copy(tmp_path: Path) -> None:
    """A Debian host's sosreport: sos copies iscsid.conf but not /etc/iscsi/nodes, and runs
    iscsiadm -m node --op=show, which shows the record iscsid logs in with."""
    listing = "sos_commands/iscsi/iscsiadm_-m_node_--op_show"
    seeds = conf(timeout="120", startup="manual", password=OLD_SECRET)
    codes = ("ISCSI003", "ISCSI004", "ISCSI005")
    without = run(tmp_path / "a", {ISCSID: seeds}, codes)
    assert sorted(d.code for d in without) == ["ISCSI003", "ISCSI004", "ISCSI005"]
    assert run(tmp_path / "b", {ISCSID: seeds, listing: record()}, codes) == []
    # a listing of another target leaves iscsid.conf speaking for this one
    other = record(target="iqn.2009-02.nl.example:storage.other")
    found = run(tmp_path / "c", {ISCSID: seeds, listing: other}, codes)
    assert sorted(d.code for d in found) == ["ISCSI003", "ISCSI004", "ISCSI005"]


def test_iscsi006_leaves_the_startup_mode_to_each_record(tmp_path: Path) -> None:
    """A Debian iscsid.conf says manual and the admin set one record automatic with iscsiadm,
    as open-iscsi's README (7.3) and ISCSI005 say to: the record is meant to differ."""
    files = {ISCSID: conf(startup="manual"), NODE: record(startup="automatic")}
    assert run(tmp_path, files, ("ISCSI006",)) == []


def test_iscsi006_names_no_password(tmp_path: Path) -> None:
    found = run(tmp_path, {ISCSID: conf(), NODE: record(password=OLD_SECRET)}, ("ISCSI006",))
    assert len(found) == 1
    message = found[0].message
    assert "another password" in message
    assert OLD_SECRET not in message and SECRET not in message


def test_the_timeout_fix_edits_the_record(tmp_path: Path) -> None:
    text = record("120")
    found = run(tmp_path, {ISCSID: conf(), NODE: text}, ("ISCSI004",))
    (finding,) = found
    assert finding.fix is not None and not finding.fix.safe
    fixed = apply(text, finding.fix.edits)
    assert fixed == text.replace("replacement_timeout = 120", "replacement_timeout = 15")


def test_records_iscsiadm_does_not_read_are_not_judged(tmp_path: Path) -> None:
    # a flat portal file with a tpgt: iscsiadm opens it as a directory of interfaces and fails
    flat = f"etc/iscsi/nodes/{TARGET}/10.0.0.1,3260,1"
    found = run(tmp_path, {ISCSID: conf("120"), flat: record("120")}, ("ISCSI004", "ISCSI006"))
    assert where(found, tmp_path / "site") == [("ISCSI004", f"xen1/{ISCSID}", 2)]
    # the flat layout without a tpgt is read
    old = f"var/lib/iscsi/nodes/{TARGET}/10.0.0.1,3260"
    found = run(tmp_path / "2", {ISCSID: conf(), old: record("120")}, ("ISCSI004",))
    assert where(found, tmp_path / "2/site") == [("ISCSI004", f"xen1/{old}", 9)]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (f"/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-{TARGET}-lun-0", TARGET),
        (f"/dev/disk/by-path/ip-10.0.0.1:3260-iscsi-{TARGET}-lun-0-part1", TARGET),
        ("/dev/disk/by-path/pci-0000:00:1f.2-ata-1", None),
        ("/dev/disk/by-path/ip-10.0.0.1:3260-iscsi--lun-0", None),
    ],
)
def test_by_path_names_the_target(path: str, target: str | None) -> None:
    assert _by_path_target(path) == target


def test_syn_rules_read_a_record_as_idbm_reads_it(tmp_path: Path) -> None:
    text = (
        "# BEGIN RECORD 2.0-873\nnode.startup = Automatic\nnode.startup = manual\n"
        "iscsid.startup = /sbin/iscsid\nnode.sesion.cmds_max = 4\n"
        "node.session.timeo.replacement_timeout = 15 # fast\nnode.name=x\n# END RECORD\n"
    )
    write_site(tmp_path / "site", {"xen1": {NODE: text}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("SYN",)))
    found = sorted((d.code, d.location.line) for d in result.diagnostics)
    assert found == [
        ("SYN002", 4),  # iscsid.* is read from iscsid.conf only
        ("SYN002", 5),
        ("SYN004", 3),
        ("SYN005", 6),
        ("SYN005", 7),
        ("SYN007", 2),
    ]


def test_keys_of_the_released_open_iscsi_are_known(tmp_path: Path) -> None:
    """open-iscsi 2.1.11 (idbm_fields.h CONN_REOPEN_LOG_FREQ) writes this key into each record
    iscsiadm saves; its successor names it node.session.sess_reopen_log_freq."""
    text = record().replace(
        "# END RECORD",
        "node.session.conn_reopen_log_freq = 1\n"
        "node.session.sess_reopen_log_freq = 1\n# END RECORD",
    )
    write_site(tmp_path / "site", {"xen1": {NODE: text}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("SYN",)))
    assert list(result.diagnostics) == []


def test_record_facts(tmp_path: Path) -> None:
    from xsanconf.facts.iscsi import iscsi_records

    text = record().replace(
        "# END RECORD", "node.conn[0].timeo.noop_out_timeout = 10\n# END RECORD"
    )
    write_site(tmp_path / "site", {"xen1": {RH_NODE: text}})
    (host,) = Site.load([tmp_path / "site"]).hosts
    (facts,) = iscsi_records(host)
    assert (facts.target, facts.portal, facts.tpgt, facts.iface) == (
        TARGET,
        "10.0.0.1:3260",
        1,
        "default",
    )
    assert (facts.startup, facts.replacement_timeout) == ("automatic", 15)
    assert facts.conn_timeouts() == {
        "login_timeout": 30,  # compiled-in defaults where the record says nothing
        "logout_timeout": 15,
        "auth_timeout": 45,
        "noop_out_interval": 5,
        "noop_out_timeout": 10,
    }
    creds = facts.credentials()
    assert (creds.scope, creds.username, creds.password) == ("session", "xenhosts", SECRET)
    assert iscsi_records(host, "discovery") == []


def test_iscsi006_compares_discovery_records_too(tmp_path: Path) -> None:
    st = "var/lib/iscsi/send_targets/10.0.0.1,3260/st_config"
    record = (
        "# BEGIN RECORD 2.0-873\ndiscovery.startup = manual\ndiscovery.type = sendtargets\n"
        "discovery.sendtargets.address = 10.0.0.1\ndiscovery.sendtargets.port = 3260\n"
        "discovery.sendtargets.auth.authmethod = None\n# END RECORD\n"
    )
    seeds = conf() + "discovery.sendtargets.auth.authmethod = CHAP\n"
    found = run(tmp_path, {ISCSID: seeds, st: record}, ("ISCSI006",))
    assert where(found, tmp_path / "site") == [("ISCSI006", f"xen1/{st}", 6)]
    assert found[0].message.startswith("the discovery record of portal 10.0.0.1:3260 differs")
    assert "iscsiadm -m discovery -p 10.0.0.1:3260 -o update" in found[0].message


def test_a_record_that_does_not_parse_leaves_the_others_judged(tmp_path: Path) -> None:
    broken = f"etc/iscsi/nodes/{TARGET}/10.0.0.2,3260,1/default"
    files = {ISCSID: conf("120"), NODE: record("120"), broken: "node.startup = \0manual\n"}
    found = run(tmp_path, files, ("ISCSI004",))
    assert where(found, tmp_path / "site") == [("ISCSI004", f"xen1/{NODE}", 9)]


def test_hints_for_unknown_keys_are_sought_only_for_the_findings_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond 100 findings a file's findings are only counted: a hint for each of 50,000
    unknown keys cost two minutes of difflib."""
    import difflib

    calls: list[str] = []
    real = difflib.get_close_matches

    def counted(word: str, *args: object, **kwargs: object) -> list[str]:
        calls.append(word)
        return real(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    unknown = "".join(f"node.sesion.custom{i} = x\n" for i in range(300))
    files = {ISCSID: unknown, NODE: "# BEGIN RECORD 2.0-873\n" + unknown + "# END RECORD\n"}
    found = run(tmp_path, files, ("SYN002",))
    assert len(found) == 2 * 101  # 100 shown and one that counts the rest, per file
    assert len(calls) == 2 * 100
