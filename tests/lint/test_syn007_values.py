"""SYN007 (invalid-value): values the daemons refuse or replace, read as their handlers read
them; and SYN002 over the multipath keyword table of every release."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.corpus import corpus_files, read
from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site


def run(tmp_path: Path, files: dict[str, str], **versions: str) -> list[Diagnostic]:
    write_site(tmp_path / "site", {"h": files})
    result = lint(
        Site.load([tmp_path / "site"]), LintOptions(select=("SYN007",), versions=versions)
    )
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == "SYN007"]


def _mp(body: str) -> dict[str, str]:
    return {"etc/multipath.conf": f"defaults {{\n{body}}}\n"}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("failback inmediate", "failback"),
        ("no_path_retry forever", "no_path_retry"),
        ("rr_weight even", "rr_weight"),
        ("path_grouping_policy round_robin", "path_grouping_policy"),
        ("user_friendly_names Yes", "user_friendly_names"),
        ("dev_loss_tmo never", "dev_loss_tmo"),
        ("fast_io_fail_tmo none", "fast_io_fail_tmo"),
        ('features "2 queue_if_no_path"', "argument count"),
        ("polling_interval -3", "polling_interval"),
        ("verbosity 9", "caps it at 4"),
        ("no_path_retry -1", "caps it at 1"),
    ],
)
def test_multipath_values_multipathd_refuses_or_caps(tmp_path: Path, line: str, why: str) -> None:
    [found] = run(tmp_path, _mp(f"\t{line}\n"))
    assert why in found.message
    assert found.severity is Severity.WARNING  # multipathd goes on with its default
    assert found.location.line == 2


@pytest.mark.parametrize(
    "line",
    [
        "failback immediate",
        "failback 30",
        "no_path_retry queue",
        "no_path_retry 0",
        "dev_loss_tmo infinity",
        "dev_loss_tmo 600",
        "fast_io_fail_tmo off",
        "fast_io_fail_tmo 5",
        "rr_weight priorities",
        'path_selector "service-time 0"',
        'features "1 queue_if_no_path"',
        "user_friendly_names yes",
        "path_grouping_policy group_by_prio",
    ],
)
def test_multipath_values_multipathd_takes(tmp_path: Path, line: str) -> None:
    assert run(tmp_path, _mp(f"\t{line}\n")) == []


def test_multipath_dev_loss_tmo_above_600_without_fast_io_fail(tmp_path: Path) -> None:
    limited = "\tdev_loss_tmo infinity\n\tfast_io_fail_tmo off\n"
    [found] = run(tmp_path / "a", _mp(limited))
    assert found.location.line == 2 and "limits" in found.message
    assert run(tmp_path / "b", _mp(limited + "\tno_path_retry queue\n")) == []
    assert run(tmp_path / "c", _mp("\tdev_loss_tmo infinity\n\tfast_io_fail_tmo 5\n")) == []
    assert run(tmp_path / "d", _mp("\tdev_loss_tmo 600\n\tfast_io_fail_tmo 0\n")) == []


def test_multipath_values_a_later_release_added_are_refused_before(tmp_path: Path) -> None:
    files = _mp("\tfind_multipaths greedy\n\tflush_on_last_del unused\n")
    assert run(tmp_path / "new", files) == []
    old = run(tmp_path / "old", files, multipath="0.7.5")
    assert [d.location.line for d in old] == [2, 3]
    assert "before multipath-tools 0.7.7" in old[0].message
    # argument counts are checked from 0.9.4 on
    counted = _mp('\tpath_selector "service-time"\n')
    assert run(tmp_path / "c1", counted, multipath="0.9.3") == []
    assert len(run(tmp_path / "c2", counted, multipath="0.9.4")) == 1


def test_multipath_keywords_the_release_does_not_know_are_left_to_syn002(tmp_path: Path) -> None:
    files = _mp("\tdetect_pgpolicy maybe\n")  # added in 0.9.6
    assert len(run(tmp_path / "new", files)) == 1
    assert run(tmp_path / "old", files, multipath="0.9.0") == []


def test_multipath_blacklist_patterns_are_not_values(tmp_path: Path) -> None:
    files = {"etc/multipath.conf": 'blacklist {\n\tdevnode "^sd[a"\n}\n'}
    assert run(tmp_path, files) == []


def test_iscsid_values(tmp_path: Path) -> None:
    files = {
        "etc/iscsi/iscsid.conf": (
            "node.startup = auto\n"
            "node.session.iscsi.InitialR2T = yes\n"
            "node.session.timeo.replacement_timeout = fifteen\n"
            "node.session.timeo.replacement_timeout = 15s\n"  # strtoul reads 15, as meant
            "node.conn[0].startup = automatic\n"
            "node.session.iscsi.ImmediateData = No\n"
            "node.session.xmit_thread_priority = -20\n"  # a signed field: read as written
            "iface.vlan_id = -1\n"  # unsigned 16 bits: read as 65535
        )
    }
    found = run(tmp_path, files)
    assert [d.location.line for d in found] == [1, 2, 3, 8]
    assert "keeps the default, manual" in found[0].message
    assert "as 0" in found[2].message
    assert "as 65535" in found[3].message
    assert all(d.severity is Severity.WARNING for d in found)


def test_ietd_values(tmp_path: Path) -> None:
    files = {
        "etc/iet/ietd.conf": (
            "Target iqn.2001-04.com.example:a\n"
            "\tLun 0 Path=/dev/sdb,Type=blockIO\n"
            "\tLun 1 Path=/dev/sdc,Type=fileio,IOMode=rw\n"
            "\tLun 2 Path=/dev/sdd,BlockSize=1000\n"
            "\tLun 3 Path=/dev/sde,Type=blockio,IOMode=wb,BlockSize=4096\n"
            "\tInitialR2T yes\n"
            "\tMaxConnections 0\n"
            "\tMaxRecvDataSegmentLength 0x40000\n"
            "\tDataPDUInOrder No\n"
            "\tHeaderDigest crc32c\n"
            "\tDefaultTime2Wait 5000\n"
        )
    }
    found = {d.location.line: d for d in run(tmp_path, files)}
    assert sorted(found) == [2, 3, 4, 6, 7, 9, 10, 11]
    assert all(found[n].severity is Severity.ERROR for n in (2, 3, 4))  # LUN not created
    assert all(found[n].severity is Severity.WARNING for n in (6, 7, 9, 10, 11))
    assert "replaces it with 3600" in found[11].message


# The keyword table per release (SYN002) -----------------------------------------------------


def _spec_paths() -> list[tuple[str, frozenset[str]]]:
    from xsanconf.formats.multipath.keywords import ROOT, SectionSpec

    found: list[tuple[str, frozenset[str]]] = []

    def walk(spec: SectionSpec, path: str) -> None:
        found.append((path, spec.options | frozenset(spec.subsections)))
        for name, sub in spec.subsections.items():
            walk(sub, f"{path}/{name}" if path else name)

    walk(ROOT, "")
    return found


def test_the_codec_knows_what_the_newest_release_knows() -> None:
    from xsanconf.lint.values.multipath import known_in
    from xsanconf.lint.values.multipath_keywords import KEYWORDS, RELEASES

    for path, keywords in _spec_paths():
        upstream = {k for k in KEYWORDS.get(path, {}) if known_in(path, k, RELEASES[-1])}
        assert keywords == upstream, path


def _syn002(tmp_path: Path, text: str, version: str) -> list[tuple[int, str]]:
    write_site(tmp_path / "site", {"h": {"etc/multipath.conf": text}})
    options = LintOptions(select=("SYN002",), versions={"multipath": version})
    result = lint(Site.load([tmp_path / "site"]), options)
    return [(d.location.line, d.message) for d in result.diagnostics]


def test_syn002_reads_multipath_keywords_at_the_hosts_release(tmp_path: Path) -> None:
    text = (
        "defaults {\n\tfind_multipaths_timeout 5\n\tsan_path_err_threshold 3\n"
        "\tmultipath_tool /sbin/multipath\n}\n"
    )
    old = _syn002(tmp_path / "a", text, "0.7.5")
    assert [line for line, _ in old] == [2, 3, 4]
    assert "knows it from 0.7.7 on" in old[0][1]
    assert "in 0.7.0 to 0.7.3, from 0.8.0 on" in old[1][1]  # removed, then back
    assert "knows it in 0.4.5)" in old[2][1]
    assert [line for line, _ in _syn002(tmp_path / "b", text, "0.8.0")] == [4]
    assert [line for line, _ in _syn002(tmp_path / "c", text, "0.4.5")] == [2, 3]


def test_syn002_takes_the_hosts_multipath_version_from_its_packages(tmp_path: Path) -> None:
    status = "Package: multipath-tools\nStatus: install ok installed\nVersion: 0.7.5-1\n\n"
    files = {
        "etc/multipath.conf": "defaults {\n\tfind_multipaths_timeout 5\n}\n",
        "var/lib/dpkg/status": status,
    }
    write_site(tmp_path / "site", {"h": files})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("SYN002",)))
    assert [d.location.line for d in result.diagnostics] == [2]


def _daemon_files() -> list[object]:
    def wanted(param: object) -> bool:
        file = getattr(param, "values", (None,))[0]
        return file is None or "iscsid.conf" in file.name or file.name.endswith("ietd.conf")

    return [p for p in corpus_files("iscsid", "ietd") if wanted(p)]


@pytest.mark.parametrize("file", _daemon_files())
def test_syn007_is_silent_on_real_iscsid_and_ietd_files(file: Path, tmp_path: Path) -> None:
    """Distribution defaults and users' files that their daemons read as written."""
    rel = "etc/iscsi/iscsid.conf" if "iscsid.conf" in file.name else "etc/iet/ietd.conf"
    assert [(d.location.line, d.message) for d in run(tmp_path, {rel: read(file)})] == []


