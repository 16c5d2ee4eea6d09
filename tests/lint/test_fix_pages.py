"""Every rule page whose Bad example gets a fix for its own code: the fix works.

Applied (unsafe fixes included) to a copy of the Bad example on disk, the fix must make the code
fire less often, leave every file parsing, and a second run must change nothing.  New fixes are
covered as soon as their rule's page shows one.
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


@pytest.mark.parametrize("code", sorted(PAGES))
def test_the_fix_of_the_bad_example_works(code: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    options = _site(root, PAGES[code].examples("Bad"))
    site = Site.load([root])
    fixable = [d for d in lint(site, options).diagnostics if d.code == code and d.fix is not None]
    if not fixable:
        pytest.skip(f"the Bad example of {code} offers no fix")
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
