"""The DRBD effective-resource index, now a fact: :mod:`xsanconf.facts.drbd`.

Kept so that rules written against this module keep importing the same names.
"""

from __future__ import annotations

from xsanconf.facts.drbd import (
    LEGACY_NEGATIVES,
    OPTION_SECTIONS,
    SYNCER_HOMES,
    SYNCER_IGNORED,
    DrbdIndex,
    HostNames,
    Key,
    ResourceView,
    Setting,
    canonical_option,
    drbd_index,
    host_key,
    hostnames_equal,
    is_dual_primary,
    newest_versions,
)

__all__ = [
    "LEGACY_NEGATIVES",
    "OPTION_SECTIONS",
    "SYNCER_HOMES",
    "SYNCER_IGNORED",
    "DrbdIndex",
    "HostNames",
    "Key",
    "ResourceView",
    "Setting",
    "canonical_option",
    "drbd_index",
    "host_key",
    "hostnames_equal",
    "is_dual_primary",
    "newest_versions",
]
