"""The scst codec: scstadmin's reading of comments, escapes and braces, the model, target_luns().

Expected readings come from scstadmin's ``readConfigFile``/``parseStanza``/``parseLine`` and
``checkConfiguration`` (SCST-project/scst ``scstadmin/scstadmin.sysfs/scstadmin``) and the
``scst.conf(5)`` man page of the same tree; identities from ``scst/src/dev_handlers/scst_vdisk.c``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import xsanconf
from xsanconf.formats.scst.lexer import comment_start, tokenize
from xsanconf.formats.scst.model import ScstConfig, elements, quote_value
from xsanconf.testing.scst import scst_documents

REPO = Path(__file__).resolve().parent.parent.parent
SITES = REPO / "fixtures" / "sites"

# scstadmin/examples/scst.conf.sysfs, abridged (SCST-project/scst)
EXAMPLE = """\
# SCST configuration syntax example.

setup_id 0x1234

HANDLER dev_disk {
\tDEVICE 1:0:0:0
}

HANDLER vdisk_fileio {
\tDEVICE disk1 {
\t\tfilename /disk1
\t\tnv_cache 1
\t}
}

HANDLER vdisk_blockio {
\tDEVICE blockio1 {
\t\tfilename /dev/sda5
\t}
}

TARGET_DRIVER iscsi {
\tIncomingUser "joe 12charsecret"
\tenabled 1

\tTARGET iqn.2006-10.net.vlnb:tgt {
\t\tIncomingUser "joe 12charsecret"
\t\tHeaderDigest CRC32C,None
\t\tenabled 1

\t\tLUN 0 disk1
\t\tLUN 2 blockio1 {
\t\t\tread_only 1
\t\t}
\t}
}

TARGET_DRIVER qla2x00t {
\tTARGET 25:00:00:f0:98:87:92:f3 {
\t\tenabled 1

\t\tGROUP INI1 {
\t\t\tLUN 0 blockio1
\t\t\tLUN 1 1:0:0:0

\t\t\tINITIATOR 25:00:00:f0:99:87:94:a3
\t\t\tINITIATOR 25:00:00:f0:99:87:94:a4
\t\t}
\t}
}

