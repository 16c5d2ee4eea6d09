"""drbdadm's tables for drbd.conf options: renames, enums, numbers with units and ranges, flags.

Our own table of the facts in drbd-utils' option tables: ``user/v9/config_flags.c`` (types,
enum maps, default scales) with ``drbd_limits.h`` of drbd-headers (ranges), the 8.4 back-end's
``user/v84/config_flags.c`` and ``user/v84/linux/drbd_limits.h``, and the 8.3 back-end's
``user/v83/drbdadm_parser.c`` and ``user/v83/linux/drbd_limits.h``.  Every range and enum here
is checked against drbdadm 9.22's three parsers by ``tests/lint/test_drbd_values_oracle.py``.

Where each keyword may stand in each version is :mod:`xsanconf.lint.facts.drbd`'s table;
the renames between versions (8.3's ``syncer`` options, aliases, legacy ``no-X`` flags) are
here, for the effective view and DRBD007 alike.  What each parser checks differs, and the
table says so:

* numbers: all three range-check at parse time (8.3 and 8.4 in ``m_strtoll_range``, 9 while
  parsing the value); the value may carry a unit (``K``, ``M``, ``G``, ``s`` for 512-byte
  sectors, either case), converted into the option's default unit before the check;
* enums: drbdadm 9 checks them at parse time; 8.3 and 8.4 pass them on and ``drbdsetup``
  refuses them when the resource is brought up (``protocol``: 8.4 checks it while parsing);
* flags: 8.3 takes the bare keyword only (``allow-two-primaries;``), 8.4 and 9 also ``yes`` or
  ``no``.
"""

from __future__ import annotations

import re

from xsanconf.domain.numerals import read_int

__all__ = [
    "ALIASES",
    "ENUMS",
    "FLAGS",
    "LEGACY_NEGATIVES",
    "NUMBERS",
    "SYNCER_HOMES",
    "SYNCER_IGNORED",
    "value_problem",
]

ALL = ("8.3", "8.4", "9")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Renames.  Where 8.4 moved each 8.3 ``syncer`` option (v84 parser, parse_options_syncer).
SYNCER_HOMES: dict[str, tuple[str, str]] = {
    "rate": ("disk", "resync-rate"),
    "after": ("disk", "resync-after"),
    **{k: ("disk", k) for k in ("al-extents", "c-plan-ahead", "c-fill-target", "c-delay-target")},
    **{k: ("disk", k) for k in ("c-max-rate", "c-min-rate")},
    **{k: ("net", k) for k in ("verify-alg", "csums-alg", "use-rle")},
    **{k: ("options", k) for k in ("cpu-mask", "on-no-data-accessible")},
}
# 8.3 read these and ignored them; 8.4 and 9 reject them.
SYNCER_IGNORED = _names(
    "delay-probe-volume delay-probe-interval throttle-threshold hold-off-threshold"
)
# Aliases drbdadm renames while parsing.
ALIASES: dict[tuple[str, str], str] = {
    ("disk", "rate"): "resync-rate",
    ("disk", "after"): "resync-after",
    ("handlers", "outdate-peer"): "fence-peer",
}
# The only ``no-X`` flags 8.3 and 8.4 know (each means ``X no``); 9 takes ``no-`` before any
# option.
LEGACY_NEGATIVES = _names("no-disk-barrier no-disk-flushes no-disk-drain no-md-flushes no-tcp-cork")

