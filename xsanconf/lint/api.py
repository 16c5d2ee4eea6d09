"""The API for rules written outside the package (see :mod:`xsanconf.lint.plugins`).

``@rule`` registers a check, which receives the :class:`Site` and a :class:`RuleContext` and
yields :class:`Diagnostic` objects (``ctx.diagnostic(message, location)``) at a
:class:`Location` (``file.location(token)``), possibly with a :class:`Fix` of :class:`TextEdit`
objects: exactly what xsanconf's own rule families use::

    from xsanconf.lint.api import RuleContext, Severity, Site, rule

    @rule("HOUSE001", "alias-naming", Severity.WARNING, scope="file", needs=("multipath",))
    def alias_naming(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
        ...
"""

from __future__ import annotations

from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.site import Host, Site, SiteFile

__all__ = [
    "Diagnostic",
    "Fix",
    "Host",
    "Location",
    "RuleContext",
    "Severity",
    "Site",
    "SiteFile",
    "TextEdit",
    "rule",
]
