"""Whether a fix of a drbd file holds for every DRBD version a host may run.

A fix is offered as safe when it keeps what the daemon does; with several versions still
possible for the host, that must hold for each of them.  Checked mechanically, not from a
list of known-good fixes: the fixed text is parsed again and every keyword in it is placed
against each candidate version's table (:func:`xsanconf.lint.facts.drbd.refused`, the
tables of drbdadm's 8.3, 8.4 and 9 parsers).  A fix that leaves a keyword some candidate
refuses where the original had none there breaks that version's ``drbdadm``, and is not
offered (moving ``fencing`` from ``disk`` into ``net`` repairs a DRBD 9 configuration and
breaks an 8.4 one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from xsanconf.formats.drbd.model import DrbdSection

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Fix
    from xsanconf.lint.site import SiteFile

__all__ = ["breaks", "holds_for"]


def _refusals(config: DrbdSection, version: str) -> Counter[tuple[str, str, str]]:
    from xsanconf.lint.facts.drbd import refused

    return Counter((context, what, word) for _, word, what, context, _ in refused(config, version))


def breaks(file: SiteFile, fix: Fix, versions: Iterable[str]) -> list[str]:
    """The versions for which ``fix`` makes ``file`` refused where it was read before (or
    unparsable: every version).  Empty: the fix holds for all of ``versions``."""
    import xsanconf
    from xsanconf.lint.splice import apply_edits

    wanted = tuple(versions)
    edits = [e for e in fix.edits if e.path == file.path]
    if fix.renames or len(edits) != len(fix.edits):
        return []  # not a change of this file's text alone: nothing to re-read here
    try:
        fixed = xsanconf.loads(apply_edits(file.text(), edits), "drbd")
    except xsanconf.ParseError:
        return list(wanted)
    model = fixed.model
    assert isinstance(model, DrbdSection)
    original = file.doc.model
    assert isinstance(original, DrbdSection)
    found = []
    for version in wanted:
        before = _refusals(original, version)
        after = _refusals(model, version)
        if after - before:
            found.append(version)
    return found


def holds_for(file: SiteFile, fix: Fix | None, versions: Iterable[str]) -> Fix | None:
    """``fix`` when it holds for every one of ``versions``, else None (not offered)."""
    if fix is None or breaks(file, fix, versions):
        return None
    return fix
