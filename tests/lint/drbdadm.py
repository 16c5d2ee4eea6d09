"""Run drbd-utils' drbdadm as DRBD 9, 8.4 or 8.3 would (its back-ends), for oracle tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# sbin is not on every PATH (a user's, CI's)
DRBDADM = shutil.which("drbdadm") or next(
    (p for p in ("/usr/sbin/drbdadm", "/sbin/drbdadm") if Path(p).exists()), None
)
# drbdadm 9 hands a configuration to its 8.4 or 8.3 back-end by the loaded module's version;
# the override stands in for the module, and __DRBD_NODE__ for ``uname -n`` (8.3, 8.4).
DRIVER = {"9": "9.2.0", "8.4": "8.4.11", "8.3": "8.3.16"}
BACKENDS = {"8.4": "drbdadm-84", "8.3": "drbdadm-83"}
NODE = "alpha"


def missing() -> str | None:
    """Why the oracle cannot run here, or None."""
    if DRBDADM is None:
        return "drbdadm is not installed (Debian package drbd-utils)"
    for name in BACKENDS.values():
        if (
            not (Path(DRBDADM).resolve().parent.parent / "lib" / "drbd" / name).exists()
            and not (Path("/usr/lib/drbd") / name).exists()
        ):
            return f"drbd-utils' {name} back-end is not installed"
    return None


def run_dump(
    config: Path, version: str, node: str | None = NODE
) -> subprocess.CompletedProcess[str]:
    """``drbdadm -c CONFIG dump all`` as DRBD ``version`` would run it (``node`` stands for
    ``uname -n``; None: the machine's own)."""
    env = {**os.environ, "DRBD_DRIVER_VERSION_OVERRIDE": DRIVER[version]}
    if node is not None:
        env["__DRBD_NODE__"] = node
    return subprocess.run(
        [DRBDADM or "drbdadm", "-c", str(config), "dump", "all"],
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        env=env,
        timeout=30,
        check=False,
    )


def refusal(text: str, version: str, tmp_path: Path) -> str | None:
    """What ``drbdadm dump`` at ``version`` says when it refuses ``text``; None: it reads it.

    Exit status 10 and 20 are configuration errors; 1 only says that no resource names this
    node (8.3 checks that in ``dump``), which is no refusal of the text.
    """
    target = tmp_path / "drbd.conf"
    target.write_text(text, encoding="utf-8", errors="surrogateescape")
    done = run_dump(target, version)
    if done.returncode in (0, 1):
        return None
    return done.stderr.strip() or f"exit status {done.returncode}"
