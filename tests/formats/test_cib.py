"""The CIB reader: lossless, refuses DTDs and entities, and its typed read-only model."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

import xsanconf
from xsanconf.cli.main import app
from xsanconf.formats.cib.luns import agent_serial_default, lio_wwid, tgt_wwid
from xsanconf.formats.cib.model import Cib
from xsanconf.formats.cib.xml import MAX_DEPTH
from xsanconf.secrets import redact_document
from xsanconf.testing.cib import cib_documents

DATA = Path(__file__).parent / "data" / "cib"
PAIR = DATA / "drbd-iet-pair.xml"
runner = CliRunner()


def cib(text: str) -> Cib:
    model: Cib = xsanconf.loads(text, "cib").model
    return model


def wrap(resources: str = "", constraints: str = "", extra: str = "") -> str:
    return (
        '<cib epoch="1">\n<configuration>\n<crm_config/>\n<nodes/>\n'
        f"<resources>\n{resources}\n</resources>\n<constraints>\n{constraints}\n</constraints>\n"
        f"{extra}</configuration>\n</cib>\n"
    )


def test_the_fixture_renders_back_and_reads_as_a_cib() -> None:
    text = PAIR.read_text()
    doc = xsanconf.load(PAIR)
    assert doc.kind == "cib"
    assert xsanconf.dumps(doc) == text
    model = doc.model
    assert [n.uname for n in model.nodes] == ["san1", "san2"]
    assert model.stonith_enabled is True
    assert model.cluster_property("no-quorum-policy") == "ignore"
    drbd = model.primitives["p_drbd_xensan"]
    assert (drbd.agent, drbd.parent) == ("ocf:linbit:drbd", "ms_drbd_xensan")
    assert drbd.params.get("drbd_resource") == "xensan"
    clone = model.clones["ms_drbd_xensan"]
    assert (clone.promotable, clone.promoted_max, clone.legacy_master) == (True, 1, False)
    assert model.meta("p_drbd_xensan", "notify") == "true"
    assert model.groups["g_iscsi"].members == ("p_ip", "p_target", "p_lu_xensan")
    assert model.ancestors("p_lu_xensan") == ["p_lu_xensan", "g_iscsi"]
    assert [p.id for p in model.stonith_devices()] == ["fence_san1", "fence_san2"]
    order = model.orders[0]
    assert order.enforced
    assert [(s.resources, s.action) for s in order.sets] == [
        (("ms_drbd_xensan",), "promote"),
        (("g_iscsi",), "start"),
    ]
    colocation = model.colocations[0]
    assert colocation.together
    assert [(s.resources, s.role) for s in colocation.sets] == [
        (("g_iscsi",), None),
        (("ms_drbd_xensan",), "Promoted"),
    ]
    assert [(loc.resource, loc.node, loc.score) for loc in model.locations] == [
        ("fence_san1", "san1", -1_000_000),
        ("fence_san2", "san2", -1_000_000),
    ]
    assert [(f.target, f.index, f.devices) for f in model.fencing_levels] == [
        ("san1", 1, ("fence_san1",)),
        ("san2", 1, ("fence_san2",)),
    ]
    assert model.rsc_defaults.get("resource-stickiness") == "100"


def test_a_position_in_the_model_is_the_line_of_the_element() -> None:
    doc = xsanconf.load(PAIR)
    lu = doc.model.primitives["p_lu_xensan"]
    line = (
        PAIR.read_text()
        .splitlines()
        .index(
            '        <primitive id="p_lu_xensan" class="ocf" provider="heartbeat" '
            'type="iSCSILogicalUnit">'
        )
    )
    assert doc.position(lu.element) == (line + 1, 9)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<cib><configuration><crm_config>&lol9;</crm_config></configuration></cib>
"""


def test_billion_laughs_is_refused_at_its_doctype() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(BILLION_LAUGHS, "cib")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "DOCTYPE" in caught.value.message


def test_an_external_entity_is_refused_and_nothing_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    text = (
        f'<?xml version="1.0"?>\n<!DOCTYPE cib [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<cib><configuration>&x;</configuration></cib>\n"
    )
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(text, "cib")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "SECRET-CONTENT" not in str(caught.value)
    external_dtd = (
        '<?xml version="1.0"?>\n<!DOCTYPE cib SYSTEM "http://example.invalid/x.dtd">\n<cib/>\n'
    )
    with pytest.raises(xsanconf.ParseError, match="DOCTYPE"):
        xsanconf.loads(external_dtd, "cib")


def test_an_undeclared_entity_is_an_error_at_it() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("<cib>\n  <nodes>&x;</nodes>\n</cib>\n", "cib")
    assert (caught.value.line, caught.value.column) == (2, 10)
    assert "undefined entity" in caught.value.message


