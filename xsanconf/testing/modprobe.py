"""Hypothesis strategies that build modprobe.d text with random trivia.

:func:`modprobe_options_lines` draws an ``options`` line together with the module and the
parameters kmod and the kernel must read from it, so tests can check meaning as well as the
round trip; :func:`modprobe_documents` mixes every command, comments, blank lines, tabs, CRLF,
backslash continuations, bad lines and a missing final newline.
"""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.domain.module_params import ModuleParam

__all__ = [
    "modprobe_documents",
    "modprobe_module_names",
    "modprobe_options_lines",
    "modprobe_params",
]

_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-"
modprobe_module_names = st.text(alphabet=_NAME_CHARS, min_size=1, max_size=12).filter(
    lambda s: not s.startswith("-")
)
_PARAM_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
_PLAIN_VALUES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789,.:/+-_", max_size=10)
_SPACED_VALUES = st.text(alphabet="abc xyz019,.", min_size=1, max_size=10).filter(
    lambda s: " " in s
)
_BLANKS = st.sampled_from([" ", "\t", "  ", " \t", "\t\t"])
_NEWLINE = st.sampled_from(["\n", "\n", "\n", "\r\n"])
_COMMENT_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\n\r\\\x00", blacklist_categories=["Cs"]),
    max_size=20,
)


@st.composite
def modprobe_params(draw: st.DrawFn) -> tuple[str, ModuleParam]:
    """A parameter word as written and the parameter the kernel reads from it."""
    name = draw(_PARAM_NAMES)
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return name, ModuleParam(name, None)
    if shape == 1:
        value = draw(_SPACED_VALUES)
        return f'{name}="{value}"', ModuleParam(name, value)
    value = draw(_PLAIN_VALUES)
    return f"{name}={value}", ModuleParam(name, value)


@st.composite
def modprobe_options_lines(draw: st.DrawFn) -> tuple[str, str, list[ModuleParam]]:
    """``options MODULE PARAMS`` with odd spacing and maybe a continuation, its module, and the
    parameters in order."""
    module = draw(modprobe_module_names)
    words = draw(st.lists(modprobe_params(), min_size=1, max_size=4))
    text = "options" + draw(_BLANKS) + module
    for written, _ in words:
        separator = draw(_BLANKS)
        if draw(st.integers(0, 5)) == 0:
            separator = " \\\n" + draw(st.sampled_from(["", " ", "\t"]))
        text += separator + written
    text += draw(st.sampled_from(["", "", " ", "\t"]))
    return text, module, [param for _, param in words]


@st.composite
def _command_line(draw: st.DrawFn) -> str:
    module = draw(modprobe_module_names)
    other = draw(modprobe_module_names)
    blank = draw(_BLANKS)
    return draw(
        st.sampled_from(
            [
                f"blacklist{blank}{module}",
                f"alias{blank}{module}*{blank}{other}",
                f"install{blank}{module}{blank}/sbin/modprobe --ignore-install {module}; true",
                f"remove{blank}{module}{blank}/bin/true",
                f"softdep{blank}{module}{blank}pre: {other} post: {other}",
                f"weakdep{blank}{module}{blank}{other}",
                f"include /etc/modprobe.d/{module}",
                f"Options {module} x=1",
                f"{blank}# indented comment {module}",
                f"# a comment ending in a backslash \\\noptions {module} swallowed=1",
            ]
        )
    )


@st.composite
def _trivia(draw: st.DrawFn) -> str:
    """Lines kmod skips: blank, blank with blanks, first-column comments."""
    lines = draw(
        st.lists(
            st.one_of(
                st.just(""),
                _BLANKS,
                _COMMENT_TEXT.map(lambda s: "#" + s),
            ),
            max_size=3,
        )
    )
    return "".join(line + draw(_NEWLINE) for line in lines)


@st.composite
def modprobe_documents(draw: st.DrawFn) -> str:
    """A modprobe.d file: any mix of commands, comments and oddities."""
    lines = draw(
        st.lists(
            st.one_of(modprobe_options_lines().map(lambda t: t[0]), _command_line()), max_size=8
        )
    )
    text = draw(_trivia())
    for line in lines:
        indent = draw(st.sampled_from(["", "", "", " ", "\t"]))
        text += indent + line + draw(_NEWLINE) + draw(_trivia())
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text
