"""The LUNs a LIO ``saveconfig.json`` defines, as :class:`~xsanconf.domain.target.TargetLun`.

Only what ``targetctl restore`` creates becomes a LUN: a LUN without ``index`` or whose
``storage_object`` names no object of the file is skipped by rtslib (the facts module reports
it).  Attributes the file leaves out keep the kernel's defaults for an iSCSI TPG
(``iscsi_target_tpg.c``): ``authentication`` 1, ``generate_node_acls`` 0,
``demo_mode_write_protect`` 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.domain.lio_identity import lio_identity
from xsanconf.domain.target import ChapAccount, LunIdentity, TargetAccess, TargetLun
from xsanconf.formats.lio.model import flag

if TYPE_CHECKING:
    from xsanconf.domain.target import CacheMode
    from xsanconf.formats.lio.model import (
        LioConfig,
        LioLun,
        LioMappedLun,
        LioNodeAcl,
        LioObject,
        LioStorageObject,
        LioTarget,
        LioTpg,
    )
    from xsanconf.syntax import Node, Token

__all__ = ["target_luns"]

# iSCSI TPG attribute defaults (TA_* in iscsi_target_tpg.c / iscsi_target_core.h)
_TPG_DEFAULTS = {"authentication": 1, "generate_node_acls": 0, "demo_mode_write_protect": 1}
_WCE_APPLIED_BEFORE = (3, 9)  # kernel d0c8b259f: iblock's WCE follows the device's queue


def _tpg_flag(tpg: LioTpg, name: str) -> bool:
    value = flag(tpg.attribute(name))
    return bool(_TPG_DEFAULTS[name]) if value is None else value


def _cache(
    so: LioStorageObject, version: tuple[int, ...] | None
) -> tuple[CacheMode, str | None, Node | Token]:
    plugin = so.plugin
    wce = flag(so.attribute("emulate_write_cache"))
    if plugin == "fileio":
        if so.write_back:
            return (
                "write-back",
                "fileio write_back is true: writes go through the head's page cache "
                "(fd_buffered_io) and are acknowledged before they reach the file",
                so.anchor("write_back"),
            )
        if wce:
            return (
                "write-back",
                "emulate_write_cache=1: the LUN tells the initiator it has a volatile write "
                "cache, so the initiator sends writes without FUA and flushes later",
                so.section_anchor("attributes", "emulate_write_cache"),
            )
        return (
            "write-through",
            "fileio without write_back opens the file O_DSYNC",
            so.anchor("write_back"),
        )
    if plugin == "block":
        if wce and version is not None and version[:2] < _WCE_APPLIED_BEFORE:
            return (
                "write-back",
                "emulate_write_cache=1: before Linux 3.9 the LUN advertises a volatile write "
                "cache it does not have",
                so.section_anchor("attributes", "emulate_write_cache"),
            )
        return (
            "write-through",
            "a block object submits writes to the device without the page cache; since Linux "
            "3.9 its write cache flag is the device's own (emulate_write_cache is not applied)",
            so.node,
        )
    if plugin == "pscsi":
        return ("write-through", "pscsi passes commands through to the SCSI device", so.node)
    if plugin == "ramdisk":
        return ("unknown", "a ramdisk object keeps its data in the head's memory", so.node)
    return ("unknown", f"the cache of a {plugin} object is not in the configuration", so.node)


def _identity(so: LioStorageObject) -> tuple[LunIdentity, Node | Token]:
    serial = so.wwn or None  # rtslib: `if not wwn: wwn = generate_wwn(...)`
    alias = flag(so.attribute("emulate_model_alias"))
    found = lio_identity(so.plugin, serial, name=so.name, model_alias=bool(alias))
    identity = LunIdentity(
        found.vendor,
        found.product,
        found.serial,
        found.wwid,
        "explicit" if serial is not None else "default",
        found.reason,
        "naa" if found.wwid is not None else None,
        serial.encode("utf-8", "surrogateescape") if serial is not None else None,
        serial,  # the saved wwn is what the initiator reads: an explicit identity
    )
    return identity, so.anchor("wwn")


def _acl_accounts(acl: LioObject, initiator: str | None) -> list[ChapAccount]:
    found = []
    for direction, user_key, secret_key in (
        ("incoming", "chap_userid", "chap_password"),
        ("outgoing", "chap_mutual_userid", "chap_mutual_password"),
    ):
        user = acl.text(user_key)
        if user:
            found.append(
                ChapAccount(
                    direction,  # type: ignore[arg-type]
                    user,
                    acl.text(secret_key),
                    "target",
                    initiator,
                    acl.anchor(secret_key if acl.text(secret_key) else user_key),
                )
            )
    return found


def _discovery(config: LioConfig) -> list[ChapAccount]:
    auth = config.discovery_auth
    if auth is None or not auth.enable:
        return []
    found = []
    for direction, user, secret, key in (
        ("incoming", auth.userid, auth.password, "discovery_password"),
        ("outgoing", auth.mutual_userid, auth.mutual_password, "discovery_mutual_password"),
    ):
        if user:
            found.append(
                ChapAccount(direction, user, secret, "discovery", None, auth.anchor(key))  # type: ignore[arg-type]
            )
    return found


_Mapped = dict[int, list[tuple["LioNodeAcl", "LioMappedLun"]]]


def _mapped(tpg: LioTpg) -> _Mapped:
    """The ACLs that map each TPG LUN, with their mappings (one pass over the TPG)."""
    found: _Mapped = {}
    for acl in tpg.node_acls:
        for mapped in acl.mapped_luns:
            if mapped.tpg_lun is not None:
                found.setdefault(mapped.tpg_lun, []).append((acl, mapped))
    return found


def _access(
    target: LioTarget, tpg: LioTpg, lun: LioLun, mapped: _Mapped
) -> tuple[TargetAccess, list[ChapAccount], Node | Token]:
    if target.fabric != "iscsi":
        return TargetAccess(None), [], tpg.node
    authentication = _tpg_flag(tpg, "authentication")
    if _tpg_flag(tpg, "generate_node_acls"):
        anchor = tpg.section_anchor("attributes", "generate_node_acls")
        access = TargetAccess(
            not authentication,
            chap_required=authentication,
            read_only=_tpg_flag(tpg, "demo_mode_write_protect"),
        )
        return access, _acl_accounts(tpg, None) if authentication else [], anchor
    initiators: list[str] = []
    protected = []
    accounts: list[ChapAccount] = []
    for acl, mapping in mapped.get(lun.index, []) if lun.index is not None else []:
        name = acl.node_wwn
        if name is None:
            continue  # restore skips the ACL
        protected.append(bool(mapping.write_protect))
        if name in initiators:
            continue
        initiators.append(name)
        if authentication:
            accounts += _acl_accounts(acl, name)
    read_only = all(protected) if protected else None
    access = TargetAccess(False, tuple(initiators), (), authentication, read_only)
    return access, accounts, tpg.anchor("node_acls")


def target_luns(config: LioConfig, version: tuple[int, ...] | None) -> list[TargetLun]:
    discovery = _discovery(config)
    out = []
    for target in config.targets:
        name = target.wwn
        if name is None:
            continue  # restore skips it: "'wwn' not defined in target"
        for tpg in target.tpgs:
            mapped = _mapped(tpg)
            for lun in tpg.luns:
                where = lun.backstore()
                so = None if where is None else config.storage_object(*where)
                if so is None or lun.index is None:
                    continue  # restore refuses it (see xsanconf.lint.facts.lio)
                identity, serial_anchor = _identity(so)
                cache, cache_reason, cache_anchor = _cache(so, version)
                access, accounts, access_anchor = _access(target, tpg, lun, mapped)
                plugin = so.plugin
                backing = so.dev if plugin in ("block", "fileio", "pscsi") else None
                anchors: dict[str, Node | Token] = {
                    "lun": lun.anchor("index"),
                    "cache": cache_anchor,
                    "access": access_anchor,
                    "object": so.node,
                }
                if so.wwn:
                    # the saved wwn is both the unit serial and what the WWID is made of;
                    # anchored only when written, so that ``sets()`` tells it from the default
                    anchors["serial"] = anchors["identity"] = serial_anchor
                if backing is not None:
                    anchors["backing"] = so.anchor("dev")
                out.append(
                    TargetLun(
                        "lio",
                        name,
                        lun.index,
                        backing,
                        plugin,
                        identity,
                        cache,
                        access,
                        cache_reason,
                        (*accounts, *discovery),
                        lun.node,
                        anchors,
                        lun.storage_object,
                    )
                )
    return out
