"""Secrets in configuration text: CHAP passwords, DRBD shared secrets, VNC passwords.

Where a document's secrets are is the format's knowledge: a codec whose files hold secrets has a
``token_secrets(token) -> list[(start, end)]`` that names the characters of a token (offsets into
its text) that are a secret value, read as the model reads the token -- a drbd ``shared-secret``
whose value sits on the next line, a Xen value after a backslash continuation, an iscsid
password line as idbm reads it.  The token of a document that did not parse (its one ``RAW``
token) gets the codec's most tolerant reading (a Xen value split into adjacent strings).  A line
pattern covers what no codec reads: comments (a commented-out setting still holds a real
secret), the text of formats without secrets of their own, and unparsed text.

Every place that prints text from a configuration goes through one of these:

* :func:`secret_map` -- a :class:`SecretMap` of a document: its secret spans
  (:attr:`SecretMap.spans`, offsets into ``doc.render()``), its lines masked
  (:meth:`SecretMap.line`, :meth:`SecretMap.lines`, :meth:`SecretMap.line_spans`), its whole
  text masked (:meth:`SecretMap.masked`) and its secret values (:meth:`SecretMap.values`);
* :func:`secret_spans`, :func:`redact_document`, :func:`redact_document_lines` and
  :func:`document_secrets`: the same for one use;
* :func:`mask_spans` masks given column spans of a line (a report's caret prefix too);
* :func:`redact_diff` masks free text that quotes whole lines of documents (a unified diff:
  context, ``-`` and ``+`` lines; a fix's edit), then applies the line pattern and
  :func:`scrub` with the documents' secret values; :func:`mask_quoted_lines` does the same
  with a table of lines (:func:`line_table`) and values gathered once (a whole site's);
* :func:`redact_line` masks one line: by the document's reading given ``doc`` and ``number``,
  else by the line pattern (text that did not parse, a syntax error on a password line);
* :func:`secret_values` collects the secret values a text holds (by the model of ``kind``
  when given), so that a message, a fix or a related note that happens to quote one can be
  scrubbed with :func:`scrub`;
* :func:`redact` blanks secrets in plain-data directives (``xsanconf parse --json``); codecs
  whose files hold secrets expose it (or their own) as their ``redact``;
  :func:`is_secret_name` tells whether a setting's name names a secret.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

from xsanconf.data import REDACTED, Directive

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "REDACTED",
    "SecretMap",
    "document_secrets",
    "is_secret_name",
    "line_table",
    "mask_quoted_lines",
    "mask_spans",
    "redact",
    "redact_diff",
    "redact_document",
    "redact_document_lines",
    "redact_line",
    "scrub",
    "secret_map",
    "secret_spans",
    "secret_values",
]

Span = tuple[int, int]


# keyword, separator, then the secret.  CHAP "IncomingUser name secret" (tgt's
# "incomingdiscoveryuser" too) keeps the name visible;
# iscsid's *password* keys ("password_length" is a number, not a secret, but masking it is
# harmless); drbd's shared-secret; xl/xend vncpasswd and spicepasswd.
@functools.cache  # compiled on first use: many runs never need it
def _secret() -> re.Pattern[str]:
    return re.compile(
        r"(?i)(?P<key>(?<![\w.-])(?:shared-secret|[\w.]*passw(?:or)?d[\w.]*|(?:Incoming|Outgoing)(?:Discovery)?User))"
        r"(?P<sep>[ \t]*=[ \t]*|[ \t]+)(?P<value>.*)"
    )


# Every secret any format knows is named by one of these words: a text without them has none.
_HINT = re.compile(r"(?i)passw|shared-secret|(?:incoming|outgoing)(?:discovery)?user")


@functools.cache  # compiled on first use: many runs never need it
def _value_end() -> re.Pattern[str]:
    return re.compile(r"""[\s,;"'\])]""")


_QUOTES = "\"'"


# What may stand before a setting's key: nothing, comment marks (a commented-out setting still
# holds a real secret), xend's "(", or list punctuation (xl's "vnc=1,vncpasswd=...").
@functools.cache  # compiled on first use: many runs never need it
def _setting_start() -> re.Pattern[str]:
    return re.compile(r"""(?:^[\s#;(]*|[,"'\[][ \t]*)$""")


