"""Hypothesis strategies for LIO saveconfig.json: JSON values in rtslib's shape, with random
whitespace (indentation, CRLF, blanks before colons and commas) and odd but valid literals."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["json_scalars", "lio_documents"]

json_scalars = st.sampled_from(
    [
        "true",
        "false",
        "null",
        "0",
        "-1",
        "3260",
        "1.5e3",
        "NaN",
        "-Infinity",
        '""',
        '"disk0"',
        '"/backstores/block/disk0"',
        '"d27e5d89-8829-468b-90ce-4ef8c02f07fe"',
        '"iqn.2003-01.org.linux-iscsi.san1:xensan"',
        '"caf\\u00e9 \\"q\\" \\\\ \\/ \\n"',
        '"\\ud83d\\ude00"',
        '"s\u00e9cret"',
    ]
)
_KEYS = st.sampled_from(
    [
        '"name"',
        '"plugin"',
        '"dev"',
        '"wwn"',
        '"write_back"',
        '"attributes"',
        '"storage_objects"',
        '"targets"',
        '"tpgs"',
        '"luns"',
        '"node_acls"',
        '"chap_password"',
        '"discovery_password"',
        '"index"',
        '""',
    ]
)
_BLANKS = st.sampled_from(["", " ", "  ", "\t", "\n", "\r\n", "\n    ", "\r\n  "])


@st.composite
def _value(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 5)) if depth < 4 else 0
    if kind <= 2:
        return draw(json_scalars)
    if kind == 3:
        items = [draw(_value(depth + 1)) for _ in range(draw(st.integers(0, 3)))]
        inner = ",".join(draw(_BLANKS) + i + draw(_BLANKS) for i in items)
        return "[" + (inner or draw(_BLANKS)) + "]"
    members = [
        draw(_BLANKS) + draw(_KEYS) + draw(_BLANKS) + ":" + draw(_BLANKS) + draw(_value(depth + 1))
        for _ in range(draw(st.integers(0, 4)))
    ]
    inner = ",".join(m + draw(_BLANKS) for m in members)
    return "{" + (inner or draw(_BLANKS)) + "}"


@st.composite
def lio_documents(draw: st.DrawFn) -> str:
    """A saveconfig.json: usually an object, as rtslib writes, sometimes any JSON value."""
    top = draw(_value(3 if draw(st.integers(0, 5)) == 0 else 0))
    if draw(st.integers(0, 5)) and not top.startswith("{"):
        top = '{"storage_objects": [' + top + "]}"
    return draw(_BLANKS) + top + draw(st.sampled_from(["", "\n", "\r\n", " \n"]))
