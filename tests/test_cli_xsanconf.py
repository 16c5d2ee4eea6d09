"""End-to-end tests of the `xsanconf` command (parse, build, kinds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RES = "resource r0 {\n\ton a { device /dev/drbd0; }\n}\n"


def xsanconf(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from xsanconf.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
    )


def test_parse_json_envelope(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(RES)
    done = xsanconf("parse", "--json", str(file))
    assert done.returncode == 0, done.stderr
    envelope = json.loads(done.stdout)
    assert envelope["status"] == "ok"
    (entry,) = envelope["config"]
    assert entry["kind"] == "drbd"
    assert entry["parsed"][0] == {
        "name": "resource",
        "args": ["r0"],
        "block": [
            {
                "name": "on",
                "args": ["a"],
                "block": [{"name": "device", "args": ["/dev/drbd0"], "line": 2}],
                "line": 2,
            }
        ],
        "line": 1,
    }


def test_parse_outline(tmp_path: Path) -> None:
    file = tmp_path / "r0.res"
    file.write_text(RES)
    done = xsanconf("parse", str(file))
    assert done.returncode == 0
    assert "resource r0" in done.stdout and "device /dev/drbd0" in done.stdout


def test_bad_file_reports_position_and_exits_1(tmp_path: Path) -> None:
    good = tmp_path / "good.res"
    good.write_text(RES)
    bad = tmp_path / "bad.res"
    bad.write_text("resource r0 {\n  protocol C\n}\n")
    done = xsanconf("parse", "--json", str(bad), str(good))
    assert done.returncode == 1
    assert done.stderr.startswith(f"{bad}:3:1: expected ';' before '}}'")
    assert "Traceback" not in done.stderr
    envelope = json.loads(done.stdout)
    assert [c["status"] for c in envelope["config"]] == ["failed", "ok"]
    assert envelope["errors"][0]["line"] == 3


def test_missing_file_is_reported(tmp_path: Path) -> None:
    done = xsanconf("parse", str(tmp_path / "absent.conf"))
    assert done.returncode == 1
    assert "No such file" in done.stderr and "Traceback" not in done.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert xsanconf("parse", "--kind", "nope", str(tmp_path)).returncode == 2
    assert xsanconf("frobnicate").returncode == 2


def test_build_renders_parsed_data(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(RES)
    parsed = xsanconf("parse", "--json", str(file)).stdout
    done = xsanconf("build", "-", stdin=parsed)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "resource r0 {\n\ton a {\n\t\tdevice /dev/drbd0;\n\t}\n}\n"


def test_build_rejects_bad_json() -> None:
    done = xsanconf("build", "-", stdin="{nope")
    assert done.returncode == 1
    assert "invalid JSON" in done.stderr


def test_kinds_lists_drbd() -> None:
    done = xsanconf("kinds")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("drbd")


def test_parse_redacts_secrets_unless_asked(tmp_path: Path) -> None:
    file = tmp_path / "r0.res"
    file.write_text('resource r0 {\n net { cram-hmac-alg sha1; shared-secret "Gei6mahc"; }\n}\n')
    for args in (["--json"], []):
        done = xsanconf("parse", *args, str(file))
        assert done.returncode == 0
        assert "Gei6mahc" not in done.stdout and "Gei6mahc" not in done.stderr
    assert "********" in xsanconf("parse", "--json", str(file)).stdout
    assert "Gei6mahc" in xsanconf("parse", "--json", "--show-secrets", str(file)).stdout


def test_a_number_xl_cannot_read_is_bad_input_not_an_internal_error(tmp_path: Path) -> None:
    vm = tmp_path / "vm1.cfg"
    vm.write_text("name = 'vm1'\nvcpus = 08\n")
    for args in (("parse", str(vm)), ("set", str(vm), "memory", "512")):
        done = xsanconf(*args, "--kind", "xen-domain")
        assert done.returncode == 1, done.stderr
        assert f"{vm}:2:9: not a number xm or xl can read" in done.stderr
        assert "internal error" not in done.stderr
    assert vm.read_text() == "name = 'vm1'\nvcpus = 08\n"
