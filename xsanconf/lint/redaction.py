"""Keep the site's secrets out of every report: messages, related notes, fixes, rule failures.

Rules are written never to quote a secret, and reporters mask source lines; this is the net
under both.  Every secret value the site's files set (CHAP passwords, iscsid ``*password*``,
DRBD ``shared-secret``, VNC passwords: see :mod:`xsanconf.secrets`) is collected from the text,
parsed or not, and masked wherever a diagnostic carries text.  ``xsanlint --show-secrets`` skips
this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from xsanconf.lint.diagnostics import Fix
from xsanconf.secrets import redact_line, scrub, secret_values

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Diagnostic, Location, TextEdit
    from xsanconf.lint.engine import LintResult
    from xsanconf.lint.site import Site

__all__ = ["hide_secrets", "mask_text", "secret_test", "site_secrets"]


def site_secrets(site: Site) -> frozenset[str]:
    """Every secret value set in the site's files."""
    found: set[str] = set()
    for file in site.files():
        found |= secret_values(file.text())
    return frozenset(found)


def hide_secrets(result: LintResult, site: Site) -> LintResult:
    """``result`` with the site's secrets masked in every text its diagnostics carry."""
    secrets = site_secrets(site)
    if not secrets:
        return result
    return attrs.evolve(
        result,
        diagnostics=[_diagnostic(d, secrets) for d in result.diagnostics],
        failures=[attrs.evolve(f, error=scrub(f.error, secrets)) for f in result.failures],
    )


def _diagnostic(d: Diagnostic, secrets: frozenset[str]) -> Diagnostic:
    return attrs.evolve(
        d,
        message=scrub(d.message, secrets),
        location=_location(d.location, secrets),
        related=tuple(_location(r, secrets) for r in d.related),
        fix=_fix(d.fix, secrets) if d.fix is not None else None,
    )


def _location(loc: Location, secrets: frozenset[str]) -> Location:
    if loc.message is None:
        return loc
    return attrs.evolve(loc, message=scrub(loc.message, secrets))


def _fix(fix: Fix, secrets: frozenset[str]) -> Fix:
    # an edit that rewrites a password line would print the password: mask it like a source
    # line (the masked edit no longer applies as is; --show-secrets gives the real one)
    # (masked when the edits are asked for: a report that does not show them never makes them)
    def masked() -> tuple[TextEdit, ...]:
        return tuple(attrs.evolve(e, text=_masked_text(e.text, secrets)) for e in fix.edits)

    description = scrub(fix.description, secrets)
    return Fix(description, fix.safe, renames=fix.renames, later=masked)


def mask_text(text: str, site: Site) -> str:
    """Free text quoting the site's files (a diff, a refusal): secret lines and values masked."""
    return _masked_text(text, site_secrets(site))


def secret_test(site: Site) -> Callable[[str], bool]:
    """Whether a line quoting the site's files holds a secret (a secret setting, or a secret
    value the site sets)."""
    secrets = site_secrets(site)
    return lambda line: _masked_text(line, secrets) != line


def _masked_text(text: str, secrets: frozenset[str]) -> str:
    lines = text.split("\n")
    return scrub("\n".join(redact_line(line) for line in lines), secrets)
