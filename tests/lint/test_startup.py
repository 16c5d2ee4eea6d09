"""Start-up cost of a plain lint, by counts that do not depend on the machine's load.

``benchmarks/bench_lint.py`` times ``xsanlint`` on the example site against ``python -c pass``
(target: 12x); most of that time is imports, and most of an import's cost is the attrs classes
it builds (attrs compiles their methods at every start) and the regular expressions it
compiles.  These tests hold what a plain lint of the example site imports and builds, so that a
change that pulls the fix rounds, a reader of files the site lacks or a pile of new records
into every run fails here rather than going unnoticed in a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "fixtures" / "sites" / "example"

# Modules a lint of the example site has no use for: the fix rounds and their output (no
# --fix, --diff or --patch), readers of files the site lacks (initramfs images, an rpm
# database, a kernel command line), reporters not asked for, and the heavy dependencies the
# hot path must never import.
NOT_IMPORTED = (
    "xsanconf.lint.fixing",
    "xsanconf.lint.patch",
    "xsanconf.lint.initramfs",
    "xsanconf.lint.facts.rpmdb",
    "xsanconf.domain.kernel_cmdline",
    "xsanconf.lint.reporters.html",
    "xsanconf.lint.reporters.sarif",
    "xsanconf.lint.reporters.json",
    "typer",
    "lark",
    "cattrs",
)

# The attrs classes a lint of the example site builds (84 when this bound was set, 106
# before); each costs a quarter of a millisecond or more at every start.  A record only read
# inside one module needs no attrs: a plain class with __slots__ costs a few microseconds.
# Raise the bound only for a class that needs what attrs gives (equality, evolve, a public
# model).
MAX_ATTRS_CLASSES = 90

_SCRIPT = """
import json, sys
import attrs
from xsanconf.lint.cli import run
try:
    run(['--exit-zero', sys.argv[1]])
except SystemExit:
    pass
classes = sorted(
    f"{name}.{value.__qualname__}"
    for name, module in list(sys.modules.items())
    if name.startswith('xsanconf')
    for value in list(vars(module).values())
    if isinstance(value, type) and value.__module__ == name and attrs.has(value)
)
sys.stderr.write('STARTUP' + json.dumps({'modules': sorted(sys.modules), 'classes': classes}))
"""


def _plain_lint() -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    found: dict[str, list[str]] = json.loads(done.stderr.rpartition("STARTUP")[2])
    return found


def test_a_plain_lint_imports_nothing_it_does_not_use() -> None:
    found = _plain_lint()
    assert "xsanconf.lint.rules.drbd" in found["modules"]  # the run did lint the site
    assert [m for m in NOT_IMPORTED if m in found["modules"]] == []


def test_a_plain_lint_builds_few_attrs_classes() -> None:
    classes = _plain_lint()["classes"]
    assert "xsanconf.lint.diagnostics.Diagnostic" in classes  # counted where they are built
    assert len(classes) <= MAX_ATTRS_CLASSES, classes
