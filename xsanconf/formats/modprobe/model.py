"""Typed views over a modprobe.d syntax tree, reporting what kmod does with each line.

Views hold no copies: every property reads its token, and edits splice the token's text or
add and remove tokens through :mod:`xsanconf.edit`, so untouched lines re-render byte for byte.
A line kmod ignores still has a view; its :attr:`ModprobeLine.problem` says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from xsanconf import edit
from xsanconf.domain.module_params import (
    ModuleParam,
    ParamSpan,
    format_param,
    module_key,
    module_name_error,
    param_key,
    parse_params,
    split_params,
)
from xsanconf.formats._lines import append_last_line
from xsanconf.formats.modprobe.lexer import fields, kmod_text
from xsanconf.syntax import Node, Token, Trivia, leaves

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "ModprobeAlias",
    "ModprobeBadLine",
    "ModprobeBlacklist",
    "ModprobeCommand",
    "ModprobeComment",
    "ModprobeConfig",
    "ModprobeEmptyLine",
    "ModprobeInclude",
    "ModprobeInstall",
    "ModprobeLine",
    "ModprobeOptions",
    "ModprobeRemove",
    "ModprobeSoftdep",
    "ModprobeWeakdep",
    "escape",
]

_L = TypeVar("_L", bound="ModprobeLine")
_C_SPACE_CHARS = " \t\n\v\f\r"


def escape(text: str) -> str:
    """Text kmod reads back as ``text``: every backslash doubled (kmod drops a lone one)."""
    return text.replace("\\", "\\\\")


class ModprobeLine:
    """One logical line: a command, or something kmod skips (see :attr:`problem`)."""

    __slots__ = ("_memo", "cr", "doc", "token")

    def __init__(self, doc: Document, token: Token, cr: bool = False) -> None:
        self.doc = doc
        self.token = token
        self.cr = cr  # the line ends in CRLF: kmod reads the CR as part of the line
        self._memo: tuple[str, tuple[str, list[tuple[int, int]], int | None]] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token.text!r})"

    @property
    def text(self) -> str:
        """The line as written (continuations included, indentation excluded)."""
        return self.token.text

    @property
    def kmod_line(self) -> str:
        """The line as kmod reads it: continuations joined, escapes resolved, CR kept."""
        return kmod_text(self.token.text, self.cr)[0]

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    @property
    def kmod_line_number(self) -> int:
        """The line number kmod prints in its messages: the last physical line of this one."""
        return self.position[0] + self.token.text.count("\n")

    @property
    def problem(self) -> str | None:
        """Why kmod ignores this line, or ``None`` when it uses it."""
        return None

    @property
    def used(self) -> bool:
        return self.problem is None

    def remove(self) -> None:
        edit.remove_child(self.doc.root, self.token)
        self.doc.touched()


class ModprobeComment(ModprobeLine):
    """A first-column ``#`` comment whose last character is a backslash: kmod joins the next
    line onto it, so that line is part of the comment too."""

    __slots__ = ()

    @property
    def swallowed_lines(self) -> int:
        return self.token.text.count("\n")

    @property
    def problem(self) -> str | None:
        count = self.swallowed_lines
        return f"the comment ends with a backslash: kmod also ignores the next {count} line(s)"


class ModprobeEmptyLine(ModprobeLine):
    """Backslash continuations with no words in them: kmod reads an empty line."""

    __slots__ = ()


class ModprobeCommand(ModprobeLine):
    """A line that starts with a word: a command kmod knows, or a bad line."""

    __slots__ = ()
    #: words before the rest of the line (the command and the module name), if it has a rest
    HEAD_WORDS = 2

    def _split(self) -> tuple[str, list[tuple[int, int]], int | None]:
        """kmod's line, its head words and where the rest starts (remembered per token text)."""
        raw = self.token.text
        memo = self._memo
        if memo is not None and memo[0] is raw:
            return memo[1]
        line = kmod_text(raw, self.cr)[0]
        spans, rest = fields(line, self.HEAD_WORDS)
        self._memo = (raw, (line, spans, rest))
        return line, spans, rest

    @property
    def command(self) -> str:
        line, spans, _ = self._split()
        return line[spans[0][0] : spans[0][1]] if spans else ""

    @property
    def module(self) -> str:
        """The module name as written (see :attr:`module_key` for the name kmod compares)."""
        line, spans, _ = self._split()
        return line[spans[1][0] : spans[1][1]] if len(spans) > 1 else ""

    @property
    def module_key(self) -> str:
        return module_key(self.module)

    @property
    def rest(self) -> str | None:
        """The rest of the line after the module name, as kmod keeps it (leading blanks
        beyond the first separator included); ``None`` when nothing follows."""
        line, _, rest = self._split()
        return None if rest is None else line[rest:]

    @property
    def problem(self) -> str | None:
        line, spans, rest = self._split()
        if len(spans) < 2:
            return f"'{self.command}' needs a module name: kmod ignores the line"
        module = line[spans[1][0] : spans[1][1]]
        error = module_name_error(module)
        if error is not None:
            return f"bad module name {module!r} ({error}): kmod ignores the line"
        if rest is None:
            return f"nothing follows '{self.command} {self.module}': kmod ignores the line"
        return None

    def _raw_offset(self, at: int) -> int:
        """The offset in the token text of character ``at`` of kmod's line."""
        _, origin = kmod_text(self.token.text, self.cr)
        return at if origin is None or at >= len(origin) else origin[at]

    def set_rest(self, text: str) -> None:
        """Replace everything after the module name (an install command, a softdep list)."""
        line, spans, rest = self._split()
        if len(spans) < self.HEAD_WORDS:
            raise ValueError(f"this '{self.command}' line has no module name to keep")
        raw = self.token.text
        if rest is None:
            start, new = len(raw), " " + escape(text)
        else:
            blanks = len(line[rest:]) - len(line[rest:].lstrip(" \t"))  # the spacing stays
            start, new = self._raw_offset(rest + blanks), escape(text)
        self.token.text = raw[:start] + new
        self.doc.touched()


