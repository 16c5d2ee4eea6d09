"""``xsanconf``'s ways in: -h, usage lines, --kind mistakes; and what set shows and refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from xsanconf.cli.main import app
from xsanconf.formats import KINDS

runner = CliRunner()
COMMANDS = ["parse", "build", "get", "set", "unset", "kinds", "graph"]


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["xsanconf", *COMMANDS])
def test_h_is_help_on_every_command(command: list[str]) -> None:
    short = runner.invoke(app, [*command, "-h"])
    assert short.exit_code == 0, short.output
    assert short.output == runner.invoke(app, [*command, "--help"]).output


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_names_arguments_by_metavar(command: list[str]) -> None:
    text = runner.invoke(app, [command, "--help"]).output
    for typer_type in ("<list", "<str>", "<path>", "<Path>"):
        assert typer_type not in text, text
    usage = text.splitlines()[0]
    assert "{" not in usage
    expected = {
        "parse": "FILE...",
        "build": "JSON",
        "get": "FILE SELECTOR",
        "set": "FILE SELECTOR VALUE",
        "unset": "FILE SELECTOR",
        "kinds": "[OPTIONS]",
        "graph": "SITE...",
    }[command]
    assert usage.endswith(expected), usage


@pytest.mark.parametrize("command", ["parse", "build", "get", "set", "unset"])
def test_an_unknown_kind_is_a_usage_error_naming_the_kinds(tmp_path: Path, command: str) -> None:
    file = tmp_path / "r0.res"
    file.write_text("resource r0 { }\n")
    args = {"parse": [], "build": [], "get": ["x"], "set": ["x", "y"], "unset": ["x"]}[command]
    done = runner.invoke(app, [command, "-k", "drbdx", str(file), *args])
    assert done.exit_code == 2
    assert "unknown kind 'drbdx'" in done.output and ", ".join(KINDS) in done.output
    assert "internal error" not in done.output


def test_a_new_multipath_device_needs_vendor_and_product(tmp_path: Path) -> None:
    conf = tmp_path / "multipath.conf"
    conf.write_text("defaults {\n\tuser_friendly_names yes\n}\n")
    before = conf.read_text()
    done = runner.invoke(
        app, ["set", str(conf), "devices.device[vendor=IET].path_grouping_policy", "multibus"]
    )
    assert done.exit_code == 1
    assert "needs both vendor and product" in done.output
    assert "devices.device[vendor=IET,product=VIRTUAL-DISK]" in done.output
    assert conf.read_text() == before
    both = "devices.device[vendor=IET,product=VIRTUAL-DISK].path_grouping_policy"
    assert runner.invoke(app, ["set", str(conf), both, "multibus"]).exit_code == 0
    assert "\t\tvendor IET\n\t\tproduct VIRTUAL-DISK\n\t\tpath_grouping_policy multibus\n" in (
        conf.read_text()
    )
    # the entry exists now: naming it by one of its keys is enough to change it
    one = "devices.device[vendor=IET].path_grouping_policy"
    assert runner.invoke(app, ["set", str(conf), one, "failover"]).exit_code == 0
    assert runner.invoke(app, ["get", str(conf), both]).output == "failover\n"


def test_set_diff_masks_secrets_in_its_context_and_changes(tmp_path: Path) -> None:
    res = tmp_path / "r0.res"
    res.write_text(
        'resource r0 {\n\tnet {\n\t\tshared-secret "s3cr3tpass";\n\t\tprotocol C;\n\t}\n}\n'
    )
    done = runner.invoke(app, ["set", "--diff", str(res), "resource[r0].net.protocol", "A"])
    assert done.exit_code == 0
    assert "s3cr3tpass" not in done.output
    assert "\t\tshared-secret ********;\n-\t\tprotocol C;\n+\t\tprotocol A;\n" in done.output
    ietd = tmp_path / "ietd.conf"
    ietd.write_text("Target iqn.2001-04.com.example:t\n\tIncomingUser joe oldsecret12\n")
    selector = "target[iqn.2001-04.com.example:t].IncomingUser[joe]"
    done = runner.invoke(app, ["set", "--diff", str(ietd), selector, "newsecret12"])
    assert done.exit_code == 0
    assert "oldsecret12" not in done.output and "newsecret12" not in done.output
    assert "-\tIncomingUser joe ********\n+\tIncomingUser joe ********\n" in done.output


def test_set_diff_masks_a_secret_its_format_reads_on_the_next_line(tmp_path: Path) -> None:
    # drbd reads a value on the line after its keyword: no line pattern sees it
    res = tmp_path / "r0.res"
    res.write_text(
        'resource r0 {\n\tnet {\n\t\tshared-secret\n\t\t"n3xtl1ne";\n\t\tprotocol C;\n\t}\n}\n'
    )
    done = runner.invoke(app, ["set", "--diff", str(res), "resource[r0].net.protocol", "A"])
    assert done.exit_code == 0
    assert "n3xtl1ne" not in done.output
    assert "-\t\tprotocol C;\n+\t\tprotocol A;\n" in done.output
