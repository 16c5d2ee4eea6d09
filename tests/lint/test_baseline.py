"""xsanlint --baseline / --update-baseline, end to end."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.lint.conftest import SITES, Runner
from xsanconf.lint import baseline


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copied = tmp_path / "site"
    shutil.copytree(SITES / "example", copied, symlinks=True)
    return copied


def test_update_without_a_baseline_file_is_a_usage_error(xsanlint: Runner, site: Path) -> None:
    code, _, err = xsanlint(site, "--update-baseline")
    assert code == 2 and "--update-baseline needs --baseline FILE" in err


def test_a_missing_baseline_is_a_usage_error(xsanlint: Runner, site: Path) -> None:
    code, _, err = xsanlint(site, "--baseline", site.parent / "none.json")
    assert code == 2 and "no such baseline; write it with --update-baseline" in err


def test_the_baseline_hides_old_findings_and_reports_new_ones(xsanlint: Runner, site: Path) -> None:
    saved = site.parent / "baseline.json"
    code, before, _ = xsanlint(site)
    assert code == 1 and "Found 28 problems" in before
    code, out, err = xsanlint(site, "--baseline", saved, "--update-baseline")
    assert (code, out.strip()) == (0, "No problems found in 20 files of 4 hosts.")
    assert "baseline of 28 findings written" in err
    code, out, err = xsanlint(site, "--baseline", saved)
    assert code == 0 and "No problems found" in out and "28 findings of the baseline" in err

    # lines inserted above the findings move them; they stay known
    res = site / "san1" / "etc" / "drbd.d" / "xensan.res"
    res.write_text("# reviewed 2026-12-06\n#\n\n" + res.read_text())
    code, out, _ = xsanlint(site, "--baseline", saved)
    assert code == 0, out

    # a new mistake is reported, alone
    conf = site / "xen1" / "etc" / "iscsi" / "iscsid.conf"
    conf.write_text(conf.read_text() + "node.session.timeo.replacement_timeout = 5")
    code, out, _ = xsanlint(site, "--baseline", saved)
    assert code == 1
    findings = [line for line in out.splitlines() if ": SYN" in line or ": DRBD" in line]
    assert findings and all("xen1/etc/iscsi/iscsid.conf:7:1: SYN" in f for f in findings)
    assert "SYN005" in out


def test_the_same_mistake_on_another_host_is_new(xsanlint: Runner, tmp_path: Path) -> None:
    dropped = "node.startup = automatic\nnode.session.timeo.replacement_timeout = 5"
    (tmp_path / "site" / "h1" / "etc" / "iscsi").mkdir(parents=True)
    (tmp_path / "site" / "h1" / "etc" / "iscsi" / "iscsid.conf").write_text(dropped)
    saved = tmp_path / "baseline.json"
    assert xsanlint(tmp_path / "site", "--baseline", saved, "--update-baseline")[0] == 0
    shutil.copytree(tmp_path / "site" / "h1", tmp_path / "site" / "h2")
    code, out, _ = xsanlint(tmp_path / "site", "--baseline", saved)
    assert code == 1 and "[h2]" in out and "[h1]" not in out


def test_counts_absorb_as_many_findings_as_they_hold() -> None:
    key = ("SYN005", "h", "etc/x", "f")
    assert baseline.new_findings([], [key, key, key], Counter({key: 2})) == [2]


def test_the_update_is_atomic(
    xsanlint: Runner, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = site.parent / "baseline.json"
    saved.write_text("precious\n")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, _, err = xsanlint(site, "--baseline", saved, "--update-baseline")
    assert code == 2 and "cannot write the baseline: No space left on device" in err
    assert saved.read_text() == "precious\n"
    assert sorted(p.name for p in site.parent.iterdir()) == ["baseline.json", "site"]


def test_the_baseline_holds_no_secret(xsanlint: Runner, tmp_path: Path) -> None:
    site = tmp_path / "chap"
    shutil.copytree(SITES / "iscsi-chap", site, symlinks=True)
    saved = tmp_path / "baseline.json"
    assert xsanlint(site, "--baseline", saved, "--update-baseline")[0] == 0
    text = saved.read_text()
    assert "Disc0verySecret" not in text
    entries = json.loads(text)["findings"]
    assert entries and set(entries[0]) == {"code", "host", "file", "fingerprint", "count"}
    # the same keys with --show-secrets: the baseline does not depend on how it is shown
    code, _, _ = xsanlint(site, "--baseline", saved, "--show-secrets")
    assert code == 0


def test_a_corrupt_baseline_is_a_usage_error(xsanlint: Runner, site: Path) -> None:
    saved = site.parent / "baseline.json"
    saved.write_text('{"format": 1, "findings": [{"code": 1}]}')
    code, _, err = xsanlint(site, "--baseline", saved)
    assert code == 2 and "not a baseline file" in err
