"""DRBD values drbdadm refuses, weighed over the DRBD versions the host may run.

The tables are drbdadm's own for 8.3, 8.4 and 9 (:mod:`xsanconf.lint.facts.drbd_options`,
read through :func:`xsanconf.lint.facts.drbd.refused_values`).  A value every candidate
refuses is an error: the resource does not come up.  One only some refuse is a warning that
names them (the others read it as written).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from xsanconf.lint.candidates import by_place, for_versions
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.values import Invalid

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["invalid_values"]

_DEFAULT = ("9",)  # no evidence and no setting: what current drbd-utils parse


def invalid_values(file: SiteFile, versions: Sequence[str]) -> Iterator[Invalid]:
    from xsanconf.lint.facts.drbd import refused_values

    candidates = tuple(versions) or _DEFAULT
    found = [(v, f.location, f) for v in candidates for f in refused_values(file, v)]
    for holding, finding in by_place(found):
        partial = len(holding) < len(candidates)
        yield Invalid(
            finding.location,
            for_versions(finding.message, holding, candidates),
            Severity.WARNING if partial else Severity.ERROR,
        )
