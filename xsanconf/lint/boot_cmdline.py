"""The kernel command line a host boots with, and the module parameters on it.

Sources, in the order they are trusted (the first that gives a command line is used):

1. ``/boot/grub/grub.cfg`` (``/boot/grub2/grub.cfg`` on Red Hat): the ``linux``, ``linux16``
   and ``linuxefi`` lines (on a Xen dom0 entry, the first ``module`` after ``multiboot``) of
   the entry ``set default=`` names (a number, ``N>M`` into a
   submenu, a title or an id; none at all is entry 0; ``${next_entry}`` is a one-time boot and
   does not count).  When it cannot be known (``${saved_entry}``) a parameter counts only if
   every entry sets it to the same value.  grub.cfg is script: only those lines are read, and a
   line that cannot be read (an unclosed quote) is skipped.  A word holding ``$`` is a grub
   variable and is not read.
2. GRUB legacy's ``/boot/grub/menu.lst`` (Debian) or ``/boot/grub/grub.conf`` (Red Hat 5 and
   6; ``/etc/grub.conf`` links to it): the ``kernel`` line of the entry ``default`` names (a
   number from 0, the first entry when absent; ``saved`` is chosen at boot and counts as
   above).  On a Xen entry (``kernel /xen.gz`` followed by ``module`` lines: only a multiboot
   kernel takes modules) the first ``module`` is the dom0 kernel and its command line.  A
   command ends at a blank or ``=`` (``default=0``); the kernel receives the rest of the line
   as written, quotes included, and cuts it itself.
3. ``/etc/default/grub`` then ``/etc/default/grub.d/*.cfg`` (grub-mkconfig sources them in that
   order): ``GRUB_CMDLINE_LINUX`` then ``GRUB_CMDLINE_LINUX_DEFAULT``, the words 10_linux puts
   on a normal entry; ``$GRUB_CMDLINE_LINUX`` in a later assignment extends the earlier value.
   What grub-mkconfig will write, for a host whose grub.cfg is not in the copy.
4. ``/proc/cmdline`` of a captured host root (or ``captures/proc-cmdline.txt``): what the host
   last booted with.  The running machine's own ``/proc`` is never read
   (:meth:`Host.read_text` refuses kernel pseudo-files).

Besides the module parameters, each source gives the names its ``modprobe.blacklist=`` words
add to kmod's blacklist (:func:`xsanconf.domain.kernel_cmdline.blacklisted`).
"""

from __future__ import annotations

import functools
import itertools
import posixpath
import re
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.module_params import (
    ModuleParam,
    ParamGiven,
    module_key,
    param_key,
    split_params,
)
from xsanconf.lint.diagnostics import Location

if TYPE_CHECKING:
    from xsanconf.domain.kernel_cmdline import CmdlineArg, CmdlineBlacklist
    from xsanconf.formats.shell_vars import ShellAssignment
    from xsanconf.lint.site import Host, SiteFile

__all__ = [
    "DEFAULT_GRUB",
    "GRUB_CFGS",
    "GRUB_D",
    "GRUB_LEGACY_CFGS",
    "PROC_CMDLINE",
    "CmdlineBlacklisting",
    "CmdlineSetting",
    "CommandLine",
    "command_line",
]

GRUB_CFGS = ("boot/grub/grub.cfg", "boot/grub2/grub.cfg")
GRUB_LEGACY_CFGS = ("boot/grub/menu.lst", "boot/grub/grub.conf")
DEFAULT_GRUB = "etc/default/grub"
GRUB_D = "etc/default/grub.d"
PROC_CMDLINE = "proc/cmdline"
PROC_CMDLINES = (PROC_CMDLINE, "captures/proc-cmdline.txt")
_LINUX_COMMANDS = frozenset({"linux", "linux16", "linuxefi"})
# A Xen dom0 entry (20_linux_xen) loads the hypervisor with multiboot and the dom0 Linux kernel,
# with its command line, as the first module; later modules (--nounzip) are the initrd.
_MULTIBOOT_COMMANDS = frozenset({"multiboot", "multiboot2"})
_MODULE_COMMANDS = frozenset({"module", "module2"})
_CMDLINE_VARS = ("GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT")


