"""SysV runlevel links (``/etc/rcN.d/[SK]NNname``) of a host root, read as facts.

``/etc/init.d/rc N`` runs the ``K`` links of runlevel N, then its ``S`` links, each group in the
lexical order of the link names, so the two-digit number decides first and the name breaks ties.
``rcS.d`` (Debian's boot-time runlevel) runs before any numbered runlevel.  RHEL keeps the
directories under ``/etc/rc.d/``.

Links are read with :func:`os.readlink` and never followed: a target is resolved as text inside
the host root, and one that climbs out of it is recorded as leaving it.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from pathlib import Path

import attrs

from xsanconf.domain.numerals import read_int

__all__ = ["RUNLEVEL_DIRS", "RcLink", "rc_links", "stays_inside"]

# Where runlevel directories live: Debian /etc/rcN.d, RHEL /etc/rc.d/rcN.d.
RUNLEVEL_DIRS = ("etc", "etc/rc.d")
_RUNLEVEL = re.compile(r"rc([0-6Ss])\.d")


@functools.cache  # compiled on first use: many runs never need it
def _link() -> re.Pattern[str]:
    return re.compile(r"([SK])([0-9]+)(.+)")


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(repr=False)
class RcLink:
    """One ``S``/``K`` entry of a runlevel directory."""

    rel: str  # path inside the host root, e.g. "etc/rc2.d/S20iscsitarget"
    runlevel: str  # "S" or "0".."6"
    action: str  # "S" (start) or "K" (kill/stop)
    number: int | None  # None: too many digits to read (the order is the name's anyway)
    name: str  # the name after the number
    target: str | None  # what the link points to, as written; None for a plain file
    target_rel: str | None  # the target inside the host root; None when it leaves the root

    @property
    def link_name(self) -> str:
        return posixpath.basename(self.rel)

    @property
    def script(self) -> str:
        """The init script the link runs: its target's name when it has one, else its own."""
        if self.target is not None:
            return posixpath.basename(self.target.rstrip("/")) or self.name
        return self.name

    @property
    def shown(self) -> str:
        """``etc/rc2.d/S20iscsitarget -> ../init.d/iscsitarget``."""
        return self.rel if self.target is None else f"{self.rel} -> {self.target}"

    def runs_before(self, other: RcLink) -> bool:
        """Whether this link runs before ``other`` (rcS.d first, then by link name)."""
        if self.runlevel != other.runlevel:
            return self.runlevel == "S"
        return self.link_name < other.link_name


def stays_inside(root: str | os.PathLike[str], rel: str) -> bool:
    """Whether ``rel`` resolves inside the host root (symbolic links on the way included).

    Files a host's links point to elsewhere belong to the machine running the linter.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root, rel))
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")


def _resolve(rel_dir: str, target: str) -> str | None:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/") or None  # absolute: from the host root
    normal = posixpath.normpath(posixpath.join(rel_dir, target))
    return None if normal == ".." or normal.startswith("../") else normal


def rc_links(root: str | os.PathLike[str]) -> list[RcLink]:
    """Every ``S``/``K`` link of the host's runlevel directories, sorted as rc runs them."""
    found: list[RcLink] = []
    for base in RUNLEVEL_DIRS:
        if not stays_inside(root, base):
            continue
        try:
            dirs = sorted(os.listdir(Path(root, base)))
        except OSError:
            continue
        for name in dirs:
            level = _RUNLEVEL.fullmatch(name)
            if level is None or not stays_inside(root, f"{base}/{name}"):
                continue
            found += _links_in(Path(root), f"{base}/{name}", level.group(1).upper())
    return sorted(found, key=lambda link: (link.runlevel != "S", link.runlevel, link.link_name))


def _links_in(root: Path, rel_dir: str, runlevel: str) -> list[RcLink]:
    try:
        entries = sorted(os.scandir(root / rel_dir), key=lambda e: e.name)
    except OSError:
        return []
    links = []
    for entry in entries:
        m = _link().fullmatch(entry.name)
        if m is None:
            continue
        target: str | None = None
        if entry.is_symlink():
            try:
                target = os.readlink(entry.path)
            except OSError:
                continue
        elif not entry.is_file(follow_symlinks=False):
            continue
        links.append(
            RcLink(
                rel=f"{rel_dir}/{entry.name}",
                runlevel=runlevel,
                action=m.group(1),
                number=read_int(m.group(2)),
                name=m.group(3),
                target=target,
                target_rel=_resolve(rel_dir, target) if target is not None else None,
            )
        )
    return links
