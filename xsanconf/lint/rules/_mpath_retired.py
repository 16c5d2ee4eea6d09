"""What multipath-tools retired, release by release, and how to replace it (MPATH004).

Sources: the keyword tables (``init_keywords`` in ``libmultipath/dict.c``) of each release tag
of opensvc/multipath-tools, checked tag by tag: the ``default_*`` names are aliases from 0.4.6
and gone in 0.9.0; ``selector`` and ``udev_dir`` are gone in 0.5.0; ``prio_callout`` in 0.4.9;
``getuid_callout`` is deprecated in 0.5.0 and ignored ("deprecated option") from 0.9.0, like
``multipath_dir``, ``config_dir`` and ``pg_timeout`` (the first two, like the three files below,
logged as deprecated from 0.8.8); ``disable_changed_wwids`` from 0.8.1
(its handler does nothing; 0.9.6 started to log it); ``bindings_file``, ``wwids_file``,
``prkeys_file`` from 0.9.7; ``features "1 queue_if_no_path"`` is deprecated from 0.7.2 (read
as ``no_path_retry queue``, logged); ``flush_on_last_del yes/no`` is mapped to
``always``/``unused`` with a warning from 0.9.9; the man page calls the ``readsector0`` checker
deprecated from 0.5.0.

A fix is *safe* only when multipathd of the targeted release does the same with the new text:
renaming an alias it still reads, removing a line it ignores.  Bringing an ignored line back to
life under its new name changes what multipathd does: that fix is *unsafe*.
"""

from __future__ import annotations

import posixpath

import attrs

from xsanconf.domain.version import parse_version as read_version

__all__ = [
    "Plan",
    "Verdict",
    "Version",
    "judge",
    "parse_version",
    "scsi_id_serial",
    "show",
]

Version = tuple[int, ...]


def parse_version(text: str) -> Version:
    found = read_version(text)
    return found.release if found is not None else ()


def show(version: Version) -> str:
    return ".".join(map(str, version))


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(repr=False)
class Plan:
    """A fix: ``rename`` the keyword, ``remove`` the line, set a new ``value``, or both."""

    description: str
    safe: bool
    keyword: str | None = None  # the new keyword
    value: str | None = None  # the new value (quoted when written)
    remove: bool = False


@attrs.frozen(repr=False)
class Verdict:
    message: str
    plan: Plan | None = None


class _Alias:
    """A keyword that is another keyword's alias from ``since``, gone from ``gone``."""

    __slots__ = ("gone", "replacements", "since")

    def __init__(
        self,
        since: Version,
        gone: Version,
        replacements: tuple[tuple[Version, str], ...],  # (from release, the keyword it stands for)
    ) -> None:
        self.since = since
        self.gone = gone
        self.replacements = replacements

    def replacement(self, version: Version) -> str:
        found = self.replacements[0][1]
        for since, keyword in self.replacements:
            if version >= since:
                found = keyword
        return found


_ALIASES: dict[str, _Alias] = {
    "default_selector": _Alias(
        (0, 4, 6), (0, 9, 0), (((0, 4, 6), "selector"), ((0, 5, 0), "path_selector"))
    ),
    "default_path_grouping_policy": _Alias(
        (0, 4, 6), (0, 9, 0), (((0, 4, 6), "path_grouping_policy"),)
    ),
    "default_features": _Alias((0, 4, 6), (0, 9, 0), (((0, 4, 6), "features"),)),
    "default_path_checker": _Alias((0, 4, 6), (0, 9, 0), (((0, 4, 6), "path_checker"),)),
    "default_uid_attribute": _Alias((0, 5, 0), (0, 9, 0), (((0, 5, 0), "uid_attribute"),)),
    "default_prio_callout": _Alias((0, 4, 6), (0, 4, 9), (((0, 4, 6), "prio_callout"),)),
}

# Keywords that were simply dropped: (gone from, the keyword that replaced them or None).
_DROPPED: dict[str, tuple[Version, str | None]] = {
    "selector": ((0, 5, 0), "path_selector"),
    "udev_dir": ((0, 5, 0), None),
    "prio_callout": ((0, 4, 9), "prio"),
    "devnode_blacklist": ((0, 4, 7), "blacklist"),
}

