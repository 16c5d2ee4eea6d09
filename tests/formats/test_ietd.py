"""The ietd codec: reading as ietd reads, Lun parameter records, edits that touch only their
lines, secrets kept out of repr, and a round trip with random trivia."""

from __future__ import annotations

import difflib
import re

import pytest
from hypothesis import given

import xsanconf
from tests.corpus import CORPUS, corpus_kind, read
from xsanconf.formats.ietd import IetConfig, LunParams
from xsanconf.testing.ietd import ietd_documents

SAN = """\
# /etc/iet/ietd.conf on the SAN heads
IncomingUser discover discoversecret1
OutgoingUser target targetsecret12

Target iqn.2001-04.com.example:storage.disk2.sys1.xyz
\tIncomingUser jim othersecret12
\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=149455403f160c00,ScsiSN=lv1-0001,IOMode=wt
\tAlias Test
\tMaxConnections\t\t1\t\t# We only support 1
\tInitialR2T\t\tYes

Target iqn.2001-04.com.example:storage.disk3
\tLun 0 Path=/dev/drbd1,Type=fileio
"""


def model(text: str, path: str | None = None) -> IetConfig:
    return xsanconf.loads(text, "ietd", path=path).model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# reading


def test_reads_global_accounts_targets_and_luns() -> None:
    config = model(SAN)
    assert [a.user for a in config.incoming_users] == ["discover"]
    assert [a.password for a in config.outgoing_users] == ["targetsecret12"]
    first, second = config.targets
    assert first.name == "iqn.2001-04.com.example:storage.disk2.sys1.xyz"
    assert [(a.direction, a.user, a.password) for a in first.accounts()] == [
        ("incoming", "jim", "othersecret12")
    ]
    assert first.aliases == ["Test"]
    assert [p.key for p in first.params] == ["MaxConnections", "InitialR2T"]
    assert first.param("maxconnections") == "1"
    (lun,) = first.luns
    assert lun.number == 0
    assert lun.params == LunParams(
        path="/dev/drbd0",
        type="blockio",
        scsi_id="149455403f160c00",
        scsi_sn="lv1-0001",
        io_mode="wt",
    )
    assert second.lun(0) is not None and second.lun(0).path == "/dev/drbd1"  # type: ignore[union-attr]
    found = config.target("IQN.2001-04.COM.EXAMPLE:STORAGE.DISK3")
    assert found is not None and found.node is second.node


def test_positions_point_at_lines_and_lun_params() -> None:
    config = model(SAN)
    target = config.targets[0]
    assert target.position == (5, 1)
    lun = target.luns[0]
    assert lun.position == (7, 2)
    assert lun.param_position("type") == (7, 24)
    assert lun.param_position("BlockSize") is None
    assert config.targets[1].position == (12, 1)


def test_keywords_are_case_insensitive_values_are_not() -> None:
    config = model("target iqn.2001-04.com.example:a\n  LUN 3 PATH=/dev/sdb,type=BlockIO\n")
    (target,) = config.targets
    (lun,) = target.luns
    assert lun.number == 3
    assert lun.params.path == "/dev/sdb"
    assert lun.params.type == "BlockIO"  # the kernel compares values exactly: a bad type


def test_lines_before_the_first_target_are_global() -> None:
    config = model("MaxConnections 2\nLun 0 Path=/dev/sda\nTarget iqn.2001-04.com.example:a\n")
    assert [s.keyword for s in config.settings] == ["MaxConnections", "Lun"]
    assert config.luns == []  # ietd ignores a Lun line outside a target


def test_only_a_leading_hash_starts_a_comment() -> None:
    text = (
        "Target iqn.2001-04.com.example:a\n"
        "\t#Lun 9 Path=/dev/commented\n"
        "\tLun 0 Path=/dev/sdb,IOMode=wt # write-through\n"
        "\tInitialR2T Yes # harmless here\n"
    )
    (target,) = model(text).targets
    (lun,) = target.luns
    assert lun.params.io_mode == "wt # write-through"  # what the kernel gets, and rejects
    assert lun.comment_like == "# write-through"
    initial_r2t = target.statement("InitialR2T")
    assert initial_r2t is not None
    assert initial_r2t.value == "Yes"
    assert initial_r2t.comment_like == "# harmless here"


