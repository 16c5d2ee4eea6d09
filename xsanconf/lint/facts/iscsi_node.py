"""Node, discovery and iface record facts for the SYN rules: idbm reads a record as it reads
iscsid.conf (:mod:`xsanconf.formats.iscsi_node`), so a record's dropped lines, inline ``#`` and
repeated keys are iscsid.conf's findings; an unknown key is one the record's type lacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.iscsid.keys import KEYS
from xsanconf.lint.facts import Finding
from xsanconf.lint.facts.iscsid import duplicates, read_differently, unknown_keys

if TYPE_CHECKING:
    from xsanconf.formats.iscsi_node import IscsiRecord
    from xsanconf.lint.site import SiteFile

__all__ = ["duplicates", "read_differently", "unknown_keywords"]


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keys iscsiadm does not read from a record of this type: it ignores them."""
    record: IscsiRecord = file.doc.model
    known = [k for k in KEYS if record.reads(k)]
    unknown = [e for e in record.entries if not record.reads(e.key)]
    reader = f"iscsiadm, reading a {record.type or 'node'} record,"
    yield from unknown_keys(file, unknown, known, reader)
