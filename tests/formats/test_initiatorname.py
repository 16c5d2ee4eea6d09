from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

import xsanconf
from tests.corpus import corpus_files, corpus_kind, read
from xsanconf.formats import initiatorname
from xsanconf.formats.initiatorname import InitiatorNameFile
from xsanconf.testing.initiatorname import initiatorname_documents

DEBIAN = """\
## DO NOT EDIT OR REMOVE THIS FILE!
## If you remove this file, the iSCSI daemon will not start.
## If you change the InitiatorName, existing access control lists
## may reject this initiator.  The InitiatorName must be unique
## for each iSCSI initiator.  Do NOT duplicate iSCSI InitiatorNames.
InitiatorName=iqn.1993-08.org.debian:01:44623a171427
"""


def load(text: str) -> tuple[xsanconf.Document, InitiatorNameFile]:
    doc = xsanconf.loads(text, "initiatorname")
    return doc, doc.model


def test_reads_the_name_and_its_position() -> None:
    _, names = load(DEBIAN)
    assert names.name == "iqn.1993-08.org.debian:01:44623a171427"
    entry = names.name_entry
    assert entry is not None and entry.position == (6, 1)
    assert names.alias is None
    assert not names.placeholder
    assert names.debian_check_passes
    assert [e.value for e in names.names] == [names.name]


def test_alias_and_spaces_around_equals() -> None:
    _, names = load("InitiatorName = iqn.2001-04.com.example:host \nInitiatorAlias=db1\n")
    assert names.name == "iqn.2001-04.com.example:host"
    assert names.alias == "db1"
    alias = names.alias_entry
    assert alias is not None and alias.position == (2, 1)
    # Debian's check wants "InitiatorName=" at the start of a line
    assert not names.debian_check_passes


def test_first_name_wins() -> None:
    _, names = load(
        "InitiatorName=iqn.2001-04.com.example:a\nInitiatorName=iqn.2001-04.com.example:b\n"
    )
    assert names.name == "iqn.2001-04.com.example:a"
    assert len(names.names) == 2


def test_commented_names_are_skipped_but_a_trailing_hash_is_part_of_the_value() -> None:
    _, names = load(
        "#InitiatorName=iqn.2001-04.com.example:old\n"
        "InitiatorName=iqn.2001-04.com.example:new # ok\n"
    )
    assert names.name == "iqn.2001-04.com.example:new # ok"


def test_last_line_without_newline_is_read() -> None:
    _, names = load("InitiatorName=iqn.2001-04.com.example:x")
    assert names.name == "iqn.2001-04.com.example:x"


def test_debian_placeholder() -> None:
    _, names = load("GenerateName=yes\n")
    assert names.placeholder
    assert names.name is None
    assert not names.debian_check_passes
    _, indented = load("  GenerateName=yes\n")
    assert not indented.placeholder  # the Debian check anchors at the start of the line


def test_indented_name_is_read_by_iscsid_but_not_by_debians_check() -> None:
    _, names = load("  InitiatorName=iqn.2001-04.com.example:x\n")
    assert names.name == "iqn.2001-04.com.example:x"
    entry = names.name_entry
    assert entry is not None and entry.indented and entry.position == (1, 3)
    assert not names.debian_check_passes


def test_a_bare_name_without_key_is_kept_and_not_read() -> None:
    _, names = load("iqn.2005-03.org.open-iscsi.clientname:host\n")
    assert names.name is None
    assert [t.text for t in names.other_lines] == ["iqn.2005-03.org.open-iscsi.clientname:host"]


def test_empty_value_is_skipped_by_iscsid() -> None:
    _, names = load("InitiatorName=\nInitiatorName=iqn.2001-04.com.example:x\n")
    assert names.name == "iqn.2001-04.com.example:x"
    assert names.names[0].value == ""


def test_name_is_handed_to_the_iscsi_name_checks() -> None:
    _, names = load("InitiatorName=iqn.1993-08.org.debian:01:44623a171427\n")
    checked = names.iscsi_name
    assert checked is not None and checked.valid
    _, bad = load("InitiatorName=iqn.93-08.org.debian\n")
    assert bad.iscsi_name is not None and not bad.iscsi_name.valid
    _, none = load("GenerateName=yes\n")
    assert none.iscsi_name is None


