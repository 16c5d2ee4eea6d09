"""Rule pages: parsing, and where they are read from."""

from __future__ import annotations

from pathlib import Path

import pytest

from xsanconf.lint import pages
from xsanconf.lint.pages import Mark, parse_page

PAGE = """\
# XYZ001 some-rule

## What it checks

A thing.

More about it.

## Bad

```drbd title="etc/drbd.conf" host="san1" target="drbd=8.4"
## not a heading: inside a fence
resource r0 { }  # <- XYZ001
```

````multipath title="etc/multipath.conf" final-newline="no"
defaults {	# <- XYZ001
	keyword value # not a marker: <- XYZ001
}
````

## Good

Nothing to see.
"""


def test_parse_page() -> None:
    page = parse_page(PAGE)
    assert (page.code, page.name) == ("XYZ001", "some-rule")
    assert page.summary == "A thing."
    first, second = page.examples("Bad")
    assert (first.language, first.path, first.host) == ("drbd", "etc/drbd.conf", "san1")
    assert first.attributes["target"] == "drbd=8.4"
    # the markers are taken out of the text the rules read, and kept apart
    assert first.text == "## not a heading: inside a fence\nresource r0 { }\n"
    assert first.marks == (Mark(2, "XYZ001"),)
    assert (second.path, second.host, second.text) == (
        "etc/multipath.conf",
        "host1",
        "defaults {\n\tkeyword value # not a marker: <- XYZ001\n}",
    )
    assert second.marks == (Mark(1, "XYZ001"),)
    assert page.examples("Good") == []
    assert page.section("Fix") == ""


def test_a_page_needs_its_title() -> None:
    with pytest.raises(ValueError, match="starts with '# CODE name'"):
        parse_page("# Some title\n")


def test_installed_pages_come_from_package_data(monkeypatch: pytest.MonkeyPatch) -> None:
    real_is_dir = Path.is_dir

    def no_source_tree(self: Path) -> bool:
        return False if self.name == "rules" else real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", no_source_tree)
    folder = pages._folder()
    assert folder.name == "rule_pages"
    assert not isinstance(folder, Path) or folder.parent.name == "xsanconf"
