"""The xl-conf codec: /etc/xen/xl.conf with dotted keys."""

from __future__ import annotations

import pytest
from hypothesis import given

import xsanconf
from xsanconf.formats.xl_conf import XlConf, build, directives
from xsanconf.testing.xl_conf import xl_confs

XL = """\
## Global XL config file ##
autoballoon="off"
#lockfile="/var/lock/xl"
vif.default.bridge="xenbr1"
run_hotplug_scripts=1
vm.cpumask="0-7"
"""


def load(text: str) -> XlConf:
    return xsanconf.loads(text, "xl-conf").model  # type: ignore[no-any-return]


def test_dotted_keys_and_values() -> None:
    conf = load(XL)
    assert conf.as_dict() == {
        "autoballoon": "off",
        "vif.default.bridge": "xenbr1",
        "run_hotplug_scripts": 1,
        "vm.cpumask": "0-7",
    }
    bridge = conf.setting("vif.default.bridge")
    assert bridge is not None
    assert bridge.position == (4, 1)


def test_edit_in_place_and_append() -> None:
    doc = xsanconf.loads(XL, "xl-conf")
    doc.model.set("vif.default.bridge", "xenbr0")
    doc.model.set("lockfile", "/run/xl.lock")
    assert doc.render() == XL.replace("xenbr1", "xenbr0") + 'lockfile="/run/xl.lock"\n'


def test_bad_input_position() -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads('autoballoon="off"\nlockfile = /var/lock/xl\n', "xl-conf")
    assert (info.value.line, info.value.column) == (2, 12)


def test_directives_and_build() -> None:
    doc = xsanconf.loads(XL, "xl-conf")
    assert load(build(directives(doc))).as_dict() == doc.model.as_dict()


@given(xl_confs())
def test_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "xl-conf")
    assert doc.render() == text
    xsanconf.to_data(doc)
