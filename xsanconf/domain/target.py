"""One vocabulary for the LUNs every iSCSI target exports: IET, LIO, tgt, SCST and Pacemaker LUs.

Each target format's model reads its own syntax and answers ``target_luns()`` with
:class:`TargetLun` records; the facts layer places them on a host and in the site's indexes, and
the target rules (IET001-IET011, ISCSI003, MPATH001) judge them without knowing which daemon
wrote them.  A record says what an initiator will see (the identity), where the data lives (the
backing path), whether the head caches writes, who may log in and with which CHAP accounts.

Every field a format cannot know from its configuration is ``None`` (or an ``unknown`` value
with the reason), never a guess: rules stay silent on what is unknown.  ``anchors`` maps a
field name (``"lun"``, ``"backing"``, ``"cache"``, ``"serial"``, ``"access"``, ...) to the
syntax item that sets it, so a finding points at the line to change; the record's own
``anchor`` is the LUN's definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    from xsanconf.domain.wwid import Wwid
    from xsanconf.syntax import Node, Token

__all__ = [
    "IMPLEMENTATIONS",
    "SETTING_NAMES",
    "CacheMode",
    "ChapAccount",
    "Implementation",
    "LunIdentity",
    "TargetAccess",
    "TargetLun",
    "identity_setting",
    "setting_name",
]

Implementation = Literal["iet", "lio", "tgt", "scst", "pacemaker"]
IMPLEMENTATIONS: tuple[Implementation, ...] = ("iet", "lio", "tgt", "scst", "pacemaker")

# write-through: the head acknowledges a write once the backing device has it, so a peer head
# reading the replica sees it; write-back: the head's page cache (or the device's volatile cache,
# advertised as such) holds writes, so after a failover or with two active heads the other head
# reads stale blocks; unknown: the configuration does not say (a rule stays silent).
CacheMode = Literal["write-through", "write-back", "unknown"]

# Each implementation's own name for the fields rules talk about, so that a finding names the
# setting to change: ``backing`` (the exported device), ``identity`` (what sets the WWID),
# ``serial`` (the unit serial), ``cache``, ``target`` (the target's definition), ``incoming``
# and ``outgoing`` (CHAP accounts: the initiator's, and the target's for mutual CHAP).
SETTING_NAMES: Mapping[str, Mapping[str, str]] = {
    "iet": {
        "backing": "Path",
        "identity": "ScsiId",
        "serial": "ScsiSN",
        "cache": "Type",
        "target": "Target",
        "incoming": "IncomingUser",
        "outgoing": "OutgoingUser",
    },
    "lio": {
        "backing": "dev",
        "identity": "wwn",
        "serial": "wwn",
        "cache": "write_back",
        "target": "wwn",
        "incoming": "chap_userid",
        "outgoing": "mutual_userid",
    },
    "tgt": {
        "backing": "backing-store",
        "identity": "scsi_id",
        "serial": "scsi_sn",
        "cache": "write-cache",
        "target": "<target>",
        "incoming": "incominguser",
        "outgoing": "outgoinguser",
    },
    "scst": {
        "backing": "filename",
        "identity": "t10_dev_id",
        "serial": "usn",
        "cache": "write_through",
        "target": "TARGET",
        "incoming": "IncomingUser",
        "outgoing": "OutgoingUser",
    },
    "pacemaker": {
        "backing": "path",
        "identity": "scsi_id",
        "serial": "scsi_sn",
        "cache": "write_back",
        "target": "iqn",
        "incoming": "incoming_username",
        "outgoing": "outgoing_username",
    },
}


def setting_name(implementation: str, field: str) -> str:
    """``implementation``'s own name for ``field`` (:data:`SETTING_NAMES`), else the field."""
    return SETTING_NAMES.get(implementation, {}).get(field, field)


