"""xsanconf get/set/unset/--diff for every format: one setting changes, the rest stays."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xsanconf.cli.main import app

runner = CliRunner()

# kind, file name, text, selector, its value, a new value, the line set writes
CASES = [
    (
        "drbd",
        "r0.res",
        "resource r0 {\n\tnet {\n\t\tprotocol C;\n\t}\n}\n",
        "resource[r0].net.protocol",
        "C",
        "A",
        "\t\tprotocol A;\n",
    ),
    (
        "ietd",
        "ietd.conf",
        "Target iqn.2001-04.com.example:xensan\n\tLun 0 Path=/dev/drbd0,ScsiId=a\n",
        "target[iqn.2001-04.com.example:xensan].lun[0].ScsiId",
        "a",
        "b",
        "\tLun 0 Path=/dev/drbd0,ScsiId=b\n",
    ),
    (
        "iet-access",
        "initiators.allow",
        "iqn.2001-04.com.example:xensan 10.0.0.1\nALL ALL\n",
        "target[iqn.2001-04.com.example:xensan]",
        "10.0.0.1",
        "10.0.0.2, 10.0.0.3",
        "iqn.2001-04.com.example:xensan 10.0.0.2, 10.0.0.3\n",
    ),
    (
        "iscsid",
        "iscsid.conf",
        "node.startup = automatic\nnode.session.timeo.replacement_timeout = 120\n",
        "node.session.timeo.replacement_timeout",
        "120",
        "5",
        "node.session.timeo.replacement_timeout = 5\n",
    ),
    (
        "initiatorname",
        "initiatorname.iscsi",
        "InitiatorName=iqn.1993-08.org.debian:01:a\n",
        "InitiatorName",
        "iqn.1993-08.org.debian:01:a",
        "iqn.2001-04.com.example:xen1",
        "InitiatorName=iqn.2001-04.com.example:xen1\n",
    ),
    (
        "shell-vars",
        "iscsitarget",
        "ISCSITARGET_ENABLE=false\n",
        "ISCSITARGET_ENABLE",
        "false",
        "true",
        "ISCSITARGET_ENABLE=true\n",
    ),
    (
        "multipath",
        "multipath.conf",
        'defaults {\n\tuser_friendly_names "yes"\n}\n',
        "defaults.user_friendly_names",
        "yes",
        "no",
        '\tuser_friendly_names "no"\n',
    ),
    (
        "modprobe",
        "sbp2.conf",
        "options firewire_sbp2 exclusive_login=1\n",
        "options[firewire_sbp2].exclusive_login",
        "1",
        "0",
        "options firewire_sbp2 exclusive_login=0\n",
    ),
    (
        "modules",
        "modules",
        "# /etc/modules: kernel modules to load at boot time.\nloop max_loop=8\n",
        "modules[loop].max_loop",
        "8",
        "64",
        "loop max_loop=64\n",
    ),
    (
        "systemd-unit",
        "drbd.service",
        "[Unit]\nAfter=network.target\n",
        "Unit.After",
        "network.target",
        "iscsid.service",
        "After=iscsid.service\n",
    ),
    (
        "init-script",
        "drbd",
        "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: drbd\n### END INIT INFO\n",
        "Provides",
        "drbd",
        "drbd8",
        "# Provides: drbd8\n",
    ),
    (
        "xend-config",
        "xend-config.sxp",
        "(xend-relocation-server no)\n",
        "xend-relocation-server",
        "no",
        "yes",
        "(xend-relocation-server yes)\n",
    ),
    (
        "xen-domain",
        "vm1.cfg",
        "name = 'vm1'\nmemory = 512\n",
        "memory",
        "512",
        "1024",
        "memory = 1024\n",
    ),
    (
        "xl-conf",
        "xl.conf",
        'vif.default.bridge="xenbr0"\n',
        "vif.default.bridge",
        "xenbr0",
        "br1",
        'vif.default.bridge="br1"\n',
    ),
    (
        "tgt",
        "targets.conf",
        "<target iqn.2001-04.com.example:xensan>\n\t<backing-store /dev/drbd0>\n"
        "\t\tscsi_id = a\n\t</backing-store>\n</target>\n",
        "target[iqn.2001-04.com.example:xensan].backing-store[/dev/drbd0].scsi_id",
        "a",
        "b",
        "\t\tscsi_id = b\n",
    ),
]

Case = tuple[str, str, str, str, str, str, str]
IDS = [c[0] for c in CASES]


def write(tmp_path: Path, case: Case) -> Path:
    file = tmp_path / case[1]
    file.write_bytes(case[2].encode())
    return file


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_get(tmp_path: Path, case: Case) -> None:
    kind, _, _, selector, value, _, _ = case
    done = runner.invoke(app, ["get", "-k", kind, str(write(tmp_path, case)), selector])
    assert done.exit_code == 0, done.output
    assert done.stdout == value + "\n"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_set_changes_one_line_and_keeps_the_mode(tmp_path: Path, case: Case) -> None:
    kind, _, text, selector, _, new, line = case
    file = write(tmp_path, case)
    os.chmod(file, 0o640)
    done = runner.invoke(app, ["set", "-k", kind, str(file), selector, new])
    assert done.exit_code == 0, done.output
    after = file.read_text()
    old_lines, new_lines = text.splitlines(True), after.splitlines(True)
    assert len(old_lines) == len(new_lines)
    assert [n for o, n in zip(old_lines, new_lines, strict=True) if o != n] == [line]
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".xsanconf")]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path, case: Case) -> None:
    kind, _, text, selector, _, new, line = case
    file = write(tmp_path, case)
    done = runner.invoke(app, ["set", "--diff", "-k", kind, str(file), selector, new])
    assert done.exit_code == 0, done.output
    assert f"\n+{line}" in done.stdout and done.stdout.startswith(f"--- {file}\n+++ {file}\n")
    assert file.read_bytes() == text.encode()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unset_then_get_exits_1(tmp_path: Path, case: Case) -> None:
    kind, _, _, selector, _, _, _ = case
    file = write(tmp_path, case)
    done = runner.invoke(app, ["unset", "-k", kind, str(file), selector])
    assert done.exit_code == 0, done.output
    assert runner.invoke(app, ["get", "-k", kind, str(file), selector]).exit_code == 1
    again = runner.invoke(app, ["unset", "-k", kind, str(file), selector])
    assert again.exit_code == 1 and "is not set" in again.stderr


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_selector_exits_2_with_a_message(tmp_path: Path, case: Case) -> None:
    kind = case[0]
    file = write(tmp_path, case)
    done = runner.invoke(app, ["set", "-k", kind, str(file), "a[b].[c", "1"])
    assert done.exit_code == 2
    assert done.stderr.startswith("xsanconf: selector 'a[b].[c'")
    assert file.read_bytes() == case[2].encode()


REFUSED = [
    (CASES[1], "a,Type=nullio", "cannot contain ','"),
    (CASES[3], "5 # s", "reads as a comment"),
    (CASES[6], 'a"b', "double quote"),
    (CASES[5], "a\nb", "one line"),
]


@pytest.mark.parametrize(("case", "value", "why"), REFUSED, ids=[r[0][0] for r in REFUSED])
def test_values_the_format_cannot_hold_are_refused(
    tmp_path: Path, case: Case, value: str, why: str
) -> None:
    kind, _, text, selector, _, _, _ = case
    file = write(tmp_path, case)
    done = runner.invoke(app, ["set", "-k", kind, str(file), selector, value])
    assert done.exit_code == 1
    assert why in done.stderr and "nothing written" in done.stderr
    assert file.read_bytes() == text.encode()


def test_a_change_that_would_not_parse_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xsanconf.formats import drbd

    def broken(doc: object, selector: str, value: str) -> None:
        doc.root.children.append(drbd.Token("STMT", "protocol"))  # type: ignore[attr-defined]

    monkeypatch.setattr(drbd, "set_value", broken)
    file = tmp_path / "r0.res"
    file.write_text(CASES[0][2])
    done = runner.invoke(app, ["set", str(file), "resource[r0].net.protocol", "A"])
    assert done.exit_code == 1
    assert "refusing to write a change that does not parse" in done.stderr
    assert file.read_text() == CASES[0][2]


def test_a_change_that_would_read_back_otherwise_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xsanconf.formats import shell_vars

    def sneaky(doc: object, selector: str, value: str) -> None:
        token = shell_vars.ShellVars(doc).assignments[0].token  # type: ignore[arg-type]
        token.text = "ISCSITARGET_ENABLE=true\nISCSITARGET_ENABLE=false"

    monkeypatch.setattr(shell_vars, "set_value", sneaky)
    file = tmp_path / "iscsitarget"
    file.write_text(CASES[5][2])
    done = runner.invoke(app, ["set", "-k", "shell-vars", str(file), "ISCSITARGET_ENABLE", "x"])
    assert done.exit_code == 1
    assert "would not read back" in done.stderr
    assert file.read_text() == CASES[5][2]


def test_help_lists_a_selector_for_every_kind() -> None:
    from xsanconf.formats import KINDS

    done = runner.invoke(app, ["set", "--help"])
    for kind in KINDS:
        assert f"\n    {kind} " in done.stdout, kind
