"""What kmod makes of one host's module configuration: the files it reads, the ones it skips,
and every module parameter with the place that sets it and the value that wins.

Facts (kmod ``libkmod/libkmod.c`` ``default_config_paths``, ``libkmod/libkmod-config.c``
``conf_files_filter_out``, ``conf_files_insert_sorted``, ``kmod_config_parse``):

* kmod looks in ``/etc/modprobe.d``, ``/run/modprobe.d``, ``/usr/local/lib/modprobe.d`` (kmod 29
  and later), ``$prefix/lib/modprobe.d`` i.e. ``/usr/lib/modprobe.d`` (kmod 32 and later) and
  ``/lib/modprobe.d``, in that order of precedence.  ``/etc/modprobe.conf`` is never read.
* Only names ending in ``.conf`` count; dot-files are skipped; a sub-directory is an error.
* A name already seen in a directory of higher precedence is dropped ("Ignoring duplicate
  config file") before any file is opened, so a link to ``/dev/null`` masks a vendor file.
* The surviving files are read in ``strcmp`` order of their names, whatever their directory;
  every ``options`` line of a module is appended in that order, and the kernel keeps the last
  value of a repeated parameter.  ``include`` and ``config`` are no longer read.

The kernel command line (:mod:`xsanconf.lint.boot_cmdline`): after the configuration files,
``kmod_config_new`` calls ``kmod_config_parse_kcmdline``, which adds every
``module.param[=value]`` word of ``/proc/cmdline`` to the module's options with the same
``kmod_config_add_options`` the files use, so they follow every ``options`` line and win.
Its ``modprobe.blacklist=a,b`` words add to the blacklist of the files' ``blacklist`` lines,
each name as written (a file's ``-`` become ``_``, the command line's do not, so
``modprobe.blacklist=firewire-sbp2`` blacklists nothing).  A blacklist keeps modprobe from
loading a module for an alias (udev's hotplug loads); loading it by name still works.

Module lists (``/etc/modules``, ``modules-load.d/*.conf``, initramfs-tools ``modules``) load
modules at boot.  Debian's sysvinit script and initramfs-tools run ``modprobe MODULE ARGS``, so
parameters on a line reach the module and, coming after the modprobe.d options, win;
systemd-modules-load (which reads ``/etc/modules`` through Debian's
``modules-load.d/modules.conf`` link) takes the whole line as the module name and fails.
"""

from __future__ import annotations

import enum
import os
import posixpath
import weakref
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.module_params import ModuleParam, ParamGiven, module_key, param_key
from xsanconf.formats.modprobe.model import (
    ModprobeAlias,
    ModprobeBlacklist,
    ModprobeCommand,
    ModprobeConfig,
    ModprobeInclude,
    ModprobeInstall,
    ModprobeOptions,
    ModprobeRemove,
    ModprobeSoftdep,
)
from xsanconf.formats.modules import ModulesConfig, ModulesEntry
from xsanconf.lint.boot_cmdline import CmdlineBlacklisting, CmdlineSetting, command_line
from xsanconf.lint.site import on_disk

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Location
    from xsanconf.lint.site import Host, SiteFile
    from xsanconf.syntax import Token

__all__ = [
    "MODPROBE_DIRS",
    "MODULES_LOAD_DIRS",
    "ConfigFile",
    "KmodConfig",
    "ListReader",
    "Mention",
    "ModulesList",
    "ParamSetting",
    "Setting",
    "Skip",
    "kmod_config",
]

MODPROBE_DIRS = (
    "etc/modprobe.d",
    "run/modprobe.d",
    "usr/local/lib/modprobe.d",
    "usr/lib/modprobe.d",
    "lib/modprobe.d",
)
# the first kmod release that reads each directory (older ones read /etc, /run and /lib only)
_DIR_SINCE_KMOD = {"usr/local/lib/modprobe.d": 29, "usr/lib/modprobe.d": 32}
MODULES_LOAD_DIRS = (
    "etc/modules-load.d",
    "run/modules-load.d",
    "usr/local/lib/modules-load.d",
    "usr/lib/modules-load.d",
    "lib/modules-load.d",
)
OLD_MODPROBE_CONF = "etc/modprobe.conf"
ETC_MODULES = "etc/modules"
INITRAMFS_MODULES = "etc/initramfs-tools/modules"
# Copies that editors and package managers leave beside a file: kmod skips them, on purpose.
_BACKUP_SUFFIXES = (
    "~",
    ".bak",
    ".old",
    ".orig",
    ".save",
    ".swp",
    ".dpkg-old",
    ".dpkg-dist",
    ".dpkg-new",
    ".dpkg-bak",
    ".dpkg-tmp",
    ".ucf-old",
    ".ucf-dist",
    ".ucf-new",
    ".rpmsave",
    ".rpmnew",
    ".rpmorig",
)
# install commands that make a module impossible to load
_NEVER_LOAD = frozenset({"/bin/false", "/bin/true", "false", "true", "/usr/bin/false"})


