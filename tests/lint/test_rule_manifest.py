"""The rule manifest says what the rule modules register, and a run imports only what it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from xsanconf.lint.rules import catalog, load_all
from xsanconf.lint.rules._manifest import MANIFEST

REPO = Path(__file__).resolve().parents[2]


def test_the_manifest_is_what_the_modules_register() -> None:
    registered = {
        code: (rule.name, rule.check.__module__, rule.needs)
        for code, rule in load_all().items()
        if rule.origin == "xsanconf"
    }
    assert registered == MANIFEST, (
        "the rule manifest is out of date: run `python contrib/rule_manifest.py && "
        "ruff format xsanconf/lint/rules/_manifest.py`"
    )


def test_the_catalog_knows_every_rule_without_importing_it() -> None:
    assert set(catalog()) >= set(MANIFEST)


def _imported_rule_modules(*args: str) -> list[str]:
    script = (
        "import sys, json\n"
        "from xsanconf.lint.cli import run\n"
        "try:\n"
        f"    run({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "mods = sorted(m for m in sys.modules if m.startswith('xsanconf.lint.rules.')\n"
        "              and not m.split('.')[-1].startswith('_'))\n"
        "sys.stderr.write('MODULES' + json.dumps(mods))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=REPO
    )
    found: list[str] = json.loads(done.stderr.rpartition("MODULES")[2])
    return found


def test_a_run_imports_only_the_families_it_can_use() -> None:
    example = str(REPO / "fixtures" / "sites" / "example")
    modules = _imported_rule_modules("--exit-zero", example)
    # the example site carries no Xen guest or xend configuration
    assert "xsanconf.lint.rules.xen" not in modules
    assert "xsanconf.lint.rules.drbd" in modules and "xsanconf.lint.rules.syn" in modules
    selected = _imported_rule_modules("--exit-zero", "--select", "MPATH002", example)
    assert selected == ["xsanconf.lint.rules.mpath"]


def test_a_selector_of_a_family_not_imported_is_still_known() -> None:
    """--select XEN001 on a site without Xen guests is not a usage error: nothing to check."""
    example = str(REPO / "fixtures" / "sites" / "example")
    done = subprocess.run(
        [sys.executable, "-c", "from xsanconf.lint.cli import run; run()", "--select", "XEN001"]
        + [example],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No problems found" in done.stdout