# Keywords multipathd still reads but ignores ("ignoring deprecated option"), from a release
# on; the value it uses instead, when the line names a path (None: removal always keeps the
# meaning).
_IGNORED: dict[str, tuple[Version, str | None]] = {
    "multipath_dir": ((0, 9, 0), None),
    "config_dir": ((0, 9, 0), "/etc/multipath/conf.d"),
    "pg_timeout": ((0, 9, 0), None),
    "disable_changed_wwids": ((0, 8, 1), None),
    "bindings_file": ((0, 9, 7), "/etc/multipath/bindings"),
    "wwids_file": ((0, 9, 7), "/etc/multipath/wwids"),
    "prkeys_file": ((0, 9, 7), "/etc/multipath/prkeys"),
}

_GETUID_DEPRECATED: Version = (0, 5, 0)
_GETUID_IGNORED: Version = (0, 9, 0)
_READSECTOR0: Version = (0, 5, 0)
_FLUSH_VALUES: Version = (0, 9, 9)
_FLUSH_MAPPED = {"yes": "always", "1": "always", "no": "unused", "0": "unused"}

RETIRED_KEYWORDS = frozenset({*_ALIASES, *_DROPPED, "default_getuid_callout"})


def scsi_id_serial(callout: str) -> bool | None:
    """Whether a getuid callout prints what udev stores as ``ID_SERIAL``.

    udev's persistent-storage rules run ``scsi_id --export --whitelisted -d $devnode`` and keep
    the identifier with blanks replaced.  ``scsi_id -g -u`` on the path device (``-d /dev/%n``,
    ``--device=/dev/%n``, or the old sysfs form ``-s /block/%n``) prints the same: ``True``.
    Without ``-u`` blanks stay blanks, which differs for ASCII identifiers only: ``False``.
    Any other program or option (``-p 0x80``, a script): ``None``.
    """
    words = callout.split()
    if not words or posixpath.basename(words[0]) != "scsi_id":
        return None
    whitelisted = replace = device = False
    rest = iter(words[1:])
    for word in rest:
        if word in ("-g", "--whitelisted", "-gu", "-ug"):
            whitelisted = True
            replace = replace or word in ("-gu", "-ug")
        elif word in ("-u", "--replace-whitespace"):
            replace = True
        elif word in ("-d", "--device"):
            device = next(rest, "") == "/dev/%n"
        elif word == "-s":
            device = next(rest, "") == "/block/%n"
        elif word == "--device=/dev/%n":
            device = True
        else:
            return None
    if not (whitelisted and device):
        return None
    return replace


def judge(
    keyword: str,
    value: str | None,
    version: Version,
    *,
    section: str,
    section_sets_uid_attribute: bool,
    known: bool,
    section_sets_no_path_retry: bool = False,
) -> Verdict | None:
    """What the targeted release does with ``keyword value`` in ``section``; ``None`` when
    nothing is retired.

    ``known``: the codec's table (0.9.x-0.14.x) knows the keyword in its section; retired
    names it does not know are judged wherever they stand (SYN002 leaves them to this rule),
    but renamed only where they were valid.
    """
    if keyword == "features" and known:
        return _queue_if_no_path(value or "", version, section_sets_no_path_retry)
    verdict = _judge(keyword, value, version, section_sets_uid_attribute, known)
    home = _HOMES.get(keyword)
    if verdict is None or home is None or section in home:
        return verdict
    where = f"'{section}'" if section else "the top level"
    return Verdict(f"{verdict.message} (and it was never read in {where} at all)")


# Where the retired names were valid ("" is the top level).
_HOMES: dict[str, frozenset[str]] = {
    **{keyword: frozenset({"defaults"}) for keyword in _ALIASES},
    "default_getuid_callout": frozenset({"defaults"}),
    "selector": frozenset({"defaults"}),
    "udev_dir": frozenset({"defaults"}),
    "prio_callout": frozenset({"defaults", "device"}),
    "devnode_blacklist": frozenset({""}),
}


