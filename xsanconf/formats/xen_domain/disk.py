"""Xen disk specification strings (``disk = [ '...' ]``), in the xm and the xl forms.

Facts from xl-disk-configuration(5) and xmdomain.cfg(5):

* xl form: comma-separated items; ``key=value`` items and flags anywhere, unnamed items fill
  the positional slots *target, format, vdev, access* in order; ``target=`` swallows the rest of
  the string (commas included), so it comes last.
* xm (deprecated) form: ``[<prefix>:]<target>,<vdev>[:<devtype>],<mode>`` -- after a prefix the
  positional slots are *target, vdev, access*.  Prefixes ``raw: qcow: qcow2: vhd: qed:`` name
  the format; ``iscsi: nbd: enbd: drbd:`` name a ``block-<name>`` hotplug script; ``phy: file:
  tap: tap2: tapdisk: aio: ioemu:`` select a backend (xl strips and ignores them).
* Modes: ``r``/``ro`` read-only, ``w``/``rw`` read-write, ``w!`` read-write and shareable (xend
  skips its "device in use" check).
"""

from __future__ import annotations

import attrs

__all__ = ["FORMATS", "SCRIPT_PREFIXES", "DiskSpec", "parse_disk_spec"]

FORMATS = frozenset({"raw", "qcow", "qcow2", "vhd", "qed"})
SCRIPT_PREFIXES = frozenset({"iscsi", "nbd", "enbd", "drbd"})
BACKEND_PREFIXES = frozenset({"phy", "file", "tap", "tap2", "tapdisk", "aio", "ioemu"})
_FLAGS = frozenset({"cdrom", "direct-io-safe", "discard", "no-discard", "colo"})
_KEYS = frozenset(
    {
        "target",
        "format",
        "vdev",
        "access",
        "devtype",
        "backend",
        "backendtype",
        "script",
        "specification",
        "trusted",
        "untrusted",
        "colo-host",
        "colo-port",
        "colo-export",
        "active-disk",
        "hidden-disk",
    }
)


@attrs.frozen
class DiskSpec:
    """One disk specification, read without running anything.

    ``prefixes`` are the ``name:`` prefixes as written (``("tap", "aio")``); ``script`` is a
    hotplug script named by a prefix (``drbd:r0``) or by ``script=``; ``target`` is the path or
    script argument as written (``phy:sda6`` stays ``sda6``: see :attr:`device_path`).
    """

    text: str
    target: str | None = None
    vdev: str | None = None
    access: str | None = None
    format: str | None = None
    script: str | None = None
    prefixes: tuple[str, ...] = ()
    devtype: str | None = None
    backendtype: str | None = None
    options: tuple[tuple[str, str | None], ...] = ()
    legacy: bool = False

    @property
    def prefix(self) -> str:
        """The prefixes as written: ``"tap:aio:"``, ``"phy:"`` or ``""``."""
        return "".join(p + ":" for p in self.prefixes)

    @property
    def kind(self) -> str:
        """``phy``, ``file``, ``tap``, ``script`` or ``path`` (no prefix: xl decides)."""
        if self.script is not None:
            return "script"
        for p in self.prefixes:
            if p in ("tap", "tap2", "tapdisk", "aio"):
                return "tap"
            if p in ("phy", "file"):
                return p
        if self.backendtype in ("phy", "tap"):
            return self.backendtype
        return "path"

    @property
    def device_path(self) -> str | None:
        """The target as a path: a ``phy:`` name without ``/`` is relative to ``/dev``."""
        target = self.target
        if not target or self.script is not None:
            return target
        if not target.startswith("/") and self.kind in ("phy", "path"):
            return "/dev/" + target
        return target

    @property
    def read_only(self) -> bool:
        if self.access is None:
            return self.devtype == "cdrom"
        return self.access in ("r", "ro")

    @property
    def shared_write(self) -> bool:
        """``w!``: writable and allowed in several domains at once."""
        return self.access == "w!"

    @property
    def is_cdrom(self) -> bool:
        return self.devtype == "cdrom"


def _split_prefixes(target: str) -> tuple[tuple[str, ...], str]:
    prefixes: list[str] = []
    rest = target
    while ":" in rest:
        head, tail = rest.split(":", 1)
        name = head.strip().lower()
        known = name in FORMATS or name in SCRIPT_PREFIXES or name in BACKEND_PREFIXES
        # xm let any block-<name> script be named as a prefix; a path never has one
        unknown_script = not prefixes and name.isidentifier() and "/" not in head
        if not (known or unknown_script):
            break
        prefixes.append(head.strip())
        rest = tail
        if name in SCRIPT_PREFIXES or not known:
            break
    return tuple(prefixes), rest


def parse_disk_spec(text: str) -> DiskSpec:
    """Read a disk spec; never raises (unreadable parts are left as None)."""
    keyed: dict[str, str | None] = {}
    positional: list[str] = []
    rest = text
    while rest is not None:
        item, sep, tail = rest.partition(",")
        stripped = item.strip()
        key, eq, value = stripped.partition("=")
        key = key.strip()
        if eq and key == "target":
            keyed["target"] = (value + sep + tail).lstrip() if sep else value.lstrip()
            break
        if eq and (key in _KEYS or (not positional and "/" not in key)):
            keyed[key] = value.strip()
        elif not eq and stripped in _FLAGS:
            keyed[stripped] = None
        else:
            positional.append(stripped)
        rest = tail if sep else None  # type: ignore[assignment]
    return _assemble(text, keyed, positional)


def _assemble(text: str, keyed: dict[str, str | None], positional: list[str]) -> DiskSpec:
    target = keyed.get("target")
    prefixes: tuple[str, ...] = ()
    if positional and target is None:
        prefixes, first = _split_prefixes(positional[0])
        positional = [first, *positional[1:]]
    elif target is not None:
        prefixes, target = _split_prefixes(target)
    legacy = bool(prefixes) or (
        len(positional) == 3 and positional[1].lower() not in FORMATS and positional[1] != ""
    )
    slots = ("target", "vdev", "access") if legacy else ("target", "format", "vdev", "access")
    values: dict[str, str | None] = dict.fromkeys(slots)
    for slot, item in zip(slots, positional, strict=False):
        values[slot] = item or None
    for slot in slots:
        if slot in keyed:
            values[slot] = keyed[slot] or None
    vdev = values["vdev"]
    devtype = keyed.get("devtype") or ("cdrom" if "cdrom" in keyed else None)
    if vdev and ":" in vdev:
        vdev, devtype = vdev.split(":", 1)
    fmt = values.get("format") or keyed.get("format")
    script = keyed.get("script")
    for p in prefixes:
        name = p.lower()
        if name in FORMATS:
            fmt = fmt or name
        elif name in SCRIPT_PREFIXES or name not in BACKEND_PREFIXES:
            script = script or name
    options = tuple(
        (k, v) for k, v in keyed.items() if k not in ("target", "format", "vdev", "access")
    )
    return DiskSpec(
        text=text,
        target=values["target"] if target is None else target,
        vdev=vdev,
        access=values["access"],
        format=fmt,
        script=script,
        prefixes=prefixes,
        devtype=devtype,
        backendtype=keyed.get("backendtype"),
        options=options,
        legacy=legacy,
    )
