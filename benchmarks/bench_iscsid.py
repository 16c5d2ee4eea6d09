"""iscsid.conf parse benchmark: a generated 10,000-line file, and augtool's Iscsid lens on the
same file in the same run as the baseline.

Run: python benchmarks/bench_iscsid.py   (prints figures; never fails on timing)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xsanconf

_KEYS = [
    ("node.startup", "automatic"),
    ("node.session.timeo.replacement_timeout", "15"),
    ("node.conn[0].timeo.noop_out_interval", "5"),
    ("node.conn[0].timeo.noop_out_timeout", "10"),
    ("node.session.auth.authmethod", "CHAP"),
    ("node.session.auth.username", "initiator"),
    ("node.session.auth.password", "s3cret-pass"),
    ("node.session.iscsi.FastAbort", "No"),
    ("node.session.cmds_max", "128"),
    ("discovery.sendtargets.iscsi.MaxRecvDataSegmentLength", "32768"),
]


def generate(lines: int) -> str:
    """An iscsid.conf of ``lines`` lines: settings with varied spacing, comments, blank lines,
    commented-out defaults and inline comments, in the proportions of the shipped file."""
    out = []
    for i in range(lines):
        key, value = _KEYS[i % len(_KEYS)]
        kind = i % 8
        if kind in (0, 1, 2):
            out.append(f"{key} = {value}\n")
        elif kind == 3:
            out.append(f"{key}\t=\t{value}  # tuned on host {i}\n")
        elif kind in (4, 5):
            out.append(f"# {key} = {value}: the default, see README section 8.{i % 9}\n")
        elif kind == 6:
            out.append("#\n" if i % 16 == 6 else "\n")
        else:
            out.append(f"  iface.iscsi_ifacename = iface{i}\n")
    return "".join(out)


def parse_and_entries(text: str) -> int:
    """Parse and read every line's name and value: what augtool's tree holds."""
    doc = xsanconf.loads(text, "iscsid")
    return len([(e.key, e.value) for e in doc.model.entries])


def parse_and_read(text: str) -> int:
    """Parse, then compute what iscsid itself reads (every line, every key, its quirks)."""
    doc = xsanconf.loads(text, "iscsid")
    return len(doc.model.settings())


def best_of(runs: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def augtool_seconds(text: str) -> float | None:
    """augtool loading the file with the Iscsid lens only (``--noautoload``), best of 3."""
    augtool = shutil.which("augtool")
    if augtool is None:
        return None
    with tempfile.TemporaryDirectory() as root:
        Path(root, "iscsid.conf").write_text(text)
        command = [
            augtool,
            "--noautoload",
            "--root",
            root,
            "--transform",
            "Iscsid incl /iscsid.conf",
        ]
        probe = "match /files/iscsid.conf/node.startup[1]\nprint /augeas/files/iscsid.conf/error\n"

        def run() -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, input=probe, capture_output=True, text=True, check=False)

        done = run()
        if "/files/iscsid.conf/node.startup[1]" not in done.stdout or "error" in done.stdout:
            return None
        return best_of(3, run)


def main() -> None:
    parse_and_read(generate(10))  # warm up
    text = generate(10_000)
    mb = len(text.encode()) / 1e6
    lines = text.count("\n")
    loading = best_of(5, lambda: parse_and_entries(text))
    reading = best_of(5, lambda: parse_and_read(text))
    print(
        f"iscsid.conf, {lines} lines, {mb:.2f} MB: parse+entries {loading * 1000:.1f} ms "
        f"({lines / loading / 1000:.0f} klines/s, {mb / loading:.2f} MB/s); "
        f"parse+what iscsid reads {reading * 1000:.1f} ms ({lines / reading / 1000:.0f} klines/s)"
    )
    theirs = augtool_seconds(text)
    if theirs is None:
        print("augtool: not installed, or the Iscsid lens rejected the file (no baseline)")
        return
    print(
        f"augtool --noautoload (Iscsid lens) load: {theirs * 1000:.1f} ms; xsanconf is "
        f"{theirs / loading:.1f}x faster to load, {theirs / reading:.1f}x with the iscsid "
        "emulation (target >= 2x)"
    )


if __name__ == "__main__":
    main()