def _judge(
    keyword: str,
    value: str | None,
    version: Version,
    section_sets_uid_attribute: bool,
    known: bool,
) -> Verdict | None:
    target = show(version)
    if keyword == "default_getuid_callout" or (keyword == "getuid_callout" and known):
        return _getuid(keyword, value or "", version, section_sets_uid_attribute)
    if keyword in _ALIASES:
        return _alias(keyword, _ALIASES[keyword], version)
    if keyword in _DROPPED:
        gone, replacement = _DROPPED[keyword]
        if version < gone:
            return None
        return _dropped(keyword, gone, replacement, target)
    if not known:
        return None
    if keyword in _IGNORED:
        return _ignored(keyword, value, version)
    if keyword in ("path_checker", "checker") and value == "readsector0":
        if version < _READSECTOR0:
            return None
        return Verdict(
            f"the 'readsector0' checker is deprecated since multipath-tools "
            f"{show(_READSECTOR0)} (targeting {target}); 'directio' also reads the first "
            "sector, asynchronously, and 'tur' asks the target without any I/O",
            Plan("use the 'directio' checker", safe=False, value="directio"),
        )
    if keyword == "flush_on_last_del" and value in _FLUSH_MAPPED and version >= _FLUSH_VALUES:
        new = _FLUSH_MAPPED[value]
        return Verdict(
            f"'flush_on_last_del {value}' is a deprecated value since multipath-tools "
            f"{show(_FLUSH_VALUES)} (targeting {target}); multipathd reads it as '{new}'",
            Plan(f"write '{new}', which multipathd reads it as", safe=True, value=new),
        )
    return None


def _alias(keyword: str, alias: _Alias, version: Version) -> Verdict | None:
    if version < alias.since:
        return None
    target = show(version)
    new = alias.replacement(version)
    if version < alias.gone:
        return Verdict(
            f"'{keyword}' is a deprecated alias of '{new}' (targeting {target}) and is gone "
            f"from multipath-tools {show(alias.gone)} on; rename it",
            Plan(f"rename '{keyword}' to '{new}'", safe=True, keyword=new),
        )
    new = alias.replacement(alias.gone)
    if keyword == "default_prio_callout":
        return _dropped(keyword, alias.gone, "prio", target)
    return Verdict(
        f"'{keyword}' was removed in multipath-tools {show(alias.gone)} (targeting {target}): "
        f"multipathd ignores the line, so its setting has no effect; '{new}' is the keyword",
        Plan(f"rename '{keyword}' to '{new}' (the setting then takes effect)", False, new),
    )


def _dropped(keyword: str, gone: Version, replacement: str | None, target: str) -> Verdict:
    text = (
        f"'{keyword}' was removed in multipath-tools {show(gone)} (targeting {target}): "
        "multipathd ignores it"
    )
    if keyword == "udev_dir":
        return Verdict(
            text + "; udev's directory is always /dev now",
            Plan("remove the 'udev_dir' line", safe=True, remove=True),
        )
    if keyword == "prio_callout" or replacement == "prio":
        return Verdict(
            text + "; choose a prioritizer with 'prio' (and 'prio_args'), e.g. "
            "'/sbin/mpath_prio_alua %d' becomes 'prio alua'"
        )
    assert replacement is not None
    what = "section" if keyword == "devnode_blacklist" else "setting"
    return Verdict(
        text + f", so this {what} has no effect; '{replacement}' is the keyword",
        Plan(
            f"rename '{keyword}' to '{replacement}' (the {what} then takes effect)",
            False,
            replacement,
        ),
    )


# Read, but logged as "deprecated and will be disabled in a future release", before _IGNORED.
_WARNED_FROM: Version = (0, 8, 8)
_WARNED = frozenset({"multipath_dir", "config_dir", "bindings_file", "wwids_file", "prkeys_file"})


def _ignored(keyword: str, value: str | None, version: Version) -> Verdict | None:
    since, default = _IGNORED[keyword]
    if version < since and keyword in _WARNED and version >= _WARNED_FROM:
        text = (
            f"'{keyword}' is deprecated since multipath-tools {show(_WARNED_FROM)} (targeting "
            f"{show(version)}) and ignored from {show(since)} on"
        )
        if default is not None and value == default:
            return Verdict(
                text + f"; it names the default, {default}, so the line can go",
                Plan(f"remove the '{keyword}' line", True, remove=True),
            )
        where = f"the default, {default}" if default else "the built-in value"
        return Verdict(text + f": multipathd still reads it here; move to {where} and remove it")
    if version < since:
        return None
    text = f"'{keyword}' is ignored since multipath-tools {show(since)} (targeting {show(version)})"
    if default is None or value == default:
        return Verdict(
            text + "; the line has no effect",
            Plan(f"remove the '{keyword}' line", True, remove=True),
        )
    return Verdict(
        text + f": multipathd uses {default}, not {value}; move what is there and remove the line"
    )


