"""POSIX extended regular expressions as glibc's ``regcomp(REG_EXTENDED|REG_NOSUB)`` reads them.

multipathd compiles every blacklist, exception and device pattern with glibc's ``regcomp`` and
tests it with ``regexec``: unanchored, case-sensitive, in the C locale.  Python's ``re`` is
another dialect (``*`` at the start, ``\\d``, ``[\\]]``, ``a{,3}``, ``a**`` and an unmatched
``)`` all differ), so patterns are judged here by a small parser of glibc's ERE syntax
(``RE_SYNTAX_POSIX_EXTENDED``: GNU operators ``\\w \\s \\b \\< \\>``, back-references, an
unmatched ``)`` is a literal, a repetition operator with nothing before it is an error).

Why not call glibc through ctypes at run time: the verdict must not depend on the machine that
runs xsanlint (musl, macOS and BSD libcs judge some patterns differently), and a hostile
pattern must not be able to stall the linter.  The tests compare this parser with the real
glibc ``regcomp`` wherever it is available.

Matching (``Ere.search``) runs a Thompson NFA over the parsed pattern, so its time is linear in
the subject for every pattern; patterns with back-references are not matched (``None``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import attrs

from xsanconf.domain.numerals import read_int

__all__ = ["Ere", "EreError", "glob_like", "parse", "perl_escapes"]

RE_DUP_MAX = 0x7FFF  # glibc's largest repetition count
_NAME_MAX = 32  # glibc's buffer for a [:class:] / [.symbol.] / [=class=] name

_REASONS = {
    "REG_BADPAT": "a '[' at the end of the pattern",
    "REG_ECOLLATE": "a collating element that is not one character",
    "REG_ECTYPE": "an unknown character class",
    "REG_EESCAPE": "a trailing backslash",
    "REG_ESUBREG": "a back-reference to a group that is not complete before it",
    "REG_EBRACK": "an unclosed '['",
    "REG_EPAREN": "an unclosed '('",
    "REG_EBRACE": "an unclosed '{'",
    "REG_BADBR": "an invalid repetition count in '{...}'",
    "REG_ERANGE": "an invalid range in '[...]'",
    "REG_BADRPT": "a repetition operator ('*', '+', '?', '{') with nothing to repeat",
    "REG_ESIZE": f"a repetition count above {RE_DUP_MAX}",
}

# The C locale's classes, spelled out: the string module costs a cold run more than this.
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_CLASSES: dict[str, frozenset[str]] = {
    "alpha": frozenset(_UPPER + _LOWER),
    "upper": frozenset(_UPPER),
    "lower": frozenset(_LOWER),
    "digit": frozenset(_DIGITS),
    "xdigit": frozenset(_DIGITS + "abcdefABCDEF"),
    "alnum": frozenset(_UPPER + _LOWER + _DIGITS),
    "space": frozenset(" \t\n\r\f\v"),
    "blank": frozenset(" \t"),
    "punct": frozenset(r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""),
    "print": frozenset(map(chr, range(0x20, 0x7F))),
    "graph": frozenset(map(chr, range(0x21, 0x7F))),
    "cntrl": frozenset([*map(chr, range(0x20)), "\x7f"]),
}
_WORD = _CLASSES["alnum"] | {"_"}


class EreError(ValueError):
    """A pattern glibc's ``regcomp`` refuses: the POSIX error code and the offset it concerns."""

    def __init__(self, code: str, offset: int) -> None:
        self.code = code
        self.offset = offset
        self.reason = _REASONS[code]
        super().__init__(f"{self.reason} at offset {offset} ({code})")


# The parsed pattern -------------------------------------------------------------------------


class _Node:
    """A node of the parsed pattern, compared and hashed by value as attrs would.

    Plain classes: attrs compiles each class's methods at import, on every lint run that
    reads a multipath.conf, and these nodes need nothing of it but equality.
    """

    __slots__: tuple[str, ...] = ()

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, _Node):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, *self._key()))


class Chars(_Node):
    """One character out of a set (``negated``: any character not in it)."""

    __slots__ = ("chars", "negated")

    def __init__(self, chars: frozenset[str], negated: bool = False) -> None:
        self.chars = chars
        self.negated = negated

    def accepts(self, ch: str) -> bool:
        return (ch in self.chars) != self.negated


