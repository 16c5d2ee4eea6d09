"""Module parameters on the kernel command line (``sbp2.exclusive_login=0``).

The kernel cuts the command line into words as it cuts a module's option string (``next_arg``
in lib/cmdline.c, :func:`xsanconf.domain.module_params.split_params`: ``"`` protects blanks
and cannot be escaped, a leading quote and the quotes around a value are dropped); ``-`` and
``_`` are equal in module and parameter names (``parameq``); ``parse_args`` stops at a bare
``--`` and hands the rest to init.  A word ``module.param[=value]`` sets a parameter of a
built-in module at boot, and the kernel ignores it for a loadable one.  Loadable modules get
them from modprobe instead: kmod reads ``/proc/cmdline`` (``kmod_config_parse_kcmdline`` in
libkmod-config.c) and adds each ``module.param[=value]`` word to the module's options; it
scans the whole line (it knows no ``--``) and ignores a word whose name holds a second dot, a
quote after its start or a quoted blank.  A repeated parameter is passed twice and the last
value wins.

``modprobe.blacklist=a,b`` is no parameter: kmod (``kcmdline_parse_result``, unchanged since
kmod 9) adds each comma-separated name to its blacklist, as a ``blacklist`` line of modprobe.d
would, and every such word adds up.  Unlike a modprobe.d line, the name is kept as written:
kmod compares it with the module's name, whose ``-`` are ``_``, so ``firewire-sbp2`` (or a
name in quotes) blacklists nothing.  ``modprobe.blacklist`` without ``=`` is an option for a
module named ``modprobe``, as kmod reads it.
"""

from __future__ import annotations

import attrs

from xsanconf.domain.module_params import KERNEL_SPACE, ModuleParam, module_key, split_params

__all__ = ["CmdlineArg", "CmdlineBlacklist", "blacklisted", "module_args"]


@attrs.frozen
class CmdlineArg:
    """One ``module.param[=value]`` word and where it lies in the text (``[start, end)``)."""

    module: str  # as written ("firewire-sbp2")
    param: ModuleParam  # the part after the dot, quotes removed
    start: int
    end: int
    # after a bare ``--``: the kernel gives it to init (a built-in module never sees it), but
    # modprobe still reads it for a loadable module
    after_dashes: bool = False

    @property
    def module_key(self) -> str:
        return module_key(self.module)

    def __str__(self) -> str:
        return f"{self.module}.{self.param}"


@attrs.frozen
class CmdlineBlacklist:
    """One name of a ``modprobe.blacklist=`` word, as kmod keeps it, and where the word lies."""

    module: str  # as written: kmod compares it with the module's name unchanged
    start: int
    end: int

    @property
    def matches_a_module(self) -> bool:
        """Whether the name can equal a module's name as kmod holds it (``_``, never ``-``)."""
        return bool(self.module) and not any(c in self.module for c in '-"')

    @property
    def module_key(self) -> str:
        return module_key(self.module)


def _is_blacklist(arg: CmdlineArg) -> bool:
    return (
        arg.module == "modprobe" and arg.param.name == "blacklist" and arg.param.value is not None
    )


def blacklisted(text: str) -> list[CmdlineBlacklist]:
    """The names the ``modprobe.blacklist=`` words of a command line give kmod's blacklist."""
    found: list[CmdlineBlacklist] = []
    for arg in _args(text):
        if _is_blacklist(arg):
            # kmod splits the value as written, quotes included (only the kernel drops them)
            written = text[arg.start : arg.end].partition("=")[2]
            found += [CmdlineBlacklist(name, arg.start, arg.end) for name in written.split(",")]
    return found


def module_args(text: str) -> list[CmdlineArg]:
    """The ``module.param[=value]`` words of a kernel command line, in order (not the
    ``modprobe.blacklist=`` words: :func:`blacklisted`)."""
    return [arg for arg in _args(text) if not _is_blacklist(arg)]


def _args(text: str) -> list[CmdlineArg]:
    found: list[CmdlineArg] = []
    after_dashes = False
    for span in split_params(text):
        name = span.param.name
        if name == "--" and span.param.value is None:
            after_dashes = True
            continue
        module, dot, param = name.partition(".")
        if not dot or not module or not param or "." in param or '"' in name:
            continue
        if any(c in KERNEL_SPACE for c in name):  # a quoted blank: kmod takes one only in values
            continue
        found.append(
            CmdlineArg(
                module,
                ModuleParam(param, span.param.value),
                span.start,
                span.end,
                after_dashes,
            )
        )
    return found
