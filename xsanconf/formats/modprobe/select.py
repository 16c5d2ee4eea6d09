"""Selectors over modprobe.d files, for ``xsanconf get/set/unset``.

* ``options[MODULE].PARAM`` -- one module parameter (the last value the kernel gets);
* ``options[MODULE]`` -- the module's option strings (read or remove);
* ``blacklist`` -- the blacklisted modules: ``set blacklist MODULE`` adds one;
* ``blacklist[MODULE]`` -- one blacklist line (read or remove);
* ``alias[PATTERN]`` -- the module an alias resolves to;
* ``install[MODULE]``, ``remove[MODULE]``, ``softdep[MODULE]``, ``weakdep[MODULE]`` -- the rest
  of the line (a shell command, a dependency list).

Module names compare as kmod compares them (``-`` and ``_`` alike).  Only lines kmod uses are
read; a value is written with its backslashes doubled, as kmod reads them back.  In a CRLF file
kmod keeps each CR in its line (the linter says so); selectors read the lines without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.domain.module_params import module_key, module_name_error
from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.modprobe.model import (
    ModprobeAlias,
    ModprobeCommand,
    ModprobeConfig,
    ModprobeOptions,
)
from xsanconf.select import SelectorError

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value"]

_REST_COMMANDS = ("install", "remove", "softdep", "weakdep")
_COMMANDS = ("options", "blacklist", "alias", *_REST_COMMANDS)


class _Path:
    def __init__(self, selector: str) -> None:
        steps = steps_of(selector)
        first = steps[0]
        self.selector = selector
        self.command = first.name
        self.module = first.filter.strip() if first.filter is not None else None
        self.param: str | None = None
        if self.command not in _COMMANDS:
            raise self.error(f"start with one of {', '.join(_COMMANDS)}")
        if len(steps) == 2 and self.command == "options" and steps[1].filter is None:
            self.param = steps[1].name
        elif len(steps) != 1:
            raise self.error("only options[MODULE] has a further step, the parameter")
        if self.module == "" or (self.module is None and self.command != "blacklist"):
            raise self.error(f"name the module, {self.command}[MODULE]")

    def error(self, why: str) -> SelectorError:
        return SelectorError(
            f"selector {self.selector!r}: {why} (e.g. options[firewire_sbp2].exclusive_login)"
        )

    def lines(self, config: ModprobeConfig) -> list[ModprobeCommand]:
        """The used lines of the command for the module (an alias: for the pattern)."""
        found = [
            line
            for line in config.lines
            if isinstance(line, ModprobeCommand) and line.command == self.command and line.used
        ]
        if self.module is None:
            return found
        if self.command == "alias":
            return [line for line in found if _text(line.module) == self.module]
        key = module_key(self.module)
        return [line for line in found if _text(line.module_key) == key]


def _text(read: str) -> str:
    """What kmod read, without the CR it keeps from a CRLF line end (the linter flags that)."""
    return read.removesuffix("\r")


def get_value(doc: Document, selector: str) -> list[str]:
    path = _Path(selector)
    config = ModprobeConfig(doc)
    if path.param is not None:
        assert path.module is not None
        param = config.param(path.module, path.param)
        return [] if param is None else [_text(param.value or "")]
    lines = path.lines(config)
    if path.command == "blacklist":
        return [_text(line.module) for line in lines]
    if path.command == "alias":
        return [_text(line.target) for line in lines if isinstance(line, ModprobeAlias)]
    return [
        _text(line.options if isinstance(line, ModprobeOptions) else line.rest or "")
        for line in lines
    ]


def set_value(doc: Document, selector: str, value: str) -> None:
    path = _Path(selector)
    check_one_line(value)
    config = ModprobeConfig(doc)
    module = path.module
    if path.param is not None:
        assert module is not None
        config.set_param(module, path.param, value)
        return
    if path.command == "blacklist":
        if module is not None:
            raise path.error(f"to blacklist a module, set 'blacklist' to it: blacklist {module}")
        name = _module_name(value.strip())
        if module_key(name) not in [_text(line.module_key) for line in path.lines(config)]:
            config.add_blacklist(name)
        return
    if path.command == "options":
        raise path.error("set one parameter, options[MODULE].PARAM")
    assert module is not None
    lines = path.lines(config)
    if path.command == "alias":
        value = _module_name(value)
    if not lines:
        config.add_command(path.command, _module_name(module), value)
    elif isinstance(lines[-1], ModprobeAlias):
        lines[-1].set_target(value)
    else:
        lines[-1].set_rest(value)


def _module_name(name: str) -> str:
    error = "one word" if not name or any(c in " \t" for c in name) else module_name_error(name)
    if error is not None:
        raise ValueError(f"not a module name kmod accepts: {name!r} ({error})")
    return name


def unset_value(doc: Document, selector: str) -> int:
    path = _Path(selector)
    config = ModprobeConfig(doc)
    if path.param is not None:
        assert path.module is not None
        return config.remove_param(path.module, path.param)
    lines = path.lines(config)
    for line in lines:
        line.remove()
    return len(lines)
