"""SYN002, SYN004 and SYN005 over each format that provides facts, and the secret redaction."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.corpus import CORPUS
from tests.lint.sites import write_site
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.reporters import redact
from xsanconf.lint.site import Site


def _found(
    tmp_path: Path, files: dict[str, str], code: str, **versions: str
) -> list[tuple[str, int, str]]:
    write_site(tmp_path / "site", {"h": files})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,), versions=versions))
    return [(Path(d.location.path).name, d.location.line, d.message) for d in result.diagnostics]


# drbd


def test_drbd_unknown_keywords_per_version(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n"
        "  net {\n"
        "    allow-two-primary yes;\n"  # typo
        "    no-tcp-cork;\n"  # 8.3 and 8.4; 9 takes no-<option> of a known option
        "  }\n"
        "  disk {\n"
        "    allow-two-primaries yes;\n"  # wrong section
        "    no-al-updates;\n"  # 9: no-<option> of a known option
        "  }\n"
        "  connection-mesh {\n"  # 9 only
        "    hosts a b;\n"
        "  }\n"
        "}\n"
    )
    nine = _found(tmp_path / "9", {"etc/drbd.conf": text}, "SYN002")
    assert nine == [
        (
            "drbd.conf",
            3,
            "unknown option 'allow-two-primary' in a 'net' section for DRBD 9; "
            "did you mean 'allow-two-primaries'?",
        ),
        ("drbd.conf", 7, "unknown option 'allow-two-primaries' in a 'disk' section for DRBD 9"),
    ]
    eight = _found(tmp_path / "8", {"etc/drbd.conf": text}, "SYN002", drbd="8.3")
    assert [(line, message.split(" for ")[0]) for _, line, message in eight] == [
        (3, "unknown option 'allow-two-primary' in a 'net' section"),
        (7, "unknown option 'allow-two-primaries' in a 'disk' section"),
        (8, "unknown option 'no-al-updates' in a 'disk' section"),
        (10, "unknown section 'connection-mesh' in a 'resource' section"),
    ]


def test_drbd_hosts_reached_through_a_proxy(tmp_path: Path) -> None:
    # drbd-utils' own test input (tests/v9/proxy_2sites_3nodes.res) writes a connection's and a
    # path's hosts with the proxy's body: drbdadm 9 takes it, and checks the words inside
    text = (
        "resource r {\n"
        "  connection {\n"
        "    host a address 10.0.0.1:7800 via proxy on pa {\n"
        "      inside 10.0.0.4:7800;\n"
        "      outside 10.0.0.4:7801;\n"
        "      options { memlimit 100M; }\n"
        "    }\n"
        "    host b address 10.0.0.2:7800;\n"
        "  }\n"
        "  connection {\n"
        "    path {\n"
        "      host a address 10.0.1.1:7800 via proxy on pa {\n"
        "        insde 10.0.1.4:7800;\n"  # typo
        "        outside 10.0.1.4:7801;\n"
        "      }\n"
        "      host b address 10.0.1.2:7800;\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert _found(tmp_path, {"etc/drbd.conf": text}, "SYN002") == [
        (
            "drbd.conf",
            13,
            "unknown option 'insde' in a 'host-proxy' section for DRBD 9; did you mean 'inside'?",
        )
    ]


def test_drbd_duplicates_in_a_file_and_across_files(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": (
            'include "drbd.d/*.res";\n'
            "resource r0 {\n"
            "  net { protocol C; protocol A; }\n"
            "  net { }\n"
            "  on a { address 10.0.0.1:7788; }\n"
            "  on a { address 10.0.0.1:7789; }\n"
            "}\n"
        ),
        "etc/drbd.d/r0.res": "resource r0 { }\nglobal { }\nglobal { }\n",
        "etc/drbd.d/r0.res~": "resource r0 { }\n",  # nothing includes it: not a duplicate
    }
    found = _found(tmp_path, files, "SYN004")
    assert [(name, line, message.split(";")[0]) for name, line, message in found] == [
        (
            "drbd.conf",
            2,
            f"'resource r0' is defined again (first in {tmp_path}/site/h/etc/drbd.d/r0.res:1)",
        ),
        ("drbd.conf", 3, "'protocol' is set again in the same section (first at line 3)"),
        ("drbd.conf", 4, "a second 'net' section in the same scope (first at line 3)"),
        ("drbd.conf", 6, "a second 'on a' section in the same scope (first at line 5)"),
        ("r0.res", 3, "'global' is defined again (first in line 2)"),
    ]


def test_drbd_read_differently(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n"
        "  net {\n"
        "    cram-hmac-alg sha1\n"  # missing ';': the next option becomes its value
        '    shared-secret "a#b";\n'  # quoted: fine
        "  }\n"
        "  disk {\n"
        "    no-disk-flushes yes;\n"
        "  }\n"
        "}\n"
    )
    found = _found(tmp_path, {"etc/drbd.conf": text}, "SYN005")
    assert [(line, message.split(":")[0]) for _, line, message in found] == [
        (3, "this statement runs on to the next line"),
        (
            7,
            "'no-disk-flushes yes' sets disk-flushes to yes in DRBD 9 (the 'no-' prefix is "
            "ignored once a value is given); write it without 'yes'",
        ),
    ]


# other formats


def test_multipath_facts(tmp_path: Path) -> None:
    text = (
        "defaults {\n\tpolling_intervall 5\n\tudev_dir /dev\n}\n"
        "defaults {\n\tpolling_interval 5\n\tpolling_interval 10\n}\n"
        'blacklist\n{\n\tdevnode "^sd[a]" extra\n}\n'
    )
    files = {"etc/multipath.conf": text}
    assert [line for _, line, _ in _found(tmp_path / "2", files, "SYN002")] == [2]
    assert [line for _, line, _ in _found(tmp_path / "4", files, "SYN004")] == [5, 7]
    assert [line for _, line, _ in _found(tmp_path / "5", files, "SYN005")] == [9, 10, 11]


def test_iscsid_facts_never_show_a_password(tmp_path: Path) -> None:
    text = (
        "node.startup = automatic # at boot\n"
        "node.session.auth.password = hunter2 # the shared one\n"
        "node.startup = manual\n"
        "node.sesion.timeo.replacement_timeout = 15\n"
    )
    files = {"etc/iscsi/iscsid.conf": text}
    five = _found(tmp_path / "5", files, "SYN005")
    assert [line for _, line, _ in five] == [1, 2]
    assert "hunter2" not in "".join(message for _, _, message in five)
    assert [line for _, line, _ in _found(tmp_path / "4", files, "SYN004")] == [3]
    (unknown,) = _found(tmp_path / "2", files, "SYN002")
    assert unknown[2].endswith("did you mean 'node.session.timeo.replacement_timeout'?")


def test_modprobe_facts(tmp_path: Path) -> None:
    text = "options sbp2 exclusive_login=0\n  # indented\nOptions foo bar=1\n"
    files = {"etc/modprobe.d/sbp2.conf": text}
    assert [line for _, line, _ in _found(tmp_path / "5", files, "SYN005")] == [2]
    assert [line for _, line, _ in _found(tmp_path / "2", files, "SYN002")] == [3]


def test_ietd_facts(tmp_path: Path) -> None:
    text = (
        "Target iqn.2001-04.com.example:t1\n"
        "\tIncomingUser joe secretpass12 # joe's\n"
        "\tLun 0 Path=/dev/drbd0,Type=blockio\n"
        "\tFrobnicate yes\n"
    )
    files = {"etc/ietd.conf": text}
    five = _found(tmp_path / "5", files, "SYN005")
    assert [line for _, line, _ in five] == [2]
    assert "secretpass12" not in five[0][2]
    assert [line for _, line, _ in _found(tmp_path / "2", files, "SYN002")] == [4]


# secrets in shown source lines


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
        ("    protocol C;", "    protocol C;"),
    ],
)
def test_redact(line: str, shown: str) -> None:
    assert redact(line) == shown


_ADDRESSES = """resource r {{
  on a {{ device /dev/drbd0; disk /dev/sda1; meta-disk internal; address {a}; }}
  on b {{ device /dev/drbd0; disk /dev/sda1; meta-disk internal; address 10.0.0.2:7788; }}
}}
"""


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("10.0.0.1:7788", None),
        ("ipv4 10.0.0.1:7788", None),
        ("ipv6 [fe80::1%eth0]:7788", None),
        ("sdp 10.0.0.1:7788", None),
        ("pbx01ip:7788", "drbdadm expects an IPv4 address here, not 'pbx01ip'"),
        ("10.255.255.x:7788", "drbdadm expects an IPv4 address here, not '10.255.255.x'"),
        ("[fe80::1]:7788", "an IPv6 address needs the 'ipv6' keyword"),
        ("ipv6 fe80::1:7788", "only in brackets"),
        ("10.0.0.1:70000", "the port must be a number from 1 to 65535"),
        ("10.0.0.1", "has no ':PORT'"),
    ],
)
def test_drbd_addresses_drbdadm_refuses_are_syntax_errors(
    tmp_path: Path, address: str, message: str | None
) -> None:
    found = _found(tmp_path, {"etc/drbd.conf": _ADDRESSES.format(a=address)}, "SYN001")
    if message is None:
        assert found == []
    else:
        ((name, line, text),) = found
        assert (name, line) == ("drbd.conf", 2)
        assert message in text


def test_drbd_addresses_in_floating_and_connection_hosts(tmp_path: Path) -> None:
    text = (
        "resource r {\n  floating db1:7788 { device /dev/drbd0; disk /dev/sda1; "
        "meta-disk internal; }\n  connection { host a address 10.0.0.1:7788; "
        "host b address alpha:7788; }\n}\n"
    )
    found = _found(tmp_path, {"etc/drbd.conf": text}, "SYN001")
    assert [(line, "drbdadm expects an IPv4 address" in m) for _, line, m in found] == [
        (2, True),
        (3, True),
    ]


@pytest.mark.skipif(shutil.which("drbdadm") is None, reason="drbdadm (drbd-utils) is not installed")
@pytest.mark.skipif(not (CORPUS / "drbd").is_dir(), reason=f"{CORPUS / 'drbd'} is absent")
def test_drbd_address_errors_agree_with_drbdadm(tmp_path: Path) -> None:
    """Every corpus file drbdadm refuses for an address is one SYN001 flags, and no other."""
    refused_files = 0
    for file in sorted((CORPUS / "drbd").iterdir()):
        site = tmp_path / file.name
        (site / "etc").mkdir(parents=True)
        shutil.copy(file, site / "etc" / "drbd.conf")
        result = lint(Site.load([site]), LintOptions(select=("SYN001",)))
        ours = [d.message for d in result.diagnostics if d.message.startswith("address '")]
        done = subprocess.run(
            ["drbdadm", "-c", str(site / "etc" / "drbd.conf"), "dump"],
            capture_output=True,
            check=False,
        )
        refused = "<ipv4 address>" in done.stderr.decode("utf-8", "replace")
        refused_files += refused
        assert bool(ours) == refused, (file.name, ours)
    assert refused_files >= 2


# xend-config


def test_xend_config_repeated_setting_first_wins(tmp_path: Path) -> None:
    text = (
        "(xend-relocation-server no)\n"
        "# (xend-relocation-server yes) in a comment is no setting\n"
        "(xend-relocation-port 8002)\n"
        "(xend-relocation-server yes)\n"
        '(vncpasswd "first")\n'
        '(vncpasswd "second")\n'
    )
    found = _found(tmp_path, {"etc/xen/xend-config.sxp": text}, "SYN004")
    assert found == [
        (
            "xend-config.sxp",
            4,
            "'xend-relocation-server' is set again (first at line 1); xend reads only the "
            "first one, so this line has no effect",
        ),
        (
            "xend-config.sxp",
            6,
            "'vncpasswd' is set again (first at line 5); xend reads only the first one, "
            "so this line has no effect",
        ),
    ]
