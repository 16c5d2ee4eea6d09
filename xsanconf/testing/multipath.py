"""Hypothesis strategies that build multipath.conf text with random trivia, and what it means.

:func:`multipath_configs` draws a :class:`MultipathSample`: the text and the values multipathd
reads from it, so a test can check the model, not only the round trip.  The trivia covers what
real files carry: ``#`` and ``!`` comments (own-line and after values, glued or spaced), blank
lines, tabs, spaces, no-break spaces (multipathd reads non-ASCII bytes as blanks), CRLF, a
``{`` on the line after ``multipath``, and a missing final newline.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

__all__ = [
    "MultipathSample",
    "multipath_configs",
    "multipath_documents",
    "multipath_values",
]

_BARE_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-./^$[]*()|+?:,=%@~'"
_bare = st.text(alphabet=_BARE_ALPHABET, min_size=1, max_size=12)
_QUOTED_CHARS = st.characters(blacklist_characters="\n\r", blacklist_categories=["Cs", "Cc"])
_quoted_content = st.text(alphabet=_QUOTED_CHARS, max_size=12)


# values on the edges of the typed readers: numbers, signs, blanks, keyword values
_EDGE_VALUES = st.sampled_from(
    [
        "0", "1", "-1", "5", "+5", "007", "2147483647", "2147483648", "99999999999", "5 ",
        " 5", "yes", "no", "Yes", "on", "off", "max", "queue", "fail", "infinity", "manual",
        "immediate", "followover", "always", "never", "unused", "once", "priorities",
        "uniform", "multibus", "group_by_prio", "failoverX", "strict", "greedy", "smart",
        "fpin", "1 queue_if_no_path", "2 queue_if_no_path", "0", "service-time 0",
        "round-robin", "a/b",
    ]
)  # fmt: skip


@st.composite
def _value(draw: st.DrawFn) -> tuple[str, str]:
    """(raw word, the value multipathd reads from it)."""
    if not draw(st.integers(0, 3)):
        edge = draw(_EDGE_VALUES)
        return '"' + edge + '"', edge
    if draw(st.booleans()):
        word = draw(_bare)
        if not draw(st.integers(0, 4)):
            return '"' + word + '"', word
        return word, word
    content = draw(_quoted_content)
    return '"' + content.replace('"', '""') + '"', content


multipath_values = _value()

_newline = st.sampled_from(["\n", "\n", "\n", "\r\n"])
_indent = st.sampled_from(["", " ", "\t", "    ", "\t\t", "  \t", "\u00a0 "])
_gap = st.sampled_from([" ", "\t", "   ", " \t", "\t\t", "\u00a0"])
_COMMENT_CHARS = st.characters(blacklist_characters="\n\r\x00", blacklist_categories=["Cs"])


@st.composite
def _line_end(draw: st.DrawFn) -> str:
    """What may follow a line's last word: blanks, a comment, the newline, extra lines."""
    out = draw(st.sampled_from(["", "", " ", "\t", "  "]))
    if draw(st.booleans()):
        mark = draw(st.sampled_from(["#", "!", "##"]))
        out += mark + draw(st.text(alphabet=_COMMENT_CHARS, max_size=10))
    out += draw(_newline)
    for _ in range(draw(st.integers(0, 2))):
        blank = draw(st.sampled_from(["", "\t", "  # note", "!old", "#}", "# x { y"]))
        out += blank + draw(_newline)
    return out


@st.composite
def _option(draw: st.DrawFn, indent: str, keyword: str) -> tuple[str, str]:
    raw, value = draw(_value())
    # a comment may touch the value (`value#note`): an unquoted # or ! always starts one
    return indent + keyword + draw(_gap) + raw + draw(_line_end()), value


@st.composite
def _open(draw: st.DrawFn, indent: str, name: str) -> str:
    style = draw(st.integers(0, 5))
    if style == 0 and name in ("multipath", "defaults", "multipaths", "device", "devices"):
        # `{` on the next line: multipathd complains and still opens these sections
        return indent + name + draw(_newline) + indent + "{" + draw(_line_end())
    brace = draw(st.sampled_from([" {", "{", "\t{", "  {"]))
    return indent + name + brace + draw(_line_end())


