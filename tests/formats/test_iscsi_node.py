"""The iscsi-node codec: open-iscsi records, read as idbm reads them, kept byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given

import xsanconf
from xsanconf.domain.iscsi_db import RecordPath, record_path
from xsanconf.formats import detect_kind
from xsanconf.formats.iscsi_node import IscsiRecord, parse, parse_with_grammar
from xsanconf.secrets import redact_document
from xsanconf.syntax import Node
from xsanconf.testing.iscsi_node import (
    iscsi_node_documents,
    iscsi_node_documents_with_settings,
)

IQN = "iqn.2009-02.nl.example:storage.xensan"
NODE = f"etc/iscsi/nodes/{IQN}/10.0.0.1,3260,1/default"
RECORD = f"""\
# BEGIN RECORD 2.0-873
node.name = {IQN}
node.tpgt = 1
node.startup = automatic
iface.iscsi_ifacename = default
iface.transport_name = tcp
node.discovery_address = 10.0.0.1
node.discovery_port = 3260
node.session.timeo.replacement_timeout = 120
node.session.auth.authmethod = CHAP
node.session.auth.username = xen1
node.session.auth.password = chapsecret12
node.conn[0].address = 10.0.0.1
node.conn[0].port = 3260
node.conn[0].timeo.noop_out_interval = 5
iscsid.startup = /sbin/iscsid
discovery.sendtargets.auth.password = other
# END RECORD
"""


def record(text: str = RECORD, path: str | None = NODE) -> IscsiRecord:
    model: IscsiRecord = xsanconf.loads(text, "iscsi-node", path=path).model
    return model


def test_a_node_record_reads_as_idbm_reads_it() -> None:
    rec = record()
    assert rec.type == "node"
    assert rec.version == "2.0-873"
    assert rec.begin == (1, "2.0-873") and rec.end_line == 18
    assert rec.typed("node.startup") == "automatic"
    assert rec.typed("node.session.timeo.replacement_timeout") == 120
    assert rec.typed("node.conn[0].timeo.noop_out_interval") == 5
    # not in the record: the compiled-in default, never iscsid.conf's
    assert rec.typed("node.conn[0].timeo.noop_out_timeout") == 5
    assert rec.typed("node.session.cmds_max") == 128


def test_keys_of_another_record_type_are_not_read() -> None:
    """idbm reads a node record with the node keys only: iscsid.* (cfg_get_string_param reads
    iscsid.conf alone) and discovery.* are unknown there."""
    settings = record().settings()
    assert "iscsid.startup" not in settings
    assert "discovery.sendtargets.auth.password" not in settings
    assert record().setting("iscsid.startup") is None
    assert "iface.transport_name" in settings


def test_discovery_and_iface_records() -> None:
    st = record(
        "# BEGIN RECORD 2.1.8\ndiscovery.sendtargets.auth.username = d\nnode.startup = x\n"
        "# END RECORD\n",
        "var/lib/iscsi/send_targets/10.0.0.1,3260/st_config",
    )
    assert st.type == "discovery" and st.version == "2.1.8"
    assert set(st.settings()) == {"discovery.sendtargets.auth.username"}
    iface = record("iface.iscsi_ifacename = iface0\n", "etc/iscsi/ifaces/iface0")
    assert iface.type == "iface" and iface.version is None and iface.begin is None


def test_a_record_without_a_place_takes_its_type_from_its_keys() -> None:
    assert record(path=None).type == "node"
    assert record("discovery.startup = manual\n", None).type == "discovery"
    assert record("# nothing\n", None).type is None


def test_lines_idbm_drops_are_dropped_in_a_record_too() -> None:
    text = (
        "# BEGIN RECORD 2.0-873\nnode.startup=automatic\n"
        "node.session.timeo.replacement_timeout = 15 # fast\n# END RECORD\n"
    )
    rec = record(text)
    assert rec.setting("node.startup") is None  # no blank before '='
    assert rec.typed("node.startup") == "manual"
    assert rec.typed("node.session.timeo.replacement_timeout") == 15  # strtoul stops at ' '
    assert rec.entry("node.session.timeo.replacement_timeout").inline_comment == "# fast"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (NODE, RecordPath("node", IQN, "10.0.0.1", 3260, 1, "default")),
        (
            f"var/lib/iscsi/nodes/{IQN}/fe80::1,3260,2/iface0",
            RecordPath("node", IQN, "fe80::1", 3260, 2, "iface0"),
        ),
        # the flat layout of older releases: the portal is the record
        (
            f"var/lib/iscsi/nodes/{IQN}/10.0.0.1,3260",
            RecordPath("node", IQN, "10.0.0.1", 3260, None, "default"),
        ),
        # a flat file with a tpgt is opened as a directory of interfaces: never read
        (
            f"etc/iscsi/nodes/{IQN}/10.0.0.1,3260,1",
            RecordPath("node", IQN, "10.0.0.1", 3260, 1, "default", read=False),
        ),
        (f"etc/iscsi/nodes/{IQN}/no-comma/default", None),
        (f"etc/iscsi/nodes/{IQN}/10.0.0.1,3260/default", None),
        (
            "var/lib/open-iscsi/send_targets/10.0.0.1,3260",
            RecordPath("discovery", address="10.0.0.1", port=3260),
        ),
        (
            "etc/iscsi/isns/10.0.0.9,3205/isns_config",
            RecordPath("discovery", address="10.0.0.9", port=3205),
        ),
        (f"etc/iscsi/send_targets/10.0.0.1,3260/{IQN},10.0.0.1,3260,1,default", None),
        ("etc/iscsi/ifaces/iface0", RecordPath("iface", iface="iface0")),
        ("etc/iscsi/iscsid.conf", None),
        ("etc/nodes/x/10.0.0.1,3260", None),
    ],
)
def test_record_paths(path: str, expected: RecordPath | None) -> None:
    assert record_path(tuple(path.split("/"))) == expected
    assert (detect_kind(path) == "iscsi-node") == (expected is not None)


def test_portals_read_like_atoi() -> None:
    place = record_path(tuple(f"etc/iscsi/nodes/{IQN}/10.0.0.1,32x60,-1/default".split("/")))
    assert place is not None and (place.port, place.tpgt) == (32, -1)
    assert RecordPath("node", IQN, "fe80::1", 3260).portal == "[fe80::1]:3260"


def test_records_are_sniffed_by_their_marker() -> None:
    assert detect_kind("default", "# BEGIN RECORD 2.0-873\nnode.startup = manual\n") == (
        "iscsi-node"
    )


def test_passwords_are_redacted() -> None:
    doc = xsanconf.loads(RECORD, "iscsi-node", path=NODE)
    masked = redact_document(doc)
    assert "chapsecret12" not in masked and "other" not in masked.split("password")[-1]
    assert "chapsecret12" not in repr(doc.model.settings())
    redacted = [doc.codec.redact(d) for d in doc.codec.directives(doc)]
    assert "chapsecret12" not in str(redacted)


def test_get_set_unset_keep_the_markers() -> None:
    doc = xsanconf.loads(RECORD, "iscsi-node", path=NODE)
    codec = doc.codec
    assert codec.get_value(doc, "node.session.timeo.replacement_timeout") == ["120"]
    codec.set_value(doc, "node.session.timeo.replacement_timeout", "15")
    codec.set_value(doc, "node.session.iscsi.FastAbort", "No")
    text = xsanconf.dumps(doc)
    assert "node.session.timeo.replacement_timeout = 15\n" in text
    # a new key goes beside its kin, inside the markers
    assert text.index("node.session.iscsi.FastAbort = No") < text.index("# END RECORD")
    assert codec.unset_value(doc, "node.session.iscsi.FastAbort") == 1
    assert xsanconf.dumps(doc) == RECORD.replace("= 120", "= 15")


@given(iscsi_node_documents())
def test_round_trip_is_exact(text: str) -> None:
    assert xsanconf.dumps(xsanconf.loads(text, "iscsi-node")) == text


@given(iscsi_node_documents())
def test_flat_tree_is_the_grammars_tree(text: str) -> None:
    def shape(node: Node) -> list[tuple[str, str]]:
        return [(type(c).__name__, c.text) for c in node.children]  # type: ignore[union-attr]

    assert shape(parse(text)) == shape(parse_with_grammar(text))


@given(iscsi_node_documents_with_settings())
def test_model_reads_what_idbm_reads(sample: tuple[str, list[tuple[str, str]], str | None]) -> None:
    text, read, version = sample
    rec = record(text, None)
    assert rec.version == version
    expected: dict[str, str] = {}
    for key, value in read:
        if not key.startswith("iscsid."):
            expected[key] = value
    kind = rec.type
    if kind is not None:
        prefixes = {"node": ("node.", "iface."), "discovery": ("discovery.",), "iface": ("iface.",)}
        expected = {k: v for k, v in expected.items() if k.startswith(prefixes[kind])}
    assert {k: s.value for k, s in rec.settings().items()} == expected
