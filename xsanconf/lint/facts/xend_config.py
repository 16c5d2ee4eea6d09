"""xend-config.sxp facts for the SYN rules.

xend looks every setting up with ``sxp.child_value`` (XendOptions.get_config_value), which
returns the *first* expression of that name: unlike most formats, a repeated setting is not
an override, the later line is the one xend never reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.formats.xend_config import XendEntry
    from xsanconf.lint.site import SiteFile

__all__ = ["duplicates"]


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A setting given again: xend reads the first one, every later one is dead text."""
    first_of: dict[str, XendEntry] = {}
    config = file.doc.model
    for entry in config.entries():
        name = entry.name
        if not name:
            continue
        first = first_of.setdefault(name, entry)
        if first is entry:
            continue
        line = file.doc.position(first.token)[0]
        # no value is shown: vncpasswd and the like are secrets
        yield Finding(
            f"'{name}' is set again (first at line {line}); xend reads only the first one, "
            "so this line has no effect",
            file.location(entry.token),
            (file.location(first.token, "xend reads this one"),),
        )
