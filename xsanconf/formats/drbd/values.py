"""Typed readings of drbd.conf values: sizes, booleans, addresses, devices, meta-disks."""

from __future__ import annotations

import re

import attrs

__all__ = [
    "Address",
    "DeviceSpec",
    "MetaDisk",
    "parse_address",
    "parse_bool",
    "parse_device",
    "parse_meta_disk",
    "parse_size",
    "quote",
    "quoted_word",
    "unquote",
]

_BARE_OK = re.compile(r"[A-Za-z0-9/._:\[\]%-]+")
_UNITS = {"": 1, "s": 512, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_SIZE = re.compile(r"(\d{1,8})([sKMG]?)")


def unquote(word: str) -> str:
    """The value of a word: quotes removed, ``\\x`` read as ``x`` (drbdadm has no C escapes)."""
    if len(word) >= 2 and word[0] == '"' and word[-1] == '"':
        return re.sub(r"\\(.)", r"\1", word[1:-1])
    return word


def quote(value: str, *, always: bool = False) -> str:
    """A word for ``value``: bare where drbdadm's scanner allows (unless ``always``), else
    quoted."""
    if _BARE_OK.fullmatch(value) and not always:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def quoted_word(text: str) -> bool:
    """Whether ``text`` is one quoted drbd word (``"/usr/lib/drbd/crm-fence-peer.sh"``): a
    value given as the file writes it."""
    return _QUOTED.fullmatch(text) is not None


def parse_size(value: str) -> int | None:
    """Bytes for a size such as ``10M`` or ``2048s`` (``None`` if it is not a size)."""
    m = _SIZE.fullmatch(value)
    if m is None:
        return None
    return int(m.group(1)) * _UNITS[m.group(2)]


def parse_bool(value: str | None) -> bool | None:
    """``opt;`` and ``opt yes;`` are true, ``opt no;`` false; anything else is not a boolean."""
    if value is None or value == "yes":
        return True
    if value == "no":
        return False
    return None


@attrs.frozen
class Address:
    """``[family] host:port``; ``family`` is ``ipv4`` unless written."""

    family: str
    host: str
    port: int | None

    def __str__(self) -> str:
        host = f"[{self.host}]" if self.family == "ipv6" else self.host
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.family} {host}{port}"

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if self.family == "ipv6" else self.host
        return f"{host}:{self.port}"


_FAMILIES = ("ipv4", "ipv6", "ssocks", "sdp", "sci", "ib")
_ADDR = re.compile(r"(?:\[(?P<v6>[^\]]*)\]|(?P<host>[^:\s]+))(?::(?P<port>\d+))?")


def parse_address(args: list[str]) -> Address | None:
    """An address from a statement's words (``ipv4 10.0.0.1:7789``, ``[fe80::1]:7789``, ...)."""
    if not args:
        return None
    family = "ipv4"
    rest = list(args)
    if rest[0] in _FAMILIES:
        family = rest.pop(0)
    text = "".join(rest)
    m = _ADDR.fullmatch(text)
    if m is None:
        return None
    if m.group("v6") is not None:
        return Address("ipv6" if family == "ipv4" else family, m.group("v6"), _int(m.group("port")))
    return Address(family, m.group("host"), _int(m.group("port")))


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


@attrs.frozen
class DeviceSpec:
    """``device /dev/drbdN [minor N]`` or ``device minor N``."""

    path: str | None
    minor: int | None

    @property
    def effective_path(self) -> str | None:
        if self.path is not None:
            return self.path
        return f"/dev/drbd{self.minor}" if self.minor is not None else None

    @property
    def effective_minor(self) -> int | None:
        if self.minor is not None:
            return self.minor
        m = re.fullmatch(r"/dev/drbd(\d+)", self.path or "")
        return int(m.group(1)) if m else None


def parse_device(args: list[str]) -> DeviceSpec | None:
    if not args:
        return None
    path: str | None = None
    minor: int | None = None
    rest = list(args)
    if rest[0] != "minor":
        path = rest.pop(0)
    if len(rest) >= 2 and rest[0] == "minor" and rest[1].isdigit():
        minor = int(rest[1])
    return DeviceSpec(path, minor)


@attrs.frozen
class MetaDisk:
    """``internal``, ``DEV`` (flexible external) or ``DEV [IDX]`` (indexed external)."""

    device: str | None
    index: int | None

    @property
    def internal(self) -> bool:
        return self.device is None


def parse_meta_disk(args: list[str]) -> MetaDisk | None:
    if not args:
        return None
    if args[0] == "internal":
        return MetaDisk(None, None)
    text = "".join(args)
    m = re.fullmatch(r"([^\[]+)(?:\[(\d+)\])?", text)
    if m is None:
        return MetaDisk(text, None)
    return MetaDisk(m.group(1), _int(m.group(2)))
