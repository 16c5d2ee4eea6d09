"""The parameter list of a ``Lun`` line, read as the IET kernel module reads it.

ietd trims the text after the LUN number and hands it to the kernel, which splits it on every
``,`` (``strsep``), skips empty pieces, lower-cases each piece *up to its first* ``=`` and
matches ``key=value``: keys are case-insensitive, values keep their case, a blank around a
comma becomes part of a key or value, and trailing ``# text`` becomes part of the last value.
Sources: IET 1.4.20 ``usr/ctldev.c`` (trimming), ``kernel/volume.c``, ``kernel/file-io.c``,
``kernel/block-io.c``, ``kernel/null-io.c`` (parsing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from xsanconf.domain.numerals import read_int

__all__ = ["KNOWN_KEYS", "LunParam", "LunParams", "format_params"]

# Kernel name (lower case) -> the spelling the man page uses, for keys written by xsanconf.
KNOWN_KEYS: dict[str, str] = {
    "path": "Path",
    "type": "Type",
    "scsiid": "ScsiId",
    "scsisn": "ScsiSN",
    "iomode": "IOMode",
    "blocksize": "BlockSize",
    "blocks": "Blocks",
    "sectors": "Sectors",
}
_FIELDS = {
    "path": "path",
    "type": "type",
    "scsiid": "scsi_id",
    "scsisn": "scsi_sn",
    "iomode": "io_mode",
    "blocksize": "block_size",
    "blocks": "blocks",
    "sectors": "blocks",  # null-io's older name for the same count
}


def canonical_key(key: str) -> str:
    """The spelling xsanconf writes for ``key`` (``scsiid`` -> ``ScsiId``); unknown keys kept."""
    return KNOWN_KEYS.get(key.lower(), key)


@attrs.frozen
class LunParam:
    """One ``key=value`` piece; offsets are relative to the parameter string.

    ``value`` is ``None`` for a piece without ``=``.
    """

    key: str
    value: str | None
    start: int
    end: int

    @property
    def name(self) -> str:
        """The key as the kernel compares it."""
        return self.key.lower()

    @property
    def value_start(self) -> int:
        return self.start + len(self.key) + 1

    @property
    def known(self) -> bool:
        return self.name in KNOWN_KEYS


def _pieces(text: str) -> list[LunParam]:
    found: list[LunParam] = []
    start = 0
    for piece in text.split(","):
        end = start + len(piece)
        if piece:
            key, equals, value = piece.partition("=")
            found.append(LunParam(key, value if equals else None, start, end))
        start = end + 1
    return found


@attrs.frozen
class LunParams:
    """The typed record of a ``Lun`` parameter list.

    Fields hold values exactly as the kernel receives them (``None`` when absent); when a key
    is repeated the last one is shown here and ``duplicates`` names it.  ``unknown`` keeps
    every other ``key=value`` in order, with the key as written.
    """

    path: str | None = None
    type: str | None = None
    scsi_id: str | None = None
    scsi_sn: str | None = None
    io_mode: str | None = None
    block_size: str | None = None
    blocks: str | None = None
    unknown: tuple[tuple[str, str | None], ...] = ()
    duplicates: tuple[str, ...] = ()
    pieces: tuple[LunParam, ...] = attrs.field(default=(), eq=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> LunParams:
        pieces = _pieces(text)
        values: dict[str, str | None] = {}
        unknown: list[tuple[str, str | None]] = []
        seen: dict[str, int] = {}
        for piece in pieces:
            field = _FIELDS.get(piece.name)
            if field is None or piece.value is None:
                unknown.append((piece.key, piece.value))
                continue
            values[field] = piece.value
            seen[piece.name] = seen.get(piece.name, 0) + 1
        duplicates = tuple(KNOWN_KEYS[name] for name, count in seen.items() if count > 1)
        return cls(**values, unknown=tuple(unknown), duplicates=duplicates, pieces=tuple(pieces))

    @property
    def io_type(self) -> str:
        """The I/O type the LUN gets: ``Type`` as written, else IET's default ``fileio``."""
        return self.type if self.type is not None else "fileio"

    @property
    def block_size_bytes(self) -> int | None:
        """``BlockSize`` as a number (``None`` if absent or not a decimal number)."""
        value = self.block_size
        return read_int(value)

    def get(self, key: str) -> str | None:
        """The value of ``key`` (any case), known or not; the last one when repeated."""
        name = key.lower()
        found = [p.value for p in self.pieces if p.name == name]
        return found[-1] if found else None

    def find(self, key: str) -> list[LunParam]:
        name = key.lower()
        return [p for p in self.pieces if p.name == name]


def format_params(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    """A parameter list in IET's documented spelling, ``Path=...,Type=...``."""
    items = params.items() if isinstance(params, Mapping) else params
    out = []
    for key, value in items:
        if "," in value or any(c in value for c in " \t\n\r\v\f"):
            raise ValueError(f"a Lun parameter value cannot contain ',' or blanks: {value!r}")
        out.append(f"{canonical_key(key)}={value}")
    return ",".join(out)
