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

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.iscsi_name import IscsiName
from xsanconf.domain.version import parse_version
from xsanconf.domain.wwid import IET_SCSI_ID_LEN, iet_identity
from xsanconf.formats.ietd import IetStatement
from xsanconf.formats.ietd.lexer import words
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.formats.iet_access import IetAccessEntry, IetAccessFile
    from xsanconf.formats.ietd import IetAccount, IetConfig, IetLun, IetTarget, LunParam
    from xsanconf.formats.shell_vars import ShellAssignment, ShellVars
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

Version = tuple[int, ...]

NEWEST: Version = (1, 4, 20)
ETC_IET: Version = (1,)  # 1.4.18 moved the files to /etc/iet/; no 0.4 release reads it
SN_32: Version = (1, 4, 20)  # SCSI_SN_LEN grew from 16 to 32 and non-printable SNs are refused

IET_CONF = "etc/iet/ietd.conf"
OLD_CONF = "etc/ietd.conf"
DEFAULTS = "etc/default/iscsitarget"

NAME_KEPT = 255  # ietd copies a target name into a 256-byte buffer
SECRET_MIN, SECRET_MAX = 12, 16
# BRE items of initiators.allow that match every initiator name (ietd anchors them: ^...$)
MATCH_ANY = frozenset({".*", "..*", ".\\+", ".*.*"})

# spelled out: importing the string module for them costs a cold run more
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _version(ctx: RuleContext, host: Host | None = None) -> Version:
    """The IET version ``host`` runs (its setting or package), else the targeted one:
    ``1.4.20.3+svn496`` gives ``(1, 4, 20, 3)``."""
    known = ctx.host_versions(host).version("iet") if host is not None else None
    found = parse_version(known or ctx.versions.get("iet", ""))
    return found.release if found is not None else NEWEST


def _fold(name: str) -> str:
    """A target name as ietd compares it (``strcasecmp``: ASCII letters only)."""
    return name.translate(_ASCII_LOWER)


def _show(rel: str) -> str:
    return "/" + rel


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


# How ietd builds targets and files accounts --------------------------------------------------


def _read_name(target: IetTarget) -> str | None:
    """The name ietd reads from a ``Target`` line; a last word with nothing after it is lost."""
    name = target.name
    if name is None or IetStatement(target.doc, target.node, target.header).at_end_of_file:
        return None
    return name


def _usable(accounts: list[IetAccount]) -> list[IetAccount]:
    """Accounts ietd keeps: it rejects a line without a user and a password (-EINVAL)."""
    return [a for a in accounts if a.user is not None and a.password is not None]


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.define(repr=False)
class IetTargets:
    """The targets of one ietd.conf as ietd builds them.

    ``created`` maps each folded name to the stanza ietd creates (the first of that name);
    ``owners`` gives, for every stanza, the target its account lines join, or ``None`` with the
    reason when ietd files them under discovery.
    """

    created: dict[str, IetTarget] = attrs.field(factory=dict)
    duplicates: list[tuple[IetTarget, IetTarget]] = attrs.field(factory=list)
    owners: list[tuple[IetTarget, IetTarget | None, str]] = attrs.field(factory=list)
    _joining: dict[int, list[IetTarget]] = attrs.field(factory=dict)

    def add(self, stanza: IetTarget, owner: IetTarget | None, why: str = "") -> None:
        self.owners.append((stanza, owner, why))
        if owner is not None:
            self._joining.setdefault(id(owner.node), []).append(stanza)

    def incoming(self, target: IetTarget) -> list[IetAccount]:
        """Every ``IncomingUser`` line that joins ``target``, in file order."""
        stanzas = self._joining.get(id(target.node), [])
        return [account for stanza in stanzas for account in stanza.incoming_users]


def iet_targets(config: IetConfig) -> IetTargets:
    built = IetTargets()
    for stanza in config.targets:
        name = _read_name(stanza)
        if name is None:
            built.add(stanza, None, "its Target line has no name")
            continue
        key = _fold(name)
        first = built.created.get(key)
        if first is None:
            built.created[key] = first = stanza
        else:
            built.duplicates.append((stanza, first))
        size = len(name.encode("utf-8", "surrogateescape"))
        if size > NAME_KEPT:
            why = (
                f"its name is {size} bytes long; ietd keeps the first {NAME_KEPT} and then "
                "finds no target of the full name"
            )
            built.add(stanza, None, why)
        else:
            built.add(stanza, first)
    return built


# Which files the daemon reads ----------------------------------------------------------------


def _assignment(host: Host, name: str) -> tuple[SiteFile, ShellAssignment | None] | None:
    """The defaults file and its assignment of ``name`` (``None`` when it does not set it)."""
    file = host.file(DEFAULTS)
    if file is None or file.kind != "shell-vars" or not file.doc.parsed:
        return None
    variables: ShellVars = file.doc.model
    return file, variables.assignment(name)


