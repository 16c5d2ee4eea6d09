"""The Pacemaker example site, through the command line: the findings its README lists, and
none on its fixed twin."""

from __future__ import annotations

import json
import re

from tests.lint.conftest import SITES, Runner

EXAMPLE = SITES / "example-pacemaker"
FIXED = SITES / "example-pacemaker-fixed"
_CODE = re.compile(r"\b[A-Z]+[0-9]{3}\b")


def _listed() -> list[tuple[str, str, str]]:
    """(code, host, file) for each finding the README's table names, with repeats."""
    listed = []
    for line in (EXAMPLE / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[1].startswith("`"):
            continue
        host, file, mistake, reported_by = cells
        times = 2 if "(two findings)" in mistake else 1
        for code in _CODE.findall(reported_by):
            listed += [(code, host, file.strip("`"))] * (2 if code == "CLU002" else times)
    return sorted(listed)


def _reported(site: str, xsanlint: Runner) -> tuple[int, list[tuple[str, str, str]]]:
    code, out, _ = xsanlint("--format", "json", SITES / site)
    data = json.loads(out)
    found = [
        (
            d["code"],
            d["host"],
            d["path"].split(f"/{d['host']}/", 1)[1],
        )
        for d in data["diagnostics"]
    ]
    return code, sorted(found)


def test_the_pacemaker_example_reports_what_its_readme_lists(xsanlint: Runner) -> None:
    code, found = _reported("example-pacemaker", xsanlint)
    assert code == 1
    assert found == _listed()
    assert len(found) == 9


def test_the_fixed_pacemaker_example_reports_nothing(xsanlint: Runner) -> None:
    assert _reported("example-pacemaker-fixed", xsanlint) == (0, [])


def test_the_cib_secrets_stay_masked_in_parse_output() -> None:
    from typer.testing import CliRunner

    from xsanconf.cli.main import app

    cib = EXAMPLE / "san1/var/lib/pacemaker/cib/cib.xml"
    masked = CliRunner().invoke(app, ["parse", "--json", str(cib)])
    assert masked.exit_code == 0 and "passwd" in masked.stdout
    assert "Tr0ub4dor" not in masked.stdout and "ipmiSecret1" not in masked.stdout
    shown = CliRunner().invoke(app, ["parse", "--json", "--show-secrets", str(cib)])
    assert "ipmiSecret1" in shown.stdout
