"""Every page in rules/ is executable: its Bad examples must fire its code, its Good ones not.

The fenced blocks of a section are the files of a site: the info string names the path inside
the host root (``title="etc/drbd.conf"``), optionally the host (``host="san1"``, default
``host1``) and the targeted versions (``target="drbd=8.4"``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.pages import SECTIONS, Example, RulePage, pages
from xsanconf.lint.rules import load_all
from xsanconf.lint.site import Site

PAGES = pages()
CODES = sorted(PAGES)


def _fired(tmp_path: Path, examples: list[Example]) -> set[str]:
    hosts: dict[str, dict[str, str]] = {}
    versions: dict[str, str] = {}
    for example in examples:
        assert example.path, f'a block without title="path": {example}'
        hosts.setdefault(example.host, {})[example.path] = example.text
        target = example.attributes.get("target")
        if target:
            kind, _, version = target.partition("=")
            versions[kind] = version
    write_site(tmp_path / "site", hosts)
    site = Site.load([tmp_path / "site"])
    result = lint(site, LintOptions(versions=versions))
    assert not result.failures, result.failures
    return {d.code for d in result.diagnostics}


def test_every_rule_has_a_page() -> None:
    missing = sorted(set(load_all()) - set(PAGES))
    assert not missing, f"rules without a page in rules/: {missing}"


@pytest.mark.parametrize("code", CODES)
def test_page_structure(code: str) -> None:
    page: RulePage = PAGES[code]
    registry = load_all()
    assert code in registry, f"rules/{code}.md documents no registered rule"
    assert page.name == registry[code].name
    for title in SECTIONS:
        assert page.section(title), f"{code}: section '## {title}' is missing or empty"
    assert page.examples("Bad"), f"{code}: no example under ## Bad"
    assert page.examples("Good"), f"{code}: no example under ## Good"


@pytest.mark.parametrize("code", CODES)
def test_bad_example_fires(code: str, tmp_path: Path) -> None:
    fired = _fired(tmp_path, PAGES[code].examples("Bad"))
    assert code in fired, f"{code}: the Bad example produced {sorted(fired)}"


@pytest.mark.parametrize("code", CODES)
def test_good_example_is_clean(code: str, tmp_path: Path) -> None:
    fired = _fired(tmp_path, PAGES[code].examples("Good"))
    assert code not in fired, f"{code}: the Good example still produces it"
