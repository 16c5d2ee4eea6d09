"""Lines as tgt-admin reads them: Perl's Config::General with tgt-admin's options.

tgt-admin (``scripts/tgt-admin``) calls ``ParseConfig`` with ``-UseApacheInclude``,
``-IncludeDirectories``, ``-IncludeGlob`` and ``-MergeDuplicateBlocks``; everything else is
Config::General's default.  Its reader (``_read`` and ``_parse`` in ``General.pm``) works on
lines:

* a ``#`` not preceded by a backslash starts a comment that runs to the end of the line;
* a line whose text (comment removed) ends in a backslash (not two) continues on the next
  line, whose leading blanks are dropped;
* C comments (``CComments``, on by default): a line starting with ``/*`` opens one that ends on
  a line holding ``*/``; a ``/* ... */`` inside a line is cut out, and so is the text before a
  stray ``*/`` -- which mangles paths such as ``/srv/*/x``: those are refused here rather than
  read otherwise than tgt-admin reads them;
* ``include PATH`` / ``includeoptional PATH`` (any case, ``PATH`` maybe quoted) names files;
* ``<name arg>`` opens a block and ``</name>`` closes the innermost one (the name is not
  compared); an unclosed block or a stray ``</...>`` is an error, as it is to Config::General;
* anything else is ``key value``.

Here-documents (``key <<EOF``) and explicit empty blocks (``<name/>``) are refused: tgt-admin
reads them, but no tgt configuration uses them and this codec does not model them.

Each significant line (a continued line with its continuations) becomes one token from its
first to its last significant character; blanks, comments and blank lines are trivia.
"""

from __future__ import annotations

import re

from xsanconf.parsing import Lexed, LexError

__all__ = ["BLANKS", "MAX_DEPTH", "logical_text", "split_option", "tokenize"]

# Perl's \s for the bytes of a configuration file
BLANKS = " \t\n\r\f\v"
MAX_DEPTH = 100
_HASH = re.compile(r"(?<!\\)#")
_INCLUDE = re.compile(r"(?i)[ \t\r\f\v]*(?:include|includeoptional)(?=[ \t\r\f\v\"'])")
_OPTION_SPLIT = re.compile(r"[ \t\r\f\v]*=[ \t\r\f\v]*|[ \t\r\f\v]+")


def logical_text(text: str) -> str:
    """A token's line as Config::General reads it: continuation backslashes dropped, the
    continued lines' leading blanks dropped, blanks around the whole removed."""
    if "\n" not in text:
        return text.strip(BLANKS)
    lines = text.split("\n")
    joined = lines[0][:-1] + "".join(line.lstrip(BLANKS)[:-1] for line in lines[1:-1])
    return (joined + lines[-1].lstrip(BLANKS)).strip(BLANKS)


def split_option(line: str) -> tuple[str, str | None]:
    """``key`` and ``value`` of a logical line: split at the first ``=`` (blanks around it) or
    run of blanks; a value in double quotes loses them, and ``\\$ \\\\ \\" \\#`` unescape."""
    parts = _OPTION_SPLIT.split(line, maxsplit=1)
    if len(parts) < 2:
        return parts[0], None
    key, value = parts
    if value.startswith('"') and value.endswith('"'):
        value = value[1:]
        value = value.removesuffix('"')
    return key, re.sub(r"\\([$\\\"#])", r"\1", value)


def include_path(line: str) -> str | None:
    """The path an ``include`` line names, or ``None`` when the line is no include.

    Config::General tries ``include "PATH"`` (the quote last on the line) first, then
    ``include PATH``; a path Perl takes for false (empty, ``0``) makes the line an option."""
    found = _INCLUDE.match(line)
    if found is None:
        return None
    rest = line[found.end() :]
    body = rest.lstrip(" \t\r\f\v")
    quote = body[:1]
    if quote in ("'", '"') and len(body) > 1 and body.endswith(quote) and body[-2] != "\\":
        path = body[1:-1]
    elif rest[:1] in ("'", '"'):
        return None  # a quote right after the keyword, not closed at the end of the line
    else:
        path = body.rstrip(" \t\r\f\v")
    return path if path not in ("", "0") else None


