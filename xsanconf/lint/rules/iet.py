"""IET001, IET002, IET006, IET007, IET009, IET010: one host's iSCSI Enterprise Target setup.

The checks judge what ietd makes of the files (reference: ietd.md, scsi-identity.md; sources:
IET 1.4.20 ``usr/plain.c``, ``usr/target.c``, ``usr/ietd.c``, ``kernel/target.c``,
``kernel/volume.c``, Debian's ``iscsitarget.init``, and the 0.4.x and 1.4.x tags of the IET
repository for older behaviour):

* ietd 1.4.18 and later read ``/etc/iet/ietd.conf``, and ``/etc/ietd.conf`` only when the first
  cannot be opened; ``ietd -c FILE`` replaces the first.  IET 0.4 reads only ``/etc/ietd.conf``.
  The access files (``initiators.allow``, ``initiators.deny``) follow the same order.
* Target names compare ignoring ASCII case (``strcasecmp``).  A second stanza of a name is not
  created, but the account pass looks stanzas up by name again: its accounts join the first
  target, and the accounts of a stanza ietd cannot look up land in the discovery list.
* The targeted IET version is ``ctx.versions["iet"]`` (``1.4.20``, ``0.4.17``...); without one
  the last release, 1.4.20, is assumed.

Nothing here prints a CHAP secret: messages name the account's user and the secret's length.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.iscsi_name import IscsiName
from xsanconf.domain.version import parse_version
from xsanconf.domain.wwid import IET_SCSI_ID_LEN, iet_identity
from xsanconf.facts.ietd import (
    DEFAULTS,
    NAME_KEPT,
    NEWEST,
    Version,
    access_file,
    config_choice,
    defaults_assignment,
    dotted,
    iet_targets,
    read_name,
    shown_path,
    target_opening,
    usable_accounts,
)
from xsanconf.facts.stack import STACK
from xsanconf.formats.ietd.lexer import words
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import TARGETS, RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.formats.ietd import IetAccount, IetConfig, IetLun, IetTarget, LunParam
    from xsanconf.formats.shell_vars import ShellAssignment
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

SN_32: Version = (1, 4, 20)  # SCSI_SN_LEN grew from 16 to 32 and non-printable SNs are refused

SECRET_MIN, SECRET_MAX = 12, 16


def _version(ctx: RuleContext, host: Host | None = None) -> Version:
    """The IET version ``host`` runs (its setting or package), else the targeted one:
    ``1.4.20.3+svn496`` gives ``(1, 4, 20, 3)``."""
    known = ctx.host_versions(host).version("iet") if host is not None else None
    found = parse_version(known or ctx.versions.get("iet", ""))
    return found.release if found is not None else NEWEST


def _ietd_files(site: Site) -> Iterator[tuple[SiteFile, IetConfig]]:
    for file in site.files("ietd"):
        if file.doc.parsed:
            yield file, file.doc.model


def _span(file: SiteFile, line: int, column: int, text: str) -> Location:
    return Location(file.path, line, column, line, column + len(text), file.host.name)


def _name_location(file: SiteFile, target: IetTarget) -> Location:
    line, column = target.position
    start, _, name = words(target.header.text)[1]
    return _span(file, line, column + start, name)


def _piece_location(file: SiteFile, lun: IetLun, piece: LunParam) -> Location:
    line, column = lun.position
    params_start = len(lun.token.text) - len(lun.params_text)
    return _span(
        file, line, column + params_start + piece.start, lun.params_text[piece.start : piece.end]
    )


def _scsi_id_location(file: SiteFile, lun: IetLun) -> Location:
    """Where the ScsiId ietd uses is (the last one of the line)."""
    return _piece_location(file, lun, lun.params.find("ScsiId")[-1])


# IET001 ----------------------------------------------------------------------------------------


@rule("IET001", "invalid-target-name", Severity.ERROR, scope="file", needs=("ietd",))
def invalid_target_name(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A target name is not a valid iSCSI name (RFC 3720, 3722)."""
    for file, config in _ietd_files(site):
        for target in config.targets:
            where = file.location(target.header)
            name = target.name
            if name is None:
                accounts = ", and files its accounts under discovery" if target.accounts() else ""
                yield ctx.diagnostic(
                    "the Target line has no name: ietd skips the whole stanza (its LUNs and "
                    f"settings){accounts}",
                    where,
                )
                continue
            yield from _name_problems(ctx, name, _name_location(file, target))