@attrs.frozen(eq=False, repr=False)
class CmdlineSetting(ParamGiven):
    """One ``module.param[=value]`` word of the command line a host boots with."""

    module: str  # as kmod compares it ("firewire_sbp2")
    param: ModuleParam
    word: str  # as written, "firewire-sbp2.exclusive_login=0"
    source: str  # which command line: "grub.cfg entry 'Debian GNU/Linux'"
    where: Location
    origin = "kernel command line"

    @property
    def place(self) -> str:
        return f"{self.where.path}:{self.where.line}"

    @property
    def described(self) -> str:
        """ "the kernel command line (grub.cfg entry 'Debian', /boot/grub/grub.cfg:7)"."""
        return f"the kernel command line ({self.source}, {self.place})"

    def location(self, message: str | None = None) -> Location:
        return attrs.evolve(self.where, message=message)


@attrs.frozen(eq=False, repr=False)
class CmdlineBlacklisting:
    """One name a ``modprobe.blacklist=`` word of the boot command line gives kmod."""

    name: str  # as written, as kmod keeps it
    matches_a_module: bool  # False: a "-" or a quote, which no module name holds
    source: str
    where: Location

    def location(self, message: str | None = None) -> Location:
        return attrs.evolve(self.where, message=message)


@attrs.frozen(eq=False, repr=False)
class CommandLine:
    """The module parameters of the command line a host boots with, in order, and the names
    its ``modprobe.blacklist=`` words blacklist."""

    settings: tuple[CmdlineSetting, ...]
    # grub.cfg entries disagree and which one boots is chosen at boot: each entry's settings,
    # which hold only for the entries that carry them
    per_entry: tuple[CmdlineSetting, ...] = ()
    blacklists: tuple[CmdlineBlacklisting, ...] = ()

    def of(self, module: str, param: str | None = None) -> list[CmdlineSetting]:
        return _matching(self.settings, module, param)

    def blacklisting(self, module: str) -> list[CmdlineBlacklisting]:
        """The names that blacklist ``module`` as kmod compares them: written exactly as the
        module's name with ``_`` (kmod does not turn a command line's ``-`` into ``_``)."""
        key = module_key(module)
        return [b for b in self.blacklists if b.name == key]

    def in_some_entries(self, module: str, param: str) -> list[CmdlineSetting]:
        return _matching(self.per_entry, module, param)


def _matching(
    settings: tuple[CmdlineSetting, ...], module: str, param: str | None
) -> list[CmdlineSetting]:
    key = module_key(module)
    wanted = None if param is None else param_key(param)
    return [s for s in settings if s.module == key and (wanted is None or s.key == wanted)]


_CACHE: weakref.WeakKeyDictionary[Host, CommandLine | None] = weakref.WeakKeyDictionary()


def command_line(host: Host) -> CommandLine | None:
    """The host's boot command line (see the module docstring); None when no source has one."""
    if host in _CACHE:
        return _CACHE[host]
    found = (
        _from_grub_cfg(host)
        or _from_grub_cfg(host, GRUB_LEGACY_CFGS)
        or _from_default_grub(host)
        or _from_proc(host)
    )
    _CACHE[host] = found
    return found


def _shown(host: Host, rel: str) -> str:
    root = str(host.root)
    return rel if root in ("", ".") else posixpath.join(root, rel)


def _blacklists(
    names: list[CmdlineBlacklist],
    source: str,
    where: Location | Callable[[CmdlineBlacklist], Location],
) -> tuple[CmdlineBlacklisting, ...]:
    return tuple(
        CmdlineBlacklisting(
            b.module,
            b.matches_a_module,
            source,
            where if isinstance(where, Location) else where(b),
        )
        for b in names
        if "$" not in b.module
    )


def _settings(
    args: list[CmdlineArg], source: str, where: Location | Callable[[CmdlineArg], Location]
) -> list[CmdlineSetting]:
    """The settings of ``args``, each placed at ``where`` (or where ``where`` says)."""
    return [
        CmdlineSetting(
            a.module_key,
            a.param,
            str(a),
            source,
            where if isinstance(where, Location) else where(a),
        )
        for a in args
        if "$" not in str(a)  # a variable: its value is not known here
    ]


# /proc/cmdline


def _from_proc(host: Host) -> CommandLine | None:
    # a copied root's proc/cmdline, else the file contrib/xsan-capture.sh writes
    rel, text = next(
        ((rel, text) for rel in PROC_CMDLINES if (text := host.read_text(rel)) is not None),
        (PROC_CMDLINE, None),
    )
    if text is None:
        return None
    line = text.split("\n", 1)[0]
    # the parser of command lines, only where the host has one
    from xsanconf.domain.kernel_cmdline import blacklisted, module_args

    path = _shown(host, rel)

    def where(arg: CmdlineArg | CmdlineBlacklist) -> Location:
        return Location(path, 1, arg.start + 1, 1, arg.end + 1, host.name)

    source = "the one the host booted with"
    blacklists = _blacklists(blacklisted(line), source, where)
    return CommandLine(tuple(_settings(module_args(line), source, where)), (), blacklists)


