"""MOD001-MOD004: kernel module configuration as kmod and the boot scripts really read it.

Every rule works on :mod:`xsanconf.lint.kmod`'s effective view of a host: the modprobe.d files
kmod reads (``*.conf``, by name across its directories, the higher directory hiding a file of
the same name), the options they give and the module lists read at boot.  Fixes edit a copy of
the file through the codec's model and hand out the changed lines (see ``_drbd_fixes``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from xsanconf.document import Document
from xsanconf.domain.module_params import ModuleParam, parse_bool_param, parse_int_param
from xsanconf.formats.modprobe.model import ModprobeConfig, ModprobeInclude, ModprobeOptions
from xsanconf.formats.modules import ModulesConfig, ModulesEntry
from xsanconf.lint.diagnostics import (
    Diagnostic,
    FileRename,
    Fix,
    Location,
    Severity,
    TextEdit,
)
from xsanconf.lint.kmod import (
    ConfigFile,
    KmodConfig,
    ListReader,
    ParamSetting,
    Skip,
    kmod_config,
)
from xsanconf.lint.rule import RuleContext, rule
from xsanconf.lint.twin_edits import twin_edits, twin_fix

if TYPE_CHECKING:
    from xsanconf.lint.site import Host, Site, SiteFile

__all__: list[str] = []

# The old ieee1394 driver and the new firewire one both call the parameter exclusive_login.
SBP2_MODULES = ("sbp2", "firewire_sbp2")
EXCLUSIVE_LOGIN = "exclusive_login"
_NEEDS = ("modprobe", "modules")


def _view(host: Host, ctx: RuleContext) -> KmodConfig:
    version = ctx.host_versions(host).version("kmod") or ctx.versions.get("kmod", "")
    major = version.split(".")[0]
    return kmod_config(host, int(major) if major.isdigit() else None)


def _hosts(site: Site) -> Iterator[Host]:
    """Hosts with module configuration whose every file parses: with one that does not, what
    kmod passes to a module, and whether it loads it, is unknown."""
    for host in site.hosts:
        if any(f.kind in _NEEDS for f in host.files) and all(host.known(k) for k in _NEEDS):
            yield host


# MOD001


def _is_exclusive(value: str | None) -> bool:
    """Whether ``exclusive_login`` given as ``value`` logs in exclusively on some kernel: a bare
    flag, ``1``/``Y``/``y`` (bool, every generation), a non-zero number (the older int one)."""
    if parse_bool_param(value).value is True:
        return True
    number = parse_int_param(value).value
    return number is not None and number != 0


@rule("MOD001", "exclusive-login-on", Severity.ERROR, scope="host", needs=_NEEDS, fix="unsafe")
def exclusive_login_on(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A host using shared FireWire storage keeps sbp2's exclusive login on."""
    for host in _hosts(site):
        view = _view(host, ctx)
        for module in SBP2_MODULES:
            if not view.mentions(module) or view.never_loads(module) is not None:
                continue
            found = _exclusive_login(view, module, ctx)
            if found is not None:
                yield found


def _exclusive_login(view: KmodConfig, module: str, ctx: RuleContext) -> Diagnostic | None:
    winner = view.effective(module, EXCLUSIVE_LOGIN)
    if winner is not None and not _is_exclusive(winner.value):
        return _exclusive_at_boot(view, module, winner, ctx)
    harm = (
        f"{module} logs in to the FireWire disk exclusively, so the other hosts sharing it "
        "cannot log in"
    )
    related: list[Location] = []
    if winner is not None:
        message = f"{harm}: {winner.param} is the last value kmod passes; set {EXCLUSIVE_LOGIN}=0"
        return ctx.diagnostic(message, winner.location(), fix=_set_value_fix(winner))
    message = (
        f"{harm}: {EXCLUSIVE_LOGIN} is on by default and no modprobe.d file kmod reads sets it"
    )
    unread = view.unread_settings(module, EXCLUSIVE_LOGIN)
    on_lists = view.list_settings(module, EXCLUSIVE_LOGIN)
    for setting, why in unread:
        related.append(setting.location(f"not read by kmod: {why}"))
    for setting in on_lists:
        related.append(setting.location(_list_caveat(setting)))
    location = related.pop(0) if related else _first_mention(view, module)
    if unread:
        message += f"; {unread[0][0].param} in {unread[0][0].place} is never read ({unread[0][1]})"
    elif on_lists:
        message += f"; {_list_caveat(on_lists[0])}"
    return ctx.diagnostic(message, location, related, fix=_add_value_fix(view, module))


