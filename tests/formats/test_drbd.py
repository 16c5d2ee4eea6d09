"""The drbd codec: reading, typed values, edits that touch only their lines, bad input."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given

import xsanconf
from xsanconf.formats.drbd import DrbdConfig
from xsanconf.formats.drbd.values import Address, DeviceSpec, MetaDisk
from xsanconf.testing.drbd import drbd_documents

SAN = """\
# /etc/drbd.conf on the SAN heads
global {
  usage-count yes;
}
common {
  protocol C;
}
resource xensan {
  net {
    after-sb-0pri discard-zero-changes;  # keep the one that wrote
    after-sb-2pri disconnect;
  }
  startup {
    become-primary-on both;
  }
  syncer {
    rate 300M;
  }
  on xensan1 {
    device    /dev/drbd0;
    disk      /dev/vg00/san1;
    address   10.0.0.1:7788;
    meta-disk internal;
  }
  on xensan2 {
    device    /dev/drbd0;
    disk      /dev/vg00/san2;
    address   10.0.0.2:7788;
    meta-disk /dev/vg00/meta [0];
  }
}
"""


def model(text: str) -> DrbdConfig:
    return xsanconf.loads(text, "drbd").model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_reads_resources_hosts_and_typed_values() -> None:
    config = model(SAN)
    assert config.global_section is not None
    assert config.global_section.value("usage-count") == "yes"
    assert config.common is not None and config.common.value("protocol") == "C"
    (resource,) = config.resources
    assert resource.name == "xensan"
    assert resource.host_names == ["xensan1", "xensan2"]
    host = resource.host("xensan2")
    assert host is not None
    assert host.device == DeviceSpec("/dev/drbd0", None)
    assert host.device.effective_minor == 0
    assert host.address == Address("ipv4", "10.0.0.2", 7788)
    assert host.meta_disk == MetaDisk("/dev/vg00/meta", 0)
    assert resource.section("startup").value("become-primary-on") == "both"  # type: ignore[union-attr]
    syncer = resource.section("syncer")
    assert syncer is not None and syncer.statement("rate").typed == 300 << 20  # type: ignore[union-attr]


def test_positions_point_at_tokens() -> None:
    config = model(SAN)
    host = config.resources[0].host("xensan1")
    assert host is not None
    assert host.position == (19, 3)
    assert host.statement("disk").position == (21, 5)  # type: ignore[union-attr]


def test_quoted_words_and_escapes() -> None:
    config = model('resource "r 1" {\n  handlers { split-brain "notify.sh \\"root\\"; x"; }\n}\n')
    resource = config.resources[0]
    assert resource.name == "r 1"
    assert resource.section("handlers").value("split-brain") == 'notify.sh "root"; x'  # type: ignore[union-attr]


def test_drbd9_connections_and_volumes() -> None:
    config = model(
        "resource r {\n volume 0 { device minor 1; disk /dev/a; meta-disk internal; }\n"
        " on alice { node-id 0; address ipv6 [fe80::1%eth0]:7000; }\n"
        " on bob { node-id 1; address 10.1.1.2:7000; }\n"
        " connection { host alice port 7000; host bob port 7000; }\n"
        " connection-mesh { hosts alice bob; }\n}\n"
    )
    resource = config.resources[0]
    alice = resource.host("alice")
    assert alice is not None and alice.node_id == 0
    assert alice.address == Address("ipv6", "fe80::1%eth0", 7000)
    assert [c.hosts for c in resource.connections] == [["alice", "bob"], ["alice", "bob"]]
    (volume,) = resource.effective_volumes(alice)
    assert (volume.number, volume.device, volume.disk) == (0, DeviceSpec(None, 1), "/dev/a")


def test_effective_volumes_inherit_from_resource_level() -> None:
    config = model(
        "resource r {\n disk /dev/sdb1;\n meta-disk internal;\n"
        " on a { device /dev/drbd3; address 1.1.1.1:1; }\n"
        " on b { device /dev/drbd3; disk /dev/sdc1; address 1.1.1.2:1; }\n}\n"
    )
    resource = config.resources[0]
    a = resource.effective_volumes(resource.host("a"))[0]  # type: ignore[arg-type]
    b = resource.effective_volumes(resource.host("b"))[0]  # type: ignore[arg-type]
    assert (a.disk, a.device.effective_path) == ("/dev/sdb1", "/dev/drbd3")  # type: ignore[union-attr]
    assert b.disk == "/dev/sdc1"


def test_skip_blocks_are_kept_and_not_read() -> None:
    text = 'skip {\n resource old { on x { "}" ; } # }\n }\n}\nresource r { }\n'
    doc = xsanconf.loads(text, "drbd")
    assert xsanconf.dumps(doc) == text
    assert [r.name for r in doc.model.resources] == ["r"]
    assert len(doc.model.skips()) == 1


def test_include_statements() -> None:
    config = model('include "drbd.d/*.res";\ninclude /etc/drbd.d/global_common.conf;\n')
    assert [s.value for s in config.includes] == ["drbd.d/*.res", "/etc/drbd.d/global_common.conf"]


def test_set_value_changes_only_that_token() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    net = doc.model.resources[0].section("net")
    net.set("after-sb-0pri", "discard-least-changes")
    after = doc.render()
    assert changed_lines(SAN, after) == [
        "-    after-sb-0pri discard-zero-changes;  # keep the one that wrote\n",
        "+    after-sb-0pri discard-least-changes;  # keep the one that wrote\n",
    ]


def test_set_keeps_column_alignment_of_the_keyword() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    doc.model.resources[0].host("xensan1").set("disk", "/dev/vg01/new")
    assert "    disk      /dev/vg01/new;\n" in doc.render()


def test_add_option_uses_sibling_indentation() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    doc.model.resources[0].section("net").set("allow-two-primaries", "yes")
    assert changed_lines(SAN, doc.render()) == ["+    allow-two-primaries yes;\n"]
    assert doc.model.resources[0].section("net").value("allow-two-primaries") == "yes"


def test_add_option_to_one_line_section_opens_it() -> None:
    text = "resource r {\n\tnet { }\n}\n"
    doc = xsanconf.loads(text, "drbd")
    doc.model.resources[0].section("net").set("protocol", "C")
    assert doc.render() == "resource r {\n\tnet {\n\t\tprotocol C;\n\t}\n}\n"
    xsanconf.loads(doc.render(), "drbd")


def test_remove_option_removes_its_line() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    assert doc.model.resources[0].section("net").unset("after-sb-0pri") == 1
    assert changed_lines(SAN, doc.render()) == [
        "-    after-sb-0pri discard-zero-changes;  # keep the one that wrote\n"
    ]


def test_remove_section_removes_its_lines() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    doc.model.resources[0].section("syncer").remove()
    assert changed_lines(SAN, doc.render()) == ["-  syncer {\n", "-    rate 300M;\n", "-  }\n"]


def test_add_resource_in_file_style() -> None:
    doc = xsanconf.loads(SAN, "drbd")
    added = doc.model.add_resource("r1")
    added.set("protocol", "C")
    host = added.add_section("on", "xensan1")
    host.set("device", "/dev/drbd1")
    assert changed_lines(SAN, doc.render()) == [
        "+resource r1 {\n",
        "+  protocol C;\n",
        "+  on xensan1 {\n",
        "+    device /dev/drbd1;\n",
        "+  }\n",
        "+}\n",
    ]
    reread = model(doc.render())
    assert [r.name for r in reread.resources] == ["xensan", "r1"]


def test_edits_keep_crlf_and_missing_final_newline() -> None:
    text = "resource r {\r\n  net {\r\n    protocol A;\r\n  }\r\n}"
    doc = xsanconf.loads(text, "drbd")
    doc.model.resources[0].section("net").set("max-buffers", "8000")
    assert (
        doc.render()
        == "resource r {\r\n  net {\r\n    protocol A;\r\n    max-buffers 8000;\r\n  }\r\n}"
    )


def test_set_value_that_needs_quotes() -> None:
    doc = xsanconf.loads("common { handlers { } }\n", "drbd")
    handlers = doc.model.common.section("handlers")
    assert handlers is not None
    handlers.set("split-brain", "/usr/lib/drbd/notify.sh root")
    assert 'split-brain "/usr/lib/drbd/notify.sh root";' in doc.render()
    common = model(doc.render()).common
    assert common is not None
    read_back = common.section("handlers")
    assert read_back is not None
    assert read_back.value("split-brain") == "/usr/lib/drbd/notify.sh root"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("include drbd.d/*.res;\n", 1, 16, "unexpected character '*'"),
        ("resource r {\n  net { protocol C; };\n}\n", 2, 22, "unexpected ';'"),
        ("resource r {\n  protocol C\n}\n", 3, 1, "expected ';' before '}'"),
        ("resource r {\n  on a {\n", 3, 1, "'on' section opened at line 2, column 3"),
        ("resource r { }\n}\n", 2, 1, "unexpected '}'"),
        ('global { x "abc\n ; }\n', 1, 12, "unterminated quoted string"),
        ("global {\n  usage-count no;\n  dialog-refresh 5", 3, 19, "unexpected end of input"),
        ("\x00\x01\x02binary", 1, 1, "binary data"),
        ("resource r {\n\tprotocol C;\n\tfoo=bar;\n}\n", 3, 5, "unexpected character '='"),
    ],
)
def test_bad_input_gives_line_and_column(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(text, "drbd", path="etc/drbd.conf")
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert message in error.message
    assert str(error).startswith(f"etc/drbd.conf:{line}:{column}: ")


def test_empty_and_comment_only_files_parse() -> None:
    for text in ("", "\n", "# nothing here", "  \t\r\n# x\n\n"):
        doc = xsanconf.loads(text, "drbd")
        assert doc.render() == text
        assert doc.model.resources == []


def test_nesting_is_bounded() -> None:
    text = "a {" * 500
    with pytest.raises(xsanconf.ParseError, match="nested deeper"):
        xsanconf.loads(text, "drbd")


def test_recover_keeps_text_and_reports() -> None:
    text = "resource r {\n  x = 1;\n}\n"
    doc = xsanconf.loads(text, "drbd", recover=True)
    assert doc.render() == text
    assert not doc.parsed and doc.problems[0].line == 2


@given(drbd_documents())
def test_round_trip_is_exact(text: str) -> None:
    assert xsanconf.dumps(xsanconf.loads(text, "drbd")) == text


@given(drbd_documents())
def test_data_survives_rebuild(text: str) -> None:
    def strip_lines(items: list[dict[str, object]]) -> list[dict[str, object]]:
        out = []
        for item in items:
            kept = {k: v for k, v in item.items() if k != "line"}
            if isinstance(kept.get("block"), list):
                kept["block"] = strip_lines(kept["block"])  # type: ignore[arg-type]
            out.append(kept)
        return out

    data = xsanconf.to_data(xsanconf.loads(text, "drbd"))
    rebuilt = xsanconf.to_data(xsanconf.from_data(data))
    assert strip_lines(rebuilt["directives"]) == strip_lines(data["directives"])


def test_add_option_to_one_line_section_with_content() -> None:
    doc = xsanconf.loads("resource r {\n\tdisk { a; }\n}\n", "drbd")
    doc.model.resources[0].section("disk").set("b", "1")
    assert doc.render() == "resource r {\n\tdisk { a;\n\t\tb 1;\n\t}\n}\n"
