"""BOOT001-BOOT002: the iSCSI target must start after DRBD and stop before it.

The order comes from :mod:`xsanconf.lint.boot_order`: runlevel links, insserv's ``.depend``
files, LSB headers or systemd units, whichever the host uses.  A rule stays silent on a host
without DRBD or without a target service, and where the host holds no ordering facts for both.
On a host whose Pacemaker CIB runs both DRBD and the target, the CIB orders them (CLU002), not
the init system (a service also enabled at boot is CLU004's finding).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.boot_order import DRBD_SERVICES, TARGET_SERVICES, Relation, boot_order
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.rules._cluster import manages_drbd_and_targets

if TYPE_CHECKING:
    from xsanconf.lint.boot_order import BootOrder
    from xsanconf.lint.site import Host, Site

__all__: list[str] = []

DRBD = DRBD_SERVICES[0]


def _pairs(site: Site) -> Iterator[tuple[Host, BootOrder, str]]:
    """Each host with DRBD and a target service, and that target's name.

    A host whose drbd.conf defines no resource (the packages installed, nothing replicated
    yet) has no DRBD device a target could export: its boot order does not matter.
    """
    for host in site.hosts:
        order = boot_order(host)
        if not order.present(DRBD) or _nothing_replicated(host) or manages_drbd_and_targets(host):
            continue
        for target in order.services(TARGET_SERVICES):
            yield host, order, target


def _nothing_replicated(host: Host) -> bool:
    main = host.file("etc/drbd.conf")
    return main is not None and main.doc.parsed and not host.drbd_resources()


def _where(host: Host, order: BootOrder, relation: Relation, target: str) -> Location:
    """The place to report: the target's evidence, else any evidence, else a file of the host."""
    located = [e.location for e in relation.evidence if e.location is not None]
    for location in located:
        if target in location.path.rsplit("/", 1)[-1] or target in (location.message or ""):
            return location
    if located:
        return located[0]
    for rel in (f"etc/init.d/{target}", "etc/drbd.conf", "etc/iet/ietd.conf", "etc/ietd.conf"):
        file = host.file(rel)
        if file is not None:
            return file.location()
    root = str(host.root)
    return Location("etc" if root in ("", ".") else posixpath.join(root, "etc"), host=host.name)


def _evidence_text(relation: Relation) -> str:
    shown = "; ".join(e.text for e in relation.evidence)
    text = f" [{relation.mechanism}: {shown}]" if shown else f" [{relation.mechanism}]"
    if relation.runlevels:
        text += f" in runlevel {', '.join(relation.runlevels)}"
    if relation.assumption:
        text += f" (assumption: {relation.assumption})"
    return text


def _fixable(relation: Relation) -> bool:
    """A header edit fixes an unordered pair; a reversed one needs a person (it would loop)."""
    return relation.mechanism == "LSB headers" and relation.order == "unordered"


def _header_fix(order: BootOrder, target: str, key: str) -> Fix | None:
    """Add ``drbd`` to the target's LSB ``key`` field (or add that field) -- insserv hosts."""
    found = order.headers.get(target)
    if found is None:
        return None
    file, header = found
    field = header.field(key)
    if field is not None:
        start = file.location(field.token)
        new = field.text_with([*field.words, DRBD])
        edit = TextEdit(
            start.path,
            start.line,
            start.column,
            start.end_line or start.line,
            start.end_column or start.column,
            new,
        )
    else:
        anchor = header.fields()[-1].token if header.fields() else header.begin
        at = file.location(anchor)
        line, column = at.end_line or at.line, at.end_column or at.column
        edit = TextEdit(at.path, line, column, line, column, "\n" + header.format_line(key, [DRBD]))
    return Fix(
        f"add {DRBD} to {key} in the LSB header of /etc/init.d/{target}, then run insserv",
        safe=False,
        edits=(edit,),
    )


@rule("BOOT001", "drbd-starts-after-target", Severity.ERROR, scope="host", fix="unsafe")
def drbd_starts_after_target(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The iSCSI target service can start before DRBD has set up the device it exports."""
    for host, order, target in _pairs(site):
        relation = order.start(DRBD, target)
        if relation is None or relation.order == "before":
            continue
        if relation.order == "after":
            what = f"{target} starts before {DRBD} ({relation.detail})"
        else:
            what = f"nothing makes {target} start after {DRBD}: {relation.detail}"
        yield ctx.diagnostic(
            f"{what}; the target can open /dev/drbdN before DRBD has attached and promoted "
            f"it{_evidence_text(relation)}",
            _where(host, order, relation, target),
            relation.related,
            fix=_header_fix(order, target, "Should-Start") if _fixable(relation) else None,
        )


@rule("BOOT002", "drbd-stops-before-target", Severity.ERROR, scope="host", fix="unsafe")
def drbd_stops_before_target(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """DRBD can stop while the iSCSI target still exports its device."""
    for host, order, target in _pairs(site):
        relation = order.stop(DRBD, target)
        if relation is None or relation.order == "after":
            continue
        if relation.order == "before":
            what = f"{DRBD} stops before {target} ({relation.detail})"
        else:
            what = f"nothing makes {target} stop before {DRBD}: {relation.detail}"
        yield ctx.diagnostic(
            f"{what}; DRBD demotes or detaches the device while initiators still write to it "
            f"through the target{_evidence_text(relation)}",
            _where(host, order, relation, target),
            relation.related,
            fix=_header_fix(order, target, "Should-Stop") if _fixable(relation) else None,
        )