def _exclusive_at_boot(
    view: KmodConfig, module: str, winner: ParamSetting, ctx: RuleContext
) -> Diagnostic | None:
    """modprobe.d turns exclusive login off, but a boot list passes it on again after that."""
    at_boot = view.list_settings(module, EXCLUSIVE_LOGIN)
    if not at_boot or not _is_exclusive(at_boot[-1].value):
        return None
    last = at_boot[-1]
    message = (
        f"{last.file.path} passes {last.param} to {module} when the module is loaded at boot, "
        f"after {winner.param} from {winner.place}, and the last value wins: the other hosts "
        "sharing the FireWire disk cannot log in"
    )
    return ctx.diagnostic(message, last.location(), [winner.location("overridden at boot")])


def _list_caveat(setting: ParamSetting) -> str:
    return (
        f"'{setting.line.token.text}' in {setting.file.path} reaches the module only when a "
        "boot script runs modprobe with the line; systemd-modules-load fails on it, and udev "
        "loads the module with the modprobe.d options alone"
    )


def _first_mention(view: KmodConfig, module: str) -> Location:
    """A modprobe.d line kmod reads for the module (where the value belongs), else the line
    that loads it."""
    mentions = view.mentions(module)
    read = [m for m in mentions if m.read]
    best = [m for m in read if m.file.kind == "modprobe"] or read or mentions
    return best[0].file.location(best[0].token)


def _set_value_fix(winner: ParamSetting) -> Fix | None:
    line = winner.line
    if not isinstance(line, ModprobeOptions):
        return None
    return _modprobe_fix(
        winner.file,
        f"set {EXCLUSIVE_LOGIN}=0 in {winner.file.path}",
        lambda twin: _twin_line(twin, winner.file, line).set_param(winner.param.name, "0"),
    )


def _add_value_fix(view: KmodConfig, module: str) -> Fix | None:
    """Turn it off where kmod will read it: on the module's last options line, else by renaming
    an ignored file that already turns it off, else in a .conf file named after the module."""
    lines = [
        (file, line) for file in view.read_documents() for line in _model(file).options(module)
    ]
    if lines:
        file, last = lines[-1]
        return _modprobe_fix(
            file,
            f"add {EXCLUSIVE_LOGIN}=0 to the {module} options in {file.path}",
            lambda twin: _twin_line(twin, file, last).set_param(EXCLUSIVE_LOGIN, "0"),
        )
    for setting, _ in view.unread_settings(module, EXCLUSIVE_LOGIN):
        entry = _config_file(view, setting.file)
        if entry is not None and not _is_exclusive(setting.value):
            fix = _rename_fix(view, entry)
            if fix is not None:
                return fix
    for file in view.read_documents():
        stem = posixpath.basename(file.rel).removesuffix(".conf").replace("-", "_")
        if file.rel.startswith("etc/modprobe.d/") and stem == module:
            return _modprobe_fix(
                file,
                f"add 'options {module} {EXCLUSIVE_LOGIN}=0' to {file.path}",
                lambda twin: ModprobeConfig(twin).add_options(
                    module, ModuleParam(EXCLUSIVE_LOGIN, "0")
                ),
            )
    return None


# MOD002


