"""Every rule page whose Bad example gets a fix for its own code: the fix works.

Applied (unsafe fixes included) to a copy of the Bad example on disk, the fix must make the code
fire less often, leave every file parsing, and a second run must change nothing.  ``FIXED_ON_PAGE``
lists those pages; a test checks the list against what the pages actually offer, so a new fix
(or a lost one) shows up here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.api import load
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.fixing import fix_site, write_changes
from xsanconf.lint.pages import Example, pages
from xsanconf.lint.site import Site

PAGES = pages()

# The rules whose page's Bad example carries a fix for the rule's own finding.
FIXED_ON_PAGE = (
    "DRBD001",
    "DRBD007",
    "IET008",
    "ISCSI004",
    "MOD001",
    "MOD003",
    "MOD004",
    "MPATH004",
    "MPATH006",
)


def _site(root: Path, examples: list[Example]) -> LintOptions:
    hosts: dict[str, dict[str, str]] = {}
    versions: dict[str, str] = {}
    for example in examples:
        hosts.setdefault(example.host, {})[example.path] = example.text
        kind, _, version = example.attributes.get("target", "").partition("=")
        if kind:
            versions[kind] = version
    write_site(root, hosts)
    return LintOptions(versions=versions)


def _count(root: Path, code: str, options: LintOptions) -> int:
    return sum(1 for d in lint(Site.load([root]), options).diagnostics if d.code == code)


def _fixable(root: Path, code: str) -> tuple[Site, LintOptions, bool]:
    options = _site(root, PAGES[code].examples("Bad"))
    site = Site.load([root])
    found = lint(site, options).diagnostics
    return site, options, any(d.code == code and d.fix is not None for d in found)


def test_the_list_of_pages_with_a_fix_is_complete(tmp_path: Path) -> None:
    offered = [code for code in sorted(PAGES) if _fixable(tmp_path / code, code)[2]]
    assert offered == sorted(FIXED_ON_PAGE)


@pytest.mark.parametrize("code", FIXED_ON_PAGE)
def test_the_fix_of_the_bad_example_works(code: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    site, options, fixable = _fixable(root, code)
    assert fixable
    before = _count(root, code, options)

    run = fix_site(site, options, unsafe=True)
    assert not run.refused, [str(r) for r in run.refused]
    assert any(d.code == code for d in run.applied)
    assert write_changes(run.changes) == []

    assert _count(root, code, options) < before
    for change in run.changes:
        load(change.file.host.root / change.new_rel, change.file.kind)  # parses, strictly
    again = fix_site(Site.load([root]), options, unsafe=True)
    assert again.changes == [], [c.new_path for c in again.changes]
