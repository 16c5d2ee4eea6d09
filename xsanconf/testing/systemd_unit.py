"""Hypothesis strategies for systemd unit files with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["unit_files", "unit_names"]

unit_names = st.sampled_from(
    ["drbd.service", "iscsitarget.service", "network-online.target", "tgt.service", "a@b.service"]
)
_SECTIONS = st.sampled_from(["Unit", "Service", "Install", "X-Custom"])
_KEYS = st.sampled_from(["After", "Before", "Requires", "Wants", "BindsTo", "PartOf", "ExecStart"])
_newline = st.sampled_from(["\n", "\n", "\r\n"])
_TRIVIA_LINES = st.sampled_from(["", "# comment", "; comment", "  # indented", "\t"])


@st.composite
def _assignment(draw: st.DrawFn, nl: str) -> str:
    key = draw(_KEYS)
    values = draw(st.lists(unit_names, max_size=3))
    eq = draw(st.sampled_from(["=", " = ", "= ", " ="]))
    text = key + eq + " ".join(values)
    if values and draw(st.integers(0, 4)) == 0:
        text += " \\" + nl + draw(st.sampled_from(["", "# inside", "  "]))
        if text.endswith("inside"):
            text += nl
        text += draw(unit_names)
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def unit_files(draw: st.DrawFn) -> str:
    """A unit file: sections of assignments, comments, blank lines, continuations, CRLF."""
    nl = draw(_newline)
    lines: list[str] = draw(st.lists(_TRIVIA_LINES, max_size=2))
    for _ in range(draw(st.integers(0, 3))):
        lines.append(draw(st.sampled_from(["", " "])) + "[" + draw(_SECTIONS) + "]")
        for _ in range(draw(st.integers(0, 4))):
            if draw(st.booleans()):
                lines.append(draw(_TRIVIA_LINES))
            lines.append(draw(_assignment(nl)))
    text = nl.join(lines)
    return text + (nl if draw(st.booleans()) else "")
