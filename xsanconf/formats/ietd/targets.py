"""IET's LUNs as :class:`~xsanconf.domain.target.TargetLun` records (``IetConfig.target_luns``).

What ietd makes of an ietd.conf, in the vocabulary every target shares:

* identity: ``ScsiId`` as written (explicit), else IET 1.4.20's default from the target name and
  LUN number (:func:`xsanconf.domain.wwid.iet_identity`; unknown before 1.4.20); the unit
  serial is ``ScsiSN``, else from 1.4.20 on the hex of the SCSI ID bytes;
* cache: ``Type=fileio`` (IET's default) serves reads, and with ``IOMode=wb`` writes, from the
  head's page cache: ``write-back``; ``blockio`` (and ``nullio``) bypass it;
* access and CHAP: the ``IncomingUser`` accounts ietd keeps for the target (a line without a
  password is dropped), its last ``OutgoingUser``, and the accounts before the first ``Target``
  (discovery).  Whether a target without an account is open depends on ``initiators.allow``
  and ``initiators.deny``, files the model does not read: ``open`` is then ``None`` and the
  facts layer decides it (:mod:`xsanconf.facts.ietd`).

How ietd builds targets: names compare ignoring ASCII case (``strcasecmp``); a second stanza of a
name is not created, but the account pass looks stanzas up by name again, so its accounts join
the first target, and the accounts of a stanza ietd cannot look up land in the discovery list.

Every stanza's ``Lun`` lines are listed, a second stanza of one name included (IET002 reports
what ietd does not create).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from xsanconf.domain.target import ChapAccount, LunIdentity, TargetAccess, TargetLun
from xsanconf.domain.wwid import iet_identity
from xsanconf.formats.ietd.model import IetStatement

if TYPE_CHECKING:
    from xsanconf.domain.target import CacheMode
    from xsanconf.domain.wwid import IetIdentity
    from xsanconf.formats.ietd.lun import LunParams
    from xsanconf.formats.ietd.model import IetAccount, IetConfig, IetLun, IetTarget
    from xsanconf.syntax import Token

__all__ = [
    "IET_PRODUCT",
    "IET_VENDOR",
    "NAME_KEPT",
    "IetTargets",
    "fold_name",
    "iet_serial",
    "iet_target_luns",
    "iet_targets",
    "read_name",
    "usable_accounts",
]

IET_VENDOR, IET_PRODUCT = "IET", "VIRTUAL-DISK"
Version = tuple[int, ...]


# How ietd builds its targets (IET 1.4.20 ``usr/plain.c``: two passes over the file) ----------

NAME_KEPT = 255  # ietd copies a target name into a 256-byte buffer

# spelled out: importing the string module for them costs a cold run more
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_name(name: str) -> str:
    """A target name as ietd compares it (``strcasecmp``: ASCII letters only)."""
    return name.translate(_ASCII_LOWER)


def read_name(target: IetTarget) -> str | None:
    """The name ietd reads from a ``Target`` line; a last word with nothing after it is lost."""
    name = target.name
    if name is None or IetStatement(target.doc, target.node, target.header).at_end_of_file:
        return None
    return name


def usable_accounts(accounts: list[IetAccount]) -> list[IetAccount]:
    """Accounts ietd keeps: it rejects a line without a user and a password (-EINVAL)."""
    return [a for a in accounts if a.user is not None and a.password is not None]


class IetTargets:
    """The targets of one ietd.conf as ietd builds them.

    ``created`` maps each folded name to the stanza ietd creates (the first of that name);
    ``owners`` gives, for every stanza, the target its account lines join, or ``None`` with the
    reason when ietd files them under discovery.  (A plain class: attrs would compile its
    __init__ on every run.)
    """

    __slots__ = ("_joining", "created", "duplicates", "owners")

    def __init__(self) -> None:
        self.created: dict[str, IetTarget] = {}
        self.duplicates: list[tuple[IetTarget, IetTarget]] = []
        self.owners: list[tuple[IetTarget, IetTarget | None, str]] = []
        self._joining: dict[int, list[IetTarget]] = {}

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


# The LUNs as TargetLun records -------------------------------------------------------------

# TargetLun field -> the Lun parameter that sets it
_PARAMS = {"backing": "Path", "identity": "ScsiId", "serial": "ScsiSN", "cache": "Type"}


def iet_serial(params: LunParams, identity: IetIdentity, version: Version | None) -> str | None:
    """The unit serial (VPD page 0x80) a LUN presents; ``None`` when it cannot be known."""
    if params.scsi_sn is not None:
        return params.scsi_sn
    if identity.scsi_id is not None and (version is None or version[:3] >= (1, 4, 20)):
        return identity.scsi_id.ljust(16, b"\0").hex()
    return None


def _cache(params: LunParams) -> tuple[CacheMode, str]:
    if params.type not in (None, "fileio"):
        # blockio bypasses the page cache (and ignores IOMode=wb); nullio holds no data
        return "write-through", f"Type={params.type}"
    how = "Type=fileio" if params.type else "no Type (fileio is the default)"
    if (params.io_mode or "wt") == "wb":
        how += " and IOMode=wb"
    return "write-back", how


def _chap(accounts: list[IetAccount], scope: Literal["target", "discovery"]) -> list[ChapAccount]:
    found = []
    for account in usable_accounts(accounts):
        assert account.user is not None
        found.append(
            ChapAccount(
                account.direction, account.user, account.password, scope, anchor=account.token
            )
        )
    return found


def _last_outgoing(accounts: list[ChapAccount]) -> list[ChapAccount]:
    """ietd keeps one outgoing account: a later OutgoingUser replaces an earlier one."""
    incoming = [a for a in accounts if a.direction == "incoming"]
    outgoing = [a for a in accounts if a.direction == "outgoing"]
    return incoming + outgoing[-1:]


def _spans(lun: IetLun, params: LunParams) -> dict[str, tuple[Token, int, int]]:
    base = len(lun.token.text) - len(lun.params_text)
    spans = {}
    for field, key in _PARAMS.items():
        found = params.find(key)
        if found:
            piece = found[-1]  # the kernel keeps the last one
            spans[field] = (lun.token, base + piece.start, base + piece.end)
    return spans


def iet_target_luns(config: IetConfig, version: Version | None = None) -> list[TargetLun]:
    """Every ``Lun`` of ``config`` as a :class:`TargetLun`, read as IET ``version`` reads it
    (``None``: 1.4.20 or later)."""
    built = iet_targets(config)
    discovery = _last_outgoing(
        _chap(config.incoming_users, "discovery") + _chap(config.outgoing_users, "discovery")
    )
    owners = {id(stanza.node): owner for stanza, owner, _ in built.owners}
    found = []
    for stanza in config.targets:
        owner: IetTarget | None = owners.get(id(stanza.node))
        if owner is not None:
            joined = built.joining(owner)
            accounts = _chap([a for s in joined for a in s.incoming_users], "target")
            accounts += _chap([a for s in joined for a in s.outgoing_users], "target")
            accounts = _last_outgoing(accounts)
        else:
            accounts = []
        incoming = [a for a in accounts if a.direction == "incoming"]
        access = TargetAccess(
            open=False if incoming else None,
            chap_required=bool(incoming),
            reason="IncomingUser" if incoming else None,
        )
        chap = (*accounts, *discovery)
        for lun in stanza.luns:
            found.append(_target_lun(stanza, lun, access, chap, version))
    return found


def _target_lun(
    stanza: IetTarget,
    lun: IetLun,
    access: TargetAccess,
    chap: tuple[ChapAccount, ...],
    version: Version | None,
) -> TargetLun:
    params = lun.params
    name = stanza.name
    number = lun.number
    identity = iet_identity(params.scsi_id, target=name, lun=number, version=version)
    cache, cache_reason = _cache(params)
    return TargetLun(
        implementation="iet",
        target=name or "",
        lun=number,
        backing=params.path,
        backing_kind=params.io_type,
        identity=LunIdentity(
            vendor=IET_VENDOR,
            product=IET_PRODUCT,
            serial=iet_serial(params, identity, version),
            wwid=identity.wwid,
            source="explicit" if params.scsi_id is not None else "default",
            reason=identity.reason,
            designator="t10",
            device_id=identity.scsi_id,
            written=params.scsi_id,
        ),
        cache=cache,
        access=access,
        cache_reason=cache_reason,
        chap=chap,
        anchor=lun.token,
        anchors={"target": stanza.header, "target-block": stanza.node, "lun": lun.token},
        spans=_spans(lun, params),
        origin=lun,
    )
