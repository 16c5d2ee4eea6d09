"""xsanconf.load_host: a host's files as the linter reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import xsanconf
from tests.lint.sites import write_site

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "sites" / "example"


def test_resources_from_included_files_are_found() -> None:
    host = xsanconf.load_host(EXAMPLE / "san1")
    assert host.name == "san1"
    found = host.drbd_resource("xensan")
    assert found is not None
    file, res = found
    assert file.rel == "etc/drbd.d/xensan.res"
    assert res.name == "xensan"
    assert host.drbd_resource("absent") is None
    # the etc directory names the same host
    assert xsanconf.load_host(EXAMPLE / "san1" / "etc").drbd_resource("xensan") is not None


def test_problems_are_kept_on_the_host(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": 'include "missing.conf";\n'}})
    host = xsanconf.load_host(tmp_path / "h")
    assert [p.code for p in host.problems] == ["SYN003"]


def test_a_site_or_a_file_is_no_host(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds 4 hosts"):
        xsanconf.load_host(EXAMPLE)
    with pytest.raises(ValueError, match="not a directory"):
        xsanconf.load_host(EXAMPLE / "san1" / "etc" / "drbd.conf")
    with pytest.raises(ValueError, match="no etc/ directory"):
        xsanconf.load_host(tmp_path)


def test_import_stays_cheap() -> None:
    code = (
        "import sys, xsanconf; xsanconf.load_host; "
        "print(sorted(m for m in sys.modules if m.startswith(('xsanconf.lint', 'lark'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