class Skip(enum.Enum):
    """Why a file in a configuration directory is not read."""

    NO_CONF_SUFFIX = "its name does not end in .conf"
    HIDDEN = "its name starts with a dot"
    BACKUP = "it is a backup copy (its name does not end in .conf)"
    SHADOWED = "a file of the same name in a directory of higher precedence hides it"
    DIRECTORY = "it is a directory"
    BROKEN = "it is a broken symbolic link"
    NOT_READ = "kmod never reads /etc/modprobe.conf (module-init-tools did)"
    NOT_YET = "this kmod version does not read this directory"


# The records of this module are built with repr=False: attrs compiles a __repr__ for each
# class at import, on every run, and these are never printed (debugging aside).
@attrs.frozen(eq=False, repr=False)
class ConfigFile:
    """A name in a configuration directory and what the reader does with it."""

    rel: str  # inside the host root, e.g. "etc/modprobe.d/sbp2"
    rank: int  # precedence of its directory, 0 highest
    # None: the site holds no document (masked, unreadable, directory)
    file: SiteFile | None = attrs.field(repr=False)
    skip: Skip | None = None  # None: read
    shadowed_by: ConfigFile | None = None
    masked: bool = False  # a link to /dev/null: read as empty

    @property
    def name(self) -> str:
        return posixpath.basename(self.rel)

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.rel)

    @property
    def read(self) -> bool:
        return self.skip is None

    @property
    def empty(self) -> bool:
        """Read as empty: a mask (link to /dev/null) or a file with no command in it."""
        if self.masked:
            return True
        if self.file is None or self.file.kind != "modprobe":
            return False
        return not any(line.used for line in _modprobe(self.file).lines)

    def why(self) -> str:
        """Why kmod skips the file, in words ("" when it reads it)."""
        if self.skip is Skip.SHADOWED and self.shadowed_by is not None:
            return f"{self.shadowed_by.shown} has the same name and takes precedence"
        return self.skip.value if self.skip is not None else ""

    @property
    def shown(self) -> str:
        return self.file.path if self.file is not None else "/" + self.rel


class ListReader(enum.Enum):
    """A program that loads the modules of a list at boot."""

    SYSVINIT = "the sysvinit boot script"  # passes parameters on to modprobe
    SYSTEMD = "systemd-modules-load"  # takes the whole line as the module name
    INITRAMFS = "initramfs-tools"  # passes parameters on to modprobe

    @property
    def passes_params(self) -> bool:
        return self is not ListReader.SYSTEMD


@attrs.frozen(eq=False, repr=False)
class ModulesList:
    """A file listing modules to load at boot, the programs that read it, or why none does."""

    file: SiteFile = attrs.field(repr=False)
    readers: frozenset[ListReader]
    skip: str | None = None  # why no program reads it

    @property
    def entries(self) -> list[ModulesEntry]:
        if self.skip is not None or not self.file.doc.parsed:
            return []
        config: ModulesConfig = self.file.doc.model
        return config.entries

    @property
    def passes_params(self) -> bool:
        return any(reader.passes_params for reader in self.readers)


@attrs.frozen(eq=False, repr=False)
class ParamSetting(ParamGiven):
    """One ``name[=value]`` word given to a module: on an ``options`` line of a modprobe.d file,
    or after the module name on a line of a module list."""

    module: str  # the module as kmod compares it ("firewire_sbp2")
    param: ModuleParam
    file: SiteFile = attrs.field(repr=False)
    line: ModprobeOptions | ModulesEntry = attrs.field(repr=False)

    origin = "modprobe.d"

    @property
    def word(self) -> str:
        return str(self.param)

    @property
    def token(self) -> Token:
        return self.line.token

    @property
    def line_number(self) -> int:
        return self.line.position[0]

    @property
    def place(self) -> str:
        return f"{self.file.path}:{self.line_number}"

    def location(self, message: str | None = None) -> Location:
        return self.file.location(self.line.token, message)


# what kmod passes to a module: a word of a modprobe.d options line (or of a module list), or
# of the kernel command line
Setting = ParamSetting | CmdlineSetting


