"""scst.conf text, cut the way scstadmin's ``readConfigFile``/``parseStanza`` read it.

scstadmin reads the file line by line and, on each line,

1. drops a line that starts with ``#``;
2. finds the first ``#`` that does not follow a backslash and drops it, the rest of the line
   *and the character before it* (the man page says so: ``enabled 1#x`` reads ``enabled``);
3. removes every backslash escape (``\\x`` becomes ``x``; a backslash just before the newline
   stays);

then walks the characters of the whole file: ``{`` opens a block whose name is the text since
the last newline or brace, ``}`` closes the innermost block (text pending before it is dropped),
a newline ends a statement.  Quotes mean nothing at this level: a ``{`` inside quotes opens a
block, as it does for scstadmin.  A ``}`` with no block open ends the reading: scstadmin
ignores the rest of the file, so the tokenizer refuses it (a :class:`LexError`).

Each piece of text with something other than blanks becomes one token running from its first
to its last non-blank character (as scstadmin trims it); blanks, comments and newlines are
trivia.  Kinds: ``STMT`` (ended by a newline), ``HEAD`` (ended by ``{``), ``LOST`` (ended by
``}`` or by the end of a file without a final newline: scstadmin drops it), ``LBRACE``,
``RBRACE`` (their text is ``{``/``}``, or ``\\{``/``\\}``: an escaped brace is a brace).
"""

from __future__ import annotations

import re

from xsanconf.parsing import Lexed, LexError

__all__ = ["BLANKS", "MAX_DEPTH", "comment_start", "tokenize", "unescape"]

# Perl's \s on a byte string: space, \t, \n, \v, \f, \r.
BLANKS = " \t\n\x0b\x0c\r"
# parseStanza recurses once per block; the tree builder too.
MAX_DEPTH = 100
_ESCAPE = re.compile(r"\\(.)")
_LINE = re.compile(r"[^\n]*+\n?")
_BRACES = re.compile(r"[{}]")


def comment_start(line: str) -> int | None:
    """Where scstadmin's comment removal starts on ``line`` (without its newline), or None.

    ``s/^\\#.*//`` takes a line starting with ``#``; ``s/[^\\\\]\\#.*//`` takes the first ``#``
    after a character that is not a backslash, together with that character.
    """
    if line.startswith("#"):
        return 0
    at = line.find("#", 1)
    while at > 0:
        if line[at - 1] != "\\":
            return at - 1
        at = line.find("#", at + 1)
    return None


def unescape(text: str) -> str:
    """``s/\\\\(.)/$1/g``: each backslash and the character after it become that character."""
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def _logical(body: str) -> list[tuple[str, int, int]]:
    """The characters scstadmin sees in ``body`` after unescaping, with their raw spans."""
    out = []
    i = 0
    end = len(body)
    while i < end:
        if body[i] == "\\" and i + 1 < end:
            out.append((body[i + 1], i, i + 2))
            i += 2
        else:
            out.append((body[i], i, i + 1))
            i += 1
    return out


class _State:
    __slots__ = ("depth", "lexed", "pos")

    def __init__(self) -> None:
        self.lexed = Lexed()
        self.pos = 0  # where the gap before the next token starts
        self.depth = 0

    def emit(self, text: str, start: int, stop: int, kind: str) -> None:
        self.lexed.add(text[self.pos : start], kind, text[start:stop], start)
        self.pos = stop


def _plain_span(body: str, start: int, stop: int) -> tuple[int, int] | None:
    """``body[start:stop]`` trimmed as parseLine trims it (no escapes in it), or None if blank."""
    piece = body[start:stop]
    kept = piece.lstrip(BLANKS)
    if not kept:
        return None
    begin = start + len(piece) - len(kept)
    return begin, begin + len(kept.rstrip(BLANKS))


def _escaped_span(chars: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """The raw span of unescaped characters trimmed of blanks (an escaped blank is a blank)."""
    first = next((c for c in chars if c[0] not in BLANKS), None)
    if first is None:
        return None
    last = next(c for c in reversed(chars) if c[0] not in BLANKS)
    return first[1], last[2]


def _brace(state: _State, text: str, start: int, stop: int) -> None:
    if text[stop - 1] == "{":
        state.depth += 1
        if state.depth > MAX_DEPTH:
            raise LexError(start, f"blocks nested deeper than {MAX_DEPTH} levels")
        state.emit(text, start, stop, "LBRACE")
        return
    if state.depth == 0:
        raise LexError(
            start,
            "'}' closes no block: scstadmin stops reading the file here and ignores "
            "everything after it",
        )
    state.depth -= 1
    state.emit(text, start, stop, "RBRACE")


def _pieces(body: str) -> list[tuple[tuple[int, int] | None, tuple[int, int] | None]]:
    """The text pieces of a line body and the brace after each: (text span, brace span)."""
    out: list[tuple[tuple[int, int] | None, tuple[int, int] | None]] = []
    if "\\" not in body:
        at = 0
        for m in _BRACES.finditer(body):
            out.append((_plain_span(body, at, m.start()), (m.start(), m.end())))
            at = m.end()
        out.append((_plain_span(body, at, len(body)), None))
        return out
    pending: list[tuple[str, int, int]] = []
    for char in _logical(body):
        if char[0] in "{}":
            out.append((_escaped_span(pending), (char[1], char[2])))
            pending = []
        else:
            pending.append(char)
    out.append((_escaped_span(pending), None))
    return out


def tokenize(text: str) -> Lexed:
    state = _State()
    base = 0
    for m in _LINE.finditer(text):
        raw = m.group()
        if not raw:
            break
        ends = raw.endswith("\n")
        line = raw[:-1] if ends else raw
        cut = comment_start(line) if "#" in line else None
        body = line if cut is None else line[:cut]
        for span, brace in _pieces(body):
            if span is not None:
                if brace is None:
                    kind = "STMT" if ends else "LOST"
                else:
                    kind = "HEAD" if body[brace[1] - 1] == "{" else "LOST"
                state.emit(text, base + span[0], base + span[1], kind)
            if brace is not None:
                _brace(state, text, base + brace[0], base + brace[1])
        base = m.end()
    return state.lexed.finish(text[state.pos :])
