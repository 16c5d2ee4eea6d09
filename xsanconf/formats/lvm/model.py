"""Typed views over LVM config trees: settings by path, as libdm finds them, and the volume
groups that metadata backups describe.

libdm merges sections of one name (``devices { }`` twice is one section) and takes the last
of duplicate values ("Ignoring duplicate config value", then the new value replaces it); a
name with ``/`` names a nested node (``devices/filter = [ ]`` at the top level sets the filter
of ``devices``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from xsanconf import edit
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.lvm.lexer import LvmArray, LvmString, LvmValue, read_head, read_setting
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["LogicalVolume", "LvmConfig", "LvmSetting", "VolumeGroup", "literal", "plain"]


def plain(value: LvmValue) -> Any:
    """A value as plain data: str, int, float, or a list of those."""
    if isinstance(value, LvmArray):
        return [item.value for item in value.items]
    return value.value


def literal(value: Any) -> str:
    """LVM text for a plain value: strings in double quotes, lists as ``[ a, b ]``."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _segments(name: str) -> list[str]:
    return [part for part in name.split("/") if part]


class LvmSetting:
    """``NAME = VALUE``: ``path`` is where libdm puts it (sections and ``/`` parts)."""

    __slots__ = ("doc", "path", "token")

    def __init__(self, doc: Document, token: Token, path: tuple[str, ...]) -> None:
        self.doc = doc
        self.token = token
        self.path = path

    def __repr__(self) -> str:
        return f"LvmSetting({'/'.join(self.path)!r})"

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def raw_value(self) -> LvmValue:
        return read_setting(self.token.text)[2]

    @property
    def value(self) -> Any:
        return plain(self.raw_value)

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, text: str) -> None:
        """Replace the value by ``text``, an LVM value as written."""
        _, start, _, end = read_setting(self.token.text)
        self.token.text = self.token.text[:start] + text + self.token.text[end:]
        self.doc.touched()

    def remove(self, container: Node) -> None:
        edit.remove_child(container, self.token)
        self.doc.touched()


@attrs.frozen
class LogicalVolume:
    name: str
    pvs: tuple[str, ...]  # the physical volumes (pv0, pv1 ...) its segments use


@attrs.frozen
class VolumeGroup:
    """What a metadata backup says of one volume group: its physical volumes, each with the
    device it was last seen on (``device = "/dev/..."``, a hint), and its logical volumes."""

    name: str
    devices: dict[str, str]  # pv0 -> /dev/mapper/xensan
    volumes: tuple[LogicalVolume, ...]

    def devices_of(self, lv: str) -> list[str]:
        for volume in self.volumes:
            if volume.name == lv:
                return [self.devices[pv] for pv in volume.pvs if pv in self.devices]
        return []


class LvmConfig:
    """lvm.conf, lvmlocal.conf or a metadata backup: settings by path, volume groups."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def settings(self) -> list[tuple[LvmSetting, Node]]:
        """Every setting in file order, with the node that holds its line."""
        found: list[tuple[LvmSetting, Node]] = []
        self._walk(self.doc.root, (), found)
        return found

    def _walk(
        self, node: Node, path: tuple[str, ...], found: list[tuple[LvmSetting, Node]]
    ) -> None:
        for child in node.children:
            if isinstance(child, Token) and child.kind == "SETTING":
                name = read_setting(child.text)[0]
                found.append((LvmSetting(self.doc, child, path + tuple(_segments(name))), node))
            elif isinstance(child, Node) and child.kind == "section":
                head = child.children[0]
                assert isinstance(head, Token)
                self._walk(child, path + tuple(_segments(read_head(head.text))), found)

    def setting(self, path: str) -> LvmSetting | None:
        """The setting libdm reads at ``path`` (``devices/filter``): the last one written."""
        wanted = tuple(_segments(path))
        found = [s for s, _ in self.settings() if s.path == wanted]
        return found[-1] if found else None

    def get(self, path: str, default: Any = None) -> Any:
        found = self.setting(path)
        return found.value if found is not None else default

    def sections(self, path: tuple[str, ...] = ()) -> list[str]:
        """Names of the sections directly under ``path`` (merged, in first-seen order)."""
        names: dict[str, None] = {}
        for setting, _ in self.settings():
            if setting.path[: len(path)] == path and len(setting.path) > len(path) + 1:
                names[setting.path[len(path)]] = None
        return list(names)

    def set(self, path: str, text: str) -> LvmSetting:
        """Set the value at ``path`` to ``text`` (an LVM value as written), or add
        ``path = text`` at the end of the file (libdm puts it in its section)."""
        found = self.setting(path)
        if found is not None:
            found.set(text)
            return found
        token = Token("SETTING", f"{path} = {text}")
        append_last_line(self.doc.root, token)
        self.doc.touched()
        return LvmSetting(self.doc, token, tuple(_segments(path)))

    def unset(self, path: str) -> int:
        wanted = tuple(_segments(path))
        found = [(s, node) for s, node in self.settings() if s.path == wanted]
        for setting, node in found:
            setting.remove(node)
        return len(found)

    # metadata backups ------------------------------------------------------------------------

    def volume_groups(self) -> list[VolumeGroup]:
        """The volume groups a metadata backup or archive describes (none in lvm.conf)."""
        settings = [s for s, _ in self.settings()]
        groups: list[VolumeGroup] = []
        for vg in dict.fromkeys(s.path[0] for s in settings if len(s.path) > 3):
            mine = [s for s in settings if s.path[0] == vg]
            devices = {
                s.path[2]: s.value
                for s in mine
                if s.path[1] == "physical_volumes"
                and len(s.path) == 4
                and s.name == "device"
                and isinstance(s.value, str)
            }
            volumes = [
                LogicalVolume(lv, tuple(_stripes(mine, lv)))
                for lv in dict.fromkeys(
                    s.path[2] for s in mine if s.path[1] == "logical_volumes" and len(s.path) > 3
                )
            ]
            if devices or volumes:
                groups.append(VolumeGroup(vg, devices, tuple(volumes)))
        return groups


def _stripes(settings: list[LvmSetting], lv: str) -> Iterator[str]:
    """The physical volumes a logical volume's segments name (``stripes = [ "pv0", 0 ]``)."""
    seen: set[str] = set()
    for s in settings:
        if s.path[1:3] == ("logical_volumes", lv) and s.name in ("stripes", "mirrors", "raids"):
            value = s.raw_value
            items = value.items if isinstance(value, LvmArray) else (value,)
            for item in items:
                if (
                    isinstance(item, LvmString)
                    and item.value.startswith("pv")
                    and item.value not in seen
                ):
                    seen.add(item.value)
                    yield item.value
