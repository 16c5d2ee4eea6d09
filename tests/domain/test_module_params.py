"""Module names and parameter values as kmod and the kernel read them."""

from __future__ import annotations

import pytest

from xsanconf.domain.module_params import (
    BoolSyntax,
    ModuleParam,
    format_param,
    module_key,
    module_name_error,
    parse_bool_param,
    parse_int_param,
    parse_params,
    portable_bool,
    split_params,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("firewire-sbp2", "firewire_sbp2"),
        ("firewire_sbp2", "firewire_sbp2"),
        ("sbp2", "sbp2"),
        ("pci:v0000[1-9]*", "pci:v0000[1-9]*"),
        ("a-b[c-d]e-f", "a_b[c-d]e_f"),
    ],
)
def test_module_key_folds_dashes_outside_brackets(name: str, key: str) -> None:
    assert module_key(name) == key


def test_module_name_error_reports_unbalanced_brackets() -> None:
    assert module_name_error("foo[0-9]") is None
    assert module_name_error("foo[x") == "unclosed '[' at character 4"
    assert module_name_error("foo]") == "unbalanced ']' at character 4"


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("a=1 b=2", [ModuleParam("a", "1"), ModuleParam("b", "2")]),
        ("  flag\tx=y  ", [ModuleParam("flag"), ModuleParam("x", "y")]),
        ('opt="a b" c=d', [ModuleParam("opt", "a b"), ModuleParam("c", "d")]),
        ('"opt=a b" c', [ModuleParam("opt", "a b"), ModuleParam("c")]),
        ('"flag"', [ModuleParam("flag")]),
        ("x= y", [ModuleParam("x", ""), ModuleParam("y")]),
        ('x=a"b c"', [ModuleParam("x", 'a"b c"')]),
        ("a=1 # note", [ModuleParam("a", "1"), ModuleParam("#"), ModuleParam("note")]),
        ("a=1 -- b=2", [ModuleParam("a", "1")]),
        ("a=1\r", [ModuleParam("a", "1")]),
        ("=a=b", [ModuleParam("=a", "b")]),
        ('"" x', [ModuleParam(""), ModuleParam("x")]),
        ('a="b', [ModuleParam("a", "b")]),
        ('a="b c', [ModuleParam("a", "b c")]),
    ],
)
def test_parse_params_follows_the_kernel_next_arg(text: str, params: list[ModuleParam]) -> None:
    assert parse_params(text) == params


def test_split_params_gives_spans_of_the_written_words() -> None:
    text = ' a=1  opt="x y" '
    assert [text[s.start : s.end] for s in split_params(text)] == ["a=1", 'opt="x y"']


def test_param_key_treats_dash_and_underscore_alike() -> None:
    assert ModuleParam("exclusive-login", "0").key == "exclusive_login"


def test_format_param_quotes_values_with_spaces() -> None:
    assert format_param("a", "1") == "a=1"
    assert format_param("a", None) == "a"
    assert format_param("a", "x y") == 'a="x y"'
    with pytest.raises(ValueError, match="quotes and spaces"):
        format_param("a", 'x "y"')


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", False),
        ("1", True),
        ("N", False),
        ("n", False),
        ("Y", True),
        ("y", True),
        ("no", False),
        ("yes", True),
        ("nope", False),
        (None, True),
        ("on", True),
        ("off", False),
        ("true", True),
        ("false", False),
        ("F", False),
        ("", None),
        ("2", None),
        ("enable", None),
        ("o", None),
    ],
)
def test_parse_bool_param_on_current_kernels(value: str | None, expected: bool | None) -> None:
    assert parse_bool_param(value).value is expected


@pytest.mark.parametrize(
    ("value", "syntax", "expected"),
    [
        ("off", BoolSyntax.FIRST_CHAR, None),
        ("off", BoolSyntax.ON_OFF, False),
        ("false", BoolSyntax.ON_OFF, None),
        ("false", BoolSyntax.TRUE_FALSE, False),
        ("N", BoolSyntax.FIRST_CHAR, False),
    ],
)
def test_parse_bool_param_by_kernel_generation(
    value: str, syntax: BoolSyntax, expected: bool | None
) -> None:
    assert parse_bool_param(value, syntax).value is expected


def test_parse_bool_param_says_why() -> None:
    assert parse_bool_param("no").reason == "only the first character is read: 'no' is false"
    assert parse_bool_param(None).reason.startswith("a bool parameter given without")
    empty = parse_bool_param("", BoolSyntax.FIRST_CHAR)
    assert empty.reason == "an empty value is rejected (-EINVAL)"
    assert "Linux 4.6" in parse_bool_param("on").reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("1", 1),
        ("-5", -5),
        ("+7", 7),
        ("0x1f", 31),
        ("010", 8),
        ("00", 0),
        ("0x0", 0),
        ("12\n", 12),
        ("N", None),
        ("no", None),
        ("", None),
        (None, None),
        ("0x", None),
        ("08", None),
        ("1 ", None),
        ("2147483648", None),
        ("-2147483648", -(2**31)),
    ],
)
def test_parse_int_param_follows_kstrtoint(value: str | None, expected: int | None) -> None:
    assert parse_int_param(value).value == expected


def test_portable_bool_accepts_only_spellings_every_kernel_reads_alike() -> None:
    assert portable_bool("0") is False
    assert portable_bool("1") is True
    assert portable_bool("N") is None  # an int parameter rejects it
    assert portable_bool("off") is None  # kernels before 4.6 reject it
    assert portable_bool(None) is None  # an int parameter needs a value
    assert portable_bool("01") is None  # bool: false (first char), int: octal 1