class Assertion(_Node):
    """A zero-width test: ``^ $`` and GNU's ``\\b \\B \\< \\> \\` \\'``."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


class Backref(_Node):
    __slots__ = ("group",)

    def __init__(self, group: int) -> None:
        self.group = group


class Repeat(_Node):
    __slots__ = ("high", "item", "low")

    def __init__(self, item: Item, low: int, high: int | None) -> None:
        self.item = item
        self.low = low
        self.high = high  # None: no upper bound


class Alternation(_Node):
    """Branches of a group or of the whole pattern; each branch is a sequence of items."""

    __slots__ = ("branches",)

    def __init__(self, branches: tuple[tuple[Item, ...], ...]) -> None:
        self.branches = branches


Item = Chars | Assertion | Backref | Repeat | Alternation

_ANY = Chars(frozenset({"\0"}), negated=True)  # RE_DOT_NOT_NULL
_ESCAPES = {
    "w": Chars(_WORD),
    "W": Chars(_WORD, negated=True),
    "s": Chars(_CLASSES["space"]),
    "S": Chars(_CLASSES["space"], negated=True),
}
_ESCAPED_ASSERTIONS = frozenset("bB<>`'")
_REPEATS = {"*": (0, None), "+": (1, None), "?": (0, 1)}


class _Frame:
    """An open group (or the whole pattern) while parsing."""

    __slots__ = ("accumulated", "branches", "initial", "items", "number", "repeatable", "start")

    def __init__(self, start: int, number: int, initial: frozenset[int] = frozenset()) -> None:
        self.start = start
        self.number = number
        self.branches: list[tuple[Item, ...]] = []
        self.items: list[Item] = []
        self.repeatable = False  # the last item can take a repetition operator
        self.initial = initial  # groups complete when the frame opened
        self.accumulated: set[int] = set()  # completed in earlier branches


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.completed: set[int] = set()
        self.groups = 0
        self.depth = 0
        self.backrefs = False
        self.stack = [_Frame(0, 0)]

    def parse(self) -> Alternation:
        text = self.pattern
        at = 0
        while at < len(text):
            at = self.step(at)
        if len(self.stack) > 1:
            raise EreError("REG_EPAREN", self.stack[-1].start)
        frame = self.stack[0]
        return Alternation((*frame.branches, tuple(frame.items)))

    def step(self, at: int) -> int:
        ch = self.pattern[at]
        frame = self.stack[-1]
        if ch in _REPEATS or ch == "{":
            if not frame.repeatable:
                raise EreError("REG_BADRPT", at)
            low, high, after = _REPEATS[ch] + (at + 1,) if ch in _REPEATS else self.interval(at)
            frame.items[-1] = Repeat(frame.items[-1], low, high)
            return after
        if ch == "(":
            self.groups += 1
            self.stack.append(_Frame(at, self.groups, initial=frozenset(self.completed)))
            self.depth = max(self.depth, len(self.stack) - 1)
            return at + 1
        if ch == ")" and len(self.stack) > 1:
            self.close()
            return at + 1
        if ch == "|":
            frame.branches.append(tuple(frame.items))
            frame.items = []
            frame.repeatable = False
            frame.accumulated |= self.completed
            self.completed = set(frame.initial)
            return at + 1
        if ch in "^$":
            self.add(Assertion(ch), repeatable=False)
            return at + 1
        if ch == ".":
            self.add(_ANY)
            return at + 1
        if ch == "[":
            chars, after = _bracket(self.pattern, at)
            self.add(chars)
            return after
        if ch == "\\":
            return self.escape(at)
        self.add(Chars(frozenset(ch)))
        return at + 1

    def add(self, item: Item, repeatable: bool = True) -> None:
        frame = self.stack[-1]
        frame.items.append(item)
        frame.repeatable = repeatable

    def close(self) -> None:
        frame = self.stack.pop()
        self.completed |= frame.accumulated
        self.completed.add(frame.number)
        self.add(Alternation((*frame.branches, tuple(frame.items))))

    def escape(self, at: int) -> int:
        if at + 1 >= len(self.pattern):
            raise EreError("REG_EESCAPE", at)
        ch = self.pattern[at + 1]
        if ch in "123456789":
            if int(ch) not in self.completed:
                raise EreError("REG_ESUBREG", at)
            self.backrefs = True
            self.add(Backref(int(ch)))
        elif ch in _ESCAPES:
            self.add(_ESCAPES[ch])
        elif ch in _ESCAPED_ASSERTIONS:
            self.add(Assertion("\\" + ch), repeatable=False)
        else:
            self.add(Chars(frozenset(ch)))
        return at + 2

    def interval(self, at: int) -> tuple[int, int | None, int]:
        """``{m}``, ``{m,}``, ``{,n}``, ``{m,n}`` starting at ``at``; glibc reads ``{,n}`` as
        ``{0,n}`` and refuses every other malformed count (there is no literal ``{``)."""
        low, after, stop = _count(self.pattern, at + 1)
        if not stop:
            raise EreError("REG_EBRACE", at)
        if low is None or (low == -1 and stop == "}"):
            raise EreError("REG_BADBR", at)
        high: int | None = max(low, 0)
        if stop == ",":
            high, after, stop = _count(self.pattern, after)
            if not stop:
                raise EreError("REG_EBRACE", at)
            if high is None or stop != "}":
                raise EreError("REG_BADBR", at)
            high = None if high == -1 else high
        low = max(low, 0)
        if high is not None and low > high:
            raise EreError("REG_BADBR", at)
        if max(low, high or 0) > RE_DUP_MAX:
            raise EreError("REG_ESIZE", at)
        return low, high, after


def _count(text: str, start: int) -> tuple[int | None, int, str]:
    """A repetition count read token by token up to a ``,`` (``\\,`` too) or ``}``: -1 when
    empty, ``None`` when not a number; then the stop (``""`` at the end) and the offset after."""
    at = start
    digits = ""
    number = True
    while at < len(text):
        ch = text[at]
        if ch == "\\" and at + 1 < len(text):
            at += 2
            if text[at - 1] == ",":
                return _number(digits, number), at, ","
            # glibc reads an escaped 0 as the digit; escaped 1-9 are back-references
            number = number and text[at - 1] == "0"
            digits += text[at - 1]
            continue
        at += 1
        if ch in ",}":
            return _number(digits, number), at, ch
        number = number and ch in _DIGITS
        digits += ch
    return None, at, ""


def _number(digits: str, number: bool) -> int | None:
    if not number:
        return None
    if not digits:
        return -1
    count = read_int(digits)  # None: more digits than any count, over RE_DUP_MAX all the same
    return RE_DUP_MAX + 1 if count is None else min(count, RE_DUP_MAX + 1)


def _bracket(text: str, at: int) -> tuple[Chars, int]:
    """A bracket expression from the ``[`` at ``at``: its set and the offset after ``]``."""
    pos = at + 1
    negated = pos < len(text) and text[pos] == "^"
    if negated:
        pos += 1
    if pos >= len(text):
        raise EreError("REG_BADPAT", at)
    chars: set[str] = set()
    first = True
    while True:
        if pos >= len(text):
            raise EreError("REG_EBRACK", at)
        if text[pos] == "]" and not first:
            return Chars(frozenset(chars), negated), pos + 1
        start, kind, pos = _bracket_element(text, pos, at)
        if kind == "char" and start == "-" and not first and text[pos : pos + 1] != "]":
            raise EreError("REG_ERANGE", pos - 1)  # '-' may only stand first or last
        first = False
        if text[pos : pos + 1] == "-" and text[pos + 1 : pos + 2] != "]":
            if kind not in ("char", "collating"):
                raise EreError("REG_ERANGE", pos)
            if pos + 1 >= len(text):
                raise EreError("REG_EBRACK", at)
            end, end_kind, pos = _bracket_element(text, pos + 1, at, first=False)
            if end_kind not in ("char", "collating") or ord(start) > ord(end):
                raise EreError("REG_ERANGE", pos - 1)
            chars.update(map(chr, range(ord(start), ord(end) + 1)))
        elif kind == "class":
            chars |= _CLASSES[start]
        else:
            chars.add(start)


def _bracket_element(text: str, pos: int, at: int, first: bool = True) -> tuple[str, str, int]:
    """One element of a bracket expression: a character, ``[:class:]``, ``[.c.]`` or
    ``[=c=]``, as (character or class name, kind, offset after it)."""
    if text[pos] == "[" and pos + 1 < len(text) and text[pos + 1] in ":.=":
        delimiter = text[pos + 1]
        close = text.find(delimiter + "]", pos + 2)
        if close < 0 or close - (pos + 2) >= _NAME_MAX:
            raise EreError("REG_EBRACK", at)
        name = text[pos + 2 : close]
        if delimiter == ":":
            if name not in _CLASSES:
                raise EreError("REG_ECTYPE", pos)
            return name, "class", close + 2
        if len(name) != 1:  # the C locale knows no multi-character collating elements
            # glibc looks a range's first symbol up only after the token behind it
            unclosed = delimiter == "." and first and close + 2 >= len(text)
            raise EreError("REG_EBRACK" if unclosed else "REG_ECOLLATE", at if unclosed else pos)
        return name, "collating" if delimiter == "." else "equivalence", close + 2
    return text[pos], "char", pos + 1


# Matching -----------------------------------------------------------------------------------

_CHAR, _SPLIT, _ASSERT, _MATCH = range(4)
_MAX_STATES = 20_000
_MAX_DEPTH = 200
_MAX_CACHED = 50_000  # DFA states and steps remembered per automaton


class _TooBigError(Exception):
    pass


class _Automaton:
    """A Thompson NFA: per state a kind, its payload and its successors."""

    def __init__(self, pattern: Alternation) -> None:
        self.kinds: list[int] = []
        self.payloads: list[Chars | str | None] = []
        self.targets: list[list[int]] = []
        self.closures: dict[tuple[frozenset[int], tuple[bool, ...]], frozenset[int]] = {}
        self.steps: dict[tuple[frozenset[int], str], frozenset[int]] = {}
        accept = self.state(_MATCH, None, [])
        self.start = self.build(pattern, accept, 0)

    def state(self, kind: int, payload: Chars | str | None, targets: list[int]) -> int:
        if len(self.kinds) >= _MAX_STATES:
            raise _TooBigError
        self.kinds.append(kind)
        self.payloads.append(payload)
        self.targets.append(targets)
        return len(self.kinds) - 1

    def build(self, item: Item, after: int, depth: int) -> int:
        """The state that starts ``item``, continuing at ``after`` (built back to front)."""
        if depth > _MAX_DEPTH:
            raise _TooBigError
        if isinstance(item, Chars):
            return self.state(_CHAR, item, [after])
        if isinstance(item, Assertion):
            return self.state(_ASSERT, item.kind, [after])
        if isinstance(item, Alternation):
            starts = [self.sequence(branch, after, depth + 1) for branch in item.branches]
            return starts[0] if len(starts) == 1 else self.state(_SPLIT, None, starts)
        if isinstance(item, Repeat):
            return self.repeat(item, after, depth + 1)
        raise _TooBigError  # back-references: not a regular language

    def sequence(self, items: tuple[Item, ...], after: int, depth: int) -> int:
        for item in reversed(items):
            after = self.build(item, after, depth)
        return after

    def repeat(self, item: Repeat, after: int, depth: int) -> int:
        if item.high is None:
            loop = self.state(_SPLIT, None, [])
            self.targets[loop] = [self.build(item.item, loop, depth), after]
            entry = loop
        else:
            entry = after
            for _ in range(item.high - item.low):
                entry = self.state(_SPLIT, None, [self.build(item.item, entry, depth), after])
        for _ in range(item.low):
            entry = self.build(item.item, entry, depth)
        return entry

    def search(self, text: str) -> bool:
        """Unanchored search, run as a DFA built lazily from the NFA's state sets: the sets
        reached and their steps are remembered, so repeated subjects cost dictionary look-ups."""
        current: frozenset[int] = frozenset()
        for pos in range(len(text) + 1):
            context = _context(text, pos)
            current = self.closure(current | {self.start}, context)
            if 0 in current:  # state 0 is the accepting one
                return True
            if pos == len(text):
                break
            current = self.step(current, text[pos])
        return False

    def closure(self, states: frozenset[int], context: tuple[bool, ...]) -> frozenset[int]:
        key = (states, context)
        found = self.closures.get(key)
        if found is None:
            found = self._closure(states, context)
            if len(self.closures) < _MAX_CACHED:
                self.closures[key] = found
        return found

    def _closure(self, states: frozenset[int], context: tuple[bool, ...]) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(states)
        while stack:
            state = stack.pop()
            if state in seen:
                continue
            seen.add(state)
            kind = self.kinds[state]
            if kind == _SPLIT or (kind == _ASSERT and _holds(self.payloads[state], context)):
                stack.extend(self.targets[state])
        return frozenset(s for s in seen if self.kinds[s] in (_CHAR, _MATCH))

    def step(self, states: frozenset[int], ch: str) -> frozenset[int]:
        key = (states, ch)
        found = self.steps.get(key)
        if found is None:
            found = frozenset(
                self.targets[s][0]
                for s in states
                if self.kinds[s] == _CHAR and _accepts(self.payloads[s], ch)
            )
            if len(self.steps) < _MAX_CACHED:
                self.steps[key] = found
        return found


def _context(text: str, pos: int) -> tuple[bool, bool, bool, bool]:
    """What the zero-width assertions look at: start, end, a word character before, after."""
    return (
        pos == 0,
        pos == len(text),
        pos > 0 and text[pos - 1] in _WORD,
        pos < len(text) and text[pos] in _WORD,
    )


def _accepts(payload: Chars | str | None, ch: str) -> bool:
    return isinstance(payload, Chars) and payload.accepts(ch)


def _holds(kind: Chars | str | None, context: tuple[bool, ...]) -> bool:
    start, end, before, after = context
    if kind in ("^", "\\`"):
        return start
    if kind in ("$", "\\'"):
        return end
    if kind == "\\b":
        return before != after
    if kind == "\\B":
        return before == after
    if kind == "\\<":
        return after and not before
    return kind == "\\>" and before and not after


@attrs.frozen(repr=False)
class Ere:
    """A pattern glibc compiles, ready to be tested against strings as ``regexec`` would."""

    pattern: str
    tree: Alternation
    backrefs: bool
    depth: int
    literal: tuple[str, bool, bool] | None  # a plain string, maybe anchored: no automaton

    def search(self, text: str) -> bool | None:
        """Whether the pattern matches anywhere in ``text``; ``None`` when it cannot be told
        here (back-references, or a pattern too large to expand)."""
        if self.backrefs or self.depth > _MAX_DEPTH:
            return None
        if self.literal is not None:
            word, start, end = self.literal
            if start and end:
                return text == word
            return text.startswith(word) if start else text.endswith(word) if end else word in text
        automaton = _automaton(self.pattern)
        return None if automaton is None else automaton.search(text)


def _literal(tree: Alternation) -> tuple[str, bool, bool] | None:
    """``^abc$``, ``abc``, ... as (text, anchored at the start, at the end); None otherwise."""
    if len(tree.branches) != 1:
        return None
    items = list(tree.branches[0])
    start = bool(items) and items[0] == Assertion("^")
    end = len(items) > int(start) and items[-1] == Assertion("$")
    chars = items[int(start) : len(items) - int(end)]
    word = ""
    for item in chars:
        if not isinstance(item, Chars) or item.negated or len(item.chars) != 1:
            return None
        word += next(iter(item.chars))
    return word, start, end


@functools.lru_cache(maxsize=4096)
def _automaton(pattern: str) -> _Automaton | None:
    """One automaton per pattern text: a site repeats the same blacklist on every host."""
    try:
        return _Automaton(parse(pattern).tree)
    except _TooBigError:
        return None


@functools.lru_cache(maxsize=4096)
def parse(pattern: str) -> Ere:
    """The pattern as glibc's ``regcomp(REG_EXTENDED)`` reads it; ``EreError`` if it refuses."""
    parser = _Parser(pattern)
    tree = parser.parse()
    return Ere(pattern, tree, parser.backrefs, parser.depth, _literal(tree))


