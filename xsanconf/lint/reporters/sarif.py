"""``--format sarif``: a SARIF 2.1.0 log with rule metadata and help from the rule pages."""

from __future__ import annotations

import json
import posixpath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from xsanconf import __version__
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity
from xsanconf.lint.reporters import Report

if TYPE_CHECKING:
    from xsanconf.lint.engine import LintResult
    from xsanconf.lint.rule import Rule

__all__ = ["SCHEMA", "report"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    if posixpath.isabs(path):
        return "file://" + quote(path)
    return quote(path)


def _region(loc: Location) -> dict[str, int]:
    region = {"startLine": loc.line, "startColumn": loc.column}
    if loc.end_line is not None:
        region["endLine"] = loc.end_line
    if loc.end_column is not None:
        region["endColumn"] = loc.end_column
    return region


def _physical(loc: Location) -> dict[str, Any]:
    return {"artifactLocation": {"uri": _uri(loc.path)}, "region": _region(loc)}


def _location(loc: Location, index: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"physicalLocation": _physical(loc)}
    if index is not None:
        found["id"] = index
    if loc.message:
        found["message"] = {"text": loc.message}
    if loc.host:
        found["logicalLocations"] = [{"name": loc.host, "kind": "host"}]
    return found


def _fix(fix: Fix) -> dict[str, Any]:
    changes: dict[str, list[dict[str, Any]]] = {}
    for e in fix.edits:
        changes.setdefault(e.path, []).append(
            {
                "deletedRegion": {
                    "startLine": e.line,
                    "startColumn": e.column,
                    "endLine": e.end_line,
                    "endColumn": e.end_column,
                },
                "insertedContent": {"text": e.text},
            }
        )
    # SARIF's artifact changes only replace text: a rename is told in words and in properties
    moves = [f"rename {r.path} to {r.new_path}" for r in fix.renames]
    found: dict[str, Any] = {
        "description": {"text": "; ".join([fix.description, *moves])},
        "artifactChanges": [
            {"artifactLocation": {"uri": _uri(path)}, "replacements": replacements}
            for path, replacements in changes.items()
        ],
        "properties": {"safe": fix.safe},
    }
    if fix.renames:
        found["properties"]["renames"] = [
            {"path": r.path, "new_path": r.new_path} for r in fix.renames
        ]
    return found


def _result(d: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "ruleId": d.code,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [_location(d.location)],
        "properties": {"name": d.name, "host": d.location.host},
    }
    if d.code in rule_index:
        found["ruleIndex"] = rule_index[d.code]
    if d.related:
        found["relatedLocations"] = [_location(r, i) for i, r in enumerate(d.related)]
    if d.fix is not None and d.fix.edits:
        found["fixes"] = [_fix(d.fix)]
    elif d.fix is not None and d.fix.renames:
        # a SARIF fix needs at least one text change: a rename alone is told in properties
        told = _fix(d.fix)
        found["properties"]["fix"] = {
            "description": told["description"]["text"],
            **told["properties"],
        }
    return found


def _rule(rule: Rule, options: Report) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"scope": rule.scope, "needs": list(rule.needed_kinds()), "fix": rule.fix},
    }
    page = options.page_help(rule.code)
    if page:
        described["fullDescription"] = {"text": rule.summary or rule.name}
        described["help"] = {"text": page, "markdown": page}
    return described


def report(result: LintResult, options: Report) -> str:
    rules = sorted(result.rules, key=lambda r: r.code)
    rule_index = {r.code: i for i, r in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "xsanlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(r, options) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(d, rule_index) for d in result.diagnostics],
            }
        ],
    }
    # ASCII with escapes: valid UTF-8 even when a file name holds undecodable bytes
    return json.dumps(log, indent=2) + "\n"
