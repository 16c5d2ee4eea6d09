"""IET003-IET005, IET008, IET011, MPATH001, MPATH006: what a LUN exports and the identity it
presents, for every target implementation (IET, LIO, tgt, SCST: the registry's target kinds).

Every check is a query over the site's stack index (:mod:`xsanconf.facts.stack`): DRBD devices per
host, the LUNs that export them (:class:`~xsanconf.domain.target.TargetLun` records), the WWIDs
those LUNs present and the multipath maps that name them.  Messages name each implementation's
own settings (IET's ``Path``, ``ScsiId``; tgt's ``backing-store``, ``scsi_id`` ...).
Cross-host checks group LUNs by the replicated device (DRBD resource and volume) or by WWID,
so their cost grows with the number of LUNs, never with pairs of hosts.

What the identity rules assume about IET versions (``versions.iet``, default 1.4.20 or later):
a LUN without ``ScsiId`` gets an ID that 1.4.20+ derives from the target name and LUN number
(the same on every head that names the target alike) and that older versions derive from the
target id and the inode of the device node (per head, unknown).  IET004 compares what the
initiator reads: equal predicted WWIDs agree, whether written or derived by a deterministic
default (IET 1.4.20+, tgt's tid/LUN numbering, SCST's name-derived t10_dev_id, the Pacemaker
agent's defaults); a default that is made per head (LIO's fresh uuid, IET before 1.4.20)
cannot be known to agree, and is reported.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.facts.stack import (
    IET_WWID_PREFIX,
    STACK,
    LunExport,
    MultipathMap,
    ReplicaKey,
    StackIndex,
    canonical_device,
    export_key,
    iet_wwid_scsi_id,
)
from xsanconf.formats.ietd.model import IetLun
from xsanconf.formats.multipath.model import MultipathConfig
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import TARGETS, RuleContext, rule
from xsanconf.lint.twin_edits import twin_fix

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.lint.site import Site

__all__: list[str] = []


# Compiled on first use: only a LUN without a DRBD device of its own is matched against it.
@functools.cache
def _drbd_path() -> re.Pattern[str]:
    return re.compile(r"/dev/drbd(?:\d+|/by-res/.+|/by-disk/.+|_.+)")


_RELATED_MAX = 5


def _replica_name(key: ReplicaKey) -> str:
    resource, volume = key
    return f"DRBD resource {resource}" + (f" volume {volume}" if volume else "")


def _they(names: list[str], verb: str = "export") -> str:
    """``san2 exports`` / ``san2, san3 export``."""
    return f"{', '.join(names)} {verb + 's' if len(names) == 1 else verb}"


def _also(names: list[str]) -> str:
    return f"{_they(names)} it too"


def _hosts(luns: list[LunExport]) -> list[str]:
    return list(dict.fromkeys(lun.host.name for lun in luns))


def _replicas(index: StackIndex) -> Iterator[tuple[ReplicaKey, list[LunExport]]]:
    """Replicated devices that several hosts export."""
    for key, luns in index.by_replica.items():
        if len(_hosts(luns)) >= 2:
            yield key, luns


def _others(lun: LunExport, luns: list[LunExport], message: str) -> list[Location]:
    return [
        other.location(f"{other.name} on {other.host.name} {message}")
        for other in luns
        if other.host is not lun.host
    ][:_RELATED_MAX]


# IET003 ----------------------------------------------------------------------------------------


@rule(
    "IET003", "path-exported-twice", Severity.ERROR, scope="host", needs=(TARGETS,), uses=(STACK,)
)
def path_exported_twice(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """One device in two LUNs of a host, or a LUN that exports a DRBD backing disk."""
    index = ctx.fact(STACK)
    for stack in index.hosts.values():
        for lun in stack.luns:
            if lun.resolved_path is None:
                continue
            earlier = stack.luns_by_device[export_key(lun)][0]
            if earlier is not lun and not _one_object(lun, earlier):
                yield _twice(ctx, lun, earlier)
            if lun.backing_of is not None:
                yield _backing(ctx, lun)


def _one_object(lun: LunExport, earlier: LunExport) -> bool:
    """Whether two LUNs are one device object of the target seen through two targets or
    TPGs: an SCST ``DEVICE`` or a LIO storage object exported twice is one device (one cache,
    one set of reservations) with two ports, which is what multipath is for; two IET ``Lun``
    lines or two tgt backing stores open the path twice."""
    name = lun.lun.object_name
    return (
        name is not None
        and name == earlier.lun.object_name
        and lun.implementation == earlier.implementation
        and lun.file is earlier.file
    )


def _twice(ctx: RuleContext, lun: LunExport, earlier: LunExport) -> Diagnostic:
    same = lun.path == earlier.path
    what = f"{lun.setting('backing')}={lun.path}"
    if not same:
        what += f" (the same device as {earlier.setting('backing')}={earlier.path})"
    return ctx.diagnostic(
        f"{lun.name}: {what} is already exported as {earlier.name}: two LUNs write the same "
        "blocks with separate caches and reservations, and an initiator sees two disks holding "
        "one file system; export each device once",
        lun.setting_location("backing"),
        related=[earlier.setting_location("backing", "first exported here")],
    )


def _backing(ctx: RuleContext, lun: LunExport) -> Diagnostic:
    device = lun.backing_of
    assert device is not None
    node = device.path or (f"/dev/drbd{device.minor}" if device.minor is not None else "its device")
    return ctx.diagnostic(
        f"{lun.name}: {lun.setting('backing')}={lun.path} is the backing disk of "
        f"{_replica_name(device.replica)}; writes through this LUN bypass DRBD and never reach "
        f"the peer, and DRBD overwrites them on the next resync: export {node} instead",
        lun.setting_location("backing"),
        related=[device.location(f"resource {device.resource} uses it as its disk")],
    )


# IET005 ----------------------------------------------------------------------------------------


@rule("IET005", "lun-device-unknown", Severity.ERROR, scope="host", needs=(TARGETS,), uses=(STACK,))
def lun_device_unknown(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A LUN exports a DRBD device that the host's DRBD configuration does not define for it."""
    index = ctx.fact(STACK)
    for stack in index.hosts.values():
        if not stack.has_drbd:
            continue  # no DRBD configuration in the site for this host: nothing to compare
        for lun in stack.luns:
            path = lun.resolved_path
            if path is None or lun.device is not None or not _drbd_path().fullmatch(path):
                continue
            shown = lun.path if path == lun.path else f"{lun.path} (-> {path})"
            others = stack.elsewhere.get(path)
            if others:
                why = (
                    f"this host's DRBD configuration defines it only for {', '.join(others)}, "
                    f"not for {stack.host.name}"
                )
            else:
                why = "no resource of this host's DRBD configuration defines it"
            yield ctx.diagnostic(
                f"{lun.name}: {lun.setting('backing')}={shown} is not a DRBD device of this "
                f"host: {why}; the LUN fails to open (no such device) or exports another "
                "resource's data",
                lun.setting_location("backing"),
            )


