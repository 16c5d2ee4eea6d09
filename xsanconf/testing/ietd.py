"""Hypothesis strategies that build ietd.conf text with random trivia.

The texts mix what real files carry (tab-indented stanzas, commented-out samples, aligned
``Key<TAB><TAB>value<TAB># note`` lines) with what ietd tolerates (any keyword case, CRLF,
form feeds, a ``#`` after a value, no final newline, Lun lines with junk).
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["iet_names", "ietd_documents", "lun_param_lists"]

_newline = st.sampled_from(["\n", "\n", "\n", "\r\n"])
_blank = st.sampled_from([" ", "\t", "  ", "\t\t", " \t", "\v", "\f"])
_indent = st.sampled_from(["", "", "\t", "    ", " "])
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-.:"
_WORD_CHARS = st.characters(
    blacklist_characters=" \t\n\r\v\f", blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")
)

iet_names = st.builds(
    lambda year, month, domain, suffix: f"iqn.{year}-{month:02d}.{domain}{suffix}",
    st.integers(1990, 2030),
    st.integers(1, 12),
    st.sampled_from(["com.example", "org.linux-iscsi.host1", "de.san", "lan"]),
    st.one_of(st.just(""), st.text(_NAME_CHARS, min_size=1, max_size=12).map(lambda s: ":" + s)),
)
_value = st.text(_WORD_CHARS, min_size=1, max_size=10).filter(lambda w: not w.startswith("#"))


def _case(keyword: str) -> st.SearchStrategy[str]:
    return st.sampled_from([keyword, keyword.lower(), keyword.upper()])


_param_value = st.text(
    st.characters(blacklist_characters=",\n\r", blacklist_categories=("Cs", "Cc")), max_size=12
).map(lambda s: s.strip(" \t\v\f"))
_lun_key = st.sampled_from(
    ["Path", "Type", "ScsiId", "ScsiSN", "IOMode", "BlockSize", "Blocks", "path", "TYPE", "Dest"]
)


@st.composite
def lun_param_lists(draw: st.DrawFn) -> str:
    """A Lun parameter list: known and unknown keys, odd case, empty pieces, pieces without '='."""
    pieces = []
    for _ in range(draw(st.integers(0, 5))):
        shape = draw(st.integers(0, 9))
        if shape == 0:
            pieces.append("")
        elif shape == 1:
            pieces.append(draw(_lun_key))
        else:
            pieces.append(draw(_lun_key) + "=" + draw(_param_value))
    return ",".join(pieces).strip(" \t\v\f")


@st.composite
def _line_end(draw: st.DrawFn) -> str:
    """What follows a significant line: blanks, then the newline and maybe comment lines."""
    out = draw(st.sampled_from(["", "", " ", "\t", "  \t"])) + draw(_newline)
    for _ in range(draw(st.integers(0, 2))):
        shape = draw(st.integers(0, 3))
        if shape == 0:
            out += draw(_newline)
        elif shape == 1:
            out += draw(_indent) + "#" + draw(st.text(_WORD_CHARS, max_size=10)) + draw(_newline)
        elif shape == 2:
            out += draw(_indent) + "#Lun 0 Path=/dev/x" + draw(_newline)
        else:
            out += draw(_blank) + draw(_newline)
    return out


@st.composite
def _statement(
    draw: st.DrawFn, keyword: st.SearchStrategy[str], args: st.SearchStrategy[str]
) -> str:
    text = draw(_indent) + draw(keyword)
    rest = draw(args)
    if rest:
        text += draw(_blank) + rest
    if draw(st.integers(0, 5)) == 0:
        text += draw(_blank) + "# " + draw(st.text(_WORD_CHARS, max_size=8))
    return text + draw(_line_end())


def _words(count: int) -> st.SearchStrategy[str]:
    return st.lists(_value, min_size=count, max_size=count).map(" ".join)


_KEY = st.sampled_from(
    ["MaxConnections", "InitialR2T", "ImmediateData", "HeaderDigest", "Wthreads", "X-Custom"]
)
_global = st.one_of(
    _statement(st.sampled_from(["IncomingUser", "OutgoingUser"]).flatmap(_case), _words(2)),
    _statement(st.sampled_from(["iSNSServer", "iSNSAccessControl"]).flatmap(_case), _words(1)),
)
_in_target = st.one_of(
    _statement(st.sampled_from(["IncomingUser", "OutgoingUser"]).flatmap(_case), _words(2)),
    _statement(
        _case("Lun"),
        st.tuples(st.integers(0, 20), lun_param_lists()).map(lambda t: f"{t[0]} {t[1]}".strip()),
    ),
    _statement(_case("Alias"), _words(1)),
    _statement(_KEY.flatmap(_case), _words(1)),
)


@st.composite
def _target(draw: st.DrawFn) -> str:
    head = draw(_statement(_case("Target"), iet_names))
    return head + "".join(draw(st.lists(_in_target, max_size=5)))


@st.composite
def ietd_documents(draw: st.DrawFn) -> str:
    """An ietd.conf text: global accounts, targets with LUNs and parameters, random trivia."""
    text = "".join(draw(st.lists(_global, max_size=3)))
    text += "".join(draw(st.lists(_target(), max_size=4)))
    if draw(st.booleans()):
        text = "# Example iscsi target configuration\n#\n" + text
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text
