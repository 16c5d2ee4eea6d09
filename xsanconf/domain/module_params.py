"""Kernel module names and parameters as kmod and the kernel read them.

kmod hands the kernel one string per module: every matching ``options`` line, joined.  The
kernel cuts it into ``name[=value]`` words (``next_arg`` in kernel/params.c), and each
parameter's type reads its value: ``bool`` parameters with ``param_set_bool``, ``int`` ones with
``kstrtoint``.  Those readers changed over the years, so a spelling that one kernel accepts can
make another refuse to load the module; the functions here say which.
"""

from __future__ import annotations

import enum
import functools
import re

import attrs

from xsanconf.domain.numerals import read_int

__all__ = [
    "KERNEL_SPACE",
    "BoolReading",
    "BoolSyntax",
    "IntReading",
    "ModuleParam",
    "ParamGiven",
    "ParamSpan",
    "format_param",
    "module_key",
    "module_name_error",
    "param_key",
    "parse_bool_param",
    "parse_int_param",
    "parse_params",
    "portable_bool",
    "split_params",
]

# The kernel's isspace(): where next_arg ends a word outside quotes.
KERNEL_SPACE = " \t\n\v\f\r"


def module_key(name: str) -> str:
    """The name kmod compares: ``-`` read as ``_`` except inside ``[...]`` (kmod ``underscores``).

    ``firewire-sbp2`` and ``firewire_sbp2`` are the same module.  A name with unbalanced brackets
    is returned unchanged; :func:`module_name_error` says why kmod rejects it.
    """
    if "-" not in name:
        return name
    if "[" not in name:
        return name.replace("-", "_")
    out = []
    bracket_end = -1
    for i, ch in enumerate(name):
        if i <= bracket_end:
            out.append(ch)
        elif ch == "[":
            close = name.find("]", i)
            if close < 0:
                return name
            bracket_end = close
            out.append(ch)
        else:
            out.append("_" if ch == "-" else ch)
    return "".join(out)


def module_name_error(name: str) -> str | None:
    """Why kmod rejects a module name or alias pattern (a ``]`` before any ``[``, or an unclosed
    ``[``), else ``None``.  kmod then ignores the whole line as a bad line."""
    if "[" not in name and "]" not in name:
        return None
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "]":
            return f"unbalanced ']' at character {i + 1}"
        if ch == "[":
            close = name.find("]", i)
            if close < 0:
                return f"unclosed '[' at character {i + 1}"
            i = close
        i += 1
    return None


def param_key(name: str) -> str:
    """The parameter name the kernel compares: ``-`` and ``_`` are equal (``parameq``)."""
    return name.replace("-", "_")


@attrs.frozen
class ModuleParam:
    """One ``name[=value]`` word as the kernel reads it: quotes removed, ``value`` ``None``
    when there is no ``=`` (a bare flag, which only ``bool`` parameters accept)."""

    name: str
    value: str | None = None

    @property
    def key(self) -> str:
        return param_key(self.name)

    def __str__(self) -> str:
        return format_param(self.name, self.value)


class ParamGiven:
    """What a record of a parameter given to a module reads through its ``param`` (a modprobe.d
    word, a kernel command-line word)."""

    __slots__ = ()
    param: ModuleParam

    @property
    def key(self) -> str:
        return self.param.key

    @property
    def value(self) -> str | None:
        return self.param.value


@attrs.frozen
class ParamSpan:
    """A parameter and where its text lies in the string it was read from (``[start, end)``)."""

    param: ModuleParam
    start: int
    end: int


# A word as next_arg scans it: a quote toggles quoting anywhere, and quoted blanks do not end
# it; an unclosed quote runs to the end of the string.
@functools.cache  # compiled on first use: many runs never need it
def _arg() -> re.Pattern[str]:
    return re.compile(r'(?:[^ \t\n\v\f\r"]++|"[^"]*+"?)++')


def _read_arg(word: str) -> ModuleParam:
    """The parameter in one word, following the kernel's ``next_arg``: a leading quote, a
    quote that opens the value and a quote that closes the word are dropped; quotes elsewhere
    stay.  The name ends at the first ``=`` after its first character."""
    if '"' not in word:
        equals = word.find("=", 1)
        return (
            ModuleParam(word, None)
            if equals < 0
            else ModuleParam(word[:equals], word[equals + 1 :])
        )
    quoted = word[0] == '"'
    body = word[1:] if quoted else word
    closes_with_quote = body[-1:] == '"'
    equals = body.find("=", 1)
    if equals < 0:
        return ModuleParam(body[:-1] if quoted and closes_with_quote else body, None)
    value = body[equals + 1 :]
    if value[:1] == '"':
        value = value[1:]
        if closes_with_quote and value:
            value = value[:-1]
    elif quoted and closes_with_quote:
        value = value[:-1]
    return ModuleParam(body[:equals], value)


def split_params(text: str) -> list[ParamSpan]:
    """Every word of a module's option string, with its span, as the kernel cuts them."""
    return [ParamSpan(_read_arg(m.group()), m.start(), m.end()) for m in _arg().finditer(text)]


_DASHES = ModuleParam("--")
# ASCII characters str.split() treats as blanks but the kernel does not
_STR_SPLIT_ONLY = re.compile(r"[\x1c-\x1f]")


