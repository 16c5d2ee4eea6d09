"""The ``modules`` codec: /etc/modules, /etc/modules-load.d/*.conf and initramfs-tools ``modules``.

One module per line, but three programs read these files and do not agree:

* systemd-modules-load (modules-load.d(5), and /etc/modules through Debian's
  ``modules-load.d/modules.conf`` link) strips the line, skips it when empty or when its first
  character is ``#`` or ``;``, and takes *the whole line* as the module name, so parameters
  after the name make the load fail.
* Debian's sysvinit script (``/etc/init.d/kmod``) keeps lines matching ``^[^#]`` and runs
  ``modprobe MODULE ARGS``: parameters work, ``;`` is no comment, an indented ``#`` is a module.
* initramfs-tools reads each line with ``read -r``, skips ``#`` after the leading blanks, and
  runs ``modprobe LINE``: parameters work.

Tokens: one MODULE per module line (first non-blank character to the last non-blank one);
one COMMENT per ``;`` or indented ``#`` comment, which the readers disagree about.  Blank lines
and first-column ``#`` comments, which every reader skips, are trivia.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.data import Directive
from xsanconf.domain.module_params import (
    ModuleParam,
    format_param,
    module_key,
    param_key,
    parse_params,
    split_params,
)
from xsanconf.formats._lines import LineView, append_last_line, check_one_line, steps_of
from xsanconf.parsing import Lexed, parse_with
from xsanconf.select import SelectorError
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "KIND",
    "ModulesComment",
    "ModulesConfig",
    "ModulesEntry",
    "ModulesLine",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "set_value",
    "sniff",
    "tokenize",
    "unset_value",
]

KIND = "modules"

_LINE = re.compile(r"([ \t]*+)([^\n]*+)(\n?)")
_BLANKS = " \t"


def tokenize(text: str) -> Lexed:
    lexed = Lexed()
    match = _LINE.match
    pos = 0
    gap_start = 0
    end = len(text)
    while pos < end:
        m = match(text, pos)
        assert m is not None  # the pattern matches the empty string
        start = m.start(2)
        body = m.group(2).rstrip(" \t\r")
        pos = m.end()
        if not body or (body[0] == "#" and start == m.start()):
            continue
        kind = "COMMENT" if body[0] in "#;" else "MODULE"
        lexed.add(text[gap_start:start], kind, body, start)
        gap_start = start + len(body)
    return lexed.finish(text[gap_start:])


def parse(text: str, path: str | None = None) -> Node:
    """The lossless tree; any text is a modules file (bad module names are the model's concern)."""
    return parse_with("modules", tokenize, text, path=path)


class ModulesLine(LineView):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.token.text!r})"

    @property
    def text(self) -> str:
        return self.token.text

    @property
    def problem(self) -> str | None:
        """How the readers of the file disagree about this line, or ``None``."""
        return None


class ModulesComment(ModulesLine):
    """A ``;`` comment, or a ``#`` comment after blanks."""

    __slots__ = ()

    @property
    def marker(self) -> str:
        return self.token.text[0]

    @property
    def problem(self) -> str | None:
        if self.marker == ";":
            return (
                "';' starts a comment only for systemd-modules-load: Debian's init script "
                "and initramfs-tools try to load a module with this name"
            )
        return (
            "an indented '#' is a comment for systemd-modules-load and initramfs-tools, but "
            "Debian's init script tries to load it as a module"
        )


class ModulesEntry(ModulesLine):
    """``MODULE [PARAM=VALUE ...]``."""

    __slots__ = ()

    def _split(self) -> tuple[str, str]:
        text = self.token.text
        end = 0
        while end < len(text) and text[end] not in _BLANKS:
            end += 1
        return text[:end], text[end:].strip(_BLANKS)

    @property
    def module(self) -> str:
        return self._split()[0]

    @property
    def module_key(self) -> str:
        return module_key(self.module)

    @property
    def params_text(self) -> str:
        """What follows the module name (empty when nothing does)."""
        return self._split()[1]

    @property
    def params(self) -> list[ModuleParam]:
        """The parameters ``modprobe MODULE ARGS`` would pass (sysvinit and initramfs)."""
        return parse_params(self.params_text)

    @property
    def systemd_name(self) -> str:
        """The module name systemd-modules-load looks up: the whole line."""
        return self.token.text

    @property
    def problem(self) -> str | None:
        if self.params_text:
            return (
                f"systemd-modules-load reads the whole line {self.systemd_name!r} as a module "
                "name and fails; parameters belong in /etc/modprobe.d/*.conf"
            )
        return None

    def remove_params(self) -> None:
        """Keep only the module name on the line."""
        self.token.text = self.module
        self.doc.touched()

    def _params_start(self) -> int:
        text = self.token.text
        end = len(self.module)
        return end + len(text[end:]) - len(text[end:].lstrip(_BLANKS))

    def set_params_text(self, params: str) -> None:
        """Replace what follows the module name (the blanks before it kept); empty: none."""
        if "\n" in params:
            raise ValueError("a module line cannot span lines")
        if not params.strip(_BLANKS):
            self.remove_params()
            return
        start = self._params_start()
        gap = self.token.text[len(self.module) : start] or " "
        self.token.text = self.module + gap + params.strip(_BLANKS)
        self.doc.touched()

    def set_param(self, name: str, value: str | None) -> None:
        """Rewrite the last ``name`` value on the line, or append `` name=value``."""
        new = format_param(name, value)
        base = self._params_start()
        text = self.token.text
        key = param_key(name)
        for span in reversed(split_params(text[base:])):
            if span.param.key == key:
                self.token.text = text[: base + span.start] + new + text[base + span.end :]
                self.doc.touched()
                return
        self.set_params_text(f"{self.params_text} {new}".strip(_BLANKS))

    def remove_param(self, name: str) -> int:
        """Remove every ``name`` value from the line; how many there were."""
        base = self._params_start()
        text = self.token.text
        key = param_key(name)
        spans = split_params(text[base:])
        kept = [text[base + s.start : base + s.end] for s in spans if s.param.key != key]
        if len(kept) == len(spans):
            return 0
        self.set_params_text(" ".join(kept))
        return len(spans) - len(kept)