# Records are built with repr=False and compared by identity: attrs compiles a __repr__/__eq__
# per class at import on every run, and rules index these by the objects themselves.
@attrs.frozen(eq=False, repr=False)
class LunIdentity:
    """What the initiator reads from INQUIRY and VPD pages 0x80/0x83, and the WWID that follows.

    ``wwid`` is the ID_SERIAL udev's ``scsi_id`` reports (multipath's default ``uid_attribute``),
    predicted from the configuration; ``None`` when it cannot be known, and then ``reason`` says
    why.  ``source`` says whether the identity was set explicitly (``"explicit"``) or comes from
    the implementation's default (``"default"``: often a per-head random or per-server counter,
    which is what the identity rules warn about).  ``designator`` is the VPD 0x83 designator the
    WWID comes from (``"t10"``, ``"naa"``, ``"eui-64"``, ``"scsi-name"``).
    """

    vendor: str | None
    product: str | None
    serial: str | None  # the unit serial number (VPD page 0x80)
    wwid: Wwid | None
    source: Literal["explicit", "default"]
    reason: str | None = None
    designator: str | None = None
    # the raw device identification the WWID is made from, when the format has one (IET's 16
    # SCSI ID bytes, LIO's unit serial, SCST's t10_dev_id): two LUNs that agree here agree on
    # the WWID even when the WWID itself cannot be computed
    device_id: bytes | None = None
    # the identity setting as written (IET's ScsiId, tgt's scsi_id, LIO's wwn, SCST's
    # t10_dev_id), for messages; None when the identity is the implementation's default
    written: str | None = None

    def __repr__(self) -> str:
        return f"LunIdentity(wwid={self.wwid!s}, source={self.source!r})"


@attrs.frozen(eq=False, repr=False)
class ChapAccount:
    """A CHAP account.  ``direction`` ``incoming``: the initiator proves itself to the target
    (IET/tgt ``IncomingUser``/``incominguser``, LIO ``chap_userid``); ``outgoing``: the target
    proves itself to the initiator (mutual CHAP).  ``scope``: ``"target"`` for a per-target (or
    per-ACL) account, ``"discovery"`` for SendTargets discovery.  ``secret`` is the secret as
    written (rules compare and measure it, reporters never print it)."""

    direction: Literal["incoming", "outgoing"]
    user: str
    secret: str | None
    scope: Literal["target", "discovery"] = "target"
    initiator: str | None = None  # the ACL's initiator name, for per-initiator accounts (LIO)
    anchor: Node | Token | None = None

    def __repr__(self) -> str:
        return f"ChapAccount({self.direction!r}, {self.user!r}, scope={self.scope!r})"


@attrs.frozen(eq=False, repr=False)
class TargetAccess:
    """Who may log in to the LUN's target, as the implementation decides it.

    ``open`` is True when any initiator can log in and reach the LUN (no initiator list and no
    CHAP required: IET without ``initiators.allow`` and ``IncomingUser``, LIO
    ``generate_node_acls=1`` with ``authentication=0``, tgt ``ALL`` or no ``initiator-*`` line
    and no ``incominguser``, SCST targets whose default group holds the LUN), False when a list
    or CHAP restricts it, and ``None`` when the configuration cannot say.  ``initiators`` lists
    the allowed initiator names (IQNs) and ``addresses`` the allowed initiator addresses, each
    empty when not restricted that way.  ``read_only`` is True when the implementation exposes
    the LUN read-only to (some) initiators (LIO ``demo_mode_write_protect`` for generated ACLs).
    """

    open: bool | None
    initiators: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    chap_required: bool | None = None
    read_only: bool | None = None
    # why the target is open (or not), in the implementation's own words, for messages
    reason: str | None = None

    def __repr__(self) -> str:
        return f"TargetAccess(open={self.open!r})"


