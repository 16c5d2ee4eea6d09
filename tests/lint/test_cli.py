"""End-to-end tests of the ``xsanlint`` command over the fixture sites and small built sites."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.lint.conftest import REPO, SITES, Runner
from tests.lint.sites import write_site

EXAMPLE = SITES / "example"
# the example site also holds mistakes that other rule families report: count the DRBD ones
ONLY = ("--select", "DRBD")
FIXED = SITES / "example-fixed"
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"

DUAL_PRIMARY = """\
resource r0 {
  startup {
    become-primary-on both;
  }
  disk {
    disk-flushes no;
  }
  on a {
    device /dev/drbd0;
    disk /dev/sda1;
    address 10.0.0.1:7788;
    meta-disk internal;
  }
  on b {
    device /dev/drbd0;
    disk /dev/sda1;
    address 10.0.0.2:7788;
    meta-disk internal;
  }
}
"""


# text


def test_text_report_of_the_example_site(xsanlint: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = xsanlint("fixtures/sites/example", *ONLY)
    assert code == 1, err
    first = out.splitlines()[0]
    assert first.startswith("fixtures/sites/example/san1/etc/drbd.d/xensan.res:10:3: DRBD001 ")
    assert first.endswith("[san1]")
    assert "\tbecome-primary-on both;" not in out  # tabs expanded so the caret lines up
    assert "                    become-primary-on both;\n" in out
    assert "                    ^^^^^^^^^^^^^^^^^^^^^^^\n" in out
    assert "DRBD006" in out and "= fixtures/sites/example/san1/etc/drbd.d/xensan.res:31:3" in out
    assert out.rstrip().splitlines()[-1].startswith("Found 9 problems (3 errors, 6 warnings)")
    assert "\033[" not in out  # not a terminal: no colour


def test_fixed_site_is_clean(xsanlint: Runner) -> None:
    code, out, _ = xsanlint(FIXED)
    assert code == 0
    assert out == "No problems found in 20 files of 4 hosts.\n"


def test_colour_only_when_asked_or_on_a_terminal(xsanlint: Runner) -> None:
    _, out, _ = xsanlint(EXAMPLE, *ONLY, "--color", "always")
    assert "\033[1;31mDRBD001\033[0m" in out


def test_statistics_print_only_the_table(xsanlint: Runner) -> None:
    code, out, _ = xsanlint(EXAMPLE, "--statistics")
    assert code == 1
    lines = out.splitlines()
    # as ruff --statistics: no findings, a row per rule (most first), then the summary
    assert lines[:3] == [
        "4  DRBD008   [ ] flushes-disabled",
        "4  MPATH004  [*] deprecated-keyword",
        "2  DRBD001   [ ] dual-primary-not-allowed",
    ]
    assert len(lines) == 15 + 2 and lines[-2] == ""
    assert lines[-1].startswith("Found 28 problems (10 errors, 18 warnings)")
    assert "become-primary-on" not in out and ".res:" not in out


def test_statistics_without_fixes_or_findings(xsanlint: Runner) -> None:
    _, out, _ = xsanlint(EXAMPLE, "--statistics", "--select", "ISCSI002")
    assert out.splitlines()[:2] == ["2  ISCSI002  duplicate-initiator-name", ""]
    _, out, _ = xsanlint(FIXED, "--statistics")
    assert out == "No problems found in 20 files of 4 hosts.\n"


# json, sarif, github


def test_json_report_shape(xsanlint: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = xsanlint("fixtures/sites/example", *ONLY, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"version", "diagnostics", "summary", "hosts"}
    first = data["diagnostics"][0]
    assert list(first) == [
        "code",
        "name",
        "severity",
        "message",
        "host",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "related",
        "fix",
    ]
    assert first["path"] == "fixtures/sites/example/san1/etc/drbd.d/xensan.res"
    assert (first["code"], first["severity"], first["host"]) == ("DRBD001", "error", "san1")
    assert data["summary"]["total"] == len(data["diagnostics"]) == 9
    assert data["summary"]["hosts"] == 4
    drift = next(d for d in data["diagnostics"] if d["code"] == "DRBD006")
    assert drift["related"][0]["host"] == "san1"


def test_sarif_report_is_valid_sarif_2_1_0(xsanlint: Runner) -> None:
    code, out, _ = xsanlint(EXAMPLE, *ONLY, "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(log, schema, format_checker=jsonschema.FormatChecker())
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["DRBD001"]["help"]["markdown"].startswith("# DRBD001 dual-primary-not-allowed")
    assert rules["DRBD003"]["defaultConfiguration"]["level"] == "warning"
    assert rules["DRBD001"]["properties"]["fix"] == "unsafe"
    result = run["results"][0]
    assert result["ruleId"] == "DRBD001"
    assert rules[result["ruleId"]] == run["tool"]["driver"]["rules"][result["ruleIndex"]]


def test_sarif_is_invalid_when_broken(xsanlint: Runner) -> None:
    """The schema check can fail: a result without a message is rejected."""
    _, out, _ = xsanlint(EXAMPLE, "--format", "sarif")
    log = json.loads(out)
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, json.loads(SCHEMA.read_text()))


def test_github_annotations(xsanlint: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    _, out, _ = xsanlint("fixtures/sites/example", *ONLY, "--format", "github")
    lines = out.splitlines()
    assert len(lines) == 9
    assert lines[0].startswith(
        "::error file=fixtures/sites/example/san1/etc/drbd.d/xensan.res,line=10,col=3,"
    )
    assert "title=DRBD001 dual-primary-not-allowed::" in lines[0]
    assert any(line.startswith("::warning ") for line in lines)


def test_output_file(xsanlint: Runner, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = xsanlint(EXAMPLE, *ONLY, "--format", "json", "--output", target)
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["summary"]["total"] == 9


# exit codes


def test_exit_zero_and_fail_on(xsanlint: Runner) -> None:
    assert xsanlint(EXAMPLE, "--exit-zero")[0] == 0
    assert xsanlint(EXAMPLE, "--select", "DRBD008", "--fail-on", "error")[0] == 0
    assert xsanlint(EXAMPLE, "--select", "DRBD008", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ("does-not-exist",),
        (str(EXAMPLE), "--select", "NOPE999"),
        (str(EXAMPLE), "--format", "xml"),
        (str(EXAMPLE), "--target", "drbd=7"),
        (str(EXAMPLE), "--host", "missing-equals"),
        (str(EXAMPLE), "--fail-on", "fatal"),
        (str(EXAMPLE), "--no-such-option"),
        (),
    ],
)
def test_usage_errors_exit_2(xsanlint: Runner, args: tuple[str, ...]) -> None:
    code, _, err = xsanlint(*args)
    assert code == 2
    assert "Traceback" not in err


def test_internal_error_is_one_line_and_exit_2(xsanlint: Runner) -> None:
    from xsanconf.lint.diagnostics import Severity
    from xsanconf.lint.rule import REGISTRY, rule
    from xsanconf.lint.rules import load_all

    load_all()

    @rule("ZZZ999", "always-crashes", Severity.ERROR, scope="site")
    def crash(site, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    try:
        code, _, err = xsanlint(FIXED)
    finally:
        del REGISTRY["ZZZ999"]
    assert code == 2
    assert err == "xsanlint: internal error in rule ZZZ999: RuntimeError: boom\n"


# configuration


def test_cli_select_beats_the_files_ignore(xsanlint: Runner, tmp_path: Path) -> None:
    (tmp_path / "xsanlint.toml").write_text('ignore = ["DRBD008"]\n')
    _, out, _ = xsanlint(EXAMPLE, "--format", "json", "--select", "DRBD008")
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"DRBD008"}
    _, out, _ = xsanlint(EXAMPLE, "--format", "json", "--extend-select", "DRBD008")
    assert "DRBD008" in {d["code"] for d in json.loads(out)["diagnostics"]}
    _, out, _ = xsanlint(EXAMPLE, "--format", "json")
    assert "DRBD008" not in {d["code"] for d in json.loads(out)["diagnostics"]}


def test_config_found_walking_up(
    xsanlint: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "xsanlint.toml").write_text('ignore = ["DRBD008"]\n')
    (tmp_path / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "deep" / "er")
    _, out, _ = xsanlint(EXAMPLE, "--format", "json")
    codes = {d["code"] for d in json.loads(out)["diagnostics"]}
    assert "DRBD008" not in codes and "DRBD001" in codes


def test_pyproject_table_and_cli_wins(xsanlint: Runner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.xsanlint]\nselect = ["DRBD008"]\nfail-on = "error"\n'
    )
    code, out, _ = xsanlint(EXAMPLE, "--format", "json")
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"DRBD008"}
    assert code == 0  # fail-on error from the file; DRBD008 is a warning
    code, out, _ = xsanlint(EXAMPLE, "--format", "json", "--select", "DRBD001")
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"DRBD001"}
    assert code == 1  # DRBD001 is an error
    assert xsanlint(EXAMPLE, "--isolated")[0] == 1


def test_dot_config_with_tool_table(xsanlint: Runner, tmp_path: Path) -> None:
    (tmp_path / ".xsanlint.toml").write_text('[tool.xsanlint.severity]\nDRBD008 = "error"\n')
    _, out, _ = xsanlint(EXAMPLE, "--format", "json", "--select", "DRBD008")
    assert {d["severity"] for d in json.loads(out)["diagnostics"]} == {"error"}


def test_per_path_ignores(xsanlint: Runner, tmp_path: Path) -> None:
    (tmp_path / "xsanlint.toml").write_text(
        '[per-path-ignores]\n"*/san2/etc/drbd.d/*.res" = ["DRBD008"]\n'
    )
    _, out, _ = xsanlint(EXAMPLE, "--format", "json", "--select", "DRBD008")
    hosts = {d["host"] for d in json.loads(out)["diagnostics"]}
    assert hosts == {"san1"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select = [", "not valid TOML"),
        ("colour = true", "unknown setting 'colour'"),
        ('fail-on = "fatal"', "unknown severity"),
        ('select = ["NOPE1"]', "names no rule"),
    ],
)
def test_bad_config_exit_2(xsanlint: Runner, tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "xsanlint.toml").write_text(text + "\n")
    code, _, err = xsanlint(EXAMPLE)
    assert code == 2
    assert message in err


# selection


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--select", "DRBD00"), {"DRBD001", "DRBD006", "DRBD007", "DRBD008"}),
        (("--select", "flushes-disabled"), {"DRBD008"}),
        (("--select", "DRBD", "--ignore", "DRBD008,DRBD007"), {"DRBD001", "DRBD006"}),
        (("--select", "DRBD001", "--extend-select", "DRBD006"), {"DRBD001", "DRBD006"}),
        (("--select", "DRBD", "--ignore", "DRBD00", "--extend-select", "DRBD006"), {"DRBD006"}),
        (("--select", "SYN"), {"SYN002"}),
    ],
)
def test_selection(xsanlint: Runner, args: tuple[str, ...], expected: set[str]) -> None:
    _, out, _ = xsanlint(EXAMPLE, "--format", "json", *args)
    assert {d["code"] for d in json.loads(out)["diagnostics"]} == expected


def test_severity_override_on_the_command_line(xsanlint: Runner) -> None:
    _, out, _ = xsanlint(EXAMPLE, "-f", "json", "--select", "DRBD008", "--severity", "DRBD=info")
    assert {d["severity"] for d in json.loads(out)["diagnostics"]} == {"info"}


def test_target_version(xsanlint: Runner, tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "s",
        {"a": {"etc/drbd.conf": "resource r0 {\n  options {\n    quorum majority;\n  }\n}\n"}},
    )
    _, out, _ = xsanlint(site, "-f", "json", "--select", "SYN002")
    assert json.loads(out)["diagnostics"] == []
    _, out, _ = xsanlint(site, "-f", "json", "--select", "SYN002", "--target", "drbd=8.4")
    (found,) = json.loads(out)["diagnostics"]
    assert found["line"] == 3
    assert found["message"] == (
        "unknown option 'quorum' in a 'options' section for DRBD 8.4 (only in DRBD 9)"
    )


# suppressions


def _dual(tmp_path: Path, text: str) -> Path:
    return write_site(tmp_path / "s", {"a": {"etc/drbd.conf": text}, "b": {"etc/drbd.conf": text}})


def _codes(out: str, host: str = "a") -> list[tuple[str, int]]:
    return [(d["code"], d["line"]) for d in json.loads(out)["diagnostics"] if d["host"] == host]


def test_suppression_covers_the_next_statement(xsanlint: Runner, tmp_path: Path) -> None:
    text = DUAL_PRIMARY.replace(
        "    disk-flushes no;", "    # xsanlint: disable=DRBD008\n    disk-flushes no;"
    )
    site = _dual(tmp_path, text)
    _, out, _ = xsanlint(site, "-f", "json", "--select", "DRBD008,DRBD001,SYN006")
    assert _codes(out) == [("DRBD001", 3)]


def test_suppression_covers_a_whole_section(xsanlint: Runner, tmp_path: Path) -> None:
    text = DUAL_PRIMARY.replace("  disk {", "  # xsanlint: disable=DRBD008\n  disk {")
    site = _dual(tmp_path, text)
    _, out, _ = xsanlint(site, "-f", "json", "--select", "DRBD008,SYN006")
    assert _codes(out) == []


def test_suppression_does_not_reach_past_its_statement(xsanlint: Runner, tmp_path: Path) -> None:
    text = DUAL_PRIMARY.replace(
        "  startup {", "  # xsanlint: disable=DRBD008\n  handlers {\n  }\n  startup {"
    )
    site = _dual(tmp_path, text)
    _, out, _ = xsanlint(site, "-f", "json", "--select", "DRBD008,SYN006")
    assert _codes(out) == [("SYN006", 2), ("DRBD008", 9)]


def test_file_suppression_and_unused_ones(xsanlint: Runner, tmp_path: Path) -> None:
    text = "# xsanlint: disable-file=DRBD008,DRBD002, NOSUCH1\n" + DUAL_PRIMARY
    site = _dual(tmp_path, text)
    _, out, _ = xsanlint(site, "-f", "json", "--select", "DRBD008,DRBD002,SYN006")
    messages = [d["message"] for d in json.loads(out)["diagnostics"] if d["host"] == "a"]
    assert messages == [
        "unused suppression: 'NOSUCH1' names no xsanlint rule; remove it",
        "unused suppression: nothing to suppress for DRBD002; remove it",
    ]


def test_suppression_of_an_unselected_rule_is_not_judged(xsanlint: Runner, tmp_path: Path) -> None:
    site = _dual(tmp_path, "# xsanlint: disable-file=DRBD002\n" + DUAL_PRIMARY)
    _, out, _ = xsanlint(site, "-f", "json", "--select", "SYN006")
    assert _codes(out) == []


# file-argument mode (pre-commit)


def test_file_argument_reports_only_that_file(xsanlint: Runner) -> None:
    res = EXAMPLE / "san2" / "etc" / "drbd.d" / "xensan.res"
    _, out, _ = xsanlint(res, "-f", "json")
    data = json.loads(out)
    assert {d["path"] for d in data["diagnostics"]} == {str(res)}
    assert "DRBD006" in {d["code"] for d in data["diagnostics"]}  # needs san1 as context
    assert data["summary"]["files"] == 1


def test_file_argument_keeps_cross_host_findings_that_involve_it(xsanlint: Runner) -> None:
    res = EXAMPLE / "san1" / "etc" / "drbd.d" / "xensan.res"
    _, out, _ = xsanlint(res, "-f", "json", "--select", "DRBD006")
    (drift,) = json.loads(out)["diagnostics"]
    assert drift["host"] == "san2"
    assert drift["related"][0]["path"] == str(res)


def test_file_argument_of_a_clean_file(xsanlint: Runner) -> None:
    code, out, _ = xsanlint(EXAMPLE / "xen1" / "etc" / "multipath.conf", *ONLY)
    assert code == 0
    assert out == "No problems found in 1 file of 4 hosts.\n"


def test_host_option_names_a_host(xsanlint: Runner) -> None:
    _, out, _ = xsanlint("--host", f"head={EXAMPLE / 'san1'}", "-f", "json", "--select", "DRBD008")
    assert {d["host"] for d in json.loads(out)["diagnostics"]} == {"head"}


# bad input


def test_bad_input_site(xsanlint: Runner, tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "s",
        {
            "a": {
                "etc/drbd.conf": 'include "drbd.d/*.res";\ninclude "/etc/drbd.d/loop.conf";\n',
                "etc/drbd.d/binary.res": "resource r0 {\x00}\n",
                "etc/drbd.d/loop.conf": 'include "../drbd.conf";\n',
                "etc/drbd.d/broken.res": "resource r1 { net { protocol C } }\n",
            }
        },
    )
    drbd_d = site / "a" / "etc" / "drbd.d"
    os.symlink("gone.res", drbd_d / "dangling.res")
    os.mkfifo(drbd_d / "pipe.res")
    (drbd_d / "dir.res").mkdir()
    (site / "a" / "etc" / "multipath.conf").mkdir()
    code, out, err = xsanlint(site, "-f", "json", "--select", "SYN")
    assert code == 1 and err == ""
    found = {
        (Path(d["path"]).name, d["code"], d["line"], d["column"])
        for d in json.loads(out)["diagnostics"]
    }
    assert found == {
        ("binary.res", "SYN001", 1, 14),
        ("broken.res", "SYN001", 1, 32),
        ("dangling.res", "SYN001", 1, 1),
        ("dir.res", "SYN001", 1, 1),
        ("pipe.res", "SYN001", 1, 1),
        ("multipath.conf", "SYN001", 1, 1),
        ("loop.conf", "SYN003", 1, 1),
    }
    messages = "\n".join(d["message"] for d in json.loads(out)["diagnostics"])
    assert "broken symbolic link to gone.res" in messages
    assert "is a FIFO, not a regular file" in messages
    assert "is a directory where a file is expected" in messages


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(xsanlint: Runner, tmp_path: Path) -> None:
    site = write_site(tmp_path / "s", {"a": {"etc/drbd.conf": "global { }\n"}})
    (site / "a" / "etc" / "drbd.conf").chmod(0)
    code, out, _ = xsanlint(site, "-f", "json")
    assert code == 1
    assert "Permission denied" in json.loads(out)["diagnostics"][0]["message"]


def test_secrets_are_never_printed(xsanlint: Runner, tmp_path: Path) -> None:
    text = "resource r0 {\n  net {\n    shared-secret s3cr3t#x;\n    protocol C;\n  }\n}\n"
    site = write_site(tmp_path / "s", {"a": {"etc/drbd.conf": text}})
    code, out, _ = xsanlint(site, "--select", "SYN005")
    assert code == 1
    assert "shared-secret ********" in out
    assert "s3cr3t" not in out.replace("'s3cr3t'", "")  # the message names the cut value only


# rule documentation


def test_rules_listing(xsanlint: Runner) -> None:
    code, out, _ = xsanlint("rules")
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("DRBD001   dual-primary-not-allowed") for line in lines)
    # the fix each rule declares
    assert any(line.startswith("DRBD007 ") and " file  safe " in line for line in lines)
    assert any(line.startswith("SYN006 ") and " file  none " in line for line in lines)
    _, out, _ = xsanlint("rules", "--format", "json")
    listed = {r["code"]: r for r in json.loads(out)}
    assert {"SYN001", "SYN006", "DRBD010"} <= set(listed)
    assert listed["DRBD001"]["fix"] == "unsafe"
    assert listed["MPATH004"]["fix"] == "safe-or-unsafe"


def test_rule_page(xsanlint: Runner) -> None:
    code, out, _ = xsanlint("rule", "SYN003")
    assert code == 0
    assert out.startswith("# SYN003 include-problem\n\n")
    assert "\nDefault severity: error. Scope: host. Fix: none.\n\n## What it checks\n" in out
    assert xsanlint("rule", "include-problem")[1] == out
    assert xsanlint("rule", "NOPE1")[0] == 2
    _, out, _ = xsanlint("rule", "DRBD007")
    assert "Fix: safe (`xsanlint --fix` applies it)." in out


def test_help_teaches(xsanlint: Runner) -> None:
    code, out, _ = xsanlint("--help")
    assert code == 0
    assert "xsanlint fixtures/sites/example" in out and "disable=DRBD008" in out


# cold process


def test_version_is_answered_without_typer() -> None:
    script = (
        "import sys\nfrom xsanconf.lint.cli import run\n"
        "try:\n    run(['--version'])\nexcept SystemExit as e:\n    code = e.code\n"
        "print(code, 'typer' in sys.modules, 'lark' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "xsanlint (xsanconf) 0.1.0\n0 False False\n"


def test_console_script_never_prints_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from xsanconf.lint.cli import run; run()", str(tmp_path / "no")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == f"xsanlint: {tmp_path / 'no'}: no such file or directory\n"


def test_odd_bytes_in_names_and_text_are_shown_safely(tmp_path: Path) -> None:
    etc = tmp_path / "h" / "etc"
    (etc / "drbd.d").mkdir(parents=True)
    (etc / "drbd.conf").write_text('include "drbd.d/*.res";\n')
    (etc / "drbd.d").joinpath(os.fsdecode(b"r\xff.res")).write_bytes(
        b"resource r0 { net { protocol C } }  # \x1b[31mred\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "from xsanconf.lint.cli import run; run()", str(tmp_path / "h")],
        capture_output=True,
        check=False,
        env={**os.environ, "LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode == 1, done.stderr
    assert b"/etc/drbd.d/r\xff.res:1:32: SYN001 expected ';' before '}'" in done.stdout
    assert b"\x1b" not in done.stdout  # the escape sequence is shown as '?'
    assert b"  # ?[31mred" in done.stdout


def test_the_console_entry_flushes_everything_before_it_leaves(tmp_path: Path) -> None:
    """``main`` skips the interpreter's teardown: what was printed or written must be whole."""
    entry = "from xsanconf.lint.cli import main; main()"
    example = str(SITES / "example")
    printed = subprocess.run(
        [sys.executable, "-c", entry, example, "--format", "json"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert printed.returncode == 1
    assert json.loads(printed.stdout)["summary"]["total"] > 0
    report = tmp_path / "report.sarif"
    written = subprocess.run(
        [sys.executable, "-c", entry, example, "--format", "sarif", "-o", str(report)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert written.returncode == 1
    assert json.loads(report.read_text())["runs"][0]["results"]
    clean = subprocess.run(
        [sys.executable, "-c", entry, str(SITES / "example-fixed")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert clean.returncode == 0
    assert clean.stdout.startswith("No problems found")
    usage = subprocess.run(
        [sys.executable, "-c", entry, "--bogus"], check=False, capture_output=True
    )
    assert usage.returncode == 2