def test_lun_params_follow_the_kernel_splitting() -> None:
    params = LunParams.parse("Path=/dev/a, Type=blockio,,ScsiId=x,scsiid=y,Dest=MA,NoValue")
    assert params.path == "/dev/a"
    assert params.type is None  # " type" (leading blank) is not the key "type"
    assert params.scsi_id == "y"
    assert params.duplicates == ("ScsiId",)
    assert params.unknown == ((" Type", "blockio"), ("Dest", "MA"), ("NoValue", None))
    assert params.io_type == "fileio"
    assert LunParams.parse("BlockSize=4096").block_size_bytes == 4096
    assert LunParams.parse("Type=nullio,Sectors=100").blocks == "100"


@pytest.mark.parametrize(
    ("line", "number", "params"),
    [
        ("Lun 0 Path=/dev/a", 0, "Path=/dev/a"),
        ("Lun\t12\t\tPath=/dev/a", 12, "Path=/dev/a"),
        ("Lun x Path=/dev/a", None, "x Path=/dev/a"),  # strtol reads nothing: LUN 0
        ("Lun 1Path=/dev/a", 1, "Path=/dev/a"),
        ("Lun -1 Path=/dev/a", -1, "Path=/dev/a"),
        ("Lun 4", 4, ""),
    ],
)
def test_lun_number_as_strtol_reads_it(line: str, number: int | None, params: str) -> None:
    (lun,) = model(f"Target iqn.2001-04.com.example:a\n{line}\n").targets[0].luns
    assert lun.number == number
    assert lun.params_text == params


def test_target_line_without_a_name() -> None:
    (target,) = model("Target\n\tLun 0 Path=/dev/sda\n").targets
    assert target.name is None
    assert target.iscsi_name is None


def test_last_word_of_an_unterminated_file_is_lost_to_ietd() -> None:
    config = model("Target iqn.2001-04.com.example:a\n\tIncomingUser joe secret")
    assert not config.ends_with_newline
    (account,) = config.targets[0].incoming_users
    assert account.args == ["joe", "secret"]
    assert account.args_read == ["joe"]
    assert account.password is None  # ietd drops the account
    kept = model("Target iqn.2001-04.com.example:a\n\tIncomingUser joe secret  ")
    assert kept.targets[0].incoming_users[0].password == "secret"
    assert model("Target iqn.2001-04.com.example:a\n").ends_with_newline


def test_domain_views_of_targets_and_luns() -> None:
    config = model(SAN)
    target = config.targets[0]
    assert target.iscsi_name is not None and target.iscsi_name.valid
    lun = target.luns[0]
    assert str(lun.wwid) == "1494554000000000031343934353534303366313630633030"
    default = config.targets[1].luns[0].identity
    assert default.source == "default"
    assert default.wwid is not None and len(str(default.wwid)) == 49


def test_secrets_stay_out_of_repr() -> None:
    config = model(SAN)
    shown = " ".join(
        repr(x)
        for x in [
            config,
            *config.statements(),
            *config.accounts(),
            *config.targets,
            *config.targets[0].statements(),
        ]
    )
    for secret in ("discoversecret1", "targetsecret12", "othersecret12"):
        assert secret not in shown
    assert "jim" in shown


# editing


def test_set_lun_param_changes_only_that_value() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    doc.model.targets[0].luns[0].set_param("type", "fileio")
    assert changed_lines(SAN, doc.render()) == [
        "-\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=149455403f160c00,ScsiSN=lv1-0001,IOMode=wt\n",
        "+\tLun 0 Path=/dev/drbd0,Type=fileio,ScsiId=149455403f160c00,ScsiSN=lv1-0001,IOMode=wt\n",
    ]


