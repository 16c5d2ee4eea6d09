"""Every rule over every codec's worst-case numbers: a finding or nothing, never an internal error.

Each number of a small site (the example sites, and one that puts a number in every slot a codec
or rule reads as one) is replaced by a worst case: 5,000 digits (over Python's 4,300-digit limit
for ``int()``), 5,000 leading zeros, a leading zero, ``08`` (not octal), a 5,000-digit hex
number.  The site must load, lint with no rule failing, and draw its graph.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.lint.conftest import REPO
from tests.lint.sites import write_site
from xsanconf.graph import build_graph
from xsanconf.lint.engine import lint
from xsanconf.lint.site import Site

WORST: dict[str, Callable[[str], str]] = {
    "huge": lambda digits: "9" * 5000,
    "zeros": lambda digits: "0" * 5000 + digits,
    "leading-zero": lambda digits: "0" + digits,
    "not-octal": lambda digits: "08",
    "huge-hex": lambda digits: "0x" + "f" * 5000,
}

# A number (N) wherever a codec, a domain type or a rule reads one.
N = "4711"
EVERY_SLOT = {
    "san1": {
        "etc/drbd.conf": (
            f"global {{ usage-count no; minor-count {N}; }}\n"
            f"common {{ net {{ protocol C; max-buffers {N}; }} syncer {{ rate {N}M; }} }}\n"
            "resource r0 {\n"
            f"  volume {N} {{ device minor {N}; disk /dev/vg0/v; meta-disk /dev/md0[{N}]; }}\n"
            f"  on san1 {{ device /dev/drbd{N}; disk /dev/vg0/r0; address 10.0.0.1:{N};"
            f" meta-disk internal; node-id {N}; }}\n"
            f"  on san2 {{ device /dev/drbd0 minor {N}; disk /dev/vg0/r0;"
            f" address ipv6 [fe80::1]:{N}; meta-disk /dev/sdb[{N}]; node-id {N}; }}\n"
            "}\n"
        ),
        "etc/iet/ietd.conf": (
            "Target iqn.2024-01.org.example:r0\n"
            "\tIncomingUser user secretsecret12\n"
            f"\tLun {N} Path=/dev/drbd{N},Type=blockio,ScsiId={N},ScsiSN={N},BlockSize={N}\n"
            f"\tLun -{N} Path=/dev/drbd0,Type=fileio,IOMode=wb\n"
            f"\tMaxConnections {N}\n"
            f"\tMaxSessions {N}\n"
            "Target iqn.2024-01.org.example:open\n"
            f"\tLun 0 Path=/dev/drbd{N},Type=blockio\n"
        ),
        "etc/iet/initiators.allow": (
            f"iqn.2024-01.org.example:open 10.0.0.0/{N}, [fe80::1]/0x{N}\n"
            f"ALL 10.0.0.0/{N}, [fe80::1]/0x{N}, 10.1.0.0/0{N}\n"
        ),
        "etc/default/iscsitarget": f"ISCSITARGET_ENABLE={N}\n",
        "var/lib/dpkg/status": "".join(
            f"Package: {package}\nStatus: install ok installed\nVersion: 2:{N}.{N}-1\n\n"
            for package in ("drbd-utils", "iscsitarget", "multipath-tools", "open-iscsi", "kmod")
        ),
        f"etc/rc2.d/S{N}iscsitarget": "",
        "etc/init.d/iscsitarget": (
            "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: iscsitarget\n"
            f"# Required-Start: drbd\n# Default-Start: {N}\n### END INIT INFO\n"
        ),
    },
    "xen1": {
        "etc/iscsi/iscsid.conf": (
            f"node.session.timeo.replacement_timeout = {N}\n"
            "node.startup = manual\n"
            "node.session.auth.authmethod = CHAP\n"
            "node.session.auth.username = user\n"
            "node.session.auth.password = secretsecret12\n"
            f"node.session.cmds_max = {N}\n"
            f"node.conn[0].port = -{N}\n"
        ),
        "etc/iscsi/initiatorname.iscsi": f"InitiatorName=iqn.2024-{N}.org.example:x{N}\n",
        "etc/multipath.conf": (
            f"defaults {{\n\tpolling_interval {N}\n\tno_path_retry {N}\n\tverbosity {N}\n"
            f'\tdev_loss_tmo {N}\n\tfeatures "{N} queue_if_no_path"\n'
            f"\tfind_multipaths_timeout -{N}\n\tuxsock_timeout {N}\n}}\n"
            f'blacklist {{\n\tdevnode "^sd[a-z]{{{N}}}"\n\twwid "x{{1,{N}}}"\n}}\n'
            f"multipaths {{\n\tmultipath {{\n\t\twwid 3600{N}\n\t\talias a{N}\n"
            f"\t\tno_path_retry {N}\n\t}}\n}}\n"
            f"devices {{\n\tdevice {{\n\t\tvendor IET\n\t\tproduct x\n\t\trr_min_io {N}\n"
            f'\t\thardware_handler "{N} alua"\n\t}}\n}}\n'
        ),
        "etc/modprobe.d/sbp2.conf": (
            f"options firewire_sbp2 exclusive_login={N}\n"
            f"options sbp2 exclusive_login=0{N}\n"
            f"options dm_multipath queue_if_no_path=0x{N}\n"
        ),
        "etc/modules": f"loop max_loop={N}\nfirewire_sbp2\nsbp2 exclusive_login=-{N}\n",
        "etc/xen/vm1.cfg": (
            f"memory = {N}\nvcpus = {N}\nname = 'vm{N}'\n"
            f"disk = ['phy:/dev/mapper/a{N},xvda,w', 'phy:/dev/drbd{N},xvdb,w']\n"
        ),
        "etc/xen/xl.conf": f"autoballoon = {N}\n",
        "etc/xen/xend-config.sxp": f"(xend-relocation-port {N})\n",
    },
}


def _worsen(root: Path, worst: Callable[[str], str]) -> None:
    """Every run of digits in every file of the site made worst."""
    for path in root.rglob("*"):
        if path.is_file() and path.name != "hostname":
            path.write_text(re.sub(r"[0-9]+", lambda m: worst(m.group()), path.read_text()))


def _every_slot(worst: str) -> dict[str, dict[str, str]]:
    """EVERY_SLOT with each N made worst (in a file name, as long as a name may be)."""
    return {
        host: {rel.replace(N, worst[:200]): text.replace(N, worst) for rel, text in files.items()}
        for host, files in EVERY_SLOT.items()
    }


def _sites(tmp_path: Path, worst: Callable[[str], str]) -> list[Path]:
    out = []
    for name in (
        "example",
        "stack-ok",
        "iscsi-chap",
        "iscsi-records",
        "mpath-names-differ",
        "drbd-drift",
    ):
        out.append(tmp_path / name)
        shutil.copytree(REPO / "fixtures" / "sites" / name, out[-1])
        _worsen(out[-1], worst)
    out.append(write_site(tmp_path / "every-slot", _every_slot(worst(N))))
    return out


@pytest.mark.parametrize("case", list(WORST))
def test_worst_case_numbers_never_fail_a_rule(tmp_path: Path, case: str) -> None:
    for root in _sites(tmp_path, WORST[case]):
        site = Site.load([root])
        result = lint(site)
        assert not result.failures, (root.name, result.failures)
        assert result.diagnostics, root.name  # the site was linted, not skipped
        build_graph(site, result.diagnostics)


def test_the_every_slot_site_reads_its_numbers(tmp_path: Path) -> None:
    """The slots are real: unchanged, the site lints without any syntax error."""
    site = Site.load([write_site(tmp_path, EVERY_SLOT)])
    found = lint(site)
    assert not found.failures
    assert not [d for d in found.diagnostics if d.code == "SYN001"], found.diagnostics


def test_a_xen_number_xl_cannot_read_is_a_syn001_and_the_site_is_linted(tmp_path: Path) -> None:
    files = {
        "etc/xen/vm1.cfg": "name = 'vm1'\nvcpus = 08\n",
        "etc/xen/xl.conf": "memory = 09\n",
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=1\n",
    }
    site = Site.load([write_site(tmp_path, {"xen1": files})])
    found = lint(site)
    assert not found.failures
    where = {
        (d.location.path.rsplit("/", 1)[-1], d.location.line, d.location.column, d.code)
        for d in found.diagnostics
    }
    assert {("vm1.cfg", 2, 9, "SYN001"), ("xl.conf", 1, 10, "SYN001")} <= where
    assert any(d.code == "MOD001" for d in found.diagnostics)  # the rest of the host still linted
