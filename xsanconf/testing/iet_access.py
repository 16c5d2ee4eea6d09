"""Hypothesis strategies that build initiators.allow / targets.allow text with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.testing.ietd import iet_names

__all__ = ["access_items", "iet_access_documents"]

_newline = st.sampled_from(["\n", "\n", "\r\n"])
_blank = st.sampled_from([" ", "\t", "  ", " \t"])

access_items = st.one_of(
    st.just("ALL"),
    st.ip_addresses(v=4).map(str),
    st.builds(lambda a, n: f"{a}/{n}", st.ip_addresses(v=4), st.integers(0, 33)),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
    st.builds(lambda a, n: f"[{a}]/{n}", st.ip_addresses(v=6), st.integers(0, 128)),
    st.sampled_from([r"iqn\.1998-01\.com\.vmware:.*", ".*:mscs1-[1-4]", "[::1", "10.0.0.1 # x"]),
)


@st.composite
def _entry(draw: st.DrawFn) -> str:
    target = draw(st.one_of(st.just("ALL"), iet_names))
    items = draw(st.lists(access_items, max_size=4))
    text = draw(st.sampled_from(["", "", " ", "\t"])) + target
    if items:
        separators = [draw(st.sampled_from([",", ", ", " ,", ",\t"])) for _ in items[1:]]
        joined = items[0] + "".join(s + i for s, i in zip(separators, items[1:], strict=True))
        text += draw(_blank) + joined
    text += draw(st.sampled_from(["", " ", "\t"])) + draw(_newline)
    for _ in range(draw(st.integers(0, 2))):
        text += draw(st.sampled_from(["#", "# ALL ALL", "  #x", "", " "])) + draw(_newline)
    return text


@st.composite
def iet_access_documents(draw: st.DrawFn) -> str:
    """An access file: entries, comment lines, blank lines, CRLF, maybe no final newline."""
    text = "".join(draw(st.lists(_entry(), max_size=5)))
    if draw(st.booleans()):
        text = "# The semantics are:\n#\n" + text
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text
