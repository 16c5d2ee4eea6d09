"""The public API: loads/dumps/load/dump, kind detection, atomic writes, encodings, data."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import xsanconf
from xsanconf.api import write_text

RES = "resource r0 {\n\ton a { device /dev/drbd0; }\n}\n"


def test_public_names_are_lazy_and_complete() -> None:
    for name in xsanconf.__all__:
        assert getattr(xsanconf, name) is not None
    assert "drbd" in xsanconf.KINDS
    with pytest.raises(AttributeError):
        xsanconf.nothing_here  # noqa: B018


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/etc/drbd.conf", "drbd"),
        ("/etc/drbd.d/r0.res", "drbd"),
        ("/etc/drbd.d/global_common.conf", "drbd"),
        ("backup/r7.res", "drbd"),
        ("/etc/multipath/conf.d/drbd.conf", "multipath"),
        ("/etc/multipath.conf", "multipath"),
        ("/etc/iscsi/iscsid.conf", "iscsid"),
        ("/etc/iscsi/nodes/iqn.2001-04.com.example:t/10.0.0.1,3260,1/default", "iscsi-node"),
        ("/var/lib/iscsi/nodes/iqn.2001-04.com.example:t/10.0.0.1,3260", "iscsi-node"),
        ("/var/lib/iscsi/send_targets/10.0.0.1,3260/st_config", "iscsi-node"),
        ("/etc/iscsi/ifaces/iface0", "iscsi-node"),
        (
            "/etc/iscsi/send_targets/10.0.0.1,3260/iqn.2001-04.com.example:t,10.0.0.1,3260,1,default",
            None,
        ),
        ("/etc/modprobe.d/sbp2.conf", "modprobe"),
        ("/etc/ietd.conf", "ietd"),
        # drop-ins packages name after themselves are of their directory's kind
        ("/usr/lib/modules-load.d/drbd.conf", "modules"),
        ("/usr/lib/modules-load.d/multipath.conf", "modules"),
        ("/etc/modprobe.d/drbd.conf", "modprobe"),
        ("/etc/systemd/system/tgt.service.d/drbd.conf", "systemd-unit"),
        ("/usr/lib/tmpfiles.d/drbd.conf", None),
    ],
)
def test_kind_from_name_and_location(path: str, kind: str | None) -> None:
    assert xsanconf.detect_kind(path) == kind


def test_kind_from_content_when_the_name_says_nothing(tmp_path: Path) -> None:
    file = tmp_path / "replication.txt"
    file.write_text(RES)
    assert xsanconf.load(file).kind == "drbd"


def test_unknown_file_is_a_parse_error_not_a_guess(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("hello\n")
    with pytest.raises(xsanconf.ParseError, match="cannot tell which format"):
        xsanconf.load(file)


def test_non_utf8_bytes_survive_load_and_dump(tmp_path: Path) -> None:
    raw = b"# caf\xe9 \xff\xfe\nresource r0 { }\n"
    file = tmp_path / "drbd.conf"
    file.write_bytes(raw)
    doc = xsanconf.load(file)
    xsanconf.dump(doc)
    assert file.read_bytes() == raw


def test_dump_is_atomic_and_keeps_mode(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(RES)
    os.chmod(file, 0o640)
    doc = xsanconf.load(file)
    doc.model.resources[0].set("protocol", "C")
    xsanconf.dump(doc)
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    assert "protocol C;" in file.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["drbd.conf"]  # no temporary file left


def test_failed_write_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(RES)

    def broken_rename(src: str, dst: str, **dir_fds: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "rename", broken_rename)
    with pytest.raises(OSError, match="disk full"):
        write_text(file, "garbage")
    assert file.read_text() == RES
    assert [p.name for p in tmp_path.iterdir()] == ["drbd.conf"]


def test_parse_error_carries_path_and_expected() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("resource r {\n  on a {\n  }\n", "drbd", path="/etc/drbd.conf")
    error = caught.value
    assert error.path == "/etc/drbd.conf"
    assert (error.line, error.column) == (4, 1)
    assert error.expected == ("'}'",)
    assert str(error).splitlines()[0].startswith("/etc/drbd.conf:4:1: unexpected end of input")


def test_error_caret_lines_up_under_tabs() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads("resource r {\n\t\tfoo=1;\n}\n", "drbd")
    _, shown, caret = str(caught.value).splitlines()
    assert shown == "    \t\tfoo=1;"
    assert caret == "    \t\t   ^"


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown kind 'nope'"):
        xsanconf.loads("", "nope")


def test_data_round_trip_through_json() -> None:
    import json

    doc = xsanconf.loads(RES, "drbd")
    data = json.loads(json.dumps(xsanconf.to_data(doc)))
    rebuilt = xsanconf.from_data(data)
    assert rebuilt.model.resources[0].host("a").device.effective_minor == 0
    assert data["directives"][0]["name"] == "resource"


@pytest.mark.parametrize("kind", sorted(xsanconf.KINDS))
def test_a_recovered_document_has_a_model_and_data(kind: str) -> None:
    """modprobe and modules looked up a view for the RAW token of an unparsed document."""
    doc = xsanconf.loads("options x\x00\n", kind, recover=True)
    assert not doc.parsed
    doc.model  # noqa: B018
    assert isinstance(xsanconf.to_data(doc)["directives"], list)
    if kind in ("modprobe", "modules"):
        assert doc.model.lines == []


@pytest.mark.parametrize("kind", sorted(xsanconf.KINDS))
@pytest.mark.parametrize("stray", ["\udfff", "\ud800", "\udc7f"])
def test_a_surrogate_no_file_holds_is_a_parse_error_at_it(kind: str, stray: str) -> None:
    """Read from a file, only U+DC80..U+DCFF stand for undecodable bytes; any other lone
    surrogate (only a caller's str holds one) cannot be measured in bytes nor written."""
    text = "a" * 300 + stray
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(text, kind)
    assert (caught.value.line, caught.value.column) == (1, 301)
    doc = xsanconf.loads(text, kind, recover=True)
    assert doc.problems[0].column == 301
    assert doc.render() == text


def test_undecodable_bytes_still_parse() -> None:
    text = b"defaults {\n\tuser_friendly_names \xff\n}\n".decode("utf-8", "surrogateescape")
    assert xsanconf.dumps(xsanconf.loads(text, "multipath")) == text
