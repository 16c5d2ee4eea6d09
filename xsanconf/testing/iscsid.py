"""Hypothesis strategies for iscsid.conf text with random trivia, and what iscsid reads from it."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = [
    "iscsid_documents",
    "iscsid_documents_with_settings",
    "iscsid_keys",
    "iscsid_values",
]

_NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
_BLANK = st.sampled_from(["", "", " ", "\t", "  "])
# separators iscsid reads; "name=value" and "name= value" it drops
_READ_SEPARATORS = st.sampled_from([" = ", " = ", " =", "\t=\t", "  =  ", " = \t", "=="])
_DROPPED_SEPARATORS = st.sampled_from(["=", "= "])

iscsid_keys = st.one_of(
    st.sampled_from(
        [
            "node.session.timeo.replacement_timeout",
            "node.conn[0].timeo.noop_out_interval",
            "node.session.auth.username",
            "node.session.auth.password",
            "discovery.sendtargets.auth.username",
            "node.session.cmds_max",
            "iface.net_ifacename",
        ]
    ),
    st.from_regex(r"[a-z][a-z0-9_.\[\]]{0,20}", fullmatch=True),
)
_VALUE_CHARS = st.characters(
    blacklist_characters="\n\r\x00\x0b\x0c", blacklist_categories=("Cs", "Zl", "Zp")
)
iscsid_values = st.text(alphabet=_VALUE_CHARS, min_size=1, max_size=16).filter(
    lambda v: v == v.strip(" \t\r\v\f\n") and not v.startswith("=")
)
_COMMENT = st.text(alphabet=_VALUE_CHARS, max_size=12).map(lambda s: "#" + s)
_OTHER = st.sampled_from(["foo", "node.startup", "node.startup =", "= value", "a b c"])


@st.composite
def _trivia_line(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from(["", "comment", "blank"]))
    text = draw(_BLANK)
    if body == "comment":
        text += draw(_COMMENT)
    elif body == "blank":
        text += draw(st.sampled_from([" ", "\t", ""]))
    return text + draw(_NEWLINE)


@st.composite
def iscsid_documents_with_settings(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """An iscsid.conf text and the ``(name, value)`` pairs iscsid reads from it, in order.

    Lines iscsid drops (``name=value``, lines with no ``=``, a last line with no newline) are
    mixed in and left out of the pairs.  The keys have no enumerated values, so iscsid takes
    every value it reads.
    """
    text = ""
    read: list[tuple[str, str]] = []
    last_read: tuple[str, str] | None = None
    for _ in range(draw(st.integers(0, 8))):
        last_read = None
        kind = draw(st.sampled_from(["entry", "entry", "dropped", "other", "trivia"]))
        if kind == "trivia":
            text += draw(_trivia_line())
            continue
        line = draw(_BLANK)
        if kind == "other":
            line += draw(_OTHER)
        else:
            key, value = draw(iscsid_keys), draw(iscsid_values)
            dropped = kind == "dropped"
            line += key + draw(_DROPPED_SEPARATORS if dropped else _READ_SEPARATORS) + value
            if not dropped:
                last_read = (key, value)
                read.append(last_read)
        text += line + draw(_BLANK) + draw(_NEWLINE)
    if text.endswith("\n") and draw(st.booleans()):
        text = text.removesuffix("\n").removesuffix("\r")
        if last_read is not None:
            read.pop()  # a last line without a newline is not read
    return text, read


@st.composite
def iscsid_documents(draw: st.DrawFn) -> str:
    """An iscsid.conf text: settings, dropped lines, comments, blank lines, tabs, CRLF."""
    return draw(iscsid_documents_with_settings())[0]
