"""The fast command-line reading agrees with the typer command it stands in for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main

from xsanconf.lint import cli
from xsanconf.lint.argv import FLAGS, MULTI, SINGLE, read_check_args


def _typer_params() -> list[Any]:
    return list(typer.main.get_command(cli._check_app()).params)


def test_the_table_knows_every_option_of_the_check_command() -> None:
    # An option added to the typer command but not here still works (typer reads the line),
    # but every run that uses it pays for importing typer: keep the table complete.
    table = {**FLAGS, **SINGLE, **MULTI}
    for param in _typer_params():
        if param.param_type_name == "argument" or param.name == "version":
            continue
        for spelling in param.opts:
            assert table.get(spelling) == param.name, f"{spelling} ({param.name}) not in argv.py"
            if param.is_flag:
                assert spelling in FLAGS
            elif param.multiple:
                assert spelling in MULTI
            else:
                assert spelling in SINGLE
    names = {p.name for p in _typer_params()}
    assert set(table.values()) <= names


def test_request_defaults_are_the_typer_defaults() -> None:
    request = cli._request()
    defaults = {p.name: p.default for p in _typer_params() if p.name not in ("version",)}
    assert request.color == defaults["color"]
    for name in ("exit_zero", "statistics", "isolated"):
        assert getattr(request, name) is bool(defaults[name])


def _typer_request(args: list[str], monkeypatch: pytest.MonkeyPatch) -> cli.CheckRequest:
    seen: list[cli.CheckRequest] = []

    def capture(request: cli.CheckRequest) -> int:
        seen.append(request)
        return 0

    monkeypatch.setattr(cli, "_lint", capture)
    with pytest.raises(SystemExit):
        cli._check_app()(args=args, prog_name="xsanlint", standalone_mode=False)
    assert len(seen) == 1
    return seen[0]


@pytest.mark.parametrize(
    "args",
    [
        ["site"],
        ["a", "b", "--select", "DRBD,SYN001", "--select", "IET"],
        ["--format", "json", "-o", "out.json", "site"],
        ["-f", "sarif", "site", "--exit-zero", "--statistics"],
        ["--format=github", "--output=r.txt", "site"],
        ["--host", "san1=a/san1", "--host", "san2=a/san2"],
        ["site", "--ignore", "DRBD008", "--extend-select", "SYN006", "--target", "drbd=8.4"],
        ["site", "--severity", "DRBD008=error", "--fail-on", "error", "--color", "never"],
        ["site", "--config", "x.toml", "--isolated"],
        ["site", "--format", "json", "--format", "text"],
        ["site", "--", "--odd-dir"],
        ["site", "--baseline", "b.json", "--update-baseline"],
        ["--baseline=b.json", "site"],
    ],
)
def test_both_readings_give_the_same_request(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = read_check_args(args)
    assert quick is not None
    assert cli._request(**quick) == _typer_request(args, monkeypatch)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["-h"],
        ["rules"],
        ["rule", "DRBD001"],
        ["--version"],
        ["site", "--bogus"],
        ["site", "--format"],
        ["site", "-fjson"],
        ["site", "--exit-zero=yes"],
    ],
)
def test_anything_else_is_left_to_typer(args: list[str]) -> None:
    assert read_check_args(args) is None


def test_paths_are_paths() -> None:
    assert read_check_args(["-", "x"]) == {"paths": [Path("-"), Path("x")]}
