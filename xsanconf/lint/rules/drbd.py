"""DRBD001-DRBD010: replication mistakes in drbd.conf, judged on the effective configuration.

Each check reads the site's DRBD index (:mod:`xsanconf.facts.drbd`): every host's
resources with ``common`` merged in and legacy spellings normalised.  The targeted drbdadm
version (``ctx.versions["drbd"]``: 8.3, 8.4 or 9) steers host matching, what counts as
deprecated and which keywords are required.  Cross-host checks group definitions by resource
name, so their cost grows with the number of definitions, not with pairs of hosts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.facts.drbd import (
    DRBD,
    LEGACY_NEGATIVES,
    SYNCER_HOMES,
    SYNCER_IGNORED,
    DrbdIndex,
    Key,
    ResourceView,
    Setting,
    host_key,
    hostnames_equal,
    is_dual_primary,
)
from xsanconf.formats.drbd.model import DrbdConfig, DrbdConnection, DrbdHost, DrbdSection
from xsanconf.lint.candidates import by_place, for_versions
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity
from xsanconf.lint.fix_safety import holds_for
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.rules._drbd_fixes import add_option, drop_head_args, edit_fix, rename_keyword

if TYPE_CHECKING:
    from xsanconf.formats.drbd.model import DrbdStatement
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

VERSIONS = ("8.3", "8.4", "9")


def _version(ctx: RuleContext) -> str:
    version = ctx.versions.get("drbd", "9")
    return version if version in VERSIONS else "9"


def _as_written(setting: Setting) -> str:
    statement = setting.statement
    return " ".join([statement.keyword, *statement.args])


# DRBD001 ---------------------------------------------------------------------------------------


@rule(
    "DRBD001",
    "dual-primary-not-allowed",
    Severity.ERROR,
    scope="host",
    needs=("drbd",),
    uses=(DRBD,),
    fix="unsafe",
)
def dual_primary_not_allowed(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Both nodes are to be promoted, but allow-two-primaries is not set."""
    index = ctx.fact(DRBD)
    for view in index.views:
        version = index.version_of(view.host)
        promote = view.option("startup", "become-primary-on")
        if promote is None or not _promotes_several(promote):
            continue
        if all(is_dual_primary(net) for net in view.net_scopes()):
            continue
        consequence = (
            "drbdadm 9 ignores become-primary-on, and no second node can be promoted"
            if version == "9"
            else "promoting the second node fails at startup"
        )
        yield ctx.diagnostic(
            f"resource {view.name}: 'become-primary-on {promote.shown}' asks for two primaries "
            f"but allow-two-primaries is not set in its net options; {consequence}",
            promote.location(),
            fix=_allow_two_primaries(view, ctx.host_versions(view.host).drbd or (version,)),
        )


def _promotes_several(setting: Setting) -> bool:
    args = setting.statement.args
    return "both" in args or len(args) >= 2


def _allow_two_primaries(view: ResourceView, versions: tuple[str, ...]) -> Fix | None:
    # 8.3 takes the bare flag only; 8.4 and 9 read it as "yes" too, so a host that may run
    # 8.3 gets the form every candidate reads
    values = () if "8.3" in versions else ("yes",)

    def add(resource: DrbdSection | DrbdStatement) -> bool:
        if not isinstance(resource, DrbdSection):
            return False
        net = resource.section("net") or resource.add_section("net")
        add_option(net, "allow-two-primaries", *values)
        return True

    return edit_fix(
        view.file,
        view.resource,
        "allow two primaries in the resource's net options (use a cluster file system)",
        add,
        safe=False,
    )


# DRBD002, DRBD003 ------------------------------------------------------------------------------


def _dual_primary_scopes(view: ResourceView) -> Iterator[tuple[Setting, dict[str, Setting]]]:
    """Each net scope of the resource that allows two primaries, with the statement allowing it."""
    for net in view.net_scopes():
        if is_dual_primary(net):
            yield net["allow-two-primaries"], net


