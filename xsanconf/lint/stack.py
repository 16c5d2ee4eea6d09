"""The site's storage stack index, now a fact: :mod:`xsanconf.facts.stack`.

Kept so that code written against ``xsanconf.lint.stack`` keeps importing the same names; new
code imports :mod:`xsanconf.facts.stack` (and rules declare it: ``uses=(STACK,)``).
"""

from __future__ import annotations

from xsanconf.facts.stack import (
    DEFAULT_POLICY,
    IET_FILES,
    IET_PRODUCT,
    IET_VENDOR,
    IET_WWID_PREFIX,
    STACK,
    DrbdDevice,
    GuestDisk,
    HostStack,
    IetLunExport,
    IetVersion,
    MultipathMap,
    ReplicaKey,
    StackIndex,
    canonical_device,
    iet_wwid_scsi_id,
    parse_iet_version,
    resolve_in_host,
    stack_index,
    stack_index_for,
)

__all__ = [
    "DEFAULT_POLICY",
    "IET_FILES",
    "IET_PRODUCT",
    "IET_VENDOR",
    "IET_WWID_PREFIX",
    "STACK",
    "DrbdDevice",
    "GuestDisk",
    "HostStack",
    "IetLunExport",
    "IetVersion",
    "MultipathMap",
    "ReplicaKey",
    "StackIndex",
    "canonical_device",
    "iet_wwid_scsi_id",
    "parse_iet_version",
    "resolve_in_host",
    "stack_index",
    "stack_index_for",
]
