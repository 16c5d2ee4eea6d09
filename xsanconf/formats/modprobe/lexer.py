"""modprobe.d lines, cut as kmod reads them (``freadline_wrapped`` and ``kmod_config_parse``).

kmod reads a file line by line.  A backslash takes the next character literally and is
dropped; a backslash before a newline joins the next line (nothing is inserted); a backslash at
the end of the file is dropped.  A logical line whose *first character* is ``#`` is a comment,
so an indented ``#`` is a command named ``#`` (a bad line) and a comment ending in a backslash
swallows the next line.  Words are split on spaces and tabs only.

One token per logical line, from its first non-blank character to its end, trailing blanks
included (kmod passes them on).  A carriage return before the newline stays in the trivia so
that edits keep the file's CRLF style; the model adds it back where kmod sees it.
"""

from __future__ import annotations

import re

from xsanconf.parsing import Lexed

__all__ = ["COMMAND_KINDS", "classify", "fields", "kmod_text", "tokenize"]

COMMAND_KINDS = {
    "options": "OPTIONS",
    "alias": "ALIAS",
    "blacklist": "BLACKLIST",
    "install": "INSTALL",
    "remove": "REMOVE",
    "softdep": "SOFTDEP",
    "weakdep": "WEAKDEP",
    "include": "INCLUDE",
    "config": "INCLUDE",
}

# A line: its indentation, the first word if it is plain, then escaped pairs or plain runs (a
# lone backslash only at the end of the input), then the newline.
_LINE = re.compile(
    r"(?:[ \t]*+\r?\n|\#[^\\\n]*+\n)*+"  # blank lines and plain comments, skipped in one go
    r"([ \t]*+)(([^ \t\n\\]*+)(?:[^\\\n]++|\\[\s\S]?)*+)(\n?)"
)
_ESCAPE = re.compile(r"\\([\s\S]?)")


def kmod_text(raw: str, cr: bool = False) -> tuple[str, list[int] | None]:
    """The text kmod reads from a token (``cr``: the line ended in CRLF), and for each of its
    characters the offset in ``raw`` it came from (``None`` when they are the same)."""
    if cr:
        raw += "\r"
    if "\\" not in raw:
        return raw, None
    text: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _ESCAPE.finditer(raw):
        text.append(raw[pos : m.start()])
        origin.extend(range(pos, m.start()))
        kept = m.group(1)
        if kept and kept != "\n":
            text.append(kept)
            origin.append(m.start() + 1)
        pos = m.end()
    text.append(raw[pos:])
    origin.extend(range(pos, len(raw)))
    return "".join(text), origin


def _fields_pattern(count: int) -> re.Pattern[str]:
    # strtok skips blanks before a word, then overwrites the one blank after it
    pattern = r"(?:[ \t]([\s\S]++))?"
    for _ in range(count):
        pattern = rf"(?:[ \t]*+([^ \t]++){pattern})?"
    return re.compile(pattern)


_FIELDS = {count: _fields_pattern(count) for count in (1, 2, 3)}


def fields(line: str, count: int) -> tuple[list[tuple[int, int]], int | None]:
    """Spans of the first ``count`` words (1 to 3) as ``strtok_r(..., "\\t ")`` finds them, and
    where the rest of the line starts (``None`` when nothing is left).

    strtok overwrites only the one separator after a word, so the rest keeps any further
    blanks: ``options m  a=1`` gives the option string `` a=1``.
    """
    m = _FIELDS[count].match(line)
    assert m is not None  # every group is optional
    regs = m.regs
    spans = [span for span in regs[1 : count + 1] if span[0] >= 0]
    rest = regs[count + 1][0]
    return spans, (rest if rest >= 0 else None)


def classify(line: str, indented: bool) -> str:
    """The token kind of a logical line kmod reads as ``line``."""
    if line[:1] == "#" and not indented:
        return "COMMENT"
    spans, _ = fields(line, 1)
    if not spans:
        return "EMPTY"
    start, end = spans[0]
    return COMMAND_KINDS.get(line[start:end], "OTHER")


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    add = lexed.add
    kinds = COMMAND_KINDS
    gap_start = 0
    for m in _LINE.finditer(text):
        body_start, body_end = m.span(2)
        if body_start == body_end:
            continue
        body = m.group(2)
        cr = body[-1] == "\r"
        if cr:
            body = body[:-1]
            body_end -= 1
            if not body:
                continue
        indented = body_start > m.start(1)
        word = m.group(3)
        if body[0] == "#" and not indented and "\n" not in body:
            continue  # a comment that ends on its own line: trivia
        if "\\" in body or not word:
            kind = classify(kmod_text(body, cr)[0], indented)
        else:  # the first word runs to a blank or to the end, CR included, as kmod reads it
            kind = kinds.get(word, "OTHER")
        add(text[gap_start:body_start], kind, body, body_start)
        gap_start = body_end
    return lexed.finish(text[gap_start:])
