"""The facts layer stands below the rules: importing it, the graph or a reporter registers no
rule, and no module of it imports ``xsanconf.lint.rules``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import xsanconf

PACKAGE = Path(xsanconf.__file__).parent
FACTS = PACKAGE / "facts"

# Modules below the rules: the facts, their old import path, the graph and every reporter.
BELOW_RULES = [
    *sorted(
        f"xsanconf.facts.{p.stem}" if p.stem != "__init__" else "xsanconf.facts"
        for p in FACTS.glob("*.py")
    ),
    "xsanconf.lint.stack",
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