def test_predefined_and_character_references_are_read() -> None:
    model = cib(
        wrap(
            '<primitive id="p" class="ocf" provider="heartbeat" type="X">'
            '<instance_attributes id="i"><nvpair id="n" name="a" value="&lt;&amp;&#233;"/>'
            "</instance_attributes></primitive>"
        )
    )
    assert model.primitives["p"].params.get("a") == "<&\u00e9"


def test_nesting_is_bounded() -> None:
    deep = "<cib>" + "<a>" * MAX_DEPTH + "</a>" * MAX_DEPTH + "</cib>"
    with pytest.raises(xsanconf.ParseError, match="nested deeper"):
        xsanconf.loads(deep, "cib")
    fine = "<cib>" + "<a>" * (MAX_DEPTH - 1) + "</a>" * (MAX_DEPTH - 1) + "</cib>"
    assert xsanconf.dumps(xsanconf.loads(fine, "cib")) == fine


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("<cib>\n <nodes>\n</cib>\n", (3, 3)),  # mismatched tag
        ("<cib>\n <x a='1' a='2'/>\n</cib>\n", (2, 11)),  # duplicate attribute
        ("<cib>\u00e9\u00e9\n <x></y>\n</cib>\n", (2, 7)),  # positions count characters
        ("", (1, 1)),
    ],
)
def test_bad_xml_is_a_parse_error_with_line_and_column(text: str, where: tuple[int, int]) -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(text, "cib")
    assert (caught.value.line, caught.value.column) == where
    recovered = xsanconf.loads(text, "cib", recover=True)
    assert xsanconf.dumps(recovered) == text
    assert recovered.model.primitives == {}


def test_pacemaker_1_master_and_rsc_defaults() -> None:
    model = cib(
        wrap(
            '<master id="ms">\n<meta_attributes id="m"><nvpair id="a" name="master-max" value="2"/>'
            "</meta_attributes>\n"
            '<primitive id="d" class="ocf" provider="linbit" type="drbd"/>\n</master>',
            extra='<rsc_defaults><meta_attributes id="rd"><nvpair id="n" name="notify" '
            'value="yes"/></meta_attributes></rsc_defaults>\n',
        )
    )
    clone = model.clones["ms"]
    assert (clone.promotable, clone.legacy_master, clone.promoted_max) == (True, True, 2)
    assert model.meta("d", "notify") == "yes"
    assert model.clone_of("d") is clone


def test_a_clone_is_promotable_only_when_it_says_so() -> None:
    model = cib(
        wrap('<clone id="c"><primitive id="d" class="ocf" provider="linbit" type="drbd"/></clone>')
    )
    assert not model.clones["c"].promotable


def test_sets_with_rules_are_conditional_and_scores_order_sets() -> None:
    model = cib(
        wrap(
            '<primitive id="p" class="ocf" provider="heartbeat" type="X">'
            '<instance_attributes id="low" score="1"><nvpair id="a1" name="a" value="low"/>'
            "</instance_attributes>"
            '<instance_attributes id="high" score="5"><nvpair id="a2" name="a" value="high"/>'
            "</instance_attributes>"
            '<instance_attributes id="ruled" score="9"><rule id="r" score="0">'
            '<expression id="e" attribute="#uname" operation="eq" value="san1"/></rule>'
            '<nvpair id="a3" name="a" value="ruled"/><nvpair id="b" name="b" value="ruled"/>'
            "</instance_attributes></primitive>"
        )
    )
    params = model.primitives["p"].params
    assert params.get("a") == "high"
    assert params.get("b") is None and params.is_conditional("b")


def test_id_refs_and_templates_are_followed() -> None:
    model = cib(
        wrap(
            '<template id="t" class="ocf" provider="heartbeat" type="iSCSILogicalUnit">'
            '<instance_attributes id="ti"><nvpair id="t1" name="implementation" value="lio-t"/>'
            '<nvpair id="t2" name="lun" value="9"/></instance_attributes></template>\n'
            '<primitive id="p" template="t"><instance_attributes id="pi">'
            '<nvpair id="p1" name="lun" value="1"/><nvpair id-ref="t1"/></instance_attributes>'
            "</primitive>\n"
            '<primitive id="q" class="ocf" provider="heartbeat" type="X">'
            '<instance_attributes id-ref="pi"/></primitive>'
        )
    )
    p = model.primitives["p"]
    assert p.agent == "ocf:heartbeat:iSCSILogicalUnit"
    assert (p.params.get("lun"), p.params.get("implementation")) == ("1", "lio-t")
    assert model.primitives["q"].params.get("lun") == "1"
    assert "t" not in model.primitives  # a template is no resource