# keyword -> (default unit, {version: (lowest, highest)}): ``1`` plain, ``k`` KiB, ``s`` sectors.
# A version missing from the dict does not range-check the option while parsing (8.3 and 8.4
# leave ``ping-timeout``, ``disk-timeout`` and others to drbdsetup; no version checks
# ``al-extents``: the kernel clamps it) or does not know it (SYN002's table says which).
_MiB = 1 << 20
NUMBERS: dict[str, tuple[str, dict[str, tuple[int, int]]]] = {
    # global
    "minor-count": ("1", {"8.3": (1, 256), "8.4": (1, 255), "9": (1, 255)}),
    "dialog-refresh": ("1", dict.fromkeys(ALL, (0, 600))),
    # net (timeouts in tenths of a second, intervals in seconds)
    "timeout": ("1", dict.fromkeys(ALL, (1, 600))),
    "connect-int": ("1", dict.fromkeys(ALL, (1, 120))),
    "ping-int": ("1", dict.fromkeys(ALL, (1, 120))),
    "ping-timeout": ("1", {"9": (1, 300)}),
    "max-buffers": ("1", dict.fromkeys(ALL, (32, 131072))),
    "max-epoch-size": ("1", dict.fromkeys(ALL, (1, 20000))),
    "sndbuf-size": ("1", dict.fromkeys(ALL, (0, 10 * _MiB))),
    "rcvbuf-size": ("1", dict.fromkeys(ALL, (0, 10 * _MiB))),
    "ko-count": ("1", dict.fromkeys(ALL, (0, 200))),
    "congestion-fill": ("s", dict.fromkeys(ALL, (0, 20971520))),
    "congestion-extents": ("1", {"8.3": (7, 3833), "8.4": (67, 65534), "9": (67, 65534)}),
    "socket-check-timeout": ("1", {"9": (0, 300)}),
    # disk and the 8.3 syncer
    "size": ("s", {"8.3": (0, 1 << 35), "8.4": (0, 1 << 41), "9": (0, 1 << 41)}),
    "disk-timeout": ("1", {"9": (0, 6000)}),
    "rate": ("k", dict.fromkeys(("8.3", "8.4"), (1, 4194304))),
    "resync-rate": ("k", {"8.4": (1, 4194304), "9": (1, 8388608)}),
    "c-plan-ahead": ("1", dict.fromkeys(ALL, (0, 300))),
    "c-delay-target": ("1", dict.fromkeys(ALL, (1, 100))),
    "c-fill-target": ("s", dict.fromkeys(ALL, (0, _MiB))),
    "c-max-rate": ("k", {"8.3": (250, 4194304), "8.4": (250, 4194304), "9": (0, 4194304)}),
    "c-min-rate": ("k", dict.fromkeys(ALL, (0, 4194304))),
    "rs-discard-granularity": ("1", {"9": (0, _MiB)}),
    # startup (seconds)
    "wfc-timeout": ("1", dict.fromkeys(ALL, (0, 300000))),
    "degr-wfc-timeout": ("1", dict.fromkeys(ALL, (0, 300000))),
    "outdated-wfc-timeout": ("1", dict.fromkeys(ALL, (0, 300000))),
    # options (9)
    "auto-promote-timeout": ("1", {"9": (0, 600)}),
    "peer-ack-window": ("s", {"9": (2048, 204800)}),
    "peer-ack-delay": ("1", {"9": (1, 10000)}),
    "twopc-timeout": ("1", {"9": (50, 600)}),
    "twopc-retry-timeout": ("1", {"9": (1, 50)}),
}

_POLICY_0PRI = (
    "disconnect discard-younger-primary discard-older-primary discard-zero-changes "
    "discard-least-changes discard-local discard-remote"
)
# keyword -> (values, versions that add values) ; ``protocol`` is read case-insensitively.
ENUMS: dict[str, dict[str, frozenset[str]]] = {
    name: {v: frozenset(values.split()) for v, values in per_version.items()}
    for name, per_version in {
        "protocol": dict.fromkeys(ALL, "A B C"),
        "after-sb-0pri": dict.fromkeys(ALL, _POLICY_0PRI),
        "after-sb-1pri": dict.fromkeys(
            ALL, "disconnect consensus violently-as0p discard-secondary call-pri-lost-after-sb"
        ),
        "after-sb-2pri": dict.fromkeys(ALL, "disconnect violently-as0p call-pri-lost-after-sb"),
        "rr-conflict": {
            "8.3": "disconnect violently call-pri-lost",
            "8.4": "disconnect violently call-pri-lost",
            "9": "disconnect violently call-pri-lost retry-connect auto-discard",
        },
        "on-congestion": dict.fromkeys(ALL, "block pull-ahead disconnect"),
        "fencing": dict.fromkeys(ALL, "dont-care resource-only resource-and-stonith"),
        "on-io-error": dict.fromkeys(ALL, "pass_on call-local-io-error detach"),
        "read-balancing": dict.fromkeys(
            ("8.4", "9"),
            "prefer-local prefer-remote round-robin least-pending when-congested-remote "
            "32K-striping 64K-striping 128K-striping 256K-striping 512K-striping 1M-striping",
        ),
        "on-no-data-accessible": dict.fromkeys(ALL, "io-error suspend-io"),
        "on-no-quorum": {"9": "io-error suspend-io"},
        "on-suspended-primary-outdated": {"9": "disconnect force-secondary"},
        "usage-count": dict.fromkeys(ALL, "yes no ask"),
    }.items()
}
# Versions whose drbdadm refuses a bad enum value at parse time; the others leave it to
# drbdsetup, when the options are applied.
_ENUMS_AT_PARSE: dict[str, tuple[str, ...]] = {"protocol": ("8.4", "9")}

