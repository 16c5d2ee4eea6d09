"""DRBD011: syntax of another DRBD version than the one the host's evidence says it runs.

The host's versions come from :mod:`xsanconf.lint.facts.versions`; this rule speaks only when
something on the host besides its drbd files says which DRBD it runs (``proc/drbd``, the
package database, the kernel modules): the files alone prove nothing about the host, and
under a version the user set (``--target``) SYN002 reports what that version refuses.  A
keyword drbdadm refuses where it stands is reported when another DRBD version reads it there
(``node-id`` is DRBD 9's, ``no-disk-flushes`` 8.3's and 8.4's), with the evidence for the
version; SYN002 keeps the keywords no version reads.  An error when every version the host may
run refuses it, a warning (naming the versions) when only some do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.candidates import by_place
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.facts.drbd import other_version_syntax
from xsanconf.lint.rule import RuleContext, rule

if TYPE_CHECKING:
    from xsanconf.lint.site import Site

__all__: list[str] = []


@rule("DRBD011", "needs-other-drbd", Severity.ERROR, scope="host", needs=("drbd",))
def needs_other_drbd(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Syntax the host's DRBD cannot read (another version's), naming the evidence."""
    for host in site.hosts:
        assumed = ctx.host_versions(host).components["drbd"]
        evidence = assumed.from_host
        if not evidence or not assumed.versions:
            continue
        candidates = assumed.versions
        because = "; ".join(f"{e.where}: {e.says}" if e.where else e.says for e in evidence)
        runs = " or ".join(candidates)
        for file in host.documents("drbd"):
            if not file.doc.parsed:
                continue
            found = [
                (version, file.location(token), (what, readers, token))
                for version in candidates
                for token, what, readers in other_version_syntax(file.doc.model, version)
            ]
            for versions, (what, readers, token) in by_place(found):
                if len(versions) == len(candidates):
                    verdict, severity = f"{host.name} runs DRBD {runs}", None
                    refusing = "its drbdadm refuses it"
                else:
                    verdict, severity = f"{host.name} may run DRBD {runs}", Severity.WARNING
                    refusing = f"drbdadm {' and '.join(versions)} refuses it"
                yield ctx.diagnostic(
                    f"{what} is DRBD {readers} syntax, but {verdict} ({because}): {refusing} "
                    "and stops with a parse error",
                    file.location(token),
                    severity=severity,
                )
