"""Fixes are declared on the rules (``@rule(..., fix=...)``), and the declarations hold.

* Every fix a rule's finding carries -- on any page's examples, on every fixture site -- is of
  the kind the rule declares (a rule declaring ``none`` carries none).
* A rule declaring a fix has a page whose Bad example gets that fix (both kinds for
  ``safe-or-unsafe``).
* Applied (unsafe fixes included) to a copy of that Bad example on disk, the fixes make every
  finding of the rule that carried one go away, bring no new finding, leave every file parsing,
  and a second run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.lint.conftest import SITES
from tests.lint.page_examples import lint_examples, write_examples
from xsanconf.api import load
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.fixing import fix_site, write_changes
from xsanconf.lint.pages import pages
from xsanconf.lint.rule import rule
from xsanconf.lint.rules import load_all
from xsanconf.lint.site import Site

PAGES = pages()
REGISTRY = load_all()
FIXED = sorted(code for code, r in REGISTRY.items() if r.fix != "none")
KINDS = {"safe": {"safe"}, "unsafe": {"unsafe"}, "safe-or-unsafe": {"safe", "unsafe"}}


def _kind(d: Diagnostic) -> str | None:
    return None if d.fix is None else "safe" if d.fix.safe else "unsafe"


def _wrong_fixes(found: list[Diagnostic]) -> list[str]:
    return [
        f"{d.code} (declares {REGISTRY[d.code].fix}) carries a {_kind(d)} fix: {d.fix.description}"
        for d in found
        if d.fix is not None and not REGISTRY[d.code].allows(d.fix)
    ]


def test_some_rules_declare_fixes() -> None:
    assert {"DRBD001", "DRBD007", "MPATH004", "SYN005"} <= set(FIXED)
    assert REGISTRY["DRBD007"].fix == "safe" and REGISTRY["MPATH004"].fix == "safe-or-unsafe"


@pytest.mark.parametrize("code", sorted(PAGES))
def test_page_fixes_match_the_declarations(code: str, tmp_path: Path) -> None:
    for section in ("Bad", "Good"):
        found = lint_examples(tmp_path / section, PAGES[code].examples(section))
        assert _wrong_fixes(found) == []


@pytest.mark.parametrize("site", sorted(p.name for p in SITES.iterdir() if p.is_dir()))
def test_fixture_site_fixes_match_the_declarations(site: str) -> None:
    found = list(lint(Site.load([SITES / site]), LintOptions()).diagnostics)
    assert _wrong_fixes(found) == []


@pytest.mark.parametrize("code", FIXED)
def test_the_bad_example_gets_the_declared_fix(code: str, tmp_path: Path) -> None:
    found = lint_examples(tmp_path / "site", PAGES[code].examples("Bad"))
    offered = {_kind(d) for d in found if d.code == code} - {None}
    assert offered == KINDS[REGISTRY[code].fix], f"{code}: the Bad example gets {offered} fixes"


def test_a_declaration_is_one_of_the_kinds() -> None:
    with pytest.raises(ValueError, match="fix='sometimes' is none of none, safe, unsafe"):
        rule("XYZ001", "some-rule", REGISTRY["DRBD001"].severity, scope="file", fix="sometimes")  # type: ignore[arg-type]


def _lint(root: Path, options: LintOptions) -> list[Diagnostic]:
    return list(lint(Site.load([root]), options).diagnostics)


@pytest.mark.parametrize("code", FIXED)
def test_the_fix_of_the_bad_example_works(code: str, tmp_path: Path) -> None:
    root = tmp_path / "site"
    options = write_examples(root, PAGES[code].examples("Bad"))
    before = _lint(root, options)
    unfixed = sorted(d.message for d in before if d.code == code and d.fix is None)

    run = fix_site(Site.load([root]), options, unsafe=True)
    assert not run.refused, [str(r) for r in run.refused]
    assert any(d.code == code for d in run.applied)
    assert write_changes(run.changes) == []

    after = _lint(root, options)
    remaining = sorted(d.message for d in after if d.code == code)
    assert remaining == unfixed, f"{code}: the fixed findings are still there"
    new = Counter(d.code for d in after) - Counter(d.code for d in before)
    assert not new, f"{code}: the fixes brought new findings: {dict(new)}"
    for change in run.changes:
        load(change.file.host.root / change.new_rel, change.file.kind)  # parses, strictly
    again = fix_site(Site.load([root]), options, unsafe=True)
    assert again.changes == [], [c.new_path for c in again.changes]
