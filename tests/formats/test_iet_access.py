"""The iet-access codec: entries, items classified as ietd matches them, lines ietd skips,
edits, and a round trip with random trivia."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
from hypothesis import given

import xsanconf
from tests.corpus import CORPUS, corpus_kind, original_path, read
from xsanconf.formats.iet_access import IetAccessFile, parse_items
from xsanconf.testing.iet_access import iet_access_documents

ALLOW = """\
# initiators.allow on the SAN heads
iqn.2001-04.com.example:storage.disk1 192.168.0.0/16, iqn\\.1998-01\\.com\\.vmware:.*
iqn.2001-04.com.example:storage.disk2 [3ffe:302:11:1:211:43ff:fe31:5ae2], [3ffe:505:2:1::]/64
ALL 10.0.0.0/8
"""


def model(text: str, path: str = "/etc/iet/initiators.allow") -> IetAccessFile:
    return xsanconf.loads(text, "iet-access", path=path).model  # type: ignore[no-any-return]


def test_reads_entries_and_classifies_items() -> None:
    access = model(ALLOW)
    assert access.role == "initiators.allow"
    first, second, last = access.entries
    assert first.target == "iqn.2001-04.com.example:storage.disk1"
    assert [(i.kind, i.text) for i in first.items] == [
        ("network", "192.168.0.0/16"),
        ("pattern", r"iqn\.1998-01\.com\.vmware:.*"),
    ]
    assert first.items[0].address == ipaddress.ip_address("192.168.0.0")
    assert first.items[0].prefix == 16
    assert [i.kind for i in second.items] == ["address", "network"]
    assert second.items[1].prefix == 64
    assert last.is_all and not first.is_all


def test_positions_of_entries_and_items() -> None:
    access = model(ALLOW)
    entry = access.entries[0]
    assert entry.position == (2, 1)
    assert entry.item_position(entry.items[1]) == (2, 55)


@pytest.mark.parametrize(
    ("item", "kind", "problem"),
    [
        ("ALL", "all", None),
        ("all", "pattern", None),  # only upper-case ALL is special
        ("192.168.1.10", "address", None),
        ("192.168.1.0/24", "network", None),
        ("192.168.1.10/24", "network", "host bits are set"),
        ("192.168.1.10/32", "network", "above /31"),
        ("10.0.0.0/0", "network", "undefined behaviour"),
        ("10.0.0.0/0x8", "network", None),  # strtoul(.., 0) reads hex
        ("[fe80::1]", "address", None),
        ("[fe80::]/10", "network", None),
        ("[fe80::]/128", "network", "above /127"),
        ("[fe80::1", "pattern", "without ']'"),
        (".*:mscs1-[1-4]", "pattern", None),
    ],
)
def test_item_kinds_and_problems(item: str, kind: str, problem: str | None) -> None:
    (found,) = parse_items(f"  {item}  ")
    assert found.kind == kind
    assert found.start == 2
    if problem is None:
        assert found.problem is None
    else:
        assert found.problem is not None and problem in found.problem


def test_items_split_on_commas_blanks_trimmed_empty_skipped() -> None:
    items = parse_items("10.0.0.1 ,, \t10.0.0.2,")
    assert [(i.text, i.start) for i in items] == [("10.0.0.1", 0), ("10.0.0.2", 13)]


def test_lines_ietd_does_not_read() -> None:
    access = model("ALL\nALL \niqn.2001-04.com.example:a 10.0.0.1\nALL ALL")
    bare, blank_list, specific, unterminated = access.entries
    assert bare.skipped and not bare.read  # a lone word: the splitter drops the line
    assert blank_list.read and blank_list.items == []  # read, matches nothing, decides
    assert specific.read
    assert unterminated.unterminated and not unterminated.read
    assert access.decisive_entry("IQN.2001-04.COM.EXAMPLE:A") is not None
    decisive = access.decisive_entry("iqn.2001-04.com.example:b")
    assert decisive is not None and decisive.token is blank_list.token


def test_hash_inside_a_line_is_part_of_the_last_item() -> None:
    (entry,) = model("ALL 10.0.0.1 # office\n").entries
    assert entry.comment_like == "# office"
    assert [i.text for i in entry.items] == ["10.0.0.1 # office"]


def test_add_entry_goes_above_the_first_all_line() -> None:
    doc = xsanconf.loads(ALLOW, "iet-access", path="/etc/iet/initiators.allow")
    doc.model.add_entry("iqn.2001-04.com.example:storage.disk3", ["10.1.1.1", "10.1.1.2"])
    doc.model.add_entry("ALL", ["ALL"])
    lines = doc.render().splitlines()
    assert lines[-3:] == [
        "iqn.2001-04.com.example:storage.disk3 10.1.1.1, 10.1.1.2",
        "ALL 10.0.0.0/8",
        "ALL ALL",
    ]
    assert doc.render().count("\n") == ALLOW.count("\n") + 2


def test_set_items_and_remove_entry_touch_only_their_lines() -> None:
    doc = xsanconf.loads(ALLOW.replace("\n", "\r\n"), "iet-access")
    first, second, _ = doc.model.entries
    first.set_items(["192.168.1.0/24"])
    second.remove()
    assert doc.render() == (
        "# initiators.allow on the SAN heads\r\n"
        "iqn.2001-04.com.example:storage.disk1 192.168.1.0/24\r\n"
        "ALL 10.0.0.0/8\r\n"
    )
    with pytest.raises(ValueError, match="not a list item"):
        first.set_items(["a,b"])


def test_binary_input_gives_line_and_column() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("ALL ALL\nALL 10.\x00\n", "iet-access")
    assert (caught.value.line, caught.value.column) == (2, 8)


def test_detected_by_name() -> None:
    for name in ("initiators.allow", "initiators.deny", "targets.allow"):
        assert xsanconf.detect_kind(f"/etc/iet/{name}") == "iet-access"


def test_data_round_trip() -> None:
    data = xsanconf.to_data(xsanconf.loads(ALLOW, "iet-access"))
    rebuilt = xsanconf.from_data(data)
    assert [e.target for e in rebuilt.model.entries] == [d["name"] for d in data["directives"]]
    assert [[i.text for i in e.items] for e in rebuilt.model.entries] == [
        d["args"] for d in data["directives"]
    ]


def _reference_entries(text: str) -> list[tuple[str, str]]:
    """(first word, rest) of each line ietd's match() reads, written independently."""
    out = []
    for line in text.split("\n")[:-1]:  # fgets: a line without '\n' is skipped
        m = re.match(r"[ \t\v\f\r]*([^ \t\v\f\r]+)([ \t\v\f\r].*)?$", line, re.S)
        if m is None or m.group(1).startswith("#"):
            continue
        if m.group(2) is None:
            continue  # the word has nothing after it: target_sep_string gives NULL
        out.append((m.group(1), m.group(2)))
    return out