class ModprobeOptions(ModprobeCommand):
    """``options MODULE name=value ...``: kmod passes the rest of the line to the kernel."""

    __slots__ = ()

    @property
    def options(self) -> str:
        """The option string kmod hands over (tabs become spaces, as kmod stores it).

        There are no trailing comments: ``# note`` after the values is passed on too.
        """
        return (self.rest or "").replace("\t", " ")

    @property
    def params(self) -> list[ModuleParam]:
        """The parameters the kernel applies, in order."""
        return parse_params(self.options)

    def param(self, name: str) -> ModuleParam | None:
        """The last value given for ``name`` on this line (the kernel's last value wins)."""
        key = param_key(name)
        found = [p for p in self.params if p.key == key]
        return found[-1] if found else None

    def _raw_spans(self) -> list[tuple[ParamSpan, int, int]]:
        """Each parameter with its ``[start, end)`` in the token text."""
        line, _, rest = self._split()
        if rest is None:
            return []
        _, origin = kmod_text(self.token.text, self.cr)
        out = []
        for span in split_params(line[rest:]):
            start, end = span.start + rest, span.end + rest
            if origin is not None:
                start, end = origin[start], origin[end - 1] + 1
            out.append((span, start, end))
        return out

    def set_param(self, name: str, value: str | None) -> None:
        """Set ``name`` here: its last occurrence is rewritten (keeping how its name is
        spelt, ``-`` or ``_``), or `` name=value`` is added after the last value."""
        key = param_key(name)
        spans = self._raw_spans()
        text = self.token.text
        for span, start, end in reversed(spans):
            if span.param.key == key:
                new = escape(format_param(span.param.name, value))
                self.token.text = text[:start] + new + text[end:]
                self.doc.touched()
                return
        self._insert_param(spans, escape(format_param(name, value)))

    def _insert_param(self, spans: list[tuple[ParamSpan, int, int]], new: str) -> None:
        text = self.token.text
        # A trailing "# note" reaches the kernel as words too; new values go before it.
        comment = next((i for i, s in enumerate(spans) if s[0].param.name.startswith("#")), None)
        real = spans[:comment]
        if real:
            at = real[-1][2]
        elif spans:
            at = spans[0][1]  # only a comment: the new value goes before it
            new += " "
            self.token.text = text[:at] + new + text[at:]
            self.doc.touched()
            return
        else:
            at = len(text.rstrip(" \t"))
        self.token.text = text[:at] + " " + new + text[at:]
        self.doc.touched()

    def remove_param(self, name: str) -> int:
        """Remove every ``name`` value from this line; the line goes when none is left.

        Returns how many values were removed.
        """
        key = param_key(name)
        spans = self._raw_spans()
        doomed = [(start, end) for span, start, end in spans if span.param.key == key]
        if not doomed:
            return 0
        if len(doomed) == len(spans):
            self.remove()
            return len(doomed)
        text = self.token.text
        for start, end in reversed(doomed):
            text = _cut_word(text, start, end)
        self.token.text = text
        self.doc.touched()
        return len(doomed)