# /etc/default/grub


def _from_default_grub(host: Host) -> CommandLine | None:
    files = [host.file(DEFAULT_GRUB)] + sorted(
        (f for f in host.files if posixpath.dirname(f.rel) == GRUB_D and f.rel.endswith(".cfg")),
        key=lambda f: f.rel,
    )
    # each variable's value as pieces of text, each with the assignment that wrote it
    values: dict[str, list[tuple[str, SiteFile, ShellAssignment]]] = {}
    read_any = False
    for file in files:
        if file is None or file.kind != "shell-vars" or not file.doc.parsed:
            continue
        read_any = True
        for assignment in file.doc.model.assignments:
            if assignment.name in _CMDLINE_VARS:
                values[assignment.name] = _expand(assignment.value, values, file, assignment)
    if not read_any:
        return None
    from xsanconf.domain.kernel_cmdline import blacklisted, module_args

    found: list[CmdlineSetting] = []
    blacklists: list[CmdlineBlacklisting] = []
    for name in _CMDLINE_VARS:
        for text, file, assignment in values.get(name, []):
            source = f"{name}, which grub-mkconfig writes into grub.cfg"
            found += _settings(module_args(text), source, file.location(assignment.token))
            blacklists += _blacklists(blacklisted(text), source, file.location(assignment.token))
    return CommandLine(tuple(found), (), tuple(blacklists))


@functools.cache  # compiled on first use: many runs never need it
def _var_ref() -> re.Pattern[str]:
    return re.compile(
        r"\$(?:\{(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)\}|(GRUB_CMDLINE_LINUX(?:_DEFAULT)?)(?![A-Za-z0-9_]))"
    )


def _expand(
    value: str,
    values: dict[str, list[tuple[str, SiteFile, ShellAssignment]]],
    file: SiteFile,
    assignment: ShellAssignment,
) -> list[tuple[str, SiteFile, ShellAssignment]]:
    """``value`` as pieces, ``$GRUB_CMDLINE_LINUX`` (and ``_DEFAULT``) replaced by what the
    variable held so far (``GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX quiet"`` appends)."""
    pieces: list[tuple[str, SiteFile, ShellAssignment]] = []
    at = 0
    for m in _var_ref().finditer(value):
        pieces.append((value[at : m.start()], file, assignment))
        pieces += values.get(m.group(1) or m.group(2), [])
        at = m.end()
    pieces.append((value[at:], file, assignment))
    return [p for p in pieces if p[0].strip()]


# /boot/grub/grub.cfg


# Plain classes: records of the grub reader, never compared or printed, and attrs would
# compile their methods at every start-up of a lint that may read no grub file at all.
class _Word:
    __slots__ = ("end", "expands", "start", "text")

    def __init__(self, text: str, start: int, end: int, expands: bool) -> None:
        self.text = text  # with grub's quoting removed
        self.start = start
        self.end = end
        self.expands = expands  # holds a $ outside single quotes


class _MenuItem:
    __slots__ = (
        "children",
        "ident",
        "linux",
        "modules",
        "multiboot",
        "path",
        "submenu",
        "title",
        "verbatim",
    )

    def __init__(
        self,
        title: str,
        ident: str | None,
        path: tuple[int, ...],
        submenu: bool,
        *,
        verbatim: bool = False,
    ) -> None:
        self.title = title
        self.ident = ident
        self.path = path
        self.submenu = submenu
        self.children = 0
        self.linux: list[tuple[int, list[_Word]]] = []
        self.multiboot = False  # a Xen entry: the kernel is the first module
        self.modules = 0
        # GRUB legacy: each word is a kernel argument as written (grub 2 words lost their
        # quoting)
        self.verbatim = verbatim


def _grub_words(line: str) -> list[_Word] | None:
    """The words of one line of grub script (``'...'`` literal, ``"..."`` with ``\\`` before
    ``$ " \\``, ``\\`` quoting the next character), up to a ``#`` or ``;``; None for an unclosed
    quote."""
    words: list[_Word] = []
    i, end = 0, len(line)
    while i < end:
        if line[i] in " \t\r":
            i += 1
            continue
        if line[i] in "#;":
            break
        start, out, expands = i, [], False
        while i < end and line[i] not in " \t\r;":
            c = line[i]
            if c == "'":
                close = line.find("'", i + 1)
                if close < 0:
                    return None
                out.append(line[i + 1 : close])
                i = close + 1
            elif c == '"':
                i += 1
                while i < end and line[i] != '"':
                    if line[i] == "\\" and line[i + 1 : i + 2] in ("$", '"', "\\"):
                        i += 1
                    elif line[i] == "$":
                        expands = True
                    out.append(line[i])
                    i += 1
                if i >= end:
                    return None
                i += 1
            elif c == "\\":
                out.append(line[i + 1 : i + 2])
                i += 2
            else:
                expands = expands or c == "$"
                out.append(c)
                i += 1
        words.append(_Word("".join(out), start, min(i, end), expands))
    return words


