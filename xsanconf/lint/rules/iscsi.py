"""ISCSI001-ISCSI006: open-iscsi initiators, their names, their CHAP settings against the site's
IET targets, and the settings that decide how they behave under dm-multipath and at boot.

The rules judge what iscsid uses, through the codecs' models of how it reads its files (the
last line of iscsid.conf without a newline is dropped, a value with ``# ...`` keeps it, an
enumeration spelled in the wrong case is ignored).  iscsid.conf seeds node records when targets
are discovered; records already in the node database keep the values of their discovery and
are what iscsid logs in with.  So the rules judge each record the host holds (``nodes/``,
``send_targets/``: :mod:`xsanconf.formats.iscsi_node`), iscsid.conf only for the targets the
host needs that have none, and ISCSI006 reports records that differ from iscsid.conf.
No message names a CHAP password (reference: open-iscsi.md, ietd.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.iscsi_name import IscsiName
from xsanconf.domain.target import setting_name
from xsanconf.facts.iscsi import (
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
from xsanconf.facts.stack import STACK, target_kinds
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import ChapAccount
    from xsanconf.formats.initiatorname import InitiatorEntry
    from xsanconf.formats.iscsid.model import IscsidConfig, IscsidEntry
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

# The initiator's configuration: iscsid.conf, and the records in its node database.
_ISCSI_KINDS = ("iscsid", "iscsi-node")

# How many other places a finding about a shared name lists: the message counts them all.
MAX_RELATED = 5


def _related(locations: Iterable[Location]) -> list[Location]:
    return list(islice(locations, MAX_RELATED))


# ISCSI001 invalid-initiator-name ----------------------------------------------------------------


def _initiatorname_files(site: Site) -> Iterator[SiteFile]:
    for host in site.hosts:
        file = initiatorname_file(host)
        if file is not None:
            yield file


@rule("ISCSI001", "invalid-initiator-name", Severity.ERROR, scope="file", needs=("initiatorname",))
def invalid_initiator_name(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """initiatorname.iscsi has no usable, valid, single initiator name."""
    for file in _initiatorname_files(site):
        yield from _check_initiator_file(file, ctx)


def _check_initiator_file(file: SiteFile, ctx: RuleContext) -> Iterator[Diagnostic]:
    names = initiator_name(file)
    placeholder = names.placeholder_entry
    if names.placeholder:
        at = file.location(placeholder.token) if placeholder is not None else file.location()
        yield ctx.diagnostic(
            "still Debian's 'GenerateName=yes' placeholder: a random name replaces this file when "
            "iscsid first starts, so target ACLs and IncomingUser setups cannot name this "
            "initiator in advance, and outside Debian/Ubuntu iscsid finds no name at all; "
            "write 'InitiatorName=iqn.YYYY-MM.reversed.domain:host'",
            at,
        )
        return
    name = names.name
    used = names.name_entry
    if name is None:
        yield ctx.diagnostic(
            "no 'InitiatorName=' line: iscsid only warns, but software iSCSI (iscsi_tcp) cannot "
            "discover or log in to targets without an initiator name, and Debian's iscsid unit "
            "does not start; write 'InitiatorName=iqn.YYYY-MM.reversed.domain:host'",
            file.location(),
        )
        return
    at = file.location(used.token) if used is not None else file.location()
    parsed = IscsiName.parse(name)
    if not parsed.valid:
        yield ctx.diagnostic(
            f"initiator name {name!r} is not a valid iSCSI name (RFC 3720): {parsed.reason}",
            at,
        )
    elif not names.debian_check_passes:
        yield ctx.diagnostic(
            "'InitiatorName=' does not start its line: Debian's and Ubuntu's iscsid unit "
            "(startup-checks.sh) looks for '^InitiatorName=' and refuses to start; remove the "
            "blanks before it",
            at,
            severity=Severity.WARNING,
        )
    yield from _extra_names(file, used, ctx)


def _extra_names(
    file: SiteFile, used: InitiatorEntry | None, ctx: RuleContext
) -> Iterator[Diagnostic]:
    lines = initiator_name(file).names
    if used is None or len(lines) < 2:
        return
    first = file.location(used.token, "iscsid uses this one")
    for entry in lines:
        if entry.token is used.token:
            continue
        yield ctx.diagnostic(
            f"another 'InitiatorName=' line: iscsid uses the first one (line {used.line}) and "
            "ignores this one, which a reader may take for the name; keep one line",
            file.location(entry.token),
            [first],
        )


# ISCSI002 duplicate-initiator-name --------------------------------------------------------------


def _named_initiators(site: Site) -> dict[str, list[tuple[SiteFile, str]]]:
    """Canonical initiator name -> (file, name as written) of every host that uses it."""
    found: dict[str, list[tuple[SiteFile, str]]] = {}
    for file in _initiatorname_files(site):
        names = initiator_name(file)
        name = names.name
        if name is None or names.placeholder:
            continue  # each host generates its own name from the placeholder
        found.setdefault(IscsiName.parse(name).canonical, []).append((file, name))
    return found


def _target_names(site: Site, ctx: RuleContext) -> dict[str, list[tuple[SiteFile, Location]]]:
    found: dict[str, list[tuple[SiteFile, Location]]] = {}
    for portal in portals(ctx.fact(STACK)):
        for accounts in portal.targets.values():
            canonical = IscsiName.parse(accounts.name).canonical
            where = portal.file.location(accounts.anchor, "the target's name")
            found.setdefault(canonical, []).append((portal.file, where))
    return found


def _name_location(file: SiteFile, message: str | None = None) -> Location:
    entry = initiator_name(file).name_entry
    return file.location(entry.token if entry is not None else None, message)


@rule(
    "ISCSI002",
    "duplicate-initiator-name",
    Severity.ERROR,
    scope="site",
    needs=("initiatorname",),
    uses=(STACK,),
)
def duplicate_initiator_name(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two hosts share one initiator name, or an initiator is named like a target."""
    targets = _target_names(site, ctx) if site.kinds() & set(target_kinds()) else {}
    for canonical, users in _named_initiators(site).items():
        hosts = _host_labels(f.host for f, _ in users)
        for file, name in users:
            if len(hosts) > 1:
                yield _shared_name(ctx, file, name, users, hosts)
            for target_file, where in targets.get(canonical, []):
                yield ctx.diagnostic(
                    f"initiator name {name!r} is also the name of a target on "
                    f"{target_file.host.name}: iSCSI names identify one node each, and targets "
                    "and their ACLs (initiators.allow) cannot tell the two apart; give the "
                    "initiator its own name",
                    _name_location(file),
                    [where],
                )


