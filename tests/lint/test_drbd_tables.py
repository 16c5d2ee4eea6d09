"""DRBD's per-version tables at work: SYN007 values, DRBD010 under 8.3, DRBD012, and the
effective view of DRBD 9 connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.facts.drbd import drbd_index
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.facts.drbd_options import value_problem
from xsanconf.lint.site import Site

HOSTS = """\
  on san1 { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.1:7788; meta-disk internal; }
  on san2 { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.2:7788; meta-disk internal; }
"""


def _lint(root: Path, hosts: dict[str, dict[str, str]], *codes: str) -> list[Diagnostic]:
    write_site(root, hosts)
    options = LintOptions(select=codes)
    return list(lint(Site.load([root]), options).diagnostics)


def _resource(body: str) -> str:
    return "resource r0 {\n" + body + HOSTS + "}\n"


@pytest.mark.parametrize(
    ("keyword", "args", "version", "refused"),
    [
        ("max-buffers", ["31"], "9", True),
        ("max-buffers", ["32"], "9", False),
        ("resync-rate", ["4G"], "8.4", False),  # 4194304 KiB/s: 8.4's top
        ("resync-rate", ["5G"], "8.4", True),
        ("resync-rate", ["5G"], "9", False),
        ("resync-rate", ["10MB"], "9", True),
        ("protocol", ["c"], "9", False),
        ("protocol", ["D"], "8.4", True),
        ("after-sb-0pri", ["discard-node-san1"], "9", False),
        ("rr-conflict", ["retry-connect"], "8.4", True),
        ("allow-two-primaries", [], "8.3", False),
        ("allow-two-primaries", ["yes"], "8.3", True),
        ("allow-two-primaries", ["yes"], "8.4", False),
        ("no-disk-flushes", ["no"], "8.4", True),
        ("timeout", ["9" * 5000], "9", True),  # no int() of a pathological numeral
    ],
)
def test_value_table(keyword: str, args: list[str], version: str, refused: bool) -> None:
    assert (value_problem(keyword, args, version) is not None) == refused


def test_c_fill_target_counts_in_sectors() -> None:
    # 1M is 2048 sectors (inside 0..2^20); 1G is 2^21 sectors (outside)
    assert value_problem("c-fill-target", ["1M"], "9") is None
    problem = value_problem("c-fill-target", ["1G"], "9")
    assert problem is not None and "sectors" in problem[0]


def test_enum_under_84_is_left_to_drbdsetup() -> None:
    found = value_problem("after-sb-0pri", ["discard-young"], "8.4")
    assert found is not None and found[1] is False
    found = value_problem("after-sb-0pri", ["discard-young"], "9")
    assert found is not None and found[1] is True


def test_syn007_is_an_error_when_every_candidate_refuses(tmp_path: Path) -> None:
    text = _resource("  net { max-buffers 10; }\n")
    (found,) = _lint(tmp_path, {"san1": {"etc/drbd.conf": text}}, "SYN007")
    assert found.severity == Severity.ERROR
    assert "'10' is out of range 32..131072" in found.message
    assert found.location.line == 2


def test_syn007_warns_naming_the_versions_only_some_refuse(tmp_path: Path) -> None:
    # 8.4 tops resync-rate at 4 GiB/s, 9 at 8 GiB/s; a host without evidence may run either
    text = _resource("  disk { resync-rate 6G; }\n")
    (found,) = _lint(tmp_path, {"san1": {"etc/drbd.conf": text}}, "SYN007")
    assert found.severity == Severity.WARNING
    assert "(for DRBD 8.4; 9 still reads it as written)" in found.message


def test_syn007_8_3_flag_with_a_value(tmp_path: Path) -> None:
    text = "resource r0 {\n  protocol C;\n  net { allow-two-primaries yes; }\n" + HOSTS + "}\n"
    proc = "version: 8.3.16 (api:88/proto:86-97)\n"
    files = {"etc/drbd.conf": text, "proc/drbd": proc}
    (found,) = _lint(tmp_path, {"san1": files}, "SYN007")
    assert found.severity == Severity.ERROR
    assert "takes no value in DRBD 8.3" in found.message


def test_syn007_device_names(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n"
        "  on san1 { device /dev/drbd_r0; disk /dev/sdb1; address 10.0.0.1:7788; "
        "meta-disk internal; }\n"
        "  on san2 { device /dev/drbd_r0 minor 0; disk /dev/sdb1; address 10.0.0.2:7788; "
        "meta-disk internal; }\n}\n"
    )
    (found,) = _lint(tmp_path, {"san1": {"etc/drbd.conf": text}}, "SYN007")
    assert found.location.line == 2 and "no minor number" in found.message


def test_drbd010_wants_a_resource_protocol_under_8_3_only(tmp_path: Path) -> None:
    text = "resource r0 {\n  net { protocol C; }\n" + HOSTS + "}\n"
    proc = {"proc/drbd": "version: 8.3.16 (api:88/proto:86-97)\n"}
    old = _lint(tmp_path / "a", {"san1": {"etc/drbd.conf": text, **proc}}, "DRBD010")
    assert [d.message for d in old] == [
        "resource r0 has no protocol: drbdadm 8.3 requires one at resource level (or in "
        "common), and refuses the resource without it"
    ]
    assert _lint(tmp_path / "b", {"san1": {"etc/drbd.conf": text}}, "DRBD010") == []
    common = "common { protocol C; }\nresource r0 {\n" + HOSTS + "}\n"
    assert _lint(tmp_path / "c", {"san1": {"etc/drbd.conf": common, **proc}}, "DRBD010") == []


IETD = "Target iqn.2024-01.org.example:r0\n\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId=r0\n"


@pytest.mark.parametrize(
    ("protocol", "exporters", "fired"),
    [
        ("A", ("san1", "san2"), 2),
        ("B", ("san1", "san2"), 2),
        ("C", ("san1", "san2"), 0),
        ("A", ("san1",), 0),
    ],
)
def test_drbd012_async_replica_exported_from_several_heads(
    tmp_path: Path, protocol: str, exporters: tuple[str, ...], fired: int
) -> None:
    text = _resource(f"  protocol {protocol};\n")
    hosts = {
        name: {"etc/drbd.conf": text, **({"etc/iet/ietd.conf": IETD} if name in exporters else {})}
        for name in ("san1", "san2")
    }
    found = _lint(tmp_path, hosts, "DRBD012")
    assert len(found) == fired
    for diagnostic in found:
        assert f"protocol {protocol}" in diagnostic.message
        assert len(diagnostic.related) == 2


def test_per_connection_volume_options_are_effective(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n"
        "  on san1 { node-id 0; device /dev/drbd0; disk /dev/sdb1; address 10.0.0.1:7788; "
        "meta-disk internal; }\n"
        "  on san2 { node-id 1; device /dev/drbd0; disk /dev/sdb1; address 10.0.0.2:7788; "
        "meta-disk internal; }\n"
        "  connection {\n    host san1; host san2;\n"
        "    volume 0 { disk { c-max-rate 100M; } }\n  }\n}\n"
    )
    write_site(tmp_path, {"san1": {"etc/drbd.conf": text}})
    (view,) = drbd_index(Site.load([tmp_path]), "9").views
    key = ("connection", "connection san1 san2", "volume", "0", "disk", "c-max-rate")
    assert view.settings[key].shown == "100M"
