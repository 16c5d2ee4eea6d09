"""SYN007: values a daemon refuses or silently replaces, judged by one checker per kind.

The checkers live in :mod:`xsanconf.lint.values` (plain tables, imported only when a file of
their kind is linted); this module only hands each parsed file to its kind's checker with the
versions its host may run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.site import Site

__all__: list[str] = []

# kind -> (checker module, the component whose versions it weighs)
CHECKERS: dict[str, tuple[str, str]] = {
    "drbd": ("xsanconf.lint.values.drbd", "drbd"),
    "multipath": ("xsanconf.lint.values.multipath", "multipath"),
    "iscsid": ("xsanconf.lint.values.iscsid", "open-iscsi"),
    "iscsi-node": ("xsanconf.lint.values.iscsid", "open-iscsi"),
    "ietd": ("xsanconf.lint.values.ietd", "iet"),
    "modprobe": ("xsanconf.lint.values.modprobe", "kmod"),
}


@rule("SYN007", "invalid-value", Severity.ERROR, scope="file", needs=tuple(CHECKERS))
def invalid_value(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A value the daemon refuses (error) or silently replaces with its default (warning)."""
    for file in site.files():
        found = CHECKERS.get(file.kind)
        if found is None or not file.doc.parsed:
            continue
        module, component = found
        assumed = ctx.host_versions(file.host).components[component].versions
        versions = assumed or tuple(v for v in (ctx.versions.get(file.kind),) if v)
        check = importlib.import_module(module).invalid_values
        for invalid in check(file, versions):
            yield ctx.diagnostic(invalid.message, invalid.location, severity=invalid.severity)
