"""``/proc/drbd``: the module's version and, up to 8.4, one line of state per device.

8.x prints ``version: 8.4.11 (api:1/proto:86-101)``, a ``GIT-hash:`` or ``srcversion:`` line,
then for each minor `` 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----``
and counters (``ns:... nr:...``), resync progress lines under a syncing device.  Before 8.3 the
roles are ``st:`` instead of ``ro:``; an unconfigured minor shows ``cs:Unconfigured`` alone.
DRBD 9 keeps only the version, build and transport lines: its state is in ``drbdsetup
status`` (``reduced`` is True then).
"""

from __future__ import annotations

import re

import attrs

from xsanconf.captures.common import Unread, lines

__all__ = ["ProcDrbd", "ProcDrbdDevice", "parse_proc_drbd"]


@attrs.frozen
class ProcDrbdDevice:
    """One minor's state line."""

    minor: int
    line: int
    connection: str  # cs:
    role: str | None = None  # local role (ro: or st:), None when unconfigured
    peer_role: str | None = None
    disk: str | None = None  # ds: local
    peer_disk: str | None = None
    protocol: str | None = None  # A, B or C

    @property
    def configured(self) -> bool:
        return self.connection != "Unconfigured"


@attrs.frozen
class ProcDrbd:
    version: str | None  # "8.4.11"
    version_line: int | None
    api: str | None  # "api:1/proto:86-101"
    devices: tuple[ProcDrbdDevice, ...] = ()
    unread: tuple[Unread, ...] = ()

    @property
    def reduced(self) -> bool:
        """DRBD 9's form: a version and no device lines."""
        return (
            self.version is not None
            and self.version.split(".")[0].isdigit()
            and int(self.version.split(".")[0]) >= 9
        )


_VERSION = re.compile(r"^version:\s*(\S+)(?:\s+\((.*)\))?")
_DEVICE = re.compile(r"^\s*(\d+):\s+cs:(\S+)(.*)$")
_PAIR = re.compile(r"\b(ro|st|ds):(\S+?)/(\S+)")
# lines that belong to a device or to the build and say nothing about state
_KNOWN = re.compile(
    r"^\s*(GIT-hash:|srcversion:|SVN Revision:|Transports|ns:|resync:|act_log:|\[[=>.]*\]|"
    r"finish:|sync'ed:|\s*$)"
)


def parse_proc_drbd(text: str) -> ProcDrbd:
    version = api = None
    version_line = None
    devices: list[ProcDrbdDevice] = []
    unread: list[Unread] = []
    for number, line in lines(text):
        found = _VERSION.match(line)
        if found is not None and version is None:
            version, api, version_line = found.group(1), found.group(2), number
            continue
        device = _DEVICE.match(line)
        if device is not None:
            devices.append(_device(int(device.group(1)), number, device.group(2), device.group(3)))
            continue
        if not _KNOWN.match(line):
            unread.append(Unread(number, line))
    return ProcDrbd(version, version_line, api, tuple(devices), tuple(unread))


def _device(minor: int, number: int, cs: str, rest: str) -> ProcDrbdDevice:
    pairs = {m.group(1): (m.group(2), m.group(3)) for m in _PAIR.finditer(rest)}
    roles = pairs.get("ro") or pairs.get("st") or (None, None)
    disks = pairs.get("ds", (None, None))
    words = rest.split()
    protocol = next((w for w in words if w in ("A", "B", "C")), None)
    return ProcDrbdDevice(minor, number, cs, roles[0], roles[1], disks[0], disks[1], protocol)
