"""Keep the site's secrets out of every report: source lines, messages, related notes, fixes,
rule failures, diffs.

Rules are written never to quote a secret; this is the net under them.  Each file's secrets
are found by its format's reading (:func:`xsanconf.secrets.secret_map`: a DRBD
``shared-secret`` value on the line after its keyword, a Xen password on a continuation line,
CHAP passwords, iscsid ``*password*`` lines however written), and by the line pattern in
comments and in text that did not parse.  Source lines are shown with those spans masked;
lines quoting a secret line (a diff, an edit) are shown as the file's masked line; and every
secret value is scrubbed wherever a diagnostic carries text.  ``xsanlint --show-secrets``
skips this.
"""

from __future__ import annotations

import functools
import posixpath
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from xsanconf.lint.diagnostics import Fix
from xsanconf.secrets import SecretMap, line_table, mask_quoted_lines, scrub, secret_map

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.lint.diagnostics import Diagnostic, Location, TextEdit
    from xsanconf.lint.engine import LintResult
    from xsanconf.lint.site import Site

__all__ = ["hide_secrets", "line_secrets", "mask_text", "secret_test", "site_secrets"]


class _SiteSecrets:
    """The secrets of a site's files, found once per site."""

    def __init__(self, maps: dict[str, SecretMap], more: Iterable[SecretMap] = ()) -> None:
        self.maps = maps  # the site's files, by normalised display path
        self._all = [*maps.values(), *more]  # and other texts that are quoted (new texts)
        self.values = frozenset(v for found in self._all for v in found.values())

    @classmethod
    def of(cls, site: Site) -> _SiteSecrets:
        found = _CACHE.get(site)
        if found is None:
            found = cls({posixpath.normpath(f.path): secret_map(f.doc) for f in site.files()})
            _CACHE[site] = found
        return found

    @functools.cached_property
    def lines(self) -> dict[str, str]:
        """Each line holding a secret, as written -> as shown (only text that quotes the files
        needs them: a diff, a fix's edits)."""
        return line_table(self._all)

    def mask(self, text: str) -> str:
        return mask_quoted_lines(text, self.lines, self.values)


_CACHE: weakref.WeakKeyDictionary[Site, _SiteSecrets] = weakref.WeakKeyDictionary()


def site_secrets(site: Site) -> frozenset[str]:
    """Every secret value set in the site's files."""
    return _SiteSecrets.of(site).values


def line_secrets(site: Site) -> Callable[[str, int], list[tuple[int, int]]]:
    """``(path, line) -> column spans`` of the secrets on a line of a site's file."""
    maps = _SiteSecrets.of(site).maps

    def spans(path: str, line: int) -> list[tuple[int, int]]:
        found = maps.get(posixpath.normpath(path))
        return found.line_spans(line) if found is not None else []

    return spans


def hide_secrets(result: LintResult, site: Site) -> LintResult:
    """``result`` with the site's secrets masked in every text its diagnostics carry."""
    secrets = _SiteSecrets.of(site)
    if not secrets.values and not any(found.spans for found in secrets.maps.values()):
        return result
    return attrs.evolve(
        result,
        diagnostics=[_diagnostic(d, secrets) for d in result.diagnostics],
        failures=[attrs.evolve(f, error=scrub(f.error, secrets.values)) for f in result.failures],
    )


def _diagnostic(d: Diagnostic, secrets: _SiteSecrets) -> Diagnostic:
    return attrs.evolve(
        d,
        message=scrub(d.message, secrets.values),
        location=_location(d.location, secrets.values),
        related=tuple(_location(r, secrets.values) for r in d.related),
        fix=_fix(d.fix, secrets) if d.fix is not None else None,
    )


def _location(loc: Location, secrets: frozenset[str]) -> Location:
    if loc.message is None:
        return loc
    return attrs.evolve(loc, message=scrub(loc.message, secrets))


def _fix(fix: Fix, secrets: _SiteSecrets) -> Fix:
    # an edit that rewrites a password line would print the password: mask it like a source
    # line (the masked edit no longer applies as is; --show-secrets gives the real one)
    # (masked when the edits are asked for: a report that does not show them never makes them)
    def masked() -> tuple[TextEdit, ...]:
        return tuple(attrs.evolve(e, text=secrets.mask(e.text)) for e in fix.edits)

    description = scrub(fix.description, secrets.values)
    return Fix(description, fix.safe, renames=fix.renames, later=masked)


def mask_text(text: str, site: Site, documents: Iterable[Document] = ()) -> str:
    """Free text quoting the site's files (a diff, a refusal): secret lines and values masked.

    ``documents`` are more texts it quotes, parsed (the files as the fixes leave them).
    """
    return _quoted(site, documents).mask(text)


def secret_test(site: Site, documents: Iterable[Document] = ()) -> Callable[[str], bool]:
    """Whether a line quoting the site's files (or ``documents``) holds a secret: a secret
    setting as its format reads it, or a secret value the site sets."""
    secrets = _quoted(site, documents)
    return lambda line: secrets.mask(line) != line


def _quoted(site: Site, documents: Iterable[Document]) -> _SiteSecrets:
    secrets = _SiteSecrets.of(site)
    more = [secret_map(doc) for doc in documents]
    return _SiteSecrets(secrets.maps, more) if more else secrets