def test_resource_sets_in_constraints() -> None:
    model = cib(
        wrap(
            constraints='<rsc_order id="o" kind="Optional"><resource_set id="s1" action="promote">'
            '<resource_ref id="ms"/></resource_set><resource_set id="s2" sequential="false">'
            '<resource_ref id="a"/><resource_ref id="b"/></resource_set></rsc_order>\n'
            '<rsc_order id="legacy" first="x" then="y" score="0"/>\n'
            '<rsc_colocation id="c" score="-INFINITY" rsc="a" with-rsc="b"/>'
        )
    )
    first, legacy = model.orders
    assert not first.enforced and not legacy.enforced
    assert [(s.resources, s.action, s.sequential) for s in first.sets] == [
        (("ms",), "promote", True),
        (("a", "b"), None, False),
    ]
    assert [s.action for s in legacy.sets] == ["start", "start"]
    assert not model.colocations[0].together


def test_stonith_enabled_reads_as_pacemaker_reads_a_boolean() -> None:
    def enabled(value: str) -> bool | None:
        return cib(
            '<cib><configuration><crm_config><cluster_property_set id="c">'
            f'<nvpair id="s" name="stonith-enabled" value="{value}"/>'
            "</cluster_property_set></crm_config></configuration></cib>"
        ).stonith_enabled

    assert [enabled(v) for v in ("false", "0", "no", "off", "TRUE", "y")] == [
        False,
        False,
        False,
        False,
        True,
        True,
    ]
    assert cib("<cib/>").stonith_enabled is True  # the default


def test_secrets_are_masked_in_text_and_data() -> None:
    doc = xsanconf.load(PAIR)
    masked = redact_document(doc)
    assert "s3cretChapPass" not in masked and "ipmiSecret1" not in masked
    assert 'name="incoming_username" value="xen"' in masked
    data = str(xsanconf.to_data(doc, redact_secrets=True))
    assert "s3cretChapPass" not in data and "ipmiSecret2" not in data
    assert "s3cretChapPass" in str(xsanconf.to_data(doc))


def test_get_works_and_set_unset_build_refuse(tmp_path: Path) -> None:
    file = tmp_path / "cib.xml"
    file.write_text(PAIR.read_text())
    for selector, expected in [
        ("property[stonith-enabled]", "true\n"),
        ("nodes", "san1\nsan2\n"),
        ("resource[p_drbd_xensan]", "ocf:linbit:drbd\n"),
        ("resource[ms_drbd_xensan]", "promotable-clone\n"),
        ("resource[p_lu_xensan].params.path", "/dev/drbd0\n"),
        ("resource[ms_drbd_xensan].meta.notify", "true\n"),
    ]:
        done = runner.invoke(app, ["get", str(file), selector])
        assert (done.exit_code, done.stdout) == (0, expected), selector
    done = runner.invoke(app, ["set", str(file), "property[stonith-enabled]", "false"])
    assert done.exit_code == 1
    assert "read-only" in done.stderr and "pcs" in done.stderr
    done = runner.invoke(app, ["unset", str(file), "property[stonith-enabled]"])
    assert done.exit_code == 1 and "read-only" in done.stderr
    assert file.read_text() == PAIR.read_text()
    with pytest.raises(xsanconf.BuildError, match="read-only"):
        xsanconf.from_data(xsanconf.to_data(xsanconf.load(PAIR)))


def test_kind_detection() -> None:
    assert xsanconf.detect_kind("/var/lib/pacemaker/cib/cib.xml") == "cib"
    assert xsanconf.detect_kind("capture.out", '<?xml version="1.0"?>\n<cib epoch="1"/>') == "cib"
    assert xsanconf.detect_kind("other.xml", "<domain/>") is None


# LUNs


def _lu(name: str, params: dict[str, str], target: dict[str, str] | None = None) -> str:
    pairs = "".join(f'<nvpair id="{name}-{k}" name="{k}" value="{v}"/>' for k, v in params.items())
    out = (
        f'<primitive id="{name}" class="ocf" provider="heartbeat" type="iSCSILogicalUnit">'
        f'<instance_attributes id="{name}-ia">{pairs}</instance_attributes></primitive>'
    )
    if target is not None:
        tpairs = "".join(f'<nvpair id="t-{k}" name="{k}" value="{v}"/>' for k, v in target.items())
        out = (
            '<primitive id="t" class="ocf" provider="heartbeat" type="iSCSITarget">'
            f'<instance_attributes id="t-ia">{tpairs}</instance_attributes></primitive>' + out
        )
    return out


