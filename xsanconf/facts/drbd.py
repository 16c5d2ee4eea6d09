"""What drbdadm makes of a resource on one host: its effective settings after inheritance.

The DRBD rules judge the configuration drbdadm acts on, not the text: ``common`` is merged
under each resource, 8.3's ``syncer`` options move to their 8.4 homes, the resource-level
``protocol`` joins ``net``, bare flags and ``yes``/``no`` mean the same, legacy ``no-X``
negatives become ``X no``, sizes compare in bytes and devices by minor.  Every setting keeps
the statement it came from, so a diagnostic can point at it.

The index is built once per site and targeted version and shared by all DRBD rules; it
assumes the site's documents are not edited afterwards (a run that applies fixes loads the
site again).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING

import attrs

from xsanconf.facts.registry import Fact
from xsanconf.formats.drbd import lexer
from xsanconf.formats.drbd.model import (
    OPTION_TYPES,
    DrbdConnection,
    DrbdHost,
    DrbdResource,
    DrbdSection,
    EffectiveVolume,
)
from xsanconf.formats.drbd.values import (
    Address,
    parse_address,
    parse_bool,
    parse_size,
    unquote,
)
from xsanconf.lint.facts.drbd_options import (
    ALIASES,
    LEGACY_NEGATIVES,
    SYNCER_HOMES,
    SYNCER_IGNORED,
)
from xsanconf.syntax import Token

if TYPE_CHECKING:
    from xsanconf.facts.registry import Facts
    from xsanconf.formats.drbd.model import DrbdStatement
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.facts.versions import HostVersions
    from xsanconf.lint.site import Host, Site, SiteFile

__all__ = [
    "LEGACY_NEGATIVES",
    "OPTION_SECTIONS",
    "SYNCER_HOMES",
    "SYNCER_IGNORED",
    "DRBD",
    "DrbdIndex",
    "HostNames",
    "Key",
    "ResourceView",
    "Setting",
    "canonical_option",
    "drbd_index",
    "newest_versions",
    "host_key",
    "hostnames_equal",
    "is_dual_primary",
]

Key = tuple[str, ...]

OPTION_SECTIONS = ("net", "disk", "startup", "handlers", "options", "proxy")

_BOOLS = frozenset(k for k, kind in OPTION_TYPES.items() if kind == "bool")
_SIZES = frozenset(k for k, kind in OPTION_TYPES.items() if kind == "size")


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(eq=False, repr=False)
class Setting:
    """One effective value and the statement it comes from."""

    value: Hashable
    shown: str
    statement: DrbdStatement
    file: SiteFile

    def location(self, message: str | None = None) -> Location:
        return self.file.location(self.statement.token, message)

    def section_location(self, message: str | None = None) -> Location:
        """The head of the section that holds the statement (``net {``)."""
        head = self.statement.container.children[0]
        return self.file.location(head if isinstance(head, Token) else None, message)


def canonical_option(
    section: str, keyword: str, args: list[str], version: str
) -> tuple[str, str, Hashable] | None:
    """``(section, keyword, value)`` as drbdadm stores the option; ``None`` when it drops it."""
    if section == "syncer":
        if keyword in SYNCER_IGNORED:
            return None
        section, keyword = SYNCER_HOMES.get(keyword, ("disk", keyword))
    keyword = ALIASES.get((section, keyword), keyword)
    if section == "disk" and keyword == "fencing":
        section = "net"  # 9 moved it; one place makes 8.x and 9 definitions comparable
    value: Hashable
    if keyword.startswith("no-") and (keyword in LEGACY_NEGATIVES or version == "9"):
        keyword = keyword[3:]
        # drbdadm 9 ignores the prefix once a value is given: ``no-X yes`` stores yes
        value = parse_bool(args[0]) if args and version == "9" else False
    elif keyword in _BOOLS:
        value = parse_bool(args[0] if args else None)
    elif keyword in _SIZES and len(args) == 1:
        value = _size_value(args[0])
    elif keyword == "protocol":
        value = " ".join(args).upper()
    else:
        value = tuple(args)
    return section, keyword, value


def _size_value(text: str) -> Hashable:
    found = parse_size(text)
    return found if found is not None else text


def hostnames_equal(configured: str, hostname: str, version: str) -> bool:
    """Whether an ``on`` name stands for this host, as the targeted drbdadm compares them."""
    if version != "9":
        return configured == hostname  # 8.3/8.4: exact strcmp against uname -n
    a, b = configured.lower(), hostname.lower()
    if "." in a and "." in b:
        return a == b
    return a.split(".", 1)[0] == b.split(".", 1)[0]


def host_key(section: DrbdHost, version: str) -> str:
    """A host section's identity, the same on every host that describes it."""
    if section.keyword == "on":
        names = [n.lower() for n in section.names] if version == "9" else section.names
        return "on " + " ".join(sorted(names))
    address = section.address
    if section.keyword == "floating" and address is not None:
        return f"floating {_address_value(address)}"
    return " ".join([section.keyword, *section.args])


def _address_value(address: Address) -> str:
    family = "ssocks" if address.family == "sci" else address.family
    return f"{family} {address.endpoint}"


@attrs.define(eq=False, repr=False)
class ResourceView:
    """One host's effective definition of one resource."""

    host: Host
    file: SiteFile
    resource: DrbdResource
    settings: dict[Key, Setting] = attrs.field(factory=dict)
    common_nodes: frozenset[int] = frozenset()  # ids of the nodes of ``common`` and its sections
    # Read once: the model reads tokens on every access, and every rule asks for these.
    hosts: list[DrbdHost] = attrs.field(factory=list)
    _names: dict[int, list[str]] = attrs.field(factory=dict)
    _volumes: dict[int, list[EffectiveVolume]] = attrs.field(factory=dict)

    def names_of(self, section: DrbdHost) -> list[str]:
        """The names an ``on`` section stands for."""
        return self._names[id(section.node)]

    def volumes_of(self, section: DrbdHost) -> list[EffectiveVolume]:
        """A host section's volumes after inheritance from the resource."""
        return self._volumes[id(section.node)]

    @property
    def name(self) -> str:
        return self.resource.name

    def owner(self, setting: Setting) -> str:
        """Where a setting comes from, for messages: ``common`` or ``resource NAME``."""
        if id(setting.statement.container) in self.common_nodes:
            return "common"
        return f"resource {self.name}"

    def location(self, message: str | None = None) -> Location:
        return self.file.location(self.resource.head or self.resource.node, message)

    def section_location(self, section: DrbdSection, message: str | None = None) -> Location:
        return self.file.location(section.head or section.node, message)

    def option(self, section: str, keyword: str) -> Setting | None:
        return self.settings.get((section, keyword))

    def net_scopes(self) -> list[dict[str, Setting]]:
        """The net options of each connection (9), or of the resource when it has none."""
        base = {k[1]: s for k, s in self.settings.items() if len(k) == 2 and k[0] == "net"}
        scopes: dict[str, dict[str, Setting]] = {}
        for key, setting in self.settings.items():
            if key[0] == "connection" and key[2] == "net":
                scopes.setdefault(key[1], dict(base))[key[3]] = setting
        names = {key[1] for key in self.settings if key[0] == "connection"}
        for name in names - scopes.keys():
            scopes[name] = dict(base)
        return list(scopes.values()) or [base]

    def own_sections(self, host_name: str, version: str) -> list[DrbdHost]:
        """The ``on`` sections that stand for ``host_name``."""
        return [
            s
            for s in self.hosts
            if any(hostnames_equal(n, host_name, version) for n in self.names_of(s))
        ]

    def matches_by_address_or_stacking(self) -> bool:
        """Whether drbdadm finds this node by IP or lower resource, which a config cannot show."""
        return any(s.keyword != "on" for s in self.hosts)


def is_dual_primary(net: dict[str, Setting]) -> bool:
    setting = net.get("allow-two-primaries")
    return setting is not None and setting.value is True


def _read_resource(
    view: ResourceView, common: tuple[SiteFile, DrbdSection] | None, version: str
) -> None:
    settings, file, resource = view.settings, view.file, view.resource
    if common is not None:
        _take_options(settings, (), common[0], common[1], version)
    _take_options(settings, (), file, resource, version)
    for volume in resource.volumes:
        _take_options(settings, ("volume", " ".join(volume.args)), file, volume, version)
    view.hosts = resource.hosts
    for host in view.hosts:
        view._names[id(host.node)] = host.names
        view._volumes[id(host.node)] = resource.effective_volumes(host)
        _take_host(view, host, version)
    for connection in resource.connections:
        _take_connection(settings, file, connection, version)


def _take_options(
    settings: dict[Key, Setting],
    prefix: Key,
    file: SiteFile,
    scope: DrbdSection,
    version: str,
) -> None:
    """Options of ``scope``'s option sections (and a resource-level ``protocol``)."""
    for statement in scope.statements():
        if statement.keyword == "protocol":
            _put(settings, prefix, file, section="net", statement=statement, version=version)
    for section in scope.sections():
        keyword = section.keyword
        if keyword in OPTION_SECTIONS or keyword == "syncer":
            for statement in section.statements():
                _put(settings, prefix, file, section=keyword, statement=statement, version=version)


def _put(
    settings: dict[Key, Setting],
    prefix: Key,
    file: SiteFile,
    *,
    section: str,
    statement: DrbdStatement,
    version: str,
) -> None:
    keyword, args = _words(statement)
    found = canonical_option(section, keyword, args, version)
    if found is None:
        return
    home, keyword, value = found
    settings[(*prefix, home, keyword)] = Setting(value, " ".join(args), statement, file)


def _words(statement: DrbdStatement) -> tuple[str, list[str]]:
    """Keyword and values, read from the token once."""
    found = [unquote(w) for _, _, w in lexer.words(statement.token.text)]
    return (found[0], found[1:]) if found else ("", [])


def _take_host(view: ResourceView, host: DrbdHost, version: str) -> None:
    settings, file = view.settings, view.file
    prefix: Key = ("host", host_key(host, version))
    for statement in host.statements():
        keyword, args = _words(statement)
        shown = " ".join(args)
        if keyword == "address":
            address = parse_address(args)
            spelled = _address_value(address) if address is not None else shown
            settings[(*prefix, keyword)] = Setting(spelled, shown, statement, file)
        elif keyword == "node-id":
            settings[(*prefix, keyword)] = Setting(shown, shown, statement, file)
    for volume in view.volumes_of(host):
        number = str(volume.number)
        for source, statement in volume.sources.items():
            keyword = "meta-disk" if source == "flexible-meta-disk" else source
            shown = " ".join(_words(statement)[1])
            value: Hashable = shown
            if keyword == "device" and volume.device is not None:
                value = (volume.device.effective_path, volume.device.effective_minor)
            elif keyword == "meta-disk":
                value = volume.meta_disk
            settings[(*prefix, "volume", number, keyword)] = Setting(value, shown, statement, file)
    _take_options(settings, prefix, file, host, version)


def _take_connection(
    settings: dict[Key, Setting], file: SiteFile, connection: DrbdConnection, version: str
) -> None:
    names = sorted(n.lower() if version == "9" else n for n in connection.hosts)
    prefix: Key = ("connection", f"{connection.keyword} {' '.join(names)}")
    _take_options(settings, prefix, file, connection, version)
    # 9: peer-device options of one volume on this connection (``volume N { disk { } }``)
    for volume in connection.sections("volume"):
        number = " ".join(volume.args)
        _take_options(settings, (*prefix, "volume", number), file, volume, version)
    for statement in connection.statements("host"):
        settings[(*prefix, "host", statement.args[0] if statement.args else "")] = Setting(
            tuple(statement.args), statement.value or "", statement, file
        )


@attrs.define(eq=False, repr=False)
class HostNames:
    """The site's hosts found by a name as written in an ``on`` section."""

    version: str
    by_first_label: dict[str, list[Host]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, site: Site, version: str) -> HostNames:
        names = cls(version)
        for host in site.hosts:
            names.by_first_label.setdefault(names._label(host.name), []).append(host)
        return names

    def _label(self, name: str) -> str:
        return name.split(".", 1)[0].lower() if self.version == "9" else name

    def find(self, configured: str) -> list[Host]:
        candidates = self.by_first_label.get(self._label(configured), [])
        return [h for h in candidates if hostnames_equal(configured, h.name, self.version)]


@attrs.define(eq=False, repr=False)
class DrbdIndex:
    """Every host's effective resources, by host and by resource name."""

    version: str  # the newest of the hosts' versions: how site-wide names are compared
    views: list[ResourceView]
    by_name: dict[str, list[ResourceView]]
    by_host: dict[Host, list[ResourceView]]
    hosts: HostNames
    versions: dict[str, str] = attrs.field(factory=dict)  # host name -> its own version

    def of_host(self, host: Host) -> list[ResourceView]:
        return self.by_host.get(host, [])

    def version_of(self, host: Host) -> str:
        """The drbdadm version ``host``'s resources were read with."""
        return self.versions.get(host.name, self.version)


_CACHE: weakref.WeakKeyDictionary[Site, dict[object, DrbdIndex]] = weakref.WeakKeyDictionary()


def newest_versions(
    site: Site, host_versions: Callable[[Host], HostVersions], default: str
) -> dict[str, str]:
    """Each host with drbd files, by name: the newest drbdadm it may run (how the rules that
    judge one reading read it; ``default`` where its evidence names none)."""
    own = {}
    for host in site.hosts:
        if host.documents("drbd"):
            candidates = host_versions(host).drbd
            own[host.name] = candidates[-1] if candidates else default
    return own


def drbd_index(site: Site, version: str | Mapping[str, str]) -> DrbdIndex:
    """The site's DRBD index, built on first use: every host read as drbdadm ``version`` reads
    it, or each host (by name) at its own version."""
    per_version = _CACHE.setdefault(site, {})
    key: object = version if isinstance(version, str) else tuple(sorted(version.items()))
    found = per_version.get(key)
    if found is None:
        found = per_version[key] = _build_index(site, version)
    return found


def _build_index(site: Site, versions: str | Mapping[str, str]) -> DrbdIndex:
    own = {} if isinstance(versions, str) else dict(versions)
    order = ("8.3", "8.4", "9")
    version = (
        versions if isinstance(versions, str) else max(own.values(), key=order.index, default="9")
    )
    views: list[ResourceView] = []
    by_name: dict[str, list[ResourceView]] = {}
    by_host: dict[Host, list[ResourceView]] = {}
    for host in site.hosts:
        common = host.drbd_common()
        common_nodes = frozenset(
            id(n)
            for n in ([common[1].node] + [s.node for s in common[1].sections()] if common else [])
        )
        for file, resource in host.drbd_resources():
            view = ResourceView(host, file, resource, common_nodes=common_nodes)
            _read_resource(view, common, own.get(host.name, version))
            views.append(view)
            by_host.setdefault(host, []).append(view)
            by_name.setdefault(resource.name, []).append(view)
    return DrbdIndex(version, views, by_name, by_host, HostNames.of(site, version), own)


def _drbd_fact(facts: Facts) -> DrbdIndex:
    version = facts.versions.get("drbd", "9")
    default = version if version in ("8.3", "8.4", "9") else "9"
    return drbd_index(facts.site, newest_versions(facts.site, facts.host_versions, default))


# The site's DRBD resources, each host's read as the newest drbdadm the host may run (the DRBD
# rules judge that reading; DRBD007 and DRBD011 weigh every candidate themselves).
DRBD: Fact[DrbdIndex] = Fact("drbd", _drbd_fact)