_VIEWS: dict[str, type[ModulesLine]] = {"MODULE": ModulesEntry, "COMMENT": ModulesComment}


class ModulesConfig:
    """A whole /etc/modules, modules-load.d or initramfs-tools modules file."""

    __slots__ = ("doc",)

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def __repr__(self) -> str:
        return f"ModulesConfig({self.doc.path!r})"

    @property
    def lines(self) -> list[ModulesLine]:
        # an unparsed document (loaded with recover=True) is one RAW token: no lines
        return [
            _VIEWS[child.kind](self.doc, child)
            for child in self.doc.root.children
            if isinstance(child, Token) and child.kind in _VIEWS
        ]

    @property
    def entries(self) -> list[ModulesEntry]:
        return [line for line in self.lines if isinstance(line, ModulesEntry)]

    @property
    def comments(self) -> list[ModulesComment]:
        return [line for line in self.lines if isinstance(line, ModulesComment)]

    def modules(self) -> list[str]:
        """The module names listed, in order (as written)."""
        return [entry.module for entry in self.entries]

    def entry(self, module: str) -> ModulesEntry | None:
        """The first line loading ``module`` (``-`` and ``_`` equal)."""
        key = module_key(module)
        for entry in self.entries:
            if entry.module_key == key:
                return entry
        return None

    @property
    def crlf(self) -> bool:
        """CRLF line ends: the shell readers keep the CR in the module name or last argument."""
        return any(isinstance(c, Trivia) and "\r\n" in c.text for c in self.doc.root.children)

    def add(self, module: str, *params: ModuleParam) -> ModulesEntry:
        """Add ``MODULE [PARAMS]`` after the last module line (or at the end of the file)."""
        text = " ".join([module, *(format_param(p.name, p.value) for p in params)])
        if "\n" in text or not module or any(ch in _BLANKS for ch in module):
            raise ValueError(f"not a module line: {text!r}")
        token = Token("MODULE", text)
        root = self.doc.root
        newline = edit.newline_style(root)
        entries = self.entries
        if entries:
            edit.insert_line_after(root, entries[-1].token, token, "", newline)
        else:
            append_last_line(root, token)
        self.doc.touched()
        return ModulesEntry(self.doc, token)


def model(doc: Document) -> ModulesConfig:
    return ModulesConfig(doc)


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    return re.compile(r"^# /etc/modules: kernel modules to load at boot time|modules-load\.d", re.M)


def sniff(text: str) -> bool:
    """Only a file that says what it is: a bare list of names looks like anything."""
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    """One directive per module line: the module name, then its parameter words."""
    return [
        Directive(entry.module, entry.params_text.split(), None, entry.position[0])
        for entry in ModulesConfig(doc).entries
    ]


def build(items: list[Directive]) -> str:
    return "".join(" ".join([d.name, *d.args]) + "\n" for d in items)


# selectors: ``modules`` (the list), ``modules[NAME]`` (a line), ``modules[NAME].PARAM``


def _path(selector: str) -> tuple[str | None, str | None]:
    """The module and the parameter a selector names (either may be absent)."""
    steps = steps_of(selector)
    first = steps[0]
    fits = first.name == "modules" and len(steps) <= 2 and first.filter != ""
    if fits and len(steps) == 2:
        fits = first.filter is not None and steps[1].filter is None
    if not fits:
        raise SelectorError(
            f"selector {selector!r}: use modules, modules[NAME] or modules[NAME].PARAM"
        )
    module = first.filter.strip() if first.filter is not None else None
    return module, steps[1].name if len(steps) == 2 else None


def _entries(doc: Document, module: str) -> list[ModulesEntry]:
    key = module_key(module)
    return [e for e in ModulesConfig(doc).entries if e.module_key == key]


def get_value(doc: Document, selector: str) -> list[str]:
    """The modules listed; a module's line (name and parameters); one parameter's value."""
    module, param = _path(selector)
    if module is None:
        return ModulesConfig(doc).modules()
    found = _entries(doc, module)
    if param is None:
        return [e.token.text for e in found]
    values = [p.value or "" for e in found for p in e.params if p.key == param_key(param)]
    return values[-1:]


def set_value(doc: Document, selector: str, value: str) -> None:
    """``modules NAME`` adds a module line (when missing), ``modules[NAME] PARAMS`` sets the
    words after the name, ``modules[NAME].PARAM VALUE`` one of them.

    Parameters on a module line make systemd-modules-load fail (see :class:`ModulesEntry`);
    the linter says so, the edit does what it is asked.
    """
    module, param = _path(selector)
    check_one_line(value)
    config = ModulesConfig(doc)
    if module is None:
        name, _, params = value.strip(_BLANKS).partition(" ")
        if not _entries(doc, name):
            config.add(name, *parse_params(params))
        return
    found = _entries(doc, module)
    entry = found[-1] if found else config.add(module)
    if param is None:
        entry.set_params_text(value)
    else:
        entry.set_param(param, value)


def unset_value(doc: Document, selector: str) -> int:
    module, param = _path(selector)
    found = ModulesConfig(doc).entries if module is None else _entries(doc, module)
    if param is not None:
        return sum(e.remove_param(param) for e in found)
    for entry in found:
        entry.remove()
    return len(found)
