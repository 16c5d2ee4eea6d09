"""xsanlint benchmark: cold processes, as a user or a pre-commit hook runs it.

Measures ``python3 -c pass`` in the same run as the baseline, then ``xsanlint --version``,
``xsanlint`` on the example site, and on generated sites of 50 and 500 hosts (pairs of SAN heads
with a DRBD resource and an IET target, Xen hosts with open-iscsi, multipath and modprobe).
Prints wall times, their ratios to the baseline and the 50 -> 500 host scaling.

Also ``xsanlint query luns`` on the 500-host site, against the plain lint of that site.

Targets: --version <= 6x, the example site <= 12x the baseline; 500 hosts <= 11x 50 hosts;
query luns <= 2x the plain lint.
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
QUERY_TARGET = 2.0  # `xsanlint query luns` against a plain lint of the same 500-host site


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
    """One head of SAN pair ``pair``: two DRBD resources, each exported as a LUN."""
    port = 7788 + pair % 1000
    res = "".join(
        f"resource r{pair}v{volume} {{\n\tnet {{\n\t\tprotocol C;\n\t}}\n"
        + "".join(
            f"\ton san{pair}-{h} {{\n\t\tdevice /dev/drbd{volume};\n"
            f"\t\tdisk /dev/vg0/lv{volume};\n"
            f"\t\taddress 10.{pair // 250}.{pair % 250}.{h}:{port + 1000 * volume};\n"
            "\t\tmeta-disk internal;\n\t}\n"
            for h in (1, 2)
        )
        + "}\n"
        for volume in (0, 1)
    )
    return {
        "etc/hostname": f"san{pair}-{head}\n",
        "etc/drbd.conf": 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n',
        "etc/drbd.d/global_common.conf": "global {\n\tusage-count no;\n}\ncommon {\n}\n",
        f"etc/drbd.d/r{pair}.res": res,
        "etc/ietd.conf": (
            "IncomingUser discovery Disc0veryPass12\n"
            f"Target iqn.2009-02.nl.example:r{pair}\n"
            "\tIncomingUser xen SessionPass12\n"
            f"\tLun 0 Path=/dev/drbd0,Type=blockio,ScsiId={_scsi_id(pair, 0)}\n"
            f"\tLun 1 Path=/dev/drbd/by-res/r{pair}v1,Type=blockio,ScsiId={_scsi_id(pair, 1)}\n"
        ),
        "etc/initiators.allow": f"iqn.2009-02.nl.example:r{pair} 10.0.0.0/8\n",
        "etc/default/iscsitarget": "ISCSITARGET_ENABLE=true\n",
    }


def _scsi_id(pair: int, lun: int) -> str:
    return f"{pair:014x}{lun:02x}"


def _wwid(pair: int, lun: int) -> str:
    # what udev reports for an IET LUN: "1", vendor "IET" padded to 8, then the 16 ScsiId bytes
    return "1" + b"IET\0\0\0\0\0".hex() + _scsi_id(pair, lun).encode().hex()


def _xen(index: int, pairs: int) -> dict[str, str]:
    """A Xen host using LUNs of three SAN pairs through multipath, with a guest on each map."""
    used = [((index // 2 + k) % pairs, k % 2) for k in range(3)]
    maps = "".join(
        f"\tmultipath {{\n\t\twwid {_wwid(pair, lun)}\n\t\talias r{pair}l{lun}\n\t}}\n"
        for pair, lun in used
    )
    files = {
        "etc/hostname": f"xen{index}\n",
        "etc/iscsi/initiatorname.iscsi": f"InitiatorName=iqn.2009-02.nl.example:xen{index}\n",
        "etc/iscsi/iscsid.conf": (
            "node.startup = automatic\nnode.session.timeo.replacement_timeout = 15\n"
            "node.session.auth.authmethod = CHAP\nnode.session.auth.username = xen\n"
            "node.session.auth.password = SessionPass12\n"
            "discovery.sendtargets.auth.authmethod = CHAP\n"
            "discovery.sendtargets.auth.username = discovery\n"
            "discovery.sendtargets.auth.password = Disc0veryPass12\n"
        ),
        "etc/multipath.conf": (
            "defaults {\n\tuser_friendly_names no\n\tpath_grouping_policy failover\n}\n"
            'blacklist {\n\tdevnode "^(ram|loop|fd)[0-9]*"\n}\n'
            f"multipaths {{\n{maps}}}\n"
        ),
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "etc/modules": "sbp2\n",
    }
    for pair, lun in used:
        files[f"etc/xen/vm-r{pair}l{lun}.cfg"] = (
            f"name = 'vm-r{pair}l{lun}'\nmemory = 512\n"
            f"disk = ['phy:/dev/mapper/r{pair}l{lun},xvda,w']\n"
        )
    return files


def generate(root: Path, hosts: int) -> Path:
    """A site of ``hosts`` hosts: half SAN heads in pairs, half Xen hosts using their LUNs."""
    pairs = max(1, (hosts + 3) // 4)
    for index in range(hosts):
        if index % 2 == 0:
            pair, head = divmod(index // 2, 2)
            files, name = _san(pair, head + 1), f"san{pair}-{head + 1}"
        else:
            files, name = _xen(index, pairs), f"xen{index}"
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
        query = wall([*xsanlint, "query", "luns", str(site)], 3)
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
    versus = query / figures["500 hosts"]
    verdict = "met" if versus <= QUERY_TARGET else "MISSED"
    print(
        f"query luns, 500 hosts: {query * 1000:.1f} ms, {versus:.2f}x plain xsanlint "
        f"(target <= {QUERY_TARGET:g}x: {verdict})"
    )


if __name__ == "__main__":
    main()