class ModprobeAlias(ModprobeCommand):
    """``alias PATTERN MODULE``: a shell wildcard resolving to a module."""

    __slots__ = ()
    HEAD_WORDS = 3

    @property
    def pattern(self) -> str:
        return self.module

    @property
    def target(self) -> str:
        line, spans, _ = self._split()
        return line[spans[2][0] : spans[2][1]] if len(spans) > 2 else ""

    @property
    def target_key(self) -> str:
        return module_key(self.target)

    @property
    def ignored_words(self) -> str | None:
        """Words after the target: kmod ignores them without a message."""
        return self.rest

    @property
    def problem(self) -> str | None:
        _, spans, _ = self._split()
        if len(spans) < 3:
            return "'alias' needs a pattern and a module name: kmod ignores the line"
        for name in (self.pattern, self.target):
            error = module_name_error(name)
            if error is not None:
                return f"bad name {name!r} ({error}): kmod ignores the line"
        return None

    def set_target(self, module: str) -> None:
        """Point the alias at another module; the pattern and the spacing stay."""
        _, spans, _ = self._split()
        if len(spans) < 3:
            raise ValueError("this alias line has no module name to replace")
        raw = self.token.text
        start, end = self._raw_offset(spans[2][0]), self._raw_offset(spans[2][1] - 1) + 1
        self.token.text = raw[:start] + escape(module) + raw[end:]
        self.doc.touched()


class ModprobeBlacklist(ModprobeCommand):
    """``blacklist MODULE``: ignore the module's internal aliases (explicit loads still work)."""

    __slots__ = ()

    @property
    def ignored_words(self) -> str | None:
        """Words after the module name: kmod ignores them without a message."""
        return self.rest

    @property
    def problem(self) -> str | None:
        _, spans, _ = self._split()
        if len(spans) < 2:
            return "'blacklist' needs a module name: kmod ignores the line"
        error = module_name_error(self.module)
        if error is not None:
            return f"bad module name {self.module!r} ({error}): kmod ignores the line"
        return None


class ModprobeInstall(ModprobeCommand):
    """``install MODULE COMMAND...``: a shell command run instead of loading the module."""

    __slots__ = ()

    @property
    def shell_command(self) -> str:
        return self.rest or ""


class ModprobeRemove(ModprobeInstall):
    """``remove MODULE COMMAND...``: a shell command run instead of removing the module."""

    __slots__ = ()


class ModprobeSoftdep(ModprobeCommand):
    """``softdep MODULE pre: A B post: C``: modules loaded before and after this one."""

    __slots__ = ()

    def _groups(self) -> tuple[list[str], list[str], list[str]]:
        """Pre, post, and the words before any ``pre:``/``post:`` (which kmod drops)."""
        groups: dict[str, list[str]] = {"": [], "pre": [], "post": []}
        mode = ""
        for word in _kmod_dep_words(self.rest or ""):
            if word in ("pre:", "post:"):
                mode = word[:-1]
            else:
                groups[mode].append(word)
        return groups["pre"], groups["post"], groups[""]

    @property
    def pre(self) -> list[str]:
        return self._groups()[0]

    @property
    def post(self) -> list[str]:
        return self._groups()[1]

    @property
    def ignored_words(self) -> list[str]:
        """Words before the first ``pre:``/``post:``: kmod drops them silently."""
        return self._groups()[2]


class ModprobeWeakdep(ModprobeCommand):
    """``weakdep MODULE A B``: modules an initramfs should carry (kmod 33 and later only)."""

    __slots__ = ()
    SINCE_KMOD = 33

    @property
    def modules(self) -> list[str]:
        return _kmod_dep_words(self.rest or "")


class ModprobeInclude(ModprobeCommand):
    """``include`` or ``config``: module-init-tools commands that kmod no longer reads."""

    __slots__ = ()

    @property
    def problem(self) -> str | None:
        return f"kmod no longer reads '{self.command}' (deprecated, ignored)"


class ModprobeBadLine(ModprobeCommand):
    """A line kmod ignores with "ignoring bad line starting with ...": an unknown command, a
    misspelt one (commands are case-sensitive), or an indented ``#`` comment."""

    __slots__ = ()

    @property
    def problem(self) -> str | None:
        if self.command.startswith("#"):
            return "only a '#' in the first column starts a comment: kmod reads this as a bad line"
        return f"unknown command {self.command!r}: kmod ignores the line"


_VIEWS: dict[str, type[ModprobeLine]] = {
    "OPTIONS": ModprobeOptions,
    "ALIAS": ModprobeAlias,
    "BLACKLIST": ModprobeBlacklist,
    "INSTALL": ModprobeInstall,
    "REMOVE": ModprobeRemove,
    "SOFTDEP": ModprobeSoftdep,
    "WEAKDEP": ModprobeWeakdep,
    "INCLUDE": ModprobeInclude,
    "COMMENT": ModprobeComment,
    "EMPTY": ModprobeEmptyLine,
    "OTHER": ModprobeBadLine,
}


