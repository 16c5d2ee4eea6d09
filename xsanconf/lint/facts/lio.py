"""LIO saveconfig.json facts for the SYN rules: what ``targetctl restore`` refuses.

rtslib-fb's ``RTSRoot.restore`` (``rtslib/root.py``, ``target.py``, ``tcm.py``) skips an object
it cannot create and prints why (``..., skipped``), or stops on an exception.  These are the
refusals the file alone shows: a storage object without ``name``, with an unknown ``plugin``, a
key its constructor does not take or a value ``"%d"`` cannot format; a target without ``wwn``
or ``fabric``; a LUN whose ``storage_object`` is malformed or names no object; a mapped LUN
naming no LUN of its TPG; a node ACL, portal or LUN missing a required key; a TPG ``enable``
that ``int()`` cannot read.  A key written twice in one object is a SYN004 duplicate: Python's
``json`` keeps the last, so the first is never read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.formats.lio.model import LioConfig, LioObject, LioTpg
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.site import SiteFile
    from xsanconf.syntax import Node, Token

__all__ = ["duplicates", "invalid_values"]

# What each storage object class's constructor takes (tcm.py), after restore drops these:
_DROPPED = frozenset({"exists", "attributes", "plugin", "buffered_mode", "alua_tpgs"})
_TAKEN = {
    "block": frozenset({"name", "dev", "wwn", "readonly", "write_back", "index", "exclusive"}),
    "fileio": frozenset({"name", "dev", "size", "wwn", "write_back", "aio", "index"}),
    "ramdisk": frozenset({"name", "size", "wwn", "nullio", "index"}),
    "pscsi": frozenset({"name", "dev", "index"}),
    "user": frozenset({"name", "config", "size", "wwn", "hw_max_sectors", "control", "index"}),
}
# Values written with "%d" into configfs: (plugin, key, only when truthy)
_FORMATTED = (
    ("block", "readonly", False),
    ("block", "exclusive", False),
    ("fileio", "write_back", True),
    ("fileio", "aio", True),
)
_SKIPPED = "targetctl restore skips"


def _formats_as_int(value: object) -> bool:
    """Whether ``"%d" % value`` works: bool, int, float (not NaN or infinite)."""
    if isinstance(value, bool | int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _storage_objects(file: SiteFile, config: LioConfig) -> Iterator[Finding]:
    from xsanconf.formats.lio.model import PLUGINS

    seen: dict[tuple[str, str], LioObject] = {}
    for so in config.storage_objects:
        name, raw = so.name, so.text("plugin")
        if name is None:
            yield _at(file, so.node, f"a storage object without 'name': {_SKIPPED} it")
            continue
        if raw not in PLUGINS:
            why = "no 'plugin'" if raw is None else f"the plugin {raw!r}"
            yield _at(
                file,
                so.anchor("plugin"),
                f"storage object {name!r} has {why}; rtslib knows block, fileio, ramdisk, "
                f"pscsi and user: {_SKIPPED} it",
            )
            continue
        plugin = PLUGINS[raw]
        refused = list(_refusals(file, so, plugin, name))
        yield from refused
        if refused:
            continue  # it is not created, so a later object of its name is
        first = seen.setdefault((plugin, name), so)
        if first is not so:
            yield _at(
                file,
                so.anchor("name"),
                f"storage object {plugin}/{name} is defined again: it exists already when "
                f"restore reaches this one, which it skips",
                (file.location(first.node, "defined first here"),),
            )


def _refusals(file: SiteFile, so: LioObject, plugin: str, name: str) -> Iterator[Finding]:
    """Why rtslib cannot create this storage object (its constructor's refusals)."""
    if any(c in name for c in "/ \t\n"):
        yield _at(
            file,
            so.anchor("name"),
            f"a storage object's name cannot hold '/', blanks or newlines: {_SKIPPED} {name!r}",
        )
    for member in so.obj.members():
        if member.key not in _TAKEN[plugin] | _DROPPED:
            yield _at(
                file,
                member.node,
                f"a {plugin} storage object takes no '{member.key}': rtslib cannot create "
                f"{name!r} and {_SKIPPED} it",
            )
    for owner, key, when_true in _FORMATTED:
        found = so.obj.get(key) if owner == plugin else None
        if found is None:
            continue
        value = found.plain()
        if when_true and not value:
            continue
        if not _formats_as_int(value):
            yield _at(
                file,
                so.anchor(key),
                f"'{key}' of {name!r} must be true, false or a number (rtslib writes it "
                f"with %d): {_SKIPPED} the object",
            )


def _tpg(file: SiteFile, config: LioConfig, target: str, tpg: LioTpg) -> Iterator[Finding]:
    enable = tpg.obj.get("enable")
    if enable is not None:
        value = enable.plain()
        readable = _formats_as_int(value) or (isinstance(value, str) and value.strip().isdigit())
        if not readable:
            yield _at(
                file,
                tpg.anchor("enable"),
                f"'enable' of a TPG of {target} must be true, false or a number: restore "
                "fails on it (int() cannot read it) and stops",
            )
    luns: set[int] = set()
    for lun in tpg.luns:
        if lun.index is None:
            yield _at(file, lun.node, f"a LUN of {target} without 'index': {_SKIPPED} it")
            continue
        luns.add(lun.index)
        where = lun.backstore()
        if where is None:
            yield _at(
                file,
                lun.anchor("storage_object"),
                f"LUN {lun.index} of {target}: 'storage_object' must be "
                f"/backstores/PLUGIN/NAME: {_SKIPPED} the LUN",
            )
        elif config.storage_object(*where) is None:
            yield _at(
                file,
                lun.anchor("storage_object"),
                f"LUN {lun.index} of {target} uses {lun.storage_object}, which no storage "
                f"object of this file is: {_SKIPPED} the LUN",
            )
    for portal in tpg.portals:
        for key in ("ip_address", "port"):
            if portal.obj.get(key) is None:
                yield _at(file, portal.node, f"a portal of {target} without '{key}': skipped")
    for acl in tpg.node_acls:
        if acl.node_wwn is None:
            yield _at(file, acl.node, f"a node ACL of {target} without 'node_wwn': skipped")
            continue
        for mapped in acl.mapped_luns:
            if mapped.tpg_lun is None or mapped.index is None:
                key = "tpg_lun" if mapped.tpg_lun is None else "index"
                yield _at(file, mapped.node, f"a mapped LUN of {acl.node_wwn} without '{key}'")
            elif mapped.tpg_lun not in luns:
                yield _at(
                    file,
                    mapped.anchor("tpg_lun"),
                    f"mapped LUN {mapped.index} of {acl.node_wwn} names TPG LUN "
                    f"{mapped.tpg_lun}, which this TPG does not have: {_SKIPPED} it",
                )


def invalid_values(file: SiteFile) -> Iterator[Finding]:
    config: LioConfig = file.doc.model
    if config.root is None:
        yield Finding(
            "the file holds no JSON object: targetctl restore fails on it and restores nothing",
            file.location(),
        )
        return
    yield from _storage_objects(file, config)
    for target in config.targets:
        name = target.wwn
        if name is None or target.fabric is None:
            key = "wwn" if name is None else "fabric"
            yield _at(file, target.node, f"a target without '{key}': {_SKIPPED} it")
            continue
        for tpg in target.tpgs:
            yield from _tpg(file, config, name, tpg)


def _at(
    file: SiteFile, item: Node | Token, message: str, related: tuple[Location, ...] = ()
) -> Finding:
    return Finding(message, file.location(item), related)


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A key written twice in one object: json keeps the last, the earlier ones are dead text."""
    from xsanconf.formats.lio.tree import JsonArray, JsonObject, root_value

    top = root_value(file.doc)
    stack = [top] if isinstance(top, JsonObject | JsonArray) else []
    while stack:
        current = stack.pop()
        if isinstance(current, JsonArray):
            stack += [v for v in current.items() if isinstance(v, JsonObject | JsonArray)]
            continue
        assert isinstance(current, JsonObject)
        members = current.members()
        last = {m.key: m for m in members}
        for m in members:
            if last[m.key] is not m:
                yield Finding(
                    f"'{m.key}' is given again in this object (line "
                    f"{file.doc.position(last[m.key].node)[0]}); Python's json, and so rtslib, "
                    "reads only the last one, so this one has no effect",
                    file.location(m.node),
                    (file.location(last[m.key].node, "rtslib reads this one"),),
                )
        stack += [v for v in (m.value for m in members) if isinstance(v, JsonObject | JsonArray)]
