"""multipath.conf lines, split the way multipath-tools' ``alloc_strvec()`` splits them.

multipathd reads the file with ``fgets`` into a 1024-byte buffer and cuts each buffer at the
first ``\\r`` or ``\\n`` (``strtok_r``), so a line longer than 1023 bytes goes on as a new line
and text after a lone ``\\r`` is never read.  Within a line, words are separated by ``isspace``
characters *and by every non-ASCII byte*; ``{`` and ``}`` are words of their own; an unquoted
``#`` or ``!`` starts a comment, even glued to a word; a double-quoted string is one word in
which ``""`` stands for ``"`` and which runs to the end of the line when it is not closed.

Each line with words becomes ONE token (its text runs from its first word to its last; the
indentation, the comment and the line end are trivia):

* ``RBRACE`` -- the first word is ``}`` (anything after it is ignored by multipathd);
* ``LBRACE`` -- the first word is ``{`` (multipathd skips such a line: see ``HEAD``);
* ``HEAD`` -- the second word is ``{`` (``name {``), or the line just before an ``LBRACE``
  line (``multipath`` / ``{``: multipathd logs "missing '{'" yet opens the section for the
  keywords of ``BRACELESS_SECTIONS`` and drops the line for the others);
* ``STMT`` -- any other line: ``keyword value [ignored words...]``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from xsanconf.parsing import Lexed, LexError, RawToken

__all__ = [
    "LINE_BYTES",
    "MAX_DEPTH",
    "keyword_of",
    "quote",
    "quote_closed",
    "tokenize",
    "unclosed_quotes",
    "unquote",
    "words",
]

# multipathd nests three levels at most; the tree builder recurses once per level.
MAX_DEPTH = 100
# fgets(buf, MAXBUF=1024): at most 1023 bytes of a line, its newline included, per read.
LINE_BYTES = 1023

# multipathd treats every byte >= 0x80 as a blank.  The classes are spelt as ASCII ranges
# (plus one non-ASCII class) because `re` takes ~25 ms to compile a negated class holding the
# range up to U+10FFFF, which every xsanlint run would pay at import.
_SEP = "(?:[\t\x0b\x0c\r ]|[^\x00-\x7f])"
_NOT_SEP = "[\x00-\x08\n\x0e-\x1f!-\x7f]"
_WORD = "[\x00-\x08\x0e-\x1f$-z|~\x7f]++"
_QUOTED = '"(?:[^"\r\n]|"")*+"?'
_TOKEN = f"(?:{_QUOTED}|[{{}}]|{_WORD})"
# group 1: indentation; group 2: the line's words; 3: a leading "}"; 4: a leading "{";
# 5: a "{" as second word.
_LINE_BODY = f"({_SEP}*+)((?:(\\}})|(\\{{)|{_QUOTED}|{_WORD})({_SEP}*+\\{{)?(?:{_SEP}*+{_TOKEN})*+)"
_LINE = re.compile(_LINE_BODY + "?")
_LINE_START = re.compile("^" + _LINE_BODY, re.M)
_LONE_CR = re.compile("\r(?!\n)")
_LONG_LINE = re.compile(f"[^\n]{{{LINE_BYTES // 4 + 1}}}")
_WORDS = re.compile(_TOKEN)
_KEYWORD = re.compile(f"({_TOKEN})({_SEP}*+{_NOT_SEP})?")
_BARE = re.compile(_WORD.replace("++", "+"))


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of a token's text: ``(start, end, raw_text)``, quotes kept."""
    return [(m.start(), m.end(), m.group()) for m in _WORDS.finditer(text)]


def keyword_of(text: str) -> tuple[str, bool]:
    """A line's first word as written, and whether another word follows it."""
    m = _KEYWORD.match(text)
    if m is None:
        return "", False
    return m.group(1), m.group(2) is not None


def unquote(word: str) -> str:
    """A word's value: a quoted string without its quotes and with ``""`` read as ``"``."""
    if word.startswith('"'):
        inner = word[1:-1] if len(word) >= 2 and quote_closed(word) else word[1:]
        return inner.replace('""', '"')
    return word


