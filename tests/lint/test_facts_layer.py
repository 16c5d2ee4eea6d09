"""The facts layer stands below the rules: importing it, the graph or a reporter registers no
rule, and no module of it imports ``xsanconf.lint.rules``."""

from __future__ import annotations

import ast
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import xsanconf
from xsanconf.facts.registry import Fact, FactCycleError, Facts
from xsanconf.facts.stack import STACK, stack_index_for
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.rule import REGISTRY, Check, RuleContext, rule
from xsanconf.lint.site import Site

PACKAGE = Path(xsanconf.__file__).parent
FACTS = PACKAGE / "facts"

# Modules below the rules: the facts, the graph and every reporter.
BELOW_RULES = [
    *sorted(
        f"xsanconf.facts.{p.stem}" if p.stem != "__init__" else "xsanconf.facts"
        for p in FACTS.glob("*.py")
    ),
    "xsanconf.graph",
    "xsanconf.graph.render",
    *sorted(
        f"xsanconf.lint.reporters.{p.stem}"
        for p in (PACKAGE / "lint" / "reporters").glob("*.py")
        if p.stem != "__init__"
    ),
]


# what the child prints: how many rules are registered, and which rule modules were imported
REPORT = (
    "from xsanconf.lint.rule import REGISTRY\n"
    "rules = sorted(m for m in sys.modules if m.startswith('xsanconf.lint.rules'))\n"
    "print(len(REGISTRY), rules)\n"
)


def _imported_modules(path: Path) -> set[str]:
    """Every module an ``import``/``from ... import`` of ``path`` names (absolute and relative
    to the facts package), whether at the top, in a function or under TYPE_CHECKING."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(["xsanconf", "facts"][: 3 - node.level] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_facts_module_imports_rules() -> None:
    modules = sorted(FACTS.glob("*.py"))
    assert modules, "the facts package has modules"
    for path in modules:
        bad = [m for m in _imported_modules(path) if m.startswith("xsanconf.lint.rules")]
        assert not bad, f"{path.name} imports {bad}"


def test_the_scan_sees_a_rule_import(tmp_path: Path) -> None:
    # the check above must be able to fail: a module importing a rule family is caught
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from xsanconf.lint.rules.iet import config_choice\n")
    assert "xsanconf.lint.rules.iet" in _imported_modules(sample)


def test_importing_facts_graph_and_reporters_registers_no_rule() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {BELOW_RULES!r}:\n"
        "    importlib.import_module(name)\n" + REPORT
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split(None, 1) == ["0", "[]\n"]


def test_building_the_graph_registers_no_rule() -> None:
    # building the stack (facts) and drawing it reads no rule module either
    code = (
        "import sys\n"
        "from xsanconf.lint.site import Site\n"
        "from xsanconf.graph import build_graph\n"
        "from xsanconf.graph.render import render_dot\n"
        "from xsanconf.lint.rule import REGISTRY\n"
        "render_dot(build_graph(Site.load(['fixtures/sites/example'])))\n" + REPORT
    )
    root = PACKAGE.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert done.stdout.split(None, 1) == ["0", "[]\n"]


# Rules declare the facts they receive ----------------------------------------------------------

EXAMPLE = PACKAGE.parent / "fixtures" / "sites" / "example"


@contextlib.contextmanager
def _registered(code: str, check: Check, uses: tuple[Fact[Any], ...]) -> Iterator[None]:
    rule(code, f"test-{code.lower()}", Severity.WARNING, scope="site", uses=uses)(check)
    try:
        yield
    finally:
        del REGISTRY[code]


def test_a_rule_asking_for_an_undeclared_fact_fails() -> None:
    def check(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        ctx.fact(STACK)
        yield from ()

    with _registered("TEST901", check, uses=()):
        result = lint(Site.load([EXAMPLE]), LintOptions(select=("TEST901",)))
    assert [f.code for f in result.failures] == ["TEST901"]
    assert "UndeclaredFactError" in result.failures[0].error
    assert "without declaring it" in result.failures[0].error


def test_a_declared_fact_is_built_once_after_what_it_requires() -> None:
    seen: list[object] = []

    def check(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        seen.append(ctx.fact(STACK))
        yield from ()

    with _registered("TEST902", check, (STACK,)), _registered("TEST903", check, (STACK,)):
        result = lint(Site.load([EXAMPLE]), LintOptions(select=("TEST902", "TEST903")))
    assert not result.failures
    assert len(seen) == 2 and seen[0] is seen[1]
    assert result.facts == ["drbd", "stack"]  # the DRBD index first: the stack requires it


def test_only_facts_a_selected_rule_uses_are_built() -> None:
    site = Site.load([EXAMPLE])
    assert lint(site, LintOptions(select=("SYN",))).facts == []
    assert lint(site, LintOptions(select=("DRBD001",))).facts == ["drbd"]


def test_every_rule_of_the_example_site_gets_what_it_declares() -> None:
    result = lint(Site.load([EXAMPLE]))
    assert not result.failures
    used = {fact.name for r in result.rules for fact in r.uses}
    assert set(result.facts) <= used and {"drbd", "stack"} <= set(result.facts)


def test_facts_requiring_each_other_are_refused() -> None:
    first: Fact[int] = Fact("first", lambda facts: facts.get(second) + 1)
    second: Fact[int] = Fact("second", lambda facts: facts.get(first) + 1)
    with pytest.raises(FactCycleError, match="first -> second -> first"):
        Facts(Site.load([EXAMPLE])).get(first)


def test_a_fact_built_by_the_graph_is_the_rules_fact() -> None:
    site = Site.load([EXAMPLE])
    facts = Facts(site, {"drbd": "9"})
    assert facts.get(STACK) is stack_index_for(site, {"drbd": "9"}, facts.host_versions)
