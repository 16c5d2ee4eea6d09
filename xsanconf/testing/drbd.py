"""Hypothesis strategies that build valid drbd.conf text with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["drbd_documents", "drbd_words"]

_BARE = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789/._-", min_size=1, max_size=12
)
_QUOTED = st.text(
    alphabet=st.characters(blacklist_characters='"\\\n\r', blacklist_categories=("Cs", "Cc")),
    max_size=12,
).map(lambda s: '"' + s + '"')
_ESCAPED = st.sampled_from(['"a\\"b"', '"x\\\\y"', '"sh -c \\"echo;\\""'])
drbd_words = st.one_of(_BARE, _BARE, _QUOTED, _ESCAPED)
_KEYWORDS = st.sampled_from(
    ["protocol", "device", "disk", "meta-disk", "address", "rate", "usage-count", "x-custom"]
)
_SECTIONS = st.sampled_from(["resource", "on", "net", "disk", "volume", "startup", "handlers"])


@st.composite
def _space(draw: st.DrawFn) -> str:
    """Trivia that can separate two words on one line: spaces, tabs, maybe a line break."""
    parts = draw(st.lists(st.sampled_from([" ", "\t", "  "]), min_size=1, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        parts.append(draw(_newline) + draw(st.sampled_from(["", " ", "\t"])))
    return "".join(parts)


_newline = st.sampled_from(["\n", "\n", "\r\n"])
_COMMENT_CHARS = st.characters(blacklist_characters="\n\r\x00", blacklist_categories=["Cs"])


@st.composite
def _line_end(draw: st.DrawFn) -> str:
    """Trivia after a statement: a comment, spaces, blank lines, own-line comments."""
    out = draw(st.sampled_from(["", " ", "\t", "  "]))
    if draw(st.booleans()):
        out += "#" + draw(st.text(alphabet=_COMMENT_CHARS, max_size=10))
    out += draw(_newline)
    for _ in range(draw(st.integers(0, 2))):
        out += draw(st.sampled_from(["", "\t", "  # note", "# x { ; }"])) + draw(_newline)
    return out


@st.composite
def _statement(draw: st.DrawFn, indent: str) -> str:
    words = [draw(_KEYWORDS), *draw(st.lists(drbd_words, max_size=3))]
    text = words[0]
    for w in words[1:]:
        text += draw(_space()) + w
    return indent + text + draw(st.sampled_from(["", " ", "\t"])) + ";" + draw(_line_end())


@st.composite
def _section(draw: st.DrawFn, indent: str, depth: int) -> str:
    head = [draw(_SECTIONS), *draw(st.lists(drbd_words, max_size=2))]
    text = indent + head[0]
    for w in head[1:]:
        text += draw(_space()) + w
    text += draw(st.sampled_from([" ", "", "\t"])) + "{" + draw(_line_end())
    step = draw(st.sampled_from(["\t", "  ", "    "]))
    text += "".join(draw(st.lists(_item(indent + step, depth + 1), max_size=4)))
    return text + indent + "}" + draw(_line_end())


def _item(indent: str, depth: int) -> st.SearchStrategy[str]:
    if depth >= 3:
        return _statement(indent)
    return st.one_of(_statement(indent), _section(indent, depth))


@st.composite
def drbd_documents(draw: st.DrawFn) -> str:
    """A drbd.conf text: random sections and statements, comments, blank lines, CRLF, tabs."""
    text = "".join(draw(st.lists(_item("", 0), max_size=5)))
    if draw(st.booleans()):
        text = "# generated\n" + text
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final newline
    return text
