"""multipath.conf facts for the SYN rules, read from the codec's model of what multipathd reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.formats.multipath import MultipathSection
    from xsanconf.lint.site import SiteFile

__all__ = ["duplicates", "read_differently", "unknown_keywords"]

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
    """Keywords multipathd at ``version`` does not know in the section it reads them in
    ("invalid keyword"), from the keyword table of every release."""
    from xsanconf.lint.values.multipath import (
        DEFAULT_VERSION,
        keyword_releases,
        known_in,
        section_path,
    )

    target = version or DEFAULT_VERSION
    for section in file.doc.model.walk():
        path = section_path(section)
        for option in section.options:
            keyword = option.keyword
            if keyword in _RETIRED:
                continue
            known = known_in(path, keyword, target)
            if known or (known is None and option.known):
                continue
            where = section.keyword or "the top level"
            if known is None:
                yield Finding(
                    f"unknown keyword '{keyword}' in '{where}': multipathd ignores it"
                    + _suggestion(keyword, section),
                    file.location(option.token),
                )
                continue
            runs = keyword_releases(path, keyword) or []
            yield Finding(
                f"multipath-tools {target} does not know '{keyword}' in '{where}' "
                f"({_releases(runs)}): it ignores the line",
                file.location(option.token),
            )


def _releases(runs: list[tuple[str, str]]) -> str:
    """``known from 0.8.0 on``, ``known in 0.4.5 to 0.4.9``."""
    from xsanconf.lint.values.multipath_keywords import RELEASES

    spans = [
        f"from {first} on"
        if last == RELEASES[-1]
        else (f"in {first}" if first == last else f"in {first} to {last}")
        for first, last in runs
    ]
    return "multipathd knows it " + ", ".join(spans)


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
    for device in config.devices:
        missing = [k for k in ("vendor", "product") if device.option(k) is None]
        if device.head is not None and missing:
            yield Finding(
                f"this device entry has no {' and no '.join(missing)}: multipath-tools 0.7.2 "
                'and later drop it ("device config missing vendor or product parameter"), '
                "and older releases apply it to every device in place of the built-in entries; "
                "set both vendor and product",
                file.location(device.head),
            )
    for ignored in config.ignored_lines:
        yield Finding(
            f"multipathd drops this line ({ignored.reason})", file.location(ignored.token)
        )
    for closer in config.stray_closers:
        yield Finding("a '}' that closes nothing: multipathd ignores it", file.location(closer))
