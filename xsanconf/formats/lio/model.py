"""Typed views over a LIO ``saveconfig.json`` tree, as rtslib-fb's ``RTSRoot.restore`` reads it.

The file is what ``RTSRoot.dump()`` writes (``json.dumps(..., sort_keys=True, indent=2)``):
``storage_objects`` (each with ``plugin`` block/fileio/ramdisk/pscsi/user, ``name``, ``dev``,
``wwn``, ``write_back``, ``readonly`` and ``attributes``), ``targets`` (``wwn``, ``fabric``,
``tpgs``: ``tag``, ``enable``, ``attributes``, ``parameters``, ``portals``, ``luns``,
``node_acls``) and ``fabric_modules`` (the iSCSI discovery authentication).  Views hold no
copies: each property reads the tree; where a key is repeated, the last one is read, as
Python's ``json`` keeps the last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.formats.lio.tree import (
    JsonObject,
    JsonScalar,
    Scalar,
    root_value,
)

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import TargetLun
    from xsanconf.syntax import Node, Token

__all__ = [
    "DiscoveryAuth",
    "LioConfig",
    "LioLun",
    "LioMappedLun",
    "LioNodeAcl",
    "LioObject",
    "LioPortal",
    "LioStorageObject",
    "LioTarget",
    "LioTpg",
    "backstore_path",
    "flag",
]

# rtslib's so_mapping: the plugin names restore accepts (two spellings for block and ramdisk)
PLUGINS = {
    "block": "block",
    "iblock": "block",
    "fileio": "fileio",
    "ramdisk": "ramdisk",
    "rd_mcp": "ramdisk",
    "pscsi": "pscsi",
    "user": "user",
}


_OWN_NAMES = frozenset(PLUGINS.values())


def flag(value: Scalar) -> bool | None:
    """A boolean as rtslib and the kernel take it: JSON true/false, or an integer attribute
    0/1 (configfs reads ``"1"``); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1"
    return None


def backstore_path(plugin: str, name: str) -> str:
    """The ``storage_object`` value of a LUN using this object, as ``LUN.dump`` writes it."""
    return f"/backstores/{plugin}/{name}"


