"""Hypothesis strategies that build /etc/modules and modules-load.d text with random trivia."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.domain.module_params import ModuleParam
from xsanconf.testing.modprobe import modprobe_module_names, modprobe_params

__all__ = ["modules_documents", "modules_lines"]

_BLANKS = st.sampled_from([" ", "\t", "  "])
_NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
_COMMENT_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\n\r\x00", blacklist_categories=["Cs"]),
    max_size=20,
)


@st.composite
def modules_lines(draw: st.DrawFn) -> tuple[str, str, list[ModuleParam]]:
    """A module line (maybe indented, maybe with parameters and trailing blanks), its module
    and its parameters."""
    module = draw(modprobe_module_names)
    words = draw(st.lists(modprobe_params(), max_size=3))
    text = draw(st.sampled_from(["", "", " ", "\t"])) + module
    for written, _ in words:
        text += draw(_BLANKS) + written
    text += draw(st.sampled_from(["", "", " ", "\t "]))
    return text, module, [param for _, param in words]


@st.composite
def _trivia_line(draw: st.DrawFn) -> str:
    return draw(
        st.one_of(
            st.just(""),
            _BLANKS,
            _COMMENT_TEXT.map(lambda s: "#" + s),
            _COMMENT_TEXT.map(lambda s: "  #" + s),
            _COMMENT_TEXT.map(lambda s: ";" + s),
        )
    )


@st.composite
def modules_documents(draw: st.DrawFn) -> str:
    """A modules file: module lines, comments of every kind, blank lines, CRLF, no final
    newline."""
    parts = draw(
        st.lists(st.one_of(modules_lines().map(lambda t: t[0]), _trivia_line()), max_size=10)
    )
    text = "".join(part + draw(_NEWLINE) for part in parts)
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text