def _host_labels(hosts: Iterable[Host]) -> list[tuple[str, int]]:
    """Each distinct host's label and id, by label: its name, and its root too where clones
    share the name (a machine cloned whole keeps its /etc/hostname with its initiator name)."""
    distinct = {id(host): host for host in hosts}
    names: dict[str, int] = {}
    for host in distinct.values():
        names[host.name] = names.get(host.name, 0) + 1
    return sorted(
        (host.name if names[host.name] == 1 else f"{host.name} ({host.root})", key)
        for key, host in distinct.items()
    )


def _shared_name(
    ctx: RuleContext,
    file: SiteFile,
    name: str,
    users: list[tuple[SiteFile, str]],
    hosts: list[tuple[str, int]],
) -> Diagnostic:
    # the first few others only: a golden image cloned to hundreds of hosts stays linear
    mine = id(file.host)
    others = list(islice((label for label, key in hosts if key != mine), MAX_RELATED + 1))
    count = len(hosts) - 1
    shown = ", ".join(others[:MAX_RELATED]) + (
        f" and {count - MAX_RELATED} more" if count > MAX_RELATED else ""
    )
    return ctx.diagnostic(
        f"initiator name {name!r} is also used by {shown} (a cloned machine?): the target "
        "sees one initiator, so a login from one host can end the other's session and ACLs cannot "
        "tell them apart; give each host its own name (reset the file to 'GenerateName=yes' "
        "on Debian, or run iscsi-iname) and restart iscsid",
        _name_location(file),
        _related(
            _name_location(other, "the same name on this host")
            for other, _ in users
            if other.host is not file.host
        ),
    )


# ISCSI003 chap-mismatch -------------------------------------------------------------------------


