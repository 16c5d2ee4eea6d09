"""Selectors over multipath.conf, for ``xsanconf get/set/unset``.

Every step but the last names a section (``defaults``, ``blacklist``, ``devices.device``,
``multipaths.multipath``); a filter ``[key=value]`` picks the sections whose option ``key`` has
that value (``multipaths.multipath[wwid=3600a0b80001327510000000000000000]``), and
``[key=value,key=value]`` by several (``devices.device[vendor=IET,product=VIRTUAL-DISK]``).
The last step is an option keyword, or a section to read or remove whole.

Sections that repeat (two ``defaults`` blocks, two entries for one WWID) are read as multipathd
merges them: a single-valued option's last setting wins, ``set`` changes that line (or adds
the option to the last such section) and ``unset`` removes it from all of them.  The blacklist
entries (``devnode``, ``wwid``, ``property``, ``protocol`` in ``blacklist`` and
``blacklist_exceptions``) accumulate instead: ``get`` lists them all, ``set`` adds a pattern
that is not there yet, and ``devnode[PATTERN]`` names one of them (to replace or remove it).
A section that does not exist is added, with the filter's options, when something is set in it;
a new ``device`` needs both ``vendor`` and ``product`` in its filter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.multipath.keywords import ROOT, SectionSpec
from xsanconf.formats.multipath.model import (
    BLACKLIST_KINDS,
    MultipathConfig,
    MultipathOption,
    MultipathSection,
)
from xsanconf.select import SelectorError, Step

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value"]

_LISTS = frozenset({"blacklist", "blacklist_exceptions"})


class _Path:
    def __init__(self, selector: str) -> None:
        self.selector = selector
        steps = steps_of(selector)
        spec = ROOT
        self.sections: list[Step] = []
        for i, step in enumerate(steps):
            inner = spec.subsections.get(step.name)
            if inner is None:
                if i < len(steps) - 1:
                    raise self.error(f"'{step.name}' is not a section multipathd knows here")
                break
            if step.filter is not None and step.keyed is None:
                raise self.error(f"pick a '{step.name}' section by an option, [key=value]")
            self.sections.append(step)
            spec = inner
        self.spec: SectionSpec = spec
        self.last: Step | None = None if len(self.sections) == len(steps) else steps[-1]
        if not self.sections:
            raise self.error("start with a section, e.g. defaults.user_friendly_names")

    def error(self, why: str) -> SelectorError:
        return SelectorError(f"selector {self.selector!r}: {why}")

    @property
    def is_list(self) -> bool:
        """Whether the option accumulates (a blacklist entry) rather than being overridden."""
        return (
            self.last is not None
            and self.sections[-1].name in _LISTS
            and self.last.name in BLACKLIST_KINDS
        )

    @property
    def keyword(self) -> str:
        assert self.last is not None
        if self.last.filter is not None and not self.is_list:
            raise self.error(f"an option takes no [filter]; '{self.last.name}' is not a section")
        return self.last.name

    def find(self, config: MultipathConfig) -> list[MultipathSection]:
        found = [config.top]
        for step in self.sections:
            found = [s for parent in found for s in parent.subsections(step.name)]
            found = [s for s in found if _matches(s, step)]
        return found

    def make(self, config: MultipathConfig) -> MultipathSection:
        """The last section the path names, added (with its filter option) where missing."""
        section = config.top
        for step in self.sections:
            matching = [s for s in section.subsections(step.name) if _matches(s, step)]
            if matching:
                section = matching[-1]
                continue
            _check_identified(self, step)
            section = section.add_section(step.name)
            for key, value in step.keys:
                section.set(key, value)
        return section


def _matches(section: MultipathSection, step: Step) -> bool:
    return all(section.value(key) == value for key, value in step.keys)


# multipathd matches a devices entry by both its vendor and product regexes and skips one that
# lacks either: a new entry needs both in its filter.
_IDENTIFIED_BY = {"device": ("vendor", "product")}


def _check_identified(path: _Path, step: Step) -> None:
    needed = _IDENTIFIED_BY.get(step.name, ())
    given = {key for key, _ in step.keys}
    if all(key in given for key in needed):
        return
    raise ValueError(
        f"a new '{step.name}' entry needs both {' and '.join(needed)} in its filter "
        "(multipathd skips an entry without them), e.g. "
        "devices.device[vendor=IET,product=VIRTUAL-DISK]"
    )


def _options(path: _Path, sections: list[MultipathSection]) -> list[MultipathOption]:
    keyword = path.keyword
    found = [o for s in sections for o in s.all(keyword)]
    if path.is_list and path.last is not None and path.last.filter is not None:
        found = [o for o in found if o.value == path.last.filter]
    return found


def get_value(doc: Document, selector: str) -> list[str]:
    """A single-valued option's value as multipathd keeps it (its last setting); every pattern
    of a blacklist entry kind; for a section, its options as ``keyword value`` lines."""
    path = _Path(selector)
    sections = path.find(MultipathConfig(doc))
    if path.last is None:
        return [f"{o.keyword} {o.raw_value or ''}".rstrip() for s in sections for o in s.options]
    found = [o.value for o in _options(path, sections) if o.value is not None]
    return found if path.is_list else found[-1:]


def _check(value: str) -> str:
    check_one_line(value)
    if '"' in value:
        raise ValueError(
            f'{value!r}: a double quote in a value is read back (as "") only by '
            "multipath-tools 0.7.6 and later"
        )
    return value


def set_value(doc: Document, selector: str, value: str) -> None:
    path = _Path(selector)
    _check(value)
    config = MultipathConfig(doc)
    if path.last is None:
        raise path.error("a section has no value; name one of its options")
    existing = _options(path, path.find(config))
    if path.is_list:
        named = path.last.filter is not None
        if named and existing:
            existing[-1].set(value)
            for extra in existing[:-1]:
                extra.remove()
        elif value not in [o.value for o in _options_all(path, config)]:
            path.make(config)._add_option(path.keyword, value)
        return
    if existing:
        existing[-1].set(value)
    else:
        path.make(config).set(path.keyword, value)


def _options_all(path: _Path, config: MultipathConfig) -> list[MultipathOption]:
    return [o for s in path.find(config) for o in s.all(path.keyword)]


def unset_value(doc: Document, selector: str) -> int:
    path = _Path(selector)
    sections = path.find(MultipathConfig(doc))
    if path.last is None:
        removable = [s for s in sections if s.node is not None and s.place is not None]
        for section in reversed(removable):
            section.remove()
        return len(removable)
    found = _options(path, sections)
    for option in found:
        option.remove()
    return len(found)
