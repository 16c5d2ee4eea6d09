"""What the ISCSI rules (and ``xsanlint query``) read from a site: the files each daemon reads,
the targets and their CHAP accounts (IET's as ietd files them, the other implementations' from
their TargetLun records), the LUNs initiators use, and the initiators' credentials.

Everything is an index built in one pass over the hosts, so a rule queries it instead of
comparing hosts pairwise.  Sources: ``reference/open-iscsi.md`` (iscsid.conf and
initiatorname.iscsi as iscsid reads them), ``reference/ietd.md`` section 1.7 (how ietd files
accounts), ``reference/scsi-identity.md`` (the WWID of an IET LUN).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    from xsanconf.domain.iscsi_db import RecordPath
    from xsanconf.domain.target import ChapAccount
    from xsanconf.facts.stack import LunExport, StackIndex
    from xsanconf.formats.ietd import IetAccount, IetConfig
    from xsanconf.formats.initiatorname import InitiatorNameFile
    from xsanconf.formats.iscsi_node import IscsiRecord
    from xsanconf.formats.iscsid import IscsidConfig, IscsidEntry
    from xsanconf.formats.xen_domain.model import XenDisk
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.site import Host, SiteFile
    from xsanconf.syntax import Node, Token

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

# iscsid reads /etc/iscsi/*.  Backups (``iscsid.conf.dpkg-old``) are loaded as the same kind but
# never read.
ISCSID = "etc/iscsi/iscsid.conf"
INITIATORNAME = "etc/iscsi/initiatorname.iscsi"

# where iscsid.conf keeps the CHAP settings of normal sessions and of SendTargets discovery
AUTH_PREFIXES = {"session": "node.session.auth", "discovery": "discovery.sendtargets.auth"}


def _parsed(host: Host, rel: str, kind: str) -> SiteFile | None:
    file = host.file(rel)
    if file is None or file.kind != kind or not file.doc.parsed:
        return None
    return file


def _read_name(file: SiteFile, name: str) -> bool:
    return posixpath.basename(file.rel) == name and file.doc.parsed


def iscsid_file(host: Host) -> SiteFile | None:
    """The iscsid.conf open-iscsi reads (``/etc/iscsi/iscsid.conf``), parsed."""
    found = _parsed(host, ISCSID, "iscsid")
    if found is not None:
        return found
    return next((f for f in host.documents("iscsid") if _read_name(f, "iscsid.conf")), None)


def initiatorname_file(host: Host) -> SiteFile | None:
    """The initiatorname.iscsi iscsid reads, parsed."""
    found = _parsed(host, INITIATORNAME, "initiatorname")
    if found is not None:
        return found
    return next(
        (f for f in host.documents("initiatorname") if _read_name(f, "initiatorname.iscsi")),
        None,
    )


# Targets and accounts --------------------------------------------------------------------------


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.define(eq=False, repr=False)
class TargetAccounts:
    """One target of one head as its daemon builds it, with its CHAP accounts (for IET: the
    first stanza of its name, with the accounts of every stanza of that name, since ietd's
    account pass looks targets up by name)."""

    file: SiteFile
    name: str
    anchor: Node | Token | None  # the target's definition
    implementation: str = "iet"
    incoming: list[ChapAccount] = attrs.field(factory=list)
    outgoing: ChapAccount | None = None

    @property
    def key(self) -> str:
        """The name as targets and initiators compare it (case-insensitively)."""
        return self.name.lower()


@attrs.define(eq=False, repr=False)
class Portal:
    """One host's target daemon (one configuration file): its discovery accounts and its
    targets."""

    file: SiteFile
    implementation: str = "iet"
    discovery: list[ChapAccount] = attrs.field(factory=list)
    discovery_outgoing: ChapAccount | None = None
    targets: dict[str, TargetAccounts] = attrs.field(factory=dict)

    @property
    def host(self) -> str:
        return self.file.host.name


def _chap(accounts: list[IetAccount], scope: Literal["target", "discovery"]) -> list[ChapAccount]:
    from xsanconf.domain.target import ChapAccount

    # ietd drops an account line without a password (-EINVAL, echoed to stderr only)
    return [
        ChapAccount(a.direction, a.user, a.password, scope, anchor=a.token)
        for a in accounts
        if a.user is not None and a.password is not None
    ]


def _last(accounts: list[ChapAccount]) -> ChapAccount | None:
    # "only one outgoing account": a later OutgoingUser replaces an earlier one
    return accounts[-1] if accounts else None


def _iet_portal(file: SiteFile) -> Portal:
    config: IetConfig = file.doc.model
    portal = Portal(
        file,
        "iet",
        _chap(config.incoming_users, "discovery"),
        _last(_chap(config.outgoing_users, "discovery")),
    )
    for target in config.targets:
        if target.name is None:
            continue  # a Target line without a name: ietd ignores the stanza
        key = target.name.lower()
        found = portal.targets.get(key)
        if found is None:
            found = portal.targets[key] = TargetAccounts(file, target.name, target.header)
        found.incoming.extend(_chap(target.incoming_users, "target"))
        outgoing = _last(_chap(target.outgoing_users, "target"))
        if outgoing is not None:
            found.outgoing = outgoing
    return portal


def _lun_portal(file: SiteFile, luns: list[LunExport]) -> Portal:
    """A portal of another implementation, from its LUNs' TargetLun records."""
    portal = Portal(file, luns[0].implementation)
    for export in luns:
        lun = export.lun
        key = lun.target.lower()
        found = portal.targets.get(key)
        if found is None:
            found = portal.targets[key] = TargetAccounts(
                file, lun.target, lun.anchor_for("target"), lun.implementation
            )
            for account in lun.chap:
                if account.scope == "discovery":
                    if account.direction == "incoming" and account not in portal.discovery:
                        portal.discovery.append(account)
                    elif account.direction == "outgoing":
                        portal.discovery_outgoing = account
                elif account.direction == "incoming":
                    found.incoming.append(account)
                else:
                    found.outgoing = account
    return portal


