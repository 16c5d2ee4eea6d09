"""ietd.conf values as the iSCSI Enterprise Target reads them (``usr/param.c``, ``usr/plain.c``,
``kernel/param.c``, the I/O types' parameter parsers); facts in ``reference/ietd.md``.

A target or session parameter ietd cannot read or that is out of range never stops the target:
a Yes/No or digest value that is not spelled exactly is ignored (the default stays), a number
is read with ``strtol(..., 0)`` (``0x`` hex, a leading ``0`` octal, no digits 0) and one out of
range is replaced by the minimum, and some values are forced by the kernel -- warnings.  A
``Lun`` whose ``Type``, ``IOMode`` or ``BlockSize`` the kernel refuses is not created at all --
an error.  These readings are the same in every IET release from 1.4.19 on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from xsanconf.domain.numerals import read_int
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.values import Invalid

if TYPE_CHECKING:
    from xsanconf.formats.ietd.model import IetLun, IetStatement
    from xsanconf.lint.site import SiteFile

__all__ = ["invalid_values"]

# Parameters by key: (low, high, the value an out-of-range number becomes).
_NUMBERS: dict[str, tuple[int, int, int]] = {
    "Wthreads": (1, 128, 1),
    "QueuedCommands": (1, 256, 1),
    "NOPInterval": (0, 90, 0),
    "NOPTimeout": (0, 90, 0),
    "MaxConnections": (1, 65535, 1),
    "MaxRecvDataSegmentLength": (512, 16777215, 512),
    "MaxXmitDataSegmentLength": (512, 16777215, 512),
    "MaxBurstLength": (512, 16777215, 512),
    "FirstBurstLength": (512, 16777215, 512),
    "DefaultTime2Wait": (0, 3600, 3600),
    "MaxOutstandingR2T": (1, 65535, 1),
    "OFMarkInt": (1, 65535, 1),
    "IFMarkInt": (1, 65535, 1),
}
# Values the kernel forces whatever the file says (kernel/param.c, sess_param_check).
_FORCED: dict[str, str] = {
    "ErrorRecoveryLevel": "0",
    "DefaultTime2Retain": "0",
    "DataPDUInOrder": "Yes",
    "DataSequenceInOrder": "Yes",
    "OFMarker": "No",
    "IFMarker": "No",
}
_YES_NO: dict[str, str] = {"InitialR2T": "Yes", "ImmediateData": "Yes"}
_DIGESTS = frozenset({"None", "CRC32C"})
_LUN_TYPES = ("fileio", "blockio", "nullio")
_IO_MODES = ("wt", "wb", "ro")
_BLOCK_SIZES = ("512", "1024", "2048", "4096")


@functools.cache  # compiled on first use: many runs never need it
def _c_number() -> re.Pattern[str]:
    return re.compile(r"[ \t\n\r\v\f]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?")


_LONG_MAX = 2**63 - 1


def invalid_values(file: SiteFile, versions: Sequence[str]) -> Iterator[Invalid]:
    """Each target, session or LUN value ietd or the kernel refuses or replaces."""
    for target in file.doc.model.targets:
        for statement in target.statements():
            message = _parameter(statement)
            if message is not None:
                yield Invalid(file.location(statement.token), message, Severity.WARNING)
        for lun in target.luns:
            message = _lun(lun)
            if message is not None:
                yield Invalid(file.location(lun.token), message, Severity.ERROR)


def _strtol(value: str) -> int:
    """``strtol(value, NULL, 0)``: what ietd reads (junk after the number is ignored)."""
    found = _c_number().match(value)
    assert found is not None  # every part is optional
    sign, digits = found.groups()
    if not digits:
        return 0
    if digits[:2] in ("0x", "0X"):
        number = read_int(digits[2:], 16)
    else:
        number = read_int(digits, 8 if digits[0] == "0" else 10)
    # strtol saturates at LONG_MAX (LONG_MIN for a negative number)
    number = _LONG_MAX if number is None else min(number, _LONG_MAX)
    return -number if sign == "-" else number


def _parameter(statement: IetStatement) -> str | None:
    key, value = statement.key, statement.value
    if value is None:
        return None
    if key in _YES_NO and value not in ("Yes", "No"):
        return (
            f"{key} takes exactly 'Yes' or 'No' (case matters): ietd ignores '{value}' and "
            f"keeps the default, {_YES_NO[key]}"
        )
    if key in _FORCED:
        forced = _FORCED[key]
        same = value == forced if not forced.isdigit() else _strtol(value) == _strtol(forced)
        if not same:
            return f"{key} is always {forced} with IET: the kernel replaces '{value}' with it"
        return None
    if key in ("HeaderDigest", "DataDigest"):
        if not set(value.split(",")) <= _DIGESTS:
            return (
                f"{key} takes 'None', 'CRC32C' or a list of both (exact case): ietd ignores "
                f"'{value}' and keeps None"
            )
        return None
    bounds = _NUMBERS.get(key)
    if bounds is None:
        return None
    low, high, instead = bounds
    number = _strtol(value)
    if low <= number <= high:
        return None
    read = "" if str(number) == value else f" (read as {number})"
    return (
        f"{key} {value}{read} is outside {low}..{high}: ietd replaces it with {instead} "
        "without a word"
    )


def _lun(lun: IetLun) -> str | None:
    params = lun.params
    number = lun.number
    what = f"LUN {number}" if number is not None else "this LUN"
    if params.type is not None and params.type not in _LUN_TYPES:
        return (
            f"Type={params.type} is not an IET I/O type (fileio, blockio or nullio, lower "
            f"case): {what} is not created"
        )
    mode = params.io_mode
    if mode is not None and params.io_type != "nullio" and mode not in _IO_MODES:
        return f"IOMode={params.io_mode} is none of wt, wb, ro: {what} is not created"
    if params.block_size is not None and params.block_size not in _BLOCK_SIZES:
        return (
            f"BlockSize={params.block_size} is not 512, 1024, 2048 or 4096: {what} is not created"
        )
    return None