@attrs.frozen(eq=False, repr=False)
class TargetLun:
    """One LUN of one target as its configuration defines it (no host, no file: the facts
    layer adds those).

    ``backing`` is the path of the device or file holding the data as written (``None`` for a
    ramdisk or a device the format names otherwise); ``backing_kind`` says how the head opens
    it (``"blockio"``, ``"fileio"``, ``"ramdisk"``, ``"pscsi"``, ``"nullio"``, ``"rdwr"`` ...,
    in the implementation's own words).  ``cache`` and ``cache_reason`` say whether writes are
    acknowledged before they reach the backing device and which setting says so.
    """

    implementation: Implementation
    target: str
    lun: int | None
    backing: str | None
    backing_kind: str | None
    identity: LunIdentity
    cache: CacheMode
    access: TargetAccess
    cache_reason: str | None = None
    chap: tuple[ChapAccount, ...] = ()
    anchor: Node | Token | None = None
    anchors: Mapping[str, Node | Token] = attrs.field(factory=dict)
    # the implementation's own name for the backing object (LIO storage object, SCST device),
    # when it has one: two LUNs naming one object share its identity by construction
    object_name: str | None = None
    # settings written inside a token (IET's ``Path=...`` in a ``Lun`` line): the token and
    # the piece's offsets in its text, so a finding points at the piece, not the whole line
    spans: Mapping[str, tuple[Token, int, int]] = attrs.field(factory=dict)
    # the format's own object for the LUN (IET's IetLun), for fixes written in its terms
    origin: object | None = None
    # the target a Pacemaker iSCSILogicalUnit drives (its ``implementation``: iet, tgt, lio,
    # lio-t; None when the agent picks one from the node's binaries, and for other records)
    agent_implementation: str | None = None
    # the LUN runs on one head at a time (a Pacemaker primitive that is not cloned): each
    # head's copy of the CIB describes the same LUN, which moves with the resource
    moves: bool = False

    def anchor_for(self, field: str) -> Node | Token | None:
        """The syntax item that sets ``field``, else the LUN's own definition."""
        return self.anchors.get(field, self.anchor)

    def sets(self, field: str) -> bool:
        """Whether the configuration writes ``field`` (rather than leaving the default)."""
        return field in self.anchors or field in self.spans

    def setting(self, field: str) -> str:
        """The implementation's own name for ``field`` (``backing`` is IET's ``Path``)."""
        if field == "identity" and self.agent_implementation in ("lio", "lio-t"):
            return "scsi_sn"  # the agent hands LIO only the serial: it makes the WWID
        return setting_name(self.implementation, field)

    @property
    def engine(self) -> str:
        """The target daemon that presents the LUN: the implementation, or the one a
        Pacemaker agent drives (``lio-t`` is LIO); ``pacemaker`` when that is unknown."""
        driven = self.agent_implementation
        if driven is None:
            return self.implementation
        return "lio" if driven == "lio-t" else driven

    def __repr__(self) -> str:
        return f"TargetLun({self.implementation!r}, {self.target!r}, lun={self.lun!r})"


def identity_setting(lun: TargetLun) -> str:
    """Where ``lun``'s identity comes from: the setting that writes it, in the implementation's
    own words (IET's ``ScsiId``, LIO's ``wwn``, tgt's ``scsi_id``, SCST's ``t10_dev_id``,
    ``naa_id`` or ``eui64_id``), or ``default`` (the implementation's own: IET's MD5 of the
    target name, a fresh uuid at every LIO restore, tgt's tid and LUN, SCST's CRC32C of the
    device name)."""
    if lun.identity.source != "explicit":
        return "default"
    if lun.implementation == "scst":
        # SCST takes naa_id over eui64_id over t10_dev_id; the anchor is the one that wins
        from xsanconf.syntax import render

        anchor = lun.anchors.get("identity")
        written = render(anchor).split() if anchor is not None else []
        if written and written[0] in ("naa_id", "eui64_id", "t10_dev_id"):
            return written[0]
    return lun.setting("identity")
