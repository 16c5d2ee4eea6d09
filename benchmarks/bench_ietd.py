"""ietd.conf parse benchmark: 5,000 targets with LUNs, accounts, parameters and comments.

There is no Augeas lens (and no native dump tool) for ietd.conf, so the figures are absolute
(MB/s for parse + model), with a plain ``str.splitlines()`` pass over the same text as a
same-run baseline: the ratio says how many line-splits one parse costs.

Run: python benchmarks/bench_ietd.py [TARGETS]   (prints figures; never fails on timing)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xsanconf


def generate(targets: int) -> str:
    """An ietd.conf with ``targets`` stanzas of two LUNs each, in the sample file's style."""
    out = [
        "# generated for the benchmark\n",
        "IncomingUser discovery discoverysecret\n",
        "OutgoingUser target12 targetsecret12\n",
    ]
    for i in range(targets):
        out.append(
            f"\n# guest {i}: two DRBD-backed disks\n"
            f"Target iqn.2001-04.com.example:san.guest{i}\n"
            f"\tIncomingUser guest{i} secret{i:08d}\n"
            f"\tLun 0 Path=/dev/drbd{2 * i},Type=blockio,ScsiId=g{i:07d}d0,ScsiSN=g{i}d0\n"
            f"\tLun 1 Path=/dev/drbd{2 * i + 1},Type=blockio,ScsiId=g{i:07d}d1,IOMode=wt\n"
            f"\tAlias guest{i}\n"
            "\tMaxConnections\t\t1\t\t# We only support 1\n"
            "\tInitialR2T\t\tYes\n"
            "\tImmediateData\t\tYes\n"
            "\t#HeaderDigest\t\tNone,CRC32C\n"
        )
    return "".join(out)


def parse_and_model(text: str) -> int:
    config = xsanconf.loads(text, "ietd").model
    return sum(len(t.luns) for t in config.targets)


def parse_only(text: str) -> int:
    return len(xsanconf.loads(text, "ietd").root.children)


def split_lines(text: str) -> int:
    return len(text.splitlines())


def best_of(runs: int, func: Callable[[str], int], text: str) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    targets = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    text = generate(targets)
    megabytes = len(text.encode()) / 1e6
    luns = parse_and_model(text)  # warm up (grammar cache) and check the content
    assert luns == 2 * targets, luns
    parse = best_of(3, parse_and_model, text)
    parse_alone = best_of(3, parse_only, text)
    baseline = best_of(5, split_lines, text)
    lines = text.count("\n")
    print(f"ietd.conf: {targets} targets, {luns} LUNs, {lines} lines, {megabytes:.2f} MB")
    print(f"  xsanconf parse+model: {parse * 1e3:8.1f} ms  {megabytes / parse:7.2f} MB/s")
    print(
        f"  of which parse:       {parse_alone * 1e3:8.1f} ms  {megabytes / parse_alone:7.2f} MB/s"
    )
    print(f"  str.splitlines():     {baseline * 1e3:8.1f} ms  {megabytes / baseline:7.1f} MB/s")
    print(f"  ratio parse/splitlines: {parse / baseline:.0f}x (no Augeas lens for ietd.conf)")


if __name__ == "__main__":
    main()
