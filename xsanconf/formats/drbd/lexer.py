"""drbd.conf tokens, as drbdadm's flex scanners (8.3, 8.4, 9) split the text.

Whitespace is ``[ \\t\\r\\n]``, comments run from ``#`` to the end of the line, a bare word is
``[A-Za-z0-9/._-]`` plus the address punctuation ``: [ ] %``, and a quoted string stays on one
line with ``\\`` escaping the next character.  Anything else is drbdadm's ``TK_ELSE`` and a
parse error.  All quantifiers are possessive: a failed statement never backtracks into a
comment to find a ``;`` there.
"""

from __future__ import annotations

import functools
import re

from xsanconf.parsing import Lexed, LexError

__all__ = ["MAX_DEPTH", "WORD", "secret_words", "tokenize", "words"]

MAX_DEPTH = 100
TRIVIA_UNIT = r"(?:[ \t\r\n]++|\#[^\n]*+)"
QUOTED = r'"(?:[^"\\\n]|\\[^\n])*+"'
BARE = r"[A-Za-z0-9/._:\[\]%-]++"
WORD = rf"(?:{QUOTED}|{BARE})"

_TRIVIA = re.compile(rf"{TRIVIA_UNIT}*+")
_PHRASE = re.compile(rf"(?:{WORD})(?:{TRIVIA_UNIT}*+(?:{WORD}))*+{TRIVIA_UNIT}*+([;{{])")
_WORD_RE = re.compile(WORD)
_SKIP_HEAD = re.compile(r"skip(?![A-Za-z0-9/._:\[\]%-])")


# Compiled on first use: only an error message and a ``skip`` section need them, and compiling
# every pattern at import costs every run.
@functools.cache
def _words_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?:{WORD})(?:{TRIVIA_UNIT}*+(?:{WORD}))*+{TRIVIA_UNIT}*+")


@functools.cache
def _skip_piece() -> re.Pattern[str]:
    return re.compile(rf'{QUOTED}|\#[^\n]*+|[{{}}]|[^"#{{}}]++|"')


def words(text: str) -> list[tuple[int, int, str]]:
    """The words of a statement or header: ``(start, end, raw_text)``; comments skipped."""
    return list(_words(text))


# The model re-reads a statement's words for each property (keyword, args, value...) and the
# rules ask for them again and again: linting the example site splits 29 texts 1,200 times.
@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    pos = 0
    end = len(text)
    while pos < end:
        pos = _TRIVIA.match(text, pos).end()  # type: ignore[union-attr]
        m = _WORD_RE.match(text, pos)
        if m is None:
            break
        found.append((m.start(), m.end(), m.group()))
        pos = m.end()
    return tuple(found)


@functools.cache
def _any_piece() -> re.Pattern[str]:
    return re.compile(rf"(?P<trivia>{TRIVIA_UNIT})|(?P<word>{WORD})|(?P<end>[;{{}}])|.", re.S)


def secret_words(text: str, keywords: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the words after one of ``keywords`` up to the statement's end, in text that
    need not parse (a skipped block, a file with a syntax error): a value on the next line, or
    before a stray character, is found as drbdadm's scanner would find it."""
    found = []
    taking = False
    for m in _any_piece().finditer(text):
        if m.lastgroup == "word":
            if taking:
                found.append(m.span())
            taking = taking or m.group() in keywords
        elif m.lastgroup == "end":
            taking = False
    return found


def _explain(text: str, pos: int) -> LexError:
    """Why no statement starts at ``pos``."""
    if text[pos] == "#":
        raise AssertionError("comments are trivia")
    if text[pos] == '"':
        return LexError(pos, "unterminated quoted string (quoted strings cannot span lines)")
    m = _words_pattern().match(text, pos)
    if m is None:
        return _bad_char(text, pos)
    stop = m.end()
    if stop >= len(text):
        return LexError(stop, "unexpected end of input; expected ';' or '{'")
    if text[stop] == "}":
        return LexError(stop, "expected ';' before '}'")
    if text[stop] == '"':
        return LexError(stop, "unterminated quoted string (quoted strings cannot span lines)")
    return _bad_char(text, stop)


def _bad_char(text: str, pos: int) -> LexError:
    ch = text[pos]
    if ch == ";":
        return LexError(pos, "unexpected ';' (nothing follows the '}' of a section)")
    if ch == "{":
        return LexError(pos, "unexpected '{': a section starts with its keyword")
    shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
    return LexError(
        pos,
        f"unexpected character {shown}; quote values that contain characters other than "
        "letters, digits and / . _ -",
    )


def _skip_body_end(text: str, pos: int) -> int:
    """Offset of the ``}`` that closes a skip block opened just before ``pos``."""
    depth = 0
    for m in _skip_piece().finditer(text, pos):
        piece = m.group()
        if piece == "{":
            depth += 1
        elif piece == "}":
            if depth == 0:
                return m.start()
            depth -= 1
    raise LexError(len(text), "unexpected end of input inside a skip block; expected '}'")


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    add = lexed.add
    pos = 0
    end = len(text)
    depth = 0
    trivia = _TRIVIA.match
    phrase = _PHRASE.match
    while True:
        m = trivia(text, pos)
        gap = m.group()  # type: ignore[union-attr]
        pos = m.end()  # type: ignore[union-attr]
        if pos >= end:
            return lexed.finish(gap)
        if text[pos] == "}":
            add(gap, "RBRACE", "}", pos)
            pos += 1
            depth = max(depth - 1, 0)
            continue
        m = phrase(text, pos)
        if m is None:
            raise _explain(text, pos)
        stop = m.end()
        if m.group(1) == ";":
            add(gap, "STMT", m.group(), pos)
        elif _SKIP_HEAD.match(text, pos):
            add(gap, "SKIP_HEAD", m.group(), pos)
            close = _skip_body_end(text, stop)
            if close > stop:
                add("", "SKIP_BODY", text[stop:close], stop)
            add("", "RBRACE", "}", close)
            stop = close + 1
        else:
            depth += 1
            if depth > MAX_DEPTH:
                raise LexError(pos, f"sections nested deeper than {MAX_DEPTH} levels")
            add(gap, "HEAD", m.group(), pos)
        pos = stop
