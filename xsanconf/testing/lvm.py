"""Hypothesis strategies for LVM config trees: lvm.conf sections and metadata backups."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["lvm_documents"]

_newline = st.sampled_from(["\n", "\n", "\r\n"])
_names = st.sampled_from(["devices", "global", "activation", "vg0", "pv0", "physical_volumes"])
_keys = st.sampled_from(["filter", "dir", "use_lvmetad", "device", "id", "devices/filter", '"x"'])
_scalars = st.sampled_from(
    ['"a|^/dev/mapper/|"', "'r|.*|'", '"with \\"quote\\" \\\\ \\n"', "0", "-1", "2.5", "bare", '""']
)


@st.composite
def _values(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(_scalars)
    items = draw(st.lists(_scalars, max_size=3))
    sep = draw(st.sampled_from([", ", ",", " ", ",\n\t\t", ", # note\n\t"]))
    return "[" + draw(st.sampled_from(["", " "])) + sep.join(items) + " ]"


@st.composite
def _block(draw: st.DrawFn, depth: int) -> list[str]:
    lines: list[str] = []
    indent = "\t" * depth
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(indent + draw(st.sampled_from(["", "# comment", "#x = 1"])))
        elif kind == 1 and depth < 3:
            head = draw(_names) + draw(st.sampled_from([" {", "{", "\n" + indent + "{"]))
            lines.append(indent + head)
            lines += draw(_block(depth + 1))
            lines.append(indent + "}" + draw(st.sampled_from(["", "  # end"])))
        else:
            eq = draw(st.sampled_from([" = ", "=", "\t=\t"]))
            comment = draw(st.sampled_from(["", "\t# hint", " #"]))
            lines.append(indent + draw(_keys) + eq + draw(_values()) + comment)
    return lines


@st.composite
def lvm_documents(draw: st.DrawFn) -> str:
    """Sections, settings, arrays over lines, comments, CRLF and no final newline."""
    nl = draw(_newline)
    text = nl.join(line.replace("\n", nl) for line in draw(_block(0)))
    return text + (nl if draw(st.booleans()) else "")