def _getuid(
    keyword: str, callout: str, version: Version, sets_uid_attribute: bool
) -> Verdict | None:
    alias = keyword == "default_getuid_callout"
    target = show(version)
    if version < (0, 4, 6) or (not alias and version < _GETUID_DEPRECATED):
        return None
    if version < _GETUID_DEPRECATED:
        return Verdict(
            f"'{keyword}' is a deprecated alias of 'getuid_callout' (targeting {target}); "
            "rename it",
            Plan(f"rename '{keyword}' to 'getuid_callout'", True, "getuid_callout"),
        )
    same = scsi_id_serial(callout)
    if version >= _GETUID_IGNORED:
        gone = "was removed in" if alias else "is ignored since"
        text = (
            f"'{keyword}' {gone} multipath-tools {show(_GETUID_IGNORED)} (targeting "
            f"{target}): multipathd ignores it and identifies paths by the udev property "
            "that 'uid_attribute' names (ID_SERIAL for SCSI disks)"
        )
        if same is None:
            return Verdict(
                text + "; this program's identifiers are no longer used, so map WWIDs may have "
                "changed: export the identifier as a udev property and name it in uid_attribute"
            )
        return Verdict(
            text + "; this scsi_id call computes that same identifier, so the line can go",
            Plan(f"remove the '{keyword}' line", True, remove=True),
        )
    text = (
        f"'{keyword}' is deprecated since multipath-tools {show(_GETUID_DEPRECATED)} "
        f"(targeting {target}) and ignored from {show(_GETUID_IGNORED)} on: identify paths "
        "by a udev property with 'uid_attribute'"
    )
    if same is not None and not sets_uid_attribute:
        why = "the same identifier" if same else "the same identifier, with blanks as '_'"
        return Verdict(
            text + f"; this scsi_id call computes what udev stores as ID_SERIAL ({why})",
            Plan(
                "replace it with 'uid_attribute \"ID_SERIAL\"'", same, "uid_attribute", "ID_SERIAL"
            ),
        )
    if alias:
        return Verdict(
            text + "; 'default_getuid_callout' is also an alias of 'getuid_callout', gone in "
            f"{show(_GETUID_IGNORED)}",
            Plan(f"rename '{keyword}' to 'getuid_callout'", True, "getuid_callout"),
        )
    return Verdict(text)


_QUEUE_FEATURE: Version = (0, 7, 2)


def _queue_if_no_path(features: str, version: Version, sets_no_path_retry: bool) -> Verdict | None:
    """``features "1 queue_if_no_path"``: deprecated from 0.7.2, where multipathd reads it as
    ``no_path_retry queue`` only when no ``no_path_retry`` applies to the map, and removes it
    from the features it loads (``reconcile_features_with_options`` in propsel.c)."""
    words = features.split()
    if version < _QUEUE_FEATURE or "queue_if_no_path" not in words[1:]:
        return None
    text = (
        f"'features \"{features}\"': queue_if_no_path among the features is deprecated since "
        f"multipath-tools {show(_QUEUE_FEATURE)} (targeting {show(version)}); multipathd logs "
        "it and reads it as 'no_path_retry queue', unless a no_path_retry applies to the map"
    )
    rest = [w for w in words[1:] if w != "queue_if_no_path"]
    if sets_no_path_retry:
        # the section's own no_path_retry wins over the feature, which multipathd drops: the
        # features without it are what it loads, for every release from 0.7.2 on
        new = " ".join([str(len(rest)), *rest])
        return Verdict(
            text + "; this section sets no_path_retry, so the feature has no effect",
            Plan(f'drop queue_if_no_path from features ("{new}")', True, value=new),
        )
    if not rest:
        return Verdict(
            text + "; write 'no_path_retry queue' (unsafe: a no_path_retry set elsewhere, "
            "which now overrides the feature, would then be overridden instead)",
            Plan("replace it with 'no_path_retry queue'", False, "no_path_retry", "queue"),
        )
    return Verdict(text + "; set 'no_path_retry queue' and drop it from features")
