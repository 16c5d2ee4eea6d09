"""Differential test: what xsanconf reads from each corpus drbd.conf equals what drbdadm dumps.

``drbdadm -c FILE dump all`` prints the configuration it understood, normalised, in drbd.conf
syntax; xsanconf parses that dump too, and the facts are compared: resources, host sections,
addresses, and each volume's minor, disk and meta-disk after inheritance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import xsanconf
from tests.corpus import corpus_files, read
from tests.lint.drbdadm import DRBDADM, run_dump
from xsanconf.formats.drbd import DrbdConfig

# Files both drbdadm parsers (9 and 8.4) reject, and why xsanconf parses them anyway: each is
# rejected (ParseError) or flagged by a lint rule, as noted.
DRBDADM_REJECTS = {
    "008__lucashlx__drbd-heartbeat__drbd.d__global_common.conf": "U+00A0: ParseError",
    "013__portsip__portsip-pbx-ha-guide__pbxdata.res": "host name as address: not an IP",
    "014__asapcal__codgit3-clusterdrbdgfs__r0.res": "placeholder address 10.255.255.x",
    "015__iraj-norouzi__drbd-redundant__r0.res": "statement outside any section",
    "019__LINBIT__drbd-utils__scripts__drbd.conf": "include of a file not in the corpus: SYN003",
    "020__LINBIT__drbd-utils__scripts__drbd.conf.example": "tiebreaker: newer drbd-utils read it",
    "025__LINBIT__drbd-utils__tests__v9__nat-address.res": "proxy outside-address (drbd-proxy)",
}


def dump(file: Path, tmp_path: Path) -> tuple[int, str]:
    target = tmp_path / "drbd.conf"
    target.write_bytes(file.read_bytes())
    for version in ("9", "8.4"):
        done = run_dump(target, version, node=None)
        if done.returncode == 0:
            return 0, done.stdout
    return done.returncode, done.stderr


def facts(config: DrbdConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for resource in config.resources:
        hosts = {}
        for host in resource.hosts:
            if host.keyword != "on":
                continue
            volumes = {
                v.number: (
                    v.device.effective_minor if v.device else None,
                    v.disk,
                    "internal"
                    if v.meta_disk is None or v.meta_disk.internal
                    else v.meta_disk.device,
                )
                for v in resource.effective_volumes(host)
            }
            address = host.address
            hosts[" ".join(host.names)] = (address.endpoint if address else None, volumes)
        out[resource.name] = hosts
    return out


@pytest.mark.oracle
@pytest.mark.skipif(DRBDADM is None, reason="drbdadm is not installed (Debian package drbd-utils)")
@pytest.mark.parametrize("file", corpus_files("drbd"))
def test_model_matches_drbdadm_dump(file: Path, tmp_path: Path) -> None:
    code, output = dump(file, tmp_path)
    ours = xsanconf.loads(read(file), "drbd", recover=True)
    if code != 0:
        reason = DRBDADM_REJECTS.get(file.name)
        assert reason, f"drbdadm rejects a file xsanconf does not list: {output[:300]}"
        return
    assert file.name not in DRBDADM_REJECTS, "drbdadm accepts it now: update the list"
    theirs = xsanconf.loads(output, "drbd")
    expected = facts(theirs.model)
    got = facts(ours.model)
    # drbdadm dumps only real resources; its 9 parser fills in a meta-disk of `internal`
    assert got == expected