# Options that are flags: no value, or yes/no from 8.4 on.
FLAGS = (
    _names(
        "allow-two-primaries always-asbp disk-barrier disk-flushes disk-drain md-flushes use-rle "
        "tcp-cork auto-promote al-updates wait-after-sb disable-ip-verification stacked-timeouts "
        "allow-remote-read csums-after-crash-only discard-zeroes-if-aligned disable-write-same "
        "udev-always-use-vnr load-balance-paths drbd8-api-compatibility"
    )
    | LEGACY_NEGATIVES
)
# The flags that never take a value, in any version (the scanner's own tokens).
_BARE = LEGACY_NEGATIVES | _names("disable-ip-verification stacked-timeouts udev-always-use-vnr")

# Digits, then at most one unit letter: what m_strtoll reads (no sign, no fraction, no hex).
_NUMBER = re.compile(r"([0-9]+)([kKmMgGsS]?)")
# Bytes per unit; a value is converted into the option's default unit before the range check.
_BYTES = {"": None, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "s": 512}
_UNIT_BYTES = {"1": 1, "k": 1 << 10, "s": 512}
# More digits than any range here needs: the value is out of range without converting it,
# which keeps a pathological numeral from costing anything.
_MAX_DIGITS = 24


def _number_problem(keyword: str, text: str, version: str) -> str | None:
    scale, ranges = NUMBERS[keyword]
    found = _NUMBER.fullmatch(text)
    if found is None:
        return f"'{text}' is not a number (digits and an optional unit K, M, G or s)"
    bounds = ranges.get(version)
    if bounds is None:
        return None
    low, high = bounds
    digits, unit = found.group(1), found.group(2).lower()
    shown = f"{low}..{high}" + ("" if scale == "1" else {"k": " KiB", "s": " sectors"}[scale])
    number = read_int(digits) if len(digits.lstrip("0")) <= _MAX_DIGITS else None
    if number is None:
        return f"'{text}' is out of range {shown}"
    per = _BYTES[unit]
    value = number if per is None else number * per // _UNIT_BYTES[scale]
    if not low <= value <= high:
        return f"'{text}' is out of range {shown}"
    return None


def value_problem(keyword: str, args: list[str], version: str) -> tuple[str, bool] | None:
    """Why drbdadm ``version`` refuses ``keyword ARGS``, and whether drbdadm itself refuses it
    while parsing (False: drbdsetup refuses it when the options are applied); None when the
    value is fine or the option is not in this table."""
    if keyword in FLAGS:
        if not args:
            return None
        if version == "8.3" or keyword in _BARE:
            return f"'{keyword}' takes no value in DRBD {version} (write '{keyword};')", True
        if len(args) == 1 and args[0] in ("yes", "no"):
            return None
        return f"'{keyword}' takes yes or no, not '{' '.join(args)}'", True
    if len(args) != 1:
        return None  # missing or extra words are the structure's business (SYN001)
    value = args[0]
    if keyword in NUMBERS:
        problem = _number_problem(keyword, value, version)
        return (problem, True) if problem is not None else None
    values = ENUMS.get(keyword, {}).get(version)
    if values is None:
        return None
    if keyword == "protocol":
        value = value.upper()
    if value in values or (keyword == "after-sb-0pri" and value.startswith("discard-node-")):
        return None
    listed = ", ".join(sorted(values))
    at_parse = version == "9" or version in _ENUMS_AT_PARSE.get(keyword, ())
    return f"'{args[0]}' is not one of {listed}", at_parse
