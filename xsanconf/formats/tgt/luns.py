"""The LUNs tgt-admin creates from targets.conf, numbered as tgt-admin numbers them.

What ``tgt-admin -e`` does (``scripts/tgt-admin``, fujita/tgt 1.0.97) on a freshly started
tgtd (the service start; a target already running keeps its tid):

* targets in Perl's ``sort keys`` order -- by name, not in file order -- get tids 1, 2, 3 ...;
  ``controller_tid N`` gives a target tid N and the ones after it continue from N + 1;
* a target's options are processed in sorted order, so every ``backing-store`` comes before
  every ``direct-store``, and each kind's paths are taken sorted;
* a LUN's number is its block's ``lun`` (``make_key``), else the lowest number from 1 that no
  LUN block names and no LUN before it took (``find_next_lun``); a target-level ``lun``
  overrides both for every LUN; LUN 0 is the target's controller;
* a LUN's options come from its ``<backing-store PATH>`` block, else from the target;
* with no ``initiator-address`` tgt-admin binds the target to ``ALL`` addresses -- an
  ``initiator-name`` alone does not change that, and tgtd admits an initiator that passes
  either list (``usr/iscsi/iscsid.c``: refused only when ``ip_acl`` *and* ``iqn_acl`` fail);
* ``incominguser`` accounts are bound to the target (tgtd then requires CHAP); only the first
  ``outgoinguser`` is used.

A LUN whose device does not exist, or is in use, is skipped by tgt-admin and takes no number;
the configuration cannot tell, so every LUN is taken to be created.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.target import ChapAccount, TargetAccess, TargetLun
from xsanconf.domain.tgt_identity import tgt_identity
from xsanconf.formats.tgt.model import (
    STORE_KINDS,
    TgtBlock,
    TgtConfig,
    TgtStatement,
    TgtTarget,
)

if TYPE_CHECKING:
    from xsanconf.domain.target import CacheMode
    from xsanconf.syntax import Node, Token

__all__ = ["TgtLunDefinition", "assign_tids", "store_definitions", "target_luns"]


@attrs.frozen(eq=False, repr=False)
class TgtLunDefinition:
    """One LUN as the target defines it: ``backing-store PATH`` (``block`` is None) or a
    ``<backing-store PATH>`` block (blocks of one path merge), or the same for direct-store."""

    kind: str
    path: str
    anchor: Token
    blocks: tuple[TgtBlock, ...] = ()

    def __repr__(self) -> str:
        return f"TgtLunDefinition({self.kind!r}, {self.path!r})"

    def values(self, key: str) -> list[str]:
        return [v for block in self.blocks for v in block.values(key)]


def store_definitions(target: TgtTarget) -> list[TgtLunDefinition]:
    """The target's LUN definitions in text order; a path defined twice is one LUN."""
    found: dict[tuple[str, str], TgtLunDefinition] = {}
    items: list[tuple[tuple[int, int], str, str, Token, TgtBlock | None]] = []
    for statement in target.statements():
        value = statement.value
        if statement.key in STORE_KINDS and value is not None:
            items.append((statement.position, statement.key, value, statement.token, None))
    for block in target.blocks():
        name = block.name
        if block.block_type in STORE_KINDS and name is not None:
            items.append((block.position, block.block_type, name, block.header, block))
    for _, kind, path, anchor, store_block in sorted(items, key=lambda item: item[0]):
        key = (kind, path)
        before = found.get(key)
        if before is None:
            found[key] = TgtLunDefinition(kind, path, anchor, (store_block,) if store_block else ())
        elif store_block is not None:
            found[key] = attrs.evolve(before, blocks=(*before.blocks, store_block))
    return list(found.values())


def _merged(configs: Sequence[TgtConfig]) -> dict[str, list[TgtTarget]]:
    """Targets by name over every file tgt-admin reads (their blocks merge)."""
    by_name: dict[str, list[TgtTarget]] = {}
    for config in configs:
        for target in config.targets:
            if target.name is not None:
                by_name.setdefault(target.name, []).append(target)
    return by_name


def _perl_number(text: str | None) -> int | None:
    """A tid as Perl reads a string as a number: its leading digits (None: not a number)."""
    if text is None:
        return None
    digits = ""
    for char in text.strip():
        if not char.isascii() or not char.isdigit():
            break
        digits += char
    return int(digits) if digits and len(digits) < 19 else None


