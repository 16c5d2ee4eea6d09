"""The tgt codec: targets.conf as tgt-admin reads it (scripts/tgt-admin, Config::General)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import xsanconf
from xsanconf.domain.target import TargetLun
from xsanconf.formats.tgt import get_value, set_value, token_secrets, unset_value
from xsanconf.formats.tgt.luns import assign_tids
from xsanconf.lint.site import Site
from xsanconf.secrets import redact_document
from xsanconf.syntax import Token
from xsanconf.testing.tgt import tgt_documents

TWO_TARGETS = """\
# tgt-admin reads this at service start
default-driver iscsi

<target iqn.2024-01.org.example:zeta>
\tbacking-store /dev/vg0/zeta  # LUN 1
\tincominguser initiator1 s3cretpassw0rd
\tinitiator-address 192.0.2.10
</target>

<target iqn.2024-01.org.example:alpha>
\t<backing-store /dev/drbd1>
\t\tscsi_id 4d2a5c81e7b90f13
\t\tscsi_sn drbd1
\t\twrite-cache off
\t</backing-store>
\t<backing-store /dev/drbd0>
\t\tlun 1
\t</backing-store>
\tdirect-store /dev/sdc
</target>
"""


def _doc(text: str) -> xsanconf.Document:
    return xsanconf.loads(text, "tgt")


def test_round_trip_and_model() -> None:
    doc = _doc(TWO_TARGETS)
    assert xsanconf.dumps(doc) == TWO_TARGETS
    config = doc.model
    assert [t.name for t in config.targets] == [
        "iqn.2024-01.org.example:zeta",
        "iqn.2024-01.org.example:alpha",
    ]
    assert config.default_driver == "iscsi"
    zeta = config.target("iqn.2024-01.org.example:zeta")
    assert zeta is not None
    assert zeta.values("backing-store") == ["/dev/vg0/zeta"]
    (account,) = zeta.statements("incominguser")
    assert (account.user, account.password) == ("initiator1", "s3cretpassw0rd")
    assert "s3cret" not in repr(account)


def test_targets_are_numbered_by_sorted_name_and_luns_by_sorted_path() -> None:
    """tgt-admin walks ``sort keys``: alpha gets tid 1 though zeta comes first in the file;
    backing-stores (sorted) come before direct-stores; a block's ``lun`` is kept and the
    others take the lowest free number from 1."""
    luns = _doc(TWO_TARGETS).model.target_luns()
    found = [(lun.target.rsplit(":", 1)[1], lun.lun, lun.backing) for lun in luns]
    assert found == [
        ("alpha", 1, "/dev/drbd0"),
        ("alpha", 2, "/dev/drbd1"),
        ("alpha", 3, "/dev/sdc"),
        ("zeta", 1, "/dev/vg0/zeta"),
    ]
    by_backing = {lun.backing: lun for lun in luns}
    assert str(by_backing["/dev/drbd0"].identity.wwid) == "360000000000000000e00000000010001"
    assert str(by_backing["/dev/vg0/zeta"].identity.wwid) == "360000000000000000e00000000020001"
    drbd1 = by_backing["/dev/drbd1"]
    assert str(drbd1.identity.wwid) == "360000000000000004d2a5c81e7b90f13"
    assert drbd1.identity.serial == "drbd1"
    assert drbd1.cache == "write-through"
    assert by_backing["/dev/drbd0"].cache == "write-back"
    assert by_backing["/dev/sdc"].identity.serial is None  # sg_inq copies the device's


def test_controller_tid_takes_over_the_count() -> None:
    tids = assign_tids(["b", "a", "c"], {"b": "10"})
    assert tids == {"a": 1, "b": 10, "c": 11}


def test_access_is_open_unless_an_initiator_address_or_chap() -> None:
    """Without initiator-address tgt-admin binds ALL, and tgtd admits an initiator that
    passes the address list or the name list: an initiator-name alone restricts nothing."""
    text = (
        "<target iqn.x:open>\n backing-store /dev/a\n initiator-name iqn.y:host\n</target>\n"
        "<target iqn.x:chap>\n backing-store /dev/b\n incominguser u p\n</target>\n"
        "<target iqn.x:acl>\n backing-store /dev/c\n initiator-address 192.0.2.1\n</target>\n"
    )
    access = {lun.target: lun.access for lun in _doc(text).model.target_luns()}
    assert access["iqn.x:open"].open is True
    assert access["iqn.x:chap"].open is False and access["iqn.x:chap"].chap_required
    assert access["iqn.x:acl"].open is False
    assert access["iqn.x:acl"].addresses == ("192.0.2.1",)


def test_target_level_options_apply_to_every_lun_and_blocks_win() -> None:
    text = (
        "<target iqn.x:t>\n write-cache off\n vendor_id ACME\n"
        " <backing-store /dev/a>\n  write-cache on\n </backing-store>\n"
        " <backing-store /dev/b>\n </backing-store>\n</target>\n"
    )
    luns = {lun.backing: lun for lun in _doc(text).model.target_luns()}
    assert luns["/dev/a"].cache == "write-back"
    assert luns["/dev/b"].cache == "write-through"
    assert luns["/dev/b"].identity.vendor == "ACME"


def test_blocks_of_one_name_merge_and_names_are_case_sensitive() -> None:
    text = (
        "<target iqn.x:t>\n backing-store /dev/a\n</target>\n"
        "<Target iqn.x:ignored>\n backing-store /dev/z\n</Target>\n"
        "<target iqn.x:t>\n backing-store /dev/b\n Backing-Store /dev/c\n</target>\n"
    )
    luns = _doc(text).model.target_luns()
    assert [(lun.target, lun.lun, lun.backing) for lun in luns] == [
        ("iqn.x:t", 1, "/dev/a"),
        ("iqn.x:t", 2, "/dev/b"),
    ]


@pytest.mark.parametrize(
    ("line", "key", "value"),
    [
        ("scsi_id = abc", "scsi_id", "abc"),
        ('scsi_sn "two words"', "scsi_sn", "two words"),
        ("vendor_id a\\#b # note", "vendor_id", "a#b"),
        ("incominguser user \\\n     secret", "incominguser", "user secret"),
        ("product_id\tX", "product_id", "X"),
    ],
)
def test_values_read_as_config_general_reads_them(line: str, key: str, value: str) -> None:
    (statement,) = _doc(line + "\n").model.statements()
    assert (statement.key, statement.value) == (key, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<target a>\n", "no closing"),
        ("</target>\n", "closes no block"),
        ("key a /* b */ c\n", "inside a line"),
        ("backing-store /srv/*/disk\n", "inside a line"),
        ("/* open\n", "never closed"),
        ("key <<EOF\nx\nEOF\n", "here-documents"),
        ("<target a/>\n", "empty blocks"),
        ("<a>\n" * 101 + "</a>\n" * 101, "deeper than 100"),
        ("key \\\nvalue \\\n", "ends in a continued line"),
        ("\\\nkey value\n", "starts with"),
        ("0\\\n \\\nkey value\n", "starts with"),
        ("key a \\\nb <<EOF\nEOF\n", "here-documents"),
    ],
)
def test_what_tgt_admin_reads_otherwise_is_a_parse_error(text: str, message: str) -> None:
    with pytest.raises(xsanconf.ParseError, match=message):
        _doc(text)
    assert xsanconf.loads(text, "tgt", recover=True).render() == text


def test_comment_forms_that_change_nothing_are_trivia() -> None:
    text = "/* a\n b */\n/* one line */\nkey v # and /* this */\ninclude /etc/tgt/conf.d/*.conf\n"
    doc = _doc(text)
    assert [s.key for s in doc.model.statements()] == ["key"]
    assert doc.model.includes[0][0] == "/etc/tgt/conf.d/*.conf"


def test_includes_any_case_quoted_or_not() -> None:
    text = 'Include "/etc/tgt/a b.conf"\nincludeoptional /etc/tgt/x\ninclude 0\n'
    assert [p for p, _ in _doc(text).model.includes] == ["/etc/tgt/a b.conf", "/etc/tgt/x"]


def test_secrets_are_found_and_masked() -> None:
    doc = _doc(TWO_TARGETS)
    assert "s3cretpassw0rd" not in redact_document(doc)
    token = Token("STMT", "outgoinguser name \\\n  pass")
    start, end = token_secrets(token)[0]
    assert token.text[start:end] == "pass"
    data = xsanconf.to_data(doc, redact_secrets=True)
    account = data["directives"][1]["block"][1]
    assert account["args"] == ["initiator1", "********"]


def test_discovery_accounts_are_secrets_written_or_commented_out() -> None:
    text = "incomingdiscoveryuser disco Pl4in-Secret\n# outgoingdiscoveryuser o Old-Secret\n"
    masked = redact_document(_doc(text))
    assert "Pl4in-Secret" not in masked and "Old-Secret" not in masked
    assert "incomingdiscoveryuser disco " in masked
    data = xsanconf.to_data(_doc(text), redact_secrets=True)
    assert data["directives"][0]["args"] == ["disco", "********"]


def test_edits_splice_only_what_changes() -> None:
    doc = _doc(TWO_TARGETS)
    alpha = "target[iqn.2024-01.org.example:alpha]"
    set_value(doc, f"{alpha}.backing-store[/dev/drbd0].scsi_id", "0011223344556677")
    set_value(doc, f"{alpha}.initiator-address", "192.0.2.20")
    set_value(doc, "target[iqn.2024-01.org.example:zeta].incominguser[initiator1]", "n3w")
    text = doc.render()
    assert "\t<backing-store /dev/drbd0>\n\t\tlun 1\n\t\tscsi_id 0011223344556677\n" in text
    assert "\tdirect-store /dev/sdc\n\tinitiator-address 192.0.2.20\n</target>" in text
    assert "incominguser initiator1 n3w  # LUN" not in text
    assert "\tincominguser initiator1 n3w\n" in text
    assert len(text.splitlines()) == len(TWO_TARGETS.splitlines()) + 2
    assert get_value(doc, f"{alpha}.backing-store[/dev/drbd1].scsi_sn") == ["drbd1"]
    assert get_value(doc, f"{alpha}.backing-store[/dev/drbd1]") == ["/dev/drbd1"]
    assert unset_value(doc, f"{alpha}.backing-store[/dev/drbd1]") == 1
    assert unset_value(doc, "target[iqn.2024-01.org.example:zeta]") == 1
    assert "zeta" not in doc.render()
    assert xsanconf.loads(doc.render(), "tgt").model.target_luns()[0].lun == 1


def test_a_lun_block_beside_lun_lines_is_refused() -> None:
    doc = _doc("<target t>\n backing-store /dev/a\n</target>\n")
    with pytest.raises(ValueError, match="refused by tgt-admin"):
        set_value(doc, "target[t].backing-store[/dev/b].scsi_id", "x")


def test_a_new_target_copies_nothing_it_should_not() -> None:
    doc = _doc("default-driver iscsi\n")
    set_value(doc, "target[iqn.x:new].backing-store", "/dev/drbd0")
    assert (
        doc.render()
        == "default-driver iscsi\n<target iqn.x:new>\n\tbacking-store /dev/drbd0\n</target>\n"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tgt_documents())
def test_generated_documents_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "tgt")
    assert xsanconf.dumps(doc) == text
    doc.model.target_luns()
    # from_data reads the built text back and raises unless it gives the same data
    xsanconf.from_data(xsanconf.to_data(doc))


def _site(tmp_path: Path, files: dict[str, str]) -> Site:
    for rel, text in files.items():
        path = tmp_path / "h" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Site.load([tmp_path])


def test_the_site_follows_includes_in_tgt_admins_order(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "etc/tgt/targets.conf": "include /etc/tgt/conf.d/*.conf\ninclude /srv/tgt\n",
            "etc/tgt/conf.d/b.conf": "<target iqn.x:b>\n backing-store /dev/b\n</target>\n",
            "etc/tgt/conf.d/a.conf": "include /etc/tgt/targets.conf\n",
            "srv/tgt/one": "<target iqn.x:c>\n backing-store /dev/c\n</target>\n",
        },
    )
    (host,) = site.hosts
    assert [f.rel for f in host.tgt_files()] == [
        "etc/tgt/targets.conf",
        "etc/tgt/conf.d/a.conf",
        "etc/tgt/conf.d/b.conf",
        "srv/tgt/one",
    ]
    assert [p.message for p in site.problems] == []
    from xsanconf.formats.tgt.luns import target_luns

    luns = target_luns([f.doc.model for f in host.tgt_files()])
    assert [(lun.target, lun.identity.serial) for lun in luns] == [
        ("iqn.x:b", "beaf11"),
        ("iqn.x:c", "beaf21"),
    ]


def test_braces_expand_as_bsd_glob_expands_them(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "etc/tgt/targets.conf": "include /etc/tgt/{one,two}.conf\ninclude /etc/tgt/{x}.conf\n",
            "etc/tgt/two.conf": "<target iqn.x:two>\n</target>\n",
            "etc/tgt/one.conf": "<target iqn.x:one>\n</target>\n",
        },
    )
    (host,) = site.hosts
    assert [f.rel for f in host.tgt_files()][1:] == ["etc/tgt/one.conf", "etc/tgt/two.conf"]
    assert site.problems == []  # a pattern with a brace is a glob: matching nothing is fine


def test_an_include_of_a_missing_file_stops_tgt_admin(tmp_path: Path) -> None:
    text = "include /etc/tgt/extra.conf\nIncludeOptional /etc/tgt/maybe.conf\n"
    site = _site(tmp_path, {"etc/tgt/targets.conf": text})
    (problem,) = site.problems
    assert problem.code == "SYN003" and "does not exist" in problem.message


SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"


def _site_luns(name: str) -> dict[str, list[TargetLun]]:
    from xsanconf.formats.tgt.luns import target_luns

    site = Site.load([SITES / name])
    return {h.name: target_luns([f.doc.model for f in h.tgt_files()]) for h in site.hosts}


def test_independent_servers_collide_on_the_default_identity() -> None:
    """IET011's case: each server numbers its one target tid 1 and its LUN 1."""
    luns = _site_luns("tgt-servers")
    (backup,), (archive,) = luns["tgt1"], luns["tgt2"]
    assert (backup.backing, archive.backing) == ("/dev/vg0/backup", "/dev/vg0/archive")
    assert backup.identity.wwid == archive.identity.wwid
    assert str(backup.identity.wwid) == "360000000000000000e00000000010001"
    assert backup.identity.source == archive.identity.source == "default"
    assert backup.access.open is False and backup.chap[0].user == "backup-client"


