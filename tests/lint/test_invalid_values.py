"""SYN007 for formats other than DRBD: values the daemon silently replaces are warnings."""

from __future__ import annotations

from pathlib import Path

from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site


def test_iscsid_values_it_ignores_or_reads_as_another(tmp_path: Path) -> None:
    text = (
        "node.startup = auto\n"
        "node.startup = automatic\n"
        "node.leading_login = yes\n"
        "node.session.timeo.replacement_timeout = 15s\n"
        "node.session.timeo.replacement_timeout = -1\n"
        "node.session.auth.password = not shown either way\n"
        "node.session.iscsi.InitialR2T = No # a comment SYN005 reports\n"
    )
    write_site(tmp_path, {"xen1": {"etc/iscsi/iscsid.conf": text}})
    found = lint(Site.load([tmp_path]), LintOptions(select=("SYN007",))).diagnostics
    assert [(d.location.line, d.severity) for d in found] == [
        (1, Severity.WARNING),
        (3, Severity.WARNING),
        (4, Severity.WARNING),
    ]
    assert "the default (manual)" in found[0].message
    assert "the default (No)" in found[1].message
    assert found[2].message.endswith("iscsid reads it as 15")


def test_ietd_values_it_ignores_or_replaces(tmp_path: Path) -> None:
    text = (
        "Target iqn.2024-01.org.example:r0\n"
        "\tLun 0 Path=/dev/drbd0,Type=blockio\n"
        "\tInitialR2T yes\n"
        "\tInitialR2T No\n"
        "\tHeaderDigest None,CRC32C\n"
        "\tDataDigest crc32c\n"
        "\tDefaultTime2Wait 4000\n"
        "\tMaxBurstLength 0x40000\n"
        "\tMaxOutstandingR2T 8k\n"
        "\tMaxRecvDataSegmentLength 99999999999999999999999999999\n"
    )
    write_site(tmp_path, {"san1": {"etc/iet/ietd.conf": text}})
    found = lint(Site.load([tmp_path]), LintOptions(select=("SYN007",))).diagnostics
    assert [d.location.line for d in found] == [3, 6, 7, 9, 10]
    assert all(d.severity == Severity.WARNING for d in found)
    assert "ietd uses 3600 instead" in found[2].message
    assert "out of range 512..16777215" in found[4].message


def test_multipath_values_multipathd_rejects(tmp_path: Path) -> None:
    text = (
        "defaults {\n\tfailback inmediate\n\tno_path_retry queue\n\tpolling_interval 5\n"
        "\tno_path_retry forever\n}\n"
    )
    write_site(tmp_path, {"xen1": {"etc/multipath.conf": text}})
    found = lint(Site.load([tmp_path]), LintOptions(select=("SYN007",))).diagnostics
    assert [(d.location.line, d.severity) for d in found] == [
        (2, Severity.WARNING),
        (5, Severity.WARNING),
    ]
    assert found[0].message.startswith("'failback inmediate': multipathd rejects the value")
