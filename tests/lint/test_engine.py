"""The engine: selection by specificity, rules that lack their facts, failures kept apart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, SelectionError, lint, select_rules
from xsanconf.lint.rule import REGISTRY, Rule, RuleContext, rule
from xsanconf.lint.rules import load_all
from xsanconf.lint.site import Site


def _codes(**options: tuple[str, ...]) -> list[str]:
    return [r.code for r in select_rules(load_all(), LintOptions(**options))]  # type: ignore[arg-type]


def test_the_most_specific_selector_wins() -> None:
    assert _codes(select=("SYN",), ignore=("SYN00",), extend_select=("SYN003",)) == ["SYN003"]
    assert _codes(select=("SYN003",), ignore=("SYN",)) == ["SYN003"]
    assert _codes(select=("include-problem", "SYN001")) == ["SYN001", "SYN003"]
    assert "SYN001" in _codes() and "DRBD001" in _codes()
    assert "SYN001" not in _codes(ignore=("syntax-error",))


def test_unknown_selectors_and_versions_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SelectionError, match="'SYN9' names no rule"):
        _codes(select=("SYN9",))
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    with pytest.raises(SelectionError, match=r"unknown drbd version '8\.2'"):
        lint(Site.load([tmp_path]), LintOptions(versions={"drbd": "8.2"}))


@pytest.fixture
def probe() -> Iterator[list[dict[str, str]]]:
    """A temporary rule that records the versions it was given; it needs ietd files."""
    load_all()
    calls: list[dict[str, str]] = []

    @rule("ZZZ001", "probe", Severity.INFO, scope="site", needs=("ietd",))
    def check(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        calls.append(ctx.versions)
        raise RuntimeError("probe ran")

    yield calls
    del REGISTRY["ZZZ001"]


def test_a_rule_runs_only_when_the_site_has_what_it_needs(
    tmp_path: Path, probe: list[dict[str, str]]
) -> None:
    write_site(tmp_path / "a", {"h": {"etc/drbd.conf": "global { }\n"}})
    result = lint(Site.load([tmp_path / "a"]), LintOptions(select=("ZZZ",)))
    assert probe == [] and result.failures == []
    write_site(tmp_path / "b", {"h": {"etc/ietd.conf": "Target iqn.2001-04.com.example:t\n"}})
    result = lint(Site.load([tmp_path / "b"]), LintOptions(select=("ZZZ",)))
    assert [p["drbd"] for p in probe] == ["9"]  # with the defaults of the other kinds
    assert [(f.code, f.error) for f in result.failures] == [("ZZZ001", "RuntimeError: probe ran")]


def test_rule_metadata() -> None:
    syn003: Rule = load_all()["SYN003"]
    assert (syn003.name, syn003.severity, syn003.scope, syn003.family) == (
        "include-problem",
        Severity.ERROR,
        "host",
        "SYN",
    )
    assert syn003.summary.startswith("An include of a missing file")


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        ({"foo": "1"}, "no targeted version for 'foo'"),
        ({"iet": "new"}, "iet version 'new' is not a version number"),
        ({"kmod": ""}, "kmod version '' is not a version number"),
        ({"drbd": "8.5"}, "unknown drbd version '8.5'"),
    ],
)
def test_targeted_versions_are_checked(versions: dict[str, str], message: str) -> None:
    with pytest.raises(SelectionError, match=re.escape(message)):
        LintOptions(versions=versions).effective_versions()


def test_package_versions_are_accepted() -> None:
    versions = LintOptions(versions={"iet": "1.4.20.3+svn496", "kmod": "29"}).effective_versions()
    assert versions["iet"] == "1.4.20.3+svn496"
