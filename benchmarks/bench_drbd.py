"""drbd.conf parse benchmark: throughput, scaling, memory, import time; drbdadm as a baseline.

Run: python benchmarks/bench_drbd.py   (prints figures; never fails on timing)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xsanconf


def generate(resources: int) -> str:
    """A drbd.conf with ``resources`` two-host resources, comments and blank lines."""
    out = [
        "# generated for the benchmark\nglobal {\n\tusage-count no;\n}\n",
        "common {\n\tnet {\n\t\tprotocol C;\n\t}\n}\n",
    ]
    for i in range(resources):
        out.append(
            f"\n# resource {i}: replicated LV for guest {i}\n"
            f"resource r{i} {{\n"
            f"\tnet {{\n\t\tallow-two-primaries yes;  # live migration\n"
            f"\t\tafter-sb-0pri discard-zero-changes;\n\t\tafter-sb-1pri discard-secondary;\n\t}}\n"
            f"\tdisk {{\n\t\tresync-rate 100M;\n\t}}\n"
            f"\ton san1 {{\n\t\tdevice /dev/drbd{i} minor {i};\n\t\tdisk /dev/vg0/lv{i};\n"
            f"\t\taddress ipv4 10.0.{i // 250}.{i % 250 + 1}:{7000 + i % 1000};\n"
            "\t\tmeta-disk internal;\n\t}\n"
            f"\ton san2 {{\n\t\tdevice /dev/drbd{i} minor {i};\n\t\tdisk /dev/vg0/lv{i};\n"
            f"\t\taddress ipv4 10.1.{i // 250}.{i % 250 + 1}:{7000 + i % 1000};\n"
            "\t\tmeta-disk internal;\n\t}\n"
            "}\n"
        )
    return "".join(out)


def parse_and_model(text: str) -> int:
    doc = xsanconf.loads(text, "drbd")
    return len(doc.model.resources)


def best_of(runs: int, func, *args) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best


def drbdadm_seconds(text: str) -> float | None:
    drbdadm = shutil.which("drbdadm")
    if drbdadm is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "drbd.conf")
        path.write_text("global { disable-ip-verification; }\n" + text.split("}\n", 1)[1])
        env = {**os.environ, "DRBD_DRIVER_VERSION_OVERRIDE": "9.2.0"}
        start = time.perf_counter()
        done = subprocess.run(
            [drbdadm, "-c", str(path), "dump", "all"], capture_output=True, env=env, check=False
        )
        elapsed = time.perf_counter() - start
        return elapsed if done.returncode == 0 else None


def import_seconds() -> float:
    code = "import xsanconf"
    root = str(Path(__file__).resolve().parent.parent)

    def run(c: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", c], check=True, cwd=root)
        return time.perf_counter() - start

    base = min(run("pass") for _ in range(5))
    return min(run(code) for _ in range(5)) - base


def main() -> None:
    parse_and_model(generate(10))  # build the grammar once
    times = {}
    for n in (1_000, 10_000):
        text = generate(n)
        mb = len(text.encode()) / 1e6
        seconds = best_of(3 if n < 10_000 else 2, parse_and_model, text)
        times[n] = seconds
        print(f"N={n:>6}: {mb:6.2f} MB  parse+model {seconds:6.3f} s  {mb / seconds:5.2f} MB/s")
        theirs = drbdadm_seconds(text)
        if theirs is not None:
            print(
                f"          drbdadm dump all {theirs:6.3f} s"
                f"  xsanconf/drbdadm time ratio {seconds / theirs:5.2f}"
            )
        else:
            print("          drbdadm: not installed or rejected the file (no baseline)")
    print(f"scaling N=10,000 / N=1,000: {times[10_000] / times[1_000]:.2f}x (target <= 11x)")
    text = generate(10_000)
    tracemalloc.start()
    doc = xsanconf.loads(text, "drbd")
    _ = doc.model.resources
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = len(text.encode())
    print(
        f"peak memory {peak / 2**20:.1f} MiB for {size / 2**20:.1f} MiB input: "
        f"{peak / size:.1f} bytes per input byte (target <= 25 + 30 MiB)"
    )
    print(
        f"import xsanconf: {import_seconds() * 1000:.1f} ms over `python -c pass` (target <= 60 ms)"
    )


if __name__ == "__main__":
    main()