# IET004 ----------------------------------------------------------------------------------------


@rule(
    "IET004",
    "replica-identity-mismatch",
    Severity.ERROR,
    scope="site",
    needs=(TARGETS,),
    uses=(STACK,),
)
def replica_identity_mismatch(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Heads export one replicated device under identities that differ or cannot be known to
    agree (ScsiId, wwn, scsi_id, t10_dev_id)."""
    index = ctx.fact(STACK)
    for key, luns in _replicas(index):
        known = [lun for lun in luns if _identity_key(lun) is not None]
        reference = _reference(known)
        holders = [lun for lun in known if _identity_key(lun) == reference]
        for lun in luns:
            found = _identity_key(lun)
            if found is None:
                yield _unknown_id(ctx, key, lun, luns, holders)
            elif found != reference:
                yield _different_id(ctx, key, lun, holders)
        if holders:
            yield from _serials(ctx, key, holders)


def _identity_key(lun: LunExport) -> tuple[str, ...] | None:
    """What two LUNs must share to present one device: the WWID an initiator reads (which
    compares across implementations), else the identity bytes an explicit setting writes;
    ``None`` when the identity cannot be known from the configuration (LIO's per-head uuid,
    IET before 1.4.20 without ScsiId, ...)."""
    if lun.wwid is not None:
        return ("wwid", lun.wwid.value)
    identity = lun.identity
    if identity.source == "explicit" and identity.device_id is not None:
        return ("written", lun.implementation, identity.device_id.hex())
    return None


def _reference(known: list[LunExport]) -> tuple[str, ...] | None:
    """The identity most heads present (an explicitly written one wins a tie, then site
    order): the one the others are measured against."""
    if not known:
        return None
    count = Counter(_identity_key(lun) for lun in known)
    explicit = {_identity_key(lun) for lun in known if lun.scsi_id is not None}
    best = max(count.values())
    tied = [k for k in count if count[k] == best]
    return next((k for k in tied if k in explicit), tied[0])


def _set_to(lun: LunExport) -> str:
    """``ScsiId=149455403f160c00``: the identity setting of a LUN that writes one."""
    return f"{lun.setting('identity')}={lun.scsi_id}"


def _presents(lun: LunExport) -> str:
    """``ScsiId=...`` when written, else ``tgt's default identity (WWID ...)``."""
    if lun.scsi_id is not None:
        return _set_to(lun)
    shown = f" (WWID {lun.wwid})" if lun.wwid is not None else ""
    return f"{lun.implementation}'s default identity{shown}"


def _same(lun: LunExport) -> str:
    """``ScsiId (and ScsiSN)``: what to set alike on every head."""
    identity, serial = lun.setting("identity"), lun.setting("serial")
    return identity if serial == identity else f"{identity} (and {serial})"


def _unknown_id(
    ctx: RuleContext,
    key: ReplicaKey,
    lun: LunExport,
    luns: list[LunExport],
    holders: list[LunExport],
) -> Diagnostic:
    """A head whose identity the configuration does not fix: it cannot be known to agree."""
    others = _also([h for h in _hosts(luns) if h != lun.host.name])
    why = f" ({lun.identity.reason})" if lun.identity.reason else ""
    if lun.scsi_id is not None:
        # written, yet the WWID depends on what the configuration does not say (the target
        # id tgt-admin assigns, the implementation a Pacemaker agent picks on each node)
        made = f"with {_set_to(lun)}, but its WWID is not fixed by it{why}"
    elif lun.engine == "iet":
        made = (
            f"but it sets no {lun.setting('identity')}: IET before 1.4.20 derives the ID "
            "from the target id and the device's inode, which each head numbers on its own"
        )
    else:
        made = (
            f"but it sets no {lun.setting('identity')}: it presents {lun.implementation}'s "
            f"default identity{why}, made on each head"
        )
    return ctx.diagnostic(
        f"{lun.name} exports {_replica_name(key)} and {others}, "
        f"{made}, so the heads cannot be known to present one "
        f"WWID, and multipath may show two devices instead of two paths; {_fix_unknown(lun)}",
        lun.location(),
        related=[
            h.setting_location("identity", f"{_presents(h)} on {h.host.name}") for h in holders
        ][:_RELATED_MAX]
        or _others(lun, luns, "exports it too"),
    )


def _fix_unknown(lun: LunExport) -> str:
    """What makes an identity the configuration does not fix known."""
    if lun.scsi_id is None:
        return f"set the same {_same(lun)} on every head"
    if lun.engine == "pacemaker":
        return "set the LU's implementation parameter (iet, tgt, lio or lio-t)"
    return f"make every head present {_set_to(lun)} under the same WWID"


def _different_id(
    ctx: RuleContext, key: ReplicaKey, lun: LunExport, holders: list[LunExport]
) -> Diagnostic:
    other = holders[0]
    related = [h.setting_location("identity", f"{_presents(h)} on {h.host.name}") for h in holders][
        :_RELATED_MAX
    ]
    effect = "multipath shows two devices instead of two paths"
    if lun.engine != other.engine and "pacemaker" not in (lun.engine, other.engine):
        # each implementation writes its own designator (IET's T10 vendor id "IET", LIO's
        # NAA company id 0x001405, tgt's and SCST's own): no setting makes them one WWID
        return ctx.diagnostic(
            f"{lun.name} exports {_replica_name(key)} through {lun.engine} "
            f"({_presents(lun)}), but {_they(_hosts(holders))} it through "
            f"{other.engine} ({_presents(other)}): targets of different "
            "implementations present different WWIDs by construction, and "
            f"{effect}; export the replica with one implementation on every head (and the "
            f"same {_same(lun)})",
            lun.setting_location("identity") if lun.scsi_id is not None else lun.location(),
            related=related,
        )
    if lun.scsi_id is None:
        return ctx.diagnostic(
            f"{lun.name} exports {_replica_name(key)} and {_also(_hosts(holders))}, but it "
            f"sets no {lun.setting('identity')}: it presents another WWID than the "
            f"{_presents(other)} of {', '.join(_hosts(holders))}, and {effect}; set the "
            f"same {_same(lun)} on every head",
            lun.location(),
            related=related,
        )
    return ctx.diagnostic(
        f"{lun.name} exports {_replica_name(key)} with {_set_to(lun)}, but "
        f"{_they(_hosts(holders))} it with {_presents(other)}: the heads "
        f"present different WWIDs and {effect}",
        lun.setting_location("identity"),
        related=related,
    )


def _serials(ctx: RuleContext, key: ReplicaKey, holders: list[LunExport]) -> Iterator[Diagnostic]:
    """Heads that agree on the identity but present different unit serials."""
    if len({lun.serial for lun in holders}) < 2:
        return
    serials = Counter(lun.serial for lun in holders if lun.serial is not None)
    reference = serials.most_common(1)[0][0]
    agree = [lun for lun in holders if lun.serial == reference]
    for lun in holders:
        if lun.serial == reference:
            continue
        serial = lun.setting("serial")
        shown = f"{serial}={lun.scsi_sn}" if lun.scsi_sn is not None else f"no {serial}"
        yield ctx.diagnostic(
            f"{lun.name} exports {_replica_name(key)} with the same {lun.setting('identity')} "
            f"but {shown}, and {_they(_hosts(agree), 'present')} another unit serial: grouping "
            "paths by serial splits them, and tools that read the serial see two devices; set "
            f"the same {serial} on every head",
            lun.setting_location("serial") if lun.scsi_sn is not None else lun.location(),
            related=[a.location(f"{a.name} on {a.host.name}") for a in agree][:_RELATED_MAX],
        )


# IET008 ----------------------------------------------------------------------------------------


@rule(
    "IET008",
    "cached-replica-export",
    Severity.ERROR,
    scope="site",
    needs=(TARGETS,),
    fix="unsafe",
    uses=(STACK,),
)
def cached_replica_export(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Several heads export one replicated device through a write-back cache.

    IET fileio (its default) or IOMode=wb, LIO write_back, tgt write-cache on, SCST without
    write_through.
    """
    index = ctx.fact(STACK)
    for key, luns in _replicas(index):
        heads = _hosts(luns)
        for lun in luns:
            if lun.lun.cache != "write-back":
                continue  # write-through (IET blockio, nullio), or not known
            others = _also([h for h in heads if h != lun.host.name])
            how = lun.lun.cache_reason or f"{lun.setting('cache')} caching writes"
            yield ctx.diagnostic(
                f"{lun.name} exports {_replica_name(key)} and {others}, here with "
                f"{how}: {_CACHE_EFFECT.get(lun.implementation, _CACHE_EFFECT[''])}",
                lun.setting_location("cache") if lun.lun.sets("cache") else lun.location(),
                related=_others(lun, luns, "exports the same device"),
                fix=_blockio_fix(lun),
            )


# What a head's cache does to the other head's view, and the setting that turns it off.
_CACHE_EFFECT = {
    "iet": (
        "this head serves reads (and with wb, writes) from its page cache, which goes stale "
        "when a write arrives through the other head; use Type=blockio"
    ),
    "lio": (
        "this head acknowledges writes its backing device does not hold yet, and its cache "
        "goes stale when a write arrives through the other head; set write_back to false or "
        "export a block backstore"
    ),
    "tgt": (
        "this head acknowledges writes from its cache, which goes stale when a write arrives "
        "through the other head; set write-cache off"
    ),
    "scst": (
        "this head acknowledges writes from its cache, which goes stale when a write arrives "
        "through the other head; set write_through 1 (and nv_cache 0)"
    ),
    "": (
        "this head acknowledges writes from its cache, which goes stale when a write arrives "
        "through the other head; turn the cache off"
    ),
}


def _blockio_fix(lun: LunExport) -> Fix | None:
    """IET: ``Type=blockio`` (and no ``IOMode=wb``), as one edit over the changed pieces of
    the line (other implementations: no fix)."""
    iet = lun.lun.origin
    if not isinstance(iet, IetLun):
        return None
    changes = _blockio_changes(iet)
    if not changes:
        return None
    start, end = changes[0][0], changes[-1][1]
    params = iet.params_text
    text, at = "", start
    for change_start, change_end, replacement in changes:
        text += params[at:change_start] + replacement
        at = change_end
    offset = len(iet.token.text) - len(params)
    line, column = lun.file.doc.position(iet.token)
    edit = TextEdit(lun.file.path, line, column + offset + start, line, column + offset + end, text)
    return Fix("export the device with Type=blockio (no page cache)", False, (edit,))


def _blockio_changes(lun: IetLun) -> list[tuple[int, int, str]]:
    """Replacements ``(start, end, text)`` in the parameter string, in order."""
    params = lun.params_text
    changes = []
    for piece in lun.params.pieces:
        if piece.name == "iomode" and piece.value == "wb":
            if piece.end < len(params):
                changes.append((piece.start, piece.end + 1, ""))
            else:
                changes.append((max(piece.start - 1, 0), piece.end, ""))
        elif piece.name == "type" and piece.value is not None:
            changes.append((piece.value_start, piece.end, "blockio"))
    if not lun.params.find("type"):
        changes.append((len(params), len(params), ",Type=blockio" if params else "Type=blockio"))
    return sorted(changes)


# IET011 ----------------------------------------------------------------------------------------


@rule(
    "IET011",
    "identity-collision",
    Severity.ERROR,
    scope="site",
    needs=(TARGETS,),
    uses=(STACK,),
)
def identity_collision(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """LUNs that export different devices present one identity: multipath merges them."""
    index = ctx.fact(STACK)
    for wwid, luns in index.by_wwid.items():
        devices: dict[tuple[str, ...], list[LunExport]] = {}
        for lun in luns:
            devices.setdefault(_device_key(lun), []).append(lun)
        if len(devices) < 2:
            continue  # one device: replicas of it, or a single LUN
        if len(_hosts(luns)) == 1 and all(lun.implementation == "iet" for lun in luns):
            continue  # one IET host giving two LUNs one ScsiId: IET010 reports it
        first, *others = devices.values()
        for group in others:
            for lun in group:
                yield _collision(ctx, wwid, lun, first)


def _device_key(lun: LunExport) -> tuple[str, ...]:
    """What data a LUN exports: a replicated DRBD device is one device on every head; any
    other device is its host's own."""
    if lun.replica is not None:
        return ("drbd", lun.replica[0], str(lun.replica[1]))
    path = lun.resolved_path or lun.path
    if path is not None and _drbd_path().fullmatch(path):
        # a DRBD device the site's DRBD configuration does not describe (IET005's case, or a
        # host whose drbd.conf the site lacks): it may be a replica, so it is not compared
        return ("drbd", "?")
    return ("path", lun.host.name, canonical_device(path or lun.name))


def _identity_source(lun: LunExport) -> str:
    if lun.scsi_id is not None:
        return f"set by {_set_to(lun)}"
    why = f", {lun.identity.reason}" if lun.identity.reason else ""
    return f"{lun.implementation}'s default{why}"


def _exports(lun: LunExport) -> str:
    if lun.replica is not None:
        return _replica_name(lun.replica)
    return f"{lun.setting('backing')}={lun.path}" if lun.path else "its own device"


def _collision(ctx: RuleContext, wwid: str, lun: LunExport, first: list[LunExport]) -> Diagnostic:
    other = first[0]
    return ctx.diagnostic(
        f"{lun.name} on {lun.host.name} presents WWID {wwid} ({_identity_source(lun)}), as "
        f"{other.name} on {other.host.name} does, but they export different data "
        f"({_exports(lun)} here, {_exports(other)} there): multipath merges them into one map "
        f"and writes land on both; give each device its own {lun.setting('identity')}",
        lun.setting_location("identity") if lun.scsi_id is not None else lun.location(),
        related=[o.location(f"{o.name} on {o.host.name} presents it too") for o in first][
            :_RELATED_MAX
        ],
    )


# MPATH001 --------------------------------------------------------------------------------------


@rule(
    "MPATH001",
    "wwid-matches-no-lun",
    Severity.ERROR,
    scope="site",
    needs=("multipath",),
    uses=(STACK,),
)
def wwid_matches_no_lun(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A multipath wwid names a target LUN that none of the site's targets exports."""
    index = ctx.fact(STACK)
    if not index.has_targets:
        return  # no target configuration in the site: nothing to match against
    # the kinds of WWID the site's targets present (IET's always: its vendor id is fixed)
    families = {wwid_family(IET_WWID_PREFIX)} | {wwid_family(w) for w in index.by_wwid}
    by_lower: dict[str, list[LunExport]] | None = None
    for stack in index.hosts.values():
        for map_ in stack.maps:
            wwid = map_.wwid
            if wwid_family(wwid) not in families or wwid in index.by_wwid:
                continue  # another kind of device (the site cannot describe it), or a match
            iet = wwid.lower().startswith(IET_WWID_PREFIX)
            scsi_id = iet_wwid_scsi_id(wwid) if iet else None
            if index.unknown_wwids and (not iet or not _written_id(scsi_id)):
                continue  # could be the derived ID of a LUN whose WWID cannot be computed
            if by_lower is None:
                by_lower = {}
                for key, luns in index.by_wwid.items():
                    by_lower.setdefault(key.lower(), []).extend(luns)
            yield _no_lun(ctx, map_, iet, scsi_id, by_lower.get(wwid.lower(), []))


def _written_id(scsi_id: bytes | None) -> bool:
    """Whether SCSI ID bytes look like a ScsiId someone wrote (printable, NUL-padded)."""
    if scsi_id is None:
        return True  # not an IET WWID of the right length: no LUN can present it
    text = scsi_id.rstrip(b"\0")
    return bool(text) and all(0x20 < b < 0x7F for b in text)


def wwid_family(wwid: str) -> str | None:
    """Which kind of device a WWID names: its designator with the T10 vendor id (``1`` and 8
    bytes) or the NAA company id (``3``, the NAA type and 6 digits); ``None`` for others."""
    text = wwid.lower()
    if text.startswith("1") and len(text) >= 17:
        return text[:17]
    if text.startswith("3") and len(text) >= 8:
        return text[:8]
    return None


def _no_lun(
    ctx: RuleContext,
    map_: MultipathMap,
    iet: bool,
    scsi_id: bytes | None,
    near: list[LunExport],
) -> Diagnostic:
    where = "a multipaths entry" if map_.entry is not None else "blacklist_exceptions"
    if near:
        hint = (
            "; it differs only in letter case from the WWID a LUN presents "
            "(udev prints lower-case hex)"
        )
    elif not iet:
        hint = ""
    elif scsi_id is None:
        hint = f"; an IET WWID has 49 characters, this one {len(map_.wwid)}"
    elif _written_id(scsi_id):
        written = scsi_id.rstrip(b"\0").decode("ascii")
        hint = f"; it stands for ScsiId={written}, which no LUN sets"
    else:
        hint = ""
    return ctx.diagnostic(
        f"{where} on {map_.host.name} names wwid {map_.wwid}, which no LUN of the site's "
        f"targets presents{hint}: the map is never created (or stays blacklisted) and "
        f"whatever uses {map_.alias or 'it'} finds no device",
        map_.location(),
        related=[lun.location(f"{lun.name} on {lun.host.name}") for lun in near][:_RELATED_MAX],
    )


# MPATH006 --------------------------------------------------------------------------------------


@rule(
    "MPATH006",
    "active-active-over-replicas",
    Severity.ERROR,
    scope="site",
    needs=("multipath",),
    fix="unsafe",
    uses=(STACK,),
)
def active_active_over_replicas(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A map groups the paths to several heads of one replicated LUN together."""
    index = ctx.fact(STACK)
    for stack in index.hosts.values():
        for map_ in stack.maps:
            keys = {lun.replica for lun in index.by_wwid.get(map_.wwid, []) if lun.replica}
            for key in sorted(keys):
                luns = index.by_replica[key]
                if len(_serving(luns)) < 2:
                    continue  # one head at a time serves it: nothing to group
                why = _one_group(map_, luns)
                if why is not None:
                    yield _active_active(ctx, map_, key, luns, why)


def _serving(luns: list[LunExport]) -> set[tuple[str, ...]]:
    """What may serve a replica at once: each head's LUN, except that the copies of one
    Pacemaker LU (every head's CIB describes it) are one LUN that runs on one head at a time."""
    found: set[tuple[str, ...]] = set()
    for lun in luns:
        if lun.lun.moves:
            found.add(("moves", lun.target or "", str(lun.number), lun.lun.object_name or ""))
        else:
            found.add(("head", lun.host.name))
    return found


def _one_group(map_: MultipathMap, luns: list[LunExport]) -> str | None:
    """Why the map's policy puts the heads' paths into one group; None when it does not."""
    policy = map_.policy
    if policy == "multibus":
        return "multibus puts every path into one group"
    if policy == "group_by_serial":
        serials = {lun.serial for lun in luns}
        if len(serials) == 1 and None not in serials:
            return "group_by_serial groups them, since every head presents the same serial"
    if policy == "group_by_node_name":
        heads_per_name = Counter(
            name for _, name in {(lun.host.name, (lun.target or "").lower()) for lun in luns}
        )
        if any(count >= 2 for count in heads_per_name.values()):
            return "group_by_node_name groups them, since the heads share the target name"
    if policy == "group_by_prio" and map_.prio in (None, "const"):
        return "group_by_prio groups them, since every path has the same (const) priority"
    return None


def _active_active(
    ctx: RuleContext, map_: MultipathMap, key: ReplicaKey, luns: list[LunExport], why: str
) -> Diagnostic:
    heads = ", ".join(_hosts(luns))
    source = "" if map_.policy_source == "multipath entry" else f" (from {map_.policy_source})"
    related = [lun.location(f"{lun.name} on {lun.host.name}") for lun in luns][:_RELATED_MAX]
    if map_.policy_option is not None and map_.policy_source != "multipath entry":
        related.insert(0, map_.location("the map"))
    return ctx.diagnostic(
        f"map {map_.alias or map_.wwid} on {map_.host.name} uses path_grouping_policy "
        f"{map_.policy}{source} over {_replica_name(key)}, exported by {heads}: {why}, so "
        "writes go through several heads at once and nothing orders writes to the same blocks "
        "across them (reservations and caches are per head); use failover so that one head "
        "serves the map at a time",
        map_.policy_location(),
        related=related,
        fix=_failover_fix(map_),
    )


def _failover_fix(map_: MultipathMap) -> Fix | None:
    """``path_grouping_policy failover`` in the map's (last) entry, or in a new entry."""
    at = None
    if map_.entry is not None:
        entries = map_.file.doc.model.multipaths
        at = next((i for i, e in enumerate(entries) if e is map_.entry), None)
        if at is None:
            return None

    def failover(twin: Document) -> None:
        config = MultipathConfig(twin)
        if at is not None:
            config.multipaths[at].set("path_grouping_policy", "failover")
        else:
            config.add_multipath(map_.wwid, path_grouping_policy="failover")

    description = "group the map's paths with failover: one head at a time"
    return twin_fix(map_.file, description, failover, safe=False)
