"""The ISCSI rules' facts, now in the facts layer: :mod:`xsanconf.facts.iscsi`.

Kept so that code written against this module keeps importing the same names.
"""

from __future__ import annotations

from xsanconf.facts.iscsi import (
    AUTH_PREFIXES,
    Credentials,
    IscsiRecordFacts,
    Portal,
    TargetAccounts,
    credentials,
    initiator_name,
    initiatorname_file,
    iscsi_records,
    iscsid_file,
    portals,
    used_targets,
    xen_iscsi_disks,
)

__all__ = [
    "AUTH_PREFIXES",
    "Credentials",
    "IscsiRecordFacts",
    "Portal",
    "TargetAccounts",
    "credentials",
    "initiator_name",
    "initiatorname_file",
    "iscsi_records",
    "iscsid_file",
    "portals",
    "used_targets",
    "xen_iscsi_disks",
]
