"""Every page in rules/ is executable: its Bad examples fire its code on exactly the lines they
mark, its Good ones produce no finding at all.

The fenced blocks of a section are the files of a site: the info string names the path inside
the host root (``title="etc/drbd.conf"``), optionally the host (``host="san1"``, default
``host1``) and the targeted versions (``target="drbd=8.4"``).  A Bad example marks each line its
rule reports with a trailing ``# <- CODE``, which the rule never sees (:mod:`xsanconf.lint.pages`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.page_examples import lint_examples, marked, place
from xsanconf.lint.pages import SECTIONS, RulePage, pages
from xsanconf.lint.rules import load_all

PAGES = pages()
CODES = sorted(PAGES)


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
def test_bad_example_fires_on_the_marked_lines(code: str, tmp_path: Path) -> None:
    bad = PAGES[code].examples("Bad")
    others = sorted({m.code for e in bad for m in e.marks} - {code})
    assert not others, f"{code}: the Bad example marks lines of other rules: {others}"
    expected = marked(bad)
    assert expected, f"{code}: the Bad example marks no line with '# <- {code}'"
    root = tmp_path / "site"
    fired = {place(d, root) for d in lint_examples(root, bad) if d.code == code}
    assert sorted(fired) == sorted(expected), f"{code}: fired on {sorted(fired)}"


@pytest.mark.parametrize("code", CODES)
def test_good_example_produces_no_finding(code: str, tmp_path: Path) -> None:
    good = PAGES[code].examples("Good")
    assert not marked(good), f"{code}: a Good example marks a line"
    root = tmp_path / "site"
    found = [f"{d.code} {place(d, root)}: {d.message}" for d in lint_examples(root, good)]
    assert found == [], f"{code}: the Good example produces findings"