DEVICE_GROUP dgroup1 {
\tDEVICE disk1

\tTARGET_GROUP tgroup1 {
\t\tgroup_id 1
\t\tstate active

\t\tTARGET fe80:0000:0000:0000:0002:c903:0005:f34b {
\t\t\trel_tgt_id 1
\t\t}
\t}
}
"""


def _model(text: str) -> ScstConfig:
    config: ScstConfig = xsanconf.loads(text, "scst").model
    return config


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.type, t.value) for t in tokenize(text).tokens]


def test_the_example_round_trips_and_reads_as_scstadmin_reads_it() -> None:
    doc = xsanconf.loads(EXAMPLE, "scst")
    assert xsanconf.dumps(doc) == EXAMPLE
    config = doc.model
    assert config.setup_id == 0x1234
    assert [h.name for h in config.handlers] == ["dev_disk", "vdisk_fileio", "vdisk_blockio"]
    assert [d.name for d in config.devices] == ["1:0:0:0", "blockio1", "disk1"]
    iscsi = config.target_driver("iscsi")
    assert iscsi is not None and iscsi.enabled
    target = iscsi.target("iqn.2006-10.net.vlnb:tgt")
    assert target is not None and target.enabled
    assert [(lun.number, lun.device, lun.read_only) for lun in target.luns] == [
        (0, "disk1", None),
        (2, "blockio1", True),
    ]
    assert [(a.direction, a.user, a.secret) for a in target.accounts] == [
        ("incoming", "joe", "12charsecret")
    ]
    fc = config.target_driver("qla2x00t")
    assert fc is not None
    group = fc.targets[0].group("INI1")
    assert group is not None
    assert group.initiators == ["25:00:00:f0:99:87:94:a3", "25:00:00:f0:99:87:94:a4"]
    assert [(lun.number, lun.device) for lun in group.luns] == [(0, "blockio1"), (1, "1:0:0:0")]
    (dgroup,) = config.device_groups
    assert dgroup.devices == ["disk1"]
    assert [(t.name, t.value("state")) for t in dgroup.target_groups] == [("tgroup1", "active")]


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("# a comment", 0),
        ("enabled 1 # on", 9),  # the blank before '#' goes with it
        (
            "enabled 1#on",
            8,
        ),  # and so does the '1' (scst.conf(5): "the character immediately before")
        ("name a\\#b", None),  # an escaped '#' is no comment
        ("name a\\\\#b", None),  # nor one after an escaped backslash: scstadmin tests one character
        ("\t# indented", 0),
    ],
)
def test_comments_start_where_scstadmin_cuts_them(line: str, start: int | None) -> None:
    assert comment_start(line) == start


def test_a_block_on_one_line_loses_its_last_statement() -> None:
    """parseStanza returns at '}' without parsing the text pending before it."""
    text = "HANDLER vdisk_blockio {\n\tDEVICE d { filename /dev/drbd0 }\n}\n"
    assert _kinds(text)[2:6] == [
        ("HEAD", "DEVICE d"),
        ("LBRACE", "{"),
        ("LOST", "filename /dev/drbd0"),
        ("RBRACE", "}"),
    ]
    device = _model(text).device("d")
    assert device is not None and device.filename is None


def test_a_brace_on_its_own_line_opens_a_block_scstadmin_throws_away() -> None:
    text = "HANDLER vdisk_blockio {\n\tDEVICE d\n\t{\n\t\tfilename /dev/drbd0\n\t}\n}\n"
    device = _model(text).device("d")
    assert device is not None and device.filename is None  # DEVICE d is a device without attributes


def test_escapes_and_braces_in_quotes() -> None:
    # an escaped brace is a brace to parseStanza (escapes go first), and so is one in quotes
    assert _kinds("a \\{\nb\n}\n") == [
        ("HEAD", "a"),
        ("LBRACE", "\\{"),
        ("STMT", "b"),
        ("RBRACE", "}"),
    ]
    assert [e[0] for e in elements('IncomingUser "joe s3cret" extra')] == [
        "IncomingUser",
        "joe s3cret",
        "extra",
    ]
    assert [e[0] for e in elements("name a\\#b\\ c")] == ["name", "a#b", "c"]


def test_the_last_line_without_a_newline_is_dropped() -> None:
    """At the end of the buffer parseStanza returns with the pending line unparsed."""
    assert _kinds("enabled 1\nsetup_id 5") == [("STMT", "enabled 1"), ("LOST", "setup_id 5")]
    assert _model("enabled 1\nsetup_id 5").setup_id is None


def test_a_stray_closing_brace_is_a_parse_error_at_it() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("HANDLER h {\n}\n}\nsetup_id 1\n", "scst", path="scst.conf")
    assert (caught.value.line, caught.value.column) == (3, 1)
    assert "stops reading" in caught.value.message


def test_nesting_is_bounded() -> None:
    with pytest.raises(xsanconf.ParseError, match="nested deeper than 100"):
        xsanconf.loads("a {\n" * 101, "scst")
    doc = xsanconf.loads("a {\n" * 100, "scst")  # closed by the end of the file, as scstadmin does
    assert xsanconf.dumps(doc) == "a {\n" * 100


def test_later_blocks_replace_earlier_ones_whole() -> None:
    """$h{TARGET}{x} = {block}: a second TARGET x drops the first one's LUNs."""
    text = (
        "TARGET_DRIVER iscsi {\n\tTARGET x {\n\t\tLUN 0 a\n\t}\n\tTARGET x {\n\t\tLUN 1 b\n\t}\n}\n"
    )
    (target,) = _model(text).targets
    assert [(lun.number, lun.device) for lun in target.luns] == [(1, "b")]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "plain"),
        ("two words", '"two words"'),
        ("a#b", "a\\#b"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_values_are_written_as_escapemeta_writes_them(value: str, written: str) -> None:
    assert quote_value(value) == written
    assert [e[0] for e in elements(written)] == [value]


@pytest.mark.parametrize("value", ["a\nb", "a{b", 'with "quotes" and blanks', ""])
def test_values_scstadmin_cannot_read_back_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        quote_value(value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=scst_documents())
def test_documents_round_trip_byte_for_byte(text: str) -> None:
    doc = xsanconf.loads(text, "scst")
    assert xsanconf.dumps(doc) == text
    doc.model.target_luns()  # the model reads any text that parses


def test_secrets_are_found_and_redacted() -> None:
    from xsanconf.secrets import redact_document

    doc = xsanconf.loads(EXAMPLE, "scst")
    masked = redact_document(doc)
    assert "12charsecret" not in masked
    assert 'IncomingUser "joe ********"' in masked
    data = xsanconf.to_data(doc, redact_secrets=True)
    iscsi = next(d for d in data["directives"] if d["args"] == ["iscsi"])
    assert iscsi["block"][0] == {"name": "IncomingUser", "args": ["joe ********"], "line": 23}
    with pytest.raises(xsanconf.data.RedactedSecretError):
        xsanconf.from_data(data)


def test_data_builds_back() -> None:
    doc = xsanconf.loads(EXAMPLE, "scst")
    rebuilt = xsanconf.from_data(xsanconf.to_data(doc))
    assert [_without_lines(d) for d in xsanconf.to_data(rebuilt)["directives"]] == [
        _without_lines(d) for d in xsanconf.to_data(doc)["directives"]
    ]


def _without_lines(data: dict[str, object]) -> dict[str, object]:
    out = {k: v for k, v in data.items() if k != "line"}
    if isinstance(out.get("block"), list):
        out["block"] = [_without_lines(b) for b in out["block"]]  # type: ignore[union-attr]
    return out


def test_detected_by_name_and_content() -> None:
    assert xsanconf.detect_kind("/etc/scst.conf") == "scst"
    assert xsanconf.detect_kind("/etc/modprobe.d/scst.conf") == "modprobe"
    assert xsanconf.detect_kind("/tmp/x", EXAMPLE) == "scst"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[HANDLER vdisk]\nDEVICE d,/dev/drbd0\n", 1),  # the pre-2.0 format
        ("setup_id 1\n[ASSIGNMENT Default_iqn.x]\n", 2),
        ("[HANDLER vdisk extra]\n", None),  # $1 is "HANDLER vdisk": greedy to the last blank
        ("# [HANDLER vdisk]\n", None),
        ("INITIATOR [GROUP x]\n", 1),
    ],
)
def test_the_pre_2_0_format_is_recognised_as_scstadmin_does(text: str, line: int | None) -> None:
    config = _model(text)
    assert config.legacy_line == line
    if line is not None:
        assert config.target_luns() == []


def test_the_legacy_test_is_linear() -> None:
    text = "[" + " [" * 200_000 + "\n"
    assert _model(text).legacy_line is None