_LONG_OPTIONS = (
    "config",
    "foreground",
    "debug",
    "uid",
    "gid",
    "address",
    "port",
    "version",
    "help",
)
_LONG_WITH_VALUE = frozenset({"config", "debug", "uid", "gid", "address", "port"})
_SHORT_WITH_VALUE = frozenset("cdsugap")  # ietd's getopt string is "c:fd:s:u:g:a:p:vh"


def _long_option(text: str) -> str | None:
    """getopt_long accepts any unambiguous prefix of a long option."""
    found = [o for o in _LONG_OPTIONS if o.startswith(text)] if text else []
    return found[0] if len(found) == 1 or text in found else None


def config_option(arguments: list[str]) -> str | None:
    """The file ``ietd -c FILE`` / ``--config=FILE`` names in these arguments (the last one)."""
    found = None
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            break
        value: str | None = None
        option = None
        if word.startswith("--"):
            name, equals, inline = word[2:].partition("=")
            option = _long_option(name)
            if option in _LONG_WITH_VALUE:
                value = inline if equals else (arguments[index] if index < len(arguments) else None)
                index += 0 if equals else 1
        elif word.startswith("-") and len(word) > 1:
            for at, letter in enumerate(word[1:], start=2):
                if letter in _SHORT_WITH_VALUE:
                    option = "config" if letter == "c" else letter
                    value = word[at:] or (arguments[index] if index < len(arguments) else None)
                    index += 0 if word[at:] else 1
                    break
        if option == "config" and value is not None:
            found = value
    return found


@attrs.frozen(repr=False)
class ConfigChoice:
    """The ietd.conf a host's ietd reads, and the standard ones it leaves aside (with why).

    ``read`` is a path inside the host root (``None``: no file, ietd starts empty); ``file`` is
    that file when the site loaded and parsed it.
    """

    read: str | None
    file: SiteFile | None
    ignored: tuple[tuple[SiteFile, str], ...] = ()


def _exists(host: Host, rel: str) -> bool:
    return host.file(rel) is not None or os.path.lexists(host.fs_path(rel))


def _options(host: Host) -> tuple[bool, str | None]:
    """Whether ietd's arguments are known, and the ``-c`` file they name (a host path)."""
    defaults = host.file(DEFAULTS)
    if defaults is not None and not defaults.doc.parsed:
        return False, None  # a defaults file that does not parse may set anything
    found = _assignment(host, "ISCSITARGET_OPTIONS")
    if found is None or found[1] is None:
        return True, None
    assignment = found[1]
    if assignment.expands:
        return False, None
    # the init script passes $ISCSITARGET_OPTIONS unquoted: split on blanks, quotes stay
    path = config_option(assignment.value.split())
    if path is None:
        return True, None
    return True, os.path.normpath("/" + path).lstrip("/")


def config_choice(host: Host, version: Version) -> ConfigChoice | None:
    """Which ietd.conf the host's ietd reads; ``None`` when its arguments are not known."""
    known, option = _options(host)
    if not known:
        return None
    if version < ETC_IET:
        why = f"IET {_dotted(version)} reads only {_show(OLD_CONF)}, never {_show(IET_CONF)}"
        if option:
            why = f"ietd -c {_show(option)} (ISCSITARGET_OPTIONS) reads that file instead"
        order = [option or OLD_CONF]
    elif option is not None:
        why = f"ietd -c {_show(option)} (ISCSITARGET_OPTIONS) reads that file instead"
        order = [option, OLD_CONF]
        if not _exists(host, option) and not option.startswith("etc/"):
            return None  # the site holds only /etc: whether the file exists is not known
        if not _exists(host, option):
            why = (
                f"ietd -c {_show(option)} names a missing file, and ietd then falls back to "
                f"{_show(OLD_CONF)}, never to {_show(IET_CONF)}"
            )
    else:
        why = (
            f"ietd reads {_show(IET_CONF)} and falls back to {_show(OLD_CONF)} only when "
            "that file is missing"
        )
        order = [IET_CONF, OLD_CONF]
    read = next((rel for rel in order if _exists(host, rel)), None)
    file = host.file(read) if read is not None else None
    if file is not None and (file.kind != "ietd" or not file.doc.parsed):
        file = None
    ignored = []
    for rel in (IET_CONF, OLD_CONF):
        other = host.file(rel)
        if rel != read and other is not None and other.kind == "ietd":
            ignored.append((other, why))
    return ConfigChoice(read, file, tuple(ignored))


def _dotted(version: Version) -> str:
    return ".".join(str(part) for part in version)