def _pattern_span(match: re.Match[str]) -> Span | None:
    """The characters of a line-pattern match that are the secret (None: nothing to mask)."""
    start = match.start("value")
    value = match.group("value")
    if match.group("key").lower().endswith("user"):
        parts = value.split(None, 1)
        if len(parts) < 2:
            return None
        start += value.index(parts[1], len(parts[0]))
        value = parts[1]
    shown = value.rstrip()
    if shown.endswith(";"):
        shown = shown[:-1]
    return (start, start + len(shown)) if shown.strip() else None


def _pattern_spans(text: str, offset: int = 0) -> list[Span]:
    found = []
    for match in _secret().finditer(text):
        span = _pattern_span(match)
        if span is not None:
            found.append((offset + span[0], offset + span[1]))
    return found


def mask_spans(text: str, spans: Iterable[Span]) -> str:
    """``text`` with each span (sorted, not overlapping; clipped to the text) masked.

    A span over several lines is masked line by line, so the text keeps its lines.
    """
    out = []
    done = 0
    for start, stop in spans:
        end = min(stop, len(text))
        if start >= end or start < done:
            continue
        out.append(text[done:start])
        pieces = text[start:end].split("\n")
        out.append("\n".join(_masked_piece(piece) for piece in pieces))
        done = end
    out.append(text[done:])
    return "".join(out)


def _masked_piece(piece: str) -> str:
    """One line's part of a span masked, the blanks around it kept."""
    core = piece.strip()
    if not core:
        return piece
    lead = piece.index(core[0])
    return piece[:lead] + REDACTED + piece[lead + len(core) :]


def redact_line(line: str, *, doc: Document | None = None, number: int | None = None) -> str:
    """``line`` with the value of each secret setting on it masked with ``********``.

    Given the document it is line ``number`` of, the document's reading decides (a value on
    a line of its own is masked too); otherwise the line pattern does.
    """
    if doc is not None and number is not None:
        found = secret_map(doc)
        raw = found.raw_line(number)
        if raw is not None and raw.rstrip("\r") == line.rstrip("\r"):
            masked = found.line(number)
            return masked if line.endswith("\r") else masked.rstrip("\r")
    return mask_spans(line, _pattern_spans(line))


class SecretMap:
    """Where the secret values of one document's text are."""

    __slots__ = ("_all_values", "_starts", "_values", "spans", "text")

    def __init__(self, text: str, spans: Iterable[Span], values: Iterable[str] = ()) -> None:
        self.text = text
        self.spans = _merged(spans)  # offsets into text, sorted, not overlapping
        self._values = set(values)  # values the line pattern found (comments, unparsed text)
        self._starts: list[int] | None = None
        self._all_values: set[str] | None = None

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            from xsanconf.edit import line_starts

            self._starts = line_starts(self.text)
        return self._starts

    def raw_line(self, number: int) -> str | None:
        """Line ``number`` (1-based) as written, without its newline; None past the end."""
        starts = self._line_starts()
        if not 1 <= number <= len(starts):
            return None
        start = starts[number - 1]
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        return self.text[start:end]

    def line_spans(self, number: int) -> list[Span]:
        """The secrets on line ``number`` as 0-based column spans of that line."""
        starts = self._line_starts()
        if not self.spans or not 1 <= number <= len(starts):
            return []
        start = starts[number - 1]
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        found = []
        # spans are sorted and disjoint: the first one that can reach this line is the last
        # that starts at or before the line's start
        index = max(bisect_right(self.spans, (start, len(self.text) + 1)) - 1, 0)
        for s, e in self.spans[index:]:
            if s >= end:
                break
            if e > start:
                found.append((max(s, start) - start, min(e, end) - start))
        return found

    def line(self, number: int) -> str:
        """Line ``number`` with its secrets masked ("" past the end)."""
        raw = self.raw_line(number)
        if raw is None:
            return ""
        return mask_spans(raw, self.line_spans(number))

    def lines(self, first: int, last: int) -> list[str]:
        """Lines ``first`` to ``last`` (1-based, inclusive) with their secrets masked."""
        last = min(last, len(self._line_starts()))
        return [self.line(n) for n in range(max(first, 1), last + 1)]

    def masked(self) -> str:
        """The whole text with its secrets masked (same lines)."""
        return mask_spans(self.text, self.spans)

    def values(self) -> set[str]:
        """The secret values, as written and as read (quotes off, each line of a long one)."""
        if self._all_values is None:
            found = set(self._values)
            for start, end in self.spans:
                raw = self.text[start:end]
                for piece in (raw, *raw.split("\n")):
                    found.update(_readings(piece.strip()))
            found.discard("")
            self._all_values = found
        return set(self._all_values)

    def masked_lines(self) -> dict[str, str]:
        """Each line that holds a secret, or names one, as written -> as shown (a line that
        names a secret but holds none, ``vncpasswd = \\``, is shown as it is)."""
        if not self.spans and _HINT.search(self.text) is None:
            return {}
        starts = self._line_starts()
        numbers = {
            n
            for s, e in self.spans
            for n in range(bisect_right(starts, s), bisect_right(starts, e - 1) + 1)
        }
        for m in _HINT.finditer(self.text):
            numbers.add(bisect_right(starts, m.start()))
        return {self.raw_line(n) or "": self.line(n) for n in sorted(numbers)}


