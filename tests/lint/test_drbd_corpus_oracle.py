"""Differential test: what drbdadm 9, 8.4 and 8.3 refuse in the corpus, xsanlint flags at that
version, and xsanlint claims no refusal the tool does not make.

Each corpus drbd file is the ``etc/drbd.conf`` of one host whose captured ``proc/drbd`` names
the module version, so that the host runs exactly that DRBD (and DRBD011 speaks on the
evidence).  drbdadm's verdict is ``drbdadm -c FILE dump all`` with its 8.4 and 8.3 back-ends
chosen as the loaded module would choose them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import corpus_files, read
from tests.lint.drbdadm import DRIVER, NODE, missing, refusal
from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]

VERSIONS = ("9", "8.4", "8.3")

# (file, version) -> why xsanlint and drbdadm disagree there.
REFUSED_UNFLAGGED = {
    ("020__LINBIT__drbd-utils__scripts__drbd.conf.example", "9"): (
        "'tiebreaker' in a volume: drbd-utils after the installed 9.22 read it, so the 9 table "
        "keeps it"
    ),
    ("025__LINBIT__drbd-utils__tests__v9__nat-address.res", "9"): (
        "DRBD Proxy's 'outside-address' (host ... via proxy): newer drbd-utils than the "
        "installed 9.22 read it"
    ),
}
FLAGGED_ACCEPTED = {
    ("005__currycan__rabbitmq__drbd.d__global_common.conf", version): (
        "the file ends inside 'common' (no closing brace); drbdadm takes end of file as the "
        "end of the section, SYN001 reports the truncated file"
    )
    for version in VERSIONS
}


def claims_refusal(found: Diagnostic) -> bool:
    """Whether a finding says that drbdadm refuses the text."""
    code, message = found.code, found.message
    if code in ("SYN001", "SYN002", "DRBD011"):
        return True
    if code == "SYN003":
        return found.severity is Severity.ERROR
    if code == "SYN007":
        return "drbdadm" in message  # drbdsetup's refusals come when the options are applied
    if code == "DRBD010":
        return "no protocol" in message
    return code == "DRBD007" and "refuses" in message


def claims(file: Path, version: str, tmp_path: Path) -> list[Diagnostic]:
    status = f"version: {DRIVER[version]} (api:1/proto:86-101)\n"
    write_site(tmp_path / "site", {NODE: {"etc/drbd.conf": read(file), "proc/drbd": status}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions())
    return [d for d in result.diagnostics if claims_refusal(d)]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("file", corpus_files("drbd"))
def test_refusals_agree_with_drbdadm(file: Path, version: str, tmp_path: Path) -> None:
    theirs = refusal(read(file), version, tmp_path)
    ours = claims(file, version, tmp_path)
    key = (file.name, version)
    if theirs is not None and not ours:
        assert key in REFUSED_UNFLAGGED, f"drbdadm {version} refuses, unflagged: {theirs[-300:]}"
    elif theirs is None and ours:
        shown = [f"{d.code} {d.location.line}: {d.message}" for d in ours]
        assert key in FLAGGED_ACCEPTED, f"drbdadm {version} reads it, but: {shown}"
    else:
        listed = key in REFUSED_UNFLAGGED or key in FLAGGED_ACCEPTED
        assert not listed, "xsanlint and drbdadm agree now: take the file off the list"