@given(iet_access_documents())
def test_round_trip_is_exact(text: str) -> None:
    assert xsanconf.dumps(xsanconf.loads(text, "iet-access")) == text


@given(iet_access_documents())
def test_model_reads_the_lines_ietd_reads(text: str) -> None:
    access = xsanconf.loads(text, "iet-access").model
    seen = [(e.target, e.items) for e in access.entries if e.read]
    expected = [(first, parse_items(rest)) for first, rest in _reference_entries(text)]
    assert [(t, [i.text for i in items]) for t, items in seen] == [
        (t, [i.text for i in items]) for t, items in expected
    ]


def _corpus_access_files() -> list[object]:
    folder = CORPUS / "ietd"
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    return [
        pytest.param(f, id=f.name)
        for f in sorted(folder.iterdir())
        if corpus_kind(f) == "iet-access"
    ]


@pytest.mark.parametrize("file", _corpus_access_files())
def test_corpus_files_end_with_all_all(file: Path) -> None:
    access = xsanconf.loads(read(file), "iet-access", path=original_path(file)).model
    assert access.role is not None
    for entry in access.entries:
        assert entry.read
        assert all(item.problem is None for item in entry.items)
    if access.entries:
        assert access.entries[-1].target == "ALL"


def test_add_entry_to_a_comment_only_file() -> None:
    doc = xsanconf.loads("# empty", "iet-access")
    doc.model.add_entry("iqn.2001-04.com.example:a", ["10.0.0.1"])
    doc.model.add_entry("ALL", ["ALL"])
    assert doc.render() == "# empty\niqn.2001-04.com.example:a 10.0.0.1\nALL ALL\n"
