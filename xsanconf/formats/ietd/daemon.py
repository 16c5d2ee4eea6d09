"""How ietd builds its targets from an ietd.conf: which stanzas it creates, where accounts go.

Sources: IET 1.4.20 ``usr/plain.c`` (the two passes over the file), ``usr/target.c``.  Target
names compare ignoring ASCII case (``strcasecmp``).  A second stanza of a name is not created,
but the account pass looks stanzas up by name again: its accounts join the first target, and
the accounts of a stanza ietd cannot look up land in the discovery list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from xsanconf.formats.ietd.model import IetStatement

if TYPE_CHECKING:
    from xsanconf.formats.ietd.model import IetAccount, IetConfig, IetTarget

__all__ = [
    "NAME_KEPT",
    "IetTargets",
    "fold_name",
    "iet_targets",
    "read_name",
    "usable_accounts",
]

NAME_KEPT = 255  # ietd copies a target name into a 256-byte buffer

# spelled out: importing the string module for them costs a cold run more
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_name(name: str) -> str:
    """A target name as ietd compares it (``strcasecmp``: ASCII letters only)."""
    return name.translate(_ASCII_LOWER)


# How ietd builds targets and files accounts --------------------------------------------------


def read_name(target: IetTarget) -> str | None:
    """The name ietd reads from a ``Target`` line; a last word with nothing after it is lost."""
    name = target.name
    if name is None or IetStatement(target.doc, target.node, target.header).at_end_of_file:
        return None
    return name


def usable_accounts(accounts: list[IetAccount]) -> list[IetAccount]:
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

    def joining(self, target: IetTarget) -> list[IetTarget]:
        """The stanzas whose account lines join ``target`` (its own first), in file order."""
        return self._joining.get(id(target.node), [])

    def incoming(self, target: IetTarget) -> list[IetAccount]:
        """Every ``IncomingUser`` line that joins ``target``, in file order."""
        return [account for stanza in self.joining(target) for account in stanza.incoming_users]


def iet_targets(config: IetConfig) -> IetTargets:
    built = IetTargets()
    for stanza in config.targets:
        name = read_name(stanza)
        if name is None:
            built.add(stanza, None, "its Target line has no name")
            continue
        key = fold_name(name)
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
