"""The xen-domain codec: static settings read without running them, disk specs, edits."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings

import xsanconf
from tests.corpus import corpus_files, original_path, read
from xsanconf.formats.xen_domain import DiskSpec, XenConfig, build, directives, parse_disk_spec
from xsanconf.testing.xen_domain import disk_specs, xen_configs

VM1 = """\
# /etc/xen/vm1.cfg
name    = "vm1"
memory  = 512
vcpus   = 0x2
kernel  = '/boot/vmlinuz-2.6.26-2-xen-amd64'
extra   = '''console=hvc0
 xencons=tty'''
disk    = [ 'phy:/dev/mapper/xensan,xvda1,w',   # the shared LUN
            'file:/srv/xen/vm1-swap.img,xvda2,w',
          ]
vif     = [ 'bridge=xenbr0' ]; on_crash = 'restart'
acpi    = True
"""


def load(text: str) -> XenConfig:
    return xsanconf.loads(text, "xen-domain").model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_values_are_read_statically() -> None:
    config = load(VM1)
    assert config.name == "vm1"
    assert config.get("memory") == 512
    assert config.get("vcpus") == 2
    assert config.get("extra") == "console=hvc0\n xencons=tty"
    assert config.get("vif") == ["bridge=xenbr0"]
    assert config.get("on_crash") == "restart"
    assert config.get("acpi") is True
    assert config.get("missing", "default") == "default"


def test_disks_are_typed_with_positions() -> None:
    disks = load(VM1).disks
    assert [d.text for d in disks] == [
        "phy:/dev/mapper/xensan,xvda1,w",
        "file:/srv/xen/vm1-swap.img,xvda2,w",
    ]
    assert disks[0].position == (8, 13)
    assert disks[1].position == (9, 13)
    first = disks[0].spec
    assert (first.kind, first.device_path, first.vdev, first.access) == (
        "phy",
        "/dev/mapper/xensan",
        "xvda1",
        "w",
    )


def test_numbers_strings_and_escapes() -> None:
    config = load("a = 0755\nb = -3\nc = 1.5\nd = 'it\\'s'\ne = r'\\d'\nf = \"x\\ty\"\n")
    assert config.as_dict() == {"a": 0o755, "b": -3, "c": 1.5, "d": "it's", "e": "\\d", "f": "x\ty"}


def test_later_setting_wins() -> None:
    assert load("memory = 256\nmemory = 512\n").get("memory") == 512


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("import os, re\nname = 'x'\n", "re"),
        ("name = 'x'\nif re.search('64', arch):\n    a = 1\n", "a"),
        ("arch = os.uname()[4]\n", "arch"),
        ("name = 'VM%d' % vmid\n", "name"),
        ("dm = '/usr/' + arch_libdir\n", "dm"),
        ("xm_vars.var('vmid')\n", "vmid"),
        ("disk = [ 'phy:sda%d,sda1,w' % (7+vmid) ]\n", "disk"),
        ("def f():\n  pass\n", "f"),
        ("x = int('3')\n", "x"),
    ],
)
def test_python_only_constructs_are_read_as_python_never_run(text: str, key: str) -> None:
    """What the plain reader refuses, Python's parser reads (see test_xen_program.py)."""
    doc = xsanconf.loads(text, "xen-domain")
    assert doc.render() == text
    assert not doc.model.known(key)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("name = 'vm1\n", 1, 8, "not closed before the end of the line"),
        ("disk = [ 'a',\n", 2, 1, "inside a list"),
        ("name 'x'\n", 1, 6, "expected '='"),
        ("x = '''abc\n", 1, 5, "not closed before the end of the file"),
    ],
)
def test_bad_input(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads(text, "xen-domain")
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message


@pytest.mark.parametrize("kind", ["xen-domain", "xl-conf"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("08", "'08' starts with 0, so it is octal"),
        ("-09", "'-09' starts with 0, so it is octal"),
        ("9" * 5000, "a number of 5000 digits"),
        ("0x" + "f" * 4400, "a number of 4400 digits"),
    ],
)
def test_numbers_xm_and_xl_cannot_read_are_syntax_errors_at_the_number(
    kind: str, value: str, message: str
) -> None:
    """xl keeps ``08`` as text and strtol() finds it "not a valid number" (the setting is ignored);
    xm (Python 2) refuses the file.  Either way a finding at the number, never a ValueError."""
    text = f"name = 'vm1'\nvcpus = {value}\n"
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads(text, kind)
    assert (info.value.line, info.value.column) == (2, 9)
    assert message in info.value.message
    recovered = xsanconf.loads(text, kind, recover=True)
    assert recovered.problems[0].column == 9
    assert recovered.render() == text
    xsanconf.to_data(recovered)


def test_octal_and_leading_zeros_still_read() -> None:
    doc = xsanconf.loads("a = 010\nb = 0" + "0" * 5000 + "7\nc = 0x0F\nd = 09.5\n", "xen-domain")
    assert load(xsanconf.dumps(doc)).as_dict() == {"a": 8, "b": 7, "c": 15, "d": 9.5}


def test_recover_keeps_configs_python_cannot_read_raw() -> None:
    text = "import os\nname = `1`\n"
    doc = xsanconf.loads(text, "xen-domain", recover=True)
    assert not doc.parsed
    assert doc.render() == text
    assert doc.problems[0].line == 2


def test_edit_one_disk_changes_only_its_characters() -> None:
    doc = xsanconf.loads(VM1, "xen-domain")
    doc.model.disks[1].set("phy:/dev/mapper/vm1-swap,xvda2,w")
    assert changed_lines(VM1, doc.render()) == [
        "-            'file:/srv/xen/vm1-swap.img,xvda2,w',\n",
        "+            'phy:/dev/mapper/vm1-swap,xvda2,w',\n",
    ]


def test_set_keeps_quotes_and_add_follows_the_file_style() -> None:
    doc = xsanconf.loads(VM1, "xen-domain")
    doc.model.set("name", "vm2")
    doc.model.set("memory", 1024)
    doc.model.set("on_reboot", "restart")
    assert changed_lines(VM1, doc.render()) == [
        '-name    = "vm1"\n',
        "-memory  = 512\n",
        '+name    = "vm2"\n',
        "+memory  = 1024\n",
        "+on_reboot = 'restart'\n",
    ]


def test_unset() -> None:
    doc = xsanconf.loads("a = 1\nb = 2\n", "xen-domain")
    assert doc.model.unset("a") == 1
    assert doc.render() == "b = 2\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "phy:/dev/mapper/xensan,xvda1,w",
            dict(target="/dev/mapper/xensan", vdev="xvda1", access="w", kind="phy", legacy=True),
        ),
        ("phy:sda6,sda6,r", dict(target="sda6", vdev="sda6", access="r", kind="phy")),
        (
            "tap:aio:/srv/xen/vm.img,xvda,w!",
            dict(target="/srv/xen/vm.img", kind="tap", prefixes=("tap", "aio"), access="w!"),
        ),
        ("drbd:r0,xvda,w", dict(target="r0", script="drbd", kind="script", vdev="xvda")),
        (
            "file:/iso/x.iso,hdc:cdrom,r",
            dict(target="/iso/x.iso", vdev="hdc", devtype="cdrom", access="r", kind="file"),
        ),
        (
            "/dev/vg/guest-volume,raw,xvda,rw",
            dict(target="/dev/vg/guest-volume", format="raw", vdev="xvda", access="rw"),
        ),
        ("/dev/vg/guest-volume,,hda", dict(format=None, vdev="hda", access=None, legacy=False)),
        (
            "format=raw, vdev=xvda, access=rw, target=/dev/x,with,commas",
            dict(target="/dev/x,with,commas", format="raw", vdev="xvda", access="rw"),
        ),
        ("raw:/dev/vg/g,hda,w", dict(format="raw", target="/dev/vg/g", vdev="hda", access="w")),
        ("nbd:10.0.0.1 20004,hda1,w", dict(script="nbd", target="10.0.0.1 20004")),
        (
            "vdev=xvdb, script=block-iscsi, target=iqn.2001-04.com.example:disk",
            dict(script="block-iscsi", target="iqn.2001-04.com.example:disk", vdev="xvdb"),
        ),
        (",hdc:cdrom,r", dict(target=None, vdev="hdc", devtype="cdrom", access="r")),
    ],
)
def test_disk_specs(text: str, expected: dict[str, object]) -> None:
    spec = parse_disk_spec(text)
    for name, value in expected.items():
        assert getattr(spec, name) == value, name


