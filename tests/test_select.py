"""Selectors and the get/set/unset commands: one setting changes, nothing else."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import xsanconf
from xsanconf.formats import drbd
from xsanconf.select import SelectorError, Step, parse_selector

CONF = """\
global { usage-count no; }
resource xensan {
    net {
        protocol C;
    }
    on xensan1.example.com {
        address 10.0.0.1:7788;
    }
}
"""


def test_parse_selector_steps() -> None:
    assert parse_selector("resource[xensan].on[xensan1.example.com].address") == [
        Step("resource", "xensan"),
        Step("on", "xensan1.example.com"),
        Step("address"),
    ]
    assert parse_selector("multipaths.multipath[wwid=36].alias")[1].keyed == ("wwid", "36")


@pytest.mark.parametrize("bad", ["", "a..b", "a[b", "[x].y", "a[b]c", "a."])
def test_bad_selectors_are_errors(bad: str) -> None:
    with pytest.raises(SelectorError):
        parse_selector(bad)


def test_drbd_get_set_unset() -> None:
    doc = xsanconf.loads(CONF, "drbd")
    assert drbd.get_value(doc, "resource[xensan].on[xensan1.example.com].address") == [
        "10.0.0.1:7788"
    ]
    assert drbd.get_value(doc, "resource[nope].net.protocol") == []
    drbd.set_value(doc, "resource[xensan].startup.become-primary-on", "both")
    assert doc.render() == CONF.replace(
        "    }\n}\n", "    }\n    startup {\n        become-primary-on both;\n    }\n}\n"
    )
    assert drbd.unset_value(doc, "resource[xensan].net.protocol") == 1
    assert "protocol" not in doc.render()
    with pytest.raises(SelectorError):
        drbd.set_value(doc, "resource[xensan].net[x]", "1")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from xsanconf.cli.main import run; run()", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_set_writes_only_the_change_and_keeps_mode(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(CONF)
    os.chmod(file, 0o600)
    done = cli("set", str(file), "resource[xensan].net.protocol", "A")
    assert done.returncode == 0, done.stderr
    assert file.read_text() == CONF.replace("protocol C;", "protocol A;")
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert cli("get", str(file), "resource[xensan].net.protocol").stdout == "A\n"


def test_cli_diff_does_not_write(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(CONF)
    done = cli("set", "--diff", str(file), "global.usage-count", "yes")
    assert done.returncode == 0
    assert "-global { usage-count no; }" in done.stdout
    assert "+global { usage-count yes; }" in done.stdout
    assert file.read_text() == CONF


def test_cli_get_missing_and_unset_missing_exit_1(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(CONF)
    assert cli("get", str(file), "resource[xensan].net.max-buffers").returncode == 1
    done = cli("unset", str(file), "resource[xensan].net.max-buffers")
    assert done.returncode == 1 and "is not set" in done.stderr
    assert cli("get", str(file), "resource[xensan").returncode == 2


def test_values_are_quoted_as_one_word_unless_the_option_takes_several(tmp_path: Path) -> None:
    file = tmp_path / "drbd.conf"
    file.write_text(CONF)
    handler = "resource[xensan].handlers.split-brain"
    assert cli("set", str(file), handler, "/usr/lib/drbd/notify.sh root; }").returncode == 0
    assert 'split-brain "/usr/lib/drbd/notify.sh root; }";' in file.read_text()
    address = "resource[xensan].on[xensan1.example.com].address"
    assert cli("set", str(file), address, "ipv4 10.0.0.9:7788").returncode == 0
    assert "address ipv4 10.0.0.9:7788;" in file.read_text()
    resource = xsanconf.load(file).model.resources[0]
    assert resource.section("handlers").value("split-brain") == "/usr/lib/drbd/notify.sh root; }"


def test_a_filter_may_name_several_keys() -> None:
    (step,) = parse_selector("device[vendor=IET, product=VIRTUAL-DISK]")
    assert step.keys == [("vendor", "IET"), ("product", "VIRTUAL-DISK")]
    # a comma that starts no key=value belongs to the value (a regex's {1,3})
    (step,) = parse_selector("device[vendor=IET,product=DISK{1,3}]")
    assert step.keys == [("vendor", "IET"), ("product", "DISK{1,3}")]
    assert parse_selector("on[alice]")[0].keys == []