def test_add_and_remove_lun_params() -> None:
    text = "Target iqn.2001-04.com.example:a\n\tLun 0 Path=/dev/sdb,IOMode=wb,Type=fileio\n"
    doc = xsanconf.loads(text, "ietd")
    lun = doc.model.targets[0].luns[0]
    lun.set_param("scsiid", "disk0")
    assert lun.remove_param("IOMODE") == 1
    assert lun.remove_param("Type") == 1
    assert lun.remove_param("Nothing") == 0
    assert doc.render() == "Target iqn.2001-04.com.example:a\n\tLun 0 Path=/dev/sdb,ScsiId=disk0\n"
    with pytest.raises(ValueError, match="cannot contain"):
        lun.set_param("Path", "/dev/a,Type=nullio")


def test_set_target_param_keeps_alignment_and_trailing_text() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    target = doc.model.targets[0]
    target.set("maxconnections", "2")
    target.set("ImmediateData", "No")
    assert changed_lines(SAN, doc.render()) == [
        "-\tMaxConnections\t\t1\t\t# We only support 1\n",
        "+\tMaxConnections\t\t2\t\t# We only support 1\n",
        "+\tImmediateData No\n",
    ]
    assert doc.model.targets[0].position == (5, 1)


def test_add_lun_after_the_last_lun_in_sibling_style() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    doc.model.targets[0].add_lun(1, {"Path": "/dev/drbd2", "type": "blockio"})
    doc.model.targets[1].add_lun(1, [("Path", "/dev/drbd3")])
    assert changed_lines(SAN, doc.render()) == [
        "+\tLun 1 Path=/dev/drbd2,Type=blockio\n",
        "+\tLun 1 Path=/dev/drbd3\n",
    ]
    assert doc.render().endswith("\tLun 0 Path=/dev/drbd1,Type=fileio\n\tLun 1 Path=/dev/drbd3\n")
    with pytest.raises(ValueError, match="already has LUN 1"):
        doc.model.targets[1].add_lun(1, {"Path": "/dev/x"})


def test_remove_lun_and_param_lines() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    target = doc.model.targets[0]
    target.luns[0].remove()
    assert target.unset("InitialR2T") == 1
    doc.model.targets[1].luns[0].remove()
    assert changed_lines(SAN, doc.render()) == [
        "-\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=149455403f160c00,ScsiSN=lv1-0001,IOMode=wt\n",
        "-\tInitialR2T\t\tYes\n",
        "-\tLun 0 Path=/dev/drbd1,Type=fileio\n",
    ]


def test_add_target_in_file_style_then_remove_it() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    added = doc.model.add_target("iqn.2001-04.com.example:new")
    added.add_lun(0, {"Path": "/dev/drbd9", "Type": "blockio"})
    added.add_account("incoming", "ann", "annsecret1234")
    assert doc.render() == SAN + (
        "\nTarget iqn.2001-04.com.example:new\n"
        "\tLun 0 Path=/dev/drbd9,Type=blockio\n"
        "\tIncomingUser ann annsecret1234\n"
    )
    doc.model.target("iqn.2001-04.com.example:new").remove()  # type: ignore[union-attr]
    assert doc.render() == SAN


def test_remove_a_middle_target_leaves_one_blank_line() -> None:
    doc = xsanconf.loads(SAN + "\nTarget iqn.2001-04.com.example:last\n", "ietd")
    doc.model.targets[1].remove()
    kept = SAN[: SAN.index("Target iqn.2001-04.com.example:storage.disk3")]
    assert doc.render() == kept + "Target iqn.2001-04.com.example:last\n"


def test_add_global_account_goes_above_the_first_target() -> None:
    text = "# header\n\nTarget iqn.2001-04.com.example:a\n\tLun 0 Path=/dev/sda\n"
    doc = xsanconf.loads(text, "ietd")
    doc.model.add_account("incoming", "disc", "discsecret12")
    assert doc.render() == (
        "# header\n\nIncomingUser disc discsecret12\nTarget iqn.2001-04.com.example:a\n"
        "\tLun 0 Path=/dev/sda\n"
    )


