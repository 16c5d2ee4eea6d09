"""Hypothesis strategies for /etc/default shell files with random trivia, and their values."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.formats.shell_vars import QuoteStyle, quote

__all__ = ["shell_names", "shell_values", "shell_vars_documents", "shell_vars_with_values"]

_NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
shell_names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)
shell_values = st.text(
    alphabet=st.characters(blacklist_characters="\x00\r", blacklist_categories=["Cs"]),
    max_size=14,
)
_OTHER = st.sampled_from(
    [
        "if [ -f /etc/default/x ]; then",
        "fi",
        ". /etc/default/rcS",
        'echo "a b # not a comment"',
        "A=1 B=2",
        "unset FOO",
        "export NAME",
        "run_me --flag",
    ]
)


def _backslashed(value: str) -> str:
    """A bare word spelling ``value`` with backslashes (a newline cannot be spelled so)."""
    return "".join("\\" + c if not (c.isalnum() or c in "_./-") else c for c in value)


@st.composite
def _word(draw: st.DrawFn, value: str) -> str:
    styles: list[QuoteStyle | None] = ["double", "single", "bare"]
    if "\n" not in value:
        styles.append(None)  # backslashes, no quotes
    style = draw(st.sampled_from(styles))
    if style is None:
        return _backslashed(value)
    return quote(value, style)


@st.composite
def shell_vars_with_values(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A shell variable file and the value each assigned name has after it is sourced."""
    text = ""
    values: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(["assign", "assign", "comment", "blank", "other"]))
        indent = draw(st.sampled_from(["", "", " ", "\t"]))
        if kind == "assign":
            name, value = draw(shell_names), draw(shell_values)
            export = draw(st.sampled_from(["", "", "export ", "export\t"]))
            line = indent + export + name + "=" + draw(_word(value))
            if draw(st.booleans()):
                line += draw(st.sampled_from([" ", "\t"])) + "# note 'quoted' \"x\""
            values[name] = value
        elif kind == "comment":
            line = indent + "# " + draw(st.sampled_from(["Defaults for x", "FOO=bar", "it's"]))
        elif kind == "blank":
            line = indent
        else:
            line = indent + draw(_OTHER)
        text += line + draw(st.sampled_from(["", " "])) + draw(_NEWLINE)
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text, values


@st.composite
def shell_vars_documents(draw: st.DrawFn) -> str:
    """A shell variable file: assignments in every quoting style, comments, code, CRLF."""
    return draw(shell_vars_with_values())[0]
