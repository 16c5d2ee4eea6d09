"""BOOT001-BOOT002: the iSCSI target must start after DRBD and stop before it; BOOT003: the
initramfs must carry the configuration the host has now.

The order comes from :mod:`xsanconf.lint.boot_order`: runlevel links, insserv's ``.depend``
files, LSB headers or systemd units, whichever the host uses.  A rule stays silent on a host
without DRBD or without a target service, and where the host holds no ordering facts for both.
On a host whose Pacemaker CIB runs both DRBD and the target, the CIB orders them (CLU002), not
the init system (a service also enabled at boot is CLU004's finding).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.lint.boot_cmdline import _shown
from xsanconf.lint.boot_order import DRBD_SERVICES, TARGET_SERVICES, Relation, boot_order
from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.rules._cluster import manages_drbd_and_targets

if TYPE_CHECKING:
    from xsanconf.lint.boot_order import BootOrder
    from xsanconf.lint.initramfs import ImageReading
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


# BOOT003 initramfs-stale ------------------------------------------------------------------------

_MODPROBE_D = "etc/modprobe.d"
# The files initramfs-tools and dracut copy into an image besides modprobe.d, each with the
# directory whose members in an image show that its generator copies the file (multipath-tools'
# hook copies multipath.conf with /etc/multipath; lvm2's copies lvm.conf into /etc/lvm).
_COPIED = {
    "etc/multipath.conf": "etc/multipath",
    "etc/multipath/wwids": "etc/multipath",
    "etc/multipath/bindings": "etc/multipath",
    "etc/lvm/lvm.conf": "etc/lvm",
}
# How many stale files a message names (it counts them all).
MAX_NAMED = 4
REBUILD = "update-initramfs -u -k all on Debian and Ubuntu, dracut -f --regenerate-all on Red Hat"


# Older dracut (as Red Hat 6 and 7 ship) copies lvm.conf and lvmlocal.conf into the image and
# then edits the copy for read-only locking (modules.d/90lvm/module-setup.sh: two sed lines,
# each setting the first digit of a locking_type or use_lvmetad line): such a copy is current.
_DRACUT_LVM_EDITS = (
    (
        re.compile(rb"^([ \t\v\f\r]*)locking_type[ \t\v\f\r]*=[ \t\v\f\r]*[0-9]", re.M),
        rb"\1locking_type = 4",
    ),
    (
        re.compile(rb"^([ \t\v\f\r]*)use_lvmetad[ \t\v\f\r]*=[ \t\v\f\r]*[0-9]", re.M),
        rb"\1use_lvmetad = 0",
    ),
)


def _same_copy(rel: str, mine: bytes, copy: bytes) -> bool:
    """Whether an image's copy of ``rel`` is the host's file, as its generator writes it."""
    if mine == copy:
        return True
    if not rel.startswith("etc/lvm/"):
        return False
    for pattern, replacement in _DRACUT_LVM_EDITS:
        mine = pattern.sub(replacement, mine)
    return mine == copy


def _copied(path: str) -> str | None:
    """The directory that shows an image's generator copies ``path`` (None: not compared)."""
    if posixpath.dirname(path) == _MODPROBE_D:
        return _MODPROBE_D
    return _COPIED.get(path)


def _host_copy(host: Host, rel: str) -> bytes | None:
    """The host's file (as the fix rounds left it, when it is a document), as bytes."""
    file = host.file(rel)
    text = file.text() if file is not None else host.read_text(rel)
    return None if text is None else text.encode("utf-8", "surrogateescape")


def _host_copied(host: Host) -> list[str]:
    """The host's files an image would copy: modprobe.d's ``*.conf`` (the ones kmod reads)
    and the others of :data:`_COPIED` that it has."""
    found = sorted(
        f.rel
        for f in host.files
        if posixpath.dirname(f.rel) == _MODPROBE_D and f.rel.endswith(".conf")
    )
    return found + [rel for rel in _COPIED if _host_copy(host, rel) is not None]


# how a copy is stale, most telling first: (order, how the message says it)
_DIFFERS = (0, "holds a copy of /{} that differs from the host's")
_LACKS = (1, "lacks the host's /{}")
_GONE = (2, "holds /{}, which the host no longer has")


def _stale(host: Host, reading: ImageReading) -> list[tuple[str, tuple[int, str]]]:
    """(file, how its copy is stale) for each file the image and the host disagree on."""
    found = []
    for rel, data in sorted(reading.files.items()):
        mine = _host_copy(host, rel)
        if mine is None:
            found.append((rel, _GONE))
        elif not _same_copy(rel, mine, data):
            found.append((rel, _DIFFERS))
    for rel in _host_copied(host):
        if rel not in reading.files and _copied(rel) in reading.directories:
            found.append((rel, _LACKS))
    return sorted(found, key=lambda item: item[1][0])


@rule(
    "BOOT003",
    "initramfs-stale",
    Severity.WARNING,
    scope="host",
    needs=("modprobe", "multipath", "lvm"),
)
def initramfs_stale(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """An initramfs carries a copy of modprobe.d, multipath or LVM configuration that differs
    from the host's (or is unreadable: an info note)."""
    from xsanconf.lint.site import on_disk

    for host in site.hosts:
        boot = on_disk(host, "boot")
        if boot is None or not os.path.isdir(boot):
            continue  # no image to read: a copied site is often etc alone (no reader imported)
        from xsanconf.lint.initramfs import image_names, read_initramfs

        for name in image_names(host):
            rel = f"boot/{name}"
            path = on_disk(host, rel)
            if path is None:
                continue
            image = Location(_shown(host, rel), host=host.name)
            reading = read_initramfs(path, lambda member: _copied(member) is not None)
            if reading.problem is not None:
                yield ctx.diagnostic(
                    f"{rel} {reading.problem}: its copies of the modprobe.d, multipath and LVM "
                    "configuration are not compared with the host's",
                    image,
                    severity=Severity.INFO,
                )
                continue
            stale = _stale(host, reading)
            if stale:
                yield _stale_image(ctx, host, rel, image, stale)


def _stale_image(
    ctx: RuleContext,
    host: Host,
    rel: str,
    image: Location,
    stale: list[tuple[str, tuple[int, str]]],
) -> Diagnostic:
    first, (_, how) = stale[0]
    others = ", ".join(f"/{path}" for path, _ in stale[1:MAX_NAMED])
    more = len(stale) - MAX_NAMED
    also = (
        f"; its copies of {others}{f' and {more} more' if more > 0 else ''} are stale too"
        if others
        else ""
    )
    file = host.file(first)
    if file is not None:
        at = file.location()
    elif _host_copy(host, first) is not None:
        at = Location(_shown(host, first), host=host.name)
    else:
        at = image
    related = [] if at is image else [attrs.evolve(image, message="the stale image")]
    related += [
        Location(_shown(host, path), host=host.name, message="the image " + how.format(path))
        for path, (_, how) in stale[1:MAX_NAMED]
        if _host_copy(host, path) is not None
    ]
    return ctx.diagnostic(
        f"{rel} {how.format(first)}{also}: the kernel unpacks the image before the root file "
        "system, so the modules it loads early (storage, FireWire, multipath, LVM) get the old "
        f"configuration at every boot; rebuild it ({REBUILD})",
        at,
        related,
    )
