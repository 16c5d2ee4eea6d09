"""Module parameters read from a kernel command line as the kernel and kmod cut it."""

from __future__ import annotations

from xsanconf.domain.kernel_cmdline import module_args
from xsanconf.domain.module_params import ModuleParam


def words(text: str) -> list[tuple[str, str, str | None]]:
    return [(a.module_key, a.param.key, a.param.value) for a in module_args(text)]


def test_module_param_words_and_nothing_else() -> None:
    line = "BOOT_IMAGE=/vmlinuz-2.6.32 root=/dev/sda1 ro quiet sbp2.exclusive_login=0 panic=5"
    assert words(line) == [("sbp2", "exclusive_login", "0")]


def test_dashes_and_underscores_are_equal_in_module_and_parameter_names() -> None:
    (arg,) = module_args("firewire-sbp2.exclusive-login=0")
    assert (arg.module_key, arg.param.key, arg.param.name) == (
        "firewire_sbp2",
        "exclusive_login",
        "exclusive-login",
    )
    assert str(arg) == "firewire-sbp2.exclusive-login=0"


def test_a_bare_flag_has_no_value() -> None:
    assert words("sbp2.exclusive_login ro") == [("sbp2", "exclusive_login", None)]


def test_quotes_protect_blanks_and_are_dropped_around_the_value() -> None:
    assert words('dm_mod.dm_mq_nr_hw_queues="4" mod.p="a b c" next') == [
        ("dm_mod", "dm_mq_nr_hw_queues", "4"),
        ("mod", "p", "a b c"),
    ]


def test_a_word_quoted_whole_as_grub_writes_it() -> None:
    """grub quotes an argument holding blanks: "parport.dyndbg=file x.c +p"."""
    (arg,) = module_args('"parport.dyndbg=file drivers/parport/x.c +p" ro')
    assert (arg.module, arg.param) == (
        "parport",
        ModuleParam("dyndbg", "file drivers/parport/x.c +p"),
    )


def test_an_unclosed_quote_runs_to_the_end() -> None:
    assert words('mod.p="a b sbp2.exclusive_login=1') == [
        ("mod", "p", "a b sbp2.exclusive_login=1")
    ]


def test_repeated_parameters_are_all_kept_in_order_so_the_last_wins() -> None:
    assert words("sbp2.exclusive_login=1 ro sbp2.exclusive-login=0") == [
        ("sbp2", "exclusive_login", "1"),
        ("sbp2", "exclusive_login", "0"),
    ]


def test_words_after_dashes_go_to_init_but_modprobe_still_reads_them() -> None:
    args = module_args("ro sbp2.serialize_io=1 -- single sbp2.exclusive_login=0")
    assert [(str(a), a.after_dashes) for a in args] == [
        ("sbp2.serialize_io=1", False),
        ("sbp2.exclusive_login=0", True),
    ]


def test_a_dash_dash_value_does_not_end_the_parameters() -> None:
    (arg,) = module_args("--=x sbp2.exclusive_login=0")
    assert not arg.after_dashes


def test_dots_elsewhere_do_not_make_a_module_parameter() -> None:
    """kmod ignores a name with a second dot; a dot in the value is part of the value."""
    assert words("a.b.c=1 .x=1 m.=1 ip=10.0.0.1 nfsroot=1.2.3.4:/x m.p=1.5") == [("m", "p", "1.5")]


def test_spans_point_at_the_word() -> None:
    line = "ro  sbp2.exclusive_login=0 quiet"
    (arg,) = module_args(line)
    assert line[arg.start : arg.end] == "sbp2.exclusive_login=0"


def test_a_quoted_blank_in_the_name_is_no_module_parameter() -> None:
    assert words('"m 2.q=1" m.p=1') == [("m", "p", "1")]


def test_modprobe_blacklist_names_are_kept_as_written() -> None:
    """kmod splits the value at commas as written: quotes stay, '-' is not turned into '_'."""
    from xsanconf.domain.kernel_cmdline import blacklisted

    text = 'modprobe.blacklist=a,b-c modprobe.blacklist="d,e" modprobe.blacklist= x.y=1'
    found = [(b.module, b.matches_a_module) for b in blacklisted(text)]
    assert found == [
        ("a", True),
        ("b-c", False),
        ('"d', False),
        ('e"', False),
        ("", False),
    ]
    assert [str(a) for a in module_args(text)] == ["x.y=1"]