def test_the_replica_presents_one_identity_from_both_heads() -> None:
    luns = _site_luns("tgt-servers")
    (one,), (two,) = luns["san1"], luns["san2"]
    assert one.identity.wwid == two.identity.wwid
    assert str(one.identity.wwid) == "360000000000000005a4e7c0d9e1b2f30"
    assert one.identity.serial == two.identity.serial == "r0-vol0"
    assert (one.cache, two.cache) == ("write-through", "write-through")
    assert one.access.addresses == ("192.0.2.31", "192.0.2.32")


def test_the_bad_pair_differs_in_identity_cache_and_access() -> None:
    luns = _site_luns("tgt-servers-bad")
    (one,), (two,) = luns["san1"], luns["san2"]
    assert one.backing == two.backing == "/dev/drbd0"
    assert one.identity.wwid != two.identity.wwid
    assert (two.identity.source, two.cache, two.access.open) == ("default", "write-back", True)
    assert two.anchor_for("serial") is two.anchor


def test_a_host_rebuilt_for_fix_rounds_reads_tgt_in_the_same_order(tmp_path: Path) -> None:
    from xsanconf.lint.site import Host, SiteFile, read_include_order

    site = _site(
        tmp_path,
        {
            "etc/tgt/targets.conf": "include /etc/tgt/conf.d/*.conf\n",
            "etc/tgt/conf.d/a.conf": "<target iqn.x:a>\n backing-store /dev/a\n</target>\n",
        },
    )
    (host,) = site.hosts
    twin = Host(host.name, host.root)
    for file in host.files:
        twin.add(SiteFile(twin, file.rel, file.path, file.kind, file.doc))
    read_include_order(Site(), twin)
    assert [f.rel for f in twin.tgt_files()] == [f.rel for f in host.tgt_files()]
    assert len(twin.tgt_files()) == 2


def test_numbering_many_luns_is_linear() -> None:
    """Every LUN looked its options up in all the target's lines, and the lowest free number
    was searched from 1 for each: 20,000 backing-store lines were quadratic."""
    import time

    def cost(count: int) -> float:
        lines = "".join(f" backing-store /dev/d{i}\n" for i in range(count))
        doc = _doc(f"<target iqn.x:t>\n{lines}</target>\n")
        started = time.perf_counter()
        luns = doc.model.target_luns()
        assert luns[-1].lun == count
        return time.perf_counter() - started

    small = min(cost(1000) for _ in range(2))
    assert cost(16000) < 40 * small  # linear is 16x; quadratic was 256x
