"""modprobe.d lines kmod refuses for their arguments (``kmod_config_parse`` in libkmod).

A command kmod knows, given too few words or a module name it cannot hold (``options`` with no
parameters, ``alias`` without a module, ``blacklist`` alone, a name with a ``/``), is skipped
with "ignoring bad line": the option, alias or blacklist entry is lost -- an error.  Unknown
commands are SYN002's, an indented ``#`` SYN005's, ``include``/``config`` MOD003's.  Whether the
module accepts a parameter's *value* is the module's business (``modinfo``), not knowable from
the files.  kmod has read these lines the same way in every release.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from xsanconf.formats.modprobe.model import ModprobeBadLine, ModprobeCommand, ModprobeInclude
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.values import Invalid

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["invalid_values"]


def invalid_values(file: SiteFile, versions: Sequence[str]) -> Iterator[Invalid]:
    """Each known command whose arguments make kmod skip the line."""
    for line in file.doc.model.lines:
        if not isinstance(line, ModprobeCommand) or isinstance(
            line, (ModprobeBadLine, ModprobeInclude)
        ):
            continue
        problem = line.problem
        if problem is not None:
            yield Invalid(file.location(line.token), problem, Severity.ERROR)
