"""``xsanconf set FILE SEL "$(xsanconf get FILE SEL)"`` changes no byte, for every kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import xsanconf
from tests.test_cli_edit import CASES
from xsanconf.cli.main import app
from xsanconf.formats.drbd.values import quote

runner = CliRunner()

IQN = "iqn.2001-04.com.example:t"
# kind, file name, text, selectors whose value get prints on one line
SAMPLES = [
    (
        "drbd",
        "r0.res",
        'resource r0 {\n\thandlers {\n\t\tfence-peer "/usr/lib/drbd/crm-fence-peer.sh";\n'
        '\t}\n\tnet {\n\t\tshared-secret "a b";\n\t\tprotocol\tC;\n\t}\n}\n',
        [
            "resource[r0].handlers.fence-peer",
            "resource[r0].net.shared-secret",
            "resource[r0].net.protocol",
        ],
    ),
    (
        "shell-vars",
        "iscsitarget",
        "ISCSITARGET_ENABLE=\"true\"\nOPTS='-a b'\nX=plain\n",
        ["ISCSITARGET_ENABLE", "OPTS", "X"],
    ),
    (
        "multipath",
        "multipath.conf",
        'defaults {\n\tpath_checker "tur"\n\tgetuid_callout "/lib/udev/scsi_id -g -u"\n}\n'
        "devices {\n\tdevice {\n\t\tvendor IET\n\t\tproduct VIRTUAL-DISK\n\t\tfeatures "
        '"1 queue_if_no_path"\n\t}\n}\n',
        [
            "defaults.path_checker",
            "defaults.getuid_callout",
            "devices.device[vendor=IET,product=VIRTUAL-DISK].features",
        ],
    ),
    (
        "xen-domain",
        "vm1.cfg",
        "name = 'vm1'\nmemory = 512\ndisk = ['phy:/dev/x,xvda,w']\nvif = [ 'bridge=xenbr0' ]\n",
        ["name", "memory", "disk", "disk[0]", "vif"],
    ),
    (
        "xend-config",
        "xend-config.sxp",
        "(xend-relocation-server yes)\n(xend-relocation-hosts-allow '^localhost$ ^10\\\\.0$')\n",
        ["xend-relocation-server", "xend-relocation-hosts-allow"],
    ),
    (
        "xl-conf",
        "xl.conf",
        'autoballoon="off"\nvif.default.bridge="xenbr0"\n',
        ["autoballoon", "vif.default.bridge"],
    ),
    (
        "iscsid",
        "iscsid.conf",
        "node.session.auth.password = se cret\nnode.startup = automatic\n",
        ["node.session.auth.password", "node.startup"],
    ),
    (
        "ietd",
        "ietd.conf",
        f"Target {IQN}\n\tIncomingUser joe secretpass12\n"
        "\tLun 0 Path=/dev/drbd0,Type=fileio,ScsiId=abc\n\tMaxConnections 1\n",
        [
            f"target[{IQN}].MaxConnections",
            f"target[{IQN}].lun[0].ScsiId",
            f"target[{IQN}].IncomingUser[joe]",
        ],
    ),
    (
        "systemd-unit",
        "iscsitarget.service",
        "[Unit]\nDescription=x y\nAfter=network.target drbd.service\n"
        "[Service]\nExecStart=/usr/sbin/ietd -f\n",
        ["Unit.After", "Unit.Description", "Service.ExecStart"],
    ),
    (
        "modprobe",
        "sbp2.conf",
        "options firewire_sbp2 exclusive_login=0\n",
        ["options[firewire_sbp2].exclusive_login"],
    ),
    (
        "init-script",
        "iscsitarget",
        "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: x\n# Required-Start: $network $remote_fs\n"
        "### END INIT INFO\n",
        ["Required-Start", "Provides"],
    ),
    ("modules", "modules", "loop max_loop=64\n", ["modules[loop].max_loop"]),
    (
        "lio",
        "saveconfig.json",
        '{\n  "storage_objects": [\n    {\n      "name": "d\\u00e9",\n      "wwn": "a\\/b",\n'
        '      "write_back": false,\n      "size": 1.0e3,\n      "attributes": {"x": "true"}\n'
        '    }\n  ],\n  "fabric_modules": [{"name": "iscsi", "discovery_password": "p w"}]\n}\n',
        [
            "storage_objects[0].name",
            "storage_objects[0].wwn",
            "storage_objects[0].write_back",
            "storage_objects[0].size",
            "storage_objects[0].attributes.x",
            "fabric_modules[name=iscsi].discovery_password",
        ],
    ),
    (
        "lvm",
        "lvm.conf",
        'devices {\n\tdir = "/dev"\n\tscan = "/dev"\n}\nglobal {\n\tlocking_type = 1\n}\n',
        ["devices/dir", "devices/scan", "global/locking_type"],
    ),
]
EDIT_CASES = [(kind, name, text, [selector]) for kind, name, text, selector, *_ in CASES]


@pytest.mark.parametrize(
    ("kind", "name", "text", "selector"),
    [
        pytest.param(kind, name, text, selector, id=f"{kind}:{selector}")
        for kind, name, text, selectors in [*SAMPLES, *EDIT_CASES]
        for selector in selectors
    ],
)
def test_setting_what_get_prints_changes_nothing(
    tmp_path: Path, kind: str, name: str, text: str, selector: str
) -> None:
    file = tmp_path / name
    file.write_bytes(text.encode())
    got = runner.invoke(app, ["get", "-k", kind, "--", str(file), selector])
    assert got.exit_code == 0, got.output
    values = got.output.splitlines()
    for value in values if len(values) == 1 else []:
        done = runner.invoke(app, ["set", "-k", kind, "--", str(file), selector, value])
        assert done.exit_code == 0, done.output
        assert file.read_bytes() == text.encode()


def test_a_quoted_drbd_value_keeps_its_quotes_and_a_quoted_argument_is_the_value(
    tmp_path: Path,
) -> None:
    file = tmp_path / "r0.res"
    text = SAMPLES[0][2]
    file.write_text(text)
    fence = "resource[r0].handlers.fence-peer"
    for value in ("/usr/lib/drbd/crm-fence-peer.sh", '"/usr/lib/drbd/crm-fence-peer.sh"'):
        assert runner.invoke(app, ["set", str(file), fence, value]).exit_code == 0
        assert file.read_text() == text
    assert runner.invoke(app, ["set", str(file), fence, "/sbin/other.sh"]).exit_code == 0
    assert '\t\tfence-peer "/sbin/other.sh";\n' in file.read_text()
    assert runner.invoke(app, ["get", str(file), fence]).output == "/sbin/other.sh\n"


RES = 'resource r0 {\n\tnet {\n\t\tcram-hmac-alg "sha1";\n\t\tprotocol C;\n\t}\n}\n'
VALUES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\\"), min_size=1
).filter(
    # a value written in quotes is taken as the quoted value, by design (`set ... '"x"'` is x)
    lambda v: v.strip() == v and not (len(v) >= 2 and v[0] == v[-1] == '"')
)


@given(value=VALUES)
def test_drbd_set_of_what_get_reads_is_a_no_op(value: str) -> None:
    """The model level: after any set, setting the value read (bare or as the file quotes
    it) changes no byte, and the quotes the file used stay."""
    doc = xsanconf.loads(RES, "drbd")
    fmt = doc.codec
    selector = "resource[r0].net.cram-hmac-alg"
    fmt.set_value(doc, selector, value)
    text = doc.render()
    assert text.startswith('resource r0 {\n\tnet {\n\t\tcram-hmac-alg "')
    (read,) = fmt.get_value(doc, selector)
    assert read == value
    for again in (read, quote(read, always=True)):
        fmt.set_value(doc, selector, again)
        assert doc.render() == text
