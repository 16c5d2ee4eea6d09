"""The paths a commit must touch for the ``xsanlint`` pre-commit hook to run.

Derived, never written by hand: the codec registry's path patterns (every file the site
loader reads as a document) and the files rules read for context, inside the directories the
site loader takes a host's files from.  ``.pre-commit-hooks.yaml`` carries the result, and a
test keeps the two equal.
"""

from __future__ import annotations

import re

from xsanconf.formats import path_fragments
from xsanconf.lint.site import (
    _CONFIG_DIRS_OUTSIDE_ETC,
    _CONTEXT_DIRS_OUTSIDE_ETC,
    _CONTEXT_FILES_OUTSIDE_ETC,
    _RECORD_DIRS_OUTSIDE_ETC,
    CIB_CAPTURES,
)

__all__ = ["CONTEXT_PATHS", "files_pattern"]

# Files below etc that no codec parses but rules read for context: a change there can change
# findings, and the hook then reports the file's whole host.
CONTEXT_PATHS = (
    r"hostname",  # the host's name (site.py), which DRBD `on` sections must match
    r"rc[0-6Ss]\.d/[^/]+",  # SysV runlevel links: BOOT001/BOOT002 (rc_links.RUNLEVEL_DIRS)
    r"multipath/(?:bindings|wwids)",  # user_friendly_names aliases: MPATH, XEN rules
    r"fstab",  # XEN: guests' disks mounted on the host
    r"lvm/backup/[^/]+",  # XEN: volume groups behind guests' disks
)


def files_pattern() -> str:
    """The ``files:`` regular expression of the ``xsanlint`` pre-commit hook: a file below an
    ``etc`` directory that a codec or a rule reads, a file in one of the directories outside
    etc that kmod, systemd or multipath read, a record of the iSCSI node database, a file
    that holds the kernel command line, or a Pacemaker CIB (on disk or captured)."""
    below_etc = "|".join((*path_fragments(), *CONTEXT_PATHS))
    units = tuple(d for d in _CONTEXT_DIRS_OUTSIDE_ETC if d.endswith("/systemd/system"))
    flat = tuple(
        d for d in (*_CONFIG_DIRS_OUTSIDE_ETC, *_CONTEXT_DIRS_OUTSIDE_ETC) if d not in units
    )
    return (
        f"(?:^|/)(?:etc/(?:.*/)?(?:{below_etc})"
        f"|(?:{_alternatives(flat)})/[^/]+"  # kmod, systemd and multipath read these flat
        f"|(?:{_alternatives(units)})/(?:[^/]+/)?[^/]+"  # units, and their drop-ins
        f"|(?:{_alternatives(_RECORD_DIRS_OUTSIDE_ETC)})/.+"  # the iSCSI node database
        f"|{_alternatives(_CONTEXT_FILES_OUTSIDE_ETC)}"  # the kernel command line, the CIB
        f"|{'|'.join(CIB_CAPTURES)})$"  # captures of the CIB
    )


def _alternatives(directories: tuple[str, ...]) -> str:
    return "|".join(re.escape(d).replace("\\-", "-") for d in directories)
