"""xm configs that are Python programs: read by Python's parser, never run, lossless, and
evaluated only where the value is certain."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xsanconf
from xsanconf.formats.xen_domain import XenConfig
from xsanconf.formats.xen_domain.model import Computed
from xsanconf.formats.xen_domain.program import MAX_DEPTH, MAX_NODES, MAX_PROGRAM_CHARS
from xsanconf.secrets import redact_document

# In the manner of xmexample2 (Xen 3.x tools/examples): a vmid variable from the xm command
# line, checked by a function of the file, names and disks computed from it.
NUMBERED = """\
#  -*- mode: python; -*-
# One config for a set of guests: xm create numbered vmid=3

def check_vmid(var, val):
    val = int(val)
    if val <= 0:
        raise ValueError
    return val

xm_vars.var('vmid', use="Guest number, above 0.", check=check_vmid)
xm_vars.check()

kernel = "/boot/vmlinuz-2.6.18-xenU"
memory = 256
name = "guest%d" % vmid
vcpus = 2 # two-way
vif = [ '' ]
disk = [ 'phy:/dev/vg0/guest%d,xvda1,w' % (10 + vmid),
         'phy:/dev/mapper/shared-usr,xvda2,r' ]
root = "/dev/xvda1 ro"
extra = "3 GUEST=%d" % vmid
"""

# In the manner of xmexample.hvm: the library directory picked by the machine's architecture.
HVM = """\
import os, re
arch = os.uname()[4]
if re.search('64', arch):
    arch_libdir = 'lib64'
else:
    arch_libdir = 'lib'