def _menu(text: str) -> tuple[list[_MenuItem], list[_Word]]:
    """The menu items of a grub.cfg (entries with their linux lines) and its ``set default=``
    words; anything else is skipped, whatever it is."""
    root = _MenuItem("", None, (), True)
    stack: list[_MenuItem | None] = []  # open blocks: a menu item, or None for another block
    items: list[_MenuItem] = []
    defaults: list[_Word] = []
    for number, line in enumerate(text.splitlines(), 1):
        words = _grub_words(line)
        if not words:
            continue
        first = words[0].text
        opened: _MenuItem | None = None
        if first in ("menuentry", "submenu") and len(words) > 1:
            menu = next((b for b in reversed(stack) if b is not None and b.submenu), root)
            opened = _MenuItem(
                words[1].text, _ident(words), (*menu.path, menu.children), first == "submenu"
            )
            menu.children += 1
            items.append(opened)
        elif first in _LINUX_COMMANDS | _MULTIBOOT_COMMANDS | _MODULE_COMMANDS:
            entry = next((b for b in reversed(stack) if b is not None), None)
            if entry is not None and not entry.submenu:
                _kernel_line(entry, number, words)
        elif first == "set" and len(words) > 1 and words[1].text.startswith("default="):
            defaults.append(words[1])
        for word in words:
            if word.text == "{" and word.end - word.start == 1:
                stack.append(opened)
                opened = None
            elif word.text == "}" and word.end - word.start == 1 and stack:
                stack.pop()
    return items, defaults


def _kernel_line(entry: _MenuItem, number: int, words: list[_Word]) -> None:
    """Record the line of ``entry`` that gives the Linux kernel its command line."""
    command = words[0].text
    if command in _MULTIBOOT_COMMANDS:
        entry.multiboot = True
        entry.modules = 0
        return
    args = words[1:]
    if command in _MODULE_COMMANDS:
        if not entry.multiboot:
            return
        entry.modules += 1
        if entry.modules > 1:
            return
        while args and args[0].text.startswith("--"):  # --nounzip and the like
            args = args[1:]
    # the kernel's path, then its command line ("placeholder" on a module line is what the
    # multiboot loader hands the kernel as its name, and Linux ignores it)
    entry.linux.append((number, args[1:]))


# a GRUB legacy command: its name, then blanks or "=" (``default=0``), then its arguments
@functools.cache  # compiled on first use: many runs never need it
def _legacy_command() -> re.Pattern[str]:
    return re.compile(r"[ \t]*([^ \t=#][^ \t=]*)[ \t=]*")


def _legacy_menu(text: str) -> tuple[list[_MenuItem], list[_Word]]:
    """GRUB legacy's menu: ``title`` entries with their ``kernel`` (and Xen ``module``) lines,
    and the ``default`` command (as grub 2's ``default=`` word, for :func:`_default_entry`)."""
    items: list[_MenuItem] = []
    defaults: list[_Word] = []
    for number, line in enumerate(text.splitlines(), 1):
        m = _legacy_command().match(line)
        if m is None:
            continue
        command, rest, at = m.group(1), line[m.end() :], m.end()
        if command == "title":
            items.append(_MenuItem(rest.strip(), None, (len(items),), False, verbatim=True))
        elif command == "default" and not items:
            value = rest.split()[0] if rest.split() else ""
            defaults.append(_Word(f"default={value}", at, len(line), False))
        elif command in ("kernel", "module") and items:
            _legacy_kernel_line(items[-1], number, command, rest, at)
    return items, defaults


def _legacy_kernel_line(entry: _MenuItem, number: int, command: str, rest: str, at: int) -> None:
    """A ``kernel`` line (``--type=...`` and ``--no-mem-option`` before the file) or a
    ``module`` line: the kernel's arguments as words, each as written."""
    words = [
        _Word(rest[s.start : s.end], at + s.start, at + s.end, False) for s in split_params(rest)
    ]
    while words and words[0].text.startswith("--"):
        words = words[1:]
    if command == "kernel":
        # a multiboot kernel (Xen) hands its first module the dom0 command line: known when
        # a module line follows, so the kernel line is kept and replaced then
        entry.multiboot, entry.modules = False, 0
        entry.linux.append((number, words[1:]))
        return
    entry.modules += 1
    if entry.modules == 1 and entry.linux:
        entry.multiboot = True
        entry.linux[-1] = (number, words[1:])


