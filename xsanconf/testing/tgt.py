"""Hypothesis strategies that build targets.conf text with random trivia.

The texts mix what real files carry (tab- or space-indented targets, ``# LUN1`` notes after
values, commented-out samples, ``include`` lines) with what Config::General tolerates
(``key = value``, quoted values, backslash continuations, whole-line C comments, CRLF, no
final newline, nested LUN blocks, unknown options).
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["tgt_documents"]

_newline = st.sampled_from(["\n", "\n", "\n", "\r\n"])
_indent = st.sampled_from(["", "\t", "  ", "    ", "\t\t"])
_WORD = st.text(
    st.characters(
        blacklist_characters=" \t\n\r\v\f#\\<>\"'=*/",
        blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"),
    ),
    min_size=1,
    max_size=10,
)
_KEYS = st.sampled_from(
    [
        "backing-store",
        "direct-store",
        "initiator-address",
        "initiator-name",
        "incominguser",
        "outgoinguser",
        "scsi_id",
        "scsi_sn",
        "vendor_id",
        "product_id",
        "write-cache",
        "bs-type",
        "lun",
        "controller_tid",
        "allow-in-use",
        "MaxConnections",
        "x-unknown",
    ]
)


@st.composite
def _value(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD, min_size=1, max_size=3))
    shape = draw(st.integers(0, 5))
    if shape == 0:
        return '"' + " ".join(words) + '"'
    if shape == 1:
        return words[0] + "\\#" + words[-1]
    return " ".join(words)


@st.composite
def _trailer(draw: st.DrawFn, c_comment: bool = True) -> str:
    """What follows a significant line: blanks, maybe a comment, the newline, comment lines.

    A ``/* */`` in a ``#`` comment is harmless only on a line without ``/*`` before it."""
    ends = ["", "", " ", "\t", " # LUN1", *(["\t# note /* x */"] if c_comment else [])]
    out = draw(st.sampled_from(ends))
    out += draw(_newline)
    for _ in range(draw(st.integers(0, 2))):
        shape = draw(st.integers(0, 3))
        if shape == 0:
            out += draw(_newline)
        elif shape == 1:
            out += draw(_indent) + "# " + draw(_WORD) + draw(_newline)
        elif shape == 2:
            out += draw(_indent) + "/* " + draw(_WORD) + " */" + draw(_newline)
        else:
            out += "/*" + draw(_newline) + draw(_WORD) + draw(_newline) + " */" + draw(_newline)
    return out


@st.composite
def _option(draw: st.DrawFn, indent: str) -> str:
    key = draw(_KEYS)
    separator = draw(st.sampled_from([" ", "\t", " = ", "=", "  "]))
    value = draw(_value())
    if draw(st.integers(0, 6)) == 0 and " " in value and not value.startswith('"'):
        head, tail = value.split(" ", 1)
        value = head + " \\" + draw(_newline) + draw(_indent) + tail
    return indent + key + separator + value + draw(_trailer())


@st.composite
def _store_block(draw: st.DrawFn, indent: str) -> str:
    kind = draw(st.sampled_from(["backing-store", "direct-store"]))
    inner = indent + draw(st.sampled_from(["\t", "  "]))
    body = "".join(draw(st.lists(_option(inner), max_size=3)))
    head = f"{indent}<{kind} /dev/{draw(_WORD)}>" + draw(_trailer())
    return head + body + f"{indent}</{kind}>" + draw(_trailer())


@st.composite
def _target(draw: st.DrawFn) -> str:
    name = "iqn.2024-01.org.example:" + draw(_WORD)
    inner = draw(st.sampled_from(["\t", "  ", "    "]))
    items = draw(
        st.lists(st.one_of(_option(inner), _option(inner), _store_block(inner)), max_size=5)
    )
    return f"<target {name}>" + draw(_trailer()) + "".join(items) + "</target>" + draw(_trailer())


@st.composite
def tgt_documents(draw: st.DrawFn) -> str:
    """A targets.conf: global options, includes and targets."""
    parts = [draw(st.sampled_from(["", "# tgt-admin configuration\n", "\n"]))]
    for _ in range(draw(st.integers(0, 3))):
        shape = draw(st.integers(0, 2))
        if shape == 0:
            parts.append("default-driver iscsi" + draw(_trailer()))
        elif shape == 1:
            parts.append("include /etc/tgt/conf.d/*.conf" + draw(_trailer(c_comment=False)))
        else:
            parts.append(draw(_option("")))
    parts += draw(st.lists(_target(), max_size=3))
    text = "".join(parts)
    if draw(st.booleans()) and text.endswith("\n"):
        text = text.rstrip("\r\n")
    return text
