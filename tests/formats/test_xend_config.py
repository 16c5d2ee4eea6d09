"""The xend-config codec: S-expressions, relocation settings typed, edits; Augeas check."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

import xsanconf
from xsanconf.formats.xend_config import XendConfig, build, directives, parse_bool
from xsanconf.testing.xend_config import xend_configs

XEND = """\
# -*- sh -*-
(xend-relocation-server yes)
(xend-relocation-port 8002)
#(xend-relocation-address '')
(xend-relocation-hosts-allow '^localhost$ ^xen2\\\\.example\\\\.org$')
(xen-api-server ((9363 pam '^localhost$ example\\\\.com$')
                 (unix none)))
(network-script 'network-bridge netdev=eth1')
(xend-relocation-server no)
"""


def load(text: str) -> XendConfig:
    return xsanconf.loads(text, "xend-config").model  # type: ignore[no-any-return]


def test_relocation_settings_are_typed() -> None:
    config = load(XEND)
    assert config.relocation_server is True  # xend reads the first (xend-relocation-server)
    assert config.relocation_port == 8002
    assert config.relocation_address == ""
    assert config.relocation_hosts_allow == ["^localhost$", "^xen2\\.example\\.org$"]
    assert config.value("network-script") == "network-bridge netdev=eth1"
    api = config.entry("xen-api-server")
    assert api is not None
    assert api.values == [[["9363", "pam", "^localhost$ example\\.com$"], ["unix", "none"]]]
    assert api.position == (6, 1)


def test_defaults() -> None:
    config = load("(dom0-cpus 0)\n")
    assert config.relocation_server is False
    assert config.relocation_hosts_allow == []
    assert config.relocation_port == 8002


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("yes", True),
        ("Y", True),
        ("1", True),
        ("on", True),
        ("t", True),
        ("no", False),
        ("OFF", False),
        ("f", False),
        ("maybe", None),
        (None, None),
    ],
)
def test_bool_words(word: str | None, value: bool | None) -> None:
    assert parse_bool(word) is value


def test_set_keeps_the_quote_style_and_touches_one_line() -> None:
    doc = xsanconf.loads(XEND, "xend-config")
    doc.model.set("xend-relocation-hosts-allow", "^xen2$")
    doc.model.set("xend-relocation-address", "10.0.0.1")
    lines = doc.render().splitlines()
    assert lines[4] == "(xend-relocation-hosts-allow '^xen2$')"
    assert lines[-1] == "(xend-relocation-address 10.0.0.1)"
    assert len(lines) == len(XEND.splitlines()) + 1


def test_empty_value_is_quoted_when_added() -> None:
    doc = xsanconf.loads("", "xend-config")
    doc.model.set("xend-relocation-hosts-allow", "")
    assert doc.render() == "(xend-relocation-hosts-allow '')\n"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("(a b\n", 1, 1, "never closed"),
        ("(a 'b)\n", 1, 4, "not closed"),
        ("a b\n", 1, 1, "expected '('"),
        ("(a b))\n", 1, 6, "expected '('"),
    ],
)
def test_bad_input(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads(text, "xend-config")
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message


def test_directives_and_build() -> None:
    doc = xsanconf.loads(XEND, "xend-config")
    data = directives(doc)
    assert data[0].name == "xend-relocation-server"
    rebuilt = load(build(data))
    assert [(e.name, e.values) for e in rebuilt.entries()] == [
        (e.name, e.values) for e in doc.model.entries()
    ]


@given(xend_configs())
def test_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "xend-config")
    assert doc.render() == text
    xsanconf.to_data(doc)


AUGTOOL = shutil.which("augtool")
_LENS = Path("/usr/share/augeas/lenses/dist/xendconfsxp.aug")


def _augeas_names(text: str) -> list[str] | None:
    assert AUGTOOL is not None
    with tempfile.TemporaryDirectory() as root:
        Path(root, "x.sxp").write_text(text)
        out = subprocess.run(
            [AUGTOOL, "--noautoload", "--root", root, "--transform", "Xendconfsxp.lns incl /x.sxp"],
            input="ls /files/x.sxp\nprint /augeas/files/x.sxp/error\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    if "/augeas/files/x.sxp/error" in out:
        return None
    return [line.split("/")[0].split("[")[0].strip() for line in out.splitlines() if "/" in line]


@pytest.mark.skipif(
    AUGTOOL is None or not _LENS.exists(),
    reason="augtool or the Xendconfsxp lens is not installed (augeas-tools, augeas-lenses)",
)
@settings(max_examples=20, deadline=None)
@given(xend_configs())
def test_setting_names_agree_with_augeas(text: str) -> None:
    text = text.replace("\r\n", "\n")
    theirs = _augeas_names(text)
    if theirs is None:
        return  # the lens rejects some layouts xend reads (e.g. a comment after a value)
    ours = list(dict.fromkeys(e.name for e in load(text).entries()))
    assert list(dict.fromkeys(theirs)) == ours


@pytest.mark.skipif(
    AUGTOOL is None or not _LENS.exists(),
    reason="augtool or the Xendconfsxp lens is not installed (augeas-tools, augeas-lenses)",
)
def test_augeas_reads_the_example() -> None:
    names = _augeas_names(XEND)
    assert names is not None
    assert list(dict.fromkeys(names)) == list(dict.fromkeys(e.name for e in load(XEND).entries()))