# kmod: the lines it skips for their arguments ------------------------------------------------

_KMOD_BATTERY = (
    "options sbp2\nalias foo\nblacklist\noptions bar x=1\nsoftdep baz\ninstall qux\n"
    "remove qux\nalias a/b c\nblah foo\nblacklist ok_module\n"
)
_BAD_LINE = re.compile(r"line (\d+): ignoring bad line starting with '([^']*)'")
# weakdep is left out: kmod before 33 does not know the command at all (SYN002's)
_KMOD_COMMANDS = {"options", "alias", "blacklist", "install", "remove", "softdep"}


def _kmod_refuses(text: str, tmp_path: Path) -> set[int]:
    if shutil.which("modprobe") is None:
        pytest.skip("kmod's modprobe is not installed")
    conf, empty = tmp_path / "conf", tmp_path / "empty"
    conf.mkdir(parents=True)
    empty.mkdir(parents=True)
    (conf / "x.conf").write_bytes(text.encode("utf-8", "surrogateescape"))
    result = subprocess.run(
        ["modprobe", "-C", str(conf), "-d", str(empty), "-S", "none", "-c"],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    found = _BAD_LINE.finditer(result.stderr)
    return {int(m.group(1)) for m in found if m.group(2) in _KMOD_COMMANDS}


@pytest.mark.parametrize("file", [pytest.param(None, id="battery"), *corpus_files("modprobe")])
def test_syn007_agrees_with_kmod_on_the_lines_it_skips(file: Path | None, tmp_path: Path) -> None:
    if file is not None and not file.name.endswith(".conf"):
        pytest.skip("not a modprobe.d file")
    if file is not None and "weakdep" in file.name:
        pytest.skip("weakdep lines: kmod 33 reads them, older kmod refuses the command (SYN002)")
    text = _KMOD_BATTERY if file is None else read(file)
    refused = _kmod_refuses(text, tmp_path / "kmod")
    found = run(tmp_path, {"etc/modprobe.d/x.conf": text})
    assert {d.location.line for d in found} == refused
    if file is None:
        assert refused == {1, 2, 3, 5, 6, 7}  # the battery makes kmod speak
