"""Boot and Xen benchmark: parse generated files of each kind, and run the BOOT/XEN rules on a
generated site of many hosts.

Run: python benchmarks/bench_boot_xen.py   (prints figures; never fails on timing)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xsanconf
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site


def init_script(lines: int) -> str:
    header = (
        "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: iscsitarget\n"
        "# Required-Start: $remote_fs $syslog $network $time procps\n"
        "# Default-Start: 2 3 4 5\n### END INIT INFO\n"
    )
    return header + "".join(f'  echo "line {i}" # step {i}\n' for i in range(lines))


def unit(lines: int) -> str:
    body = "[Unit]\n" + "".join(f"After=unit{i}.service other{i}.target\n" for i in range(lines))
    return body + "[Service]\nExecStart=/bin/true\n"


def guest(disks: int) -> str:
    items = "\n".join(f"  'phy:/dev/mapper/lun{i},xvd{i},w',  # disk {i}" for i in range(disks))
    return (
        f"name = 'vm'\nmemory = 512\nvcpus = 2\ndisk = [\n{items}\n]\nvif = [ 'bridge=xenbr0' ]\n"
    )


def sxp(entries: int) -> str:
    return "".join(f"(key-{i} 'value {i}')\n# comment {i}\n" for i in range(entries))


def timed(label: str, text: str, kind: str, rounds: int = 5) -> None:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        doc = xsanconf.loads(text, kind)
        best = min(best, time.perf_counter() - start)
    assert doc.render() == text
    lines = text.count("\n")
    print(f"{label:<34} {lines:>7} lines  {best * 1000:8.1f} ms  {lines / best:>10,.0f} lines/s")


def site(hosts: int, root: Path) -> None:
    for h in range(hosts):
        base = root / f"san{h}" / "etc"
        for rel in ("init.d", "rc2.d", "rc0.d", "xen/auto"):
            (base / rel).mkdir(parents=True, exist_ok=True)
        (base / "hostname").write_text(f"san{h}\n")
        (base / "init.d/iscsitarget").write_text(init_script(50))
        (base / "init.d/drbd").write_text(init_script(50).replace("iscsitarget", "drbd"))
        for link, target in (
            ("rc2.d/S20iscsitarget", "iscsitarget"),
            ("rc2.d/S70drbd", "drbd"),
            ("rc0.d/K08drbd", "drbd"),
            ("rc0.d/K20iscsitarget", "iscsitarget"),
        ):
            os.symlink(f"../init.d/{target}", base / link)
        (base / "xen/vm1.cfg").write_text(guest(4).replace("name = 'vm'", "name = 'vm1'"))
        (base / "xen/xend-config.sxp").write_text("(xend-relocation-server yes)\n")


def main() -> None:
    timed("init-script (opaque body)", init_script(10_000), "init-script")
    timed("systemd-unit", unit(10_000), "systemd-unit")
    timed("xen-domain (one 10k-item disk list)", guest(10_000), "xen-domain")
    timed("xend-config", sxp(5_000), "xend-config")
    with tempfile.TemporaryDirectory() as tmp:
        site(200, Path(tmp))
        start = time.perf_counter()
        loaded = Site.load([tmp])
        loaded_at = time.perf_counter()
        result = lint(loaded, LintOptions(select=("BOOT", "XEN")))
        end = time.perf_counter()
        print(
            f"site of 200 hosts: load {loaded_at - start:.2f} s, BOOT+XEN rules "
            f"{end - loaded_at:.2f} s, {len(result.diagnostics)} diagnostics"
        )


if __name__ == "__main__":
    main()