def portals(index: StackIndex) -> list[Portal]:
    """Every host's target daemons, as they read their files (the ietd.conf ietd reads: see
    :mod:`xsanconf.facts.stack`; each file of another target kind); none when one of them did
    not parse, since the accounts the site offers are then unknown."""
    if not index.has_targets:
        return []
    found = []
    for stack in index.hosts.values():
        file = stack.ietd_file
        if file is not None and file.doc.parsed:
            found.append(_iet_portal(file))
        others: dict[str, list[LunExport]] = {}
        for lun in stack.luns:
            if lun.implementation != "iet":
                others.setdefault(lun.file.rel, []).append(lun)
        found += [_lun_portal(luns[0].file, luns) for luns in others.values()]
    return found


# LUN identities ---------------------------------------------------------------------------------


def used_targets(index: StackIndex, host: Host) -> dict[str, Location]:
    """Targets (names in lower case) whose LUNs the host's multipath maps or Xen guests use,
    each with the first place that uses it."""
    stack = index.host(host)
    found: dict[str, Location] = {}
    users = [(m.wwid, m.location) for m in stack.maps]
    users += [(d.wwid, d.location) for d in stack.guest_disks if d.wwid is not None]
    for wwid, location in users:
        for export in index.by_wwid.get(wwid or "", []):
            if export.target is not None and export.target.lower() not in found:
                found[export.target.lower()] = location(
                    f"uses a LUN of target {export.target} on {export.host.name}"
                )
    return found


# Initiator credentials --------------------------------------------------------------------------


@attrs.frozen(repr=False)
class Credentials:
    """The CHAP settings iscsid uses for one kind of login (values as iscsid reads them).

    open-iscsi sends CHAP whenever a password is set and never otherwise: ``authmethod`` is read
    but the login code does not consult it (``iscsi_setup_authentication``).  Secrets stay out
    of ``repr``.
    """

    scope: str  # "session" or "discovery"
    config: IscsidConfig = attrs.field(repr=False)
    authmethod: str
    username: str | None
    password: str | None = attrs.field(repr=False)
    username_in: str | None
    password_in: str | None = attrs.field(repr=False)
    configured: bool  # the file sets any of these keys (the shipped file leaves them commented)

    @property
    def prefix(self) -> str:
        return AUTH_PREFIXES[self.scope]

    @property
    def sends_chap(self) -> bool:
        return bool(self.password)

    @property
    def mutual(self) -> bool:
        """Whether the initiator insists that the target authenticates itself too."""
        return bool(self.username_in or self.password_in)

    def entry(self, name: str) -> IscsidEntry | None:
        """The line iscsid takes ``prefix.name`` from (else the last line naming it)."""
        found: IscsidEntry | None = self.config.entry(f"{self.prefix}.{name}")
        return found


def credentials(config: IscsidConfig, scope: str) -> Credentials:
    """The CHAP settings iscsid ends up with for ``scope`` ("session" or "discovery")."""
    prefix = AUTH_PREFIXES[scope]
    settings = config.settings()  # one reading of the file for all five keys

    def value(name: str) -> str | None:
        found = settings.get(f"{prefix}.{name}")
        return found.value if found is not None else None

    method = value("authmethod")  # an accepted enumeration value, or unset (default None)
    names = ("authmethod", "username", "password", "username_in", "password_in")
    return Credentials(
        scope,
        config,
        method or "None",
        value("username"),
        value("password"),
        value("username_in"),
        value("password_in"),
        any(f"{prefix}.{name}" in settings for name in names),
    )


