"""The lio codec: JSON as Python's json reads it, byte-for-byte round trips, the typed model,
target_luns() of the bundled LIO sites, edits through selectors, secrets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings

import xsanconf
from xsanconf.errors import ParseError
from xsanconf.formats.lio import LioConfig, build, directives, get_value, set_value, unset_value
from xsanconf.secrets import redact_document, secret_map
from xsanconf.testing.lio import lio_documents

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "fixtures" / "sites"
GOOD_SAN1 = SITES / "lio-pair" / "san1" / "etc" / "target" / "saveconfig.json"
GOOD_SAN2 = SITES / "lio-pair" / "san2" / "etc" / "rtslib-fb-target" / "saveconfig.json"
BAD_SAN1 = SITES / "lio-pair-bad" / "san1" / "etc" / "target" / "saveconfig.json"
BAD_SAN2 = SITES / "lio-pair-bad" / "san2" / "etc" / "target" / "saveconfig.json"


def load(text: str) -> LioConfig:
    return xsanconf.loads(text, "lio").model  # type: ignore[no-any-return]


def load_file(path: Path) -> LioConfig:
    return xsanconf.load(str(path)).model  # type: ignore[no-any-return]


# -- the codec ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(lio_documents())
def test_any_document_round_trips_and_reads_as_json_reads_it(text: str) -> None:
    doc = xsanconf.loads(text, "lio")
    assert xsanconf.dumps(doc) == text
    top = doc.model.root
    want = json.loads(text)
    if top is not None:
        # compared through json.dumps: NaN is not equal to itself
        assert json.dumps(top.plain(), sort_keys=True) == json.dumps(want, sort_keys=True)
    rebuilt = xsanconf.from_data(xsanconf.to_data(doc))
    assert json.dumps(json.loads(xsanconf.dumps(rebuilt))) == json.dumps(want)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("", (1, 1), "unexpected end of input"),
        ('{"a": 1,}', (1, 9), "unexpected '}'"),
        ('{"a" 1}', (1, 6), "expected ':'"),
        ("{'a': 1}", (1, 2), "double quotes"),
        ('{"a": tru}', (1, 7), "'tru' is not a JSON value"),
        ('{"a": "x\ty"}', (1, 9), "control character"),
        ('{"a": "\\x"}', (1, 8), "invalid escape"),
        ('{"a": "\\u12"}', (1, 8), "four hexadecimal digits"),
        ('{"a": "open}', (1, 7), "not closed"),
        ("\ufeff{}", (1, 1), "byte order mark"),
        ("{} {}", (1, 4), "unexpected '{'"),
        ('{"a": 01}', (1, 8), "unexpected a number"),
        ("// c\n{}", (1, 1), "no comments"),
        ('{"a": "\udc80"}', (1, 8), "not UTF-8"),
        ("[" * 101 + "]" * 101, (1, 101), "nested deeper than 100"),
    ],
)
def test_bad_json_is_a_parse_error_with_its_place(
    text: str, where: tuple[int, int], message: str
) -> None:
    with pytest.raises(ParseError) as caught:
        xsanconf.loads(text, "lio", path="saveconfig.json")
    error = caught.value
    assert (error.line, error.column) == where
    assert message in error.message
    if "nested" in message:
        return  # json reads 101 levels; xsanconf bounds nesting as every reader of it does
    with pytest.raises(ValueError):  # and targetctl refuses it too: read as UTF-8, then json
        json.loads(text.encode("utf-8", "surrogateescape").decode("utf-8"))


def test_what_python_json_also_takes_is_taken() -> None:
    config = load('{"a": NaN, "b": -Infinity, "c": 1.5e3, "d": "\\ud83d\\ude00", "e": -0}\n')
    assert config.root is not None
    plain = config.root.plain()
    assert math.isnan(plain["a"])  # type: ignore[arg-type]
    assert plain["b"] == -math.inf and plain["c"] == 1500.0 and plain["e"] == 0
    assert plain["d"] == "\U0001f600"  # a surrogate pair joins, as json joins it


def test_a_repeated_key_reads_the_last_as_json_does() -> None:
    text = '{"storage_objects": [{"name": "a", "plugin": "block", "name": "b"}]}'
    (so,) = load(text).storage_objects
    assert so.name == "b" == json.loads(text)["storage_objects"][0]["name"]


def test_data_keeps_types_and_builds_in_rtslib_layout() -> None:
    text = GOOD_SAN1.read_text()
    doc = xsanconf.loads(text, "lio")
    found = directives(doc)
    assert [d.name for d in found] == ["fabric_modules", "storage_objects", "targets"]
    assert found[1].args == ["[]"] and found[1].block is not None
    so = found[1].block[0]
    assert so.name == "{}" and so.args == []
    assert so.block is not None
    assert ("write_back", ["false"]) in [(d.name, d.args) for d in so.block]
    assert ("dev", ['"/dev/drbd0"']) in [(d.name, d.args) for d in so.block]
    # rtslib writes json.dumps(sort_keys=True, indent=2): the data builds back to that text
    assert build(found) == text


def test_a_top_value_that_is_no_object_has_data_too() -> None:
    doc = xsanconf.loads("[1, {}]\n", "lio")
    (top,) = directives(doc)
    assert (top.name, top.args) == ("[]", [])
    assert xsanconf.dumps(xsanconf.from_data(xsanconf.to_data(doc))) == "[\n  1,\n  {}\n]\n"
    assert doc.model.root is None and doc.model.target_luns() == []


def test_sniff_and_paths() -> None:
    assert xsanconf.detect_kind("/etc/target/saveconfig.json") == "lio"
    assert xsanconf.detect_kind("/etc/rtslib-fb-target/saveconfig.json") == "lio"
    # targetcli's backups are never restored: they are not read as the live configuration
    assert xsanconf.detect_kind("/etc/target/backup/saveconfig-20240101-10:00:00-json.gz") is None
    assert xsanconf.detect_kind("/etc/target/backup/saveconfig-20140101.json") is None
    assert xsanconf.detect_kind("x", GOOD_SAN1.read_text()) == "lio"
    assert xsanconf.detect_kind("x", '{"name": 1}') is None


# -- the model and its LUNs ----------------------------------------------------------------------


def test_the_model_reads_every_part() -> None:
    config = load_file(GOOD_SAN1)
    (so,) = config.storage_objects
    assert (so.plugin, so.name, so.dev, so.wwn) == (
        "block",
        "xensan",
        "/dev/drbd0",
        "6e2c0a4d-9f6b-4c2e-8d1a-3b5f7e9c1d20",
    )
    assert so.write_back is False and so.readonly is False
    assert so.attributes["emulate_write_cache"] == 0
    (target,) = config.targets
    assert (target.wwn, target.fabric) == ("iqn.2003-01.nl.example:xensan", "iscsi")
    (tpg,) = target.tpgs
    assert tpg.tag == 1 and tpg.enable is True
    assert tpg.attributes["authentication"] == 1 and tpg.attributes["generate_node_acls"] == 0
    assert tpg.parameters["AuthMethod"] == "CHAP,None"
    (portal,) = tpg.portals
    assert (portal.ip_address, portal.port) == ("10.0.1.1", 3260)
    (lun,) = tpg.luns
    assert (lun.index, lun.storage_object, lun.alias) == (
        0,
        "/backstores/block/xensan",
        "a1b2c3d4e5",
    )
    acl = tpg.node_acls[0]
    assert (acl.node_wwn, acl.chap_userid, acl.chap_password) == (
        "iqn.2009-02.nl.example:xen1",
        "xen1",
        "xen1-chap-secret",
    )
    assert [(m.index, m.tpg_lun, m.write_protect) for m in acl.mapped_luns] == [(0, 0, False)]
    auth = config.discovery_auth
    assert auth is not None
    assert (auth.enable, auth.userid, auth.password) == (True, "discovery", "discovery-secret")
    assert auth.mutual_userid is None


def test_the_good_pair_presents_one_wwid_written_through() -> None:
    (one,) = load_file(GOOD_SAN1).target_luns()
    (two,) = load_file(GOOD_SAN2).target_luns()
    for lun in (one, two):
        assert (lun.implementation, lun.target, lun.lun) == (
            "lio",
            "iqn.2003-01.nl.example:xensan",
            0,
        )
        assert (lun.backing, lun.backing_kind, lun.object_name) == (
            "/dev/drbd0",
            "block",
            "/backstores/block/xensan",
        )
        assert str(lun.identity.wwid) == "360014056e2c0a4d9f6b4c2e8d1a3b5f7"
        assert lun.identity.source == "explicit" and lun.identity.designator == "naa"
        assert lun.identity.product == "xensan"  # emulate_model_alias=1
        assert lun.cache == "write-through"
        assert lun.access.open is False and lun.access.chap_required is True
        assert lun.access.initiators == (
            "iqn.2009-02.nl.example:xen1",
            "iqn.2009-02.nl.example:xen2",
        )
        assert lun.access.read_only is False
    accounts = [(a.direction, a.user, a.scope, a.initiator) for a in one.chap]
    assert accounts == [
        ("incoming", "xen1", "target", "iqn.2009-02.nl.example:xen1"),
        ("incoming", "xen2", "target", "iqn.2009-02.nl.example:xen2"),
        ("incoming", "discovery", "discovery", None),
    ]
    assert one.chap[0].secret == "xen1-chap-secret"


def test_the_bad_pair_presents_two_wwids_one_cached_and_open() -> None:
    doc = xsanconf.load(str(BAD_SAN1))
    (one,) = doc.model.target_luns()
    (two,) = load_file(BAD_SAN2).target_luns()
    assert str(one.identity.wwid) == "360014050b6f3c527d1e4a8b9c3d2e4f6"
    assert str(two.identity.wwid) == "36001405f41d8e273a9c4b5d8e6f7a1b2"
    assert one.cache == "write-back" and one.cache_reason is not None
    assert "write_back" in one.cache_reason
    assert one.backing_kind == "fileio" and one.backing == "/dev/drbd0"
    assert one.access.open is True and one.access.read_only is False and one.chap == ()
    assert two.cache == "write-through" and two.access.open is False
    assert doc.position(one.anchor_for("cache")) == (16, 7)  # "write_back": true
    assert doc.position(one.anchor_for("access")) == (30, 13)  # "generate_node_acls": 1


def test_missing_attributes_take_the_kernel_defaults() -> None:
    text = json.dumps(
        {
            "storage_objects": [{"name": "r", "plugin": "ramdisk", "size": 1}],
            "targets": [
                {
                    "wwn": "iqn.x:t",
                    "fabric": "iscsi",
                    "tpgs": [
                        {
                            "tag": 1,
                            "attributes": {"generate_node_acls": 1},
                            "luns": [{"index": 3, "storage_object": "/backstores/ramdisk/r"}],
                        }
                    ],
                }
            ],
        }
    )
    (lun,) = load(text).target_luns()
    # authentication defaults to 1: generated ACLs, but CHAP; demo_mode_write_protect to 1
    assert lun.access.open is False and lun.access.chap_required is True
    assert lun.access.read_only is True
    assert lun.backing is None and lun.cache == "unknown"
    assert lun.identity.wwid is None and lun.identity.source == "default"


def test_a_lun_restore_skips_is_no_lun() -> None:
    text = json.dumps(
        {
            "storage_objects": [{"name": "a", "plugin": "block", "dev": "/dev/x", "wwn": "ab"}],
            "targets": [
                {
                    "wwn": "iqn.x:t",
                    "fabric": "iscsi",
                    "tpgs": [
                        {
                            "luns": [
                                {"index": 0, "storage_object": "/backstores/iblock/a"},
                                {"index": 1, "storage_object": "/backstores/block/b"},
                                {"storage_object": "/backstores/block/a"},
                                {"index": 2, "storage_object": "/backstores/block/a"},
                            ]
                        }
                    ],
                }
            ],
        }
    )
    assert [lun.lun for lun in load(text).target_luns()] == [2]


def test_a_block_object_advertising_a_cache_before_linux_3_9() -> None:
    text = json.dumps(
        {
            "storage_objects": [
                {"name": "a", "plugin": "block", "dev": "/dev/x", "wwn": "ab"}
                | {"attributes": {"emulate_write_cache": 1}}
            ],
            "targets": [
                {
                    "wwn": "t",
                    "fabric": "iscsi",
                    "tpgs": [{"luns": [{"index": 0, "storage_object": "/backstores/block/a"}]}],
                }
            ],
        }
    )
    (now,) = load(text).target_luns()
    (old,) = load(text).target_luns((3, 2, 0))
    assert now.cache == "write-through" and old.cache == "write-back"


# -- edits ---------------------------------------------------------------------------------------


def edited(text: str, selector: str, value: str | None) -> str:
    doc = xsanconf.loads(text, "lio")
    if value is None:
        unset_value(doc, selector)
    else:
        set_value(doc, selector, value)
    out = xsanconf.dumps(doc)
    json.loads(out)
    assert xsanconf.dumps(xsanconf.loads(out, "lio")) == out
    return out


def test_setting_a_value_splices_only_its_token() -> None:
    text = GOOD_SAN1.read_text()
    out = edited(text, "storage_objects[name=xensan].wwn", "11111111-2222")
    assert out == text.replace("6e2c0a4d-9f6b-4c2e-8d1a-3b5f7e9c1d20", "11111111-2222")
    out = edited(text, "storage_objects[name=xensan].write_back", "true")
    assert out == text.replace('"write_back": false', '"write_back": true')


def test_a_string_stays_a_string_unless_quoted_otherwise() -> None:
    text = '{"a": "x", "b": 1}\n'
    assert edited(text, "a", "true") == '{"a": "true", "b": 1}\n'
    assert edited(text, "b", "true") == '{"a": "x", "b": true}\n'
    assert edited(text, "b", '"7"') == '{"a": "x", "b": "7"}\n'
    assert edited(text, "b", "caf\u00e9") == '{"a": "x", "b": "caf\\u00e9"}\n'


def test_the_value_get_prints_changes_no_byte() -> None:
    text = '{\n  "a": "caf\\u00e9 \\/",\n  "b": 1.0e0,\n  "c": [1, 2]\n}\n'
    doc = xsanconf.loads(text, "lio")
    for selector in ("a", "b", "c"):
        (value,) = get_value(doc, selector)
        set_value(doc, selector, value)
    assert xsanconf.dumps(doc) == text


def test_a_new_key_goes_where_rtslib_sorts_it_with_its_neighbours_layout() -> None:
    text = GOOD_SAN1.read_text()
    selector = "targets[wwn=iqn.2003-01.nl.example:xensan].tpgs[tag=1].attributes.netif_timeout"
    before = '            "login_timeout": 15,\n'
    out = edited(text, selector, "2")
    assert before + '            "netif_timeout": 2,\n' in out
    assert len(out.splitlines()) == len(text.splitlines()) + 1


def test_a_missing_object_is_added_in_rtslib_layout() -> None:
    text = '{\n  "storage_objects": [],\n  "targets": []\n}\n'
    out = edited(text, "storage_objects[name=disk1,plugin=block].dev", "/dev/drbd1")
    assert out == (
        "{\n"
        '  "storage_objects": [\n'
        "    {\n"
        '      "dev": "/dev/drbd1",\n'
        '      "name": "disk1",\n'
        '      "plugin": "block"\n'
        "    }\n"
        "  ],\n"
        '  "targets": []\n'
        "}\n"
    )
    assert load(out).storage_object("block", "disk1") is not None


def test_unset_takes_a_member_or_an_item_with_one_comma() -> None:
    lines = ["{", '  "a": 1,', '  "b": [', '    {"k": 1},', '    {"k": 2}', "  ],", '  "c": 3', "}"]

    def crlf(*kept: str) -> str:
        return "".join(line + "\r\n" for line in kept)

    text = crlf(*lines)
    assert edited(text, "a", None) == crlf(*lines[:1], *lines[2:])
    assert edited(text, "c", None) == crlf(*lines[:5], "  ]", *lines[7:])
    assert edited(text, "b[k=2]", None) == crlf(*lines[:3], '    {"k": 1}', *lines[5:])
    assert edited(text, "b[0]", None) == crlf(*lines[:3], *lines[4:])
    assert edited('{"a": 1}', "a", None) == "{}"


def test_get_reads_what_json_reads() -> None:
    text = GOOD_SAN1.read_text()
    doc = xsanconf.loads(text, "lio")
    assert get_value(doc, "storage_objects[name=xensan].dev") == ["/dev/drbd0"]
    assert get_value(doc, "storage_objects[0].readonly") == ["false"]
    assert get_value(doc, "storage_objects[name=nope].dev") == []
    tpg = "targets[wwn=iqn.2003-01.nl.example:xensan].tpgs[tag=1]"
    acl = tpg + ".node_acls[node_wwn=iqn.2009-02.nl.example:xen2]"
    assert get_value(doc, acl + ".chap_password") == ["xen2-chap-secret"]
    assert get_value(doc, "fabric_modules[name=iscsi].discovery_userid") == ["discovery"]
    assert get_value(load('{"a": 1, "a": 2}').doc, "a") == ["2"]


def test_a_password_set_is_still_a_secret() -> None:
    doc = xsanconf.loads('{\n  "chap_userid": "u"\n}\n', "lio")
    set_value(doc, "chap_password", "n3w-s3cret")
    assert "n3w-s3cret" not in redact_document(doc)
    assert "n3w-s3cret" in xsanconf.dumps(doc)


# -- secrets -------------------------------------------------------------------------------------


def test_passwords_are_masked_everywhere() -> None:
    doc = xsanconf.load(str(GOOD_SAN1))
    masked = redact_document(doc)
    for secret in ("xen1-chap-secret", "xen2-chap-secret", "discovery-secret"):
        assert secret not in masked
        assert secret in secret_map(doc).values()
    assert '"chap_userid": "xen1"' in masked
    data = json.dumps(xsanconf.to_data(doc, redact_secrets=True))
    assert "secret" not in data.replace("discovery_password", "").replace("chap_password", "")


def test_a_file_that_does_not_parse_still_masks_its_passwords() -> None:
    doc = xsanconf.loads('{"chap_password": "hunter2", oops}', "lio", recover=True)
    assert not doc.parsed
    assert "hunter2" not in redact_document(doc)