@attrs.frozen(eq=False, repr=False)
class Mention:
    """A line that configures or loads a module."""

    file: SiteFile = attrs.field(repr=False)
    token: Token
    what: str  # "options line", "loaded at boot", ...
    read: bool  # the program that owns the file reads this line


class KmodConfig:
    """The effective kmod configuration of one host (see the module docstring)."""

    def __init__(self, host: Host, version: int | None = None) -> None:
        self.host = host
        self.version = version
        self.files: list[ConfigFile] = _modprobe_files(host, version)
        self.lists: list[ModulesList] = _modules_lists(host)
        self._settings: dict[str, list[ParamSetting]] | None = None

    @property
    def read(self) -> list[ConfigFile]:
        """The files kmod reads, in the order it reads them."""
        return [f for f in self.files if f.read]

    @property
    def ignored(self) -> list[ConfigFile]:
        return [f for f in self.files if not f.read]

    def read_documents(self) -> list[SiteFile]:
        return [f.file for f in self.read if f.file is not None and f.file.doc.parsed]

    # options

    def settings(self, module: str, param: str | None = None) -> list[ParamSetting]:
        """Every parameter kmod passes to ``module``, in the order it passes them."""
        if self._settings is None:
            self._settings = {}
            for file in self.read_documents():
                for line in _modprobe(file).options():
                    key = line.module_key
                    for p in line.params:
                        self._settings.setdefault(key, []).append(ParamSetting(key, p, file, line))
        found = self._settings.get(module_key(module), [])
        if param is None:
            return list(found)
        return [s for s in found if s.key == param_key(param)]

    def effective(self, module: str, param: str) -> ParamSetting | None:
        """The setting the kernel keeps (the last one kmod passes); ``None``: unset."""
        found = self.settings(module, param)
        return found[-1] if found else None

    def cmdline_settings(self, module: str, param: str | None = None) -> list[CmdlineSetting]:
        """The module's parameters on the host's kernel command line, in order."""
        found = command_line(self.host)
        return [] if found is None else found.of(module, param)

    def blacklisted(
        self, module: str
    ) -> list[tuple[SiteFile, ModprobeBlacklist] | CmdlineBlacklisting]:
        """What puts ``module`` on kmod's blacklist: the ``blacklist`` lines of the files kmod
        reads, then the kernel command line's ``modprobe.blacklist=`` names that match it."""
        key = module_key(module)
        found: list[tuple[SiteFile, ModprobeBlacklist] | CmdlineBlacklisting] = [
            (file, line)
            for file in self.read_documents()
            for line in _modprobe(file).blacklists()
            if line.module_key == key
        ]
        cmdline = command_line(self.host)
        if cmdline is not None:
            found += cmdline.blacklisting(module)
        return found

    def cmdline_in_some_entries(self, module: str, param: str) -> list[CmdlineSetting]:
        """The module's parameter on some grub.cfg entries only, when which entry boots is
        chosen at boot (``GRUB_DEFAULT=saved``)."""
        found = command_line(self.host)
        return [] if found is None else found.in_some_entries(module, param)

    def winner(self, module: str, param: str) -> Setting | None:
        """The value the module gets when modprobe loads it: the kernel command line's last
        one, else the last modprobe.d one (see the module docstring); ``None``: unset."""
        found = self.cmdline_settings(module, param)
        return found[-1] if found else self.effective(module, param)

    def modules(self) -> list[str]:
        """Modules that kmod passes options to (modprobe.d, then the command line), in
        first-seen order."""
        self.settings("")
        assert self._settings is not None
        cmdline = command_line(self.host)
        on_cmdline = [] if cmdline is None else [s.module for s in cmdline.settings]
        return list(dict.fromkeys([*self._settings, *on_cmdline]))

    def unread_settings(self, module: str, param: str) -> list[tuple[ParamSetting, str]]:
        """Settings of ``param`` kmod never sees, with the reason: in a skipped file, or on a
        line it ignores."""
        key, wanted = module_key(module), param_key(param)
        found: list[tuple[ParamSetting, str]] = []
        for entry in self.files:
            if entry.file is None or entry.file.kind != "modprobe" or not entry.file.doc.parsed:
                continue
            for line in _modprobe(entry.file).options(used=False):
                if line.module_key != key:
                    continue
                why = entry.why() if not entry.read else line.problem
                if why is None:
                    continue
                for p in line.params:
                    if p.key == wanted:
                        found.append((ParamSetting(key, p, entry.file, line), why))
        return found

    def list_settings(self, module: str, param: str) -> list[ParamSetting]:
        """Settings of ``param`` on module-list lines whose readers pass them to modprobe; at
        boot they come after the modprobe.d options, so the last one wins there."""
        key, wanted = module_key(module), param_key(param)
        return [
            ParamSetting(key, p, mlist.file, entry)
            for mlist in self.lists
            if mlist.passes_params
            for entry in mlist.entries
            if entry.module_key == key
            for p in entry.params
            if p.key == wanted
        ]

    def installs(self, module: str) -> list[tuple[SiteFile, ModprobeInstall]]:
        """``install`` lines for ``module`` kmod reads; kmod runs the first one."""
        key = module_key(module)
        return [
            (file, line)
            for file in self.read_documents()
            for line in _modprobe(file).installs()
            if line.module_key == key and not isinstance(line, ModprobeRemove)
        ]

    def never_loads(self, module: str) -> tuple[SiteFile, ModprobeInstall] | None:
        """The ``install MODULE /bin/false`` (or ``true``) that keeps ``module`` from loading."""
        installs = self.installs(module)
        if installs and _never_loads(installs[0][1].shell_command):
            return installs[0]
        return None

    # what loads or configures a module

    def mentions(self, module: str) -> list[Mention]:
        """Lines that load ``module`` at boot or configure it (in any modprobe.d file, read or
        not: a file kmod skips still says the admin means to use the module).  ``blacklist``
        does not count."""
        key = module_key(module)
        found = [
            Mention(mlist.file, entry.token, f"loaded at boot by {mlist.file.path}", True)
            for mlist in self.lists
            for entry in mlist.entries
            if entry.module_key == key and mlist.readers
        ]
        for entry in self.files:
            if entry.file is None or entry.file.kind != "modprobe" or not entry.file.doc.parsed:
                continue
            for line in _modprobe(entry.file).lines:
                what = _configures(line, key)
                if what is not None:
                    found.append(Mention(entry.file, line.token, what, entry.read and line.used))
        return found

    def names_taken(self) -> set[str]:
        """File names present in any modprobe.d directory."""
        return {f.name for f in self.files if f.skip is not Skip.NOT_READ}


