"""``/proc/cmdline``: the words the kernel booted with, cut as the kernel cuts them
(:func:`xsanconf.domain.module_params.split_params`: ``"`` protects blanks)."""

from __future__ import annotations

import attrs

from xsanconf.domain.module_params import split_params

__all__ = ["BootWord", "KernelCmdline", "parse_cmdline"]


@attrs.frozen
class BootWord:
    name: str
    value: str | None
    start: int  # column, 0-based, in the first line
    end: int


@attrs.frozen
class KernelCmdline:
    text: str  # the first line, as the kernel holds one
    words: tuple[BootWord, ...]

    def get(self, name: str) -> str | None:
        """The last value of ``name`` (the kernel's ``__setup`` handlers see every one; for
        most the last wins); None when absent or given without a value."""
        found = [w for w in self.words if w.name == name]
        return found[-1].value if found else None


def parse_cmdline(text: str) -> KernelCmdline:
    line = text.split("\n", 1)[0].rstrip("\r")
    words = tuple(
        BootWord(span.param.name, span.param.value, span.start, span.end)
        for span in split_params(line)
    )
    return KernelCmdline(line, words)