@st.composite
def _close(draw: st.DrawFn, indent: str) -> str:
    return indent + "}" + draw(_line_end())


# defaults keywords known to multipath-tools 0.9.x and later, of every value type
_DEFAULT_KEYWORDS = st.sampled_from(
    [
        "polling_interval",
        "user_friendly_names",
        "find_multipaths",
        "path_selector",
        "path_grouping_policy",
        "no_path_retry",
        "failback",
        "max_fds",
        "uid_attribute",
        "prio",
        "features",
        "flush_on_last_del",
        "rr_weight",
        "rr_min_io",
        "rr_min_io_rq",
        "dev_loss_tmo",
        "fast_io_fail_tmo",
        "eh_deadline",
        "queue_without_daemon",
        "verbosity",
        "checker_timeout",
        "marginal_pathgroups",
        "ghost_delay",
        "log_checker_err",
        "detect_prio",
        "retain_attached_hw_handler",
        "max_polling_interval",
        "san_path_err_threshold",
        "uxsock_timeout",
        "remove_retries",
        "find_multipaths_timeout",
        "alias_prefix",
        "reassign_maps",
    ]
)
_BLACKLIST_KINDS = st.sampled_from(["devnode", "wwid", "property", "protocol"])
_wwid = st.text(alphabet="0123456789abcdef", min_size=8, max_size=33).map(lambda s: "3" + s)


@attrs.define
class MultipathSample:
    """Generated text and what multipathd reads from it."""

    text: str = ""
    defaults: dict[str, str] = attrs.field(factory=dict)
    multipaths: list[tuple[str, str | None]] = attrs.field(factory=list)
    blacklist: list[tuple[str, str]] = attrs.field(factory=list)


@st.composite
def _defaults(draw: st.DrawFn, sample: MultipathSample) -> str:
    step = draw(_indent.filter(bool))
    text = draw(_open("", "defaults"))
    for keyword in draw(st.lists(_DEFAULT_KEYWORDS, max_size=5)):
        line, value = draw(_option(step, keyword))
        text += line
        sample.defaults[keyword] = value
    return text + draw(_close(""))


@st.composite
def _blacklist(draw: st.DrawFn, sample: MultipathSample) -> str:
    step = draw(_indent.filter(bool))
    text = draw(_open("", "blacklist"))
    for kind in draw(st.lists(_BLACKLIST_KINDS, max_size=4)):
        line, value = draw(_option(step, kind))
        text += line
        sample.blacklist.append((kind, value))
    return text + draw(_close(""))


@st.composite
def _multipaths(draw: st.DrawFn, sample: MultipathSample) -> str:
    step = draw(_indent.filter(bool))
    inner = step + draw(_indent.filter(bool))
    text = draw(_open("", "multipaths"))
    for _ in range(draw(st.integers(0, 3))):
        wwid = draw(_wwid)
        text += draw(_open(step, "multipath"))
        text += inner + "wwid" + draw(_gap) + wwid + draw(_line_end())
        alias = None
        if draw(st.booleans()):
            line, alias = draw(_option(inner, "alias"))
            text += line
        text += draw(_close(step))
        sample.multipaths.append((wwid, alias))
    return text + draw(_close(""))


@st.composite
def multipath_configs(draw: st.DrawFn) -> MultipathSample:
    """A multipath.conf text with random sections and trivia, and the values it sets."""
    sample = MultipathSample()
    parts = [_defaults, _blacklist, _multipaths]
    text = draw(st.sampled_from(["", "# multipath.conf\n", "!\r\n", "\n"]))
    for part in draw(st.lists(st.sampled_from(parts), max_size=4)):
        text += draw(part(sample))
    if text.endswith("\n") and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final newline
    sample.text = text
    return sample


multipath_documents = multipath_configs().map(lambda sample: sample.text)
