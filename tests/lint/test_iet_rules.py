"""IET001, IET002, IET006, IET007, IET009, IET010 on small sites: what fires, what must not."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint.conftest import Runner
from tests.lint.sites import write_site
from xsanconf.facts.ietd import config_option
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

NAME = "iqn.2009-02.nl.example:storage.xensan"
SECRET = "Tr0ub4dor-3x"  # 12 characters
CONF = "etc/iet/ietd.conf"
OLD = "etc/ietd.conf"
ALLOW = "etc/iet/initiators.allow"
DEFAULTS = "etc/default/iscsitarget"


def target(*lines: str, name: str = NAME) -> str:
    return f"Target {name}\n" + "".join(f"\t{line}\n" for line in lines)


LUN0 = "Lun 0 Path=/dev/drbd0,Type=blockio,ScsiId=xensan0"
PROTECTED = target(f"IncomingUser xenhosts {SECRET}", LUN0)
OPEN = target(LUN0)


def run(
    tmp_path: Path,
    code: str,
    files: Mapping[str, str],
    version: str | None = None,
    host: str = "san1",
) -> list[Diagnostic]:
    """Lint one host carrying ``files`` with one rule."""
    write_site(tmp_path / "site", {host: files})
    versions = {"iet": version} if version else {}
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,), versions=versions))
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


# IET001 ----------------------------------------------------------------------------------------


def test_valid_target_name_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, "IET001", {CONF: PROTECTED}) == []


def test_invalid_target_name_points_at_the_name(tmp_path: Path) -> None:
    text = target(LUN0, name="iqn.2009-2.nl.example:storage_xensan")
    (found,) = run(tmp_path, "IET001", {CONF: text})
    assert found.severity == Severity.ERROR
    assert "'_' not allowed" in found.message and "month '2'" in found.message
    assert (found.location.line, found.location.column, found.location.end_column) == (1, 8, 44)


def test_upper_case_and_eui_names_are_warnings(tmp_path: Path) -> None:
    text = target(LUN0, name=NAME.upper()) + target(LUN0, name="eui.02004567a425678d")
    found = run(tmp_path, "IET001", {CONF: text})
    assert [d.severity for d in found] == [Severity.WARNING, Severity.WARNING]
    assert "upper-case" in found[0].message
    assert "only iqn. names" in found[1].message


def test_target_line_without_name(tmp_path: Path) -> None:
    text = "Target\n\tIncomingUser jim twelvechars1\n"
    (found,) = run(tmp_path, "IET001", {CONF: text})
    assert "no name" in found.message and "under discovery" in found.message


def test_name_longer_than_ietd_keeps(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET001", {CONF: target(name=NAME + "x" * 230)})
    assert "first 255 bytes" in found.message


# IET002 ----------------------------------------------------------------------------------------


def test_duplicate_target_ignoring_case(tmp_path: Path) -> None:
    text = PROTECTED + target(f"IncomingUser other {SECRET}", name=NAME.upper())
    (found,) = run(tmp_path, "IET002", {CONF: text})
    assert found.location.line == 4
    assert "duplicated target" in found.message and "join the first target" in found.message
    assert [r.line for r in found.related] == [1]


def test_duplicate_lun_number_read_as_decimal(tmp_path: Path) -> None:
    text = target(LUN0, "Lun 00 Path=/dev/drbd1,Type=blockio", "Lun 1 Path=/dev/drbd2")
    (found,) = run(tmp_path, "IET002", {CONF: text})
    assert found.message.startswith("LUN 0 is defined twice")
    assert found.location.line == 3 and found.related[0].line == 2


def test_same_lun_number_in_two_targets_is_fine(tmp_path: Path) -> None:
    text = target(LUN0) + target(LUN0.replace("drbd0", "drbd1"), name=NAME + "2")
    assert run(tmp_path, "IET002", {CONF: text}) == []


def test_lun_without_number_is_not_a_duplicate(tmp_path: Path) -> None:
    assert run(tmp_path, "IET002", {CONF: target(LUN0, "Lun Path=/dev/drbd1")}) == []


# IET006 ----------------------------------------------------------------------------------------


def test_target_with_account_is_not_open(tmp_path: Path) -> None:
    assert run(tmp_path, "IET006", {CONF: PROTECTED}) == []


def test_target_without_account_or_allow_file(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET006", {CONF: OPEN})
    assert found.severity == Severity.WARNING
    assert "no IncomingUser account and there is no initiators.allow" in found.message
    assert found.location.line == 1


def test_incoming_user_without_password_does_not_count(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET006", {CONF: target("IncomingUser xenhosts", LUN0)})
    assert "has no password, so ietd drops it" in found.message


def test_discovery_account_does_not_guard_the_target(tmp_path: Path) -> None:
    text = f"IncomingUser discovery {SECRET}\n" + OPEN
    (found,) = run(tmp_path, "IET006", {CONF: text})
    assert "guard discovery only" in found.message


def test_accounts_of_a_duplicate_stanza_join_the_first_target(tmp_path: Path) -> None:
    text = OPEN + target(f"IncomingUser xenhosts {SECRET}", name=NAME.upper())
    assert run(tmp_path, "IET006", {CONF: text}) == []


def test_accounts_of_a_name_ietd_cuts_go_to_discovery(tmp_path: Path) -> None:
    long_name = NAME + "x" * 230
    found = run(tmp_path, "IET006", {CONF: target(f"IncomingUser u {SECRET}", name=long_name)})
    assert len(found) == 1


@pytest.mark.parametrize(
    ("allow", "deciding"),
    [
        ("ALL ALL\n", 1),
        (f"{NAME} ALL\n", 1),
        (f"{NAME.upper()} 10.0.0.1, ALL\n", 1),
        (f"{NAME} .*\n", 1),
        ("ALL ALL\n" + f"{NAME} 192.168.10.0/24\n", 1),  # the ALL line decides first
        ("# comment\n\tALL\t10.0.0.1 ,ALL\n", 2),
        ("iqn.2009-02.nl.example:other 10.0.0.1\nALL ALL\n", 2),
    ],
)
def test_allow_lines_that_let_everyone_in(tmp_path: Path, allow: str, deciding: int) -> None:
    (found,) = run(tmp_path, "IET006", {CONF: OPEN, ALLOW: allow})
    assert f"line {deciding} (" in found.message and "lets every initiator in" in found.message
    (related,) = found.related
    assert related.path.endswith("etc/iet/initiators.allow")
    assert related.line == deciding


@pytest.mark.parametrize(
    "allow",
    [
        f"{NAME} 192.168.10.0/24\nALL ALL\n",
        f"{NAME} [fe80::1], 10.0.0.0/8\n",
        f"{NAME} iqn\\.1998-01\\.com\\.vmware:.*\n",
        f"{NAME} 10.0.0.1/24\n",  # host bits set: never matches, so everyone is refused
        "iqn.2009-02.nl.example:other ALL\n",  # no line decides: everyone is refused
        "ALL ALL",  # no newline: ietd ignores the line, and no line decides
        f"{NAME} [fe80::1, ALL\n",  # ietd stops at the unclosed bracket
    ],
)
def test_allow_lines_that_restrict(tmp_path: Path, allow: str) -> None:
    assert run(tmp_path, "IET006", {CONF: OPEN, ALLOW: allow}) == []


def test_etc_iet_access_file_comes_first(tmp_path: Path) -> None:
    files = {CONF: OPEN, ALLOW: f"{NAME} 10.0.0.0/8\n", "etc/initiators.allow": "ALL ALL\n"}
    assert run(tmp_path, "IET006", files) == []
    files = {CONF: OPEN, ALLOW: "ALL ALL\n", "etc/initiators.allow": f"{NAME} 10.0.0.0/8\n"}
    assert len(run(tmp_path / "2", "IET006", files)) == 1


def test_deny_file_switches_to_the_old_rule(tmp_path: Path) -> None:
    deny = "etc/iet/initiators.deny"
    restricted = {CONF: OPEN, ALLOW: f"{NAME} 10.0.0.0/8\n", deny: "ALL ALL\n"}
    assert run(tmp_path, "IET006", restricted) == []
    nobody_denied = {CONF: OPEN, ALLOW: f"{NAME} 10.0.0.0/8\n", deny: "iqn.x.y:other ALL\n"}
    (found,) = run(tmp_path / "2", "IET006", nobody_denied)
    assert "initiators.deny exists, so ietd refuses only the initiators a deny" in found.message
    # an initiators.deny without lines switches the rule too: initiators.allow stops counting
    empty_deny = {CONF: OPEN, ALLOW: f"{NAME} 10.0.0.0/8\n", deny: "# deprecated\n"}
    assert len(run(tmp_path / "4", "IET006", empty_deny)) == 1
    allow_all = {CONF: OPEN, ALLOW: "ALL ALL\n", deny: "ALL ALL\n"}
    (found,) = run(tmp_path / "3", "IET006", allow_all)
    assert "whatever initiators.deny says" in found.message


def test_iet_0_4_reads_allow_only_with_deny(tmp_path: Path) -> None:
    files = {CONF: "", OLD: OPEN, "etc/initiators.allow": f"{NAME} 10.0.0.0/8\n"}
    (found,) = run(tmp_path, "IET006", files, version="0.4.17")
    assert "IET 0.4.17 reads initiators.allow only together with initiators.deny" in found.message
    files["etc/initiators.deny"] = "ALL ALL\n"
    assert run(tmp_path / "2", "IET006", files, version="0.4.17") == []


def test_only_the_ietd_conf_ietd_reads_counts(tmp_path: Path) -> None:
    assert run(tmp_path, "IET006", {CONF: PROTECTED, OLD: OPEN}) == []
    (found,) = run(tmp_path / "2", "IET006", {CONF: OPEN, OLD: PROTECTED})
    assert found.location.path.endswith("etc/iet/ietd.conf")


def test_isns_access_control_decides(tmp_path: Path) -> None:
    text = "iSNSServer 10.0.0.9\niSNSAccessControl Yes\n" + OPEN
    assert run(tmp_path, "IET006", {CONF: text}) == []


# IET007 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["a" * 12, "b" * 16])
def test_secret_lengths_within_limits(tmp_path: Path, secret: str) -> None:
    text = f"IncomingUser d {secret}\n" + target(f"OutgoingUser o {secret}", LUN0)
    assert run(tmp_path, "IET007", {CONF: text}) == []


@pytest.mark.parametrize("secret", ["short", "a" * 11, "a" * 17])
def test_secret_lengths_outside_limits(tmp_path: Path, secret: str) -> None:
    text = f"IncomingUser d {secret}\n" + target(f"OutgoingUser o {secret}", LUN0)
    found = run(tmp_path, "IET007", {CONF: text})
    assert [d.location.line for d in found] == [1, 3]
    assert all(d.severity == Severity.WARNING for d in found)
    assert f"is {len(secret)} characters long" in found[0].message
    assert all(secret not in d.message for d in found)


def test_account_without_password(tmp_path: Path) -> None:
    found = run(tmp_path, "IET007", {CONF: target("IncomingUser jim", "OutgoingUser", LUN0)})
    assert [d.severity for d in found] == [Severity.ERROR, Severity.ERROR]
    assert "needs a password" in found[0].message
    assert "needs a user name and a password" in found[1].message


def test_password_lost_at_the_end_of_the_file(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET007", {CONF: f"Target {NAME}\n\tIncomingUser jim {SECRET}"})
    assert "loses its last word" in found.message
    assert SECRET not in found.message


def test_several_accounts_each_checked(tmp_path: Path) -> None:
    text = target(f"IncomingUser a {SECRET}", "IncomingUser b tooshort", f"IncomingUser c {SECRET}")
    (found,) = run(tmp_path, "IET007", {CONF: text})
    assert "IncomingUser 'b'" in found.message


def test_accounts_filed_under_discovery(tmp_path: Path) -> None:
    text = f"IncomingUser d {SECRET}\nTarget\n\tIncomingUser lost {SECRET}\n"
    (found,) = run(tmp_path, "IET007", {CONF: text})
    assert found.severity == Severity.ERROR and found.location.line == 3
    assert "files the account under discovery" in found.message
    long_name = target(f"OutgoingUser o {SECRET}", name=NAME + "x" * 230)
    (found,) = run(tmp_path / "2", "IET007", {CONF: long_name})
    assert "keeps the first 255" in found.message


def test_discovery_and_duplicate_target_accounts_are_not_misfiled(tmp_path: Path) -> None:
    duplicate = target(f"IncomingUser e {SECRET}", name=NAME.upper())
    text = f"IncomingUser d {SECRET}\n" + PROTECTED + duplicate
    assert run(tmp_path, "IET007", {CONF: text}) == []


def test_no_secret_in_any_report(tmp_path: Path, xsanlint: Runner) -> None:
    known = "s3cr3t-pw"
    text = (
        f"IncomingUser disco {known}\n"
        f"Target {NAME}\n\tIncomingUser jim {known}\n\tOutgoingUser out {known}\n\t{LUN0}\n"
        f"Target\n\tIncomingUser lost {known}\n"
        f"Target {NAME}\n\tIncomingUser dup {known}\n"
        f"Target iqn.2009-02.nl.example:last\n\tIncomingUser eof {known}"
    )
    write_site(tmp_path / "site", {"san1": {CONF: text, "etc/ietd.conf": text}})
    for fmt in ("json", "sarif", "text", "github"):
        _, out, err = xsanlint(tmp_path / "site", "--format", fmt)
        assert "IET007" in out
        assert known not in out and known not in err
    # without the reporters' safety net, the rules' own texts must still hold no secret
    _, out, _ = xsanlint(tmp_path / "site", "--format", "json", "--select", "IET", "--show-secrets")
    report = json.loads(out)
    assert {"IET006", "IET007", "IET009"} <= {d["code"] for d in report["diagnostics"]}
    assert known not in json.dumps(report)


# IET009 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("defaults", "expected"),
    [
        ("ISCSITARGET_ENABLE=false\nISCSITARGET_MAX_SLEEP=3\n", "sets ISCSITARGET_ENABLE=false"),
        ("ISCSITARGET_ENABLE=yes\n", "to 'yes': the init script accepts only"),
        ("ISCSITARGET_MAX_SLEEP=3\n", "does not set ISCSITARGET_ENABLE"),
        ("", "is empty"),
        ("ISCSITARGET_ENABLE=true\r\n", "carriage return"),
        ('ISCSITARGET_ENABLE="false"\n', "sets ISCSITARGET_ENABLE=false"),
    ],
)
def test_daemon_disabled(tmp_path: Path, defaults: str, expected: str) -> None:
    (found,) = run(tmp_path, "IET009", {CONF: PROTECTED, DEFAULTS: defaults})
    assert expected in found.message
    assert found.location.path.endswith(DEFAULTS)
    assert found.related[0].path.endswith(CONF)


@pytest.mark.parametrize(
    "defaults",
    [
        "ISCSITARGET_ENABLE=true\n",
        "# start at boot\nexport ISCSITARGET_ENABLE='true'\n",
        "ISCSITARGET_ENABLE=$ENABLE\n",  # an expansion: the value is not known
    ],
)
def test_daemon_enabled_or_unknown(tmp_path: Path, defaults: str) -> None:
    assert run(tmp_path, "IET009", {CONF: PROTECTED, DEFAULTS: defaults}) == []


def test_disabled_daemon_without_targets_or_defaults_is_fine(tmp_path: Path) -> None:
    assert (
        run(tmp_path, "IET009", {CONF: "# nothing\n", DEFAULTS: "ISCSITARGET_ENABLE=false\n"}) == []
    )
    assert run(tmp_path / "2", "IET009", {CONF: PROTECTED}) == []


def test_both_ietd_conf_files(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "IET009", {CONF: PROTECTED, OLD: PROTECTED})
    assert found.location.path.endswith("san1/etc/ietd.conf")
    assert "/etc/ietd.conf is never read: ietd reads /etc/iet/ietd.conf" in found.message
    (found,) = run(tmp_path / "2", "IET009", {CONF: PROTECTED, OLD: PROTECTED}, version="0.4.17")
    assert found.location.path.endswith("etc/iet/ietd.conf")
    assert "IET 0.4.17 reads only /etc/ietd.conf" in found.message


def test_config_file_named_on_the_command_line(tmp_path: Path) -> None:
    files = {
        CONF: PROTECTED,
        "etc/iet/san.conf": PROTECTED,
        DEFAULTS: 'ISCSITARGET_ENABLE=true\nISCSITARGET_OPTIONS="-f -c /etc/iet/san.conf"\n',
    }
    (found,) = run(tmp_path, "IET009", files)
    assert found.location.path.endswith(CONF)
    assert "ietd -c /etc/iet/san.conf (ISCSITARGET_OPTIONS) reads that file" in found.message
    # a missing -c file: ietd falls back to /etc/ietd.conf, never to /etc/iet/ietd.conf
    files = {
        CONF: PROTECTED,
        OLD: PROTECTED,
        DEFAULTS: "ISCSITARGET_OPTIONS='--config=/etc/iet/x.conf'\n",
    }
    both = run(tmp_path / "2", "IET009", files)
    assert sorted(d.location.path.split("san1/")[1] for d in both) == [DEFAULTS, CONF]
    (ignored,) = [d for d in both if d.location.path.endswith(CONF)]
    assert "names a missing file" in ignored.message
    # outside /etc the site cannot tell whether the file exists: no guess
    files[DEFAULTS] = "ISCSITARGET_ENABLE=true\nISCSITARGET_OPTIONS='-c /srv/ietd.conf'\n"
    assert run(tmp_path / "3", "IET009", files) == []


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["-c", "/a"], "/a"),
        (["-c/a"], "/a"),
        (["-fc", "/a"], "/a"),
        (["--config=/a"], "/a"),
        (["--conf", "/a"], "/a"),
        (["-c", "/a", "--config", "/b"], "/b"),
        (["-d", "-c"], None),  # -c is the value of -d
        (["-p", "3260", "-f"], None),
        (["--", "-c", "/a"], None),
        ([], None),
    ],
)
def test_config_option(words: list[str], expected: str | None) -> None:
    assert config_option(words) == expected


# IET010 ----------------------------------------------------------------------------------------


def test_scsi_id_of_16_bytes_is_fine(tmp_path: Path) -> None:
    text = target("Lun 0 Path=/dev/drbd0,ScsiId=0123456789abcdef,ScsiSN=" + "s" * 32)
    assert run(tmp_path, "IET010", {CONF: text}) == []


def test_scsi_id_too_long_or_empty(tmp_path: Path) -> None:
    text = target("Lun 0 Path=/dev/drbd0,ScsiId=0123456789abcdefg", "Lun 1 Path=/dev/drbd1,ScsiId=")
    found = run(tmp_path, "IET010", {CONF: text})
    assert "ScsiId is 17 bytes" in found[0].message
    assert (found[0].location.column, found[0].location.end_column) == (24, 48)
    assert "empty ScsiId=" in found[1].message


@pytest.mark.parametrize(
    ("serial", "version", "expected"),
    [
        ("s" * 33, None, "ScsiSN is 33 bytes; IET 1.4.20 takes at most 32"),
        ("s" * 17, "1.4.19", "ScsiSN is 17 bytes; IET 1.4.19 takes at most 16"),
        ("abc\tdef", None, "U+0009"),
        ("disk-é", None, "'é'"),
        ("", None, "empty ScsiSN="),
    ],
)
def test_bad_scsi_sn(tmp_path: Path, serial: str, version: str | None, expected: str) -> None:
    text = target(f"Lun 0 Path=/dev/drbd0,ScsiId=a,ScsiSN={serial}")
    (found,) = run(tmp_path, "IET010", {CONF: text}, version=version)
    assert expected in found.message


def test_one_scsi_id_on_two_luns(tmp_path: Path) -> None:
    text = target(LUN0, "Lun 1 Path=/dev/drbd1,ScsiId=xensan1") + target(
        "Lun 0 Path=/dev/sdb,ScsiId=xensan0", name=NAME + "2"
    )
    (found,) = run(tmp_path, "IET010", {CONF: text})
    assert found.location.line == 5 and found.related[0].line == 2
    assert "1494554000000000078656e73616e30000000000000000000" in found.message


def test_scsi_ids_differing_in_case_are_different(tmp_path: Path) -> None:
    text = target(LUN0, "Lun 1 Path=/dev/drbd1,ScsiId=XENSAN0")
    assert run(tmp_path, "IET010", {CONF: text}) == []


def test_luns_ietd_does_not_create_share_no_id(tmp_path: Path) -> None:
    # the second LUN 0 and the duplicate stanza are refused (IET002), so no WWID is shared
    text = target(LUN0, LUN0.replace("drbd0", "drbd1")) + target(LUN0, name=NAME.upper())
    assert run(tmp_path, "IET010", {CONF: text}) == []


def test_one_scsi_id_on_two_hosts_is_intended(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"san1": {CONF: PROTECTED}, "san2": {CONF: PROTECTED}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("IET010",)))
    assert result.diagnostics == []


def test_example_sites(xsanlint: Runner) -> None:
    from tests.lint.conftest import SITES

    codes = ("IET001", "IET002", "IET006", "IET007", "IET009", "IET010")
    _, out, _ = xsanlint(SITES / "example-fixed", "--select", ",".join(codes))
    assert out.startswith("No problems found")
    _, out, _ = xsanlint(SITES / "example", "--select", ",".join(codes))
    assert out.startswith("No problems found")