def access_file(host: Host, name: str, version: Version) -> tuple[bool, SiteFile | None]:
    """Whether the access file ietd reads is known, and that file (``None``: there is none).

    ietd falls back to ``/etc/NAME`` only when ``/etc/iet/NAME`` does not exist; any other
    error to open it is a refusal, which the site reports as an unreadable file.
    """
    for rel in (f"etc/iet/{name}", f"etc/{name}") if version >= ETC_IET else (f"etc/{name}",):
        file = host.file(rel)
        if file is not None:
            parsed = file.kind == "iet-access" and file.doc.parsed
            return parsed, file if parsed else None
        if os.path.lexists(host.fs_path(rel)):
            return False, None
    return True, None


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
            if _read_name(stanza) is not None:
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


@rule("IET006", "target-open-to-all", Severity.WARNING, scope="host", needs=("ietd",))
def target_open_to_all(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A target with no IncomingUser account and no initiators.allow restriction."""
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
            if _usable(lines):
                continue
            opening = _opening(target.name or "", allow, deny, version)
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
    if _usable(config.incoming_users):
        return " (the IncomingUser lines before the first Target guard discovery only)"
    return ""


def _deciding(file: SiteFile, name: str) -> IetAccessEntry | None:
    access: IetAccessFile = file.doc.model
    return access.decisive_entry(name)


def _opening(
    name: str, allow: SiteFile | None, deny: SiteFile | None, version: Version
) -> tuple[str, Location | None] | None:
    """Why ietd lets every initiator log in to target ``name``, and the line that decides so;
    ``None`` when it does not."""
    if deny is None and version >= ETC_IET:
        if allow is None:
            return "there is no initiators.allow", None
        entry = _deciding(allow, name)
        if entry is None or not _lets_everyone_in(entry, version):
            return None  # no line decides (ietd refuses everyone), or the line restricts
        return (
            f"{_line_of(entry)} of {_show(allow.rel)} lets every initiator in",
            allow.location(entry.token, "decides for this target"),
        )
    # With initiators.deny (and always in IET 0.4, which reads allow only to excuse what deny
    # refuses) an initiator is refused only when the deny line matches it and allow does not.
    if deny is None:
        return (
            f"IET {_dotted(version)} reads initiators.allow only together with "
            "initiators.deny, and there is none",
            None,
        )
    refusing = _deciding(deny, name)
    if refusing is None or not _can_match(refusing, version):
        where = deny.location(refusing.token, "decides for this target") if refusing else None
        return (
            f"{_show(deny.rel)} exists, so ietd refuses only the initiators a deny line names, "
            "and none is named for this target",
            where,
        )
    allowing = _deciding(allow, name) if allow is not None else None
    if allow is not None and allowing is not None and _lets_everyone_in(allowing, version):
        return (
            f"{_line_of(allowing)} of {_show(allow.rel)} lets every initiator in, whatever "
            "initiators.deny says",
            allow.location(allowing.token, "decides for this target"),
        )
    return None


def _line_of(entry: IetAccessEntry) -> str:
    return f"line {entry.position[0]} ('{entry.token.text.strip()}')"


def _items_read(entry: IetAccessEntry) -> Iterator[str]:
    """The kinds of the items ietd tries, in order: an unclosed ``[`` ends the line for it."""
    for item in entry.items:
        if item.text.startswith("[") and "]" not in item.text:
            return
        if item.kind == "pattern" and item.text in MATCH_ANY:
            yield "everyone"
        elif item.kind == "network" and item.problem is not None:
            yield "nobody"
        else:
            yield item.kind


def _lets_everyone_in(entry: IetAccessEntry, version: Version) -> bool:
    for kind in _items_read(entry):
        # IET 0.4 knows no regexes: a pattern is an address it cannot resolve
        if kind == "all" or (kind == "everyone" and version >= ETC_IET):
            return True
    return False


def _can_match(entry: IetAccessEntry, version: Version) -> bool:
    for kind in _items_read(entry):
        if kind in ("all", "address", "network") or (
            kind in ("pattern", "everyone") and version >= ETC_IET
        ):
            return True
    return False


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
                f"{_show(file.rel)} is never read: {why}; keep a single ietd.conf",
                file.location(),
                related=related,
            )
        if choice.file is not None:
            yield from _disabled(ctx, host, choice.file)


def _disabled(ctx: RuleContext, host: Host, config: SiteFile) -> Iterator[Diagnostic]:
    targets = [t for t in iet_targets(config.doc.model).created.values()]
    found = _assignment(host, "ISCSITARGET_ENABLE")
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
        f"{_show(DEFAULTS)} {why}; the {count} of {_show(config.rel)} are never served. "
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
            if _read_name(target) is not None:
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
        return f"ScsiSN is {size} bytes; IET {_dotted(version)} takes at most {limit}: {refused}"
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