def _chap_problem(
    creds: Credentials,
    incoming: list[ChapAccount],
    outgoing: ChapAccount | None,
    what: str,
    implementation: str = "iet",
) -> tuple[str, str] | None:
    """Why ``creds`` cannot log in where ``incoming`` accounts are required: (reason, the key to
    point at); ``None`` when the login succeeds (or needs no CHAP)."""
    prefix = creds.prefix
    account_word = _word(implementation, "incoming")
    if not incoming:
        return None  # no IncomingUser: ietd accepts AuthMethod=None, whatever the initiator has
    if not creds.sends_chap:
        dropped = creds.entry("password")
        if dropped is not None:
            return (
                f"{what} requires CHAP ({account_word}), but iscsid does not read the "
                f"{prefix}.password line (line {dropped.line}: {_why_dropped(dropped)}), so "
                "open-iscsi sends no CHAP",
                "password",
            )
        if creds.authmethod == "CHAP":
            why = (
                f"{prefix}.authmethod is CHAP but {prefix}.password is not set, and open-iscsi "
                "sends CHAP only when a password is set"
            )
            return f"{what} requires CHAP ({account_word}); {why}", "authmethod"
        why = f"the initiator has no {prefix}.password (authmethod None)"
        return f"{what} requires CHAP ({account_word}), but {why}", "authmethod"
    user = creds.username
    known = sorted({a.user for a in incoming if a.user is not None})
    if not user:
        return (
            f"{prefix}.username is not set, and {what} knows only the users {', '.join(known)}",
            "password",
        )
    account = next((a for a in incoming if a.user == user), None)
    if account is None:
        return (
            f"{prefix}.username {user!r} is not an {account_word} of {what} "
            f"(it knows {', '.join(known)})",
            "username",
        )
    if account.secret != creds.password:
        return (
            f"{prefix}.password does not match the password of {account_word} {user!r} of {what}",
            "password",
        )
    return _mutual_problem(creds, outgoing, what, _word(implementation, "outgoing"))


def _why_dropped(entry: IscsidEntry) -> str:
    reason = entry.dropped
    return reason if reason is not None else "its value is empty"


def _mutual_problem(
    creds: Credentials, outgoing: ChapAccount | None, what: str, word: str = "OutgoingUser"
) -> tuple[str, str] | None:
    """Mutual CHAP: open-iscsi checks the target's name and response against ``*_in``."""
    if not creds.mutual:
        return None
    prefix = creds.prefix
    if outgoing is None:
        return (
            f"{prefix}.username_in/password_in ask {what} to authenticate itself (mutual "
            f"CHAP), but it has no {word}",
            "username_in",
        )
    if not creds.username_in:
        return (
            f"{prefix}.password_in is set without {prefix}.username_in, and open-iscsi fails "
            f"to authenticate {what} without the name to expect",
            "password_in",
        )
    if outgoing.user != creds.username_in:
        return (
            f"{prefix}.username_in {creds.username_in!r} is not the {word} "
            f"({outgoing.user!r}) of {what}",
            "username_in",
        )
    if outgoing.secret != creds.password_in:
        return (
            f"{prefix}.password_in does not match the password of the {word} of {what}",
            "password_in",
        )
    return None


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(repr=False)
class _Door:
    """A place an initiator logs in to: a target on one head (sessions) or a head's discovery."""

    what: str  # for messages: "target NAME on HOST", "discovery on HOST"
    incoming: list[ChapAccount]
    outgoing: ChapAccount | None
    where: Location
    implementation: str = "iet"  # whose words the messages use (IET's IncomingUser ...)

    def problem(self, creds: Credentials) -> tuple[str, str] | None:
        return _chap_problem(creds, self.incoming, self.outgoing, self.what, self.implementation)


class _Doors:
    """Doors indexed by account, so "does any of them accept this login?" is one lookup."""

    def __init__(self, doors: list[_Door]) -> None:
        self.doors = doors
        self.open = any(not door.incoming for door in doors)
        self.by_account: dict[tuple[str | None, str | None], list[_Door]] = {}
        for door in doors:
            for account in door.incoming:
                self.by_account.setdefault((account.user, account.secret), []).append(door)

    def accept(self, creds: Credentials) -> bool:
        if self.open:
            return True  # a door without IncomingUser lets anyone in
        candidates = self.by_account.get((creds.username, creds.password), [])
        return any(door.problem(creds) is None for door in candidates)