def _ident(words: list[_Word]) -> str | None:
    """``--id ID`` or ``$menuentry_id_option 'ID'`` (how grub-mkconfig writes it)."""
    for before, word in itertools.pairwise(words):
        if before.text == "--id" or before.text in (
            "$menuentry_id_option",
            "${menuentry_id_option}",
        ):
            return word.text
    return None


def _default_entry(items: list[_MenuItem], defaults: list[_Word]) -> _MenuItem | None:
    """The entry grub boots; None when the configuration cannot say."""
    values = {w.text.removeprefix("default=") for w in defaults if "next_entry" not in w.text}
    if any(w.expands for w in defaults if "next_entry" not in w.text) or len(values) > 1:
        return None
    wanted = values.pop() if values else "0"
    path: tuple[int, ...] = ()
    for part in wanted.split(">"):
        level = [i for i in items if i.path[:-1] == path]
        match = next(
            (i for i in level if str(i.path[-1]) == part or part in (i.title, i.ident)), None
        )
        if match is None:
            return None
        path = match.path
    found = next(i for i in items if i.path == path)
    return None if found.submenu else found


def _from_grub_cfg(host: Host, names: tuple[str, ...] = GRUB_CFGS) -> CommandLine | None:
    for rel in names:
        text = host.read_text(rel)  # inside the host root, a regular file, bounded
        if text is None:
            continue
        items, defaults = _menu(text) if names is GRUB_CFGS else _legacy_menu(text)
        entries = [i for i in items if i.linux]
        if not entries:
            continue
        path = _shown(host, rel)
        file_name = posixpath.basename(rel)
        chosen = _default_entry(items, defaults)
        if chosen is not None and chosen.linux:
            source = f"{file_name} entry '{chosen.title}'"
            own, own_blacklists = _entry_settings(host, path, chosen, source)
            return CommandLine(tuple(own), (), tuple(own_blacklists))
        every = [_entry_settings(host, path, e, f"{file_name} entry '{e.title}'") for e in entries]
        # names every entry blacklists alike hold whichever boots; else which is not known
        listed = {frozenset(b.name for b in found) for _, found in every}
        source = f"every {file_name} entry; which one boots is chosen at boot"
        agreed = tuple(attrs.evolve(b, source=source) for b in every[0][1])
        blacklists = agreed if len(listed) == 1 else ()
        if len({_last_values(s) for s, _ in every}) == 1:
            settings = tuple(attrs.evolve(s, source=source) for s in every[0][0])
            return CommandLine(settings, (), blacklists)
        per_entry = tuple(s for entry_settings, _ in every for s in entry_settings)
        return CommandLine((), per_entry, blacklists)
    return None


def _entry_settings(
    host: Host, path: str, entry: _MenuItem, source: str
) -> tuple[list[CmdlineSetting], list[CmdlineBlacklisting]]:
    """The module parameters and blacklisted names of the entry's kernel command line."""
    from xsanconf.domain.kernel_cmdline import blacklisted, module_args

    found: list[CmdlineSetting] = []
    blacklists: list[CmdlineBlacklisting] = []
    for number, words in entry.linux[-1:]:  # grub loads the kernel of the last linux line
        for word in words:
            if word.expands:
                continue
            where = Location(path, number, word.start + 1, number, word.end + 1, host.name)
            text = word.text if entry.verbatim else _requoted(word.text)
            found += _settings(module_args(text), source, where)
            blacklists += _blacklists(blacklisted(text), source, where)
    return found, blacklists


def _requoted(arg: str) -> str:
    """One argument of grub's ``linux`` command as the kernel receives it: grub quotes a value
    that holds blanks, so the argument stays one word."""
    if not any(c in arg for c in " \t\n"):
        return arg
    name, equals, value = arg.partition("=")
    blank_in_name = any(c in name for c in " \t\n")
    return f'{name}="{value}"' if equals and not blank_in_name else f'"{arg}"'


def _last_values(settings: list[CmdlineSetting]) -> frozenset[tuple[str, str, str | None]]:
    last = {(s.module, s.key): s.value for s in settings}
    return frozenset((module, key, value) for (module, key), value in last.items())
