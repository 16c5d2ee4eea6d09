"""get/set/unset on multipath.conf: sections by keyword and [key=value], lists that add up."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.formats import multipath as fmt
from xsanconf.select import SelectorError
from xsanconf.testing.multipath import MultipathSample, multipath_configs

CONF = """\
defaults {
\tuser_friendly_names\tyes
\tpolling_interval\t10
}
blacklist {
\tdevnode "^(ram|raw|loop)[0-9]*"
}
multipaths {
\tmultipath {
\t\twwid\t3600a0b80001327510000000000000001
\t\talias\txensan
\t}
}
"""

WWID = "3600a0b80001327510000000000000001"
ENTRY = f"multipaths.multipath[wwid={WWID}]"


edited = functools.partial(edited_as, "multipath")


def test_get() -> None:
    doc = xsanconf.loads(CONF + "defaults {\n polling_interval 5\n}\n", "multipath")
    assert fmt.get_value(doc, "defaults.polling_interval") == ["5"]  # the last one wins
    assert fmt.get_value(doc, f"{ENTRY}.alias") == ["xensan"]
    assert fmt.get_value(doc, "blacklist.devnode") == ["^(ram|raw|loop)[0-9]*"]
    assert fmt.get_value(doc, ENTRY) == [f"wwid {WWID}", "alias xensan"]
    assert fmt.get_value(doc, "multipaths.multipath[wwid=36].alias") == []


def test_set_existing_keeps_the_alignment() -> None:
    after = edited(CONF, "defaults.user_friendly_names", "no")
    assert changed_lines(CONF, after) == [
        "-\tuser_friendly_names\tyes\n",
        "+\tuser_friendly_names\tno\n",
    ]


def test_a_new_option_lines_up_with_its_siblings() -> None:
    after = edited(CONF, "defaults.find_multipaths", "yes")
    assert changed_lines(CONF, after) == ["+\tfind_multipaths\t\tyes\n"]


def test_set_in_a_missing_entry_adds_it_in_the_style_of_its_cousins() -> None:
    after = edited(CONF, "multipaths.multipath[wwid=3600a0b800013275100000000000000ff].alias", "db")
    assert changed_lines(CONF, after) == [
        "+\tmultipath {\n",
        "+\t\twwid\t3600a0b800013275100000000000000ff\n",
        "+\t\talias\tdb\n",
        "+\t}\n",
    ]


def test_blacklist_entries_add_up_and_are_named_by_pattern() -> None:
    after = edited(CONF, "blacklist.devnode", "^hd[a-z]")
    assert changed_lines(CONF, after) == ['+\tdevnode "^hd[a-z]"\n']
    assert edited(CONF, "blacklist.devnode", "^(ram|raw|loop)[0-9]*") == CONF  # already there
    replaced = edited(CONF, "blacklist.devnode[^(ram|raw|loop)[0-9]*]", "^sda$")
    assert changed_lines(CONF, replaced) == [
        '-\tdevnode "^(ram|raw|loop)[0-9]*"\n',
        '+\tdevnode "^sda$"\n',
    ]
    assert edited(CONF, "blacklist.devnode[^(ram|raw|loop)[0-9]*]", None) == CONF.replace(
        '\tdevnode "^(ram|raw|loop)[0-9]*"\n', ""
    )


def test_unset_an_option_and_a_whole_entry() -> None:
    after = edited(CONF, f"{ENTRY}.alias", None)
    assert changed_lines(CONF, after) == ["-\t\talias\txensan\n"]
    after = edited(CONF, ENTRY, None)
    assert after == CONF.replace(f"\tmultipath {{\n\t\twwid\t{WWID}\n\t\talias\txensan\n\t}}\n", "")


def test_crlf_spaces_and_no_final_newline() -> None:
    text = 'defaults {\r\n    path_checker "tur"\r\n}'
    after = edited(text, "defaults.path_grouping_policy", "multibus")
    assert after == 'defaults {\r\n    path_checker "tur"\r\n    path_grouping_policy multibus\r\n}'
    after = edited(text, "devices.device[vendor=HP,product=HSV1].no_path_retry", "queue")
    assert after == text + "\r\ndevices {\r\n    device {\r\n        vendor HP\r\n" + (
        "        product HSV1\r\n        no_path_retry queue\r\n    }\r\n}\r\n"
    )


def test_a_file_of_comments_gets_its_section_below_them() -> None:
    text = "# /etc/multipath.conf\n"
    after = edited(text, "defaults.user_friendly_names", "yes")
    assert after == text + "defaults {\n\tuser_friendly_names yes\n}\n"


def test_values_and_selectors_it_cannot_take() -> None:
    doc = xsanconf.loads(CONF, "multipath")
    for bad in ('say "hi"', "a\nb"):
        with pytest.raises(ValueError):
            fmt.set_value(doc, "defaults.alias_prefix", bad)
    bad_selectors = [
        "user_friendly_names",
        "defaults.nope.x",
        "multipaths.multipath[36].alias",
        "defaults.polling_interval[1]",
        "defaults",
    ]
    for selector in bad_selectors:
        with pytest.raises(SelectorError):
            fmt.set_value(doc, selector, "1")
    assert doc.render() == CONF


_VALUES = st.from_regex(r"[a-z0-9^$.*]{1,8}", fullmatch=True)


@given(multipath_configs(), st.data())
def test_edits_touch_only_their_lines(sample: MultipathSample, data: st.DataObject) -> None:
    wwids = [w for w, _ in sample.multipaths] or ["3600a0b8000132751"]
    choices = [
        ("defaults.polling_interval", ("polling_interval",)),
        ("defaults.user_friendly_names", ("user_friendly_names",)),
        ("blacklist.devnode", ("devnode",)),
        (f"multipaths.multipath[wwid={data.draw(st.sampled_from(wwids))}].alias", ("alias",)),
    ]
    selector, touches = data.draw(st.sampled_from(choices))
    value = data.draw(st.one_of(st.none(), _VALUES))
    check_edit("multipath", sample.text, selector, value, touches)
