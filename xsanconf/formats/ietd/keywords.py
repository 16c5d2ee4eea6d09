"""The keywords ietd knows, by the pass and scope that reads them (IET 1.4.20 ``usr/plain.c``,
``usr/param.c``).  ietd compares keywords ignoring case; these are the documented spellings."""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ACCOUNT_KEYS",
    "GLOBAL_KEYS",
    "KeywordKind",
    "SESSION_KEYS",
    "TARGET_KEYS",
    "canonical_keyword",
    "keyword_kind",
]

KeywordKind = Literal[
    "target",
    "lun",
    "alias",
    "max-sessions",
    "account",
    "isns",
    "target-param",
    "session-param",
    "unknown",
]

ACCOUNT_KEYS = ("IncomingUser", "OutgoingUser")
ISNS_KEYS = ("iSNSServer", "iSNSAccessControl")
GLOBAL_KEYS = (*ISNS_KEYS, *ACCOUNT_KEYS)
TARGET_KEYS = ("Wthreads", "Type", "QueuedCommands", "NOPInterval", "NOPTimeout")
SESSION_KEYS = (
    "InitialR2T",
    "ImmediateData",
    "MaxConnections",
    "MaxRecvDataSegmentLength",
    "MaxXmitDataSegmentLength",
    "MaxBurstLength",
    "FirstBurstLength",
    "DefaultTime2Wait",
    "DefaultTime2Retain",
    "MaxOutstandingR2T",
    "DataPDUInOrder",
    "DataSequenceInOrder",
    "ErrorRecoveryLevel",
    "HeaderDigest",
    "DataDigest",
    "OFMarker",
    "IFMarker",
    "OFMarkInt",
    "IFMarkInt",
)

_KINDS: dict[str, KeywordKind] = {
    "target": "target",
    "lun": "lun",
    "alias": "alias",
    "maxsessions": "max-sessions",
    **{k.lower(): "account" for k in ACCOUNT_KEYS},
    **{k.lower(): "isns" for k in ISNS_KEYS},
    **{k.lower(): "target-param" for k in TARGET_KEYS},
    **{k.lower(): "session-param" for k in SESSION_KEYS},
}
_SPELLING = {
    k.lower(): k
    for k in ("Target", "Lun", "Alias", "MaxSessions", *GLOBAL_KEYS, *TARGET_KEYS, *SESSION_KEYS)
}


def keyword_kind(keyword: str) -> KeywordKind:
    return _KINDS.get(keyword.lower(), "unknown")


def canonical_keyword(keyword: str) -> str:
    """The documented spelling of a known keyword (``maxconnections`` -> ``MaxConnections``)."""
    return _SPELLING.get(keyword.lower(), keyword)