def test_set_name_changes_only_the_value() -> None:
    doc, names = load(DEBIAN)
    names.set_name("iqn.1993-08.org.debian:01:fresh")
    assert doc.render() == DEBIAN.replace("01:44623a171427", "01:fresh")


def test_set_name_replaces_the_placeholder() -> None:
    doc, names = load("# generated on first start\nGenerateName=yes\r\n")
    names.set_name("iqn.1993-08.org.debian:01:abc")
    assert (
        doc.render()
        == "# generated on first start\nInitiatorName=iqn.1993-08.org.debian:01:abc\r\n"
    )


def test_set_alias_adds_a_line_and_unset_removes_it() -> None:
    doc, names = load("InitiatorName=iqn.2001-04.com.example:x")
    names.set_alias("db1")
    assert doc.render() == "InitiatorName=iqn.2001-04.com.example:x\nInitiatorAlias=db1\n"
    assert names.unset("InitiatorAlias") == 1
    assert doc.render() == "InitiatorName=iqn.2001-04.com.example:x\n"


def test_set_name_goes_before_a_line_that_iscsid_reads_it_from() -> None:
    text = "# x\nsee InitiatorName=iqn.2001-04.com.example:odd\n"
    doc, names = load(text)
    assert names.name == "iqn.2001-04.com.example:odd"  # a substring match, as iscsid does
    names.set_name("iqn.2001-04.com.example:good")
    assert doc.render() == "# x\nInitiatorName=iqn.2001-04.com.example:good\n" + text[4:]
    assert names.name == "iqn.2001-04.com.example:good"


def test_bad_values_are_refused() -> None:
    _, names = load(DEBIAN)
    with pytest.raises(ValueError, match="value"):
        names.set_name("two\nlines")


def test_bad_bytes_give_line_and_column() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("## x\nInitiatorName=\x00\n", "initiatorname")
    assert (caught.value.line, caught.value.column) == (2, 15)


def test_kind_is_detected() -> None:
    assert xsanconf.detect_kind("/etc/iscsi/initiatorname.iscsi") == "initiatorname"
    assert xsanconf.detect_kind("/tmp/x", "GenerateName=yes\n") == "initiatorname"


@given(initiatorname_documents())
def test_round_trip_is_exact(text: str) -> None:
    assert xsanconf.dumps(xsanconf.loads(text, "initiatorname")) == text


@given(initiatorname_documents())
def test_flat_tree_is_the_grammars_tree(text: str) -> None:
    def shape(node: object) -> list[tuple[str, str]]:
        return [(type(c).__name__, c.text) for c in node.children]  # type: ignore[attr-defined]

    assert shape(initiatorname.parse(text)) == shape(initiatorname.parse_with_grammar(text))


@given(initiatorname_documents())
def test_name_is_the_first_uncommented_name_line(text: str) -> None:
    _, names = load(text)
    expected = None
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("InitiatorName"):
            expected = stripped.split("=", 1)[1].strip()
            break
    assert names.name == expected


@given(initiatorname_documents())
def test_data_survives_rebuild(text: str) -> None:
    data = xsanconf.to_data(xsanconf.loads(text, "initiatorname"))
    rebuilt = xsanconf.to_data(xsanconf.from_data(data))
    assert [d["name"] for d in rebuilt["directives"]] == [d["name"] for d in data["directives"]]


NAME_FILES = [
    p
    for p in corpus_files("iscsid")
    if p.values[0] is None or corpus_kind(p.values[0]) == "initiatorname"  # type: ignore[attr-defined]
]


@pytest.mark.parametrize("file", NAME_FILES)
def test_corpus_models(file: Path) -> None:
    _, names = load(read(file))
    if names.placeholder:
        assert names.name is None
    elif names.other_lines:
        assert names.name is None  # the bare-IQN file: iscsid would find no name
    else:
        assert names.name is not None and names.name.startswith("iqn.")
        assert names.debian_check_passes
        assert names.iscsi_name is not None and names.iscsi_name.valid