_KINDS = {view: kind for kind, view in _VIEWS.items()}
_COMMAND_KINDS = {
    "options": "OPTIONS",
    "alias": "ALIAS",
    "blacklist": "BLACKLIST",
    "install": "INSTALL",
    "remove": "REMOVE",
    "softdep": "SOFTDEP",
    "weakdep": "WEAKDEP",
}


class ModprobeConfig:
    """A whole modprobe.d file."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return f"ModprobeConfig({self.doc.path!r})"

    @property
    def lines(self) -> list[ModprobeLine]:
        """Every logical line that is not blank or a plain comment, in file order."""
        return self._views(None)

    def _views(self, kind: str | None) -> list[ModprobeLine]:
        """Views of the lines whose token is of ``kind`` (every line for ``None``)."""
        children = self.doc.root.children
        out: list[ModprobeLine] = []
        last = len(children) - 1
        for i, child in enumerate(children):
            # an unparsed document (loaded with recover=True) is one RAW token: no lines
            if isinstance(child, Token) and child.kind in _VIEWS and kind in (None, child.kind):
                following = children[i + 1] if i < last else None
                cr = isinstance(following, Trivia) and following.text.startswith("\r")
                out.append(_VIEWS[child.kind](self.doc, child, cr))
        return out

    def _of(self, cls: type[_L], module: str | None, used: bool) -> list[_L]:
        found = [line for line in self._views(_KINDS[cls]) if isinstance(line, cls)]
        if used:
            found = [line for line in found if line.used]
        if module is not None:
            key = module_key(module)
            found = [
                line
                for line in found
                if isinstance(line, ModprobeCommand) and line.module_key == key
            ]
        return found

    def options(self, module: str | None = None, *, used: bool = True) -> list[ModprobeOptions]:
        """``options`` lines (for ``module``, with ``-`` and ``_`` equal)."""
        return self._of(ModprobeOptions, module, used)

    def aliases(self, *, used: bool = True) -> list[ModprobeAlias]:
        return self._of(ModprobeAlias, None, used)

    def blacklists(
        self, module: str | None = None, *, used: bool = True
    ) -> list[ModprobeBlacklist]:
        return self._of(ModprobeBlacklist, module, used)

    def installs(self, module: str | None = None, *, used: bool = True) -> list[ModprobeInstall]:
        return self._of(ModprobeInstall, module, used)

    def removes(self, module: str | None = None, *, used: bool = True) -> list[ModprobeRemove]:
        return self._of(ModprobeRemove, module, used)

    def softdeps(self, module: str | None = None, *, used: bool = True) -> list[ModprobeSoftdep]:
        return self._of(ModprobeSoftdep, module, used)

    def weakdeps(self, module: str | None = None, *, used: bool = True) -> list[ModprobeWeakdep]:
        return self._of(ModprobeWeakdep, module, used)

    @property
    def includes(self) -> list[ModprobeInclude]:
        return self._of(ModprobeInclude, None, False)

    @property
    def ignored(self) -> list[ModprobeLine]:
        """Lines kmod skips (bad lines, deprecated commands, continued comments)."""
        return [line for line in self.lines if line.problem is not None]

    @property
    def crlf(self) -> bool:
        """The file has CRLF line ends: kmod keeps each CR as part of its line."""
        return any(
            isinstance(leaf, Trivia) and "\r\n" in leaf.text for leaf in self.doc.root.children
        )

    @property
    def carriage_return_lines(self) -> list[int]:
        """Numbers of the blank lines that hold a carriage return (CRLF files): kmod reads the
        CR as a command and reports "ignoring bad line starting with '\\r'"."""
        found = []
        number = 1
        at_line_start = True
        for leaf in leaves(self.doc.root):
            text = leaf.text
            if at_line_start and isinstance(leaf, Trivia) and text.strip(" \t") in ("\r\n", "\r"):
                found.append(number)
            number += text.count("\n")
            at_line_start = text.endswith("\n")
        return found

    def modules(self) -> list[str]:
        """The module keys the file says anything about, in first-seen order."""
        keys: dict[str, None] = {}
        for line in self.lines:
            if isinstance(line, ModprobeCommand) and line.used:
                keys.setdefault(line.module_key, None)
        return list(keys)

    def params(self, module: str) -> dict[str, ModuleParam]:
        """The parameters the kernel ends up with from this file, by key (the last value wins:
        kmod concatenates every ``options`` line of the module)."""
        found: dict[str, ModuleParam] = {}
        for line in self.options(module):
            for param in line.params:
                found.pop(param.key, None)
                found[param.key] = param
        return found

    def param(self, module: str, name: str) -> ModuleParam | None:
        return self.params(module).get(param_key(name))

    # editing

    def set_param(self, module: str, name: str, value: str | None) -> ModprobeOptions:
        """Give ``module`` the parameter ``name=value`` (``None``: a bare flag).

        The last line that sets it is changed in place; else the module's last ``options``
        line gains `` name=value``; else a new ``options MODULE name=value`` line is added after
        the file's last ``options`` line (or its last command).
        """
        lines = self.options(module)
        key = param_key(name)
        for line in reversed(lines):
            if any(p.key == key for p in line.params):
                line.set_param(name, value)
                return line
        if lines:
            lines[-1].set_param(name, value)
            return lines[-1]
        return self.add_options(module, ModuleParam(name, value))

    def remove_param(self, module: str, name: str) -> int:
        """Remove ``name`` from every ``options`` line of ``module``; how many values went."""
        return sum(line.remove_param(name) for line in self.options(module))

    def add_options(self, module: str, *params: ModuleParam) -> ModprobeOptions:
        words = " ".join(escape(str(p)) for p in params)
        token = self._add_line("OPTIONS", f"options {escape(module)} {words}", self.options())
        return ModprobeOptions(self.doc, token, self._crlf_new_lines())

    def add_blacklist(self, module: str) -> ModprobeBlacklist:
        token = self._add_line("BLACKLIST", f"blacklist {escape(module)}", self.blacklists())
        return ModprobeBlacklist(self.doc, token, self._crlf_new_lines())

    def add_install(self, module: str, shell_command: str) -> ModprobeInstall:
        token = self._add_line(
            "INSTALL", f"install {escape(module)} {escape(shell_command)}", self.installs()
        )
        return ModprobeInstall(self.doc, token, self._crlf_new_lines())

    def add_command(self, command: str, module: str, rest: str) -> ModprobeCommand:
        """Add ``command MODULE REST`` (``alias``, ``install``, ``remove``, ``softdep``...)
        after the last line of the same command."""
        kind = _COMMAND_KINDS.get(command)
        if kind is None:
            raise ValueError(f"not a modprobe.d command: {command!r}")
        view = _VIEWS[kind]
        siblings = [line for line in self._views(kind) if isinstance(line, view)]
        token = self._add_line(kind, f"{command} {escape(module)} {escape(rest)}", siblings)
        added = view(self.doc, token, self._crlf_new_lines())
        assert isinstance(added, ModprobeCommand)
        return added

    def _crlf_new_lines(self) -> bool:
        return edit.newline_style(self.doc.root) == "\r\n"

    def _add_line(self, kind: str, text: str, siblings: list[_L]) -> Token:
        """A new line after the last sibling of its kind, else after the last command, else at
        the end of the file."""
        if "\n" in text:
            raise ValueError("a modprobe.d value cannot contain a newline")
        token = Token(kind, text)
        root = self.doc.root
        newline = edit.newline_style(root)
        anchor: Token | None = siblings[-1].token if siblings else _last_token(root)
        if anchor is not None:
            edit.insert_line_after(root, anchor, token, "", newline)
        else:
            append_last_line(root, token)
        self.doc.touched()
        return token


def _kmod_dep_words(text: str) -> list[str]:
    """The words kmod finds in a softdep or weakdep list (``kmod_config_add_softdep``).

    Its scanner starts the first word at the first character even when that is a blank, so
    with two blanks after the module name the first word carries a blank: `` pre:`` is then
    no keyword and is dropped with the words after it, up to the next ``post:``.
    """
    words = []
    start = 0
    was_space = False
    end = len(text)
    for pos in range(end + 1):
        if pos < end:
            if text[pos] not in _C_SPACE_CHARS:
                was_space = False
                continue
            if was_space:
                start = pos + 1
                continue
            was_space = True
            if start >= pos:
                continue
        if pos < end or not was_space:
            words.append(text[start:pos])
        start = pos + 1
    return words


def _cut_word(text: str, start: int, end: int) -> str:
    """``text`` without ``text[start:end]`` and the blanks that separated it from the word
    before (or, at the start of a physical line, from the word after)."""
    before = start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    if before > 0 and text[before - 1] != "\n":
        return text[:before] + text[end:]
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[:start] + text[end:]


def _last_token(root: Node) -> Token | None:
    for child in reversed(root.children):
        if isinstance(child, Token):
            return child
    return None
