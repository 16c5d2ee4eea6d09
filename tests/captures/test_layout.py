"""Sosreports and supportconfig directories as hosts: found, named from what they recorded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xsanconf.captures.layout import (
    layout_of,
    sections,
    sos_command_file,
    sos_hostname,
    supportconfig_hostname,
)
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site, SiteError

# Section markers as supportconfig writes them (a public basic-environment.txt of SLES 12)
BASIC_ENVIRONMENT = """\
#==[ Command ]======================================#
# /bin/date
Sun Apr  7 20:23:42 CEST 2019

#==[ Command ]======================================#
# /bin/uname -a
Linux node1 4.4.121-92.85-default #1 SMP Tue Jun 19 07:41:16 UTC 2018 (1fb8a51) x86_64 GNU/Linux

#==[ Configuration File ]===========================#
# /etc/SuSE-release
SUSE Linux Enterprise Server 12 (x86_64)
"""


@pytest.mark.parametrize(
    ("command", "name"),
    [
        # the commands of sos's drbd, multipath, iscsi and targetcli plugins
        ("drbdsetup status -vs all", "drbdsetup_status_-vs_all"),
        ("drbdsetup show all", "drbdsetup_show_all"),
        ("multipath -ll", "multipath_-ll"),
        ("multipath -v4 -ll", "multipath_-v4_-ll"),
        ("iscsiadm -m session -P 3", "iscsiadm_-m_session_-P_3"),
        ("iscsiadm -m node --op=show", "iscsiadm_-m_node_--op_show"),
        ("/usr/sbin/targetcli ls", "targetcli_ls"),
    ],
)
def test_sos_mangles_commands_as_sos_does(command: str, name: str) -> None:
    assert sos_command_file(command) == name


def test_supportconfig_sections_and_hostname(tmp_path: Path) -> None:
    found = list(sections(BASIC_ENVIRONMENT))
    assert [(s.kind, s.title) for s in found] == [
        ("Command", "/bin/date"),
        ("Command", "/bin/uname -a"),
        ("Configuration File", "/etc/SuSE-release"),
    ]
    assert found[1].line == 7 and found[1].body.startswith("Linux node1 ")
    (tmp_path / "basic-environment.txt").write_text(BASIC_ENVIRONMENT)
    assert layout_of(tmp_path) == "supportconfig"
    assert supportconfig_hostname(tmp_path) == "node1"


def _sosreport(root: Path, hostname: str) -> Path:
    (root / "sos_commands" / "host").mkdir(parents=True)
    (root / "sos_commands" / "host" / "hostname").write_text(hostname + "\n")
    os.symlink("sos_commands/host/hostname", root / "hostname")  # as sos 4 links it
    (root / "etc").mkdir()
    (root / "etc" / "multipath.conf").write_text("defaults {\n\tuser_friendly_names no\n}\n")
    return root


def test_a_sosreport_is_a_host_named_by_its_hostname_output(tmp_path: Path) -> None:
    root = _sosreport(tmp_path / "sosreport-san1-01234567-2026-01-02-abcdefg", "san1")
    assert layout_of(root) == "sosreport" and sos_hostname(root) == "san1"
    site = Site.load([tmp_path])
    assert [h.name for h in site.hosts] == ["san1"]
    assert [f.rel for f in site.hosts[0].files] == ["etc/multipath.conf"]
    # given directly, too
    assert [h.name for h in Site.load([root]).hosts] == ["san1"]


def test_a_sosreport_hostname_is_kept_whole(tmp_path: Path) -> None:
    """A RHEL node named by its FQDN (hostnamectl set-hostname pcs-01.mydomain.test) whose
    drbd.conf says on pcs-01.mydomain.test: drbdadm 8.4 compares uname -n exactly."""
    root = _sosreport(tmp_path / "sosreport-pcs-01", "pcs-01.mydomain.test")
    assert sos_hostname(root) == "pcs-01.mydomain.test"
    (root / "etc" / "drbd.conf").write_text(
        "resource r0 {\n  device /dev/drbd0;\n  disk /dev/sdb1;\n  meta-disk internal;\n"
        "  on pcs-01.mydomain.test { address 10.0.0.1:7788; }\n"
        "  on pcs-02.mydomain.test { address 10.0.0.2:7788; }\n}\n"
    )
    result = lint(Site.load([root]), LintOptions(select=("DRBD004",), versions={"drbd": "8.4"}))
    assert list(result.diagnostics) == []


def test_a_supportconfig_directory_is_a_host(tmp_path: Path) -> None:
    root = tmp_path / "scc_node1_190407_2023"
    root.mkdir()
    (root / "basic-environment.txt").write_text(BASIC_ENVIRONMENT)
    assert [h.name for h in Site.load([tmp_path]).hosts] == ["node1"]


def test_a_hostname_link_out_of_the_report_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "sosreport-x"
    (root / "sos_commands").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.write_text("intruder\n")
    os.symlink(outside, root / "hostname")
    assert sos_hostname(root) is None


def test_a_directory_without_hosts_still_says_so(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="sosreport or supportconfig"):
        Site.load([tmp_path])