def assign_tids(
    names: Sequence[str], controller_tids: dict[str, str | None]
) -> dict[str, int | None]:
    """tgt-admin's tids: by sorted name from 1, ``controller_tid`` taking over the count."""
    tids: dict[str, int | None] = {}
    next_tid: int | None = 0
    for name in sorted(names, key=lambda n: n.encode("utf-8", "surrogateescape")):
        next_tid = None if next_tid is None else next_tid + 1
        chosen = controller_tids.get(name)
        if chosen is not None:
            next_tid = _perl_number(chosen)
        tids[name] = next_tid
    return tids


class _Target:
    """One target with its blocks merged, as tgt-admin's option hash holds it (its options
    indexed once: a target of thousands of LUN lines asks for them for every LUN)."""

    def __init__(self, name: str, parts: list[TgtTarget]) -> None:
        self.name = name
        self.parts = parts
        self.by_key: dict[str, list[TgtStatement]] = {}
        for part in parts:
            for statement in part.statements():
                self.by_key.setdefault(statement.key, []).append(statement)

    def values(self, key: str) -> list[str]:
        return [v for s in self.by_key.get(key, ()) if (v := s.value) is not None]

    def first(self, key: str) -> str | None:
        found = self.values(key)
        return found[0] if found else None

    def statement_token(self, key: str) -> Token | None:
        found = self.by_key.get(key)
        return found[0].token if found else None

    def stores(self) -> list[TgtLunDefinition]:
        merged: dict[tuple[str, str], TgtLunDefinition] = {}
        for part in self.parts:
            for store in store_definitions(part):
                key = (store.kind, store.path)
                before = merged.get(key)
                merged[key] = (
                    store
                    if before is None
                    else attrs.evolve(before, blocks=(*before.blocks, *store.blocks))
                )
        return list(merged.values())


def _numbered(target: _Target) -> list[tuple[TgtLunDefinition, int | None]]:
    """tgt-admin's LUN numbers for the target's stores, in the order it creates them."""
    stores = target.stores()
    # find_next_lun compares (as strings) with every value make_key gathered from LUN
    # blocks, ``lun`` and ``allow-in-use``, and with the numbers it handed out before
    taken: set[str] = set()
    for store in stores:
        if store.blocks:
            taken.update([*store.values("lun")[:1], *store.values("allow-in-use")[:1]])
    forced = target.first("lun")
    out: list[tuple[TgtLunDefinition, int | None]] = []
    free = 1  # the lowest number not taken: it never goes down, as nothing is given back
    for kind in STORE_KINDS:
        for store in sorted(
            (s for s in stores if s.kind == kind),
            key=lambda s: s.path.encode("utf-8", "surrogateescape"),
        ):
            own = store.values("lun")
            if own:
                number = _perl_number(own[0])
            else:
                while str(free) in taken:
                    free += 1
                number = free
                taken.add(str(free))
            if forced is not None:
                number = _perl_number(forced)
            out.append((store, number))
    return out


def _option(target: _Target, store: TgtLunDefinition, key: str) -> str | None:
    own = store.values(key)
    return own[0] if own else target.first(key)


def _option_token(target: _Target, store: TgtLunDefinition, key: str) -> Token | None:
    for block in store.blocks:
        for statement in block.statements(key):
            return statement.token
    return target.statement_token(key)


def _cache(target: _Target, store: TgtLunDefinition) -> tuple[CacheMode, str]:
    """Whether writes are acknowledged from tgtd's page cache (``usr/bs_rdwr.c``: a write is
    synced only with FUA or when mode page 8 has WCE clear, which ``write-cache off`` sets;
    ``bs_aio.c`` opens with O_DIRECT; ``bsoflags sync``/``direct`` open with O_SYNC/O_DIRECT)."""
    bs_type = _option(target, store, "bs-type") or "rdwr"
    flags = (_option(target, store, "bsoflags") or "").split(":")
    if any(f.lstrip(" ").startswith(("sync", "direct")) for f in flags):
        return "write-through", "bsoflags opens the backing store with O_SYNC or O_DIRECT"
    if bs_type == "aio":
        return "write-through", "the aio backing store opens the device with O_DIRECT"
    if bs_type != "rdwr":
        return "unknown", f"bs-type {bs_type}: caching is the backing store's own"
    if _option(target, store, "write-cache") == "off":
        return "write-through", "write-cache off: tgtd syncs every write (mode page 8, WCE 0)"
    return (
        "write-back",
        "write-cache is on by default: the rdwr backing store acknowledges writes from the "
        "head's page cache",
    )