IQN = "iqn.2024-01.org.example:t"


def test_an_iet_lu_presents_its_scsi_id() -> None:
    luns = xsanconf.load(PAIR).model.target_luns()
    assert len(luns) == 1
    lun = luns[0]
    assert (lun.implementation, lun.target, lun.lun, lun.backing) == (
        "pacemaker",
        "iqn.2009-02.nl.example:storage.xensan",
        0,
        "/dev/drbd0",
    )
    # the WWID IET presents for ScsiId=149455403f160c00 (the example site's san1)
    assert str(lun.identity.wwid) == str(xsanconf.domain.wwid.iet_wwid("149455403f160c00"))
    assert lun.identity.source == "explicit"
    assert lun.identity.serial == agent_serial_default("p_lu_xensan")
    assert (lun.backing_kind, lun.cache) == ("blockio", "write-through")
    assert lun.access.chap_required and lun.chap[0].user == "xen"


def test_the_agent_defaults_are_the_id_and_its_md5() -> None:
    # echo -n lu_vm1 | md5sum
    assert agent_serial_default("lu_vm1") == "ebc5c90b"
    model = cib(
        wrap(
            _lu(
                "lu_vm1",
                {"target_iqn": IQN, "lun": "1", "path": "/dev/drbd1", "implementation": "iet"},
            )
        )
    )
    identity = model.target_luns()[0].identity
    assert identity.source == "default" and identity.serial == "ebc5c90b"
    assert str(identity.wwid) == str(xsanconf.domain.wwid.iet_wwid("lu_vm1"))
    long_id = "a_logical_unit_with_a_long_name"
    model = cib(
        wrap(
            _lu(
                long_id,
                {"target_iqn": IQN, "lun": "1", "path": "/dev/drbd1", "implementation": "iet"},
            )
        )
    )
    assert model.target_luns()[0].identity.device_id == long_id[:16].encode()


def test_lio_presents_the_serial_as_an_naa_designator() -> None:
    assert str(lio_wwid("ebc5c90b")) == "36001405ebc5c90b00000000000000000"
    assert str(lio_wwid("0123-4567-89ab-cdef-0123-4567-89")) == (
        "36001405" + "0123456789abcdef012345678"
    )
    model = cib(
        wrap(
            _lu(
                "lu_vm1",
                {"target_iqn": IQN, "lun": "1", "path": "/dev/drbd1"},
                {"iqn": IQN, "implementation": "lio-t"},
            )
        )
    )
    lun = model.target_luns()[0]
    assert str(lun.identity.wwid) == "36001405ebc5c90b00000000000000000"
    assert (lun.backing_kind, lun.identity.designator) == ("block", "naa")


def test_an_unknown_implementation_leaves_the_wwid_unknown() -> None:
    text = wrap(_lu("lu_vm1", {"target_iqn": IQN, "lun": "1", "path": "/dev/drbd1"}))
    identity = cib(text).target_luns()[0].identity
    assert identity.wwid is None and identity.serial == "ebc5c90b"
    assert "binaries" in (identity.reason or "")
    # the host says which target software it runs
    assert cib(text).target_luns(implementation="iet")[0].identity.wwid is not None


def test_tgt_presents_an_naa_designator_of_the_scsi_id() -> None:
    tgt = cib(
        wrap(_lu("lu", {"target_iqn": IQN, "lun": "1", "path": "/dev/x", "implementation": "tgt"}))
    )
    # tgt 1.0.46+: the NAA 6 designator of scsi_id (the reference's worked example: tgt's
    # own default scsi_id for tid 1, LUN 1)
    assert str(tgt_wwid("IET     00010001")) == "360000000000000000e00000000010001"
    assert str(tgt.target_luns()[0].identity.wwid) == str(tgt_wwid("lu"))


def test_a_cloned_lu_with_a_default_identity_is_not_predicted() -> None:
    text = wrap(
        '<clone id="c">'
        + _lu("lu", {"target_iqn": IQN, "lun": "1", "path": "/x", "implementation": "iet"})
        + "</clone>"
    )
    identity = cib(text).target_luns()[0].identity
    assert identity.wwid is None and "clone" in (identity.reason or "")


@settings(max_examples=80, deadline=None)
@given(text=cib_documents())
def test_generated_cibs_render_back_and_read(text: str) -> None:
    doc = xsanconf.loads(text, "cib")
    assert xsanconf.dumps(doc) == text
    model = doc.model
    assert model.root is not None
    data = xsanconf.to_data(doc)
    assert data["directives"][0]["name"] == "cib"
    for primitive in model.primitives.values():
        assert primitive.element.start.text.startswith("<primitive")
    model.target_luns()
