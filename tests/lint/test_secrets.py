"""No secret reaches any output: every report format of xsanlint and ``xsanconf parse``.

The site below sets a secret in every format that has them (drbd shared-secret, ietd CHAP
accounts, iscsid passwords, xl vncpasswd, xend vncpasswd), on lines that draw findings (a CHAP
secret too short, a mismatched password, secrets that differ between peers) and on lines that do
not parse (where the parser's message quotes the word it stumbled on).  Some values sit where no
line pattern sees them -- a drbd ``shared-secret`` value on the next line, a Xen value after a
backslash continuation or split into adjacent strings, an xend value on the next line, an
iscsid password line without ``=`` -- on lines that draw findings or that a fix's diff shows.
Every secret starts with ``SeKrit``.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.lint.conftest import Runner
from tests.lint.sites import write_site
from xsanconf.api import loads
from xsanconf.data import Directive, to_data
from xsanconf.secrets import (
    document_secrets,
    line_table,
    redact,
    redact_diff,
    redact_document,
    redact_document_lines,
    redact_line,
    scrub,
    secret_map,
    secret_spans,
    secret_values,
)

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


# drbd lets a value sit on the line after its keyword: a finding (DRBD007) and its fix on the
# value's line, a fix two lines below another value (shown as the diff's context), and a syntax
# error on a value's line
_NEXT_LINE = (
    'resource r1 {\n  net {\n    shared-secret\n      "SeKritNextLine"; no-tcp-cork;\n'
    "    cram-hmac-alg sha1;\n  }\n  disk {\n    on-io-error detach;\n  }\n  net {\n"
    '    shared-secret\n      "SeKritContext";\n    cram-hmac-alg sha1;\n    no-tcp-cork;\n'
    "  }\n" + _PEERS.replace("drbd0", "drbd1").replace("7788", "7789").replace("sda1", "sda2")
)
_NEXT_LINE_ERROR = 'resource r9 {\n  net {\n    shared-secret\n      "SeKritNextErr" }\n}\n'

SITE = {
    "san1": {
        "etc/drbd.conf": 'include "drbd.d/*.res";\n',
        "etc/drbd.d/r0.res": _drbd("SeKritDrbdOne"),
        # a syntax error on the secret's own line, in a file drbdadm does not read (one it
        # reads would leave san1's DRBD configuration unknown, and DRBD006 silent)
        "etc/drbd.d/err.res.orig": (
            "resource r8 {\n  net {\n    shared-secret SeKritErrA SeKritErrB }\n}\n"
        ),
        "etc/drbd.d/next.res": _NEXT_LINE,
        "etc/drbd.d/nexterr.res.orig": _NEXT_LINE_ERROR,
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
        # an unquoted word is a variable xl does not have: the parse error quotes it (in a
        # guest config it is a Python name, set on xm's command line: a computed value)
        "etc/xen/xl.conf": "vncpasswd = SeKritBare\n",
        "etc/xen/vm2.cfg": 'name = "vm2"\nvncpasswd = SeKritBareVm\n',
        # the value after a continuation, on a line whose disk draws XEN002
        "etc/xen/vm3.cfg": (
            'name = "vm3"\nvncpasswd = \\\n'
            '    "SeKritCont"; disk = [ "phy:/dev/mapper/nope,xvda,w" ]\n'
        ),
        # adjacent strings (only Python joins them: a Python statement), the second on a line
        # whose disk draws XEN002
        "etc/xen/vm4.cfg": (
            'name = "vm4"\nvncpasswd = "SeKritJoinA" \\\n'
            '    "SeKritJoinB"; disk = [ "phy:/dev/mapper/nope4,xvda,w" ]\n'
        ),
        "etc/xen/vm5.cfg": 'name = "vm5"\nvncpasswd = "SeKritSameA" "SeKritSameB"\n',
        # the value on the line of a relocation server open to all (XEN003)
        "etc/xen/xend-config.sxp": "(vncpasswd\n  'SeKritXend') (xend-relocation-server yes)\n",
        "etc/multipath.conf": "defaults {\n  user_friendly_names yes\n}\n",
    },
    "xen2": {
        # iscsid drops a line without '=' (SYN005), but the words after the key are the password
        "etc/iscsi/iscsid.conf": (
            "node.startup = automatic\nnode.session.auth.password SeKritNoEquals\n"
        ),
    },
}


FILES = [(host, rel) for host, files in SITE.items() for rel in files]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", SITE)


# The lines that hold a value where no line pattern finds it, as the reports show them
# (a finding sits on each: DRBD007, SYN001, XEN002, XEN003), and as they are.
_VALUE_LINES = {
    "      ********; no-tcp-cork;": '      "SeKritNextLine"; no-tcp-cork;',
    "      ******** }": '      "SeKritNextErr" }',
    '    ********; disk = [ "phy:/dev/mapper/nope,xvda,w" ]': (
        '    "SeKritCont"; disk = [ "phy:/dev/mapper/nope,xvda,w" ]'
    ),
    '    ********; disk = [ "phy:/dev/mapper/nope4,xvda,w" ]': (
        '    "SeKritJoinB"; disk = [ "phy:/dev/mapper/nope4,xvda,w" ]'
    ),
    "  ********) (xend-relocation-server yes)": "  'SeKritXend') (xend-relocation-server yes)",
    "node.session.auth.password ********": "node.session.auth.password SeKritNoEquals",
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "html"])
def test_no_report_format_shows_a_secret(xsanlint: Runner, site: Path, fmt: str) -> None:
    code, out, err = xsanlint(site, "--isolated", "-f", fmt)
    assert code == 1, err
    codes = _codes(xsanlint, site)
    # the findings on secret lines are there (the test would prove nothing without them)
    assert {"SYN001", "IET007", "ISCSI003", "DRBD006", "DRBD007", "XEN002", "XEN003"} <= codes
    assert {"SYN005"} <= codes
    assert MARK not in out and MARK not in err
    _, counted, _ = xsanlint(site, "--isolated", "-f", fmt, "--statistics")
    assert MARK not in counted
    if fmt == "text":
        assert "    shared-secret ********" in out  # the source line, masked
        assert "variable '********'" in out  # the parse error's quoted word, masked
        for shown in _VALUE_LINES:
            assert f"\n    {shown}\n" in out
    if fmt == "html":
        for shown in _VALUE_LINES:
            assert f"| {html.escape(shown)}</span>" in out


def test_diff_shows_no_secret(xsanlint: Runner, site: Path) -> None:
    _, out, err = xsanlint(site, "--isolated", "--diff", "--unsafe-fixes")
    assert MARK not in out and MARK not in err
    # a fixed line holding a value is left out (a masked line would not apply), and the
    # context of another fix stops short of the line holding a value
    assert "no-tcp-cork;\n+      " not in out
    assert "next.res:" in err and "change not shown" in err
    assert "\n     cram-hmac-alg sha1;\n-    no-tcp-cork;\n+    tcp-cork no;\n" in out
    assert "********" not in out
    _, out, _ = xsanlint(site, "--isolated", "--diff", "--show-secrets")
    assert '\n-      "SeKritNextLine"; no-tcp-cork;\n' in out
    assert '\n       "SeKritContext";\n' in out


def test_show_secrets_shows_them_in_source_excerpts(xsanlint: Runner, site: Path) -> None:
    _, out, _ = xsanlint(site, "--isolated", "--show-secrets")
    assert "    shared-secret SeKritErrA SeKritErrB }" in out
    assert "      IncomingUser joe SeKritShort" in out
    assert "    node.session.auth.password = SeKritWrongPass" in out
    assert "variable 'SeKritBare'" in out
    for written in _VALUE_LINES.values():
        assert f"\n    {written}\n" in out
    _, out, _ = xsanlint(site, "--isolated", "--show-secrets", "-f", "json")
    assert "SeKritBare" in out
    _, out, _ = xsanlint(site, "--isolated", "--show-secrets", "-f", "html")
    assert (
        html.escape(_VALUE_LINES['    ********; disk = [ "phy:/dev/mapper/nope4,xvda,w" ]']) in out
    )


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
        assert done.returncode == 1  # err.res and xl.conf do not parse
        assert MARK not in done.stdout and MARK not in done.stderr
    envelope = json.loads(_xsanconf("parse", "--json", *paths).stdout)
    parsed = {Path(c["file"]).name: c for c in envelope["config"]}
    assert parsed["ietd.conf"]["status"] == "ok" and parsed["iscsid.conf"]["status"] == "ok"
    assert parsed["vm1.cfg"]["status"] == "ok" and parsed["r0.res"]["status"] == "ok"
    shown = _xsanconf("parse", "--json", "--show-secrets", *paths)
    for secret in ("SeKritIetOut12", "SeKritWrongPass", "SeKritVnc", "SeKritDrbdOne"):
        assert secret in shown.stdout
    for secret in ("SeKritNoEquals", "SeKritNextLine", "SeKritCont", "SeKritXend"):
        assert secret in shown.stdout
    for secret in ("SeKritBareVm", "SeKritJoinA", "SeKritJoinB", "SeKritSameB"):
        assert secret in shown.stdout  # the Python statements of xm configs
    assert "SeKritBare" in shown.stderr
    outline = _xsanconf("parse", *paths).stdout
    assert "  node.session.auth.password ********" in outline  # the line iscsid drops
    assert "  shared-secret ********" in outline and "  vncpasswd ********" in outline


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


# where each format's reading finds a secret (the line pattern alone finds none of these)


@pytest.mark.parametrize(
    ("kind", "text", "shown"),
    [
        # drbd: the value on the next line, in a skipped block, in a file that does not parse
        (
            "drbd",
            'common { net {\n  shared-secret\n\t"v1"; protocol C;\n} }\n',
            "common { net {\n  shared-secret\n\t********; protocol C;\n} }\n",
        ),
        (
            "drbd",
            "skip { shared-secret\n  v2; }\n",
            "skip { shared-secret\n  ********; }\n",
        ),
        (
            "drbd",
            "resource r { net { shared-secret\n  v3 } }\n",
            "resource r { net { shared-secret\n  ******** } }\n",
        ),
        # ietd: CHAP accounts, keywords in any case
        ("ietd", "incominguser joe v4 v5\n", "incominguser joe ******** ********\n"),
        # iscsid: as idbm reads the line: no '=' (dropped), '=' glued (dropped), read
        ("iscsid", "node.session.auth.password v6\n", "node.session.auth.password ********\n"),
        ("iscsid", "node.session.auth.password=v7\n", "node.session.auth.password=********\n"),
        (
            "iscsid",
            "\tnode.session.auth.password_in:v8 \n",
            "\tnode.session.auth.password_in:******** \n",
        ),
        ("iscsid", "node.session.auth.password ==v9\n", "node.session.auth.password =********\n"),
        (
            "iscsid",
            "node.session.auth.password_length = 8\n",
            "node.session.auth.password_length = 8\n",
        ),
        # xen: a continuation, adjacent strings and a bare word (the file does not parse), vfb
        ("xen-domain", "vncpasswd = \\\n  'v10'\n", "vncpasswd = \\\n  ********\n"),
        (
            "xen-domain",
            "spicepasswd = 'v11' \\\n  'v12'\nname = 'x'\n",
            # the line pattern, the net for text that did not parse, takes the backslash too
            "spicepasswd = ********\n  ********\nname = 'x'\n",
        ),
        (
            "xen-domain",
            "x = 1 +\nvncpasswd = \\\n v13\n",
            "x = 1 +\nvncpasswd = ********\n ********\n",
        ),
        # a numeral Python cannot read (a leading zero) is masked, not raised
        ("xen-domain", "x = 1 +\nvncpasswd = 08\n", "x = 1 +\nvncpasswd = ********\n"),
        (
            "xen-domain",
            "vfb = [ 'vnc=1,vncpasswd=v14,vnclisten=0.0.0.0' ]\n",
            "vfb = [ 'vnc=1,vncpasswd=********,vnclisten=0.0.0.0' ]\n",
        ),
        ("xl-conf", "vnc.passwd = \\\n 'v15'\n", "vnc.passwd = \\\n ********\n"),
        # xend: the value on the next line, also in a file that does not parse
        ("xend-config", "(vncpasswd\n 'v16')\n", "(vncpasswd\n ********)\n"),
        ("xend-config", "(vncpasswd\n 'v17'\n", "(vncpasswd\n ********\n"),
    ],
)
def test_the_format_reading_finds_the_secret(kind: str, text: str, shown: str) -> None:
    doc = loads(text, kind, recover=True)
    assert redact_document(doc) == shown
    lines = text.split("\n")
    assert redact_document_lines(doc, 1, len(lines)) == shown.split("\n")
    assert [redact_line(line, doc=doc, number=n) for n, line in enumerate(lines, 1)] == (
        shown.split("\n")
    )


def test_secret_values_from_the_model_scrub_what_quotes_them() -> None:
    text = 'resource r { net { shared-secret\n  "Tw0Lines"; } }\n'
    assert "Tw0Lines" not in secret_values(text)  # the line pattern sees no keyword there
    found = secret_values(text, kind="drbd")
    assert {"Tw0Lines", '"Tw0Lines"'} <= found
    assert document_secrets(loads(text, "drbd")) == found
    assert scrub("a message quoting Tw0Lines", found) == "a message quoting ********"
    assert secret_spans(loads(text, "drbd")) == [(text.index('"Tw0'), text.index(";"))]


def test_redact_diff_masks_context_removed_and_added_lines() -> None:
    before = loads('vncpasswd = \\\n  "abc"; name = "a"\nmemory = 1\n', "xen-domain")
    after = loads('vncpasswd = \\\n  "abc"; name = "b"\nmemory = 1\n', "xen-domain")
    diff = '@@ -1,3 +1,3 @@\n vncpasswd = \\\n-  "abc"; name = "a"\n+  "abc"; name = "b"\n'
    assert redact_diff(diff, [before, after]) == (
        '@@ -1,3 +1,3 @@\n vncpasswd = \\\n-  ********; name = "a"\n+  ********; name = "b"\n'
    )


def test_a_line_two_documents_read_differently_is_shown_masked() -> None:
    read = secret_map(loads("vncpasswd = \\\n  'abc'\n", "xen-domain"))
    unparsed = secret_map(loads("vncpasswd = \\\n  'abc' 'd'\n", "xen-domain", recover=True))
    for maps in ([read, unparsed], [unparsed, read]):
        assert line_table(maps)["vncpasswd = \\"] == "vncpasswd = ********"


def test_hide_secrets_scrubs_values_only_the_model_finds(site: Path) -> None:
    from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
    from xsanconf.lint.engine import LintResult
    from xsanconf.lint.redaction import hide_secrets
    from xsanconf.lint.site import Site

    found = Diagnostic(
        "X", "x", Severity.WARNING, "SeKritNextLine SeKritCont SeKritJoinB", Location("x")
    )
    hidden = hide_secrets(LintResult([found], []), Site.load([site]))
    assert hidden.diagnostics[0].message == "******** ******** ********"


def test_drbd_parse_data_masks_a_skipped_block() -> None:
    doc = loads("skip {\n  shared-secret\n    SeKrit2;\n}\n", "drbd")
    (skipped,) = to_data(doc, redact_secrets=True)["directives"]
    assert skipped["block"][0]["args"] == ["\n  shared-secret\n    ********;\n"]


def test_iscsid_parse_data_masks_a_dropped_password_line() -> None:
    doc = loads("node.session.auth.password SeKrit1\nnode.startup = manual\n", "iscsid")
    data = to_data(doc, redact_secrets=True)["directives"]
    assert data[0]["name"] == "node.session.auth.password ********"
    assert data[1]["args"] == ["manual"]


# pieces of the settings that hold secrets, and the punctuation around them
_SECRETISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "shared-secret",
                "vncpasswd",
                "IncomingUser",
                "node.session.auth.password",
                *"(){};='\" \n#x",
                "\\\n",
                "\r\n",
            ]
        ),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=30,
).map("".join)


@pytest.mark.parametrize("kind", ["drbd", "ietd", "iscsid", "xen-domain", "xl-conf", "xend-config"])
@given(text=_SECRETISH)
def test_any_text_masks_within_its_lines(kind: str, text: str) -> None:
    doc = loads(text, kind, recover=True)
    found = secret_map(doc)
    assert all(0 <= s < e <= len(text) for s, e in found.spans)
    assert found.masked().count("\n") == text.count("\n")
    lines = text.split("\n")
    assert len(found.lines(1, len(lines))) == len(lines)