def _access(target: _Target) -> TargetAccess:
    addresses = tuple(target.values("initiator-address"))
    names = tuple(target.values("initiator-name"))
    chap = any(len(v.split(" ")) > 1 for v in target.values("incominguser"))
    all_bound = not addresses or "ALL" in addresses
    return TargetAccess(
        open=all_bound and not chap,
        initiators=() if all_bound else names,
        addresses=() if all_bound else addresses,
        chap_required=chap,
    )


def _accounts(target: _Target, discovery: list[tuple[str, str]]) -> tuple[ChapAccount, ...]:
    found = []
    for part in target.parts:
        for statement in part.statements("incominguser"):
            if statement.user:
                found.append(
                    ChapAccount(
                        "incoming", statement.user, statement.password, anchor=statement.token
                    )
                )
    for part in target.parts:
        outgoing = part.statements("outgoinguser")
        if outgoing and outgoing[0].user:
            first = outgoing[0]
            found.append(
                ChapAccount("outgoing", first.user or "", first.password, anchor=first.token)
            )
            break
    for key, value in discovery:
        words = value.split(" ")
        direction = "incoming" if key.startswith("incoming") else "outgoing"
        found.append(
            ChapAccount(
                direction,  # type: ignore[arg-type]
                words[0],
                words[1] if len(words) > 1 else None,
                scope="discovery",
            )
        )
    return tuple(found)


def target_luns(
    configs: Sequence[TgtConfig], version: tuple[int, ...] | None = None
) -> list[TargetLun]:
    """Every LUN tgt-admin creates from ``configs`` (targets.conf and what it includes, in
    reading order), with tids and numbers as it assigns them and the identity tgtd presents.

    ``version`` is tgt's (``None``: 1.0.46 or later), which decides the designator the WWID
    comes from (:mod:`xsanconf.domain.tgt_identity`)."""
    by_name = _merged(configs)
    targets = {name: _Target(name, parts) for name, parts in by_name.items()}
    tids = assign_tids(list(targets), {n: t.first("controller_tid") for n, t in targets.items()})
    discovery = [
        (key, value)
        for config in configs
        for key in ("incomingdiscoveryuser", "outgoingdiscoveryuser")
        for value in config.values(key)
    ]
    out: list[TargetLun] = []
    for name in sorted(targets, key=lambda n: n.encode("utf-8", "surrogateescape")):
        target = targets[name]
        access = _access(target)
        chap = _accounts(target, discovery)
        header: Node | Token = target.parts[0].header
        for store, number in _numbered(target):
            out.append(_lun(target, store, number, tids[name], access, chap, header, version))
    return out


def _lun(  # noqa: PLR0917 (one LUN's pieces, gathered above)
    target: _Target,
    store: TgtLunDefinition,
    number: int | None,
    tid: int | None,
    access: TargetAccess,
    chap: tuple[ChapAccount, ...],
    header: Node | Token,
    version: tuple[int, ...] | None,
) -> TargetLun:
    direct = store.kind == "direct-store"
    identity = tgt_identity(
        tid,
        number,
        scsi_id=_option(target, store, "scsi_id"),
        scsi_sn=_option(target, store, "scsi_sn"),
        vendor_id=_option(target, store, "vendor_id"),
        product_id=_option(target, store, "product_id"),
        version=version,
        vpd_unknown=direct,
    )
    cache, cache_reason = _cache(target, store)
    anchors: dict[str, Node | Token] = {"lun": store.anchor, "backing": store.anchor}
    # the identity and the serial are anchored only where written: ``sets()`` then says
    # whether the LUN presents an explicit identity or tgtd's numbered default
    for field, key in (("identity", "scsi_id"), ("serial", "scsi_sn")):
        written = _option_token(target, store, key)
        if written is not None:
            anchors[field] = written
    for field, key in (
        ("cache", "write-cache"),
        ("access", "initiator-address"),
    ):
        token = (
            _option_token(target, store, key) if field != "access" else target.statement_token(key)
        )
        anchors[field] = (
            token if token is not None else (store.anchor if field != "access" else header)
        )
    backing = None if store.path.startswith("NONE:") else store.path
    return TargetLun(
        "tgt",
        target.name,
        number,
        backing,
        _option(target, store, "bs-type") or "rdwr",
        identity,
        cache,
        access,
        cache_reason,
        chap,
        store.anchor,
        anchors,
    )