def test_edits_keep_crlf_unindented_style_and_missing_final_newline() -> None:
    text = "Target iqn.2001-04.com.example:a\r\nLun 0 Path=/dev/sdb1,Type=blockio"
    doc = xsanconf.loads(text, "ietd")
    doc.model.targets[0].add_lun(1, {"Path": "/dev/sdb2", "Type": "blockio"})
    assert doc.render() == (
        "Target iqn.2001-04.com.example:a\r\nLun 0 Path=/dev/sdb1,Type=blockio\r\n"
        "Lun 1 Path=/dev/sdb2,Type=blockio"
    )


def test_set_rejects_values_ietd_cannot_read() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    with pytest.raises(ValueError, match="single words"):
        doc.model.targets[0].set("Alias", "two words")
    with pytest.raises(ValueError, match="single words"):
        doc.model.add_target("")


def test_set_password_and_rename_target() -> None:
    doc = xsanconf.loads(SAN, "ietd")
    target = doc.model.targets[0]
    target.incoming_users[0].set_password("newsecret1234")
    target.set_name("iqn.2001-04.com.example:renamed")
    assert changed_lines(SAN, doc.render()) == [
        "-Target iqn.2001-04.com.example:storage.disk2.sys1.xyz\n",
        "-\tIncomingUser jim othersecret12\n",
        "+Target iqn.2001-04.com.example:renamed\n",
        "+\tIncomingUser jim newsecret1234\n",
    ]


# input the API refuses, data, detection


def test_binary_input_gives_line_and_column() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("Target iqn.2001-04.com.example:a\n\tLun 0 Pa\x00th=/x\n", "ietd")
    assert (caught.value.line, caught.value.column) == (2, 10)


def test_any_text_parses_as_ietd_does() -> None:
    for text in ("", "\n\n", "# only\n", "}{;\n", "Target", "   \t\n\f\n"):
        assert xsanconf.dumps(xsanconf.loads(text, "ietd")) == text


def test_data_round_trip_through_build() -> None:
    data = xsanconf.to_data(xsanconf.loads(SAN, "ietd"))
    rebuilt = xsanconf.from_data(data)
    again = xsanconf.to_data(rebuilt)
    strip = _without_lines
    assert strip(again["directives"]) == strip(data["directives"])
    assert rebuilt.model.targets[0].luns[0].params.scsi_id == "149455403f160c00"


