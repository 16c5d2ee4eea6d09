"""contrib/xsan-capture.sh: each command into its file, nothing for a missing or failing tool,
and what it writes is a host xsanlint reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from xsanconf.lint.facts.captures import CAPTURE_FILES, captures
from xsanconf.lint.site import Site

SCRIPT = Path(__file__).resolve().parent.parent / "contrib" / "xsan-capture.sh"
STUBS = {
    # drbdadm status of a connected pair
    "drbdadm": 'echo "r0 role:Primary"; echo "  disk:UpToDate"; echo "  san2 role:Secondary"; '
    'echo "    peer-disk:UpToDate"',
    # no session: iscsiadm says so and exits 21 (ISCSI_ERR_NO_OBJS_FOUND)
    "iscsiadm": 'if [ "$2" = session ]; then echo "iscsiadm: No active sessions."; exit 21; fi; '
    'echo "10.0.0.1:3260,1 iqn.2009-02.nl.example:storage.xensan"',
    "multipath": 'echo "multipath: permission denied" >&2; exit 1',
    "cat": "exit 1",
}


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX sh on this machine")
def test_capture_script(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mkdir", "mv", "rm", "uname"):
        real = shutil.which(tool)
        assert real is not None
        (bin_dir / tool).symlink_to(real)
    for tool, body in STUBS.items():
        stub = bin_dir / tool
        stub.write_text(f"#!/bin/sh\n{body}\n")
        stub.chmod(0o755)
    host = tmp_path / "site" / "san1"
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    sh = shutil.which("sh")
    assert sh is not None
    done = subprocess.run(
        [sh, str(SCRIPT), str(host)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    written = sorted(os.listdir(host / "captures"))
    assert written == ["drbdadm-status.txt", "iscsiadm-node.txt", "iscsiadm-session.txt"]
    assert "targetcli is not installed; no targetcli-ls.txt" in done.stderr
    assert "'multipath -ll' failed (exit 1); no multipath-ll.txt" in done.stderr
    # every file it writes is one xsanlint looks for
    looked_for = {rel for rels in CAPTURE_FILES.values() for rel in rels}
    assert {f"captures/{name}" for name in written} <= looked_for
    (site_host,) = Site.load([tmp_path / "site"]).hosts
    status = captures(site_host).drbd_status()
    assert status is not None and status.parsed.resources[0].role == "Primary"
    sessions = captures(site_host).iscsi_sessions()
    assert sessions is not None and sessions.parsed.sessions == ()


def test_every_capture_the_script_writes_is_read() -> None:
    text = SCRIPT.read_text()
    names = {line.split()[1] for line in text.splitlines() if line.startswith("capture ")}
    looked_for = {rel.removeprefix("captures/") for rels in CAPTURE_FILES.values() for rel in rels}
    assert names <= looked_for, names - looked_for
