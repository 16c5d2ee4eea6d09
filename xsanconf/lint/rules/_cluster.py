"""What a host's Pacemaker CIB manages, for the CLU rules and for BOOT001/BOOT002.

A host "runs under Pacemaker" when it carries a CIB that parsed (:data:`xsanconf.lint.site.
CIB_FILES`); DRBD is cluster-managed when the CIB holds an ``ocf:linbit:drbd`` primitive, a
target when it holds ``iSCSITarget`` or ``iSCSILogicalUnit`` primitives.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections import deque
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xsanconf.formats.cib.model import Cib, Clone, Colocation, Primitive
    from xsanconf.lint.site import Host, SiteFile

__all__ = [
    "DRBD_DEVICE",
    "ISCSI_AGENTS",
    "colocated_promoted",
    "drbd_primitives",
    "enabled_links",
    "host_cib",
    "iscsi_primitives",
    "manages_drbd_and_targets",
    "ordered_after_promotion",
]

ISCSI_AGENTS = ("iSCSITarget", "iSCSILogicalUnit")
DRBD_DEVICE = re.compile(r"/dev/drbd(?:\d+|/by-res/.+|/by-disk/.+)$")


def host_cib(host: Host) -> tuple[SiteFile, Cib] | None:
    for file in host.documents("cib"):
        if file.doc.parsed:
            return file, file.doc.model
    return None


def drbd_primitives(cib: Cib) -> list[Primitive]:
    return cib.by_agent("linbit", "drbd")


def iscsi_primitives(cib: Cib) -> list[Primitive]:
    return [p for kind in ISCSI_AGENTS for p in cib.by_agent(None, kind)]


def manages_drbd_and_targets(host: Host) -> bool:
    """Whether the host's CIB starts both DRBD and the iSCSI target: the CIB orders them."""
    found = host_cib(host)
    return (
        found is not None and bool(drbd_primitives(found[1])) and bool(iscsi_primitives(found[1]))
    )


def _is_drbd_clone(cib: Cib, clone: Clone) -> bool:
    child = clone.child
    members = cib.groups[child].members if child in cib.groups else (child,)
    return any(
        (p := cib.primitives.get(m or "")) is not None
        and p.provider == "linbit"
        and p.type == "drbd"
        for m in members
    )


def colocated_promoted(cib: Cib, ident: str) -> list[tuple[Clone, Colocation]]:
    """The promotable DRBD clones ``ident`` (or a group holding it) is colocated with in the
    promoted role, with the constraint that says so."""
    from xsanconf.formats.cib.model import PROMOTED_ROLES

    names = set(cib.ancestors(ident))
    found = []
    for colocation in cib.colocations:
        if not colocation.together or not any(
            names.intersection(s.resources) for s in colocation.sets
        ):
            continue
        for rs in colocation.sets:
            if rs.role not in PROMOTED_ROLES:
                continue
            for name in rs.resources:
                clone = cib.clones.get(name) or cib.clone_of(name)
                if clone is not None and clone.promotable and _is_drbd_clone(cib, clone):
                    found.append((clone, colocation))
    return found


Step = tuple[str, str]  # (resource id, action)


def _order_edges(cib: Cib) -> dict[Step, list[Step]]:
    """What must happen after what: enforced orders, group members in sequence, and a
    container's action before its children's."""
    edges: dict[Step, list[Step]] = {}

    def add(a: Step, b: Step) -> None:
        edges.setdefault(a, []).append(b)

    for order in cib.orders:
        if not order.enforced:
            continue
        steps = [[(r, rs.action or "start") for r in rs.resources] for rs in order.sets]
        for rs, members in zip(order.sets, steps, strict=True):
            if rs.sequential:
                for a, b in pairwise(members):
                    add(a, b)
        for before, after in pairwise(steps):
            for a in before:
                for b in after:
                    add(a, b)
    for group in cib.groups.values():
        for action in ("start", "promote"):
            for first, then in pairwise(group.members):
                add((first, action), (then, action))
            for member in group.members:
                add((group.id, action), (member, action))
    for clone in cib.clones.values():
        if clone.child is not None:
            for action in ("start", "promote"):
                add((clone.id, action), (clone.child, action))
    return edges


def ordered_after_promotion(cib: Cib, clone: Clone, ident: str) -> bool:
    """Whether ``ident`` starts only after ``clone`` is promoted, through any chain of enforced
    orders, groups and containers."""
    edges = _order_edges(cib)
    goal = (ident, "start")
    seen = {(clone.id, "promote")}
    queue = deque(seen)
    while queue:
        step = queue.popleft()
        if step == goal:
            return True
        for following in edges.get(step, ()):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return False


_BOOT_RUNLEVELS = frozenset("2345S")


def _links_to_null(path: str) -> bool:
    try:
        return os.readlink(path) == "/dev/null"
    except OSError:
        return False


def enabled_links(host: Host, services: tuple[str, ...]) -> list[str]:
    """Where the host enables one of ``services`` at boot (paths inside its root): a systemd
    ``*.wants/NAME.service`` link, or an ``S`` link of a boot runlevel; none for a unit masked
    in ``/etc/systemd/system``."""
    from xsanconf.lint.boot_order import boot_order
    from xsanconf.lint.rc_links import stays_inside

    root = str(host.root)
    base = "etc/systemd/system"
    units = {f"{s}.service" for s in services}
    found: list[str] = []
    if stays_inside(root, base):
        masked = {u for u in units if _links_to_null(os.path.join(root, base, u))}
        try:
            wants = sorted(n for n in os.listdir(os.path.join(root, base)) if n.endswith(".wants"))
        except OSError:
            wants = []
        for directory in wants:
            for unit in sorted(units - masked):
                rel = posixpath.join(base, directory, unit)
                if os.path.lexists(os.path.join(root, rel)):
                    found.append(rel)
    else:
        masked = set()
    # systemd's sysv-generator makes a unit of an init script with S links, unless masked
    found.extend(
        link.rel
        for link in boot_order(host).links
        if link.action == "S"
        and link.runlevel in _BOOT_RUNLEVELS
        and link.script in services
        and f"{link.script}.service" not in masked
    )
    return found