def _without_lines(items: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for item in items:
        copy = {k: v for k, v in item.items() if k != "line"}
        if isinstance(copy.get("block"), list):
            copy["block"] = _without_lines(copy["block"])  # type: ignore[arg-type]
        out.append(copy)
    return out


def test_detected_by_name_and_content() -> None:
    assert xsanconf.detect_kind("/etc/iet/ietd.conf") == "ietd"
    assert xsanconf.detect_kind("/tmp/x", "Target iqn.2001-04.com.example:a\n") == "ietd"


# properties


_BLANK_C = " \t\n\v\f\r"


def _reference_read(text: str) -> list[tuple[str | None, list[str]]]:
    """Targets and their keywords as plain.c's target pass sees them, written independently:
    fgets lines, the first isspace-delimited word, lines whose first word starts with '#'
    skipped."""
    stanzas: list[tuple[str | None, list[str]]] = []
    for line in text.split("\n"):
        found = [(m.group(), m.end()) for m in re.finditer(rf"[^{_BLANK_C}]+", line)]
        if not found or found[0][0].startswith("#"):
            continue
        keyword = found[0][0]
        if keyword.lower() == "target":
            name = found[1][0] if len(found) > 1 else None
            stanzas.append((name, []))
        elif stanzas:
            stanzas[-1][1].append(keyword)
    return stanzas


@given(ietd_documents())
def test_round_trip_is_exact(text: str) -> None:
    doc = xsanconf.loads(text, "ietd")
    assert xsanconf.dumps(doc) == text


@given(ietd_documents())
def test_model_sees_the_stanzas_ietd_sees(text: str) -> None:
    config = xsanconf.loads(text, "ietd").model
    seen = [(t.name, [s.keyword for s in t.statements()]) for t in config.targets]
    assert seen == _reference_read(text)


@given(ietd_documents())
def test_lun_lines_keep_their_parameters_through_an_edit(text: str) -> None:
    doc = xsanconf.loads(text, "ietd")
    luns = doc.model.luns

    def others(params: LunParams) -> list[tuple[str, str | None]]:
        return [(key, value) for key, value in params.unknown if key.lower() != "scsisn"]

    before = [(lun.number, others(lun.params)) for lun in luns]
    for lun in luns:
        if lun.number is not None:
            lun.set_param("ScsiSN", "sn1")
    after = [(lun.number, others(lun.params)) for lun in doc.model.luns]
    assert after == before
    assert all(lun.params.scsi_sn == "sn1" for lun in doc.model.luns if lun.number is not None)


# corpus


def _corpus_ietd_files() -> list[object]:
    folder = CORPUS / "ietd"
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    return [
        pytest.param(f, id=f.name) for f in sorted(folder.iterdir()) if corpus_kind(f) == "ietd"
    ]


@pytest.mark.parametrize("file", _corpus_ietd_files())
def test_corpus_files_read_as_ietd_reads_them(file: object) -> None:
    from pathlib import Path

    assert isinstance(file, Path)
    text = read(file)
    config = xsanconf.loads(text, "ietd", path=str(file)).model
    assert [(t.name, [s.keyword for s in t.statements()]) for t in config.targets] == (
        _reference_read(text)
    )
    for target in config.targets:
        assert target.iscsi_name is not None and target.iscsi_name.valid, target.name
        for lun in target.luns:
            assert lun.number is not None and lun.params.path is not None


def test_add_to_a_file_without_statements() -> None:
    doc = xsanconf.loads("# nothing yet", "ietd")
    doc.model.add_account("incoming", "disc", "discsecret12")
    target = doc.model.add_target("iqn.2001-04.com.example:a")
    target.add_lun(0, {"Path": "/dev/sda"})
    assert doc.render() == (
        "# nothing yet\nIncomingUser disc discsecret12\nTarget iqn.2001-04.com.example:a\n"
        "\tLun 0 Path=/dev/sda\n"
    )
    empty = xsanconf.loads("", "ietd")
    empty.model.add_target("iqn.2001-04.com.example:b").set("MaxConnections", "1")
    assert empty.render() == "Target iqn.2001-04.com.example:b\n\tMaxConnections 1\n"


def test_remove_last_line_of_a_crlf_target() -> None:
    text = (
        "Target iqn.2001-04.com.example:a\r\n\tLun 0 Path=/x\r\n\tLun 1 Path=/y\r\n"
        "Target iqn.2001-04.com.example:b\r\n"
    )
    doc = xsanconf.loads(text, "ietd")
    doc.model.targets[0].luns[1].remove()
    assert doc.render() == text.replace("\tLun 1 Path=/y\r\n", "")


@given(ietd_documents())
def test_removing_luns_leaves_the_other_lines_as_ietd_reads_them(text: str) -> None:
    doc = xsanconf.loads(text, "ietd")
    for lun in doc.model.luns:
        lun.remove()
    expected = [
        (name, [k for k in keys if k.lower() != "lun"]) for name, keys in _reference_read(text)
    ]
    assert _reference_read(doc.render()) == expected


def test_removing_the_unterminated_last_line_does_not_expose_another() -> None:
    doc = xsanconf.loads("Target iqn.2001-04.com.example:a\n\tAlias x\n\tLun 0 Path=/x", "ietd")
    doc.model.luns[0].remove()
    assert doc.render() == "Target iqn.2001-04.com.example:a\n\tAlias x\n"
    assert doc.model.targets[0].statement("Alias").args_read == ["x"]  # type: ignore[union-attr]