def parse_params(text: str) -> list[ModuleParam]:
    """The parameters the kernel applies: words up to a bare ``--`` (what follows is ignored
    with the warning "parameters after `--' ignored")."""
    if '"' in text or not text.isascii() or _STR_SPLIT_ONLY.search(text):
        params = [_read_arg(word) for word in _arg().findall(text)]
    else:  # no quotes, and str.split() cuts at exactly the kernel's blanks
        params = []
        for word in text.split():
            equals = word.find("=", 1)
            params.append(
                ModuleParam(word) if equals < 0 else ModuleParam(word[:equals], word[equals + 1 :])
            )
    if "--" in text and _DASHES in params:
        del params[params.index(_DASHES) :]
    return params


def format_param(name: str, value: str | None) -> str:
    """``name=value`` as the kernel will read it back: quoted when the value holds spaces.

    Raises :class:`ValueError` for a value the kernel cannot receive (a quote together with a
    space, or a newline).
    """
    if value is None:
        return name
    if "\n" in value:
        raise ValueError("a module parameter value cannot contain a newline")
    if any(ch in KERNEL_SPACE for ch in value) or value.startswith('"'):
        if '"' in value:
            raise ValueError(
                f"the kernel cannot read a value with both quotes and spaces: {value!r}"
            )
        return f'{name}="{value}"'
    return f"{name}={value}"


class BoolSyntax(enum.IntEnum):
    """Which spellings a kernel's ``bool`` parameters accept; later kernels accept more."""

    #: Linux 2.6 to 4.5: ``param_set_bool`` looks at the first character only: ``yY1`` / ``nN0``.
    FIRST_CHAR = 1
    #: Linux 4.6: ``kstrtobool`` adds ``on`` / ``off`` (the first two characters).
    ON_OFF = 2
    #: Linux 5.19 (commit 0d6ea3ac94ca): also ``tT`` / ``fF`` (``true``, ``false``).
    TRUE_FALSE = 3


@attrs.frozen
class BoolReading:
    """What a ``bool`` parameter becomes: ``value`` is ``None`` when the kernel rejects it (the
    module then fails to load with "invalid parameter"); ``reason`` says why, either way."""

    value: bool | None
    reason: str


@attrs.frozen
class IntReading:
    """What an ``int`` parameter becomes (``None``: rejected, the module fails to load)."""

    value: int | None
    reason: str


_FIRST_CHAR = {"y": True, "Y": True, "1": True, "n": False, "N": False, "0": False}
_TRUE_FALSE = {"t": True, "T": True, "f": False, "F": False}


def parse_bool_param(value: str | None, syntax: BoolSyntax = BoolSyntax.TRUE_FALSE) -> BoolReading:
    """How a kernel with ``syntax`` reads ``value`` for a ``bool`` parameter."""
    if value is None:
        return BoolReading(True, "a bool parameter given without '=value' is set to true")
    if value == "":
        return BoolReading(None, "an empty value is rejected (-EINVAL)")
    first = value[0]
    if first in _FIRST_CHAR:
        return _first_char_reading(value, _FIRST_CHAR[first])
    if first in "oO" and syntax >= BoolSyntax.ON_OFF:
        second = value[1:2]
        if second in ("n", "N"):
            return BoolReading(True, "'on' is read as true (Linux 4.6 and later)")
        if second in ("f", "F"):
            return BoolReading(False, "'off' is read as false (Linux 4.6 and later)")
    if first in _TRUE_FALSE and syntax >= BoolSyntax.TRUE_FALSE:
        truth = _TRUE_FALSE[first]
        return BoolReading(
            truth, f"'{first}' is read as {str(truth).lower()} (Linux 5.19 and later)"
        )
    return BoolReading(None, f"{value!r} is not a boolean to this kernel (-EINVAL)")


def _first_char_reading(value: str, truth: bool) -> BoolReading:
    word = str(truth).lower()
    if len(value) == 1:
        return BoolReading(truth, f"{value!r} is read as {word}")
    return BoolReading(truth, f"only the first character is read: {value!r} is {word}")


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def parse_int_param(value: str | None) -> IntReading:
    """How ``kstrtoint(value, 0)`` reads an ``int`` parameter: sign, then ``0x`` hex, leading
    ``0`` octal or decimal, one trailing newline allowed, nothing else."""
    if value is None:
        return IntReading(None, "an int parameter needs '=value' (-EINVAL)")
    text = value[:-1] if value.endswith("\n") else value
    sign = 1
    if text[:1] == "-":
        sign, text = -1, text[1:]
    elif text[:1] == "+":
        text = text[1:]
    base = 10
    if text[:2].lower() == "0x" and text[2:3].lower() in _DIGITS[:16] and text[2:3]:
        base, text = 16, text[2:]
    elif text[:1] == "0" and len(text) > 1:
        base, text = 8, text[1:]
    if not text or any(ch.lower() not in _DIGITS[:base] for ch in text):
        return IntReading(None, f"{value!r} is not a base-{base} number (-EINVAL)")
    magnitude = read_int(text, base)  # None: too many digits for any int
    number = sign * magnitude if magnitude is not None else None
    if number is None or not _INT_MIN <= number <= _INT_MAX:
        return IntReading(None, f"{value!r} does not fit in an int (-ERANGE)")
    return IntReading(number, f"{value!r} is read as {number}")


def portable_bool(value: str | None) -> bool | None:
    """The truth of ``value`` if every kernel reads it the same, whether the parameter is a
    ``bool`` (any generation) or an older ``int`` flag; else ``None``.

    ``exclusive_login=0`` is portable; ``=N`` breaks ``int`` parameters and ``=off`` breaks
    kernels before 4.6.
    """
    readings = {parse_bool_param(value, syntax).value for syntax in BoolSyntax}
    number = parse_int_param(value).value
    readings.add(None if number is None else number != 0)
    if len(readings) == 1:
        (only,) = readings
        return only
    return None
