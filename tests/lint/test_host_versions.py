"""Each host's versions from evidence, and findings and fixes true for every candidate version."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import pytest

from tests.lint.drbdadm import DRBDADM, run_dump
from tests.lint.sites import apply, write_site
from xsanconf.domain.version import parse_version
from xsanconf.facts.stack import parse_iet_version
from xsanconf.lint.cli import run
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.facts.rpmdb import header_strings, installed
from xsanconf.lint.facts.versions import dpkg_installed, host_versions
from xsanconf.lint.rule import RuleContext
from xsanconf.lint.rules import load_all
from xsanconf.lint.rules._mpath_retired import parse_version as mpath_version
from xsanconf.lint.rules.iet import _version as iet_version
from xsanconf.lint.site import Site

DEBIAN = Path(__file__).parents[2] / "fixtures/sites/debian-versions"


FENCING_IN_DISK = """\
resource r0 {
	disk { fencing resource-only; }
	net { protocol C; }
	on san1 { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.1:7788; meta-disk internal; }
	on san2 { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.2:7788; meta-disk internal; }
}
"""


def _version(text: str) -> object:
    found = parse_version(text)
    assert found is not None
    return found


def test_one_reading_of_versions_for_every_rule() -> None:
    # the parsers of iet.py, stack.py and mpath once read 1.4.20-rc1 as 1.4.20, 1.4.20.1, 1.4
    rc = parse_version("1.4.20-rc1")
    assert rc is not None and rc.pre and rc == (1, 4, 20) and rc.release == (1, 4, 20)
    assert rc > (1, 4, 19)
    ctx = RuleContext(load_all()["IET001"], {"iet": "1.4.20-rc1"})
    assert iet_version(ctx) == (1, 4, 20)
    assert parse_iet_version("1.4.20-rc1") == (1, 4, 20)
    assert mpath_version("0.9.4-rc1") == (0, 9, 4)
    assert _version("2:8.9.10-2") == (8, 9, 10)
    assert _version("1.4.20.3+svn496") >= (1, 4, 20)
    assert _version("0.8.4-2ubuntu1") == _version("0.8.4")
    assert _version("1.4") == (1, 4, 0)
    assert parse_version("rc1") is None


def test_dpkg_status_gives_installed_packages_only() -> None:
    data = (DEBIAN / "squeeze/var/lib/dpkg/status").read_bytes()
    found = {name: text for name, text, _ in dpkg_installed(data)}
    # multipath-tools is only "config-files": removed, nothing runs
    assert found == {
        "drbd8-utils": "2:8.3.7-2.1",
        "iscsitarget": "1.4.20.2-1",
        "linux-image-2.6.32-5-amd64": "2.6.32-48squeeze6",
    }


def test_squeeze_runs_drbd_83_and_stretch_84() -> None:
    site = Site.load([DEBIAN])
    squeeze, stretch, _ = (host_versions(h) for h in sorted(site.hosts, key=lambda h: h.name))
    assert squeeze.drbd == ("8.3",)
    assert squeeze.version("iet") == "1.4.20.2"
    assert [e.source for e in squeeze.components["drbd"].evidence] == ["dpkg"]
    assert stretch.drbd == ("8.4",)
    assert [e.source for e in stretch.components["drbd"].evidence] == ["dpkg", "modules"]
    assert stretch.version("drbd-utils") == "8.9.10"


def test_no_finding_on_debian_heads_is_only_true_for_drbd_9() -> None:
    result = lint(Site.load([DEBIAN]))
    found: dict[str, list[str]] = {d.location.host: [] for d in result.diagnostics}
    for d in result.diagnostics:
        found[d.location.host].append(d.code)
    assert found == {
        "squeeze": ["DRBD007", "DRBD008"],
        "stretch": ["DRBD008"],
        # a DRBD 9 resource on the 8.4 head: DRBD011 names the evidence; stretch lacks r1
        "stretch9": ["DRBD011", "DRBD006", "DRBD011", "DRBD011"],
    }
    squeeze_and_stretch = [d for d in result.diagnostics if d.location.host != "stretch9"]
    assert not [d for d in squeeze_and_stretch if "9" in d.message.replace("/", " ").split()]


def test_drbd_9_syntax_on_an_84_head_names_the_evidence() -> None:
    result = lint(Site.load([DEBIAN]), LintOptions(select=("DRBD011", "SYN002")))
    first = result.diagnostics[0]
    assert first.code == "DRBD011" and first.severity == Severity.ERROR
    assert first.message == (
        "option 'node-id' in 'host' is DRBD 9 syntax, but stretch9 runs DRBD 8.4 "
        "(var/lib/dpkg/status: drbd-utils 8.9.10-2; "
        "lib/modules/4.9.0-3-amd64/kernel/drivers/block/drbd/drbd.ko: in-tree module of Linux "
        "4.9.0-3-amd64): its drbdadm refuses it and stops with a parse error"
    )
    assert [d.code for d in result.diagnostics] == ["DRBD011"] * 3  # SYN002 leaves them


def test_drbd011_is_a_warning_for_versions_the_host_only_may_run(tmp_path: Path) -> None:
    status = "Package: drbd-utils\nStatus: install ok installed\nVersion: 8.9.10-2\n\n"
    old = FENCING_IN_DISK.replace("protocol C;", "protocol C; unplug-watermark 128;")
    write_site(tmp_path, {"san1": {"etc/drbd.conf": old, "var/lib/dpkg/status": status}})
    found_all = lint(Site.load([tmp_path]), LintOptions(select=("DRBD011",))).diagnostics
    # (8.3 also refuses ``protocol`` in ``net``: a finding of its own)
    (found,) = [d for d in found_all if "unplug-watermark" in d.message]
    assert found.severity == Severity.WARNING
    assert "san1 may run DRBD 8.3 or 8.4 or 9" in found.message
    assert found.message.endswith("drbdadm 9 refuses it and stops with a parse error")


def test_settings_beat_evidence_and_a_host_setting_beats_the_site() -> None:
    site = Site.load([DEBIAN])
    stretch = site.host("stretch")
    assert stretch is not None
    assert host_versions(stretch, {"drbd": "9"}).drbd == ("9",)
    assert host_versions(stretch, {"drbd": "9"}, {"drbd": "8.3"}).drbd == ("8.3",)


def test_per_host_target_on_the_command_line_and_in_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".xsanlint.toml").write_text('[hosts.stretch.versions]\ndrbd = "9"\n')
    with pytest.raises(SystemExit):
        run(["hosts", str(DEBIAN), "--target", "squeeze:drbd=8.4"])
    out = capsys.readouterr().out
    assert "squeeze   DRBD kernel module       8.4" in out
    assert "the setting for host squeeze: drbd = 8.4" in out
    assert "stretch   DRBD kernel module       9 " in out


def test_a_kernel_module_outside_the_tree_is_drbd_9(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {"h": {"etc/drbd.conf": "", "lib/modules/5.10.0-9-amd64/updates/dkms/drbd.ko": "x"}},
    )
    found = host_versions(Site.load([tmp_path]).hosts[0])
    assert found.drbd == ("9",)
    assert "out-of-tree" in found.components["drbd"].evidence[0].says


def test_captured_proc_drbd_is_the_strongest_evidence(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": "",
                "proc/drbd": "version: 8.4.11 (api:1/proto:86-101)\n",
                "lib/modules/5.10.0-9-amd64/updates/drbd.ko": "x",
            }
        },
    )
    found = host_versions(Site.load([tmp_path]).hosts[0]).components["drbd"]
    assert found.versions == ("8.4",)
    assert [e.source for e in found.ignored] == ["modules"]


def test_drbd_9_syntax_is_evidence_only_when_nothing_stronger_speaks(tmp_path: Path) -> None:
    nine = "resource r0 {\n\ton a { node-id 0; }\n}\n"
    write_site(tmp_path, {"h": {"etc/drbd.conf": nine}})
    assert host_versions(Site.load([tmp_path]).hosts[0]).drbd == ("9",)
    status = "Package: drbd8-utils\nStatus: install ok installed\nVersion: 2:8.4.4-1\n\n"
    write_site(tmp_path, {"h": {"var/lib/dpkg/status": status}})
    found = host_versions(Site.load([tmp_path]).hosts[0]).components["drbd"]
    assert found.versions == ("8.4",)
    assert [e.where for e in found.ignored] == ["etc/drbd.conf:2"]


def _header(tags: dict[int, str]) -> bytes:
    store = b""
    entries = b""
    for tag, value in tags.items():
        entries += struct.pack(">iiii", tag, 6, len(store), 1)
        store += value.encode() + b"\0"
    return struct.pack(">ii", len(tags), len(store)) + entries + store


def test_rpm_database_headers(tmp_path: Path) -> None:
    blob = _header({1000: "drbd84-utils", 1001: "9.6.0", 1002: "1.el7.elrepo"})
    assert header_strings(blob, frozenset({1000, 1001})) == {1000: "drbd84-utils", 1001: "9.6.0"}
    assert header_strings(blob[:10], frozenset({1000})) == {}
    root = tmp_path / "h"
    (root / "var/lib/rpm").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc/drbd.conf").write_text("")
    db = sqlite3.connect(root / "var/lib/rpm/rpmdb.sqlite")
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB)")
    db.execute("INSERT INTO Packages (blob) VALUES (?)", (blob,))
    other = _header({1000: "bash", 1001: "4.2.46", 1002: "34.el7"})
    db.execute("INSERT INTO Packages (blob) VALUES (?)", (other,))
    db.commit()
    db.close()
    path = str(root / "var/lib/rpm/rpmdb.sqlite")
    assert list(installed(path, lambda name: name != "bash")) == [
        ("drbd84-utils", "9.6.0-1.el7.elrepo")
    ]
    found = host_versions(Site.load([root]).hosts[0])
    assert found.version("drbd-utils") == "9.6.0"
    assert found.drbd == ("8.3", "8.4", "9")  # utils 9.6 drive any of the three


def test_the_fencing_fix_is_not_offered_where_drbd_84_may_run(tmp_path: Path) -> None:
    # the bug of issue 15: a safe fix under the default target moved fencing into net, which
    # drbdadm 8.4 and 8.3 refuse
    write_site(tmp_path, {"san1": {"etc/drbd.conf": FENCING_IN_DISK}})
    (found,) = lint(Site.load([tmp_path]), LintOptions(select=("DRBD007",))).diagnostics
    assert found.message.endswith("(for DRBD 9; 8.4 still reads it as written)")
    assert found.fix is None
    nine = LintOptions(select=("DRBD007",), versions={"drbd": "9"})
    (found,) = lint(Site.load([tmp_path]), nine).diagnostics
    assert found.fix is not None and found.fix.safe


def test_an_84_host_gets_no_fencing_finding(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/drbd.conf": FENCING_IN_DISK}})
    options = LintOptions(select=("DRBD007",), host_versions={"san1": {"drbd": "8.4"}})
    assert lint(Site.load([tmp_path]), options).diagnostics == []


DEPRECATED_84 = """\
resource r0 {
	handlers { outdate-peer "/usr/lib/drbd/crm-fence-peer.sh"; }
	disk { rate 40M; no-disk-flushes; fencing resource-only; }
	syncer { al-extents 257; }
	net { protocol C; }
	on san1 { device /dev/drbd0; disk /dev/sdb; address 10.0.0.1:788; flexible-meta-disk internal; }
	on san2 { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.2:788; meta-disk internal; }
}
"""


def _drbdadm_refuses(text: str, version: str, tmp_path: Path) -> str | None:
    conf = tmp_path / f"check-{version}.conf"
    conf.write_text(text)
    done = run_dump(conf, version, node=None)
    return done.stderr if "Parse error" in done.stderr else None


@pytest.mark.oracle
@pytest.mark.skipif(DRBDADM is None, reason="drbdadm is not installed (Debian package drbd-utils)")
@pytest.mark.parametrize(
    "candidates", [("8.4", "9"), ("8.3",), ("8.4",), ("9",), ("8.3", "8.4", "9")]
)
def test_every_drbd_fix_parses_with_every_candidate_drbdadm(
    tmp_path: Path, candidates: tuple[str, ...]
) -> None:
    """Each fix offered is applied alone and the result given to drbdadm's parser of each
    version the host may run (drbd-utils picks its 8.3, 8.4 or 9 back-end by the module
    version, which DRBD_DRIVER_VERSION_OVERRIDE fakes)."""
    write_site(tmp_path, {"san1": {"etc/drbd.conf": DEPRECATED_84}})
    site = Site.load([tmp_path / "san1"])
    given = {"san1": {"drbd": candidates[0]}} if len(candidates) == 1 else {}
    if len(candidates) == 3:
        status = "Package: drbd-utils\nStatus: install ok installed\nVersion: 8.9.10-2\n\n"
        (tmp_path / "san1/var/lib/dpkg").mkdir(parents=True)
        (tmp_path / "san1/var/lib/dpkg/status").write_text(status)
        site = Site.load([tmp_path / "san1"])
    assert host_versions(site.hosts[0], {}, given.get("san1")).drbd == candidates
    result = lint(site, LintOptions(select=("DRBD",), host_versions=given))
    fixes = [d.fix for d in result.diagnostics if d.fix is not None and d.fix.safe]
    assert fixes or candidates == ("8.3", "8.4", "9")
    for version in candidates:
        before = _drbdadm_refuses(DEPRECATED_84, version, tmp_path)
        for fix in fixes:
            fixed = apply(DEPRECATED_84, fix.edits)
            after = _drbdadm_refuses(fixed, version, tmp_path)
            assert after is None or before is not None, (fix.description, version, after)


def test_unknown_keywords_are_weighed_over_the_candidates(tmp_path: Path) -> None:
    # fencing in net is DRBD 9 syntax: evidence of 9 when nothing stronger speaks, and a
    # keyword 8.4 refuses on a host whose packages say 8.4
    net = FENCING_IN_DISK.replace("disk { fencing resource-only; }", "net { fencing dont-care; }")
    net = net.replace("\tnet { protocol C; }\n", "")
    write_site(tmp_path, {"san1": {"etc/drbd.conf": net}})
    found = host_versions(Site.load([tmp_path]).hosts[0]).components["drbd"]
    assert found.versions == ("9",)
    assert found.evidence[0].says == "'fencing' in 'net' (only DRBD 9 reads it there)"
    options = LintOptions(select=("SYN002",))
    assert lint(Site.load([tmp_path]), options).diagnostics == []
    status = "Package: drbd8-utils\nStatus: install ok installed\nVersion: 2:8.4.4-1\n\n"
    write_site(tmp_path, {"san1": {"var/lib/dpkg/status": status}})
    # the host says 8.4: DRBD011 reports another version's syntax, SYN002 leaves it
    assert lint(Site.load([tmp_path]), options).diagnostics == []
    both = LintOptions(select=("SYN002", "DRBD011"))
    (other,) = lint(Site.load([tmp_path]), both).diagnostics
    assert other.code == "DRBD011"
    assert other.message.startswith(
        "option 'fencing' in 'net' is DRBD 9 syntax, but san1 runs DRBD 8.4 "
        "(var/lib/dpkg/status: drbd8-utils 2:8.4.4-1)"
    )


def test_a_keyword_only_some_candidates_refuse_says_which(tmp_path: Path) -> None:
    old = FENCING_IN_DISK.replace("protocol C;", "protocol C; unplug-watermark 128;")
    write_site(tmp_path, {"san1": {"etc/drbd.conf": old}})
    (unknown,) = lint(Site.load([tmp_path]), LintOptions(select=("SYN002",))).diagnostics
    assert unknown.message == (
        "unknown option 'unplug-watermark' in a 'net' section for DRBD 9 (only in DRBD 8.3, "
        "8.4) (for DRBD 9; 8.4 still reads it as written)"
    )


GETUID = 'defaults {\n\tgetuid_callout "/lib/udev/scsi_id --whitelisted --device=/dev/%n"\n}\n'


def test_multipath_rules_judge_the_host_s_own_multipath_tools(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/multipath.conf": GETUID}})
    options = LintOptions(select=("MPATH004",))
    (retired,) = lint(Site.load([tmp_path]), options).diagnostics
    assert "(targeting 0.14.3)" in retired.message
    # wheezy's multipath-tools 0.4.9 still call it to identify the paths
    status = "Package: multipath-tools\nStatus: install ok installed\nVersion: 0.4.9-3+deb7u1\n\n"
    write_site(tmp_path, {"h": {"var/lib/dpkg/status": status}})
    assert lint(Site.load([tmp_path]), options).diagnostics == []


def test_hosts_view_refuses_bad_input_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        run(["hosts", str(DEBIAN), "--target", "drbd=7"])
    assert done.value.code == 2
    assert capsys.readouterr().err == "xsanlint: unknown drbd version '7'; use one of 8.3, 8.4, 9\n"
    with pytest.raises(SystemExit) as done:
        run(["hosts", str(DEBIAN), "--format", "json", "--isolated"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hosts"]["squeeze"]["drbd"]["versions"] == ["8.3"]
    assert data["hosts"]["squeeze"]["drbd"]["evidence"] == [
        {"source": "dpkg", "where": "var/lib/dpkg/status", "says": "drbd8-utils 2:8.3.7-2.1"}
    ]


def test_host_matching_and_required_keywords_weigh_every_candidate(tmp_path: Path) -> None:
    # drbdadm 9 matches "on SAN1" to host san1 and defaults meta-disk; 8.4 does neither
    text = FENCING_IN_DISK.replace("on san1", "on SAN1").replace(
        "address 10.0.0.2:7788; meta-disk internal;", "address 10.0.0.2:7788;"
    )
    write_site(tmp_path, {"san1": {"etc/drbd.conf": text}})
    options = LintOptions(select=("DRBD004", "DRBD010"))
    found = lint(Site.load([tmp_path]), options).diagnostics
    assert [(d.code, d.severity) for d in found] == [
        ("DRBD004", Severity.WARNING),
        ("DRBD010", Severity.WARNING),
    ]
    assert found[0].message.endswith(
        "drbdadm 8.4 ignores the resource on this host (for DRBD 8.4; 9 still reads it as written)"
    )
    assert found[1].message == (
        "resource r0: 'on san2' lacks meta-disk (volume 0) "
        "(for DRBD 8.4; 9 still reads it as written)"
    )
    nine = LintOptions(select=("DRBD004", "DRBD010"), versions={"drbd": "9"})
    assert lint(Site.load([tmp_path]), nine).diagnostics == []
    old = LintOptions(select=("DRBD004", "DRBD010"), versions={"drbd": "8.4"})
    assert {d.severity for d in lint(Site.load([tmp_path]), old).diagnostics} == {Severity.ERROR}