@rule("MOD002", "conflicting-module-options", Severity.WARNING, scope="host", needs=_NEEDS)
def conflicting_module_options(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """One module parameter is set to different values in several places."""
    for host in _hosts(site):
        view = _view(host, ctx)
        for module in view.modules():
            for key, settings in _by_param(view.settings(module)).items():
                yield from _conflicts(settings, ctx)
                yield from _boot_conflicts(view, module, key, settings[-1], ctx)
        yield from _list_only_conflicts(view, ctx)


def _by_param(settings: list[ParamSetting]) -> dict[str, list[ParamSetting]]:
    groups: dict[str, list[ParamSetting]] = {}
    for setting in settings:
        groups.setdefault(setting.key, []).append(setting)
    return groups


def _conflicts(settings: list[ParamSetting], ctx: RuleContext) -> Iterator[Diagnostic]:
    winner = settings[-1]
    for setting in settings[:-1]:
        if setting.value == winner.value:
            continue
        where = "later on the same line" if setting.line is winner.line else f"in {winner.place}"
        message = (
            f"{setting.module}: {setting.param} is overridden by {winner.param} {where}; kmod "
            "passes every options line of a module (files in name order) and the kernel keeps "
            "the last value"
        )
        yield ctx.diagnostic(message, setting.location(), [winner.location("this value wins")])


def _boot_conflicts(
    view: KmodConfig, module: str, key: str, winner: ParamSetting, ctx: RuleContext
) -> Iterator[Diagnostic]:
    for setting in view.list_settings(module, key):
        if setting.value == winner.value:
            continue
        message = (
            f"{setting.module}: {setting.file.path} passes {setting.param} at boot while kmod "
            f"reads {winner.param} from {winner.place}; loaded by a boot script the value on "
            "this line wins (it comes last), loaded any other way (udev, systemd-modules-load, "
            "modprobe) the modprobe.d value does"
        )
        yield ctx.diagnostic(message, setting.location(), [winner.location("modprobe.d value")])


def _list_only_conflicts(view: KmodConfig, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Different values on the boot lists of a module that modprobe.d does not configure."""
    seen: dict[tuple[str, str], list[ParamSetting]] = {}
    for mlist in view.lists:
        if not mlist.passes_params:
            continue
        for entry in mlist.entries:
            for param in entry.params:
                if not view.settings(entry.module_key, param.key):
                    setting = ParamSetting(entry.module_key, param, mlist.file, entry)
                    seen.setdefault((entry.module_key, param.key), []).append(setting)
    for settings in seen.values():
        yield from _conflicts(settings, ctx)


# MOD003


@rule(
    "MOD003",
    "ignored-modprobe-file",
    Severity.WARNING,
    scope="host",
    needs=("modprobe",),
    fix="unsafe",
)
def ignored_modprobe_file(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A modprobe.d file, or a directive in one, that kmod does not read."""
    for host in _hosts(site):
        view = _view(host, ctx)
        for entry in view.files:
            if entry.file is not None and entry.file.doc.parsed:
                found = _ignored_file(view, entry, ctx)
                if found is not None:
                    yield found
        for file in view.read_documents():
            for line in _model(file).includes:
                yield _include(file, line, ctx)


def _ignored_file(view: KmodConfig, entry: ConfigFile, ctx: RuleContext) -> Diagnostic | None:
    file = entry.file
    assert file is not None
    if entry.skip is Skip.NO_CONF_SUFFIX and _has_commands(file):
        message = (
            f"kmod ignores this file: it reads only *.conf files in /{entry.directory}/, so "
            "none of its lines take effect"
        )
        return ctx.diagnostic(message, file.location(), fix=_rename_fix(view, entry))
    if entry.skip is Skip.NOT_READ and _has_commands(file):
        message = (
            "kmod never reads /etc/modprobe.conf (module-init-tools did): move its lines to a "
            "file in /etc/modprobe.d/ whose name ends in .conf"
        )
        return ctx.diagnostic(message, file.location())
    shadow = entry.shadowed_by
    if entry.skip is Skip.SHADOWED and shadow is not None and not _same_content(entry, shadow):
        if shadow.empty:
            return None  # an empty file or a link to /dev/null masks the other on purpose
        message = (
            f"kmod does not read this file: {shadow.shown} has the same name in a directory of "
            "higher precedence and is read instead"
        )
        related = [] if shadow.file is None else [shadow.file.location(message="read instead")]
        return ctx.diagnostic(message, file.location(), related)
    return None


def _include(file: SiteFile, line: ModprobeInclude, ctx: RuleContext) -> Diagnostic:
    target = (line.kmod_line.split()[1:2] or ["the file"])[0]
    message = (
        f"kmod does not read '{line.command}' (a module-init-tools directive): {target} is not "
        "read; put its lines in a .conf file in /etc/modprobe.d/"
    )
    return ctx.diagnostic(message, file.location(line.token))


def _has_commands(file: SiteFile) -> bool:
    """A file with a line kmod would use if it read the file (a README has none)."""
    return any(line.used for line in _model(file).lines)


def _same_content(entry: ConfigFile, shadow: ConfigFile) -> bool:
    if entry.file is None or shadow.file is None:
        return False
    return entry.file.doc.render() == shadow.file.doc.render()


def _rename_fix(view: KmodConfig, entry: ConfigFile) -> Fix | None:
    """``NAME`` -> ``NAME.conf``, when no modprobe.d directory holds that name yet."""
    file = entry.file
    if file is None or entry.skip is not Skip.NO_CONF_SUFFIX:
        return None
    new_name = entry.name + ".conf"
    if new_name in view.names_taken():
        return None
    new_path = posixpath.join(posixpath.dirname(file.path), new_name)
    return Fix(
        f"rename {file.path} to {new_name} so that kmod reads it",
        safe=False,
        renames=(FileRename(file.path, new_path),),
    )


# MOD004


@rule(
    "MOD004",
    "params-in-modules-list",
    Severity.WARNING,
    scope="host",
    needs=("modules",),
    fix="unsafe",
)
def params_in_modules_list(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Module parameters on a line of /etc/modules or modules-load.d."""
    for host in _hosts(site):
        view = _view(host, ctx)
        for mlist in view.lists:
            if ListReader.SYSTEMD not in mlist.readers:
                continue
            for entry in mlist.entries:
                if entry.params_text:
                    yield ctx.diagnostic(
                        str(entry.problem),
                        mlist.file.location(entry.token),
                        fix=_move_params_fix(view, mlist.file, entry),
                    )


def _move_params_fix(view: KmodConfig, file: SiteFile, entry: ModulesEntry) -> Fix | None:
    """Drop the parameters from the line, after giving each to the module in the modprobe.d
    file that holds its last options line (when no later file overrides it there)."""
    module = entry.module_key
    options = [(f, line) for f in view.read_documents() for line in _model(f).options(module)]
    if not options:
        return None
    target, last_line = options[-1]
    missing = [p for p in entry.params if _kmod_value(view, module, p) != p.value]
    for param in missing:
        winner = view.effective(module, param.key)
        if winner is not None and winner.file is not target:
            return None  # a file read after the target would override the moved value
    if any(p.value is None or p.name.startswith("#") for p in missing):
        return None

    def move(twin: Document) -> None:
        line = _twin_line(twin, target, last_line)
        for param in missing:
            line.set_param(param.name, param.value)

    index = _index(file, entry)

    def edits() -> tuple[TextEdit, ...]:
        dropped = twin_edits(file, lambda twin: ModulesConfig(twin).entries[index].remove_params())
        return dropped + (twin_edits(target, move) if missing else ())

    moved = f" into {target.path}" if missing else f" ({target.path} already sets them)"
    description = f"move the parameters of {entry.module} from {file.path}{moved}"
    return Fix(description, False, later=edits)


def _kmod_value(view: KmodConfig, module: str, param: ModuleParam) -> str | None:
    winner = view.effective(module, param.key)
    return None if winner is None else winner.value


def _index(file: SiteFile, entry: ModulesEntry) -> int:
    tokens = [e.token for e in ModulesConfig(file.doc).entries]
    return next(i for i, token in enumerate(tokens) if token is entry.token)


# fixes through a copy of the document


def _model(file: SiteFile) -> ModprobeConfig:
    config: ModprobeConfig = file.doc.model
    return config


def _modprobe_fix(file: SiteFile, description: str, mutate: Callable[[Document], object]) -> Fix:
    return twin_fix(file, description, mutate, safe=False)


def _twin_line(twin: Document, file: SiteFile, line: ModprobeOptions) -> ModprobeOptions:
    """The line of the copy that stands where ``line`` stands in ``file``."""
    tokens = [other.token for other in ModprobeConfig(file.doc).lines]
    index = next(i for i, token in enumerate(tokens) if token is line.token)
    found = ModprobeConfig(twin).lines[index]
    assert isinstance(found, ModprobeOptions)
    return found


def _config_file(view: KmodConfig, file: SiteFile) -> ConfigFile | None:
    return next((entry for entry in view.files if entry.file is file), None)