def _configures(line: object, key: str) -> str | None:
    """What a modprobe.d line does with module ``key``, if anything that implies using it."""
    if not isinstance(line, ModprobeCommand) or isinstance(
        line, ModprobeBlacklist | ModprobeInclude
    ):
        return None
    if isinstance(line, ModprobeAlias):
        return f"alias {line.pattern}" if line.target_key == key else None
    if isinstance(line, ModprobeSoftdep):
        if line.module_key == key or key in {module_key(m) for m in line.pre + line.post}:
            return "softdep line"
        return None
    if line.module_key != key:
        return None
    if isinstance(line, ModprobeInstall) and _never_loads(line.shell_command):
        return None
    return f"{line.command} line"


def _never_loads(shell_command: str) -> bool:
    words = shell_command.split()
    return len(words) == 1 and words[0] in _NEVER_LOAD


def _modprobe(file: SiteFile) -> ModprobeConfig:
    config: ModprobeConfig = file.doc.model
    return config


# Listing the directories


def _modprobe_files(host: Host, version: int | None) -> list[ConfigFile]:
    """Every name in the modprobe.d directories with what kmod does with it, in name order."""
    by_rel = {f.rel: f for f in host.files if f.kind == "modprobe"}
    seen_dirs: set[str] = set()
    found: list[ConfigFile] = []
    for rank, directory in enumerate(MODPROBE_DIRS):
        place = on_disk(host, directory)
        real = os.path.realpath(place) if place is not None else directory
        if real in seen_dirs:
            continue  # lib is usr/lib on merged-/usr hosts: one directory, read once
        seen_dirs.add(real)
        since = _DIR_SINCE_KMOD.get(directory)
        too_old = version is not None and since is not None and version < since
        for name, skip, masked in _listing(host, directory, by_rel):
            rel = f"{directory}/{name}"
            verdict = Skip.NOT_YET if too_old else skip
            found.append(ConfigFile(rel, rank, by_rel.get(rel), verdict, masked=masked))
    found = _shadow(found)
    old = by_rel.get(OLD_MODPROBE_CONF)
    if old is not None:
        found.append(ConfigFile(OLD_MODPROBE_CONF, len(MODPROBE_DIRS), old, Skip.NOT_READ))
    return found


