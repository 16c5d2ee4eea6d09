"""SYN rules over targets.conf: what tgt-admin refuses (SYN001), ignores (SYN002) and reads
otherwise (SYN005), from scripts/tgt-admin of fujita/tgt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

REPO = Path(__file__).resolve().parents[2]


def _found(tmp_path: Path, text: str, code: str) -> list[str]:
    write_site(tmp_path, {"h": {"etc/tgt/targets.conf": text}})
    site = Site.load([tmp_path])
    found = lint(site, LintOptions(select=(code,))).diagnostics
    return [f"{d.location.line}: {d.message}" for d in found if d.code == code]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<target t>\n backing-store /dev/a\n write-cache\n</target>\n",
            "3: 'write-cache' has no value",
        ),
        (
            "<target t>\n backing-store /dev/a\n incominguser alone\n</target>\n",
            "3: 'incominguser alone' has no password",
        ),
        ("default-driver iscsi\ndefault-driver iser\n", "2: 'default-driver' is given again"),
        (
            "<target t>\n <backing-store /dev/a>\n  lun 1\n  lun 2\n </backing-store>\n</target>\n",
            "4: 'lun' is given again in this lun",
        ),
        (
            "<target t>\n backing-store /dev/a\n scsi_id a\n scsi_id b\n</target>\n",
            "4: 'scsi_id' is given again in this target",
        ),
        (
            "<target t>\n backing-store /dev/a\n"
            " <backing-store /dev/b>\n </backing-store>\n</target>\n",
            "3: 'backing-store' is both a line and a <backing-store> block",
        ),
        ("<target>\n backing-store /dev/a\n</target>\n", "1: a <target> block without a name"),
    ],
)
def test_what_tgt_admin_refuses(tmp_path: Path, text: str, expected: str) -> None:
    (found,) = _found(tmp_path, text, "SYN001")
    assert found.startswith(expected)


def test_a_target_without_luns_reads_no_lun_option(tmp_path: Path) -> None:
    # add_backing_direct checks the target-level options once per LUN: none, no check
    assert _found(tmp_path, "<target t>\n scsi_id a\n scsi_id b\n</target>\n", "SYN001") == []


def test_unknown_options_and_case(tmp_path: Path) -> None:
    text = "Default-Driver iscsi\n<target t>\n Backing-Store /dev/a\n</target>\n"
    text += "<Target u>\n</Target>\n"
    found = _found(tmp_path, text, "SYN002")
    case = "tgt-admin ignores it (names are case-sensitive:"
    assert found == [
        f"1: unknown option 'Default-Driver' outside a target: {case} 'default-driver')",
        f"3: unknown option 'Backing-Store' in a target: {case} 'backing-store')",
        f"5: block <Target> outside a target: {case} 'target')",
    ]


def test_an_unknown_write_cache_value_leaves_the_cache_on(tmp_path: Path) -> None:
    (found,) = _found(
        tmp_path, "<target t>\n backing-store /dev/a\n write-cache no\n</target>\n", "SYN005"
    )
    assert found.startswith("3: write-cache 'no' is neither on nor off")


@pytest.mark.parametrize("name", ["tgt-servers", "tgt-servers-bad"])
def test_the_fixture_sites_hold_nothing_tgt_admin_refuses(name: str) -> None:
    site = Site.load([REPO / "fixtures" / "sites" / name])
    found = lint(site, LintOptions(select=("SYN",))).diagnostics
    assert [d.message for d in found] == []
