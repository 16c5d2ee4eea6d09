"""Typed views over an ietd.conf syntax tree.

Views hold no copies: reading a value reads its token, and every edit replaces, adds or removes
tokens, so the rest of the file re-renders byte for byte.  Each significant line is one token
(see :mod:`xsanconf.formats.ietd.lexer`); a ``target`` node holds a ``Target`` line and the
lines after it up to the next ``Target``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

from xsanconf import edit
from xsanconf.domain.iscsi_name import IscsiName
from xsanconf.domain.numerals import read_int
from xsanconf.domain.wwid import IetIdentity, Wwid, iet_identity
from xsanconf.formats.ietd.keywords import KeywordKind, canonical_keyword, keyword_kind
from xsanconf.formats.ietd.lexer import BLANKS, first_word, words
from xsanconf.formats.ietd.lun import LunParam, LunParams, canonical_key, format_params
from xsanconf.syntax import Leaf, Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import TargetLun

__all__ = ["IetAccount", "IetConfig", "IetLun", "IetStatement", "IetTarget"]

Child = Node | Token | Trivia
Direction = Literal["incoming", "outgoing"]
_HIDDEN = "<hidden>"


def _check_word(value: str) -> str:
    if not value or any(c in value for c in BLANKS + "\n"):
        raise ValueError(f"ietd values are single words without blanks: {value!r}")
    return value


def _last_leaf(root: Node) -> Leaf | None:
    node: Node | Token | Trivia = root
    while isinstance(node, Node):
        if not node.children:
            return None
        node = node.children[-1]
    return node


def _insert_line(  # noqa: PLR0917 (the line's place, the line, its layout)
    root: Node, container: Node, anchor: Child | None, item: Child, indent: str, newline: str
) -> None:
    """Put ``item`` on a new line after ``anchor``'s line.

    A target node's last line ends in its parent (the newline after it belongs to the file,
    and so do blanks before that newline), so a line added after it must bring the newline
    *before* itself, and take the blanks that end the anchor's line along into the target.
    """
    children = container.children
    if anchor is not None and children and children[-1] is anchor and container.kind == "target":
        newline = _take_line_end_blanks(root, container) or newline
        children += [Trivia(newline), *([Trivia(indent)] if indent else []), item]
    else:
        edit.insert_line_after(container, anchor, item, indent, newline)


def _take_line_end_blanks(root: Node, target: Node) -> str | None:
    """Move the blanks after a target's last line (held by the file) into the target, and
    say which newline ends that line (``None`` when none does)."""
    at = edit.index_of(root, target) + 1
    tail = root.children[at] if at < len(root.children) else None
    if not isinstance(tail, Trivia):
        return None
    rest = tail.text.lstrip(BLANKS.replace("\r", ""))
    blanks = tail.text[: len(tail.text) - len(rest)]
    ends = "\r\n" if rest.startswith("\r\n") else "\n" if rest.startswith("\n") else None
    if blanks and (ends or not rest):
        target.children.append(Trivia(blanks))
        if rest:
            root.children[at] = Trivia(rest)
        else:
            del root.children[at]
    return ends


def _remove_line(root: Node, container: Node, child: Child) -> None:
    """Remove ``child``'s line; a target node must not end with a newline of its own.

    At the very end of a file without a final newline the newline stays: taking it away would
    make the line above the unterminated last line, whose last word ietd loses.
    """
    edit.remove_child(container, child)
    if container.kind != "target" or root.children[-1] is container:
        return
    last = container.children[-1] if container.children else None
    if isinstance(last, Trivia) and last.text.endswith("\n"):
        at = edit.index_of(root, container) + 1
        tail = root.children[at] if at < len(root.children) else None
        if isinstance(tail, Trivia) and not tail.text.strip():
            if tail.text.endswith("\n"):
                # the file holds the removed line's blanks and newline: the line above, now
                # the target's last, keeps its own
                container.children.pop()
                root.children[at] = last
                return
            if tail is root.children[-1]:
                del root.children[at]  # the blanks ending the file's unterminated last line
                return
        trimmed = last.text[:-2] if last.text.endswith("\r\n") else last.text[:-1]
        if trimmed:
            container.children[-1] = Trivia(trimmed)
        else:
            container.children.pop()


class IetStatement:
    """One significant line: ``Keyword word...``.

    ietd reads words separated by blanks and nothing else: a ``#`` after the keyword is not a
    comment (:attr:`comment_like` shows such text so that it can be flagged).
    """

    __slots__ = ("container", "doc", "token")

    def __init__(self, doc: Document, container: Node, token: Token) -> None:
        self.doc = doc
        self.container = container
        self.token = token

    def __repr__(self) -> str:
        if self.kind == "account":
            return f"{type(self).__name__}({self.keyword!r}, {self.args[:1]!r} + {_HIDDEN})"
        return f"{type(self).__name__}({self.token.text!r})"

    def _words(self) -> list[tuple[int, int, str]]:
        return words(self.token.text)

    @property
    def keyword(self) -> str:
        """The keyword as written."""
        found = self._words()
        return found[0][2] if found else ""

    @property
    def key(self) -> str:
        """The keyword as ietd compares it (case-insensitively): its documented spelling."""
        return canonical_keyword(self.keyword)

    @property
    def kind(self) -> KeywordKind:
        return keyword_kind(self.keyword)

    @property
    def args(self) -> list[str]:
        """The words after the keyword, as written."""
        return [w for _, _, w in self._words()[1:]]

    @property
    def args_read(self) -> list[str]:
        """The words ietd actually gets: a word with nothing at all after it (the end of a file
        without a final newline) is lost to ietd's word splitter."""
        args = self.args
        return args[:-1] if args and self.at_end_of_file else args

    @property
    def value(self) -> str | None:
        """The first word after the keyword: all that ietd reads for a parameter."""
        args = self.args
        return args[0] if args else None

    @property
    def rest(self) -> str:
        """Everything after the keyword, blanks around it removed."""
        found = self._words()
        if len(found) < 2:
            return ""
        return self.token.text[found[1][0] :]

    @property
    def comment_like(self) -> str | None:
        """Text from a word starting with ``#`` after the keyword to the end of the line.

        It looks like a comment but ietd reads it as part of the line (a comment must be the
        first word).  ``None`` when there is no such word.
        """
        for start, _, word in self._words()[1:]:
            if word.startswith("#"):
                return self.token.text[start:]
        return None

    @property
    def at_end_of_file(self) -> bool:
        """Whether the line is the last thing in the file, with no newline or blank after it."""
        return _last_leaf(self.doc.root) is self.token

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def set(self, *values: str) -> None:
        """Replace the first ``len(values)`` words after the keyword (all of them if there are
        fewer); words after those (a trailing ``# note``) stay."""
        if not values:
            raise ValueError("give at least one value")
        new = " ".join(_check_word(v) for v in values)
        text = self.token.text
        found = self._words()
        args = found[1:]
        if args:
            last = args[min(len(values), len(args)) - 1]
            text = text[: args[0][0]] + new + text[last[1] :]
        else:
            text = text + " " + new
        self.token.text = text
        self.doc.touched()

    def remove(self) -> None:
        _remove_line(self.doc.root, self.container, self.token)
        self.doc.touched()


