"""multipath.conf facts for the SYN rules, read from the codec's model of what multipathd reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.formats.multipath import MultipathSection
    from xsanconf.lint.site import SiteFile

__all__ = ["duplicates", "read_differently", "refused_values", "unknown_keywords"]

# Top-level sections multipathd merges when repeated (later values win).
_MERGED = frozenset(
    {"defaults", "blacklist", "blacklist_exceptions", "devices", "multipaths", "overrides"}
)


# Keywords a past multipath-tools release removed: MPATH004 (deprecated-keyword) reports them
# with their replacement, so SYN002 does not call them unknown.
_RETIRED = frozenset(
    {
        "default_selector",
        "default_path_grouping_policy",
        "default_getuid_callout",
        "default_features",
        "default_path_checker",
        "default_prio_callout",
        "default_uid_attribute",
        "selector",
        "udev_dir",
        "prio_callout",
        "devnode_blacklist",
    }
)


def _suggestion(word: str, section: MultipathSection) -> str:
    import difflib

    known = [*section.spec.options, *section.spec.subsections]
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    return f"; did you mean '{close[0]}'?" if close else ""


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keywords multipathd does not know in the section it reads them in ("invalid keyword")."""
    for option in file.doc.model.unknown:
        if option.keyword in _RETIRED:
            continue
        where = option.section.keyword or "the top level"
        yield Finding(
            f"unknown keyword '{option.keyword}' in '{where}': multipathd ignores it"
            + _suggestion(option.keyword, option.section),
            file.location(option.token),
        )


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A repeated top-level section (``defaults`` twice) and an option set twice in a section."""
    config = file.doc.model
    first: dict[str, MultipathSection] = {}
    for section in config.sections:
        if section.keyword not in _MERGED or section.head is None:
            continue
        earlier = first.setdefault(section.keyword, section)
        if earlier is not section and earlier.head is not None:
            yield Finding(
                f"a second '{section.keyword}' section (first at line {earlier.position[0]}): "
                "multipathd merges them and the later values win",
                file.location(section.head),
                (file.location(earlier.head, "first section"),),
            )
    for section in config.walk():
        seen: dict[str, int] = {}
        for option in section.options:
            if not option.known or section.keyword in ("blacklist", "blacklist_exceptions"):
                continue
            line = seen.setdefault(option.keyword, option.position[0])
            if line != option.position[0]:
                yield Finding(
                    f"'{option.keyword}' is set again in this section (first at line {line}); "
                    "the last value wins",
                    file.location(option.token),
                )


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """A section whose ``{`` is on the next line, words multipathd ignores, dropped lines."""
    config = file.doc.model
    for section in config.walk():
        if section.head is None:
            continue
        if section.brace_on_next_line:
            yield Finding(
                f"'{section.keyword}' has its '{{' on the next line: multipathd logs "
                "\"missing '{'\" and may read the block differently; put '{' on this line",
                file.location(section.head),
            )
        if section.head_ignored:
            yield Finding(
                f"multipathd ignores {' '.join(section.head_ignored)!r} after "
                f"'{section.keyword} {{' (one option per line)",
                file.location(section.head),
            )
        for option in section.options:
            if option.ignored:
                yield Finding(
                    f"multipathd reads only the first word as the value of '{option.keyword}' "
                    f"and ignores {' '.join(option.ignored)!r}; quote a value with blanks",
                    file.location(option.token),
                )
    for ignored in config.ignored_lines:
        yield Finding(
            f"multipathd drops this line ({ignored.reason})", file.location(ignored.token)
        )
    for closer in config.stray_closers:
        yield Finding("a '}' that closes nothing: multipathd ignores it", file.location(closer))


def refused_values(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Values multipathd rejects ("invalid value", read as ``dict.c``'s handlers do): it keeps
    the value the option had, so the line silently changes nothing (a warning).  Keywords
    MPATH004 reports as retired are left to it."""
    for section in file.doc.model.walk():
        for option in section.options:
            if not option.known or option.deprecated or option.valid:
                continue
            yield Finding(
                f"'{option.keyword} {option.value}': multipathd rejects the value (\"invalid "
                'value") and keeps the one the option had (the built-in default unless set '
                "before)",
                file.location(option.token),
                severity=Severity.WARNING,
            )
