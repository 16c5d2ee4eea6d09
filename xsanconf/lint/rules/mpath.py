"""MPATH002-MPATH005, MPATH007: dm-multipath maps as multipathd builds them, and their names.

multipathd reads /etc/multipath.conf, then (0.6.0+) every /etc/multipath/conf.d/*.conf in name
order, and merges what they say: blacklist entries accumulate, later settings win.  The rules
judge that effective configuration per host (reference: multipath.md, sections 1-4 and 8).
Identity and naming rules build indexes keyed by WWID, never compare hosts pairwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.formats.multipath.lexer import quote, words
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.rules import _mpath_retired as retired
from xsanconf.lint.rules._mpath_retired import Version, parse_version
from xsanconf.lint.rules._posix_ere import Ere, EreError, glob_like, parse, perl_escapes

if TYPE_CHECKING:
    from xsanconf.formats.multipath import (
        MultipathConfig,
        MultipathEntry,
        MultipathOption,
        MultipathSection,
    )
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

CONF_D = "etc/multipath/conf.d/"
_CONF_D_SINCE: Version = (0, 6, 0)
_NEGATION_SINCE: Version = (0, 8, 5)  # a blacklist pattern "!re" is inverted
_MERGED_ENTRIES_SINCE: Version = (0, 7, 8)  # multipath entries with one wwid merge
_PROBE_SCSI_NAMES = ("sda", "sdb", "sdz", "sdaa", "sdzz")


def _target(ctx: RuleContext, host: Host) -> Version:
    """The multipath-tools ``host`` runs (its setting or package), else the targeted one."""
    from xsanconf.lint.engine import DEFAULT_VERSIONS

    known = ctx.host_versions(host).version("multipath")
    return parse_version(known or ctx.versions.get("multipath", DEFAULT_VERSIONS["multipath"]))


def _read_by_multipathd(rel: str, version: Version) -> bool:
    return not rel.startswith(CONF_D) or version >= _CONF_D_SINCE


def _configs(host: Host, version: Version) -> list[tuple[SiteFile, MultipathConfig]]:
    """The host's parsed multipath files in multipathd's reading order."""
    files = [
        f
        for f in host.documents("multipath")
        if f.doc.parsed and _read_by_multipathd(f.rel, version)
    ]
    files.sort(key=lambda f: (f.rel.startswith(CONF_D), f.rel))
    return [(f, f.doc.model) for f in files]


def _entries(
    configs: list[tuple[SiteFile, MultipathConfig]],
) -> list[tuple[SiteFile, MultipathEntry]]:
    return [(file, entry) for file, config in configs for entry in config.multipaths]


# Blacklist patterns -------------------------------------------------------------------------


# The records of this module are plain classes: attrs compiles each class's methods at import,
# on every run, and these are never compared or printed (debugging aside).
class _Pattern:
    """One blacklist or exception entry as multipathd compiled it."""

    __slots__ = ("ere", "file", "inverted", "option")

    def __init__(self, file: SiteFile, option: MultipathOption, ere: Ere, inverted: bool) -> None:
        self.file = file
        self.option = option
        self.ere = ere
        self.inverted = inverted

    def matches(self, text: str) -> bool | None:
        found = self.ere.search(text)
        return None if found is None else found != self.inverted

    def location(self, message: str) -> Location:
        return self.file.location(self.option.token, message)


def _compiled(pattern: str, version: Version) -> tuple[str, bool] | None:
    """The regex multipathd compiles and whether it is inverted (``None``: cannot tell)."""
    if version >= _NEGATION_SINCE:
        if pattern.startswith("!"):
            return pattern[1:], True
        if pattern.startswith("\\!"):
            return pattern[1:], False
    elif pattern.startswith("!"):
        return None  # before 0.8.5 the lexer cut a quoted value at a leading '!'
    return pattern, False


def _patterns(
    configs: list[tuple[SiteFile, MultipathConfig]], section: str, kind: str, version: Version
) -> list[_Pattern]:
    found = []
    for file, config in configs:
        lists = config.blacklist if section == "blacklist" else config.blacklist_exceptions
        for entry in lists.entries:
            compiled = _compiled(entry.pattern or "", version) if entry.kind == kind else None
            if compiled is None or entry.pattern is None:
                continue
            try:
                ere = parse(compiled[0])
            except EreError:
                continue  # multipathd drops it (MPATH005)
            found.append(_Pattern(file, entry.option, ere, compiled[1]))
    return found


def _first_match(patterns: list[_Pattern], text: str) -> _Pattern | bool | None:
    """The first pattern matching ``text``; ``False`` when none does, ``None`` when unsure."""
    unsure = False
    for pattern in patterns:
        found = pattern.matches(text)
        if found:
            return pattern
        unsure = unsure or found is None
    return None if unsure else False


class _Blacklist:
    """One class of a host's blacklist (devnode, wwid): patterns and their exceptions."""

    __slots__ = ("exceptions", "patterns")

    def __init__(self, patterns: list[_Pattern], exceptions: list[_Pattern]) -> None:
        self.patterns = patterns
        self.exceptions = exceptions

    def hit(self, text: str) -> _Pattern | None:
        """The pattern that blacklists ``text`` for certain (an exception wins in its class)."""
        if not self.patterns:
            return None
        excepted = _first_match(self.exceptions, text)
        if excepted is not False:
            return None
        found = _first_match(self.patterns, text)
        return found if isinstance(found, _Pattern) else None