@rule(
    "DRBD002",
    "dual-primary-needs-protocol-c",
    Severity.ERROR,
    scope="host",
    needs=("drbd",),
    uses=(DRBD,),
)
def dual_primary_needs_protocol_c(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Dual-primary with a replication protocol other than C."""
    for view in ctx.fact(DRBD).views:
        for allow, net in _dual_primary_scopes(view):
            protocol = net.get("protocol")
            if protocol is None or protocol.value == "C":
                continue  # C is the default from 8.4 on; 8.3 refuses a missing protocol itself
            yield ctx.diagnostic(
                f"resource {view.name}: allow-two-primaries needs protocol C, but the protocol "
                f"is {protocol.value}; the kernel refuses the net options ('Protocol C required')",
                allow.location(),
                related=[protocol.location("the protocol is set here")],
            )
            break


@rule(
    "DRBD003",
    "dual-primary-without-fencing",
    Severity.WARNING,
    scope="host",
    needs=("drbd",),
    uses=(DRBD,),
)
def dual_primary_without_fencing(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Dual-primary without resource-and-stonith fencing and a fence-peer handler."""
    for view in ctx.fact(DRBD).views:
        for allow, net in _dual_primary_scopes(view):
            fencing = net.get("fencing")
            handler = view.option("handlers", "fence-peer")
            lacking = []
            if fencing is None or fencing.value != ("resource-and-stonith",):
                shown = f"is {fencing.shown}" if fencing is not None else "is not set"
                lacking.append(f"fencing {shown} (needs resource-and-stonith)")
            if handler is None:
                lacking.append("there is no fence-peer handler")
            if not lacking:
                continue
            related = [fencing.location("fencing is set here")] if fencing is not None else []
            yield ctx.diagnostic(
                f"resource {view.name} allows two primaries but {' and '.join(lacking)}: after a "
                "connection loss both nodes keep writing and the data diverges",
                allow.location(),
                related=related,
            )
            break


# DRBD004 ---------------------------------------------------------------------------------------


@rule("DRBD004", "host-sections", Severity.ERROR, scope="site", needs=("drbd",), uses=(DRBD,))
def host_sections(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A resource with fewer than two hosts, or no (or several) host sections for this host."""
    index = ctx.fact(DRBD)
    for view in index.views:
        version = index.version_of(view.host)
        sections = view.hosts
        mesh = any(c.keyword == "connection-mesh" for c in view.resource.connections)
        if len(sections) < 2 and not mesh:
            yield ctx.diagnostic(
                f"resource {view.name} has {len(sections)} host section(s): it needs one per node "
                "(at least two)",
                view.location(),
            )
            continue
        if view.matches_by_address_or_stacking():
            continue  # drbdadm finds floating and stacked nodes by IP or lower resource
        others = [
            other.location(f"resource {view.name} on {other.host.name}")
            for other in index.by_name.get(view.name, [])
            if other.host is not view.host
        ]
        candidates = ctx.host_versions(view.host).drbd or (version,)
        found = [
            (v, d.location, d) for v in candidates for d in _unmatched(ctx, view, v, others, index)
        ]
        yield from _weighed(found, candidates)


def _weighed(
    found: list[tuple[str, Location, Diagnostic]], candidates: tuple[str, ...]
) -> Iterator[Diagnostic]:
    """Each finding once: as it is when every candidate version has it, else a warning that
    names the versions it holds for."""
    for versions, diagnostic in by_place(found):
        if len(versions) == len(candidates):
            yield diagnostic
        else:
            message = for_versions(diagnostic.message, versions, candidates)
            yield attrs.evolve(diagnostic, message=message, severity=Severity.WARNING)


def _unmatched(
    ctx: RuleContext, view: ResourceView, version: str, others: list[Location], index: DrbdIndex
) -> Iterator[Diagnostic]:
    own = view.own_sections(view.host.name, version)
    if not own:
        if _meant_for_others(view, index, version):
            return
        yield ctx.diagnostic(
            f"resource {view.name}: host {view.host.name} matches none of its host sections "
            f"({_section_names(view.hosts)}){_near_miss(view, version)}; drbdadm {version} "
            "ignores the resource on this host",
            view.location(),
            related=others,
        )
    elif len(own) > 1:
        yield ctx.diagnostic(
            f"resource {view.name}: several host sections ({_section_names(own)}) match "
            f"host {view.host.name}; drbdadm refuses the resource",
            view.section_location(own[1]),
            related=[view.section_location(own[0], "also matches")],
        )


def _meant_for_others(view: ResourceView, index: DrbdIndex, version: str) -> bool:
    """Whether a resource that does not name this host is plainly another nodes' resource.

    drbdadm skips such a resource without a word (it complains only when no resource at all
    names the host: "Misspelled name of the local machine?"), and drbd.conf(5) recommends the
    same files on every node.  So it is normal when this host's name is right -- another
    resource of its configuration names it (as the stacked resource names the third node,
    which must define the lower resource for ``stacked-on-top-of``) -- or when every node the
    resource names is another host of the site.  A name that nearly matches is reported.
    """
    host = view.host
    if _near_miss(view, version):
        return False
    if any(other.own_sections(host.name, version) for other in index.of_host(host)):
        return True
    named = [s for s in view.hosts if s.keyword == "on"]
    return bool(named) and all(
        any(found is not host for name in view.names_of(s) for found in index.hosts.find(name))
        for s in named
    )


def _section_names(sections: list[DrbdHost]) -> str:
    return ", ".join(" ".join([s.keyword, *s.args]) for s in sections)


def _near_miss(view: ResourceView, version: str) -> str:
    """Why a name that looks right does not match with this version's comparison."""
    if version == "9":
        return ""
    for section in view.hosts:
        for name in view.names_of(section):
            if hostnames_equal(name, view.host.name, "9"):
                return (
                    f"; 'on {name}' would match with drbdadm 9, but {version} compares host "
                    "names exactly (case and domain included)"
                )
    return ""


# DRBD005 ---------------------------------------------------------------------------------------


@rule("DRBD005", "resource-collision", Severity.ERROR, scope="host", needs=("drbd",), uses=(DRBD,))
def resource_collision(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two resources of one host share a minor, a device, a backing disk or an address:port."""
    index = ctx.fact(DRBD)
    for host in site.hosts:
        seen: dict[Key, tuple[str, Location]] = {}
        for view in index.of_host(host):
            for section in view.hosts:
                for key, what, statement in _claims(view, section):
                    location = view.file.location(statement.token)
                    first = seen.setdefault(key, (view.name, location))
                    if first[1] == location:
                        continue
                    yield ctx.diagnostic(
                        f"resource {view.name}: {what} is already used by resource {first[0]}",
                        location,
                        related=[first[1]],
                    )


def _claims(view: ResourceView, section: DrbdHost) -> Iterator[tuple[Key, str, DrbdStatement]]:
    """What a host section takes for itself: minors, devices, backing disks, addresses."""
    names = view.names_of(section) or [host_key(section, "8.4")]
    for volume in view.volumes_of(section):
        for name in names:
            device = volume.device
            source = volume.sources.get("device")
            if device is not None and source is not None:
                minor = device.effective_minor
                key = (
                    (name, "minor", str(minor))
                    if minor is not None
                    else (name, "device", str(device.path))
                )
                shown = f"minor {minor}" if minor is not None else f"device {device.path}"
                yield key, f"{shown} of {name}", source
            disk = volume.sources.get("disk")
            if volume.disk not in (None, "none") and disk is not None:
                yield (
                    (name, "disk", str(volume.disk)),
                    f"backing disk {volume.disk} of {name}",
                    disk,
                )
    statement = section.statement("address")
    address = section.address
    if statement is None or address is None or address.port is None:
        return
    scope = _address_scope(address.host, names)
    owner = " ".join(names)
    yield (scope, "address", address.endpoint), f"address {address.endpoint} of {owner}", statement


def _address_scope(host: str, names: list[str]) -> str:
    """drbdadm keeps loopback and link-local addresses unique per host, others site-wide."""
    lowered = host.lower()
    if lowered.startswith("127.") or lowered == "::1" or lowered.startswith("fe80"):
        return " ".join(names)
    return "*"


# DRBD006 ---------------------------------------------------------------------------------------


@rule("DRBD006", "peer-config-drift", Severity.ERROR, scope="site", needs=("drbd",), uses=(DRBD,))
def peer_config_drift(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A resource is defined differently on its hosts, or missing on one of them."""
    index = ctx.fact(DRBD)
    for name, views in index.by_name.items():
        carriers = {v.host for v in views}
        yield from _missing_peers(ctx, index, name, views, carriers)
        named = [
            v
            for v in views
            if v.own_sections(v.host.name, index.version_of(v.host))
            or v.matches_by_address_or_stacking()
        ]
        if len(named) < 2:
            continue
        reference = named[0]
        for other in named[1:]:
            yield from _drift(ctx, reference, other)


def _missing_peers(
    ctx: RuleContext, index: DrbdIndex, name: str, views: list[ResourceView], carriers: set[Host]
) -> Iterator[Diagnostic]:
    reported: set[Host] = set()
    for view in views:
        for section in view.hosts:
            for configured in view.names_of(section):
                for host in index.hosts.find(configured):
                    if host in carriers or host in reported or not host.documents("drbd"):
                        continue
                    reported.add(host)
                    yield ctx.diagnostic(
                        f"resource {name} names host {host.name} (on {configured}) but the "
                        f"DRBD configuration of {host.name} does not define it",
                        view.section_location(section),
                        related=[
                            host.documents("drbd")[0].location(message=f"{host.name}'s drbd.conf")
                        ],
                    )


def _drift(ctx: RuleContext, reference: ResourceView, other: ResourceView) -> Iterator[Diagnostic]:
    a_host, b_host = reference.host.name, other.host.name
    keys = list(dict.fromkeys([*reference.settings, *other.settings]))
    for key in keys:
        a, b = reference.settings.get(key), other.settings.get(key)
        if a is not None and b is not None and a.value == b.value:
            continue
        label = _label(key)
        # a secret is located at its section: a reporter quoting the line would show it
        secret = key[-1] == "shared-secret"

        if a is not None and b is not None:
            detail = (
                f"{label} differs between {b_host} and {a_host}"
                if secret
                else f"{label} is {b.shown or 'set'} on {b_host} but {a.shown or 'set'} on {a_host}"
            )
            location, related = _place(b, secret), [_place(a, secret, f"on {a_host}")]
        elif a is not None:
            shown = "" if secret else f" ({a.shown or 'set'})"
            detail = f"{label} is set on {a_host}{shown} but not on {b_host}"
            location, related = other.location(), [_place(a, secret, f"on {a_host}")]
        else:
            assert b is not None
            shown = "" if secret else f" ({b.shown or 'set'})"
            detail = f"{label} is set on {b_host}{shown} but not on {a_host}"
            location, related = _place(b, secret), [reference.location(f"on {a_host}")]
        yield ctx.diagnostic(f"resource {other.name}: {detail}", location, related=related)


def _place(setting: Setting, secret: bool, message: str | None = None) -> Location:
    return setting.section_location(message) if secret else setting.location(message)


def _label(key: Key) -> str:
    if key[0] == "host":
        rest = key[2:]
        if rest[0] == "volume":
            return f"{rest[2]} of volume {rest[1]} in '{key[1]}'"
        if len(rest) == 1:
            return f"{rest[0]} of '{key[1]}'"
        return f"{rest[0]} option {rest[1]} in '{key[1]}'"
    if key[0] == "connection":
        rest = key[2:]
        if rest[0] == "host":
            return f"host {rest[1]} of '{key[1]}'"
        return f"{rest[0]} option {rest[1]} of '{key[1]}'"
    if key[0] == "volume":
        return f"{key[2]} option {key[3]} of volume {key[1]}"
    if key[1] == "shared-secret":
        return "shared-secret"
    return f"{key[0]} option {key[1]}"


# DRBD007 ---------------------------------------------------------------------------------------


@rule("DRBD007", "deprecated-option", Severity.WARNING, scope="file", needs=("drbd",), fix="safe")
def deprecated_option(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Syntax deprecated or renamed for the host's DRBD versions, with its replacement."""
    for file in site.files("drbd"):
        if not file.doc.parsed:
            continue
        config = file.doc.model
        assert isinstance(config, DrbdConfig)
        candidates = ctx.host_versions(file.host).drbd or (_version(ctx),)
        found = [
            (version, diagnostic.location, diagnostic)
            for version in candidates
            for section in config.walk()
            for diagnostic in _deprecated_in(ctx, file, section, version)
        ]
        for versions, diagnostic in by_place(found):
            # the fix only when the fixed file still parses with every candidate version
            yield attrs.evolve(
                diagnostic,
                message=for_versions(diagnostic.message, versions, candidates),
                fix=holds_for(file, diagnostic.fix, candidates),
            )


def _deprecated_in(
    ctx: RuleContext, file: SiteFile, section: DrbdSection, version: str
) -> Iterator[Diagnostic]:
    keyword = section.keyword
    if keyword == "syncer" and version != "8.3":
        yield _syncer(ctx, file, section, version)
        return
    if (
        isinstance(section, DrbdConnection)
        and keyword == "connection"
        and section.args
        and version == "9"
    ):
        yield ctx.diagnostic(
            f"named connections are deprecated in DRBD 9: drbdadm ignores the name "
            f"'{section.args[0]}'",
            file.location(section.head),
            fix=edit_fix(file, section, "drop the connection's name", _drop_name, safe=True),
        )
    if keyword == "stacked-on-top-of" and version == "9":
        yield ctx.diagnostic(
            "stacked-on-top-of is deprecated in DRBD 9: use a resource with three or more nodes",
            file.location(section.head),
        )
    for statement in section.statements():
        found = _deprecated_statement(ctx, file, section, statement, version)
        if found is not None:
            yield found


def _drop_name(section: DrbdSection | DrbdStatement) -> bool:
    if not isinstance(section, DrbdSection):
        return False
    drop_head_args(section)
    return True


def _syncer(ctx: RuleContext, file: SiteFile, syncer: DrbdSection, version: str) -> Diagnostic:
    moves = []
    refused = []
    for statement in syncer.statements():
        keyword = statement.keyword
        if keyword in SYNCER_IGNORED:
            moves.append(f"drop {keyword}")
            refused.append(keyword)
            continue
        home, new = SYNCER_HOMES.get(keyword, ("disk", keyword))
        moves.append(f"{keyword} -> {home} {{ {new} }}")
        if version == "9" and (keyword == "rate" or keyword.startswith("c-")):
            refused.append(keyword)
    detail = "; ".join(moves) if moves else "remove the empty section"
    refusal = f"; drbdadm {version} refuses {', '.join(refused)} there" if refused else ""
    return ctx.diagnostic(
        f"the syncer section is DRBD 8.3 syntax{refusal}: {detail}",
        file.location(syncer.head),
        fix=edit_fix(
            file, syncer, "move the syncer options to their sections", _move_syncer, safe=True
        )
        if _syncer_moves(syncer) is not None
        else None,
    )


def _syncer_moves(syncer: DrbdSection) -> list[tuple[str, str, list[str]]] | None:
    """Where each option of the syncer section goes; None when a person must decide."""
    if syncer.parent is None:
        return None
    wanted: list[tuple[str, str, list[str]]] = []
    for statement in syncer.statements():
        if statement.keyword in SYNCER_IGNORED:
            continue
        home, keyword = SYNCER_HOMES.get(statement.keyword, ("disk", statement.keyword))
        existing = syncer.parent.section(home)
        if existing is not None and existing.statement(keyword) is not None:
            return None  # the section already says something else
        wanted.append((home, keyword, statement.args))
    return wanted


def _move_syncer(syncer: DrbdSection | DrbdStatement) -> bool:
    wanted = _syncer_moves(syncer) if isinstance(syncer, DrbdSection) else None
    if wanted is None or not isinstance(syncer, DrbdSection) or syncer.parent is None:
        return False
    parent = syncer.parent
    for home, keyword, args in wanted:
        target = parent.section(home) or parent.add_section(home)
        add_option(target, keyword, *args)
    syncer.remove()
    return True


def _deprecated_statement(
    ctx: RuleContext, file: SiteFile, section: DrbdSection, statement: DrbdStatement, version: str
) -> Diagnostic | None:
    keyword = statement.keyword
    where = section.keyword
    location = file.location(statement.token)
    if where == "handlers" and keyword == "outdate-peer":
        return _renamed(ctx, file, statement, "fence-peer", "the handler outdate-peer was renamed")
    if version == "8.3":
        return None
    if where == "disk" and keyword in ("rate", "after"):
        return _renamed(ctx, file, statement, f"resync-{keyword}", f"'{keyword}' is the 8.3 name")
    if keyword == "flexible-meta-disk":
        return _renamed(ctx, file, statement, "meta-disk", "flexible-meta-disk is the old spelling")
    if keyword.startswith("no-") and (keyword in LEGACY_NEGATIVES or version == "9"):
        return _legacy_negative(ctx, file, statement, version)
    if keyword == "ignore-on":
        removed = "removed in DRBD 9" if version == "9" else "deprecated"
        return ctx.diagnostic(f"ignore-on is {removed}: drop the host from the resource", location)
    if where == "disk" and keyword == "fencing" and version == "9":
        return ctx.diagnostic(
            "fencing is a net option in DRBD 9 (drbdadm 9 refuses it in disk)",
            location,
            fix=edit_fix(
                file, statement, "move fencing to the net section", _move_to_net, safe=True
            )
            if _fencing_movable(statement)
            else None,
        )
    return None


def _renamed(
    ctx: RuleContext, file: SiteFile, statement: DrbdStatement, new: str, why: str
) -> Diagnostic:
    def rename(item: DrbdSection | DrbdStatement) -> bool:
        if isinstance(item, DrbdSection):
            return False
        rename_keyword(item, new)
        return True

    return ctx.diagnostic(
        f"{why}: write {new}",
        file.location(statement.token),
        fix=edit_fix(file, statement, f"rename {statement.keyword} to {new}", rename, safe=True),
    )


def _legacy_negative(
    ctx: RuleContext, file: SiteFile, statement: DrbdStatement, version: str
) -> Diagnostic | None:
    keyword = statement.keyword
    option = keyword[3:]
    args = statement.args
    if version == "9" and args[:1] == ["yes"]:
        return None  # drbdadm 9 reads it as "option yes": SYN005 explains that surprise
    value = args[0] if args and version == "9" else "no"

    def rewrite(item: DrbdSection | DrbdStatement) -> bool:
        if isinstance(item, DrbdSection):
            return False
        rename_keyword(item, option)
        item.set(value)
        return True

    return ctx.diagnostic(
        f"{keyword} is the DRBD 8.3 spelling: write {option} {value}",
        file.location(statement.token),
        fix=edit_fix(file, statement, f"write {option} {value}", rewrite, safe=True),
    )


def _fencing_movable(item: DrbdStatement) -> bool:
    """Whether the resource's net section can take the statement (it sets no fencing yet)."""
    disk = _section_of(item)
    if disk is None or disk.parent is None:
        return False
    net = disk.parent.section("net")
    return net is None or net.statement("fencing") is None


def _move_to_net(item: DrbdSection | DrbdStatement) -> bool:
    if isinstance(item, DrbdSection) or not _fencing_movable(item):
        return False
    disk = _section_of(item)
    assert disk is not None and disk.parent is not None, "checked by _fencing_movable"
    net = disk.parent.section("net") or disk.parent.add_section("net")
    add_option(net, "fencing", *item.args)
    item.remove()
    if not disk.statements() and not disk.sections():
        disk.remove()
    return True


def _section_of(statement: DrbdStatement) -> DrbdSection | None:
    config = statement.doc.model
    assert isinstance(config, DrbdConfig)
    return next((s for s in config.walk() if s.node is statement.container), None)


# DRBD008 ---------------------------------------------------------------------------------------

_FLUSHES = {"disk-flushes": "disk flushes", "md-flushes": "metadata flushes"}


@rule("DRBD008", "flushes-disabled", Severity.WARNING, scope="file", needs=("drbd",), uses=(DRBD,))
def flushes_disabled(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Disk or metadata flushes disabled: safe only with a battery-backed write cache."""
    reported: set[int] = set()
    for view in ctx.fact(DRBD).views:
        for key, setting in view.settings.items():
            what = _FLUSHES.get(key[-1])
            if what is None or key[-2] != "disk" or setting.value is not False:
                continue
            if id(setting.statement.token) in reported:
                continue
            reported.add(id(setting.statement.token))
            yield ctx.diagnostic(
                f"'{_as_written(setting)}' disables {what} ({view.owner(setting)}): a power loss "
                "can lose or reorder acknowledged writes unless the disk has a battery-backed "
                "write cache",
                setting.location(),
            )


# DRBD009 ---------------------------------------------------------------------------------------


def _discards(keyword: str, policy: str) -> bool:
    """Whether an after-split-brain policy throws one node's changes away by itself.

    ``discard-zero-changes`` does not: it resyncs only from the node that wrote to the one
    that did not, and disconnects when both wrote (the kernel's drbd_asb_recover_0p keeps
    "no decision" then), so no write is ever lost to it.
    """
    if keyword == "after-sb-0pri":
        return policy.startswith("discard-") and policy != "discard-zero-changes"
    return keyword == "after-sb-1pri" and policy in ("discard-secondary", "consensus")


@rule(
    "DRBD009",
    "unsafe-split-brain-policy",
    Severity.WARNING,
    scope="file",
    needs=("drbd",),
    uses=(DRBD,),
)
def unsafe_split_brain_policy(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Split-brain policies that throw data away, or do so unnoticed on a dual-primary resource."""
    reported: set[tuple[int, str]] = set()
    for view in ctx.fact(DRBD).views:
        for net in view.net_scopes():
            for setting, message in _unsafe_policies(view, net):
                key = (id(setting.statement.token), message)
                if key not in reported:
                    reported.add(key)
                    yield ctx.diagnostic(message, setting.location())


def _unsafe_policies(view: ResourceView, net: dict[str, Setting]) -> Iterator[tuple[Setting, str]]:
    for keyword in ("after-sb-0pri", "after-sb-1pri", "after-sb-2pri", "rr-conflict"):
        setting = net.get(keyword)
        if setting is None:
            continue
        value = " ".join(setting.statement.args)
        if value in ("violently-as0p", "violently"):
            yield (
                setting,
                (
                    f"'{keyword} {value}' ({view.owner(setting)}) resyncs over a primary's data: "
                    "the man page calls it dangerous"
                ),
            )
        elif keyword == "after-sb-2pri" and value not in ("disconnect", "call-pri-lost-after-sb"):
            yield (
                setting,
                (
                    f"'{keyword} {value}' ({view.owner(setting)}): after a split brain with two "
                    "primaries use disconnect or call-pri-lost-after-sb"
                ),
            )
        elif (
            _discards(keyword, value)
            and is_dual_primary(net)
            and view.option("handlers", "split-brain") is None
        ):
            yield (
                setting,
                (
                    f"'{keyword} {value}' on dual-primary resource {view.name} discards a node's "
                    "writes automatically, and no split-brain handler reports it"
                ),
            )


# DRBD010 ---------------------------------------------------------------------------------------


@rule("DRBD010", "missing-required", Severity.ERROR, scope="host", needs=("drbd",), uses=(DRBD,))
def missing_required(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A host section lacks device, disk, address or meta-disk after inheritance; under 8.3,
    a resource lacks its protocol."""
    index = ctx.fact(DRBD)
    for view in index.views:
        candidates = ctx.host_versions(view.host).drbd or (index.version_of(view.host),)
        if "8.3" in candidates and not _protocol_given(view):
            message = (
                f"resource {view.name} has no protocol: drbdadm 8.3 requires one at resource "
                "level (or in common), and refuses the resource without it"
            )
            yield ctx.diagnostic(
                for_versions(message, ["8.3"], candidates),
                view.location(),
                severity=None if candidates == ("8.3",) else Severity.WARNING,
            )
        for section in view.hosts:
            yield from _lacking_for(ctx, view, section, candidates)


def _lacking_for(
    ctx: RuleContext, view: ResourceView, section: DrbdHost, candidates: tuple[str, ...]
) -> Iterator[Diagnostic]:
    """What a host section lacks for every candidate version (an error), and what only for
    some (a warning naming them: drbdadm 9 defaults meta-disk, 8.x requires it)."""
    per_version = {
        v: _lacking(view, section, v, _addressed_by_connections(view) if v == "9" else set())
        for v in candidates
    }
    common = [
        i for i in per_version[candidates[-1]] if all(i in found for found in per_version.values())
    ]
    some: dict[str, list[str]] = {}
    for version, lacking in per_version.items():
        for item in lacking:
            if item not in common:
                some.setdefault(item, []).append(version)
    label = " ".join([section.keyword, *section.args])
    where = view.section_location(section)
    if common:
        yield ctx.diagnostic(f"resource {view.name}: '{label}' lacks {', '.join(common)}", where)
    for item, versions in some.items():
        message = f"resource {view.name}: '{label}' lacks {item}"
        yield ctx.diagnostic(
            for_versions(message, versions, candidates), where, severity=Severity.WARNING
        )


def _protocol_given(view: ResourceView) -> bool:
    """Whether 8.3 finds a ``protocol`` where it reads one: the resource, or ``common``."""
    if view.resource.statement("protocol") is not None:
        return True
    common = view.host.drbd_common()
    return common is not None and common[1].statement("protocol") is not None


def _lacking(view: ResourceView, section: DrbdHost, version: str, addressed: set[str]) -> list[str]:
    kind = section.keyword
    if kind not in ("on", "floating", "stacked-on-top-of"):
        return []
    needed = ["device"] if kind == "stacked-on-top-of" else ["device", "disk"]
    if kind != "stacked-on-top-of" and version != "9":
        needed.append("meta-disk")  # drbdadm 9 defaults it to internal
    lacking: list[str] = []
    volumes = view.volumes_of(section)
    if not volumes:
        lacking += needed
    for volume in volumes:
        present = {k.replace("flexible-", "") for k in volume.sources}
        if volume.disk == "none":
            present.add("meta-disk")
        missing = [k for k in needed if k not in present]
        if missing:
            lacking.append(f"{' and '.join(missing)} (volume {volume.number})")
    # a stacked section's hosts are its lower resource's: 9 paths name those hosts instead
    given = (
        bool(addressed)
        if kind == "stacked-on-top-of"
        else bool(set(view.names_of(section)) & addressed)
    )
    if kind != "floating" and section.statement("address") is None and not given:
        lacking.append("address")
    return lacking


def _addressed_by_connections(view: ResourceView) -> set[str]:
    """Hosts whose address DRBD 9 connections give in their own ``host`` lines."""
    names: set[str] = set()
    for connection in view.resource.connections:
        scopes = [connection, *connection.sections("path")]
        for scope in scopes:
            for statement in scope.statements("host"):
                if "address" in statement.args[1:] and statement.args:
                    names.add(statement.args[0])
    return names