def _kind(line: str) -> str:
    """OPEN, CLOSE, INCLUDE or STMT for a logical line (blanks around it removed)."""
    if line.startswith("</") and line.endswith(">") and len(line) > 3:
        return "CLOSE"
    if line.startswith("<") and line.endswith(">") and len(line) > 2 and line[1] != "/":
        return "OPEN"
    return "STMT"


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexed = Lexed()
        self.gap_start = 0
        self.depth = 0
        self.opened: list[int] = []

    def emit(self, start: int, end: int, raw: str | None = None) -> None:
        """One token for ``text[start:end]``; ``raw`` is the physical line it is (for includes,
        which Config::General recognises on the raw line, before joining continuations)."""
        token = self.text[start:end]
        line = logical_text(token)
        kind = _kind(line)
        if raw is not None and include_path(raw) is not None:
            kind = "INCLUDE"
        if kind == "OPEN":
            if self.depth >= MAX_DEPTH:
                raise LexError(start, f"blocks nested deeper than {MAX_DEPTH} levels")
            self.depth += 1
            self.opened.append(start)
        elif kind == "CLOSE":
            if self.depth == 0:
                raise LexError(start, f"{line} closes no block (Config::General: no StartBlock)")
            self.depth -= 1
            self.opened.pop()
        self.lexed.add(self.text[self.gap_start : start], kind, token, start)
        self.gap_start = end

    def run(self) -> Lexed:
        text = self.text
        pos = 0
        size = len(text)
        c_comment = False
        continued: int | None = None  # start of a statement continued on the next line
        continued_end = 0
        while pos <= size:
            newline = text.find("\n", pos)
            if newline < 0 and pos == size:
                break  # nothing after the last newline: no line to Perl's reader
            end = size if newline < 0 else newline
            line = text[pos:end]
            if c_comment:
                closing = line.rfind("*/")
                if closing >= 0:
                    c_comment = False
                    if self._content(line[closing + 2 :]).strip(BLANKS):
                        raise LexError(
                            pos + closing,
                            "text after the '*/' that ends a C comment: put it on a line of "
                            "its own",
                        )
            elif ("/*" in line or "*/" in line) and (
                opens := self._c_comment(line, pos, continued is not None)
            ) is not None:
                c_comment = opens
            else:
                content = self._content(line)
                significant = content.rstrip(BLANKS)
                if continued is not None:
                    if significant:
                        continued_end = pos + len(significant)
                    if not (content.endswith("\\") and not content.endswith("\\\\")):
                        self._check_line(content, pos)
                        self._check_joined(continued, pos)
                        self.emit(continued, continued_end)
                        continued = None
                elif significant:
                    first = pos + len(content) - len(content.lstrip(BLANKS))
                    if content.endswith("\\") and not content.endswith("\\\\"):
                        continued = first
                        continued_end = pos + len(significant)
                    else:
                        self._check_line(content, pos)
                        self.emit(first, pos + len(significant), content)
            if newline < 0:
                break
            pos = newline + 1
        if continued is not None:
            raise LexError(
                continued, "the file ends in a continued line, which Config::General drops"
            )
        if c_comment:
            raise LexError(size, "a C comment ('/*') that is never closed")
        if self.opened:
            raise LexError(self.opened[-1], "this block has no closing '</...>' line")
        return self.lexed.finish(text[self.gap_start :])

    @staticmethod
    def _content(line: str) -> str:
        found = _HASH.search(line)
        return line if found is None else line[: found.start()]

    def _c_comment(self, line: str, pos: int, continuing: bool) -> bool | None:
        """How Config::General's C comment rules take a line: ``None`` when they leave it
        alone, True when it opens a comment, False when the whole line is one; a line they
        would cut text out of is refused."""
        opening = line.find("/*")
        inline = opening >= 0 and line.find("*/", opening + 2) >= 0
        stripped = line.strip(BLANKS)
        if inline:
            if stripped.startswith("/*") and stripped.endswith("*/") and not continuing:
                return False
            hashed = _HASH.search(line)
            if hashed is not None and hashed.start() < opening:
                return None  # the C comment sits inside a '#' comment: nothing changes
        elif stripped.startswith("/*") and not continuing:
            return True
        elif "*/" not in line:
            return None
        at = opening if opening >= 0 else line.find("*/")
        raise LexError(
            pos + at,
            "'/*' or '*/' inside a line: Config::General reads C comments and would cut text "
            "out of it; put a comment on its own line",
        )

    def _check_joined(self, start: int, last_line: int) -> None:
        """Config::General adds a continued line's last part only when what it joined so far
        is true to Perl: a start of ``\\`` alone or ``0\\`` loses the line."""
        joined = logical_text(self.text[start:last_line].rstrip("\n") + "\n")
        if joined in ("", "0"):
            raise LexError(start, "a continued line that starts with '\\' or '0\\' alone")

    @staticmethod
    def _check_line(content: str, pos: int) -> None:
        at = content.find("<<")
        if at >= 0 and _is_heredoc(content, at):
            raise LexError(pos + at, "here-documents ('<<') are not supported")
        end = content.rstrip(BLANKS)
        if end.endswith("/>") and _opens_before(end, len(end) - 2):
            raise LexError(pos + len(end) - 2, "empty blocks ('<name/>') are not supported")


def _is_heredoc(content: str, at: int) -> bool:
    """Config::General's here-document start: ``key = <<END`` or ``key <<END``."""
    if not content[at + 2 :].strip(BLANKS):
        return False
    before = content[:at].rstrip(BLANKS)
    if before.endswith("="):
        key = before[:-1]
        return "=" not in key and bool(key.strip(BLANKS))
    word = before.lstrip(BLANKS)
    return bool(word) and len(before) < at and not any(c in BLANKS for c in word)


def _opens_before(text: str, end: int) -> bool:
    """Whether a ``<`` followed by something other than ``/`` starts before ``end``."""
    at = text.find("<")
    while 0 <= at < end - 1:
        if text[at + 1] != "/":
            return True
        at = text.find("<", at + 1)
    return False


def tokenize(text: str) -> Lexed:
    return _Lexer(text).run()
