"""Values the daemons refuse or replace (SYN007), one plain-data module per kind of file.

Each module ``xsanconf.lint.values.<kind>`` exposes
``invalid_values(file, versions) -> Iterator[Invalid]``: for a parsed file and the versions the
host may run (empty: the module's default), where a value sits that the daemon refuses (an
*error*: the setting, or the LUN, or the file, is lost) or silently replaces (a *warning*: the
daemon goes on with its default or a capped value).  A message that holds for some of the
candidate versions only names them.  The modules are imported only when a file of their kind
is linted, so their tables cost nothing on a site without such files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Location, Severity

__all__ = ["Invalid"]


class Invalid(NamedTuple):
    """One value the daemon does not take as written."""

    location: Location
    message: str
    severity: Severity
