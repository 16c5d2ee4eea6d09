"""The README's library examples run, against a copy of a host laid out as Debian lays it out.

Each ```python block of README.md is executed as written, except that absolute paths in string
literals ("/", "/etc/drbd.conf") are taken inside the copied host root, and a comparison that
stands alone as a statement (``dumps(...) == text  # always``) is asserted.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# san1 of the example site: drbd.conf includes drbd.d/global_common.conf and drbd.d/*.res, the
# layout drbd-utils installs; resource xensan sits in drbd.d/xensan.res.
HOST = ROOT / "fixtures" / "sites" / "example" / "san1"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


class _InsideRoot(ast.NodeTransformer):
    """Absolute paths into the host root; standalone comparisons into assertions."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, str) and node.value.startswith("/"):
            return ast.copy_location(ast.Constant(str(self.root) + node.value), node)
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.stmt:
        self.generic_visit(node)
        if isinstance(node.value, ast.Compare):
            return ast.copy_location(ast.Assert(node.value), node)
        return node


def run_block(code: str, root: Path) -> dict[str, object]:
    """Run one block; a rule it registers (the plugin example) is taken out again, so that
    the other tests see only the built-in rules."""
    from xsanconf.lint.rules import load_all

    registry = load_all()  # the built-ins first: they register once per process
    tree = ast.fix_missing_locations(_InsideRoot(root).visit(ast.parse(code)))
    namespace: dict[str, object] = {}
    registered = dict(registry)
    try:
        exec(compile(tree, str(README), "exec"), namespace)
    finally:
        registry.clear()
        registry.update(registered)
    return namespace


def test_the_readme_plugin_example_reports_what_it_says() -> None:
    """The rule of "Your own rules" finds the Xen hosts of the example site without
    no_path_retry."""
    from xsanconf.lint.engine import LintOptions, lint
    from xsanconf.lint.rules import load_all
    from xsanconf.lint.site import Site

    block = next(b for b in python_blocks(README.read_text()) if "@rule(" in b)
    site = Site.load([ROOT / "fixtures" / "sites" / "example"])
    registry = load_all()
    registered = dict(registry)
    try:
        exec(compile(block, str(README), "exec"), {})
        found = lint(site, LintOptions(select=("HOUSE002",))).diagnostics
    finally:
        registry.clear()
        registry.update(registered)
    assert sorted(d.location.host or "" for d in found) == ["xen1", "xen2"]
    assert {d.code for d in found} == {"HOUSE002"}


def test_the_readme_has_library_examples() -> None:
    blocks = python_blocks(README.read_text())
    assert blocks and "load_host" in blocks[0]


def test_the_readme_library_examples_run(tmp_path: Path) -> None:
    root = tmp_path / "san1"
    shutil.copytree(HOST, root, symlinks=True)
    res = root / "etc" / "drbd.d" / "xensan.res"
    before = res.read_text().splitlines(keepends=True)
    for code in python_blocks(README.read_text()):
        run_block(code, root)
    after = res.read_text().splitlines(keepends=True)
    # "only the new line differs"
    added = [line for line in after if line not in before]
    assert len(after) == len(before) + 1
    assert [line.strip() for line in added] == ["allow-two-primaries yes;"]


def test_a_readme_example_that_drifts_fails(tmp_path: Path) -> None:
    """The runner fails on a wrong claim, and on a resource the host does not hold."""
    shutil.copytree(HOST, tmp_path / "h", symlinks=True)
    with pytest.raises(AssertionError):
        run_block(
            'import xsanconf\nxsanconf.dumps(xsanconf.loads("a", "modules")) == "b"\n', tmp_path
        )
    with pytest.raises(TypeError):
        run_block(
            'import xsanconf\nf, r = xsanconf.load_host("/h").drbd_resource("nope")\n', tmp_path
        )