def quote_closed(word: str) -> bool:
    """Whether a quoted word ends with its closing quote (``"a""`` does not: ``""`` is a quote)."""
    body = word[1:]
    return body.endswith('"') and (len(body) - len(body.rstrip('"'))) % 2 == 1


def quote(value: str) -> str:
    """A word for ``value``: bare when multipathd would read it back whole, else quoted."""
    if _BARE.fullmatch(value):
        return value
    return '"' + value.replace('"', '""') + '"'


def _chunks(text: str, start: int, end: int) -> list[int]:
    """Where fgets cuts a long line ``text[start:end]`` (its newline included) into reads."""
    cuts = []
    size = 0
    for i in range(start, end):
        ch = text[i]
        width = 1 if ch < "\x80" or "\udc80" <= ch <= "\udcff" else len(ch.encode("utf-8"))
        if size + width > LINE_BYTES:
            cuts.append(i)
            size = 0
        size += width
    return cuts


def _line_pieces(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """The buffers multipathd reads from the line ``text[start:stop]`` (newline included)."""
    if stop - start <= LINE_BYTES // 4:
        return [(start, stop)]
    bounds = [start, *_chunks(text, start, stop), stop]
    return list(itertools.pairwise(bounds))


def _content_end(text: str, start: int, stop: int) -> int:
    """strtok_r(buf, "\\n\\r"): the buffer ends at the first CR or LF after any leading ones."""
    cr = text.find("\r", start, stop)
    if cr < 0:
        nl = text.find("\n", start, stop)
        return nl if nl >= 0 else stop
    lead = start
    while lead < stop and text[lead] in "\r\n":
        lead += 1
    ends = [i for i in (text.find("\r", lead, stop), text.find("\n", lead, stop)) if i >= 0]
    return min(ends) if ends else stop


def _line_matches(text: str, start: int, stop: int) -> Iterator[re.Match[str]]:
    """The word matches of the line ``text[start:stop]``, one per buffer multipathd reads."""
    for piece_start, piece_stop in _line_pieces(text, start, stop):
        m = _LINE.match(text, piece_start, _content_end(text, piece_start, piece_stop))
        if m is not None and m.group(2):
            yield m


def _all_line_matches(text: str) -> Iterator[re.Match[str]]:
    """The word matches of every line, in order."""
    if _LONE_CR.search(text) is None and _LONG_LINE.search(text) is None:
        # every line is one buffer that ends at its CR LF or LF: one scan finds them all
        yield from _LINE_START.finditer(text)
        return
    pos = 0
    size = len(text)
    while pos < size:
        nl = text.find("\n", pos)
        stop = nl + 1 if nl >= 0 else size
        yield from _line_matches(text, pos, stop)
        pos = stop


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    tokens = lexed.tokens
    add_token = tokens.append
    add_gap = lexed.gaps.append
    end = 0
    depth = 0
    for m in _all_line_matches(text):
        line, close, open_, head = m.group(2, 3, 4, 5)
        start = m.start(2)
        if close:
            kind = "RBRACE"
            depth = max(depth - 1, 0)
        elif open_:
            kind = "LBRACE"
            if tokens and tokens[-1].type == "STMT":
                tokens[-1].type = "HEAD"
                depth += 1
        elif head:
            kind = "HEAD"
            depth += 1
        else:
            kind = "STMT"
        if depth > MAX_DEPTH:
            raise LexError(start, f"sections nested deeper than {MAX_DEPTH} levels")
        add_gap(text[end:start])
        add_token(RawToken(kind, line, start))
        end = start + len(line)
    return lexed.finish(text[end:])


def unclosed_quotes(text: str) -> list[int]:
    """Offsets of the quotes that open a string the line ends first ("missing closing quotes")."""
    found = []
    pos = text.find('"')
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        nl = text.find("\n", pos)
        stop = nl + 1 if nl >= 0 else len(text)
        for m in _line_matches(text, start, stop):
            start_of_last, _, last = words(m.group(2))[-1]
            if last.startswith('"') and not quote_closed(last):
                found.append(m.start(2) + start_of_last)
        pos = text.find('"', stop)
    return found