def test_disk_spec_paths_and_modes() -> None:
    assert parse_disk_spec("phy:sda6,sda6,r").device_path == "/dev/sda6"
    assert parse_disk_spec("phy:sda6,sda6,r").read_only
    assert parse_disk_spec("phy:/dev/x,xvda,w!").shared_write
    assert parse_disk_spec("phy:/dev/x,xvda,w").prefix == "phy:"
    assert isinstance(parse_disk_spec(""), DiskSpec)


@given(disk_specs())
def test_disk_spec_never_raises_and_keeps_its_text(text: str) -> None:
    spec = parse_disk_spec(text)
    assert spec.text == text
    assert spec.vdev


def test_directives_and_build() -> None:
    doc = xsanconf.loads(VM1, "xen-domain")
    data = directives(doc)
    assert data[0].name == "name"
    assert data[0].args == ['"vm1"']
    rebuilt = load(build(data))
    assert rebuilt.as_dict() == doc.model.as_dict()


def test_sniff() -> None:
    from xsanconf.formats import xen_domain

    assert xen_domain.sniff(VM1)
    assert not xen_domain.sniff("[Unit]\n")


@given(xen_configs())
def test_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "xen-domain")
    assert doc.render() == text
    xsanconf.to_data(doc)


# Python itself as the second opinion: xm ran these files, so for a static config every value
# xsanconf reads must be what Python's literal evaluation gives (Python 3 here: configs using
# Python 2 octal or long literals are left out of the comparison).


def _python_values(text: str) -> dict[str, object] | None:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    values: dict[str, object] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            return None
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return None
        try:
            values[target.id] = ast.literal_eval(node.value)
        except ValueError:
            return None
    return values


@settings(max_examples=80, deadline=None)
@given(xen_configs())
def test_values_agree_with_python(text: str) -> None:
    theirs = _python_values(text)
    if theirs is None:
        return
    assert load(text).as_dict() == theirs


@pytest.mark.parametrize("file", corpus_files("xen"))
def test_corpus_values_agree_with_python(file: Path) -> None:
    name = original_path(file)
    if name.endswith((".sxp", "xl.conf")):
        return
    text = read(file)
    theirs = _python_values(text)
    doc = xsanconf.loads(text, "xen-domain", recover=True)
    if theirs is None:
        # Python-only files: Python cannot reduce them to literals either; they parse as programs
        assert doc.parsed
        assert any(t.kind == "PYTHON" for t in doc.root.children if hasattr(t, "kind"))
        return
    assert doc.model.as_dict() == theirs