class LioObject:
    """A JSON object of the file, with typed access to its members."""

    __slots__ = ("obj",)

    def __init__(self, obj: JsonObject) -> None:
        self.obj = obj

    @property
    def doc(self) -> Document:
        return self.obj.doc

    @property
    def node(self) -> Node:
        return self.obj.item

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.obj.position})"

    def value(self, key: str) -> Scalar:
        return self.obj.scalar(key)

    def text(self, key: str) -> str | None:
        """A string member (a number or other scalar as rtslib would write it into configfs)."""
        value = self.obj.scalar(key)
        if value is None or isinstance(value, bool):
            return None
        return value if isinstance(value, str) else str(value)

    def number(self, key: str) -> int | None:
        value = self.obj.scalar(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def flag(self, key: str) -> bool | None:
        return flag(self.obj.scalar(key))

    def anchor(self, key: str) -> Node | Token:
        """The member that sets ``key`` (for a finding's location), else this object."""
        found = self.obj.member(key)
        return self.node if found is None else found.node

    def section(self, key: str) -> dict[str, Scalar]:
        """An object of scalars (``attributes``, ``parameters``), the last of each key."""
        found = self.obj.child(key)
        if found is None:
            return {}
        out: dict[str, Scalar] = {}
        for m in found.members():
            value = m.value
            if isinstance(value, JsonScalar):
                out[m.key] = value.value
        return out

    def section_anchor(self, key: str, name: str) -> Node | Token:
        found = self.obj.child(key)
        member = None if found is None else found.member(name)
        return member.node if member is not None else self.anchor(key)

    def attribute(self, name: str) -> Scalar:
        return self.section("attributes").get(name)

    @property
    def attributes(self) -> dict[str, Scalar]:
        return self.section("attributes")


class LioStorageObject(LioObject):
    """A backstore: ``{"plugin": "block", "name": "disk0", "dev": "/dev/drbd0", ...}``."""

    __slots__ = ()

    @property
    def name(self) -> str | None:
        return self.text("name")

    @property
    def plugin(self) -> str | None:
        """``block``, ``fileio``, ``ramdisk``, ``pscsi`` or ``user`` (``iblock`` and
        ``rd_mcp``, which rtslib also takes, read as ``block`` and ``ramdisk``)."""
        value = self.text("plugin")
        return PLUGINS.get(value, value) if value is not None else None

    @property
    def dev(self) -> str | None:
        return self.text("dev")

    @property
    def wwn(self) -> str | None:
        """The T10 unit serial (VPD page 0x80); rtslib makes a fresh uuid4 when it is absent."""
        return self.text("wwn")

    @property
    def write_back(self) -> bool | None:
        return self.flag("write_back")

    @property
    def readonly(self) -> bool | None:
        return self.flag("readonly")

    @property
    def path(self) -> str | None:
        """``/backstores/PLUGIN/NAME``: how a LUN names this object."""
        raw = self.text("plugin")
        if raw is None or self.name is None:
            return None
        return backstore_path(raw, self.name)


class LioPortal(LioObject):
    __slots__ = ()

    @property
    def ip_address(self) -> str | None:
        return self.text("ip_address")

    @property
    def port(self) -> int | None:
        return self.number("port")


class LioLun(LioObject):
    """``{"index": 0, "storage_object": "/backstores/block/disk0", "alias": "..."}``."""

    __slots__ = ()

    @property
    def index(self) -> int | None:
        return self.number("index")

    @property
    def storage_object(self) -> str | None:
        return self.text("storage_object")

    @property
    def alias(self) -> str | None:
        return self.text("alias")

    def backstore(self) -> tuple[str, str] | None:
        """``(plugin, name)`` as ``LUN.setup`` splits ``storage_object``: exactly two parts
        after ``/backstores/``; None when it would be refused as malformed."""
        value = self.storage_object
        if value is None:
            return None
        parts = value.split("/")[2:]
        if len(parts) != 2:
            return None
        return parts[0], parts[1]


class LioMappedLun(LioObject):
    __slots__ = ()

    @property
    def index(self) -> int | None:
        return self.number("index")

    @property
    def tpg_lun(self) -> int | None:
        return self.number("tpg_lun")

    @property
    def write_protect(self) -> bool | None:
        return self.flag("write_protect")


class _Chap(LioObject):
    __slots__ = ()

    @property
    def chap_userid(self) -> str | None:
        return self.text("chap_userid")

    @property
    def chap_password(self) -> str | None:
        return self.text("chap_password")

    @property
    def chap_mutual_userid(self) -> str | None:
        return self.text("chap_mutual_userid")

    @property
    def chap_mutual_password(self) -> str | None:
        return self.text("chap_mutual_password")


class LioNodeAcl(_Chap):
    """An initiator allowed into a TPG: ``node_wwn``, CHAP, ``mapped_luns``, ``attributes``."""

    __slots__ = ()

    @property
    def node_wwn(self) -> str | None:
        return self.text("node_wwn")

    @property
    def mapped_luns(self) -> list[LioMappedLun]:
        return [LioMappedLun(o) for o in self.obj.objects("mapped_luns")]


class LioTpg(_Chap):
    __slots__ = ()

    @property
    def tag(self) -> int | None:
        return self.number("tag")

    @property
    def enable(self) -> bool:
        """rtslib enables a TPG unless ``enable`` says otherwise (``tpg.get('enable', True)``)."""
        found = self.obj.get("enable")
        if found is None:
            return True
        return bool(found.plain())

    @property
    def parameters(self) -> dict[str, Scalar]:
        return self.section("parameters")

    @property
    def portals(self) -> list[LioPortal]:
        return [LioPortal(o) for o in self.obj.objects("portals")]

    @property
    def luns(self) -> list[LioLun]:
        return [LioLun(o) for o in self.obj.objects("luns")]

    @property
    def node_acls(self) -> list[LioNodeAcl]:
        return [LioNodeAcl(o) for o in self.obj.objects("node_acls")]


class LioTarget(LioObject):
    __slots__ = ()

    @property
    def wwn(self) -> str | None:
        return self.text("wwn")

    @property
    def fabric(self) -> str | None:
        return self.text("fabric")

    @property
    def tpgs(self) -> list[LioTpg]:
        return [LioTpg(o) for o in self.obj.objects("tpgs")]


class DiscoveryAuth(LioObject):
    """The iSCSI fabric module's discovery authentication (``fabric_modules[name=iscsi]``)."""

    __slots__ = ()

    @property
    def name(self) -> str | None:
        return self.text("name")

    @property
    def enable(self) -> bool | None:
        return self.flag("discovery_enable_auth")

    @property
    def userid(self) -> str | None:
        return self.text("discovery_userid")

    @property
    def password(self) -> str | None:
        return self.text("discovery_password")

    @property
    def mutual_userid(self) -> str | None:
        return self.text("discovery_mutual_userid")

    @property
    def mutual_password(self) -> str | None:
        return self.text("discovery_mutual_password")


class LioConfig:
    """The whole file: ``root`` is its top object (None when the file holds another value,
    which rtslib cannot restore)."""

    __slots__ = ("_index", "doc")

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._index: tuple[int, dict[tuple[str, str], LioStorageObject]] | None = None

    def __repr__(self) -> str:
        return f"LioConfig({self.doc.path!r})"

    def _objects_by_path(self) -> dict[tuple[str, str], LioStorageObject]:
        """The first object of each plugin and name (restore cannot create a second one),
        computed once per edit: every LUN looks its object up here."""
        if self._index is None or self._index[0] != self.doc.generation:
            found: dict[tuple[str, str], LioStorageObject] = {}
            for so in self.storage_objects:
                plugin, name = so.plugin, so.name
                if plugin is not None and name is not None:
                    found.setdefault((plugin, name), so)
            self._index = (self.doc.generation, found)
        return self._index[1]

    @property
    def root(self) -> JsonObject | None:
        top = root_value(self.doc)
        return top if isinstance(top, JsonObject) else None

    def _objects(self, key: str) -> list[JsonObject]:
        root = self.root
        return [] if root is None else root.objects(key)

    @property
    def storage_objects(self) -> list[LioStorageObject]:
        return [LioStorageObject(o) for o in self._objects("storage_objects")]

    @property
    def targets(self) -> list[LioTarget]:
        return [LioTarget(o) for o in self._objects("targets")]

    @property
    def fabric_modules(self) -> list[DiscoveryAuth]:
        return [DiscoveryAuth(o) for o in self._objects("fabric_modules")]

    @property
    def discovery_auth(self) -> DiscoveryAuth | None:
        """The iSCSI fabric's entry; rtslib writes it only while discovery auth is enabled."""
        found = [f for f in self.fabric_modules if f.name == "iscsi"]
        return found[-1] if found else None

    def storage_object(self, plugin: str, name: str) -> LioStorageObject | None:
        """The object ``LUN.setup`` finds for ``/backstores/PLUGIN/NAME``: rtslib compares
        the plugin with the object's own (``block``, ``fileio`` ...), so ``iblock`` in a LUN
        finds nothing."""
        if plugin not in _OWN_NAMES:
            return None
        return self._objects_by_path().get((plugin, name))

    def target(self, wwn: str) -> LioTarget | None:
        found = [t for t in self.targets if t.wwn == wwn]
        return found[0] if found else None

    def target_luns(self, version: tuple[int, ...] | None = None) -> list[TargetLun]:
        """Every LUN of every TPG as :class:`xsanconf.domain.target.TargetLun` records;
        ``version`` is the Linux kernel's (LIO is in the kernel)."""
        from xsanconf.formats.lio.luns import target_luns

        return target_luns(self, version)
