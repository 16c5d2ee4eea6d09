"""No secret reaches any output: every report format of xsanlint and ``xsanconf parse``.

The site below sets a secret in every format that has them (drbd shared-secret, ietd CHAP
accounts, iscsid passwords, xl vncpasswd), on lines that draw findings (a CHAP secret too short,
a mismatched password, secrets that differ between peers) and on lines that do not parse (where
the parser's message quotes the word it stumbled on).  Every secret starts with ``SeKrit``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lint.conftest import Runner
from tests.lint.sites import write_site
from xsanconf.data import Directive
from xsanconf.secrets import redact, redact_line, scrub, secret_values

MARK = "SeKrit"

_PEERS = """\
  on san1 {
    device /dev/drbd0;
    disk /dev/sda1;
    address 10.0.0.1:7788;
    meta-disk internal;
  }
  on san2 {
    device /dev/drbd0;
    disk /dev/sda1;
    address 10.0.0.2:7788;
    meta-disk internal;
  }
}
"""


def _drbd(secret: str) -> str:
    net = (
        f'  net {{\n    cram-hmac-alg sha1;\n    shared-secret "{secret}";\n    protocol C;\n  }}\n'
    )
    return "resource r0 {\n" + net + _PEERS


SITE = {
    "san1": {
        "etc/drbd.conf": 'include "drbd.d/*.res";\n',
        "etc/drbd.d/r0.res": _drbd("SeKritDrbdOne"),
        # a syntax error on the secret's own line, in a file drbdadm does not read (one it
        # reads would leave san1's DRBD configuration unknown, and DRBD006 silent)
        "etc/drbd.d/err.res.orig": (
            "resource r8 {\n  net {\n    shared-secret SeKritErrA SeKritErrB }\n}\n"
        ),
        "etc/ietd.conf": (
            "IncomingUser disc SeKritIetDisc1\n"
            "Target iqn.2001-04.com.example:san1.r0\n"
            "  IncomingUser joe SeKritShort\n"  # 11 characters: IET007
            "  OutgoingUser out SeKritIetOut12\n"
            "  Lun 0 Path=/dev/drbd0,Type=blockio\n"
        ),
    },
    # the peer's secret differs: DRBD006 names the setting, never the values
    "san2": {"etc/drbd.conf": _drbd("SeKritDrbdOther")},
    "xen1": {
        "etc/iscsi/iscsid.conf": (
            "node.startup = automatic\n"
            "node.session.auth.authmethod = CHAP\n"
            "node.session.auth.username = joe\n"
            "node.session.auth.password = SeKritWrongPass\n"  # matches no account: ISCSI003
            "node.session.auth.password_in = SeKritIn\n"
            "discovery.sendtargets.auth.password = SeKritDisco\n"
        ),
        "etc/xen/vm1.cfg": (
            'name = "vm1"\nvncpasswd = "SeKritVnc"\n'
            'vfb = [ "vnc=1,vncpasswd=SeKritVfb" ]\ndisk = [ "phy:/dev/drbd0,xvda,w" ]\n'
        ),
        # an unquoted word is a Python name to xl: the parse error quotes it
        "etc/xen/vm2.cfg": 'name = "vm2"\nvncpasswd = SeKritBare\n',
    },
}

FILES = [(host, rel) for host, files in SITE.items() for rel in files]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", SITE)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_no_report_format_shows_a_secret(xsanlint: Runner, site: Path, fmt: str) -> None:
    code, out, err = xsanlint(site, "--isolated", "-f", fmt, "--statistics")
    assert code == 1, err
    codes = _codes(xsanlint, site)
    # the findings on secret lines are there (the test would prove nothing without them)
    assert {"SYN001", "IET007", "ISCSI003", "DRBD006"} <= codes
    assert MARK not in out and MARK not in err
    if fmt == "text":
        assert "    shared-secret ********" in out  # the source line, masked
        assert "variable '********'" in out  # the parse error's quoted word, masked


def test_diff_shows_no_secret(xsanlint: Runner, site: Path) -> None:
    _, out, err = xsanlint(site, "--isolated", "--diff", "--unsafe-fixes")
    assert MARK not in out and MARK not in err


def test_show_secrets_shows_them_in_source_excerpts(xsanlint: Runner, site: Path) -> None:
    _, out, _ = xsanlint(site, "--isolated", "--show-secrets")
    assert "    shared-secret SeKritErrA SeKritErrB }" in out
    assert "      IncomingUser joe SeKritShort" in out
    assert "    node.session.auth.password = SeKritWrongPass" in out
    assert "variable 'SeKritBare'" in out
    _, out, _ = xsanlint(site, "--isolated", "--show-secrets", "-f", "json")
    assert "SeKritBare" in out


def _codes(xsanlint: Runner, site: Path) -> set[str]:
    _, out, _ = xsanlint(site, "--isolated", "-f", "json")
    return {d["code"] for d in json.loads(out)["diagnostics"]}


def _xsanconf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from xsanconf.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_xsanconf_parse_shows_no_secret(site: Path) -> None:
    paths = [str(site / host / rel) for host, rel in FILES]
    for mode in (["--json"], []):
        done = _xsanconf("parse", *mode, *paths)
        assert done.returncode == 1  # err.res and vm2.cfg do not parse
        assert MARK not in done.stdout and MARK not in done.stderr
    envelope = json.loads(_xsanconf("parse", "--json", *paths).stdout)
    parsed = {Path(c["file"]).name: c for c in envelope["config"]}
    assert parsed["ietd.conf"]["status"] == "ok" and parsed["iscsid.conf"]["status"] == "ok"
    assert parsed["vm1.cfg"]["status"] == "ok" and parsed["r0.res"]["status"] == "ok"
    shown = _xsanconf("parse", "--json", "--show-secrets", *paths)
    for secret in ("SeKritIetOut12", "SeKritWrongPass", "SeKritVnc", "SeKritDrbdOne"):
        assert secret in shown.stdout
    assert "SeKritBare" in shown.stderr


# the pieces


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ('    shared-secret "FooFun";', "    shared-secret ********;"),
        ("node.session.auth.password = s3cret", "node.session.auth.password = ********"),
        (
            "discovery.sendtargets.auth.password_in=x",
            "discovery.sendtargets.auth.password_in=********",
        ),
        ("\tIncomingUser joe secretpass12", "\tIncomingUser joe ********"),
        ("\tOutgoingUser", "\tOutgoingUser"),
        ('vncpasswd = "v"', "vncpasswd = ********"),
        ("(vncpasswd v)", "(vncpasswd ********"),
        ("    protocol C;", "    protocol C;"),
        # prose is masked too (harmless), and a commented-out setting holds a real secret
        ("# the password policy", "# the password ********"),
        ("#node.session.auth.password = old", "#node.session.auth.password = ********"),
    ],
)
def test_redact_line(line: str, shown: str) -> None:
    assert redact_line(line) == shown


def test_secret_values_and_scrub() -> None:
    text = (
        'shared-secret "two words";\nIncomingUser joe abc\n'
        "node.session.auth.password_length = 8\nvfb = [ 'vncpasswd=pw1,vnc=1' ]\n"
        "# the password is kept elsewhere\n#IncomingUser old oldpass\n"
    )
    found = secret_values(text)
    assert {"two words", "two", "words", "abc", "pw1", "oldpass"} <= found
    assert not {"8", "joe", "is", "old"} & found
    assert scrub("before 'words' and abcd, abc", found) == "before '********' and abcd, ********"


@pytest.mark.parametrize(
    ("directive", "args"),
    [
        (Directive("IncomingUser", ["joe", "s"]), ["joe", "********"]),
        (Directive("node.session.auth.password", ["s"]), ["********"]),
        (Directive("node.session.auth.password_length", ["8"]), ["8"]),
        (Directive("vfb", ['[ "vnc=1,vncpasswd=s" ]']), ['[ "vnc=1,vncpasswd=********" ]']),
        (Directive("vncpasswd", ['"s"']), ["********"]),
        (Directive("disk", ['[ "phy:/dev/x,xvda,w" ]']), ['[ "phy:/dev/x,xvda,w" ]']),
    ],
)
def test_redact_directive(directive: Directive, args: list[str]) -> None:
    assert redact(directive).args == args


def test_hide_secrets_masks_every_text_a_diagnostic_carries(site: Path) -> None:
    from xsanconf.lint.diagnostics import Diagnostic, Fix, Location, Severity, TextEdit
    from xsanconf.lint.engine import LintResult, RuleFailure
    from xsanconf.lint.redaction import hide_secrets
    from xsanconf.lint.site import Site

    here = Location("x", message="beside SeKritShort")
    edit = TextEdit(
        "x", 3, 1, 3, 30, "  IncomingUser joe SeKritShort\n  IncomingUser bob other12\n"
    )
    found = Diagnostic(
        "IET007",
        "chap-account-problem",
        Severity.WARNING,
        "quoting 'SeKritIetOut12'",
        here,
        related=(here,),
        fix=Fix("replace SeKritShort", safe=False, edits=(edit,)),
    )
    result = LintResult([found], [], failures=[RuleFailure("X", "KeyError: 'SeKritDisco'")])
    hidden = hide_secrets(result, Site.load([site]))
    assert MARK not in repr(hidden)
    (shown,) = hidden.diagnostics
    assert shown.fix is not None
    assert shown.fix.edits[0].text == "  IncomingUser joe ********\n  IncomingUser bob ********\n"
    assert shown.message == "quoting '********'"


def test_scrub_leaves_placeholders_and_punctuation_alone() -> None:
    # the commented-out examples every distribution ships, and xend's "(vncpasswd '')"
    text = (
        "#node.session.auth.password = password\n#IncomingUser joe secret\n"
        "(vncpasswd '')\nvncpasswd = '1'\n"
    )
    found = secret_values(text)
    message = "node.session.auth.password does not match the password (line 1, column 1)"
    assert scrub(message, found) == message
    assert scrub("the CHAP secret is 6 characters long", found).startswith("the CHAP secret")


def test_distribution_placeholders_do_not_garble_messages(xsanlint: Runner, tmp_path: Path) -> None:
    initiator = SITE["xen1"]["etc/iscsi/iscsid.conf"]
    site = write_site(
        tmp_path / "site",
        {
            "san1": {"etc/ietd.conf": SITE["san1"]["etc/ietd.conf"]},
            "xen1": {
                "etc/iscsi/iscsid.conf": "#node.session.auth.password = password\n" + initiator
            },
        },
    )
    code, out, err = xsanlint(site, "--isolated", "--select", "ISCSI003")
    assert code == 1, err
    assert "node.session.auth.password does not match" in out
    assert MARK not in out
