"""A file that does not parse feeds no other rule: what its host's configuration of that kind
says is unknown (``Host.known``), so no rule concludes anything from what it seems to lack.

Each case is a site that draws a finding from a file that parses but lacks something, and the
same site with that file broken (binary, an unclosed brace, garbage): then only SYN001 speaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from _pytest.mark import ParameterSet

from tests.lint.sites import write_site
from tests.lint.stack_hosts import drbd_conf, head, ietd_conf, multipath_conf, wwid
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

BINARY = "\x7fELF\x02\x01\x01\x00\x00\x00 not a configuration file\n"

# XEN002: the guest's map is no alias of xen1 -- unless multipath.conf cannot be read
GUEST = {"etc/xen/vm1.cfg": 'name = "vm1"\ndisk = [ "phy:/dev/mapper/data,xvda,w" ]\n'}
MULTIPATH = "etc/multipath.conf"
MULTIPATH_LACKING = multipath_conf(("3600508b4000156d700012000000b0000", "other"))
MULTIPATH_BROKEN = {
    "binary": BINARY,
    "unclosed brace": "multipaths {\n\tmultipath {\n\t\twwid 3600508b4000156d7\n\t\talias data\n",
    "garbage": "}}} this is { not multipath.conf\n",
}

# DRBD004 and IET005: san1 is in no host section -- unless drbd.conf cannot be read
DRBD = "etc/drbd.conf"
DRBD_LACKING = drbd_conf(("r0", 0)).replace("on san1", "on san3")
DRBD_BROKEN = {
    "binary": BINARY,
    # `on san2` lands inside `on san1`: the model sees one host section
    "unclosed brace": drbd_conf(("r0", 0)).replace("meta-disk internal;\n  }\n", "", 1),
    "garbage": "}}} this is { not drbd.conf\n",
}

# drbdadm refuses the whole configuration when an included file does not parse
DRBD_INCLUDED = "etc/drbd.d/r0.res"
INCLUDING = {**head("0 Path=/dev/drbd0"), DRBD: 'include "drbd.d/*.res";\n'}

# DRBD006: san1's r0 names san2, whose configuration does not define it -- unless it cannot
# be read
PEERS = {"san1": {DRBD: drbd_conf(("r0", 0))}}

# MPATH001: no LUN of the site presents xen1's wwid -- unless san2's ietd.conf cannot be read
IETD = "etc/iet/ietd.conf"
TARGETS = {
    "san1": head("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0-lun0"),
    "xen1": {MULTIPATH: multipath_conf((wwid("r0-lun9"), "data"))},
}
IETD_LACKING = ietd_conf("0 Path=/dev/drbd0,Type=blockio,ScsiId=r0-lun0")

# IET009: ietd reads /etc/iet/ietd.conf, not /etc/ietd.conf -- unless its arguments (-c) in
# /etc/default/iscsitarget cannot be read
BOTH_IETD = {IETD: IETD_LACKING, "etc/ietd.conf": IETD_LACKING}
DEFAULTS = "etc/default/iscsitarget"
DEFAULTS_PLAIN = 'ISCSITARGET_ENABLE=true\nISCSITARGET_OPTIONS=""\n'

# MOD001: no modprobe.d file turns sbp2's exclusive login off -- unless one cannot be read
MODPROBE = "etc/modprobe.d/sbp2.conf"
MODULES = {"etc/modules": "sbp2\n"}


class Case(NamedTuple):
    code: str
    site: dict[str, dict[str, str]]
    host: str  # the host whose file ``rel`` is ``lacking`` or ``broken``
    rel: str
    lacking: str
    broken: str


def _cases() -> Iterator[ParameterSet]:
    for how, text in MULTIPATH_BROKEN.items():
        case = Case("XEN002", {"xen1": GUEST}, "xen1", MULTIPATH, MULTIPATH_LACKING, text)
        yield pytest.param(case, id=f"XEN002-{how}")
    for how, text in DRBD_BROKEN.items():
        for code in ("DRBD004", "IET005"):
            case = Case(code, {"san1": head("0 Path=/dev/drbd0")}, "san1", DRBD, DRBD_LACKING, text)
            yield pytest.param(case, id=f"{code}-{how}")
            case = Case(code, {"san1": INCLUDING}, "san1", DRBD_INCLUDED, DRBD_LACKING, text)
            yield pytest.param(case, id=f"{code}-included-{how}")
    for how, text in DRBD_BROKEN.items():
        case = Case("DRBD006", PEERS, "san2", DRBD, drbd_conf(("r1", 1)), text)
        yield pytest.param(case, id=f"DRBD006-{how}")
    case = Case("MPATH001", TARGETS, "san2", IETD, IETD_LACKING, BINARY)
    yield pytest.param(case, id="MPATH001-binary")
    case = Case("IET009", {"san1": BOTH_IETD}, "san1", DEFAULTS, DEFAULTS_PLAIN, BINARY)
    yield pytest.param(case, id="IET009-binary")
    sets_it = "options sbp2 exclusive_login=0\n" + BINARY
    case = Case("MOD001", {"h": MODULES}, "h", MODPROBE, "options sbp2 serialize_io=1\n", sets_it)
    yield pytest.param(case, id="MOD001-binary")


def _codes(tmp_path: Path, hosts: dict[str, dict[str, str]], code: str) -> list[tuple[str, str]]:
    write_site(tmp_path / "site", hosts)
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code, "SYN001")))
    assert not result.failures, result.failures
    return [(d.code, Path(d.location.path).name) for d in result.diagnostics]


@pytest.mark.parametrize("case", list(_cases()))
def test_a_file_that_does_not_parse_feeds_no_other_rule(tmp_path: Path, case: Case) -> None:
    def with_file(text: str) -> dict[str, dict[str, str]]:
        return {**case.site, case.host: {**case.site.get(case.host, {}), case.rel: text}}

    # the rule reads the file: what it lacks is a finding
    lacking = _codes(tmp_path / "lacking", with_file(case.lacking), case.code)
    assert case.code in {code for code, _ in lacking}
    # broken, it is unknown: SYN001 on the file, nothing else
    broken = _codes(tmp_path / "broken", with_file(case.broken), case.code)
    assert broken == [("SYN001", Path(case.rel).name)]