def _merged(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _readings(value: str) -> Iterable[str]:
    """A secret as written, without its quotes, and its longer words (a parser quotes one)."""
    yield value
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]:
        inner = value[1:-1]
        yield inner
        yield from (w for w in inner.split() if len(w) >= _MIN_MASKED)


def secret_map(doc: Document) -> SecretMap:
    """Where ``doc``'s secrets are: its codec's reading of each token, the line pattern on
    comments and on text the codec does not read."""
    from xsanconf.syntax import Token, leaves

    text = doc.render()
    if _HINT.search(text) is None:
        return SecretMap(text, ())
    if not doc.codec.secrets:
        return SecretMap(text, _pattern_spans(text), secret_values(text))
    hook = doc.codec.token_secrets
    spans: list[Span] = []
    values: set[str] = set()
    offset = 0
    for leaf in leaves(doc.root):
        piece = leaf.text
        if isinstance(leaf, Token):
            spans += [(offset + s, offset + e) for s, e in hook(leaf)]
            if leaf.kind == "RAW":  # no model to ask: the line pattern is the net
                spans += _pattern_spans(piece, offset)
                values |= secret_values(piece)
        elif piece.strip() and _HINT.search(piece):  # a comment
            spans += _pattern_spans(piece, offset)
            values |= secret_values(piece)
        offset += len(piece)
    return SecretMap(text, spans, values)


def secret_spans(doc: Document) -> list[Span]:
    """The secret values of ``doc`` as offsets into ``doc.render()``, sorted and disjoint."""
    return secret_map(doc).spans


def redact_document(doc: Document) -> str:
    """``doc``'s text with every secret value masked; the lines stay the same lines."""
    return secret_map(doc).masked()


def redact_document_lines(doc: Document, first: int, last: int) -> list[str]:
    """Lines ``first`` to ``last`` (1-based, inclusive) of ``doc``, secrets masked."""
    return secret_map(doc).lines(first, last)


def document_secrets(doc: Document) -> set[str]:
    """Every secret value ``doc`` sets, to :func:`scrub` messages that might quote one."""
    return secret_map(doc).values()


def redact_diff(text: str, documents: Iterable[Document | SecretMap]) -> str:
    """``text`` that quotes lines of ``documents`` (a unified diff, an edit) with secrets masked.

    A line that quotes a whole line holding a secret, after one character of diff prefix
    (`` ``, ``-``, ``+``) or without, is shown as that document shows it; then the line pattern
    masks the rest and every secret value of the documents is scrubbed wherever it appears.
    For a diff, pass the documents of both sides (the new text parsed with ``recover=True``).
    """
    maps = [item if isinstance(item, SecretMap) else secret_map(item) for item in documents]
    secrets = {value for found in maps for value in found.values()}
    return mask_quoted_lines(text, line_table(maps), secrets)


def line_table(maps: Iterable[SecretMap]) -> dict[str, str]:
    """The lines holding a secret in any of ``maps``, as written -> as shown (a line two
    documents read differently is shown masked)."""
    table: dict[str, str] = {}
    for found in maps:
        for raw, shown in found.masked_lines().items():
            if table.get(raw, raw) == raw:
                table[raw] = shown
    return table


