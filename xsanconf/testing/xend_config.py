"""Hypothesis strategies for xend-config.sxp S-expressions with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["sxp_atoms", "xend_configs"]

_newline = st.sampled_from(["\n", "\n", "\r\n"])
sxp_atoms = st.sampled_from(
    [
        "yes",
        "no",
        "8002",
        "''",
        '""',
        "'^localhost$ ^xen2\\\\.example\\\\.org$'",
        "vif-bridge",
        "'network-bridge netdev=eth1'",
        '"a \\" b"',
    ]
)
_NAMES = st.sampled_from(
    [
        "xend-relocation-server",
        "xend-relocation-hosts-allow",
        "xend-relocation-port",
        "dom0-min-mem",
        "vif-script",
        "xen-api-server",
    ]
)


@st.composite
def _sexp(draw: st.DrawFn, depth: int = 0) -> str:
    items = [draw(_NAMES)]
    for _ in range(draw(st.integers(0, 3))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            items.append(draw(_sexp(depth + 1)))
        else:
            items.append(draw(sxp_atoms))
    seps = [draw(st.sampled_from([" ", "  ", "\t", "\n   "])) for _ in items[1:]]
    body = items[0] + "".join(s + i for s, i in zip(seps, items[1:], strict=True))
    return "(" + draw(st.sampled_from(["", " "])) + body + draw(st.sampled_from(["", " "])) + ")"


@st.composite
def xend_configs(draw: st.DrawFn) -> str:
    nl = draw(_newline)
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 5))):
        lines += draw(
            st.lists(st.sampled_from(["", "# comment", "#(xend-port 8000)", "  "]), max_size=2)
        )
        lines.append(draw(_sexp()).replace("\n", nl) + draw(st.sampled_from(["", " ", " # x"])))
    text = nl.join(lines)
    return text + (nl if draw(st.booleans()) else "")
