"""The example site reports exactly the mistakes its README lists, and its fixed twin none."""

from __future__ import annotations

import re

from tests.lint.conftest import SITES
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

EXAMPLE = SITES / "example"
_CODE = re.compile(r"\b[A-Z]+[0-9]{3}\b")
# Codes in parentheses are reported only once another mistake is fixed.
_LATER = re.compile(r"\([^)]*\)")


def _listed() -> set[tuple[str, str, str]]:
    """(code, host, file) for every row of the README's table of mistakes."""
    listed = set()
    for line in (EXAMPLE / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[1].startswith("`etc/"):
            continue
        hosts, file, _mistake, reported_by = cells
        for host in hosts.split(","):
            for code in _CODE.findall(_LATER.sub("", reported_by)):
                listed.add((code, host.strip(), file.strip("`")))
    return listed


def _reported(site: str) -> set[tuple[str, str, str]]:
    result = lint(Site.load([SITES / site]), LintOptions())
    assert not result.failures
    return {
        (d.code, d.location.host or "", d.location.path.split(f"/{d.location.host}/", 1)[1])
        for d in result.diagnostics
    }


def test_the_example_site_reports_what_its_readme_lists() -> None:
    listed = _listed()
    assert len(listed) > 20
    assert _reported("example") == listed


def test_the_fixed_example_reports_nothing() -> None:
    assert _reported("example-fixed") == set()
