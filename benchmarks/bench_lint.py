"""xsanlint benchmark: cold processes, as a user or a pre-commit hook runs it.

Measures ``python3 -c pass`` in the same run as the baseline, then ``xsanlint --version``,
``xsanlint`` on the example site, and on generated sites of 50 and 500 hosts (pairs of SAN heads
with a DRBD resource and an IET target, Xen hosts with open-iscsi, multipath and modprobe).
Prints wall times, their ratios to the baseline and the 50 -> 500 host scaling.

Targets: --version <= 6x, the example site <= 12x the baseline; 500 hosts <= 11x 50 hosts.
Run: python benchmarks/bench_lint.py   (prints figures; never fails on timing)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "fixtures" / "sites" / "example"
TARGETS = {"--version": 6.0, "example site": 12.0}
SCALING_TARGET = 11.0


def xsanlint_command() -> list[str]:
    script = Path(sys.executable).parent / "xsanlint"
    if script.exists():
        return [str(script)]
    found = shutil.which("xsanlint")
    if found:
        return [found]
    return [sys.executable, "-c", "from xsanconf.lint.cli import run; run()"]


# An installed xsanlint runs from byte-compiled modules; let the warm-up run write them.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str], repeat: int) -> float:
    """Median wall time of ``repeat`` cold runs (after one warm-up for caches and bytecode)."""
    subprocess.run(command, capture_output=True, check=False, env=ENV)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _san(pair: int, head: int) -> dict[str, str]:
    port = 7788 + pair % 1000
    res = (
        f"resource r{pair} {{\n\tnet {{\n\t\tprotocol C;\n\t}}\n"
        + "".join(
            f"\ton san{pair}-{h} {{\n\t\tdevice /dev/drbd0;\n\t\tdisk /dev/vg0/lv;\n"
            f"\t\taddress 10.{pair // 250}.{pair % 250}.{h}:{port};\n"
            "\t\tmeta-disk internal;\n\t}\n"
            for h in (1, 2)
        )
        + "}\n"
    )
    return {
        "etc/hostname": f"san{pair}-{head}\n",
        "etc/drbd.conf": 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n',
        "etc/drbd.d/global_common.conf": "global {\n\tusage-count no;\n}\ncommon {\n}\n",
        f"etc/drbd.d/r{pair}.res": res,
        "etc/ietd.conf": (
            f"Target iqn.2009-02.nl.example:r{pair}\n"
            f"\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId={pair:016x}\n"
        ),
        "etc/default/iscsitarget": "ISCSITARGET_ENABLE=true\n",
    }


def _xen(index: int) -> dict[str, str]:
    return {
        "etc/hostname": f"xen{index}\n",
        "etc/iscsi/initiatorname.iscsi": f"InitiatorName=iqn.2009-02.nl.example:xen{index}\n",
        "etc/iscsi/iscsid.conf": (
            "node.startup = automatic\nnode.session.timeo.replacement_timeout = 15\n"
        ),
        "etc/multipath.conf": (
            "defaults {\n\tuser_friendly_names yes\n}\nmultipaths {\n\tmultipath {\n"
            f"\t\twwid 149455400000000000000000000000000{index:016x}\n\t\talias vm{index}\n"
            "\t}\n}\n"
        ),
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "etc/modules": "sbp2\n",
    }


def generate(root: Path, hosts: int) -> Path:
    """A site of ``hosts`` hosts: half SAN heads in pairs, half Xen hosts."""
    for index in range(hosts):
        if index % 2 == 0:
            pair, head = divmod(index // 2, 2)
            files, name = _san(pair, head + 1), f"san{pair}-{head + 1}"
        else:
            files, name = _xen(index), f"xen{index}"
        for rel, text in files.items():
            path = root / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def main() -> None:
    xsanlint = xsanlint_command()
    baseline = wall([sys.executable, "-c", "pass"], 15)
    print(f"python3 -c pass: {baseline * 1000:.1f} ms (baseline)")
    figures = {
        "--version": wall([*xsanlint, "--version"], 15),
        "example site": wall([*xsanlint, "--exit-zero", str(EXAMPLE)], 7),
    }
    with tempfile.TemporaryDirectory() as temp:
        for hosts in (50, 500):
            site = generate(Path(temp) / f"site{hosts}", hosts)
            figures[f"{hosts} hosts"] = wall([*xsanlint, "--exit-zero", str(site)], 3)
    for name, seconds in figures.items():
        ratio = seconds / baseline
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"  (target <= {target:g}x: {'met' if ratio <= target else 'MISSED'})"
        )
        print(f"xsanlint {name:<13} {seconds * 1000:8.1f} ms  {ratio:6.1f}x baseline{verdict}")
    scaling = figures["500 hosts"] / figures["50 hosts"]
    verdict = "met" if scaling <= SCALING_TARGET else "MISSED"
    print(f"50 -> 500 hosts: {scaling:.1f}x the time (target <= {SCALING_TARGET:g}x: {verdict})")


if __name__ == "__main__":
    main()