def _blacklist(
    configs: list[tuple[SiteFile, MultipathConfig]], kind: str, version: Version
) -> _Blacklist:
    return _Blacklist(
        _patterns(configs, "blacklist", kind, version),
        _patterns(configs, "blacklist_exceptions", kind, version),
    )


def _devnode_hit(devnodes: _Blacklist) -> _Pattern | None:
    """The devnode pattern that blacklists every SCSI disk name, if one does."""
    hits = [devnodes.hit(name) for name in _PROBE_SCSI_NAMES]
    return hits[0] if all(hits) else None


@rule("MPATH002", "configured-wwid-blacklisted", Severity.ERROR, scope="file", needs=("multipath",))
def configured_wwid_blacklisted(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A wwid configured in `multipaths` is blacklisted and not excepted."""
    for host in site.hosts:
        version = _target(ctx, host)
        configs = _configs(host, version)
        entries = [(f, e) for f, e in _entries(configs) if e.wwid]
        if not entries:
            continue
        devnode = _devnode_hit(_blacklist(configs, "devnode", version))
        wwids = _blacklist(configs, "wwid", version)
        for file, entry in entries:
            wwid = entry.wwid or ""
            option = entry.option("wwid")
            assert option is not None
            if devnode is not None:
                yield ctx.diagnostic(
                    f"the map for wwid {wwid} is never built: devnode "
                    f"{devnode.option.raw_value} blacklists every SCSI disk name (sda, sdb, ...) "
                    "and no devnode exception rescues them; an exception for the wwid does not "
                    "help, multipathd checks the devnode class first",
                    file.location(option.token),
                    [devnode.location("blacklisted here")],
                )
                continue
            hit = wwids.hit(wwid)
            if hit is not None:
                yield ctx.diagnostic(
                    f"wwid {wwid} is blacklisted by wwid {hit.option.raw_value} and no "
                    "blacklist_exceptions wwid matches it: multipathd never builds this map; "
                    f'add blacklist_exceptions {{ wwid "^{wwid}$" }} or narrow the blacklist',
                    file.location(option.token),
                    [hit.location("blacklisted here")],
                )


# MPATH003 -----------------------------------------------------------------------------------


def _option_location(
    file: SiteFile, entry: MultipathEntry, keyword: str, message: str | None = None
) -> Location:
    option = entry.option(keyword)
    return file.location(option.token if option is not None else entry.head, message)


@rule("MPATH003", "duplicate-map", Severity.ERROR, scope="file", needs=("multipath",))
def duplicate_map(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """One alias for several wwids, or one wwid in several `multipath` entries."""
    for host in site.hosts:
        version = _target(ctx, host)
        merged = version >= _MERGED_ENTRIES_SINCE
        by_wwid: dict[str, tuple[SiteFile, MultipathEntry]] = {}
        by_alias: dict[str, tuple[SiteFile, MultipathEntry]] = {}
        for file, entry in _entries(_configs(host, version)):
            wwid, alias = entry.wwid, entry.alias
            if wwid is None:
                continue
            first = by_wwid.setdefault(wwid, (file, entry))
            if first[1] is not entry:
                line = first[0].doc.position(first[1].head or first[0].doc.root)[0]
                effect = (
                    "multipathd merges them and the settings of this later entry win"
                    if merged
                    else "multipathd uses only the first entry and ignores this one"
                )
                yield ctx.diagnostic(
                    f"wwid {wwid} has another multipath entry ({first[0].rel} line {line}): "
                    f"{effect}; keep one entry per wwid",
                    _option_location(file, entry, "wwid"),
                    [_option_location(*first, "wwid", "first entry")],
                )
                continue
            if alias is None:
                continue
            owner = by_alias.setdefault(alias, (file, entry))
            if owner[1] is not entry and owner[1].wwid != wwid:
                yield ctx.diagnostic(
                    f"alias '{alias}' is already the name of wwid {owner[1].wwid}: only one map "
                    f"can be /dev/mapper/{alias}, so wwid {wwid} gets another name, or none, "
                    "depending on which LUN appears first",
                    _option_location(file, entry, "alias"),
                    [_option_location(*owner, "alias", "first use of the alias")],
                )


# MPATH004 -----------------------------------------------------------------------------------


def _sets_uid_attribute(section: MultipathSection) -> bool:
    return any(o.keyword in ("uid_attribute", "uid_attrs") for o in section.options)


@rule(
    "MPATH004",
    "deprecated-keyword",
    Severity.WARNING,
    scope="file",
    needs=("multipath",),
    fix="safe-or-unsafe",
)
def deprecated_keyword(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Keywords or values that the targeted multipath-tools version deprecated or removed."""
    for file in site.files("multipath"):
        if not file.doc.parsed:
            continue
        version = _target(ctx, file.host)
        config: MultipathConfig = file.doc.model
        for section in config.walk():
            # once a section, not per option: a rescan per option is quadratic
            sets_uid_attribute = _sets_uid_attribute(section)
            sets_no_path_retry = section.option("no_path_retry") is not None
            for option in section.options:
                verdict = retired.judge(
                    option.keyword,
                    option.value,
                    version,
                    section=section.keyword,
                    section_sets_uid_attribute=sets_uid_attribute,
                    known=option.known,
                    section_sets_no_path_retry=sets_no_path_retry,
                )
                if verdict is None:
                    continue
                fix = _fix(file, option, verdict.plan) if verdict.plan else None
                yield ctx.diagnostic(verdict.message, file.location(option.token), fix=fix)


def _fix(file: SiteFile, option: MultipathOption, plan: retired.Plan) -> Fix | None:
    """The plan as edits of the option's own line.

    multipathd reads one statement per line, so a statement is one token on a line of its own:
    renaming or revaluing splices words of that token, removing deletes its whole line.
    """
    text = option.token.text
    if "\n" in text:
        return None
    line, column = file.doc.position(option.token)
    if plan.remove:
        edit = _line_removal(file, line)
    else:
        new = _rewritten(text, plan)
        edit = TextEdit(file.path, line, column, line, column + len(text), new)
    return Fix(plan.description, plan.safe, (edit,))


def _line_removal(file: SiteFile, line: int) -> TextEdit:
    lines = file.lines()
    if line < len(lines):
        return TextEdit(file.path, line, 1, line + 1, 1, "")
    return TextEdit(file.path, line, 1, line, len(lines[line - 1]) + 1, "")  # no final newline


def _rewritten(text: str, plan: retired.Plan) -> str:
    """The statement with a new keyword and/or value, keeping spacing and quoting style."""
    found = words(text)
    if plan.value is not None and len(found) > 1:
        start, end, raw = found[1]
        new = f'"{plan.value}"' if raw.startswith('"') or plan.keyword else quote(plan.value)
        text = text[:start] + new + text[end:]
    if plan.keyword is not None:
        start, end, _ = found[0]
        text = text[:start] + plan.keyword + text[end:]
    return text


# MPATH005 -----------------------------------------------------------------------------------

# Where multipathd reads a value as a POSIX extended regex, per section.
_REGEX_OPTIONS: dict[str, frozenset[str]] = {
    "blacklist": frozenset({"devnode", "wwid", "property", "protocol"}),
    "blacklist_exceptions": frozenset({"devnode", "wwid", "property", "protocol"}),
    "device": frozenset({"vendor", "product", "revision", "product_blacklist"}),
    "defaults": frozenset({"enable_foreign"}),
}
_BLACKLISTS = ("blacklist", "blacklist_exceptions")


def _in_blacklist(section: MultipathSection) -> bool:
    parent = section.parent
    return section.keyword in _BLACKLISTS or (parent is not None and parent.keyword in _BLACKLISTS)


def _regex_options(config: MultipathConfig) -> Iterator[tuple[MultipathSection, MultipathOption]]:
    for section in config.walk():
        keywords = _REGEX_OPTIONS.get(section.keyword, frozenset())
        for option in section.options:
            if option.known and option.keyword in keywords and option.value is not None:
                yield section, option


def _glob_suggestion(pattern: str) -> str:
    regex = "^" + "".join({"*": ".*", "?": "."}.get(ch, ch) for ch in pattern) + "$"
    regex = regex.removesuffix(".*$")
    return ".*" if regex == "^" else regex


@rule("MPATH005", "invalid-regex", Severity.ERROR, scope="file", needs=("multipath",))
def invalid_regex(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A blacklist, exception or device pattern that is not a POSIX extended regex, or a glob."""
    for file in site.files("multipath"):
        if not file.doc.parsed:
            continue
        version = _target(ctx, file.host)
        for section, option in _regex_options(file.doc.model):
            pattern = option.value or ""
            compiled = _compiled(pattern, version) if _in_blacklist(section) else (pattern, False)
            if compiled is None:
                continue
            yield from _judge_pattern(ctx, file, section, option, compiled[0])


def _judge_pattern(
    ctx: RuleContext,
    file: SiteFile,
    section: MultipathSection,
    option: MultipathOption,
    regex: str,
) -> Iterator[Diagnostic]:
    where = file.location(option.token)
    what = f"{option.keyword} pattern '{regex}'"
    try:
        parse(regex)
    except EreError as error:
        glob = " (a shell glob? regexes say '.*', not '*')" if glob_like(regex) else ""
        yield ctx.diagnostic(
            f"{what} is not a POSIX extended regex: {error.reason} at character "
            f"{error.offset + 1}{glob}; multipathd {_dropped_effect(section)}",
            where,
        )
        return
    single_quoted = len(regex) >= 2 and regex[0] == regex[-1] == "'"
    if single_quoted:
        yield ctx.diagnostic(
            f"{what} starts and ends with a single quote, which multipathd keeps as part of "
            "the pattern (multipath.conf quotes with double quotes only)",
            where,
            severity=Severity.WARNING,
        )
    bare = regex[1:-1] if single_quoted else regex
    if glob_like(bare):
        yield ctx.diagnostic(
            f"{what} looks like a shell glob: in a regex '*' and '?' repeat the character "
            "before them and the match is not anchored, so it matches far more than meant; "
            f"write '{_glob_suggestion(bare)}'",
            where,
            severity=Severity.WARNING,
        )
    for escape in perl_escapes(regex):
        instead = _POSIX_FOR_PERL.get(escape[1], "a bracket expression")
        yield ctx.diagnostic(
            f"{what} uses '{escape}', which POSIX regexes do not have: glibc reads it as the "
            f"letter '{escape[1]}'; write {instead} instead",
            where,
            severity=Severity.WARNING,
        )


_POSIX_FOR_PERL = {"d": "'[0-9]'", "D": "'[^0-9]'", "h": "'[[:blank:]]'", "H": "'[^[:blank:]]'"}


def _dropped_effect(section: MultipathSection) -> str:
    keyword = (
        section.keyword if section.keyword != "device" else (section.parent or section).keyword
    )
    if keyword == "blacklist":
        return "drops the entry, so it blacklists nothing"
    if keyword == "blacklist_exceptions":
        return "drops the entry, so the devices it was meant to except stay blacklisted"
    return "cannot match it against any device"


# MPATH007 -----------------------------------------------------------------------------------


class _MapName:
    """The /dev/mapper name one host gives one wwid (``name`` None: an unpredictable mpathN)."""

    __slots__ = ("host", "how", "location", "name")

    def __init__(self, host: str, name: str | None, how: str, location: Location) -> None:
        self.host = host
        self.name = name
        self.how = how
        self.location = location


def _bindings(
    host: Host, configs: list[tuple[SiteFile, MultipathConfig]], version: Version
) -> dict[str, str]:
    """wwid -> alias from the host's bindings file (what user_friendly_names hands out)."""
    rel = "var/lib/multipath/bindings" if version < (0, 4, 9) else "etc/multipath/bindings"
    if version < (0, 9, 7):
        for _, config in configs:
            configured = config.defaults.value("bindings_file")
            if configured:
                rel = configured
    text = host.read_text(rel)  # inside the host root, a regular file, bounded
    if text is None:
        return {}
    bound: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2:
            bound.setdefault(fields[1], fields[0])
    return bound


def _friendly(config_chain: list[MultipathConfig], entry_value: bool | None) -> bool:
    """user_friendly_names for a map: the entry's own, else overrides, else defaults."""
    if entry_value is not None:
        return entry_value
    for merged in ("overrides", "defaults"):
        for config in reversed(config_chain):
            section = config.overrides if merged == "overrides" else config.defaults
            value = section.user_friendly_names
            if isinstance(value, bool):
                return value
    return False


def _map_names(host: Host, version: Version) -> Iterator[tuple[str, _MapName]]:
    configs = _configs(host, version)
    entries = _entries(configs)
    if not entries:
        return
    merged = version >= _MERGED_ENTRIES_SINCE
    chosen: dict[str, tuple[SiteFile, MultipathEntry, str | None, bool | None]] = {}
    for file, entry in entries:
        wwid = entry.wwid
        if wwid is None:
            continue
        alias = entry.alias
        ufn = entry.typed("user_friendly_names")
        ufn = ufn if isinstance(ufn, bool) else None
        if wwid in chosen:
            if not merged:
                continue
            _, _, old_alias, old_ufn = chosen[wwid]
            alias = alias or old_alias
            ufn = old_ufn if ufn is None else ufn
        chosen[wwid] = (file, entry, alias, ufn)
    bindings: dict[str, str] | None = None
    chain = [config for _, config in configs]
    for wwid, (file, entry, alias, ufn) in chosen.items():
        where = _option_location(file, entry, "alias" if alias else "wwid")
        if alias:
            yield wwid, _MapName(host.name, alias, "its alias", where)
        elif _friendly(chain, ufn):
            bindings = _bindings(host, configs, version) if bindings is None else bindings
            bound = bindings.get(wwid)
            yield wwid, _MapName(host.name, bound, "from its bindings file", where)
        else:
            yield wwid, _MapName(host.name, wwid, "no alias, user_friendly_names off", where)


def _guest_sharing_hosts(site: Site) -> dict[str, str]:
    """Hosts that carry a config for a Xen guest another host also carries: host -> guest."""
    hosts_by_guest: dict[str, set[str]] = {}
    for host in site.hosts:
        for file in host.documents("xen-domain"):
            name = file.doc.model.name if file.doc.parsed else None
            if name:
                hosts_by_guest.setdefault(name, set()).add(host.name)
    sharing: dict[str, str] = {}
    for guest, hosts in sorted(hosts_by_guest.items()):
        if len(hosts) > 1:
            for name in hosts:
                sharing.setdefault(name, guest)
    return sharing


def _others(groups: dict[str, list[_MapName]], own: str, limit: int = 3) -> list[_MapName]:
    """Up to ``limit`` hosts naming the wwid otherwise than ``own`` (one per name first)."""
    firsts = [members[0] for name, members in groups.items() if name != own]
    if len(firsts) >= limit:
        return firsts[:limit]
    rest = [m for name, members in groups.items() if name != own for m in members[1:limit]]
    return (firsts + rest)[:limit]


def _describe(others: list[_MapName], count: int) -> str:
    hosts_by_name: dict[str, list[str]] = {}
    for other in others:
        hosts_by_name.setdefault(other.name or "", []).append(other.host)
    shown = "; ".join(f"'{name}' on {', '.join(hosts)}" for name, hosts in hosts_by_name.items())
    return shown + (f" (and {count - len(others)} more hosts)" if count > len(others) else "")


@rule("MPATH007", "names-differ-across-hosts", Severity.WARNING, scope="host", needs=("multipath",))
def names_differ_across_hosts(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """One wwid gets different /dev/mapper names on different hosts."""
    sharing = _guest_sharing_hosts(site)
    by_wwid: dict[str, list[_MapName]] = {}
    for host in site.hosts:
        for wwid, name in _map_names(host, _target(ctx, host)):
            by_wwid.setdefault(wwid, []).append(name)
    for wwid, names in by_wwid.items():
        known = [n for n in names if n.name is not None]
        groups: dict[str, list[_MapName]] = {}
        for name in known:
            groups.setdefault(name.name or "", []).append(name)
        if len(groups) > 1:
            # only the first groups can hold the examples: cost stays linear in hosts
            sample = dict(list(groups.items())[:4])
            for name in known:
                own = name.name or ""
                others = _others(sample if own in sample else dict(list(sample.items())[:3]), own)
                count = len(known) - len(groups[own])
                yield ctx.diagnostic(
                    f"wwid {wwid} is /dev/mapper/{own} here ({name.how}) but "
                    f"{_describe(others, count)}: a guest moved between these hosts looks for "
                    "a device that is not there; give the map the same alias on every host",
                    name.location,
                    [attrs.evolve(n.location, message=f"named '{n.name}' there") for n in others],
                )
        for name in names:
            guest = sharing.get(name.host)
            if name.name is None and guest is not None:
                yield ctx.diagnostic(
                    f"wwid {wwid} has no alias and user_friendly_names is on: its name "
                    f"(mpathN) comes from this host's bindings file, and {name.host} shares "
                    f"guest {guest!r} with other hosts, where the same LUN can be another "
                    "mpathN; set an alias (the same on every host)",
                    name.location,
                )
