"""multipath.conf values as multipathd's keyword handlers read them (``libmultipath/dict.c``).

A value a handler refuses is logged ("invalid value for failback") and the option keeps what it
had, which for a section of the file is "unset": the map gets the built-in default.  A number
out of a handler's range is capped ("value for verbosity too large, capping at 4").  multipathd
never refuses the file for a value, so every finding here is a warning.

The readers are the codec's (:mod:`xsanconf.formats.multipath.values`, the handlers of
multipath-tools 0.9-0.14); the values later releases added are refused by the releases before
them (:data:`_SINCE`).  Releases before 0.8.9 do not log most refusals, and some of them read a
bad yes/no as "no": the value still does not take effect as written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from xsanconf.domain.numerals import read_signed_int
from xsanconf.domain.version import parse_version
from xsanconf.formats.multipath.values import INVALID, OPTION_TYPES
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.values import Invalid

if TYPE_CHECKING:
    from xsanconf.domain.version import Version
    from xsanconf.formats.multipath import MultipathOption, MultipathSection
    from xsanconf.lint.site import SiteFile

__all__ = ["DEFAULT_VERSION", "invalid_values", "keyword_releases", "known_in", "section_path"]

DEFAULT_VERSION = "0.14.3"

# (keyword, value) -> the release that first accepts it (``dict.c`` and ``pgpolicies.c`` tag by
# tag): earlier releases refuse it like any other unknown word.
_SINCE: dict[tuple[str, str], tuple[int, ...]] = {
    **{("find_multipaths", v): (0, 7, 7) for v in ("strict", "greedy", "smart", "on", "off")},
    **{("flush_on_last_del", v): (0, 9, 9) for v in ("always", "never", "unused")},
    ("path_grouping_policy", "group_by_tpg"): (0, 9, 6),
    ("marginal_pathgroups", "fpin"): (0, 8, 9),
}

# What each handler takes, for the message.
_EXPECTED: dict[str, str] = {
    "failback": "'manual', 'immediate', 'followover' or a number of seconds",
    "no_path_retry": "'fail', 'queue' or a number of retries",
    "rr_weight": "'priorities' or 'uniform'",
    "path_grouping_policy": "'failover', 'multibus', 'group_by_serial', 'group_by_prio', "
    "'group_by_node_name' or 'group_by_tpg'",
    "dev_loss_tmo": "a number of seconds or 'infinity'",
    "fast_io_fail_tmo": "'off' or a number of seconds",
    "eh_deadline": "'off' or a number of seconds",
    "find_multipaths": "'strict', 'off', 'on', 'greedy', 'smart' (or yes/no)",
    "flush_on_last_del": "'never', 'always' or 'unused'",
    "marginal_pathgroups": "'off', 'on' or 'fpin'",
    "log_checker_err": "'once' or 'always'",
    "auto_resize": "'never', 'grow_only' or 'grow_shrink'",
    "max_fds": "a number or 'max'",
    "path_selector": 'a selector and its argument count, e.g. "service-time 0"',
    "features": 'an argument count and the features, e.g. "1 queue_if_no_path"',
    "hardware_handler": 'an argument count and the handler, e.g. "1 alua"',
    "alias": "a name without '/'",
    "alias_prefix": "a name without '/'",
}
_NUMBER = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*")
_DEV_LOSS = re.compile(r"[ \t\n\v\f\r]*[+-]?\d+")  # sscanf("%u") reads a leading number
_BLACKLISTS = ("blacklist", "blacklist_exceptions")


def section_path(section: MultipathSection) -> str:
    """Where a section sits, as the keyword table names it: ``devices/device``, ``defaults``."""
    names = []
    current: MultipathSection | None = section
    while current is not None and current.keyword:
        names.append(current.keyword)
        current = current.parent
    return "/".join(reversed(names))


def keyword_releases(path: str, keyword: str) -> list[tuple[str, str]] | None:
    """The runs of releases (first, last) whose multipathd knows ``keyword`` in the section at
    ``path``; ``None`` when no release ever did."""
    from xsanconf.lint.values.multipath_keywords import KEYWORDS, RELEASES

    runs = KEYWORDS.get(path, {}).get(keyword)
    if runs is None:
        return None
    return [(RELEASES[first], RELEASES[last]) for first, last in runs]


def known_in(path: str, keyword: str, version: str) -> bool | None:
    """Whether multipathd ``version`` knows ``keyword`` there (``None``: no release ever did).

    A version between two releases is read as the release before it; one before the oldest
    known release as the oldest."""
    from xsanconf.lint.values.multipath_keywords import KEYWORDS

    runs = KEYWORDS.get(path, {}).get(keyword)
    if runs is None:
        return None
    index = _release_index(version)
    return True if index is None else any(first <= index <= last for first, last in runs)


@functools.cache
def _release_index(version: str) -> int | None:
    """The index in RELEASES of the release ``version`` is read as (None: not a version);
    once per version, not per keyword."""
    from xsanconf.lint.values.multipath_keywords import RELEASES

    release = parse_version(version)
    if release is None:
        return None
    index = 0
    for i, name in enumerate(RELEASES):
        known = parse_version(name)
        if known is not None and known <= release:
            index = i
    return index


def invalid_values(file: SiteFile, versions: Sequence[str]) -> Iterator[Invalid]:
    """Each value multipathd at one of ``versions`` refuses or caps."""
    candidates = [(v, parse_version(v)) for v in versions or (DEFAULT_VERSION,)]
    for section in file.doc.model.walk():
        parent = section.parent
        if section.keyword in _BLACKLISTS or (parent is not None and parent.keyword in _BLACKLISTS):
            continue  # patterns: MPATH005
        path = section_path(section)
        for option in section.options:
            if not option.known or option.deprecated or option.value is None:
                continue
            found = [
                (name, _judge(option, v))
                for name, v in candidates
                # a keyword the release does not know is SYN002's
                if v is not None and known_in(path, option.keyword, name) is not False
            ]
            said = [(name, m) for name, m in found if m is not None]
            if not said:
                continue
            message = said[-1][1]
            if len(said) < len(found):
                holding = " and ".join(name for name, _ in said)
                message += f" (for multipath-tools {holding}; the others accept it)"
            yield Invalid(file.location(option.token), message, Severity.WARNING)
        limited = _dev_loss_limited(section)
        if limited is not None:
            yield Invalid(file.location(limited.token), _DEV_LOSS_LIMIT, Severity.WARNING)


# discovery.c (sysfs_set_rport_tmo): with fast_io_fail off (or 0) and no queueing, an FC
# remote port's dev_loss_tmo is limited to 600 s when the map is set up -- logged then, not
# when the file is read.
_DEV_LOSS_LIMIT = (
    "dev_loss_tmo above 600 with fast_io_fail_tmo off in this section: multipathd limits an "
    "FC port's dev_loss_tmo to 600 when it sets up the map (\"limiting dev_loss_tmo to 600, "
    'since fast_io_fail is not set"), unless no_path_retry is queue; set fast_io_fail_tmo '
    "to a number of seconds"
)


def _dev_loss_limited(section: MultipathSection) -> MultipathOption | None:
    """The ``dev_loss_tmo`` line multipathd limits to 600, judged within one section."""
    dev_loss = section.effective("dev_loss_tmo")
    fast_io = section.effective("fast_io_fail_tmo")
    if dev_loss is None or fast_io is None or fast_io.value not in ("off", "0"):
        return None
    retry = section.effective("no_path_retry")
    if retry is not None and retry.value == "queue":
        return None
    seconds = dev_loss.typed
    above = seconds == "infinity" or (type(seconds) is int and seconds > 600)
    return dev_loss if above else None


def _judge(option: MultipathOption, version: Version) -> str | None:
    keyword, value = option.keyword, option.value or ""
    since = _SINCE.get((keyword, value))
    reader = OPTION_TYPES.get(keyword)
    if reader is None:
        return None
    what = f"'{value}' is not a value multipathd takes for {keyword}"
    expected = _EXPECTED.get(keyword)
    hint = f" ({expected})" if expected else ""
    if since is not None and version < since:
        return (
            f"{what} before multipath-tools {'.'.join(map(str, since))}{hint}: it keeps "
            "the built-in default"
        )
    if keyword == "dev_loss_tmo" and _DEV_LOSS.match(value):
        return None  # a leading number is read (a sign wraps, as sscanf's %u does)
    counted = keyword in _COUNTED
    if counted and version < _COUNTS_CHECKED:
        return None  # taken as written before 0.9.4
    typed = reader(value)
    if typed is INVALID:
        if counted:
            what = f'the argument count of {keyword} "{value}" does not match its arguments'
        return f"{what}{hint}: multipathd refuses it and keeps the built-in default"
    capped = type(typed) is int and _NUMBER.fullmatch(value) and typed != read_signed_int(value)
    if capped and version >= _CAPPED:
        return f"{keyword} {value.strip()} is out of range: multipathd caps it at {typed}"
    return None


_COUNTED = frozenset({"path_selector", "features", "hardware_handler"})
_COUNTS_CHECKED = (0, 9, 4)  # set_arg_str
_CAPPED = (0, 8, 8)  # do_set_int with its bounds
