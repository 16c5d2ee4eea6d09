"""modprobe.d parse benchmark: a generated 10,000-line file, and augtool's Modprobe lens on the
same file in the same run as the baseline.

Run: python benchmarks/bench_modprobe.py   (prints figures; never fails on timing)
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


def generate(lines: int) -> str:
    """A modprobe.d file of ``lines`` lines: options, aliases, blacklists, installs, softdeps,
    comments and blank lines, in the proportions of real files."""
    out = []
    for i in range(lines):
        kind = i % 10
        if kind in (0, 1, 2):
            out.append(f"options mod{i % 500} param_{i}={i} flag_{i % 7}=Y mode=fast\n")
        elif kind == 3:  # quoted values are rare in real files; one options line in four here
            out.append(f'options mod{i % 500} param_{i}={i} dyndbg="file x.c +p"\n')
        elif kind == 4:
            out.append(f"alias pci:v0000{i:04X}d*sv*sd*bc*sc*i* mod{i % 500}\n")
        elif kind == 5:
            out.append(f"blacklist mod-{i}\n")
        elif kind == 6:
            out.append(f"install mod{i} /sbin/modprobe --ignore-install mod{i} $CMDLINE_OPTS\n")
        elif kind == 7:
            out.append(f"softdep mod{i} pre: dep{i} post: other{i}\n")
        elif kind == 8:
            out.append(f"# comment line {i}: why this module needs these options\n")
        else:
            out.append("\n")
    return "".join(out)


def load(text: str) -> object:
    """What augtool's load does: the whole file read into a tree (ours lossless, with its
    typed model on top; reading a value reads its token)."""
    return xsanconf.loads(text, "modprobe").model


def load_and_read_params(text: str) -> int:
    """Load, then read every ``options`` line kmod accepts and every parameter on it."""
    config = xsanconf.loads(text, "modprobe").model
    return sum(len(line.params) for line in config.options())


def best_of(runs: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def augtool_seconds(text: str) -> float | None:
    """augtool loading the file with the Modprobe lens only (``--noautoload``), best of 3."""
    augtool = shutil.which("augtool")
    if augtool is None:
        return None
    with tempfile.TemporaryDirectory() as root:
        Path(root, "x.conf").write_text(text)
        command = [augtool, "--noautoload", "--root", root, "--transform", "Modprobe incl /x.conf"]
        probe = "match /files/x.conf/options[1]\nprint /augeas/files/x.conf/error\n"

        def run() -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, input=probe, capture_output=True, text=True, check=False)

        done = run()
        if "/files/x.conf/options[1]" not in done.stdout or "error" in done.stdout:
            return None
        return best_of(3, run)


def main() -> None:
    load_and_read_params(generate(10))  # build the grammar once
    text = generate(10_000)
    mb = len(text.encode()) / 1e6
    lines = text.count("\n")
    print(f"modprobe.d: {lines} lines, {mb:.2f} MB, generated")
    ours = {
        "load": best_of(7, lambda: load(text)),
        "load + every options param": best_of(7, lambda: load_and_read_params(text)),
    }
    theirs = augtool_seconds(text)
    for what, seconds in ours.items():
        print(
            f"  xsanconf {what:<27} {seconds * 1000:6.1f} ms  "
            f"({lines / seconds / 1000:4.0f} klines/s, {mb / seconds:5.2f} MB/s)"
            + (f"  {theirs / seconds:4.1f}x faster than augtool" if theirs else "")
        )
    if theirs is None:
        print("  augtool: not installed, or the Modprobe lens rejected the file (no baseline)")
    else:
        print(
            f"  augtool --noautoload, Modprobe lens, load: {theirs * 1000:6.1f} ms (target: >= 2x)"
        )


if __name__ == "__main__":
    main()