def _name_problems(ctx: RuleContext, name: str, where: Location) -> Iterator[Diagnostic]:
    parsed = IscsiName.parse(name)
    if parsed.errors:
        size = len(name.encode("utf-8", "surrogateescape"))
        kept = f" (ietd also cuts it to its first {NAME_KEPT} bytes)" if size > NAME_KEPT else ""
        yield ctx.diagnostic(
            f"target name {name!r} is not a valid iSCSI name: {'; '.join(parsed.errors)}{kept}",
            where,
        )
        return
    for warning in parsed.warnings:
        yield ctx.diagnostic(f"target name {name!r}: {warning}", where, severity=Severity.WARNING)
    if parsed.kind != "iqn":
        yield ctx.diagnostic(
            f"target name {name!r} uses the {parsed.kind}. form: IET documents only iqn. "
            "names for its targets (ietd.conf(5): the EUI-64 form is not supported)",
            where,
            severity=Severity.WARNING,
        )


# IET002 ----------------------------------------------------------------------------------------


@rule("IET002", "duplicate-target-or-lun", Severity.ERROR, scope="file", needs=("ietd",))
def duplicate_target_or_lun(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A target name appears twice in one ietd.conf, or a LUN number twice in one target."""
    for file, config in _ietd_files(site):
        built = iet_targets(config)
        for stanza, first in built.duplicates:
            accounts = (
                "; its IncomingUser/OutgoingUser lines still join the first target"
                if stanza.accounts()
                else ""
            )
            yield ctx.diagnostic(
                f"target {stanza.name} is defined again (ietd compares names ignoring case): "
                f"ietd logs 'duplicated target' and ignores this stanza's LUNs and settings"
                f"{accounts}",
                file.location(stanza.header),
                related=[file.location(first.header, "first defined here")],
            )
        for stanza in config.targets:
            if read_name(stanza) is not None:
                yield from _duplicate_luns(ctx, file, stanza)


def _duplicate_luns(ctx: RuleContext, file: SiteFile, target: IetTarget) -> Iterator[Diagnostic]:
    seen: dict[int, IetLun] = {}
    for lun in target.luns:
        number = lun.number
        if number is None:
            continue  # ietd uses LUN 0, and the rest of the line fails as a parameter
        first = seen.setdefault(number, lun)
        if first is not lun:
            yield ctx.diagnostic(
                f"LUN {number} is defined twice in target {target.name}: ietd does not create "
                "the second one (the kernel refuses an existing LUN number)",
                file.location(lun.token),
                related=[file.location(first.token, f"LUN {number} first defined here")],
            )


# IET006 ----------------------------------------------------------------------------------------


@rule(
    "IET006",
    "target-open-to-all",
    Severity.WARNING,
    scope="host",
    needs=(TARGETS,),
    uses=(STACK,),
)
def target_open_to_all(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A target any initiator may log in to: no CHAP account and no initiator list."""
    yield from _open_iet_targets(site, ctx)
    yield from _open_targets(ctx)


def _open_targets(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Targets of the other implementations whose LUNs any initiator reaches (their
    TargetAccess): LIO generate_node_acls=1 with authentication=0, tgt without
    initiator-address/-name and incominguser, SCST LUNs in the default group."""
    for stack in ctx.fact(STACK).hosts.values():
        seen: set[tuple[str, str]] = set()
        for lun in stack.luns:
            key = (lun.file.rel, lun.lun.target)
            if lun.implementation == "iet" or lun.lun.access.open is not True or key in seen:
                continue  # IET: judged from its own files above
            seen.add(key)
            why = f": {lun.lun.access.reason}" if lun.lun.access.reason else ""
            yield ctx.diagnostic(
                f"target {lun.lun.target} ({lun.implementation}) accepts every initiator{why}; "
                "require CHAP or list the initiators allowed to log in",
                lun.setting_location("target"),
            )


def _open_iet_targets(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    for host in site.hosts:
        version = _version(ctx, host)
        choice = config_choice(host, version)
        if choice is None or choice.file is None:
            continue
        config: IetConfig = choice.file.doc.model
        if config.isns_server and config.isns_access_control:
            continue  # the iSNS server's discovery domains decide who may log in
        allow_known, allow = access_file(host, "initiators.allow", version)
        deny_known, deny = access_file(host, "initiators.deny", version)
        if not (allow_known and deny_known):
            continue
        built = iet_targets(config)
        for target in built.created.values():
            lines = built.incoming(target)
            if usable_accounts(lines):
                continue
            opening = target_opening(target.name or "", allow, deny, version)
            if opening is None:
                continue
            reason, deciding = opening
            yield ctx.diagnostic(
                f"target {target.name} accepts every initiator: it has no IncomingUser "
                f"account{_why_no_account(lines, config)} and {reason}; add an IncomingUser "
                "account to the target or restrict it in initiators.allow",
                choice.file.location(target.header),
                related=[deciding] if deciding is not None else [],
            )


def _why_no_account(lines: list[IetAccount], config: IetConfig) -> str:
    if lines:
        return " (its IncomingUser line has no password, so ietd drops it)"
    if usable_accounts(config.incoming_users):
        return " (the IncomingUser lines before the first Target guard discovery only)"
    return ""


# IET007 ----------------------------------------------------------------------------------------


@rule("IET007", "chap-account-problem", Severity.WARNING, scope="file", needs=("ietd",))
def chap_account_problem(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A CHAP account ietd drops, files under discovery, or whose secret is not 12-16 long."""
    for file, config in _ietd_files(site):
        for account in config.accounts():
            yield from _account_problems(ctx, file, account)
        for stanza, owner, why in iet_targets(config).owners:
            for account in stanza.accounts():
                if owner is None:
                    yield _filed_under_discovery(ctx, file, account, why)
                yield from _account_problems(ctx, file, account)


def _label(account: IetAccount) -> str:
    user = f" {account.user!r}" if account.user is not None else ""
    return f"{account.keyword}{user}"


def _filed_under_discovery(
    ctx: RuleContext, file: SiteFile, account: IetAccount, why: str
) -> Diagnostic:
    return ctx.diagnostic(
        f"{_label(account)} belongs to a Target stanza ietd cannot look up ({why}): ietd "
        "files the account under discovery, so it guards discovery sessions and not a target",
        file.location(account.token),
        severity=Severity.ERROR,
    )


def _account_problems(
    ctx: RuleContext, file: SiteFile, account: IetAccount
) -> Iterator[Diagnostic]:
    where = file.location(account.token)
    if account.user is None or account.password is None:
        lost = len(account.args) > len(account.args_read)
        what = "a password" if account.user is not None else "a user name and a password"
        cause = (
            " as ietd reads it: the file's last line has no newline, so ietd loses its last word"
            if lost
            else ""
        )
        yield ctx.diagnostic(
            f"{_label(account)} has no password{cause}; ietd needs {what} and drops the line, "
            "so the account does not exist",
            where,
            severity=Severity.ERROR,
        )
        return
    size = len(account.password.encode("utf-8", "surrogateescape"))
    if not SECRET_MIN <= size <= SECRET_MAX:
        yield ctx.diagnostic(
            f"{_label(account)}: the CHAP secret is {size} characters long; use "
            f"{SECRET_MIN} to {SECRET_MAX} (RFC 3720 wants at least {SECRET_MIN} without "
            "IPsec, and the Microsoft initiator refuses other lengths)",
            where,
        )


# IET009 ----------------------------------------------------------------------------------------


@rule("IET009", "target-daemon-disabled", Severity.WARNING, scope="host", needs=("ietd",))
def target_daemon_disabled(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Targets are defined but ietd does not start, or an ietd.conf is never read."""
    for host in site.hosts:
        version = _version(ctx, host)
        choice = config_choice(host, version)
        if choice is None:
            continue
        for file, why in choice.ignored:
            related = [choice.file.location(None, "the file ietd reads")] if choice.file else []
            yield ctx.diagnostic(
                f"{shown_path(file.rel)} is never read: {why}; keep a single ietd.conf",
                file.location(),
                related=related,
            )
        if choice.file is not None:
            yield from _disabled(ctx, host, choice.file)


def _disabled(ctx: RuleContext, host: Host, config: SiteFile) -> Iterator[Diagnostic]:
    targets = [t for t in iet_targets(config.doc.model).created.values()]
    found = defaults_assignment(host, "ISCSITARGET_ENABLE")
    if not targets or found is None:
        return
    defaults, assignment = found
    why = _why_disabled(defaults, assignment)
    if why is None:
        return
    where = defaults.location(assignment.token) if assignment is not None else defaults.location()
    count = f"{len(targets)} target{'s' if len(targets) != 1 else ''}"
    yield ctx.diagnostic(
        f"the init script never starts ietd, at boot or for a cluster manager: "
        f"{shown_path(DEFAULTS)} {why}; the {count} of {shown_path(config.rel)} are never served. "
        "Set ISCSITARGET_ENABLE=true",
        where,
        related=[config.location(targets[0].header, "targets defined here")],
    )


def _why_disabled(defaults: SiteFile, assignment: ShellAssignment | None) -> str | None:
    """Why Debian's init script does not start ietd; ``None`` when it does (or it is unknown)."""
    if not defaults.text():
        # the init script sources the file only when it is not empty (test -s)
        return "is empty, so the init script keeps its own ISCSITARGET_ENABLE=false"
    if assignment is None:
        return "does not set ISCSITARGET_ENABLE, and the init script's default is false"
    if assignment.expands:
        return None
    value = assignment.value
    if value == "true" and _ends_with_cr(defaults, assignment):
        return (
            "sets ISCSITARGET_ENABLE on a line ending in a carriage return: sh reads the "
            "value 'true\\r', and the init script refuses anything but 'true' or 'false' and "
            "exits with an error"
        )
    if value == "true":
        return None
    if value == "false":
        return "sets ISCSITARGET_ENABLE=false, so the init script does not start ietd"
    return (
        f"sets ISCSITARGET_ENABLE to {value!r}: the init script accepts only 'true' or "
        "'false' and exits with an error"
    )


def _ends_with_cr(file: SiteFile, assignment: ShellAssignment) -> bool:
    """Whether the character right after the value is a CR (kept as trivia by the codec)."""
    token = assignment.token
    if not token.text.endswith(assignment.raw_value):
        return False
    line, column = file.doc.end_position(token)
    lines = file.lines()
    return line <= len(lines) and lines[line - 1][column - 1 : column] == "\r"


# IET010 ----------------------------------------------------------------------------------------


@rule("IET010", "scsi-identity-invalid", Severity.ERROR, scope="file", needs=("ietd",))
def scsi_identity_invalid(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A LUN's ScsiId or ScsiSN that IET refuses, or one ScsiId on two LUNs of a host."""
    for file, config in _ietd_files(site):
        version = _version(ctx, file.host)
        for target in config.targets:
            if read_name(target) is not None:
                for lun in target.luns:
                    yield from _identity_problems(ctx, file, lun, version)
        yield from _shared_ids(ctx, file, _created_luns(config), version)


def _lun_label(lun: IetLun) -> str:
    return f"LUN {lun.number}" if lun.number is not None else "a LUN without a number"


def _created_luns(config: IetConfig) -> list[IetLun]:
    """The LUNs ietd tries to create: the first of each number in the first stanza of a name."""
    found = []
    for target in iet_targets(config).created.values():
        numbers: set[int] = set()
        for lun in target.luns:
            if lun.number is not None and lun.number not in numbers:
                numbers.add(lun.number)
                found.append(lun)
    return found


def _identity_problems(
    ctx: RuleContext, file: SiteFile, lun: IetLun, version: Version
) -> Iterator[Diagnostic]:
    for piece in lun.params.find("ScsiId"):
        if piece.value is None:
            continue
        identity = iet_identity(piece.value, version=version)
        if identity.reason is not None:
            yield ctx.diagnostic(
                f"{_lun_label(lun)}: {identity.reason}", _piece_location(file, lun, piece)
            )
    limit = 2 * IET_SCSI_ID_LEN if version >= SN_32 else IET_SCSI_ID_LEN
    for piece in lun.params.find("ScsiSN"):
        if piece.value is not None:
            why = _serial_problem(piece.value, limit, version)
            if why is not None:
                yield ctx.diagnostic(f"{_lun_label(lun)}: {why}", _piece_location(file, lun, piece))


def _serial_problem(value: str, limit: int, version: Version) -> str | None:
    size = len(value.encode("utf-8", "surrogateescape"))
    refused = "IET refuses it and does not create the LUN"
    if not value:
        return "an empty ScsiSN= is an unknown parameter to IET: the LUN is not created"
    if size > limit:
        return f"ScsiSN is {size} bytes; IET {dotted(version)} takes at most {limit}: {refused}"
    bad = sorted({c for c in value if not " " <= c <= "~"})
    if bad:
        shown = ", ".join(repr(c) if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        effect = (
            refused
            if version >= SN_32
            else "initiators get it as is in the unit serial page (IET 1.4.20 refuses it)"
        )
        return f"ScsiSN holds characters other than printable ASCII ({shown}): {effect}"
    return None


def _shared_ids(
    ctx: RuleContext, file: SiteFile, luns: list[IetLun], version: Version
) -> Iterator[Diagnostic]:
    """LUNs whose explicit ScsiId another LUN of the file already uses."""
    first_with: dict[bytes, IetLun] = {}
    for lun in luns:
        scsi_id = lun.params.scsi_id
        if scsi_id is None:
            continue
        identity = iet_identity(scsi_id, version=version)
        if identity.scsi_id is None or identity.wwid is None:
            continue
        first = first_with.setdefault(identity.scsi_id, lun)
        if first is lun:
            continue
        yield ctx.diagnostic(
            f"{_lun_label(lun)} of target {lun.target.name} has the ScsiId of "
            f"{_lun_label(first)} of target {first.target.name}: both present WWID "
            f"{identity.wwid}, and multipath merges two different disks into one map",
            _scsi_id_location(file, lun),
            related=[attrs.evolve(_scsi_id_location(file, first), message="the same ScsiId")],
        )
