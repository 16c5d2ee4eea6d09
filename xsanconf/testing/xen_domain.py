"""Hypothesis strategies for Xen guest configs (the static Python subset) and disk specs."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["disk_specs", "xen_configs", "xen_programs", "xen_values"]

_newline = st.sampled_from(["\n", "\n", "\r\n"])
_PATHS = st.sampled_from(
    ["/dev/mapper/xensan", "/dev/vg/guest", "/srv/xen/a.img", "/dev/drbd0", "sda6", "r0"]
)


@st.composite
def disk_specs(draw: st.DrawFn) -> str:
    """Disk spec strings in the xm form, the xl positional form and the key=value form."""
    path = draw(_PATHS)
    vdev = draw(st.sampled_from(["xvda", "xvda1", "hda", "hdc:cdrom", "sda1"]))
    form = draw(st.integers(0, 2))
    if form == 0:
        prefix = draw(st.sampled_from(["phy:", "file:", "tap:aio:", "drbd:", "raw:", ""]))
        return f"{prefix}{path},{vdev},{draw(st.sampled_from(['r', 'w', 'w!']))}"
    if form == 1:
        fmt = draw(st.sampled_from(["raw", "qcow2", ""]))
        return f"{path},{fmt},{vdev},{draw(st.sampled_from(['ro', 'rw']))}"
    return f"format=raw, vdev={vdev}, access=rw, target={path}"


def _string(text: str) -> st.SearchStrategy[str]:
    escaped = text.replace("\\", "\\\\")
    return st.sampled_from(
        ["'" + escaped.replace("'", "\\'") + "'", '"' + escaped.replace('"', '\\"') + '"']
    )


_words = st.sampled_from(["vm1", "xenbr0", "destroy", "bridge=xenbr0", "it's", 'say "x"', ""])
_scalar = st.one_of(
    _words.flatmap(_string),
    disk_specs().flatmap(_string),
    st.sampled_from(["512", "0x10", "-1", "0755", "1.5", "True"]),
)


@st.composite
def xen_values(draw: st.DrawFn) -> str:
    """A value: scalar, or a list over lines with comments and a trailing comma."""
    if draw(st.booleans()):
        return draw(_scalar)
    items: list[str] = draw(st.lists(_scalar, max_size=3))
    sep = st.sampled_from([", ", ",", ",\n    ", ", # note\n  "])
    trailing: bool = draw(st.booleans())
    seps = [draw(sep) for _ in items]
    if not trailing and seps:
        seps[-1] = ""
    body = "".join(i + s for i, s in zip(items, seps, strict=True))
    open_gap = draw(st.sampled_from(["", " ", "\n  "]))
    return "[" + open_gap + body + draw(st.sampled_from(["", " ", "\n"])) + "]"


@st.composite
def xen_configs(draw: st.DrawFn, dotted: bool = False) -> str:
    """A config: settings, comments, blank lines, ``;`` separators, CRLF, no final newline."""
    nl = draw(_newline)
    keys = ["name", "memory", "disk", "vif", "on_crash", "builder"]
    if dotted:
        keys += ["vif.default.bridge", "vm.cpumask"]
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", "#x = 1", "   "])))
        key = draw(st.sampled_from(keys))
        eq = draw(st.sampled_from([" = ", "=", "\t=\t"]))
        line = key + eq + draw(xen_values()).replace("\n", nl)
        line += draw(st.sampled_from(["", " ", " # trailing", ";", "; "]))
        lines.append(line)
    text = nl.join(lines)
    return text + (nl if draw(st.booleans()) else "")


_STATEMENTS = st.sampled_from(
    [
        "import os, re",
        "arch = os.uname()[4]",
        "if re.search('64', arch):\n    arch_libdir = 'lib64'\nelse:\n    arch_libdir = 'lib'",
        "device_model = '/usr/' + arch_libdir + '/xen/bin/qemu-dm'",
        'name = "VM%d" % vmid',
        "def vmid_check(var, val):\n    val = int(val)  # a comment inside\n    return val",
        "xm_vars.var('vmid', use=\"Virtual machine id.\", check=vmid_check)",
        "xm_vars.check()",
        "disk.append('phy:/dev/sdc,xvdc,w')",
        "disk = [ 'phy:sda%d,sda1,w' % (7+vmid),\n         'phy:sda6,sda6,r' ]",
        "root = base + 'vm1'",
        "base = '/dev/vg0/'",
        "vncpasswd = 'pw' + 'x'",
    ]
)
_PLAIN = st.sampled_from(
    ["memory = 512", "kernel = '/boot/vmlinuz'", "vif = [ 'bridge=xenbr0' ]", "builder='hvm'"]
)


@st.composite
def xen_programs(draw: st.DrawFn) -> str:
    """xm configs that are Python programs: imports, conditions, functions and computed values
    among plain settings, with comments, ``;``, CRLF and no final newline."""
    nl = draw(_newline)
    lines = [draw(_STATEMENTS)]
    for _ in range(draw(st.integers(0, 6))):
        line = draw(st.one_of(_STATEMENTS, _PLAIN, st.sampled_from(["", "# note", "   "])))
        if draw(st.integers(0, 4)) == 0 and "\n" not in line and line.strip():
            line += draw(st.sampled_from(["; memory = 256", "  # why", ";"]))
        lines.append(line)
    text = nl.join(line.replace("\n", nl) for line in lines)
    return text + (nl if draw(st.booleans()) else "")
