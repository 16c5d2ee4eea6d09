"""How ietd reads its configuration: which ietd.conf and access files, the targets it builds.

Facts the IET rules (IET002, IET006, IET007, IET009) and the stack index share, so that the
index and the rules agree on what ietd serves (sources: IET 1.4.20 ``usr/plain.c``,
``usr/ietd.c``, Debian's ``iscsitarget.init``, and the 0.4.x tags for older behaviour):

* ietd 1.4.18 and later read ``/etc/iet/ietd.conf``, and ``/etc/ietd.conf`` only when the first
  cannot be opened; ``ietd -c FILE`` (in ``ISCSITARGET_OPTIONS``) replaces the first.  IET 0.4
  reads only ``/etc/ietd.conf``.  The access files follow the same order.
* Target names compare ignoring ASCII case (``strcasecmp``).  A second stanza of a name is not
  created, but the account pass looks stanzas up by name again: its accounts join the first
  target, and the accounts of a stanza ietd cannot look up land in the discovery list.

This module imports no rule: rules import it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.ietd.targets import (
    NAME_KEPT,
    IetTargets,
    fold_name,
    iet_targets,
    read_name,
    usable_accounts,
)

if TYPE_CHECKING:
    from xsanconf.formats.iet_access import IetAccessEntry, IetAccessFile
    from xsanconf.formats.shell_vars import ShellAssignment, ShellVars
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.site import Host, SiteFile

__all__ = [
    "DEFAULTS",
    "ETC_IET",
    "IET_CONF",
    "NAME_KEPT",
    "NEWEST",
    "OLD_CONF",
    "ConfigChoice",
    "IetTargets",
    "Version",
    "access_file",
    "config_choice",
    "config_option",
    "defaults_assignment",
    "dotted",
    "fold_name",
    "iet_targets",
    "read_name",
    "shown_path",
    "target_opening",
    "usable_accounts",
]

Version = tuple[int, ...]

NEWEST: Version = (1, 4, 20)
ETC_IET: Version = (1,)  # 1.4.18 moved the files to /etc/iet/; no 0.4 release reads it

IET_CONF = "etc/iet/ietd.conf"
OLD_CONF = "etc/ietd.conf"
DEFAULTS = "etc/default/iscsitarget"


def shown_path(rel: str) -> str:
    """A path inside the host root as the host names it."""
    return "/" + rel


# Which files the daemon reads ----------------------------------------------------------------


def defaults_assignment(host: Host, name: str) -> tuple[SiteFile, ShellAssignment | None] | None:
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


class ConfigChoice:
    """The ietd.conf a host's ietd reads, and the standard ones it leaves aside (with why).

    ``read`` is a path inside the host root (``None``: no file, ietd starts empty); ``file`` is
    that file when the site loaded and parsed it.  (A plain class: attrs would compile its
    __init__ on every run.)
    """

    __slots__ = ("file", "ignored", "read")

    def __init__(
        self,
        read: str | None,
        file: SiteFile | None,
        ignored: tuple[tuple[SiteFile, str], ...] = (),
    ) -> None:
        self.read = read
        self.file = file
        self.ignored = ignored


def _exists(host: Host, rel: str) -> bool:
    return host.file(rel) is not None or os.path.lexists(host.fs_path(rel))


def _options(host: Host) -> tuple[bool, str | None]:
    """Whether ietd's arguments are known, and the ``-c`` file they name (a host path)."""
    defaults = host.file(DEFAULTS)
    if defaults is not None and not defaults.doc.parsed:
        return False, None  # a defaults file that does not parse may set anything
    found = defaults_assignment(host, "ISCSITARGET_OPTIONS")
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
        why = (
            f"IET {dotted(version)} reads only {shown_path(OLD_CONF)}, never {shown_path(IET_CONF)}"
        )
        if option:
            why = f"ietd -c {shown_path(option)} (ISCSITARGET_OPTIONS) reads that file instead"
        order = [option or OLD_CONF]
    elif option is not None:
        why = f"ietd -c {shown_path(option)} (ISCSITARGET_OPTIONS) reads that file instead"
        order = [option, OLD_CONF]
        if not _exists(host, option) and not option.startswith("etc/"):
            return None  # the site holds only /etc: whether the file exists is not known
        if not _exists(host, option):
            why = (
                f"ietd -c {shown_path(option)} names a missing file, and ietd then falls back to "
                f"{shown_path(OLD_CONF)}, never to {shown_path(IET_CONF)}"
            )
    else:
        why = (
            f"ietd reads {shown_path(IET_CONF)} and falls back to {shown_path(OLD_CONF)} only when "
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


def dotted(version: Version) -> str:
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


# Who may log in ----------------------------------------------------------------------------

# BRE items of initiators.allow that match every initiator name (ietd anchors them: ^...$)
MATCH_ANY = frozenset({".*", "..*", ".\\+", ".*.*"})


def _deciding(file: SiteFile, name: str) -> IetAccessEntry | None:
    access: IetAccessFile = file.doc.model
    return access.decisive_entry(name)


def target_opening(
    name: str, allow: SiteFile | None, deny: SiteFile | None, version: Version
) -> tuple[str, Location | None] | None:
    """Why ietd lets every initiator log in to target ``name`` (which has no IncomingUser
    account), and the line that decides so; ``None`` when it does not.  ``allow`` and ``deny``
    are the access files ietd reads (:func:`access_file`)."""
    if deny is None and version >= ETC_IET:
        if allow is None:
            return "there is no initiators.allow", None
        entry = _deciding(allow, name)
        if entry is None or not _lets_everyone_in(entry, version):
            return None  # no line decides (ietd refuses everyone), or the line restricts
        return (
            f"{_line_of(entry)} of {shown_path(allow.rel)} lets every initiator in",
            allow.location(entry.token, "decides for this target"),
        )
    # With initiators.deny (and always in IET 0.4, which reads allow only to excuse what deny
    # refuses) an initiator is refused only when the deny line matches it and allow does not.
    if deny is None:
        return (
            f"IET {dotted(version)} reads initiators.allow only together with "
            "initiators.deny, and there is none",
            None,
        )
    refusing = _deciding(deny, name)
    if refusing is None or not _can_match(refusing, version):
        where = deny.location(refusing.token, "decides for this target") if refusing else None
        return (
            f"{shown_path(deny.rel)} exists, so ietd refuses only the initiators a deny line "
            "names, and none is named for this target",
            where,
        )
    allowing = _deciding(allow, name) if allow is not None else None
    if allow is not None and allowing is not None and _lets_everyone_in(allowing, version):
        return (
            f"{_line_of(allowing)} of {shown_path(allow.rel)} lets every initiator in, whatever "
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
