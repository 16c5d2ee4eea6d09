"""Hypothesis strategies for initiatorname.iscsi text with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["initiator_names", "initiatorname_documents"]

_NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
initiator_names = st.one_of(
    st.from_regex(
        r"iqn\.(19|20)[0-9]{2}-(0[1-9]|1[0-2])\.[a-z]{2,6}\.[a-z]{2,8}(:[a-z0-9]{1,12})?",
        fullmatch=True,
    ),
    st.from_regex(r"eui\.[0-9A-F]{16}", fullmatch=True),
)
_COMMENT = st.sampled_from(
    [
        "## DO NOT EDIT OR REMOVE THIS FILE!",
        "## If you remove this file, the iSCSI daemon will not start.",
        "# InitiatorName=iqn.2000-01.com.example:commented",
        "#",
    ]
)


@st.composite
def _line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["name", "alias", "placeholder", "comment", "blank", "other"]))
    if kind == "name":
        line = "InitiatorName" + draw(st.sampled_from(["=", "=", " = "])) + draw(initiator_names)
    elif kind == "alias":
        line = "InitiatorAlias=" + draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True))
    elif kind == "placeholder":
        line = "GenerateName=yes"
    elif kind == "comment":
        line = draw(_COMMENT)
    elif kind == "blank":
        line = draw(st.sampled_from(["", " ", "\t"]))
    else:
        line = draw(initiator_names)  # a bare name with no key, as some files carry
    indent = draw(st.sampled_from(["", "", "", " ", "\t"]))
    return indent + line + draw(st.sampled_from(["", "", " "])) + draw(_NEWLINE)


@st.composite
def initiatorname_documents(draw: st.DrawFn) -> str:
    """An initiatorname.iscsi text: names, aliases, placeholders, comments, CRLF, odd spacing."""
    text = "".join(draw(st.lists(_line(), max_size=6)))
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text