class _Chap:
    """The site's targets, indexed for the CHAP checks."""

    def __init__(self, site: Site, ctx: RuleContext) -> None:
        self.index = ctx.fact(STACK)
        self.portals = portals(self.index)
        self.by_name: dict[str, list[tuple[Portal, TargetAccounts]]] = {}
        for portal in self.portals:
            for key, accounts in portal.targets.items():
                self.by_name.setdefault(key, []).append((portal, accounts))
        self.all_sessions = _Doors(self.session_doors(set(self.by_name)))
        self.all_discovery = _Doors([_discovery_door(p) for p in self.portals])

    def used_by(self, host: Host) -> set[str]:
        """Names of the targets whose LUNs the host's maps or guests use (empty: unknown).

        A replicated LUN is one target name on several heads, so every head's stanza counts.
        """
        return set(used_targets(self.index, host))

    def session_doors(self, names: set[str]) -> list[_Door]:
        return [
            _Door(
                f"target {accounts.name} on {portal.host}",
                accounts.incoming,
                accounts.outgoing,
                portal.file.location(
                    accounts.anchor,
                    f"the target and its {_word(accounts.implementation, 'incoming')} accounts",
                ),
                accounts.implementation,
            )
            for name in sorted(names)
            for portal, accounts in self.by_name.get(name, [])
        ]

    def discovery_doors(self, names: set[str]) -> list[_Door]:
        heads = {portal.host for name in names for portal, _ in self.by_name.get(name, [])}
        return [_discovery_door(p) for p in self.portals if p.host in heads]


def _discovery_door(portal: Portal) -> _Door:
    word = _word(portal.implementation, "incoming")
    return _Door(
        f"discovery on {portal.host}",
        portal.discovery,
        portal.discovery_outgoing,
        portal.file.location(
            portal.discovery[0].anchor if portal.discovery else None,
            f"a global {word}: SendTargets discovery requires CHAP",
        ),
        portal.implementation,
    )


def _record_selector(record: IscsiRecordFacts) -> str:
    """iscsiadm's options that pick the record."""
    if record.type == "discovery":
        return f"-p {record.portal}"
    return f"-T {record.target} -p {record.portal}"


def _locate(file: SiteFile, creds: Credentials, key: str) -> Location:
    for name in (key, "password", "username", "authmethod"):
        entry = creds.entry(name)
        if entry is not None:
            return file.location(entry.token)
    return file.location()


USED = "this host's multipath maps or guests use its LUNs"


def _word(implementation: str, field: str) -> str:
    """The implementation's name for a CHAP account (IET's ``IncomingUser``)."""
    return setting_name(implementation, field)