class IetAccount(IetStatement):
    """``IncomingUser USER SECRET`` or ``OutgoingUser USER SECRET``.  ``repr`` hides the secret."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = _HIDDEN if self.password is not None else None
        return f"IetAccount({self.direction!r}, user={self.user!r}, password={shown})"

    @property
    def direction(self) -> Direction:
        return "incoming" if self.keyword.lower() == "incominguser" else "outgoing"

    @property
    def user(self) -> str | None:
        args = self.args_read
        return args[0] if args else None

    @property
    def password(self) -> str | None:
        """The secret as ietd reads it (``None`` when missing: ietd then drops the account)."""
        args = self.args_read
        return args[1] if len(args) > 1 else None

    def set_password(self, password: str) -> None:
        user = self.user
        if user is None:
            raise ValueError("the account has no user name")
        self.set(user, password)


class IetLun(IetStatement):
    """``Lun N key=value,key=value...`` inside a target."""

    __slots__ = ("target",)

    def __init__(self, doc: Document, target: IetTarget, token: Token) -> None:
        super().__init__(doc, target.node, token)
        self.target = target

    def __repr__(self) -> str:
        return f"IetLun({self.number!r}, {self.params_text!r})"

    def _split(self) -> tuple[int | None, int]:
        """The LUN number as ietd's ``strtol(.., 10)`` reads it, and where the parameters start.

        With no digits, strtol reads nothing: ietd uses LUN 0 and passes the whole rest on.
        """
        text = self.token.text
        found = self._words()
        pos = found[0][1] if found else len(text)
        while pos < len(text) and text[pos] in BLANKS:
            pos += 1
        digits = pos + 1 if pos < len(text) and text[pos] in "+-" else pos
        end = digits
        while end < len(text) and "0" <= text[end] <= "9":
            end += 1
        if end == digits:
            return None, pos
        magnitude = read_int(text[digits:end])
        # strtol saturates a number too long to read at LONG_MIN/LONG_MAX
        number = (2**63 - 1 if magnitude is None else magnitude) * (-1 if text[pos] == "-" else 1)
        number = max(number, -(2**63))
        while end < len(text) and text[end] in BLANKS:
            end += 1
        return number, end

    @property
    def number(self) -> int | None:
        """The LUN number as written; ``None`` when it is not a number (ietd then uses 0)."""
        return self._split()[0]

    @property
    def params_text(self) -> str:
        """The parameter string ietd hands to the kernel."""
        return self.token.text[self._split()[1] :]

    @property
    def params(self) -> LunParams:
        return LunParams.parse(self.params_text)

    @property
    def path(self) -> str | None:
        return self.params.path

    @property
    def identity(self) -> IetIdentity:
        """Where the LUN's SCSI identity comes from and the WWID it gives (IET 1.4.20+)."""
        params = self.params
        return iet_identity(params.scsi_id, target=self.target.name, lun=self.number)

    @property
    def wwid(self) -> Wwid | None:
        return self.identity.wwid

    def param_position(self, key: str) -> tuple[int, int] | None:
        """Line and column of the (last) ``key=value`` piece, or ``None`` without one."""
        found = self.params.find(key)
        if not found:
            return None
        line, column = self.position
        return line, column + self._split()[1] + found[-1].start

    def _splice(self, start: int, end: int, new: str) -> None:
        """Replace ``params_text[start:end]`` with ``new``."""
        base = self._split()[1]
        text = self.token.text
        self.token.text = text[: base + start] + new + text[base + end :]
        self.doc.touched()

    def set_param(self, key: str, value: str) -> None:
        """Set one parameter; only its value changes when it exists, else it is appended."""
        format_params([(key, value)])  # the same checks as for a whole list
        found = self.params.find(key)
        if found:
            piece = found[-1]
            if piece.value is None:
                self._splice(piece.start, piece.end, f"{piece.key}={value}")
            else:
                self._splice(piece.value_start, piece.end, value)
            return
        params = self.params_text
        addition = f"{canonical_key(key)}={value}"
        if params:
            self._splice(len(params), len(params), "," + addition)
        elif self.number is not None:
            self.token.text = self.token.text + " " + addition
            self.doc.touched()
        else:
            raise ValueError("this Lun line has no LUN number")

    def remove_param(self, key: str) -> int:
        """Remove every piece with this key (and its comma); how many were removed."""
        found = self.params.find(key)
        for piece in reversed(found):
            self._splice(*_piece_span(self.params_text, piece), "")
        return len(found)

    def set_params(self, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """Replace the whole parameter list."""
        text = format_params(params)
        self._splice(0, len(self.params_text), text)


def _piece_span(params: str, piece: LunParam) -> tuple[int, int]:
    """The span to delete for ``piece``: with the comma after it, else the one before it."""
    if piece.end < len(params):
        return piece.start, piece.end + 1
    if piece.start > 0:
        return piece.start - 1, piece.end
    return piece.start, piece.end


def _statement(
    doc: Document, container: Node, token: Token, target: IetTarget | None
) -> IetStatement:
    kind = keyword_kind(first_word(token.text))
    if kind == "account":
        return IetAccount(doc, container, token)
    if kind == "lun" and target is not None:
        return IetLun(doc, target, token)
    return IetStatement(doc, container, token)


class _Scope:
    """Statements of one scope: the global section (the file) or a target."""

    __slots__ = ("doc", "node")

    def __init__(self, doc: Document, node: Node) -> None:
        self.doc = doc
        self.node = node

    def _target_view(self) -> IetTarget | None:
        return None

    def statements(self, keyword: str | None = None) -> list[IetStatement]:
        """The statements of this scope, optionally those with one keyword (any case)."""
        target = self._target_view()
        wanted = keyword.lower() if keyword is not None else None
        found = []
        for child in self.node.children:
            if isinstance(child, Token) and child.kind == "STMT":
                statement = _statement(self.doc, self.node, child, target)
                if wanted is None or statement.keyword.lower() == wanted:
                    found.append(statement)
        return found

    def statement(self, keyword: str) -> IetStatement | None:
        """The last statement with this keyword (a later one overrides an earlier one)."""
        found = self.statements(keyword)
        return found[-1] if found else None

    def value(self, keyword: str) -> str | None:
        found = self.statement(keyword)
        return found.value if found else None

    def accounts(self, direction: Direction | None = None) -> list[IetAccount]:
        found = [s for s in self.statements() if isinstance(s, IetAccount)]
        return [a for a in found if direction is None or a.direction == direction]

    @property
    def incoming_users(self) -> list[IetAccount]:
        return self.accounts("incoming")

    @property
    def outgoing_users(self) -> list[IetAccount]:
        return self.accounts("outgoing")

    def _indent(self) -> str:
        return ""

    def _newline(self) -> str:
        return edit.newline_style(self.doc.root)

    def _anchor(self, kinds: tuple[KeywordKind, ...]) -> Child | None:
        """Where a new line goes: after the last statement of one of ``kinds``, else after the
        last statement of the scope."""
        statements = self.statements()
        for statement in reversed(statements):
            if statement.kind in kinds:
                return statement.token
        return statements[-1].token if statements else None

    def _add(self, text: str, after: tuple[KeywordKind, ...]) -> Token:
        token = Token("STMT", text)
        anchor = self._anchor(after)
        _insert_line(self.doc.root, self.node, anchor, token, self._indent(), self._newline())
        self.doc.touched()
        return token

    def set(self, keyword: str, *values: str) -> IetStatement:
        """Set a parameter: change the last line with this keyword, or add one."""
        found = self.statement(keyword)
        if found is not None:
            found.set(*values)
            return found
        text = self._line_text(canonical_keyword(keyword), [_check_word(v) for v in values])
        kind = keyword_kind(keyword)
        token = self._add(text, (kind,) if kind != "unknown" else ())
        return _statement(self.doc, self.node, token, self._target_view())

    def _line_text(self, keyword: str, values: list[str]) -> str:
        """``Keyword value...`` with the values lined up as this scope's lines line them up."""
        gap = edit.aligned_gap(self._value_gaps(), self._indent() + keyword)
        return keyword + gap + " ".join(values) if values else keyword

    def _value_gaps(self) -> list[tuple[str, str]]:
        """(indentation and keyword, blanks after it) of the scope's lines other than ``Lun``
        (whose values nobody lines up), else of a sibling target's."""
        for scope in self._style_sources():
            samples = []
            for statement in scope.statements():
                found = statement._words()
                if statement.kind == "lun" or len(found) < 2:
                    continue
                text = statement.token.text
                indent = edit.indent_before(scope.node, statement.token)
                samples.append((indent + text[: found[0][1]], text[found[0][1] : found[1][0]]))
            if samples:
                return samples
        return []

    def _style_sources(self) -> list[_Scope]:
        return [self]

    def unset(self, keyword: str) -> int:
        """Remove every line with this keyword; how many were removed."""
        found = self.statements(keyword)
        for statement in found:
            statement.remove()
        return len(found)

    def add_account(self, direction: Direction, user: str, password: str) -> IetAccount:
        keyword = "IncomingUser" if direction == "incoming" else "OutgoingUser"
        text = self._line_text(keyword, [_check_word(user), _check_word(password)])
        token = self._add(text, ("account",))
        return IetAccount(self.doc, self.node, token)


class IetTarget(_Scope):
    """A ``Target NAME`` line and every line after it up to the next ``Target``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IetTarget({self.name!r})"

    def _target_view(self) -> IetTarget:
        return self

    @property
    def header(self) -> Token:
        first = self.node.children[0]
        assert isinstance(first, Token)
        return first

    @property
    def name(self) -> str | None:
        """The target name as written; ``None`` for a ``Target`` line without one (ietd then
        ignores the whole stanza)."""
        found = words(self.header.text)
        return found[1][2] if len(found) > 1 else None

    @property
    def iscsi_name(self) -> IscsiName | None:
        name = self.name
        return IscsiName.parse(name) if name is not None else None

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.header)

    @property
    def luns(self) -> list[IetLun]:
        return [s for s in self.statements() if isinstance(s, IetLun)]

    def lun(self, number: int) -> IetLun | None:
        """The first ``Lun`` line with this number (ietd refuses a second one)."""
        for found in self.luns:
            if found.number == number:
                return found
        return None

    @property
    def aliases(self) -> list[str]:
        return [s.value for s in self.statements("Alias") if s.value is not None]

    @property
    def params(self) -> list[IetStatement]:
        """Target and session parameters (``MaxSessions`` included), and unknown keywords."""
        kinds = ("target-param", "session-param", "max-sessions", "unknown")
        return [s for s in self.statements() if s.kind in kinds]

    def param(self, keyword: str) -> str | None:
        return self.value(keyword)

    def _anchor(self, kinds: tuple[KeywordKind, ...]) -> Child | None:
        return super()._anchor(kinds) or self.header

    def _indent(self) -> str:
        for statements in (self.statements(), *(t.statements() for t in self._siblings())):
            if statements:
                return edit.indent_before(statements[0].container, statements[0].token)
        return "\t"

    def _style_sources(self) -> list[_Scope]:
        return [self, *self._siblings()]

    def _siblings(self) -> list[IetTarget]:
        return [
            IetTarget(self.doc, c)
            for c in self.doc.root.children
            if isinstance(c, Node) and c.kind == "target" and c is not self.node
        ]

    def set_name(self, name: str) -> None:
        found = words(self.header.text)
        text = self.header.text
        if len(found) > 1:
            self.header.text = text[: found[1][0]] + _check_word(name) + text[found[1][1] :]
        else:
            self.header.text = text + " " + _check_word(name)
        self.doc.touched()

    def add_lun(self, number: int, params: Mapping[str, str] | Iterable[tuple[str, str]]) -> IetLun:
        """Add ``Lun N Path=...,Type=...`` after the target's last ``Lun`` line."""
        if self.lun(number) is not None:
            raise ValueError(f"target {self.name} already has LUN {number}")
        token = self._add(f"Lun {number} {format_params(params)}", ("lun",))
        return IetLun(self.doc, self, token)

    def remove(self) -> None:
        """Remove the stanza; a blank line it leaves doubled (or trailing) goes too."""
        children = self.doc.root.children
        at = edit.index_of(self.doc.root, self.node)
        edit.remove_child(self.doc.root, self.node)
        at = min(at, len(children))
        doubled = at >= 2 and _blank(children[at - 1]) and _ends_line(children[at - 2])
        if doubled and (at == len(children) or _blank(children[at])):
            del children[at - 1]
        self.doc.touched()


class IetConfig(_Scope):
    """The whole file: global (discovery) settings, then the targets."""

    __slots__ = ()

    def __init__(self, doc: Document) -> None:
        super().__init__(doc, doc.root)

    def __repr__(self) -> str:
        return f"IetConfig({len(self.targets)} targets)"

    @property
    def settings(self) -> list[IetStatement]:
        """The global lines (before the first ``Target``); ietd reads only iSNS settings and
        accounts there and ignores the rest."""
        return self.statements()

    @property
    def isns_server(self) -> str | None:
        return self.value("iSNSServer")

    @property
    def isns_access_control(self) -> bool | None:
        value = self.value("iSNSAccessControl")
        return None if value is None else value.lower() == "yes"

    @property
    def targets(self) -> list[IetTarget]:
        return [
            IetTarget(self.doc, c)
            for c in self.node.children
            if isinstance(c, Node) and c.kind == "target"
        ]

    def target(self, name: str) -> IetTarget | None:
        """The first target of this name (ietd compares names ignoring case)."""
        wanted = name.lower()
        for found in self.targets:
            if found.name is not None and found.name.lower() == wanted:
                return found
        return None

    @property
    def luns(self) -> list[IetLun]:
        return [lun for t in self.targets for lun in t.luns]

    def target_luns(self, version: tuple[int, ...] | None = None) -> list[TargetLun]:
        """Every LUN as the shared :class:`~xsanconf.domain.target.TargetLun` record, read as
        IET ``version`` reads it (``None``: 1.4.20 or later); see
        :mod:`xsanconf.formats.ietd.targets`."""
        from xsanconf.formats.ietd.targets import iet_target_luns

        return iet_target_luns(self, version)

    @property
    def ends_with_newline(self) -> bool:
        """False when the file's last line lacks its newline (ietd loses its last word when
        nothing at all follows it: see :attr:`IetStatement.args_read`)."""
        last = _last_leaf(self.doc.root)
        return last is None or (isinstance(last, Trivia) and last.text.endswith("\n"))

    def _add(self, text: str, after: tuple[KeywordKind, ...]) -> Token:
        token = Token("STMT", text)
        newline = self._newline()
        if self.statements() or not self.targets:
            anchor = self._anchor(after)
            if anchor is None:
                self._append_lines([token], newline)
            else:
                edit.insert_line_after(self.node, anchor, token, "", newline)
        else:
            # the first global line goes right above the first Target line
            at = self._line_start(self.targets[0].node)
            self.node.children[at:at] = [token, Trivia(newline)]
        self.doc.touched()
        return token

    def _line_start(self, child: Child) -> int:
        """Index of ``child``, or of the indentation before it."""
        at = edit.index_of(self.node, child)
        before = self.node.children[at - 1] if at > 0 else None
        if isinstance(before, Trivia) and "\n" not in before.text:
            at -= 1
        return at

    def _append_lines(self, items: list[Child], newline: str) -> None:
        """Append items (each on its own line) at the very end of a file with no statements."""
        children = self.node.children
        if children and not children[-1].text.endswith("\n"):  # type: ignore[union-attr]
            children.append(Trivia(newline))
        for item in items:
            children += [item, Trivia(newline)]

    def add_target(self, name: str) -> IetTarget:
        """Append ``Target NAME`` at the end of the file, separated as the other targets are."""
        newline = self._newline()
        node = Node("target", [Token("TARGET", f"Target {_check_word(name)}")])
        children = self.node.children
        last = next((c for c in reversed(children) if not isinstance(c, Trivia)), None)
        separated = self._targets_separated()
        if last is None:
            self._append_lines([node], newline)
        else:
            edit.insert_line_after(self.node, last, node, "", newline)
            if separated:
                at = edit.index_of(self.node, node)
                children[at:at] = [Trivia(newline)]
        self.doc.touched()
        return IetTarget(self.doc, node)

    def _targets_separated(self) -> bool:
        """Whether an existing target is preceded by a blank line (the file's style)."""
        children = self.node.children
        for target in self.targets:
            at = edit.index_of(self.node, target.node)
            if at >= 2 and _blank(children[at - 1]) and _ends_line(children[at - 2]):
                return True
        return False


def _blank(item: Child) -> bool:
    return isinstance(item, Trivia) and item.text.endswith("\n") and not item.text.strip()


def _ends_line(item: Child) -> bool:
    return isinstance(item, Trivia) and item.text.endswith("\n")