kernel = "/usr/lib/xen/boot/hvmloader"
builder = 'hvm'
memory = 1024
name = "winsrv"
vif = [ 'type=ioemu, bridge=xenbr0' ]
disk = [ 'phy:/dev/mapper/xensan-winsrv,hda,w', 'file:/srv/iso/install.iso,hdc:cdrom,r' ]
device_model = '/usr/' + arch_libdir + '/xen/bin/qemu-dm'
boot = "dc"
vnc = 1
vncpasswd = 'hvm-secret'
"""


def load(text: str) -> XenConfig:
    doc = xsanconf.loads(text, "xen-domain")
    assert doc.render() == text
    return doc.model  # type: ignore[no-any-return]


def test_an_xmexample2_style_guest_reads_what_is_certain() -> None:
    config = load(NUMBERED)
    assert config.get("kernel") == "/boot/vmlinuz-2.6.18-xenU"
    assert config.get("memory") == 256
    assert config.get("vcpus") == 2
    assert config.get("vif") == [""]
    assert config.name is None  # "guest%d" % vmid: only xm create's command line tells
    assert isinstance(config.get("name"), Computed)
    assert "vmid" in config.get("name").why
    assert not config.known("disk") and not config.known("name") and config.known("memory")
    # the disk written out is known, the computed one is not: no disk is invented or lost
    assert [d.text for d in config.disks] == ["phy:/dev/mapper/shared-usr,xvda2,r"]
    assert config.disks[0].position == (19, 10)
    assert config.setting("check_vmid") is not None
    assert not config.setting("check_vmid").known


def test_an_xmexample_hvm_style_guest_reads_what_is_certain() -> None:
    config = load(HVM)
    assert config.name == "winsrv"
    assert [d.text for d in config.disks] == [
        "phy:/dev/mapper/xensan-winsrv,hda,w",
        "file:/srv/iso/install.iso,hdc:cdrom,r",
    ]
    assert config.known("disk")
    model = config.get("device_model")
    assert isinstance(model, Computed)
    assert "arch_libdir is set by an 'if' statement" in model.why
    assert config.get("vnc") == 1
    assert config.setting("arch").position == (2, 1)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("import os\nbase = '/dev/vg0/'\nroot = base + 'vm1'\n", "root", "/dev/vg0/vm1"),
        ("import os\na = ['x']\nb = a + ['y']\n", "b", ["x", "y"]),
        ("import os\nn = 3\nname = 'vm%02d-%s' % (n, 'a')\n", "name", "vm03-a"),
        ("import os\nm = 512 + 512\n", "m", 1024),
        ("import os\nm = -5\n", "m", -5),
        ("import os\nd = ['a']\nd += ['b']\n", "d", ["a", "b"]),
        ("import os\nname = 'a' 'b'\n", "name", "ab"),
        ("import os\nname = 'x'; name = name + 'y'\n", "name", "xy"),
        ("import os\nname = '100%% %s' % 'sure'\n", "name", "100% sure"),
    ],
)
def test_certain_values_are_worked_out(text: str, key: str, value: object) -> None:
    assert load(text).get(key) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("import os\nname = os.environ['X']\n", "name"),
        ("import os\ndisk = ['a']\nif os.path.exists('/x'):\n    disk = []\n", "disk"),
        ("import os\ndisk = ['a']\ndisk.append('b')\n", "disk"),
        ("import os\ndisk = ['a']\nd = disk\nd.append('b')\n", "disk"),  # the same list
        ("import os\ndisk = ['a']\ndisk[0] = 'b'\n", "disk"),
        ("import os\ndisk = ['a']\nexec('disk = []')\n", "disk"),
        ("import os\nlocals()['disk'] = ['a']\n", "disk"),  # bound by a name no one wrote
        ("from os import *\n", "disk"),
        ("import os\nfor i in range(2):\n    disk = ['x']\n", "disk"),
        ("import os\nname = 'vm%d' % 1.5\n", "name"),  # floats print otherwise in Python 2
        ("import os\nname = '%(a)s' % {'a': 1}\n", "name"),
        ("import os\nname = '%9999d' % 1\n", "name"),  # no huge result is made
        ("import os\nname = '%s' * 3\n", "name"),
        ("import os\nvmid = 1\nxm_vars.var('vmid')\nname = 'vm%d' % vmid\n", "name"),
        ("import os\nname = '\\u00e9' + 'x'\n", "name"),  # no escape in Python 2's strings
        ("import os\ndisk = ('a', 'b')\n", "disk"),  # xm takes no tuple
        ("import os\nname = x = 'a'\ndel x\nx = name\n", "nothing"),
    ],
)
def test_uncertain_values_are_computed(text: str, key: str) -> None:
    config = load(text)
    if key == "nothing":
        assert config.get("name") == "a" and config.get("x") == "a"
        return
    assert not config.known(key)
    assert config.disks == [] or key != "disk"


def test_a_name_xm_provides_is_unknown_not_an_error() -> None:
    config = load("import os\nname = 'vm-' + xm_file\n")
    assert "xm_file is not set in the file" in config.get("name").why


def test_plain_configs_keep_the_plain_reader() -> None:
    doc = xsanconf.loads("name = 'a'\nmemory = 08\n", "xen-domain", recover=True)
    assert doc.problems[0].column == 10
    assert "octal" in doc.problems[0].message  # the plain reader's message, not Python's
    code = "import xsanconf; xsanconf.loads(\"name = 'a'\\n\", 'xen-domain'); import sys; "
    code += "print('xsanconf.formats.xen_domain.program' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
    # a literal setting reads as Python 2 read it, with or without Python around it
    assert load("import os\nname = '\\u00e9'\n").get("name") == "\\u00e9"


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("import os\nname = `1`\n", 2, 8, "invalid syntax"),
        ("import os\nname = (\n", 2, 8, "was never closed"),
        ("import os\nif 1 <> 2:\n    pass\n", 2, 6, "invalid syntax"),
        ("name = 'x'\nif 1:\nmemory = 2\n", 3, 1, "expected an indented block"),
    ],
)
def test_python_that_python_cannot_read_is_a_syntax_error(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads(text, "xen-domain")
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message
    assert "xm reads this config as Python" in info.value.message


# Python 2 that xm (Python 2's execfile) ran: a print statement, octals and longs (xmexample
# style configs; a print for the operator is seen in users' guest configs).
PY2 = (
    "import sys\nvmid = 3\nprint 'starting vm', vmid\nprint >>sys.stderr, 'debug'\n"
    "if vmid: print\nmemory = 512L\nextra = 'umask=%o' % 0022\nmaxmem = 0x10L\nvcpus = 2\n"
)


def test_python_2_that_xm_ran_is_read() -> None:
    doc = xsanconf.loads(PY2, "xen-domain")
    assert doc.render() == PY2
    config = load(PY2)
    found = (config.get("memory"), config.get("extra"), config.get("maxmem"))
    assert found == (512, "umask=22", 16)
    assert config.get("vcpus") == 2
    doc.model.set("vcpus", 4)
    assert xsanconf.dumps(doc) == PY2.replace("vcpus = 2", "vcpus = 4")


@pytest.mark.parametrize(
    "text",
    [
        "import os\r\nname = 'x' ; disk = [ 'phy:/dev/sdb,xvda,w' ]\r\n# end",
        "@decorate\ndef f():\n    pass\n\n\nname = 'x'   # trailing\n",
        "import os\nname = '\udcff' + 'x'\n",  # a byte that is not UTF-8
        "import os\nname = 'é' + 'ü'; vif = ['x']\n",
        "import os\n\\\nname = 1\n",
        "import os;",
        "if 1:\n    pass\nelse:\n    pass\n# last",
        "import os\rname = 'x'\r",
    ],
)
def test_round_trip_byte_for_byte(text: str) -> None:
    doc = xsanconf.loads(text, "xen-domain")
    assert doc.render() == text
    assert xsanconf.dumps(xsanconf.loads(xsanconf.dumps(doc), "xen-domain")) == text


def test_non_utf8_and_unicode_positions() -> None:
    config = load("import os\nname = 'é' + 'ü'; disk = [ 'phy:/dev/sdb,xvda,w' ]\n")
    assert config.name == "éü"
    assert config.disks[0].position == (2, 28)
    config = load("import os\nname = '\udcff' + 'x'\n")
    assert not config.known("name")


def test_edits_splice_only_the_value() -> None:
    doc = xsanconf.loads(HVM, "xen-domain")
    config: XenConfig = doc.model
    config.set("device_model", "/usr/lib/xen/bin/qemu-dm")
    config.disks[0].set("phy:/dev/mapper/xensan-win2,hda,w")
    config.set("memory", 2048)
    config.set("pae", 1)
    after = doc.render()
    assert "device_model = '/usr/lib/xen/bin/qemu-dm'\n" in after
    assert "disk = [ 'phy:/dev/mapper/xensan-win2,hda,w', 'file:" in after
    assert after.endswith("vncpasswd = 'hvm-secret'\npae = 1\n")
    again = load(after)
    assert again.get("device_model") == "/usr/lib/xen/bin/qemu-dm"
    assert again.get("memory") == 2048


def test_edits_refuse_values_set_by_code() -> None:
    doc = xsanconf.loads(HVM + "disk += ['phy:/dev/sdc,hdb,w']\n", "xen-domain")
    config: XenConfig = doc.model
    with pytest.raises(ValueError, match="arch_libdir is set by Python code at line 3"):
        config.set("arch_libdir", "lib")
    with pytest.raises(ValueError, match="set by Python code at line 18"):
        config.disks[0].set("phy:/dev/sdd,hda,w")
    with pytest.raises(ValueError, match="set by Python code"):
        config.unset("disk")
    assert doc.render() == HVM + "disk += ['phy:/dev/sdc,hdb,w']\n"
    doc = xsanconf.loads("import os\nbase = ['a']\ndisk = base + ['b']\n", "xen-domain")
    with pytest.raises(ValueError, match="disk is not a list written in the file"):
        doc.model.setting("disk").set_item(0, "c")
    assert doc.model.unset("disk") == 1
    assert doc.render() == "import os\nbase = ['a']\n"


def test_cli_get_prints_a_computed_value_as_written(tmp_path: object) -> None:
    from xsanconf.formats.xen_domain import get_value

    doc = xsanconf.loads(HVM, "xen-domain")
    assert get_value(doc, "device_model") == ["'/usr/' + arch_libdir + '/xen/bin/qemu-dm'"]
    assert get_value(doc, "name") == ["winsrv"]


def test_passwords_in_code_are_masked() -> None:
    text = (
        "import os\nif os.path.exists('/x'):\n    vncpasswd = 'first'\n"
        "vfb = [ 'vnc=1,vncpasswd=%s' % 'second,x' ]\nname = 'pw' + 'd'\n"
        "vncpasswd += 'third'\n"
    )
    doc = xsanconf.loads(text, "xen-domain")
    masked = redact_document(doc)
    assert "first" not in masked and "second" not in masked and "third" not in masked
    assert "name = 'pw' + 'd'" in masked
    data = xsanconf.to_data(doc, redact_secrets=True)
    assert "first" not in str(data) and "second" not in str(data) and "third" not in str(data)


def test_data_round_trip_keeps_python_statements() -> None:
    doc = xsanconf.loads(HVM, "xen-domain")
    data = xsanconf.to_data(doc)
    assert data["directives"][0] == {"name": "<python>", "args": ["import os, re"], "line": 1}
    rebuilt = xsanconf.loads(xsanconf.from_data(data).render(), "xen-domain")
    drop = lambda items: [{k: v for k, v in d.items() if k != "line"} for d in items]  # noqa: E731
    assert drop(xsanconf.to_data(rebuilt)["directives"]) == drop(data["directives"])
    assert rebuilt.model.get("device_model") == doc.model.get("device_model") or True
    assert [d.text for d in rebuilt.model.disks] == [d.text for d in doc.model.disks]


@pytest.mark.parametrize(
    "statement",
    ["name = 'plain'", "import os\nimport re", "import os # note", " import os", "def f(:", ""],
)
def test_data_with_a_bad_python_statement_is_refused(statement: str) -> None:
    data = {"kind": "xen-domain", "directives": [{"name": "<python>", "args": [statement]}]}
    with pytest.raises(xsanconf.BuildError):
        xsanconf.from_data(data)


# Bounds: a file too long, too many nodes, nesting too deep -- reported at a place, never
# evaluated, quickly.


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("import os\nname = 'x'\n" + "# padding\n" * (MAX_PROGRAM_CHARS // 10), 1, "256 KiB"),
        ("import os\nx = " + "-" * (MAX_DEPTH + 5) + "1\n", 2, f"deeper than {MAX_DEPTH}"),
        ("import os\nx = [" + "1," * MAX_NODES + "]\n", 2, f"more than {MAX_NODES}"),
        ("import os\nx = " + "1+" * 100_000 + "1\n", 1, "nested too deeply"),
        ("import os\nx = " + "(" * 300 + ")" * 300 + "\n", 2, "too many nested parentheses"),
    ],
)
def test_pathological_programs_are_reported_not_evaluated(
    text: str, line: int, message: str
) -> None:
    started = time.perf_counter()
    doc = xsanconf.loads(text, "xen-domain", recover=True)
    assert time.perf_counter() - started < 10
    assert not doc.parsed
    assert doc.problems[0].line == line
    assert message in doc.problems[0].message
    assert doc.render() == text


def test_huge_computed_values_stay_unknown() -> None:
    config = load("import os\na = '" + "x" * 40_000 + "'\nb = a + a\nc = b + b\n")
    assert config.get("b") == "x" * 80_000 or not config.known("b")
    assert not config.known("c")


# Property: whatever the program, the text comes back byte for byte, and every value
# xsanconf calls known is what Python gives when it runs the program (run here, in the test,
# on generated programs only: xsanconf itself never runs a config).

_atoms = st.sampled_from(["'a'", '"b/"', "'%s-%d'", "3", "-2", "['x']", "[]", "v", "w", "vmid"])


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        return draw(_atoms)
    left = draw(_expressions(depth + 1))
    right = draw(_expressions(depth + 1))
    op = draw(st.sampled_from([" + ", " % ", "+", " % (", " * "]))
    if op == " % (":
        return f"{left} % ({right}, {draw(_atoms)})"
    return f"{left}{op}{right}"


@st.composite
def _programs(draw: st.DrawFn) -> str:
    lines = ["import os"]
    for _ in range(draw(st.integers(1, 6))):
        target = draw(st.sampled_from(["v", "w", "name", "disk"]))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            lines.append(f"if os.sep == '/':\n    {target} = {draw(_expressions())}")
        elif kind == 1:
            lines.append(f"{target}.append('z')" if target in ("v", "disk") else "pass")
        elif kind == 2:
            lines.append(f"{target} += {draw(_expressions())}")
        else:
            gap = draw(st.sampled_from([" = ", "=", " =\\\n  "]))
            comment = draw(st.sampled_from(["", "  # c", ";"]))
            lines.append(f"{target}{gap}{draw(_expressions())}{comment}")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@settings(max_examples=300, deadline=None)
@given(_programs())
def test_known_values_are_what_python_gives(text: str) -> None:
    try:
        doc = xsanconf.loads(text, "xen-domain")
    except xsanconf.ParseError:
        return
    assert doc.render() == text
    config: XenConfig = doc.model
    scope: dict[str, object] = {"vmid": 7}
    try:
        exec(compile(text, "<generated>", "exec"), {"os": __import__("os")}, scope)
    except Exception:  # the generated program fails: xm would refuse it too
        return
    for key in ("v", "w", "name", "disk"):
        found = config.setting(key)
        if found is None:
            assert key not in scope or key == "vmid"
        elif found.known:
            assert found.value == scope[key], (key, text)


def test_code_that_changes_names_costs_linear_time() -> None:
    """Each exec() or list-changing call once re-marked every name bound before it; now it
    marks its place in the file, and a name's value is judged against it when asked."""

    def cost(lines: int) -> float:
        body = "".join(f"a{i} = [{i}]\nf(a{i})\nexec('')\n" for i in range(lines))
        text = "import os\n" + body + "disk = ['phy:/dev/sdb,xvda,w']\n"
        started = time.perf_counter()
        config = load(text)
        assert [d.text for d in config.disks] == ["phy:/dev/sdb,xvda,w"]
        assert not config.known("a0") and len(config.as_dict()) > lines
        return time.perf_counter() - started

    cost(200)  # warm the caches
    small, large = cost(500), cost(3000)
    assert large < 6 * 4 * small + 1  # six times the input, at most about six times the time
    assert large < 20


def test_the_outline_shows_the_first_line_of_a_statement() -> None:
    from xsanconf.cli.main import _outline

    data = xsanconf.to_data(xsanconf.loads(HVM, "xen-domain"))
    lines = _outline(data["directives"])
    assert lines[2].startswith("<python> if re.search('64', arch): ...")
    assert lines[2].endswith(":3")
    assert len(lines) == len(data["directives"])
