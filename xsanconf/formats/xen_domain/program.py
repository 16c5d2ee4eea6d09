"""xm guest configs that are Python programs: read with Python's own parser, never run.

``xm create`` ran a guest config with ``execfile(path, globs, locs)`` (xen/xm/opts.py,
``Opts.load``): the globals held ``sys``, ``os``, ``os.path`` and ``xen.util.ip``'s names, the
locals ``xm_file``, ``xm_help``, ``xm_vars`` and any variable given on the command line
(``xm create vm.cfg vmid=3``), and afterwards every local that is a string, list, int or float
became a setting (a bool, tuple, None, function or module is ignored).  So the example configs
Xen shipped (``xmexample2``, ``xmexample.hvm``) and many real ones ``import os``, define
functions and compute values.

A file the plain reader (:mod:`xsanconf.formats.xen_domain.lexer`) refuses but Python reads
is split here into its top-level statements, each one token of the lossless tree: a statement
the plain reader reads whole (``KEY = literal``) stays an ``ASSIGN`` token, any other is a
``PYTHON`` token; the whitespace, comments and ``;`` between them are trivia and ``SEMI`` as
in a plain file.  :func:`bindings` then works out, statement by statement, what each name holds
where that is statically certain -- literals, names bound earlier, ``+`` on strings, lists and
numbers, ``%`` formatting of known strings and numbers -- and marks everything else
:class:`~xsanconf.formats.xen_domain.lexer.XenUnknown`: rules stay silent on such values.

Bounded: a file over :data:`MAX_PROGRAM_CHARS`, more than :data:`MAX_NODES` syntax nodes or
nesting deeper than :data:`MAX_DEPTH` is refused with its line and column (SYN001), never
evaluated; a computed value larger than :data:`MAX_VALUE` is unknown.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.formats.xen_domain.lexer import (
    NeedsPythonError,
    XenConstant,
    XenList,
    XenNumber,
    XenString,
    XenUnknown,
    XenValue,
    read_assignment,
)
from xsanconf.parsing import Lexed, LexError

if TYPE_CHECKING:
    from xsanconf.syntax import Token

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PROGRAM_CHARS",
    "MAX_VALUE",
    "Binding",
    "bindings",
    "program_statement",
    "statement_text",
    "tokenize_program",
]

# Real xm configs are a few kilobytes; Python's parser takes about half a second for this much.
MAX_PROGRAM_CHARS = 256 * 1024
MAX_NODES = 100_000
# Python's own parser stops at 200 nested brackets; a chain of operators nests without them.
MAX_DEPTH = 100
# characters of a computed string, items of a computed list, digits of a computed number
MAX_VALUE = 65_536
_MAX_DIGITS = 100

# Names xm's execfile() provides or that hold what only running the file gives.
_DYNAMIC_CALLS = frozenset(
    {"exec", "eval", "execfile", "locals", "globals", "vars", "setattr", "delattr", "__import__"}
)
_GAP = re.compile(r"(?:[ \t\f\r\n]++|\#[^\r\n]*+|\\\r?\n|\\\r)*+")
# %-conversions whose result Python 2 and 3 agree on for str and int operands, widths bounded
_CONVERSION = re.compile(r"%[-#0 +]*(\d{0,3})(?:\.(\d{1,3}))?([sdiuxXo%])")


def _source(text: str) -> str:
    """``text`` for Python's parser: a byte that is not UTF-8 (a lone surrogate escape) becomes
    ``?``, one character for one, so that offsets stay the same."""
    if text.isascii():
        return text
    return re.sub("[\ud800-\udfff]", "?", text)


def _line_starts(text: str) -> list[int]:
    # Python ends a line at \n, \r\n and a lone \r
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


class _Offsets:
    """Python's (line, UTF-8 byte column) positions as offsets into the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = _line_starts(text)

    def __call__(self, line: int, byte_column: int) -> int:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        row = self.text[start:end]
        if row.isascii():
            return start + byte_column
        return start + len(row.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8"))


def _python2(source: str) -> str | None:
    """``source`` with the Python 2 syntax xm configs use rewritten for Python 3's parser, one
    character for one so that offsets stay the same (None: nothing to rewrite, or not
    tokenizable).  xm ran configs with Python 2's ``execfile``: a ``print "x"`` statement
    (which sets nothing: it becomes the tuple ``None, "x"``, ``>>`` dropped), an octal ``0777``
    (its decimal value, padded) and a long ``1024L`` (:func:`_long`) are fine there; backquotes,
    ``<>`` and ``except X, e`` stay unread (SYN001)."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source, newline="").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    starts = _line_starts(source)

    def offset(at: tuple[int, int]) -> int:
        # the NEWLINE and ENDMARKER tokenize adds after a last line without one lie past it
        return starts[at[0] - 1] + at[1] if at[0] <= len(starts) else len(source)

    edits: list[tuple[int, int, str]] = []
    starters = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT}
    for i, tok in enumerate(tokens):
        start, end = offset(tok.start), offset(tok.end)
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == tokenize.NAME and tok.string == "print" and after is not None:
            opens = before is None or before.type in starters or before.string in (":", ";")
            if opens and after.string not in ("(", "=", ".", "[", ")", ",", "\n", ""):
                edits.append((start, end, "None,"))
                if after.string == ">>":
                    at = offset(after.start)
                    edits.append((at, at + 2, "  "))
        elif tok.type == tokenize.NUMBER and after is not None and before is not None:
            adjacent = after.start == tok.end
            # Python 3's tokenizer splits 0777 as 0 and 777, 0022 as 00 and 22
            if re.fullmatch("0+", tok.string) and adjacent and re.fullmatch("[0-7]+", after.string):
                octal = tok.string + after.string
                edits.append((start, start + len(octal), str(int(octal, 8)).rjust(len(octal))))
            elif adjacent and after.type == tokenize.NAME and after.string in ("L", "l"):
                edits.append((start, end + 1, _long(tok.string)))
    if not edits:
        return None
    out = []
    pos = 0
    for start, end, text in sorted(edits):
        if start < pos:
            continue
        out.append(source[pos:start] + text)
        pos = end
    return "".join(out) + source[pos:]


def _long(number: str) -> str:
    """A Python 2 long (``1024`` of ``1024L``) as Python 3 reads it, one character longer and
    within the literal (a space after it would stand between statements): ``1_024``,
    ``0x_10``, ``+5``."""
    if number[:2].lower() in ("0x", "0o", "0b"):
        return f"{number[:2]}_{number[2:]}"
    return f"{number[0]}_{number[1:]}" if len(number) > 1 else f"+{number}"


def _parse(text: str) -> ast.Module:
    """Python's syntax tree of ``text``, or a :class:`LexError` at the offending place."""
    source = _source(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not the user's concern
            try:
                return ast.parse(source)
            except SyntaxError:
                rewritten = _python2(source)
                if rewritten is None:
                    raise
                try:
                    return ast.parse(rewritten)
                except SyntaxError:
                    pass
                raise
    except SyntaxError as error:
        line = max(error.lineno or 1, 1)
        column = max(error.offset or 1, 1)
        starts = _line_starts(text)
        pos = min(starts[min(line, len(starts)) - 1] + column - 1, len(text))
        raise LexError(
            pos,
            f"xm reads this config as Python, and Python cannot: {error.msg} (xsanconf reads "
            "Python 3 syntax and Python 2's print statements, 0777 octals and 10L longs; "
            "backquotes, <> and 'except X, e' are not read)",
        ) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise LexError(0, _too_complex("an expression nested too deeply for Python")) from None


def _too_complex(what: str) -> str:
    return f"{what}: xsanconf does not evaluate a config this complex, and never runs one"


def _check_bounds(module: ast.Module, offsets: _Offsets) -> None:
    """Refuse a tree with too many nodes or nested too deeply, at the first place it is so."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(module, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise LexError(_at(node, offsets), _too_complex(f"more than {MAX_NODES} syntax nodes"))
        if depth > MAX_DEPTH:
            raise LexError(
                _at(node, offsets), _too_complex(f"expressions nested deeper than {MAX_DEPTH}")
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _at(node: ast.AST, offsets: _Offsets) -> int:
    line = getattr(node, "lineno", None)
    if line is None:
        return 0
    return offsets(line, getattr(node, "col_offset", 0))


def _span(statement: ast.stmt, offsets: _Offsets) -> tuple[int, int]:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        # a decorated definition starts at its first '@', always at the start of a line
        start = offsets.starts[min(d.lineno for d in decorators) - 1]
    else:
        start = offsets(statement.lineno, statement.col_offset)
    end = offsets(statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
    return start, end


def tokenize_program(text: str, plain: LexError) -> Lexed:
    """The tokens of a config the plain reader refused with ``plain``: read as Python when
    Python reads it; else the error that says best why it cannot be read."""
    if not isinstance(plain, NeedsPythonError):
        raise plain  # a mistake in a plain config (an unclosed string, 08), not Python
    if len(text) > MAX_PROGRAM_CHARS:
        raise LexError(
            plain.pos,
            f"{plain.message.split(':')[0]}: a config that is a Python program is read up to "
            f"{MAX_PROGRAM_CHARS // 1024} KiB, and this one is longer; xsanconf never runs one",
        )
    module = _parse(text)
    offsets = _Offsets(_source(text))
    _check_bounds(module, offsets)
    lexed = Lexed()
    pos = 0
    for statement in module.body:
        start, end = _span(statement, offsets)
        body = text[start:end]
        lexed.add(_gap(lexed, text, pos, start), _kind(body), body, start)
        pos = end
    return lexed.finish(_gap(lexed, text, pos, len(text)))


def _gap(lexed: Lexed, text: str, pos: int, stop: int) -> str:
    """Trivia and ``;`` between two statements (Python allows nothing else there): each ``;``
    becomes a ``SEMI`` token; the trivia after the last one is returned."""
    trivia = _GAP.match
    gap_start = pos
    while True:
        pos = trivia(text, pos, stop).end()  # type: ignore[union-attr]
        if pos >= stop:
            return text[gap_start:stop]
        if text[pos] != ";":
            raise LexError(pos, f"unexpected {text[pos]!r} between Python statements")
        lexed.add(text[gap_start:pos], "SEMI", ";", pos)
        pos += 1
        gap_start = pos


def _kind(statement: str) -> str:
    """``ASSIGN`` for ``KEY = literal`` as the plain reader reads it; ``PYTHON`` for the rest."""
    try:
        _, _, _, end = read_assignment(statement, 0, False)
    except LexError:
        return "PYTHON"
    return "ASSIGN" if end == len(statement) else "PYTHON"


def statement_text(args: list[str]) -> str:
    """The text of a Python statement given as data, checked: one top-level statement that
    the plain reader does not read, written whole (else the text would read back otherwise)."""
    from xsanconf.errors import BuildError

    text = args[0] if len(args) == 1 else None
    if text is None or len(text) > MAX_PROGRAM_CHARS:
        raise BuildError("a Python statement is one argument, of at most 256 KiB")
    try:
        module = _parse(text)
        _check_bounds(module, _Offsets(_source(text)))
    except LexError as error:
        raise BuildError(f"not a Python statement xsanconf reads: {error.message}") from None
    if len(module.body) != 1 or _span(module.body[0], _Offsets(_source(text))) != (0, len(text)):
        raise BuildError(f"not exactly one Python statement, written whole: {text[:40]!r}")
    if _kind(text) != "PYTHON":
        raise BuildError(f"a plain setting given as a Python statement: {text[:40]!r}")
    return text


@functools.lru_cache(maxsize=4096)
def program_statement(text: str) -> ast.stmt:
    """The one top-level statement a ``PYTHON`` token holds (its text parses on its own)."""
    module = _parse(text)
    return module.body[0]


# Evaluation -------------------------------------------------------------------------------------


@attrs.frozen
class Binding:
    """What a statement leaves in a name: ``value`` has offsets into ``token``'s text.

    ``editable``: the statement is ``NAME = expression``, so a new value may replace the
    expression; a name bound any other way (in an ``if``, by ``+=``, an import) is not.
    ``order``: the statement's place in the file.
    """

    key: str
    token: Token
    value: XenValue
    editable: bool
    order: int = 0


@attrs.define
class Bindings:
    """Each name's last binding, and what later code may have changed under it.

    ``dynamic`` is the last statement after which any name may hold anything (``exec``,
    ``locals()``, ``from m import *``); ``lists`` the last one that may have changed any list
    in place (``disk.append``, a list passed to a function, ``+=`` through another name).
    Both are kept as a place in the file, not applied to every name, so that a file of many
    such statements costs no more than one of few.
    """

    by_name: dict[str, Binding] = attrs.field(factory=dict)
    # every statement's binding of each name it binds, in file order
    bound: dict[tuple[int, str], Binding] = attrs.field(factory=dict)
    dynamic: Binding | None = None
    lists: Binding | None = None
    count: int = 0

    @property
    def history(self) -> list[Binding]:
        return list(self.bound.values())

    def resolve(self, key: str) -> Binding | None:
        """What ``key`` holds after the statements read so far; None when surely unset."""
        found = self.by_name.get(key)
        dynamic = self.dynamic
        if dynamic is not None and (found is None or found.order < dynamic.order):
            return attrs.evolve(dynamic, key=key)
        lists = self.lists
        if (
            found is not None
            and lists is not None
            and found.order < lists.order
            and isinstance(found.value, XenList)
        ):
            return attrs.evolve(lists, key=key)
        return found


def bindings(tokens: list[Token]) -> Bindings:
    """Run through the statements as xm would have, without running anything."""
    found = Bindings()
    for token in tokens:
        found.count += 1
        if token.kind == "ASSIGN":
            key_end, _, value, _ = read_assignment(token.text, 0, False)
            _bind(found, Binding(token.text[:key_end], token, value, True, found.count))
        elif token.kind == "PYTHON":
            _statement(found, token)
    return found


def _statement(found: Bindings, token: Token) -> None:
    statement = program_statement(token.text)
    evaluator = _Evaluator(found, _Offsets(_source(token.text)), token.text)
    order = found.count
    if isinstance(statement, ast.Assign) and all(
        isinstance(t, ast.Name) for t in statement.targets
    ):
        value = evaluator.value(statement.value)
        if isinstance(value, XenUnknown) or _has_unknown(value):
            _taint_lists(found, list(ast.walk(statement.value)), token)
        for target in statement.targets:
            assert isinstance(target, ast.Name)
            single = len(statement.targets) == 1
            _bind(found, Binding(target.id, token, value, single, order))
        return
    if (
        isinstance(statement, ast.AugAssign)
        and isinstance(statement.target, ast.Name)
        and isinstance(statement.op, ast.Add)
    ):
        value = evaluator.add(statement.target, statement.value, statement)
        # += changes a list in place, under every name bound to it
        _taint_lists(found, list(ast.walk(statement)), token)
        _bind(found, Binding(statement.target.id, token, value, False, order))
        return
    _opaque(found, statement, token)


def _bind(found: Bindings, binding: Binding) -> None:
    # a later binding goes last, in the order settings() gives
    found.by_name.pop(binding.key, None)
    found.by_name[binding.key] = binding
    found.bound[(id(binding.token), binding.key)] = binding


def _has_unknown(value: XenValue) -> bool:
    if isinstance(value, XenList):
        return any(isinstance(v, XenUnknown) or _has_unknown(v) for v in value.items)
    return isinstance(value, XenUnknown)


def _unknown(token: Token, why: str) -> XenUnknown:
    return XenUnknown(why, 0, len(token.text))


def _opaque(found: Bindings, statement: ast.stmt, token: Token) -> None:
    """A statement xsanconf does not evaluate: what it binds, and every list it may change
    (``disk.append(...)``, ``disk[0] = ...``, a list passed to a function), becomes unknown."""
    what = _describe(statement)
    order = found.count
    nodes = list(ast.walk(statement))  # one walk for the four questions below
    _taint_lists(found, nodes, token)
    for name in sorted(_stored(statement, nodes)):
        _bind(found, Binding(name, token, _unknown(token, f"set by {what}"), False, order))
    if _is_dynamic(nodes):
        why = f"possibly changed by {what} that sets names at run time"
        found.dynamic = Binding("", token, _unknown(token, why), False, order)
    for name in _xm_variables(nodes):
        # xm_vars.var('vmid', ...): a variable given on the xm command line
        why = f"an xm create variable ({what})"
        _bind(found, Binding(name, token, _unknown(token, why), False, order))


def _taint_lists(found: Bindings, nodes: list[ast.AST], token: Token) -> None:
    """Code xsanconf does not evaluate that reads a list may change it in place, and through
    it every name bound to the same list (``a = disk``): then no list bound so far is certain."""
    for sub in nodes:
        if isinstance(sub, ast.Name):
            binding = found.resolve(sub.id)
            if binding is not None and isinstance(binding.value, XenList):
                why = "a list that Python code the file runs may change"
                found.lists = Binding("", token, _unknown(token, why), False, found.count)
                return


def _stored(statement: ast.stmt, nodes: list[ast.AST]) -> set[str]:
    """Names the statement may bind at the top level (more, never fewer)."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        # what its body binds stays inside, but for names it declares global
        inner = {statement.name}
        for node in nodes:
            if isinstance(node, ast.Global):
                inner.update(node.names)
        return inner
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(a.asname or a.name.split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    return names


def _is_dynamic(nodes: list[ast.AST]) -> bool:
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _DYNAMIC_CALLS:
                return True
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return True
    return False


def _xm_variables(nodes: list[ast.AST]) -> Iterator[str]:
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "var"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "xm_vars"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def _describe(statement: ast.stmt) -> str:
    names = {
        ast.Import: "an import",
        ast.ImportFrom: "an import",
        ast.If: "an 'if' statement",
        ast.For: "a 'for' loop",
        ast.While: "a 'while' loop",
        ast.FunctionDef: "a function definition",
        ast.ClassDef: "a class definition",
        ast.Try: "a 'try' statement",
        ast.With: "a 'with' statement",
        ast.Expr: "a Python expression",
    }
    what = next((v for k, v in names.items() if isinstance(statement, k)), "a Python statement")
    return what


class _Evaluator:
    """The value of an expression where it is certain; :class:`XenUnknown` where it is not."""

    def __init__(self, found: Bindings, offsets: _Offsets, text: str) -> None:
        self.found = found
        self.offsets = offsets
        self.text = text

    def span(self, node: ast.expr) -> tuple[int, int]:
        return (
            self.offsets(node.lineno, node.col_offset),
            self.offsets(node.end_lineno or node.lineno, node.end_col_offset or 0),
        )

    def unknown(self, node: ast.expr, why: str) -> XenUnknown:
        return XenUnknown(why, *self.span(node))

    def value(self, node: ast.expr) -> XenValue:
        start, end = self.span(node)
        if isinstance(node, ast.Constant):
            return self.constant(node, start, end)
        if isinstance(node, ast.List):
            return XenList(tuple(self.value(item) for item in node.elts), start, end)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.value(node.operand)
            if isinstance(operand, XenNumber) and not isinstance(operand.value, bool):
                sign = -1 if isinstance(node.op, ast.USub) else 1
                return XenNumber(sign * operand.value, start, end, computed=True)
            return self.unknown(node, "computed by Python code, which xsanconf never runs")
        if isinstance(node, ast.Name):
            return self.name(node, start, end)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.add(node.left, node.right, node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return self.format(node)
        if isinstance(node, ast.Tuple):
            return self.unknown(node, "a tuple, which xm does not take as a setting")
        return self.unknown(node, "computed by Python code, which xsanconf never runs")

    def constant(self, node: ast.Constant, start: int, end: int) -> XenValue:
        value = node.value
        source = self.text[start:end]
        if isinstance(value, str):
            if re.search(r"[\ud800-\udfff]|\\[uUN]", source):
                # bytes that are not UTF-8, or escapes Python 2's byte strings keep as written
                return XenUnknown("a string Python 2 reads otherwise", start, end)
            return XenString(value, start, end)
        if isinstance(value, bool) or value is None:
            return XenConstant(value, start, end)
        if isinstance(value, int) and len(source) <= _MAX_DIGITS:
            return XenNumber(value, start, end)
        if isinstance(value, float):
            return XenNumber(value, start, end)
        return XenUnknown("a literal xsanconf does not read", start, end)

    def name(self, node: ast.Name, start: int, end: int) -> XenValue:
        binding = self.found.resolve(node.id)
        if binding is None:
            return XenUnknown(
                f"{node.id} is not set in the file (xm or its command line sets it)", start, end
            )
        if isinstance(binding.value, XenUnknown):
            return XenUnknown(f"{node.id} is {binding.value.why}", start, end)
        return _moved(binding.value, start, end)

    def add(self, left_node: ast.expr, right_node: ast.expr, node: ast.AST) -> XenValue:
        start = self.offsets(left_node.lineno, left_node.col_offset)
        end = self.offsets(right_node.end_lineno or 1, right_node.end_col_offset or 0)
        if isinstance(node, ast.AugAssign):
            start, end = self.span(right_node)
        left, right = self.value(left_node), self.value(right_node)
        if isinstance(left, XenString) and isinstance(right, XenString):
            if len(left.value) + len(right.value) <= MAX_VALUE:
                return XenString(left.value + right.value, start, end, computed=True)
        elif isinstance(left, XenList) and isinstance(right, XenList):
            if len(left.items) + len(right.items) <= MAX_VALUE:
                items = left.items + right.items
                return XenList(tuple(_moved(i, start, end) for i in items), start, end, True)
        elif _integer(left) and _integer(right):
            assert isinstance(left, XenNumber) and isinstance(right, XenNumber)
            total = int(left.value) + int(right.value)
            if total.bit_length() < _MAX_DIGITS * 3:
                return XenNumber(total, start, end, computed=True)
        why = _first_unknown(left, right) or "computed by Python code, which xsanconf never runs"
        return XenUnknown(why, start, end)

    def format(self, node: ast.BinOp) -> XenValue:
        start, end = self.span(node)
        left = self.value(node.left)
        right_node = node.right
        if isinstance(right_node, ast.Tuple):
            args: list[XenValue] = [self.value(e) for e in right_node.elts]
            single = False
        else:
            args = [self.value(right_node)]
            single = True
        unknown = _first_unknown(left, *args)
        if unknown is not None or not isinstance(left, XenString):
            return XenUnknown(
                unknown or "computed by Python code, which xsanconf never runs", start, end
            )
        operands: list[str | int | float] = [
            a.value for a in args if isinstance(a, XenString | XenNumber) and _operand(a)
        ]
        if len(operands) != len(args) or not _certain_format(left.value, len(operands)):
            return XenUnknown("a % format xsanconf does not work out", start, end)
        try:
            result = left.value % (operands[0] if single else tuple(operands))
        except (TypeError, ValueError, OverflowError):
            return XenUnknown("a % format that fails in Python", start, end)
        if len(result) > MAX_VALUE:
            return XenUnknown("a computed string too long to keep", start, end)
        return XenString(result, start, end, computed=True)


def _certain_format(template: str, count: int) -> bool:
    """Only ``%s %d %i %u %x %X %o %%`` with small widths, one per operand, no ``%(name)s``,
    and a result that stays within :data:`MAX_VALUE`."""
    if len(template) > MAX_VALUE:
        return False
    conversions = _CONVERSION.findall(template)
    marks = sum(2 if kind == "%" else 1 for _, _, kind in conversions)
    widths = sum(int(w or 0) + int(p or 0) for w, p, _ in conversions)
    return (
        template.count("%") == marks
        and widths + len(template) <= MAX_VALUE
        and sum(1 for _, _, kind in conversions if kind != "%") == count
    )


def _operand(value: XenString | XenNumber) -> bool:
    """A string, or an int (Python 2 and 3 print floats differently)."""
    return isinstance(value, XenString) or _integer(value)


def _integer(value: XenValue) -> bool:
    return isinstance(value, XenNumber) and isinstance(value.value, int)


def _first_unknown(*values: XenValue) -> str | None:
    for value in values:
        if isinstance(value, XenUnknown):
            return value.why
        if isinstance(value, XenList) and _has_unknown(value):
            return "a list with a computed item"
    return None


def _moved(value: XenValue, start: int, end: int) -> XenValue:
    """``value``, read through a name or an operator, placed at the expression that reads it."""
    if isinstance(value, XenList):
        items = tuple(_moved(item, start, end) for item in value.items)
        return XenList(items, start, end, computed=True)
    if isinstance(value, XenUnknown):
        return XenUnknown(value.why, start, end)
    return attrs.evolve(value, start=start, end=end, computed=True)