# Patterns that compile but were meant as something else --------------------------------------

_REGEX_SYNTAX = frozenset("^$.[]()|+{}\\")


def glob_like(pattern: str) -> bool:
    """A shell glob (``sd*``, ``mpath?``) written where a regex is read: ``*`` and ``?`` repeat
    the character before them, and the unanchored match makes ``sd*`` match any name with an
    ``s``.  Only patterns with no other regex syntax count."""
    return any(ch in "*?" for ch in pattern) and not any(ch in _REGEX_SYNTAX for ch in pattern)


def perl_escapes(pattern: str) -> list[str]:
    """Perl escapes POSIX does not have (``\\d``): glibc reads them as the plain letter."""
    return sorted(set(_perl_escapes(pattern)))


def _perl_escapes(pattern: str) -> Iterator[str]:
    at = 0
    in_bracket = False
    while at < len(pattern) - 1:
        ch = pattern[at]
        if ch == "[" and not in_bracket:
            in_bracket = True
            at += 1
            at += pattern[at : at + 1] == "^"
            at += pattern[at : at + 1] == "]"
            continue
        if ch == "]" and in_bracket:
            in_bracket = False
        elif ch == "\\" and not in_bracket:
            if pattern[at + 1] in "dDhHvVx":
                yield "\\" + pattern[at + 1]
            at += 2
            continue
        at += 1