def initiator_name(file: SiteFile) -> InitiatorNameFile:
    model: InitiatorNameFile = file.doc.model
    return model


def xen_iscsi_disks(host: Host) -> Iterator[tuple[SiteFile, XenDisk]]:
    """Guest disks that name an iSCSI path directly (``/dev/disk/by-path/...-iscsi-...``)."""
    for file in host.documents("xen-domain"):
        if not file.doc.parsed:
            continue
        for disk in file.doc.model.disks:
            path = disk.spec.device_path
            if path and path.startswith("/dev/disk/by-path/") and "-iscsi-" in path:
                yield file, disk


# Node and discovery records ---------------------------------------------------------------------


_CONN_TIMEOUTS = (
    "login_timeout",
    "logout_timeout",
    "auth_timeout",
    "noop_out_interval",
    "noop_out_timeout",
)


@attrs.define(eq=False, repr=False)
class IscsiRecordFacts:
    """One record iscsiadm reads (node or discovery), and what iscsid takes from it.

    What a node record names comes from its settings (``node.name``, ``node.conn[0].address``,
    ``node.tpgt``, ``iface.iscsi_ifacename``) as iscsiadm writes them, else from its place in
    the database.  Values a record does not set are the compiled-in defaults, not iscsid.conf's.
    """

    file: SiteFile
    record: IscsiRecord
    place: RecordPath

    @property
    def type(self) -> str:
        return self.place.type

    def _value(self, key: str) -> str | None:
        found = self.record.setting(key)
        return found.value if found is not None else None

    @property
    def target(self) -> str | None:
        return self._value("node.name") or self.place.target

    @property
    def portal(self) -> str | None:
        address = self._value("node.conn[0].address") or self._value(
            "discovery.sendtargets.address"
        )
        if address is None:
            return self.place.portal
        port = self._value("node.conn[0].port") or self._value("discovery.sendtargets.port")
        host = f"[{address}]" if ":" in address else address
        return f"{host}:{port or self.place.port or 3260}"

    @property
    def tpgt(self) -> int | None:
        return self.place.tpgt

    @property
    def iface(self) -> str | None:
        return self._value("iface.iscsi_ifacename") or self.place.iface

    def typed(self, key: str) -> object:
        return self.record.typed(key)

    @property
    def startup(self) -> object:
        return self.typed("node.startup")

    @property
    def replacement_timeout(self) -> object:
        return self.typed("node.session.timeo.replacement_timeout")

    def conn_timeouts(self) -> dict[str, object]:
        """``node.conn[0].timeo.*``: login, logout, auth, noop_out interval and timeout."""
        names = _CONN_TIMEOUTS
        return {n: self.typed(f"node.conn[0].timeo.{n}") for n in names}

    def credentials(self) -> Credentials:
        """The CHAP settings of the login this record makes (discovery records: discovery)."""
        return credentials(self.record, "session" if self.type == "node" else "discovery")

    @property
    def label(self) -> str:
        """How messages name the record: ``node record of TARGET at PORTAL (iface NAME)``."""
        if self.type == "discovery":
            return f"discovery record of portal {self.portal}"
        return f"node record of {self.target} at {self.portal} (iface {self.iface})"

    def location(self, key: str | None = None, message: str | None = None) -> Location:
        """The line that sets ``key``, else the record's ``# BEGIN RECORD`` line, else its start."""
        entry = self.record.entry(key) if key is not None else None
        if entry is not None:
            return self.file.location(entry.token, message)
        begin = self.record.begin
        found = self.file.location(None, message)
        return attrs.evolve(found, line=begin[0], column=1) if begin is not None else found


def iscsi_records(host: Host, kind: str = "node") -> list[IscsiRecordFacts]:
    """The host's records of ``kind`` (node or discovery) that iscsiadm reads and that parse,
    in path order (each record is a whole of its own)."""
    from xsanconf.domain.iscsi_db import record_path

    found = []
    for file in host.documents("iscsi-node"):
        if not file.doc.parsed:
            continue  # SYN001 reports it; the other records stand on their own
        place = record_path(tuple(file.rel.split("/")))
        if place is not None and place.read and place.type == kind:
            found.append(IscsiRecordFacts(file, file.doc.model, place))
    return found
