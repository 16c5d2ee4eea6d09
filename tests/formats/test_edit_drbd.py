"""get/set/unset on drbd.conf through selectors: sections by keyword and arguments."""

from __future__ import annotations

import functools

from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.formats.edit_checks import changed_lines, check_edit, edited_as
from xsanconf.testing.drbd import drbd_documents

CONF = """\
resource xensan {
\tnet {
\t\tprotocol C;
\t}
\ton xen1 {
\t\taddress 10.0.0.1:7788;
\t}
}
"""


edited = functools.partial(edited_as, "drbd")


def test_set_existing_new_and_unset() -> None:
    after = edited(CONF, "resource[xensan].net.protocol", "A")
    assert changed_lines(CONF, after) == ["-\t\tprotocol C;\n", "+\t\tprotocol A;\n"]
    after = edited(CONF, "resource[xensan].net.allow-two-primaries", "yes")
    assert changed_lines(CONF, after) == ["+\t\tallow-two-primaries yes;\n"]
    after = edited(CONF, "resource[xensan].on[xen1].address", None)
    assert changed_lines(CONF, after) == ["-\t\taddress 10.0.0.1:7788;\n"]


def test_a_new_option_lines_up_with_aligned_siblings() -> None:
    text = "resource r0 {\n  on a {\n    device    /dev/drbd0;\n    disk      /dev/sdb;\n  }\n}\n"
    after = edited(text, "resource[r0].on[a].address", "10.0.0.1:7788")
    assert changed_lines(text, after) == ["+    address   10.0.0.1:7788;\n"]
    after = edited(text, "resource[r0].on[a].flexible-meta-disk", "internal")
    assert changed_lines(text, after) == ["+    flexible-meta-disk internal;\n"]


def test_top_level_sections_start_in_the_first_column_below_comments() -> None:
    after = edited("# drbd.conf\nresource a {\n}\n", "resource[b].net.protocol", "C")
    assert after == "# drbd.conf\nresource a {\n}\nresource b {\n\tnet {\n\t\tprotocol C;\n\t}\n}\n"
    after = edited("# only a comment", "global.usage-count", "no")
    assert after == "# only a comment\nglobal {\n\tusage-count no;\n}\n"


def test_crlf_and_no_final_newline() -> None:
    text = "global {\r\n  usage-count no;\r\n}"
    after = edited(text, "global.usage-count", "yes")
    assert after == "global {\r\n  usage-count yes;\r\n}"
    after = edited(text, "global.minor-count", "8")
    assert after == "global {\r\n  usage-count no;\r\n  minor-count 8;\r\n}"


@given(
    drbd_documents(),
    st.sampled_from(["protocol", "al-extents", "rate"]),
    st.sampled_from(["net", "disk", "syncer"]),
    st.one_of(st.none(), st.sampled_from(["A", "257", "a b"])),
)
def test_edits_touch_only_their_lines(
    text: str, keyword: str, section: str, value: str | None
) -> None:
    doc = xsanconf.loads(text, "drbd")
    named = [r for r in doc.model.resources if r.name and not set("[]. ") & set(r.name)]
    if not named:
        return
    if any("\n" in t.text for t in named[0].node.tokens()):
        return  # a statement over several lines: its other lines do not name it
    selector = f"resource[{named[0].name}].{section}.{keyword}"
    check_edit("drbd", text, selector, value, (keyword, section, "}"))