def mask_quoted_lines(text: str, table: dict[str, str], secrets: Iterable[str]) -> str:
    """:func:`redact_diff` with its line table (as written -> as shown) and values given."""
    out = []
    for line in text.split("\n"):
        shown = table.get(line)
        if shown is None and line[:1] in (" ", "-", "+") and line[1:] in table:
            shown = line[0] + table[line[1:]]
        out.append(shown if shown is not None else mask_spans(line, _pattern_spans(line)))
    return scrub("\n".join(out), secrets)


def _values_on(line: str) -> Iterable[str]:
    for match in _secret().finditer(line):
        if match.group("key").lower().endswith("_length"):  # a number, not a secret
            continue
        if not _setting_start().search(line[: match.start()]):
            continue  # prose ("# the password policy"): masked when shown, but no value
        value = match.group("value")
        if match.group("key").lower().endswith("user"):
            parts = value.split(None, 1)
            value = parts[1] if len(parts) > 1 else ""
        value = value.strip().rstrip(";").strip()
        # the whole value, and its first word without quotes (what a parser would quote)
        unquoted = value.strip(_QUOTES)
        words = [w for w in unquoted.split() if len(w) >= 3] if unquoted != value else []
        for found in (value, unquoted, _first_word(value), *words):
            if found:
                yield found


def _first_word(value: str) -> str:
    value = value.lstrip(_QUOTES)
    end = _value_end().search(value)
    return value[: end.start()] if end else value


def secret_values(text: str, *, kind: str | None = None) -> set[str]:
    """Every secret value set in ``text`` (as written, and without quotes).

    With ``kind``, the text is read as that format (leniently) and its model's secrets count
    too: a value on a line of its own, a Xen value split over lines.
    """
    found: set[str] = set()
    for line in text.split("\n"):
        if line and _secret().search(line):
            found.update(_values_on(line.rstrip("\r")))
    if kind is not None and _HINT.search(text):
        from xsanconf.api import loads

        found |= document_secrets(loads(text, kind, recover=True))
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of a secret value masked (longest first).

    Only whole occurrences count (not inside a longer word), so that a short secret does not
    mask every word it happens to be part of.  Values that cannot be told from the text around
    them are left alone (see :func:`_maskable`).
    """
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text and _maskable(secret):
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", REDACTED, text)
    return text


# The placeholders of the files distributions ship ("#node.session.auth.password = password",
# "#IncomingUser joe secret"): the words every message about credentials uses to name the
# setting, so masking them garbles each such message and hides nothing.
_PLACEHOLDERS = frozenset({"password", "password_in", "passwd", "secret"})
# Shorter values ("1", "''", the ")" of "(vncpasswd '')") stand for column numbers and
# punctuation in every message; the source lines that set them are masked all the same.
_MIN_MASKED = 3


def _maskable(secret: str) -> bool:
    return (
        len(secret) >= _MIN_MASKED
        and any(c.isalnum() for c in secret)
        and secret.lower() not in _PLACEHOLDERS
    )


@functools.cache  # compiled on first use: many runs never need it
def _secret_name() -> re.Pattern[str]:
    return re.compile(r"(?i)passw(?:or)?d|shared-secret")


# IET's and tgt's CHAP accounts (tgt's discovery accounts too): USER SECRET
_CHAP_ACCOUNT = frozenset(
    {"incominguser", "outgoinguser", "incomingdiscoveryuser", "outgoingdiscoveryuser"}
)


@functools.cache  # compiled on first use: many runs never need it
def _inline_secret() -> re.Pattern[str]:
    return re.compile(r"(?i)((?:vnc|spice)?passw(?:or)?d[ \t]*=[ \t]*)([^\s,;\"'\]]*)")


def is_secret_name(name: str) -> bool:
    """Whether a setting called ``name`` holds a secret (``*password*`` but not its length,
    ``shared-secret``, ``vncpasswd``)."""
    return _secret_name().search(name) is not None and not name.lower().endswith("_length")


def redact(directive: Directive) -> Directive:
    """``directive`` with secret values blanked out (the setting's name and shape stay)."""
    name = directive.name.lower()
    args = directive.args
    if name in _CHAP_ACCOUNT and len(args) > 1:
        args = [args[0], REDACTED, *args[2:]]
    elif is_secret_name(name):
        args = [REDACTED] if args else args
    else:
        args = [_inline_secret().sub(lambda m: m.group(1) + REDACTED, a) for a in args]
    if args == directive.args:
        return directive
    return Directive(directive.name, args, directive.block, directive.line)