@rule("ISCSI003", "chap-mismatch", Severity.ERROR, scope="site", needs=_ISCSI_KINDS, uses=(STACK,))
def chap_mismatch(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The initiator's CHAP settings do not satisfy the IncomingUser accounts of the targets:
    each node and discovery record's, and iscsid.conf's for the logins no record makes."""
    chap = _Chap(site, ctx)
    if not chap.portals:
        return
    for host in site.hosts:
        used = chap.used_by(host)
        nodes = iscsi_records(host)
        discoveries = iscsi_records(host, "discovery")
        recorded = {r.target.lower() for r in nodes if r.target is not None}
        for record in nodes:
            if record.target is not None:
                doors = chap.session_doors({record.target.lower()})
                yield from _check_known(ctx, record.file, record.credentials(), doors, record)
        for record in discoveries:
            creds = record.credentials()
            if used | recorded:
                doors = chap.discovery_doors(used | recorded)
                yield from _check_known(ctx, record.file, creds, doors, record)
            elif creds.configured:
                yield from _check_anywhere(ctx, record.file, creds, chap.all_discovery, record)
        file = iscsid_file(host)
        if file is None:
            continue
        config: IscsidConfig = file.doc.model
        captured = _captured_targets(host, nodes)
        for scope in ("session", "discovery"):
            creds = credentials(config, scope)
            if scope == "session" and (nodes or captured):
                # iscsid.conf speaks only for the targets the host needs that have no record
                names = used - recorded - captured
                if not names:
                    continue
                yield from _check_known(ctx, file, creds, chap.session_doors(names))
            elif scope == "discovery" and discoveries:
                continue  # the discovery records speak for the portals
            elif used:
                doors = (
                    chap.session_doors(used) if scope == "session" else chap.discovery_doors(used)
                )
                yield from _check_known(ctx, file, creds, doors)
            elif creds.configured:
                # a host that neither uses the site's LUNs nor sets CHAP keys may be no initiator
                # of these targets at all (open-iscsi installed on a target head, say)
                everywhere = chap.all_sessions if scope == "session" else chap.all_discovery
                yield from _check_anywhere(ctx, file, creds, everywhere)


def _check_known(
    ctx: RuleContext,
    file: SiteFile,
    creds: Credentials,
    doors: list[_Door],
    record: IscsiRecordFacts | None = None,
) -> Iterator[Diagnostic]:
    """The host uses these targets: each one that refuses the login is a finding."""
    chap_by_chance: list[_Door] = []
    why = USED if record is None else f"the {record.label} logs in there"
    for door in doors:
        problem = door.problem(creds)
        if problem is not None:
            yield _chap_diagnostic(
                ctx, file, creds, problem, related=[door.where], why=why, record=record
            )
        elif door.incoming and creds.authmethod == "None":
            chap_by_chance.append(door)
    if chap_by_chance:
        yield _authmethod_none(ctx, file, creds, chap_by_chance)


def _authmethod_none(
    ctx: RuleContext, file: SiteFile, creds: Credentials, doors: list[_Door]
) -> Diagnostic:
    # open-iscsi 2.1.10 and later log "DEPRECATED: Using CHAP even though 'authmethod' is set
    # to None" and announce that a later release will honour it
    prefix = creds.prefix
    return ctx.diagnostic(
        f"{prefix}.authmethod is None, yet {doors[0].what} requires CHAP: open-iscsi sends CHAP "
        "anyway because a password is set, but 2.1.10 and later warn that a future release "
        f"will honour None and log in without it, which the target refuses; set "
        f"{prefix}.authmethod = CHAP",
        _locate(file, creds, "authmethod"),
        _related(door.where for door in doors),
        severity=Severity.WARNING,
    )


def _check_anywhere(
    ctx: RuleContext,
    file: SiteFile,
    creds: Credentials,
    doors: _Doors,
    record: IscsiRecordFacts | None = None,
) -> Iterator[Diagnostic]:
    """Which targets the host uses is not known: only a login no door accepts is sure to fail."""
    if not doors.doors or doors.accept(creds):
        return
    first = doors.doors[0]
    problem = first.problem(creds)
    if problem is None:
        return
    noun = "target" if creds.scope == "session" else "target head"
    count = len(doors.doors)
    yield _chap_diagnostic(
        ctx,
        file,
        creds,
        problem,
        related=[door.where for door in doors.doors[:MAX_RELATED]],
        why=f"no {noun} of the site accepts these credentials, {count} tried",
        record=record,
    )


def _chap_diagnostic(
    ctx: RuleContext,
    file: SiteFile,
    creds: Credentials,
    problem: tuple[str, str],
    *,
    related: list[Location],
    why: str,
    record: IscsiRecordFacts | None = None,
) -> Diagnostic:
    reason, key = problem
    failing = "logins" if creds.scope == "session" else "SendTargets discovery"
    records = "node" if creds.scope == "session" else "discovery"
    if record is None:
        remedy = (
            f"make the {creds.prefix}.* settings and the target's accounts agree, then update "
            f"the existing {records} records (iscsiadm -m {records} -o update) or discover again"
        )
    else:
        remedy = (
            f"iscsid uses this record, not iscsid.conf: make its {creds.prefix}.* settings and "
            f"the target's accounts agree (iscsiadm -m {records} {_record_selector(record)} "
            "-o update)"
        )
    return ctx.diagnostic(
        f"{reason}: {failing} from {file.host.name} will fail ({why}); {remedy}",
        _locate(file, creds, key),
        _related(related),
    )


# ISCSI004 slow-path-failover --------------------------------------------------------------------

REPLACEMENT_TIMEOUT = "node.session.timeo.replacement_timeout"
SLOW_FAILOVER = 20
# open-iscsi's README (8.1.4) suggests 5 to 15 s under dm-multipath: take the top of that range,
# which moves I/O quickly and still rides out a short network or target-head hiccup.
FAST_FAILOVER = "15"


def _with_multipath(host: Host) -> bool:
    return bool(_multipath_evidence(host))


def _multipath_evidence(host: Host) -> list[SiteFile]:
    """The host's multipath files that show it runs dm-multipath.

    A file that only blacklists devices is no such sign: drbd-utils ships
    /etc/multipath/conf.d/drbd.conf, a blacklist of the DRBD devices, on every host it is
    installed on, multipath-tools or not.
    """
    return [f for f in host.documents("multipath") if not _only_blacklists(f)]


def _only_blacklists(file: SiteFile) -> bool:
    if file.rel == "etc/multipath.conf" or not file.doc.parsed:
        return False
    return all(section.keyword == "blacklist" for section in file.doc.model.sections)


@rule(
    "ISCSI004",
    "slow-path-failover",
    Severity.WARNING,
    scope="host",
    needs=_ISCSI_KINDS,
    fix="unsafe",
    uses=(STACK,),
)
def slow_path_failover(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """replacement_timeout above 20 s on a host that runs dm-multipath over iSCSI: in each node
    record iscsid logs in with, and in iscsid.conf for the targets the host uses that have none."""
    for host in site.hosts:
        if not _with_multipath(host):
            continue
        evidence = [
            Location(f.path, host=host.name, message="dm-multipath runs here")
            for f in _multipath_evidence(host)[:1]
        ]
        records = iscsi_records(host)
        for record in records:
            found = _slow_failover(ctx, record.file, record.record, evidence, record.label)
            if found is not None:
                yield found
        file = iscsid_file(host)
        if file is not None and _judges_iscsid(site, ctx, host, records):
            found = _slow_failover(ctx, file, file.doc.model, evidence, None)
            if found is not None:
                yield found


def _captured_targets(host: Host, records: list[IscsiRecordFacts]) -> set[str]:
    """Targets (lower case) whose node records a captured ``iscsiadm -m node`` listing shows
    on a host whose record files were not copied: sos copies ``/var/lib/iscsi`` but not
    Debian's ``/etc/iscsi/nodes``, and runs ``iscsiadm -m node --op=show``.  iscsid uses those
    records, not iscsid.conf (their values are not judged: the listing masks passwords)."""
    if records:
        return set()
    from xsanconf.lint.facts.captures import captures

    found = captures(host).iscsi_nodes()
    return {r.target.lower() for r in found.parsed.records} if found is not None else set()


def _judges_iscsid(
    site: Site, ctx: RuleContext, host: Host, records: list[IscsiRecordFacts]
) -> bool:
    """Whether iscsid.conf is what iscsid uses for some target of the host: it has no node
    record at all, or a target its maps or guests need has none (iscsid.conf seeds the
    records discovery creates, and ISCSI006 reports where records and iscsid.conf differ)."""
    recorded = {r.target.lower() for r in records if r.target is not None}
    recorded |= _captured_targets(host, records)
    if not recorded:
        return True
    return bool(set(_needed_targets(site, ctx, host)) - recorded)


def _needed_targets(site: Site, ctx: RuleContext, host: Host) -> dict[str, Location]:
    """Targets (lower case) the host's multipath maps or Xen guests use, with where."""
    found = used_targets(ctx.fact(STACK), host)
    for file, disk in xen_iscsi_disks(host):
        target = _by_path_target(disk.spec.device_path or "")
        if target is not None and target.lower() not in found:
            line, column = disk.position
            found[target.lower()] = Location(
                file.path, line, column, host=host.name, message="a guest disk on an iSCSI path"
            )
    return found


def _by_path_target(path: str) -> str | None:
    """The target of ``/dev/disk/by-path/ip-ADDR:PORT-iscsi-TARGET-lun-N`` (udev's name)."""
    _, found, rest = path.partition("-iscsi-")
    target, lun, _ = rest.rpartition("-lun-")
    return target if found and lun and target else None


def _slow_failover(
    ctx: RuleContext,
    file: SiteFile,
    config: IscsidConfig,
    evidence: list[Location],
    record: str | None,
) -> Diagnostic | None:
    """ISCSI004 for one configuration: iscsid.conf (``record`` None) or a record (its label)."""
    timeout = config.typed(REPLACEMENT_TIMEOUT)
    if not isinstance(timeout, int) or 0 <= timeout <= SLOW_FAILOVER:
        return None
    setting = config.setting(REPLACEMENT_TIMEOUT)
    entry = setting.entry if setting is not None else config.entry(REPLACEMENT_TIMEOUT)
    if setting is None and entry is not None:
        said = (
            f"iscsid does not read the {REPLACEMENT_TIMEOUT} line ({_why_dropped(entry)}), "
            f"so its default of {timeout} s holds I/O"
        )
    elif setting is None:
        said = f"{REPLACEMENT_TIMEOUT} is not set, so iscsid uses its default of {timeout} s"
    elif timeout < 0:
        said = f"{REPLACEMENT_TIMEOUT} = {setting.value} queues I/O forever"
    else:
        said = f"{REPLACEMENT_TIMEOUT} = {setting.value} holds I/O for {timeout} s"
    if record is not None:
        said = f"the {record}, which iscsid logs in with, says: {said}"
    return ctx.diagnostic(
        f"{said} when a path fails: dm-multipath on this host sees the failure only then, "
        "and guests stall meanwhile; under multipath use 5 to 15 s (open-iscsi README, "
        "8.1.4) and let multipath queue (no_path_retry)",
        _record_or_file_location(file, config, entry),
        evidence,
        fix=_timeout_fix(file, config, record is not None),
    )


def _record_or_file_location(
    file: SiteFile, config: IscsidConfig, entry: IscsidEntry | None
) -> Location:
    """The line, else a record's ``# BEGIN RECORD`` line, else the file."""
    if entry is not None:
        return file.location(entry.token)
    begin = getattr(config, "begin", None)
    found = file.location()
    return attrs.evolve(found, line=begin[0]) if begin is not None else found


def _timeout_fix(file: SiteFile, config: IscsidConfig, record: bool = False) -> Fix | None:
    description = (
        f"set {REPLACEMENT_TIMEOUT} = {FAST_FAILOVER} (fail over after {FAST_FAILOVER} s; "
        + (
            "in this record, from the next login"
            if record
            else "existing node records keep their value until updated"
        )
        + ")"
    )
    setting = config.setting(REPLACEMENT_TIMEOUT)
    entry = setting.entry if setting is not None else None
    if entry is not None:
        line, column = file.doc.position(entry.token)
        start = column + len(entry.token.text) - len(entry.value)
        end = start + len(entry.intended_value)
        edit = TextEdit(file.path, line, start, line, end, FAST_FAILOVER)
        return Fix(description, False, (edit,))
    if setting is not None:
        return None  # read from the tail of an over-long line: no line of its own to edit
    from xsanconf.lint.twin_edits import twin_fix

    return twin_fix(file, description, _add_timeout, safe=False)


def _add_timeout(doc: Document) -> bool:
    config: IscsidConfig = doc.model
    config.add(REPLACEMENT_TIMEOUT, FAST_FAILOVER)
    return config.typed(REPLACEMENT_TIMEOUT) == int(FAST_FAILOVER)  # read back, or no fix


# ISCSI005 manual-startup ------------------------------------------------------------------------

STARTUP = "node.startup"


def _boot_dependency(site: Site, ctx: RuleContext, host: Host) -> Location | None:
    """Where the host's multipath or Xen configuration relies on an iSCSI LUN, if it does."""
    used = used_targets(ctx.fact(STACK), host)
    if used:
        return next(iter(used.values()))
    for file, disk in xen_iscsi_disks(host):
        line, column = disk.position
        return Location(
            file.path, line, column, host=host.name, message="a guest disk on an iSCSI path"
        )
    return None


@rule(
    "ISCSI005", "manual-startup", Severity.WARNING, scope="host", needs=_ISCSI_KINDS, uses=(STACK,)
)
def manual_startup(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """node.startup = manual on a host whose multipath or Xen config needs iSCSI LUNs at boot:
    in the node records of the targets it needs, and in iscsid.conf for those without one."""
    for host in site.hosts:
        records = iscsi_records(host)
        captured = _captured_targets(host, records)
        dependency = _boot_dependency(site, ctx, host) if not records else None
        if captured:
            needed = _needed_targets(site, ctx, host)
            dependency = next((at for t, at in needed.items() if t not in captured), None)
        if records:
            needed = _needed_targets(site, ctx, host)
            recorded = set()
            for record in records:
                key = (record.target or "").lower()
                recorded.add(key)
                if key in needed:
                    yield from _manual_startup(ctx, record.file, record.record, needed[key], record)
            # a target without a record: iscsid.conf seeds the one its discovery creates
            dependency = next((at for t, at in needed.items() if t not in recorded), None)
        file = iscsid_file(host)
        if file is not None and dependency is not None:
            yield from _manual_startup(ctx, file, file.doc.model, dependency, None)


def _manual_startup(
    ctx: RuleContext,
    file: SiteFile,
    config: IscsidConfig,
    needed: Location,
    record: IscsiRecordFacts | None,
) -> Iterator[Diagnostic]:
    """ISCSI005 for one configuration: iscsid.conf (``record`` None) or a node record."""
    if config.typed(STARTUP) != "manual":
        return
    entry = config.entry(STARTUP)
    if entry is None:
        said = f"{STARTUP} is not set, and iscsid's default is manual"
    elif entry.dropped is not None:
        said = (
            f"iscsid does not read the {STARTUP} line ({entry.dropped}), so its default, "
            "manual, applies"
        )
    elif entry.value != "manual":
        said = (
            f"{STARTUP} = {entry.value} is not a value iscsid knows (values are "
            "case-sensitive), so it stays manual"
        )
    else:
        said = f"{STARTUP} = manual"
    if record is None:
        tail = (
            "nodes discovered with it are not logged in at boot, so the multipath maps and "
            f"guests that use their LUNs find no disk after a reboot; set '{STARTUP} = "
            f"automatic' (and update existing records: iscsiadm -m node -o update -n {STARTUP} "
            "-v automatic)"
        )
    else:
        said = f"in the {record.label}, {said}"
        tail = (
            "iscsid does not log in to this target at boot, so the multipath maps and guests "
            "that use its LUNs find no disk after a reboot; run iscsiadm -m node -T "
            f"{record.target} -p {record.portal} -o update -n {STARTUP} -v automatic"
        )
    yield ctx.diagnostic(f"{said}: {tail}", _record_or_file_location(file, config, entry), [needed])


# ISCSI006 node-records-differ -------------------------------------------------------------------

# How many differing settings a message names (it counts them all).
MAX_LISTED = 4


def _seeded_keys(kind: str) -> tuple[str, ...]:
    """The keys iscsid.conf gives a record of ``kind`` when discovery creates it: the record's
    own keys, without those that name the record (``can_modify = 0``: node.name, tpgt,
    address, port, discovery_*), the hidden password lengths and the startup mode: open-iscsi's
    README (7.3) sets ``node.startup`` per record (``iscsiadm -m node -T ... -o update -n
    node.startup -v automatic``), as ISCSI005 advises, so a record that differs there is the
    documented way to choose the targets logged in at boot, not a stale seed."""
    from xsanconf.formats.iscsid.keys import KEYS

    prefix = "node." if kind == "node" else "discovery."
    return tuple(
        key
        for key, spec in KEYS.items()
        if key.startswith(prefix)
        and not spec.identity
        and not key.endswith(("_length", ".startup"))
    )


def _typed_values(config: IscsidConfig, keys: tuple[str, ...]) -> dict[str, object]:
    """What iscsid takes for each key, read once: the file's value, else the default."""
    from xsanconf.formats.iscsid.keys import KEYS

    settings = config.settings()
    return {k: settings[k].typed if k in settings else KEYS[k].default for k in keys}


@rule("ISCSI006", "node-records-differ", Severity.WARNING, scope="host", needs=("iscsi-node",))
def node_records_differ(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Node and discovery records hold settings that differ from iscsid.conf."""
    for host in site.hosts:
        file = iscsid_file(host)
        if file is None:
            continue
        config: IscsidConfig = file.doc.model
        for kind in ("node", "discovery"):
            records = iscsi_records(host, kind)
            if not records:
                continue
            keys = _seeded_keys(kind)
            seeds = _typed_values(config, keys)
            for record in records:
                mine = _typed_values(record.record, keys)
                differ = [k for k in keys if mine[k] != seeds[k]]
                if differ:
                    yield _records_differ(ctx, file, config, record, differ)


def _shown_value(config: IscsidConfig, key: str) -> str:
    from xsanconf.formats.iscsid.keys import KEYS

    setting = config.setting(key)
    if setting is None:
        return f"unset, default {KEYS[key].default!r}"
    return repr(setting.value)


def _difference(record: IscsidConfig, config: IscsidConfig, key: str) -> str:
    from xsanconf.formats.iscsid.keys import is_secret

    if is_secret(key):  # never a value: say only which side has one
        sides = [
            f"{name} {'sets one' if found.setting(key) is not None else 'has none'}"
            for name, found in (("record", record), ("iscsid.conf", config))
        ]
        return f"{key} (another password: {', '.join(sides)})"
    return f"{key} (record {_shown_value(record, key)}, iscsid.conf {_shown_value(config, key)})"


def _records_differ(
    ctx: RuleContext,
    file: SiteFile,
    config: IscsidConfig,
    record: IscsiRecordFacts,
    differ: list[str],
) -> Diagnostic:
    listed = ", ".join(_difference(record.record, config, key) for key in differ[:MAX_LISTED])
    more = f" and {len(differ) - MAX_LISTED} more" if len(differ) > MAX_LISTED else ""
    count = f"{len(differ)} setting{'s' if len(differ) > 1 else ''}"
    mode = "node" if record.type == "node" else "discovery"
    first = differ[0]
    related = []
    for key in differ[:MAX_RELATED]:
        entry = config.entry(key)
        if entry is not None:
            related.append(file.location(entry.token, f"iscsid.conf sets {key} here"))
    return ctx.diagnostic(
        f"the {record.label} differs from iscsid.conf in {count}: {listed}{more}; iscsid.conf "
        "only seeds records when discovery creates them, so iscsid uses the record's values "
        "and the edit of iscsid.conf never reached this target; if iscsid.conf is right, "
        f"update the record (iscsiadm -m {mode} {_record_selector(record)} -o update -n "
        f"{first} -v VALUE, for each setting) or delete it and discover again",
        record.location(first),
        related,
    )