def _listing(
    host: Host, directory: str, by_rel: dict[str, SiteFile]
) -> list[tuple[str, Skip | None, bool]]:
    """The names in one directory, how kmod's filter treats each (``None``: a candidate), and
    whether it is a mask (a link to /dev/null)."""
    place = on_disk(host, directory)  # linked directories followed as the host follows them
    try:
        if place is None:
            raise OSError
        entries = list(os.scandir(place))
    except OSError:
        prefix = directory + "/"
        names = sorted(rel[len(prefix) :] for rel in by_rel if rel.startswith(prefix))
        return [(name, _by_name(name), False) for name in names if "/" not in name]
    listed = []
    for entry in entries:
        name = entry.name
        moved = host.renamed.get(f"{directory}/{name}")
        if moved is not None:  # renamed by a fix, not yet on disk: listed under its new name
            if posixpath.dirname(moved) != directory:
                continue  # (fixes rename within a directory: NAME -> NAME.conf)
            name = posixpath.basename(moved)
        skip = _by_name(name)
        masked = False
        if skip is None:
            skip, masked = _by_type(entry)
        listed.append((name, skip, masked))
    return sorted(listed, key=lambda item: item[0])


def _by_name(name: str) -> Skip | None:
    if name.startswith("."):
        return Skip.HIDDEN
    if len(name) < 6 or not name.endswith(".conf"):
        return Skip.BACKUP if name.endswith(_BACKUP_SUFFIXES) else Skip.NO_CONF_SUFFIX
    return None


def _by_type(entry: os.DirEntry[str]) -> tuple[Skip | None, bool]:
    """kmod stats each candidate, following links: a directory or a dangling link is skipped.
    An absolute link cannot be followed here (it names a file of the host, not of this
    machine); kmod will read what it points to."""
    try:
        if entry.is_symlink():
            target = os.readlink(entry.path)
            if target.startswith("/"):
                return None, target == "/dev/null"
        if entry.is_dir():
            return Skip.DIRECTORY, False
        if not os.path.exists(entry.path):
            return Skip.BROKEN, False
    except OSError:
        return Skip.BROKEN, False
    return None, False


def _shadow(files: list[ConfigFile]) -> list[ConfigFile]:
    """Sort by name (``strcmp``: code points), the first directory of a name winning."""
    winners: dict[str, ConfigFile] = {}
    out = []
    for entry in sorted(files, key=lambda f: (f.name, f.rank)):
        first = winners.get(entry.name)
        if not entry.read:
            out.append(entry)
        elif first is None:
            winners[entry.name] = entry
            out.append(entry)
        else:
            out.append(attrs.evolve(entry, skip=Skip.SHADOWED, shadowed_by=first))
    return out


def _modules_lists(host: Host) -> list[ModulesList]:
    """The module lists and who reads each, /etc/modules first."""
    by_rel = {f.rel: f for f in host.files if f.kind == "modules"}
    found: list[ModulesList] = []
    etc_modules = by_rel.get(ETC_MODULES)
    etc_real = os.path.realpath(host.fs_path(ETC_MODULES)) if etc_modules else None
    if etc_modules is not None:
        found.append(ModulesList(etc_modules, frozenset({ListReader.SYSVINIT, ListReader.SYSTEMD})))
    winners: dict[str, SiteFile] = {}
    in_dirs = sorted(
        (
            (posixpath.basename(rel), rank, file)
            for rank, directory in enumerate(MODULES_LOAD_DIRS)
            for rel, file in by_rel.items()
            if posixpath.dirname(rel) == directory
        ),
        key=lambda item: (item[0], item[1]),
    )
    for name, _, file in in_dirs:
        skip = None
        if not name.endswith(".conf") or name.startswith("."):
            skip = "systemd-modules-load reads only *.conf files"
        elif name in winners:
            skip = f"{winners[name].path} has the same name and takes precedence"
        elif os.path.realpath(host.fs_path(file.rel)) == etc_real:
            skip = f"it is a link to {ETC_MODULES}"
        if skip is None:
            winners[name] = file
        readers = frozenset() if skip else frozenset({ListReader.SYSTEMD})
        found.append(ModulesList(file, readers, skip))
    initramfs = by_rel.get(INITRAMFS_MODULES)
    if initramfs is not None:
        found.append(ModulesList(initramfs, frozenset({ListReader.INITRAMFS})))
    return found


_CACHE: weakref.WeakKeyDictionary[Host, dict[int | None, KmodConfig]] = weakref.WeakKeyDictionary()


def kmod_config(host: Host, version: int | None = None) -> KmodConfig:
    """The host's effective kmod configuration (computed once per host and kmod version)."""
    per_host = _CACHE.setdefault(host, {})
    view = per_host.get(version)
    if view is None:
        view = per_host[version] = KmodConfig(host, version)
    return view
