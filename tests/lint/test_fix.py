"""``xsanlint --fix``/``--unsafe-fixes``/``--diff`` and :mod:`xsanconf.lint.fixing`.

The fixes written here (DRBD007 renames, SYN005's final newline, DRBD001's allow-two-primaries)
are checked to the exact text; the machinery (rounds, overlaps, refusals, atomic writes, renames,
exit codes) with small sites and, where a rule with the needed fix does not exist, with a stand-in
lint function that offers crafted fixes.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.lint.conftest import REPO, SITES, Runner
from tests.lint.sites import write_site
from xsanconf.lint import fixing
from xsanconf.lint.diagnostics import Diagnostic, FileRename, Fix, Location, Severity, TextEdit
from xsanconf.lint.engine import LintOptions, LintResult, lint
from xsanconf.lint.fixing import fix_site, unified_diff, write_changes
from xsanconf.lint.reporters import Report, render
from xsanconf.lint.rules import load_all
from xsanconf.lint.site import Site

SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"


def _fixed(root: Path, select: str, *, unsafe: bool = False, drbd: str = "9") -> dict[str, str]:
    """Fix the site at ``root`` for the rules ``select`` names; every file's text afterwards."""
    options = LintOptions(select=(select,), versions={"drbd": drbd})
    run = fix_site(Site.load([root]), options, unsafe=unsafe)
    assert not run.refused
    assert write_changes(run.changes) == []
    return {
        str(p.relative_to(root)): p.read_bytes().decode()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _codes(root: Path, select: str = "ALL", drbd: str = "9") -> list[str]:
    result = lint(Site.load([root]), LintOptions(select=(select,), versions={"drbd": drbd}))
    return [d.code for d in result.diagnostics]


# The fixes of the rules


DEPRECATED = """\
resource r0 {
  disk {
    rate 100M;  # sync speed
    no-disk-flushes;
  }
  handlers {
    outdate-peer "/usr/lib/drbd/outdate-peer.sh";
  }
}
"""


def test_drbd007_renames_keep_values_comments_and_other_lines(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/drbd.conf": DEPRECATED}})
    texts = _fixed(tmp_path, "DRBD007", drbd="8.4")
    assert texts["san1/etc/drbd.conf"] == (
        "resource r0 {\n"
        "  disk {\n"
        "    resync-rate 100M;  # sync speed\n"
        "    disk-flushes no;\n"
        "  }\n"
        "  handlers {\n"
        '    fence-peer "/usr/lib/drbd/outdate-peer.sh";\n'
        "  }\n"
        "}\n"
    )
    assert _codes(tmp_path, "DRBD007", drbd="8.4") == []


def test_syn005_final_newline_in_the_files_style(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "san1": {
                "etc/iscsi/iscsid.conf": (
                    "node.startup = automatic\r\nnode.session.timeo.replacement_timeout = 120"
                ),
                "etc/iet/ietd.conf": "Target iqn.2001-04.com.example:t1\n\tLun 0 Path=/dev/drbd0",
            }
        },
    )
    assert _codes(tmp_path, "SYN005") == ["SYN005", "SYN005"]
    texts = _fixed(tmp_path, "SYN005")
    assert texts["san1/etc/iscsi/iscsid.conf"] == (
        "node.startup = automatic\r\nnode.session.timeo.replacement_timeout = 120\r\n"
    )
    assert texts["san1/etc/iet/ietd.conf"] == (
        "Target iqn.2001-04.com.example:t1\n\tLun 0 Path=/dev/drbd0\n"
    )
    assert _codes(tmp_path, "SYN005") == []


def test_diff_marks_a_last_line_without_newline(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/iscsi/iscsid.conf": "a = 1\nnode.startup = manual"}})
    run = fix_site(Site.load([tmp_path]), LintOptions(select=("SYN005",)))
    conf = str(tmp_path / "h/etc/iscsi/iscsid.conf").lstrip("/")
    assert unified_diff(run.changes) == (
        f"diff --git a/{conf} b/{conf}\n--- a/{conf}\n+++ b/{conf}\n"
        "@@ -1,2 +1,2 @@\n a = 1\n-node.startup = manual\n"
        "\\ No newline at end of file\n+node.startup = manual\n"
    )


def test_syn005_offers_no_fix_where_a_newline_would_not_help(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/iscsi/iscsid.conf": "node.startup=automatic\n"}})
    result = lint(Site.load([tmp_path]), LintOptions(select=("SYN005",)))
    assert [d.code for d in result.diagnostics] == ["SYN005"]
    assert result.diagnostics[0].fix is None


DUAL = """\
resource r0 {
\tstartup {
\t\tbecome-primary-on both;
\t}
\ton san1 {
\t\tdevice /dev/drbd0;
\t}
}
"""


def test_drbd001_unsafe_fix_creates_net_section_in_style(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/drbd.conf": DUAL}})
    assert _fixed(tmp_path, "DRBD001")["san1/etc/drbd.conf"] == DUAL, "an unsafe fix needs asking"
    texts = _fixed(tmp_path, "DRBD001", unsafe=True)
    assert texts["san1/etc/drbd.conf"] == DUAL.replace(
        "\t}\n}\n", "\t}\n\tnet {\n\t\tallow-two-primaries yes;\n\t}\n}\n"
    )
    assert _codes(tmp_path, "DRBD001") == []


def test_drbd001_unsafe_fix_adds_to_an_existing_net_section(tmp_path: Path) -> None:
    text = DUAL.replace("\ton san1", "\tnet {\n\t\tprotocol C;\n\t}\n\ton san1")
    write_site(tmp_path, {"san1": {"etc/drbd.conf": text}})
    texts = _fixed(tmp_path, "DRBD001", unsafe=True, drbd="8.4")
    assert texts["san1/etc/drbd.conf"] == text.replace(
        "protocol C;\n", "protocol C;\n\t\tallow-two-primaries yes;\n"
    )


# The machinery, driven by a stand-in lint that offers crafted fixes

Offer = Callable[[Site], Iterator[Diagnostic]]


def _offering(monkeypatch: pytest.MonkeyPatch, offer: Offer) -> None:
    """Make the fixing rounds lint with ``offer`` instead of the rules."""

    def fake_lint(site: Site, options: LintOptions | None = None) -> LintResult:
        return LintResult(sorted(offer(site), key=lambda d: d.sort_key), [])

    monkeypatch.setattr(fixing, "lint", fake_lint)


def _diagnostic(path: str, line: int, column: int, fix: Fix, code: str = "TEST001") -> Diagnostic:
    return Diagnostic(code, "test", Severity.WARNING, "x", Location(path, line, column), fix=fix)


def _replace(path: str, line: int, start: int, end: int, text: str) -> Fix:
    return Fix("replace", True, (TextEdit(path, line, start, line, end, text),))


def _overlapping(site: Site) -> Iterator[Diagnostic]:
    """Two fixes on one line whose edits overlap: "ab" -> "AB" and "bc"/"Bc" -> "BC"."""
    for file in site.files("modprobe"):
        for number, line in enumerate(file.text().split("\n"), 1):
            at = line.find("abc")
            if at >= 0:
                yield _diagnostic(
                    file.path, number, at + 1, _replace(file.path, number, at + 1, at + 3, "AB")
                )
            for needle in ("bc", "Bc"):
                at = line.find(needle)
                if at >= 0:
                    fix = _replace(file.path, number, at + 1, at + 3, needle[0] + "C")
                    yield _diagnostic(file.path, number, at + 1, fix, "TEST002")


MODPROBE = "etc/modprobe.d/x.conf"


def test_overlapping_fixes_are_applied_in_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(tmp_path, {"h": {MODPROBE: "options abc x=1\n"}})
    _offering(monkeypatch, _overlapping)
    run = fix_site(Site.load([tmp_path]))
    assert run.rounds == 2
    assert [d.code for d in run.applied] == ["TEST001", "TEST002"]
    assert [c.after for c in run.changes] == ["options ABC x=1\n"]


def test_rounds_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forever(site: Site) -> Iterator[Diagnostic]:
        for file in site.files("modprobe"):
            yield _diagnostic(file.path, 1, 1, _replace(file.path, 1, 1, 1, "#"))

    write_site(tmp_path, {"h": {MODPROBE: "options x y=1\n"}})
    _offering(monkeypatch, forever)
    run = fix_site(Site.load([tmp_path]), rounds=3)
    assert run.rounds == 3
    assert run.changes[0].after == "###options x y=1\n"


def test_a_fix_that_changes_nothing_is_refused_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def idle(site: Site) -> Iterator[Diagnostic]:
        for file in site.files("modprobe"):
            yield _diagnostic(file.path, 1, 1, _replace(file.path, 1, 1, 8, "options"))

    write_site(tmp_path, {"h": {MODPROBE: "options x y=1\n"}})
    _offering(monkeypatch, idle)
    run = fix_site(Site.load([tmp_path]))
    assert (run.changes, run.applied, run.rounds) == ([], [], 0)
    assert [r.reason for r in run.refused] == ["it changes nothing"]


def test_a_fix_whose_result_would_not_parse_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def breaking(site: Site) -> Iterator[Diagnostic]:
        for file in site.files("drbd"):
            yield _diagnostic(file.path, 1, 1, _replace(file.path, 1, 1, 1, "}"))

    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { usage-count no; }\n"}})
    _offering(monkeypatch, breaking)
    run = fix_site(Site.load([tmp_path]))
    assert run.changes == [] and run.applied == []
    assert len(run.refused) == 1
    assert "would not parse" in run.refused[0].reason
    assert "line 1, column 1" in run.refused[0].reason


def test_edits_outside_the_text_or_of_unknown_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def wild(site: Site) -> Iterator[Diagnostic]:
        for file in site.files("modprobe"):
            yield _diagnostic(file.path, 1, 1, _replace(file.path, 7, 1, 7, "x"))
            yield _diagnostic(file.path, 1, 2, _replace(file.path, 1, 40, 41, "x"))
            yield _diagnostic(file.path, 1, 3, _replace("elsewhere.conf", 1, 1, 1, "x"))

    write_site(tmp_path, {"h": {MODPROBE: "options x y=1\n"}})
    _offering(monkeypatch, wild)
    run = fix_site(Site.load([tmp_path]))
    assert run.changes == []
    reasons = [r.reason for r in run.refused]
    assert len(reasons) == 3
    assert "outside the file's text" in reasons[0]
    assert "outside the file's text" in reasons[1]
    assert "not a parsed file of the site" in reasons[2]


def _renaming(new_name: str) -> Offer:
    def offer(site: Site) -> Iterator[Diagnostic]:
        for file in site.files("modprobe"):
            if not file.rel.endswith(".conf"):
                new_path = file.path[: -len(file.rel)] + new_name
                fix = Fix("rename", True, renames=(FileRename(file.path, new_path),))
                yield _diagnostic(file.path, 1, 1, fix)

    return offer


def test_a_rename_is_applied_and_reported_in_the_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(tmp_path, {"h": {"etc/modprobe.d/sbp2": "options sbp2 exclusive_login=0\n"}})
    _offering(monkeypatch, _renaming("etc/modprobe.d/sbp2.conf"))
    run = fix_site(Site.load([tmp_path]))
    old, new = tmp_path / "h/etc/modprobe.d/sbp2", tmp_path / "h/etc/modprobe.d/sbp2.conf"
    shown_old, shown_new = str(old).lstrip("/"), str(new).lstrip("/")
    assert unified_diff(run.changes) == (
        f"diff --git a/{shown_old} b/{shown_new}\nsimilarity index 100%\n"
        f"rename from {shown_old}\nrename to {shown_new}\n"
    )
    assert write_changes(run.changes) == []
    assert not old.exists()
    assert new.read_text() == "options sbp2 exclusive_login=0\n"


def test_a_rename_never_replaces_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(
        tmp_path,
        {"h": {"etc/modprobe.d/sbp2": "options a b=1\n", "etc/modprobe.d/keep": "x\n"}},
    )
    (tmp_path / "h/etc/modprobe.d/taken.conf").mkdir()
    _offering(monkeypatch, _renaming("etc/modprobe.d/taken.conf"))
    run = fix_site(Site.load([tmp_path]))
    assert run.changes == []
    assert {r.reason.split(" already")[0] for r in run.refused} == {
        str(tmp_path / "h/etc/modprobe.d/taken.conf")
    }


def test_a_rename_target_that_appears_before_writing_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(tmp_path, {"h": {"etc/modprobe.d/sbp2": "options a b=1\n"}})
    _offering(monkeypatch, _renaming("etc/modprobe.d/sbp2.conf"))
    run = fix_site(Site.load([tmp_path]))
    (tmp_path / "h/etc/modprobe.d/sbp2.conf").write_text("mine\n")
    failed = write_changes(run.changes)
    assert [reason for _, reason in failed] == [
        f"{tmp_path}/h/etc/modprobe.d/sbp2.conf already exists; not renamed"
    ]
    assert (tmp_path / "h/etc/modprobe.d/sbp2.conf").read_text() == "mine\n"
    assert (tmp_path / "h/etc/modprobe.d/sbp2").read_text() == "options a b=1\n"


def test_a_file_changed_on_disk_meanwhile_is_not_written(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/drbd.conf": DEPRECATED}})
    run = fix_site(Site.load([tmp_path]), LintOptions(select=("DRBD007",)))
    conf = tmp_path / "san1/etc/drbd.conf"
    conf.write_text(DEPRECATED + "# edited by the admin\n")
    assert [reason for _, reason in write_changes(run.changes)] == [
        "changed on disk while xsanlint ran; not written"
    ]
    assert conf.read_text() == DEPRECATED + "# edited by the admin\n"


def test_writes_keep_mode_and_go_through_symbolic_links(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"etc/drbd.d/real.res": DEPRECATED, "etc/drbd.conf": ""}})
    real = tmp_path / "san1/etc/drbd.d/real.res"
    real.chmod(0o640)
    link = tmp_path / "san1/etc/drbd.d/r0.res"
    link.symlink_to("real.res")
    run = fix_site(Site.load([tmp_path]), LintOptions(select=("DRBD007",)))
    assert write_changes(run.changes) == []
    assert link.is_symlink()
    assert "resync-rate 100M" in real.read_text()
    assert real.stat().st_mode & 0o7777 == 0o640


def test_writes_follow_absolute_links_inside_the_host_root(tmp_path: Path) -> None:
    """A copied host tree's absolute link names the host's own file: that file is fixed, and
    nothing outside the tree is touched."""
    write_site(tmp_path, {"san1": {"etc/drbd.d/real.res": DEPRECATED, "etc/drbd.conf": ""}})
    link = tmp_path / "san1/etc/drbd.d/r0.res"
    link.symlink_to("/etc/drbd.d/real.res")
    run = fix_site(Site.load([tmp_path]), LintOptions(select=("DRBD007",)))
    assert write_changes(run.changes) == []
    assert link.is_symlink()
    assert "resync-rate 100M" in (tmp_path / "san1/etc/drbd.d/real.res").read_text()


# Reporters carry the fixes


def _renamed_result() -> LintResult:
    fix = Fix(
        "rename the file to sbp2.conf",
        True,
        renames=(FileRename("h/etc/modprobe.d/sbp2", "h/etc/modprobe.d/sbp2.conf"),),
    )
    edit = TextEdit("h/etc/modprobe.d/sbp2", 1, 1, 1, 1, "# moved\n")
    both = Fix("comment and rename", True, (edit,), fix.renames)
    return LintResult(
        [
            _diagnostic("h/etc/modprobe.d/sbp2", 1, 1, fix),
            _diagnostic("h/etc/modprobe.d/sbp2", 1, 1, both, "TEST002"),
        ],
        [],
    )


def test_json_reports_renames() -> None:
    data = json.loads(render("json", _renamed_result(), Report()))
    renames = [d["fix"]["renames"] for d in data["diagnostics"]]
    expected = {"path": "h/etc/modprobe.d/sbp2", "new_path": "h/etc/modprobe.d/sbp2.conf"}
    assert renames == [[expected], [expected]]


def test_sarif_tells_renames_and_stays_valid() -> None:
    log = json.loads(render("sarif", _renamed_result(), Report()))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    alone, with_edit = log["runs"][0]["results"]
    assert "fixes" not in alone
    assert alone["properties"]["fix"]["renames"][0]["new_path"] == "h/etc/modprobe.d/sbp2.conf"
    fix = with_edit["fixes"][0]
    assert fix["description"]["text"].endswith(
        "rename h/etc/modprobe.d/sbp2 to h/etc/modprobe.d/sbp2.conf"
    )
    assert fix["properties"]["safe"] is True


# The command


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    copy = tmp_path / "example"
    shutil.copytree(SITES / "example", copy, symlinks=True)
    return copy


def test_the_rounds_lint_what_the_disk_holds_afterwards(example: Path) -> None:
    """The site rebuilt in memory from the fixed texts lints as the site loaded from disk,
    renames included (kmod lists modprobe.d on disk: the rebuilt host tells it the new names)."""
    options = LintOptions(select=("DRBD", "SYN", "MOD"))
    run = fix_site(Site.load([example]), options, unsafe=True)
    assert run.changes
    assert write_changes(run.changes) == []
    assert run.result.diagnostics == lint(Site.load([example]), options).diagnostics


def test_diff_writes_nothing_and_exits_1(xsanlint: Runner, example: Path) -> None:
    before = _tree(example)
    code, out, err = xsanlint(example, "--diff", "--unsafe-fixes")
    assert code == 1
    assert _tree(example) == before
    assert f"+++ b/{str(example).lstrip('/')}/san1/etc/drbd.d/xensan.res\n" in out
    assert "+\t\tresync-rate 300M;\n" in out
    assert "+\t\tallow-two-primaries yes;\n" in out
    assert "would be fixed" in err


def test_diff_without_changes_exits_0(xsanlint: Runner) -> None:
    code, out, _ = xsanlint(SITES / "example-fixed", "--diff")
    assert (code, out) == (0, "")


def test_fix_then_unsafe_fixes_on_the_example_site(xsanlint: Runner, example: Path) -> None:
    code, out, err = xsanlint(example, "--fix")
    assert code == 1  # findings remain, as ruff exits
    assert "DRBD007" not in out
    assert "DRBD001" in out
    assert _fixed_count(err) >= 2  # DRBD007 on san1 and san2, maybe others' safe fixes
    after_fix = _tree(example)
    assert xsanlint(example, "--fix")[2].startswith("xsanlint: 0 fixed,")
    assert _tree(example) == after_fix, "a second --fix changes nothing"
    code, out, err = xsanlint(example, "--unsafe-fixes")
    assert code == 1
    assert "DRBD001" not in out
    assert _fixed_count(err) >= 2
    text = (example / "san1/etc/drbd.d/xensan.res").read_text()
    assert "\t\tallow-two-primaries yes;\n" in text
    assert "syncer" not in text
    after_unsafe = _tree(example)
    assert _fixed_count(xsanlint(example, "--unsafe-fixes")[2]) == 0
    assert _tree(example) == after_unsafe, "a second --unsafe-fixes changes nothing"


def _fixed_count(err: str) -> int:
    last = err.strip().splitlines()[-1]
    assert last.startswith("xsanlint: ") and last.endswith(" remaining"), err
    return int(last.split()[1])


def test_fix_exits_0_when_nothing_remains(xsanlint: Runner, tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/iscsi/iscsid.conf": "node.startup = automatic"}})
    assert xsanlint(tmp_path, "--select", "SYN005")[0] == 1
    code, _, err = xsanlint(tmp_path, "--select", "SYN005", "--fix")
    assert (code, err) == (0, "xsanlint: 1 fixed, 0 remaining\n")


def test_fix_in_file_mode_fixes_that_file_and_follows_its_rename(
    xsanlint: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "MOD003" not in load_all():
        pytest.skip("MOD003 (the rename fix) is not there")
    sbp2 = "options sbp2 exclusive_login=0\n"
    write_site(tmp_path, {h: {"etc/modprobe.d/sbp2": sbp2} for h in ("h1", "h2")})
    monkeypatch.chdir(tmp_path)
    code, _, err = xsanlint("h1/etc/modprobe.d/sbp2", "--select", "MOD003", "--unsafe-fixes")
    assert (code, err) == (0, "xsanlint: 1 fixed, 0 remaining\n")
    assert (tmp_path / "h1/etc/modprobe.d/sbp2.conf").read_text() == sbp2
    assert (tmp_path / "h2/etc/modprobe.d/sbp2").read_text() == sbp2, "not given: not fixed"


def test_summary_counts_safe_and_unsafe_fixes(xsanlint: Runner, example: Path) -> None:
    out = xsanlint(example, "--select", "DRBD007,DRBD001")[1]
    assert out.rstrip().endswith("; 2 fixable with --fix (2 more with --unsafe-fixes).")


def test_help_explains_safe_and_unsafe(xsanlint: Runner) -> None:
    out = " ".join(xsanlint("--help")[1].split())
    assert "--fix" in out and "--unsafe-fixes" in out and "--diff" in out
    assert "a safe fix keeps what the daemon does" in out
    assert "an unsafe fix changes behaviour" in out


# A process killed while writing leaves the original intact

# Dies at the victim call for a fix's temporary file (``*.xsanconf``), whatever else (a parser
# table cache) calls it before.
_KILLER = """
import os, signal, sys
sys.path.insert(0, {repo!r})
real = os.{victim}
def name(target):
    return os.readlink(f"/proc/self/fd/{{target}}") if isinstance(target, int) else str(target)
def die(target, *args, **kwargs):
    if name(target).endswith(".xsanconf"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(target, *args, **kwargs)
os.{victim} = die
from xsanconf.lint.cli import run
run([{site!r}, "--fix"])
"""


@pytest.mark.parametrize("victim", ["fsync", "rename"])
def test_a_process_killed_while_writing_leaves_the_original(example: Path, victim: str) -> None:
    """Killed after the new text is in the temporary file (``fsync``) or just before the rename
    (``rename``): the original is byte for byte what it was, and the temporary file left behind
    is named so that no daemon or include glob takes it for a configuration file."""
    before = _tree(example)
    loaded = sorted(f.rel for f in Site.load([example]).files())
    script = _KILLER.format(repo=str(REPO), victim=victim, site=str(example))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert done.returncode == -9, done.stderr
    after = _tree(example)
    left = set(after) - set(before)
    assert left, "the kill came after a temporary file was made"
    assert {k: v for k, v in after.items() if k in before} == before
    for name in left:
        base = os.path.basename(name)
        assert base.startswith(".")
        for pattern in ("*.conf", "*.res", "*.cfg", "*.iscsi"):
            assert not fnmatch.fnmatch(base, pattern), name
    assert sorted(f.rel for f in Site.load([example]).files()) == loaded
