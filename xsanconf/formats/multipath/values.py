"""Typed readings of multipath.conf values, as the handlers in multipath-tools' ``dict.c`` do.

Every reader takes the value multipathd sees (the first word after the keyword, unquoted) and
returns the typed value, or :data:`INVALID` where multipathd logs "invalid value" and keeps the
value it had before.  Readers accept exactly what the C handlers accept: ``strcmp``, so case
matters, and ``strtol`` with trailing blanks allowed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Final

from xsanconf.domain.numerals import read_int

__all__ = [
    "INVALID",
    "OPTION_TYPES",
    "PATH_GROUPING_POLICIES",
    "Invalid",
    "read_value",
]


class Invalid:
    """The marker for a value multipathd rejects."""

    _instance: Invalid | None = None

    def __new__(cls) -> Invalid:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Final = Invalid()

Typed = bool | int | str | None | Invalid
Reader = Callable[[str], Typed]


@functools.cache  # compiled on first use: many runs never need it
def _int_pattern() -> re.Pattern[str]:
    return re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)[ \t\n\v\f\r]*")


INT_MAX = 2**31 - 1
INT_MIN = -(2**31)


def _int(value: str, low: int = 0, high: int = INT_MAX) -> int | Invalid:
    """``do_set_int``: strtol, trailing blanks allowed, out-of-range values capped."""
    m = _int_pattern().fullmatch(value)
    if m is None:
        return INVALID
    # strtol saturates a number too long to read at LONG_MIN/LONG_MAX: capped all the same
    number = read_int(m.group(2))
    if number is None:
        return low if m.group(1) == "-" else high
    return max(low, min(high, -number if m.group(1) == "-" else number))


def _uint(value: str) -> int | Invalid:
    stripped = value.strip(" \t\n\v\f\r")
    number = read_int(stripped)
    if number is None or number > 2**32 - 1:
        return INVALID
    return number


def _yes_no(value: str) -> bool | Invalid:
    """``set_yes_no``: ``yes``/``1`` and ``no``/``0``, nothing else."""
    if value in ("yes", "1"):
        return True
    if value in ("no", "0"):
        return False
    return INVALID


def _choice(*choices: str) -> Reader:
    def read(value: str) -> Typed:
        return value if value in choices else INVALID

    return read


def _int_or(low: int, words: dict[str, str | int | None]) -> Reader:
    """A keyword value from ``words`` (``"0"`` may be one), else an int from ``low`` up."""

    def read(value: str) -> Typed:
        if value in words:
            return words[value]
        return _int(value, low)

    return read


PATH_GROUPING_POLICIES = (
    "failover",
    "multibus",
    "group_by_serial",
    "group_by_prio",
    "group_by_node_name",
    "group_by_tpg",
)


def _pgpolicy(value: str) -> Typed:
    """``get_pgpolicy_id`` compares with ``strncmp``: a known name followed by anything counts."""
    for name in PATH_GROUPING_POLICIES:
        if value.startswith(name):
            return name
    return INVALID


def _find_multipaths(value: str) -> Typed:
    """``strict``/``off``/``on``/``greedy``/``smart``; ``no``/``0`` and ``yes``/``1`` from 0.6."""
    if value in ("off", "on", "strict", "greedy", "smart"):
        return value
    return {"no": "off", "0": "off", "yes": "on", "1": "on"}.get(value, INVALID)


def _flush_on_last_del(value: str) -> Typed:
    """``never``/``always``/``unused``; the older ``yes``/``no`` are mapped (with a warning)."""
    if value in ("never", "always", "unused"):
        return value
    return {"no": "unused", "0": "unused", "yes": "always", "1": "always"}.get(value, INVALID)


def _marginal_pathgroups(value: str) -> Typed:
    if value in ("off", "on", "fpin"):
        return value
    return {"no": "off", "0": "off", "yes": "on", "1": "on"}.get(value, INVALID)


ULONG_MAX = 2**64 - 1
UINT_MAX = 2**32 - 1


def _dev_loss_tmo(value: str) -> Typed:
    """``set_dev_loss``: ``infinity``, else ``sscanf("%u")`` into an unsigned int.

    glibc reads a leading number with strtoul (a sign allowed, ULONG_MAX on overflow) and
    stores it truncated to 32 bits: ``99999999999`` becomes 1215752191 and ``-1`` UINT_MAX.
    UINT_MAX and up print as ``infinity``; 0 means "not set" (the next level or the kernel's
    value applies), hence None.
    """
    if value == "infinity":
        return "infinity"
    m = re.match(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)", value)
    if m is None:
        return INVALID
    number = read_int(m.group(2))  # None: more digits than any number, strtoul saturates
    if number is None or number > ULONG_MAX:
        number = ULONG_MAX
    elif m.group(1) == "-":
        number = -number % (ULONG_MAX + 1)
    number &= UINT_MAX
    if number == UINT_MAX:
        return "infinity"
    return number or None


def _no_slash(value: str) -> Typed:
    """``set_str_noslash``: a name with ``/`` is refused and the previous value kept."""
    return INVALID if "/" in value else value


def _arg_str(count_index: int) -> Reader:
    """``set_arg_str``: word ``count_index`` counts the words after it (``"service-time 0"``,
    ``"1 queue_if_no_path"``); a wrong count is refused and the previous value kept."""

    def read(value: str) -> Typed:
        fields = value.split()
        count = (
            read_int(fields[count_index].removeprefix("+")) if len(fields) > count_index else None
        )
        if count is None or count != len(fields) - 1 - count_index:
            return INVALID
        return value

    return read


def _text(value: str) -> Typed:
    return value


_ENUMS: dict[str, Reader] = {
    "path_grouping_policy": _pgpolicy,
    "find_multipaths": _find_multipaths,
    "flush_on_last_del": _flush_on_last_del,
    "marginal_pathgroups": _marginal_pathgroups,
    "dev_loss_tmo": _dev_loss_tmo,
    "rr_weight": _choice("priorities", "uniform"),
    "log_checker_err": _choice("once", "always"),
    "auto_resize": _choice("never", "grow_only", "grow_shrink"),
    "failback": _int_or(
        0, {"manual": "manual", "immediate": "immediate", "followover": "followover"}
    ),
    "alias": _no_slash,
    "path_selector": _arg_str(1),
    "features": _arg_str(0),
    "hardware_handler": _arg_str(0),
    "alias_prefix": _no_slash,
    "no_path_retry": _int_or(1, {"fail": "fail", "0": "fail", "queue": "queue"}),
    "fast_io_fail_tmo": _int_or(1, {"off": "off", "0": 0}),
    "eh_deadline": _int_or(1, {"off": "off", "0": 0}),
    # values above the system's limit are capped to it (and print as "max")
    "max_fds": _int_or(0, {"max": "max"}),
    "verbosity": lambda v: _int(v, 0, 4),
    "find_multipaths_timeout": lambda v: _int(v, INT_MIN),
    "uxsock_timeout": lambda v: _int(v, 4000),  # DEFAULT_REPLY_TIMEOUT is the floor
    "max_polling_interval": _uint,
    "polling_interval": _uint,
}


def _names(text: str) -> list[str]:
    return text.split()


_YES_NO = _names(
    "user_friendly_names reassign_maps queue_without_daemon allow_usb_devices force_sync "
    "strict_timing retain_attached_hw_handler detect_prio detect_checker detect_pgpolicy "
    "detect_pgpolicy_use_tpg deferred_remove skip_kpartx purge_disconnected all_tg_pt recheck_wwid"
)
_INTS = _names(
    "rr_min_io rr_min_io_rq checker_timeout retrigger_tries retrigger_delay "
    "missing_uev_wait_timeout remove_retries max_sectors_kb max_retries"
)
_INT_OR_NO = _names(
    "delay_watch_checks delay_wait_checks san_path_err_threshold san_path_err_forget_rate "
    "san_path_err_recovery_time marginal_path_err_sample_time marginal_path_err_rate_threshold "
    "marginal_path_err_recheck_gap_time marginal_path_double_failed_time ghost_delay"
)

# How each option's value reads; an option not listed is text.
OPTION_TYPES: dict[str, Reader] = {
    **dict.fromkeys(_YES_NO, _yes_no),
    **dict.fromkeys(_INTS, _int),
    **dict.fromkeys(_INT_OR_NO, _int_or(1, {"no": "no", "0": "no"})),
    **_ENUMS,
}


# Where 0 is also the "not set" marker (``declare_def_snprint_defint``, ``print_nonzero``):
# setting 0 (or a value capped to 0) leaves the built-in value in force.
ZERO_UNSETS = frozenset(
    _names(
        "rr_min_io rr_min_io_rq checker_timeout max_sectors_kb find_multipaths_timeout "
        "max_polling_interval dev_loss_tmo max_fds failback"
    )
)


def read_value(keyword: str, value: str | None) -> Typed:
    """``value`` read as ``keyword``'s type (text when the type is not known); ``None`` where
    the value leaves the option unset."""
    if value is None:
        return None
    typed = OPTION_TYPES.get(keyword, _text)(value)
    if keyword in ZERO_UNSETS and type(typed) is int and typed == 0:
        return None
    return typed
