"""Rewrite xsanconf/lint/rules/_manifest.py from what the rule modules register.

Run it after adding, renaming or moving a rule (``tests/lint/test_rule_manifest.py`` says when):

    python contrib/rule_manifest.py && ruff format xsanconf/lint/rules/_manifest.py
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HEAD = "MANIFEST: dict[str, tuple[str, str, tuple[str, ...]]] = {"


def _quoted(text: str) -> str:
    return '"' + text + '"'  # codes, names, modules and kinds hold no quote or backslash


def manifest_text(current: str) -> str:
    """``current`` (the module's text) with the manifest of every built-in rule."""
    from xsanconf.lint.rule import REGISTRY
    from xsanconf.lint.rules import family_modules

    for module in family_modules():
        importlib.import_module(module)
    lines = []
    for code, rule in sorted(REGISTRY.items()):
        if rule.origin != "xsanconf":
            continue
        needs = ", ".join(_quoted(k) for k in rule.needs) + ("," if len(rule.needs) == 1 else "")
        entry = f"({_quoted(rule.name)}, {_quoted(rule.check.__module__)}, ({needs}))"
        lines.append(f"    {_quoted(code)}: {entry},\n")
    head, _, rest = current.partition(HEAD)
    _, _, tail = rest.partition("}\n")
    return f"{head}{HEAD}\n{''.join(lines)}}}\n{tail}"


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "xsanconf" / "lint" / "rules" / "_manifest.py"
    sys.path.insert(0, str(path.parents[3]))
    path.write_text(manifest_text(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
