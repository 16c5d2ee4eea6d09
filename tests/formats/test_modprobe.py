"""The modprobe codec: kmod's reading of each line, edits that touch only their words, corpus."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xsanconf
from tests.corpus import corpus_files, corpus_kind, read
from xsanconf.domain.module_params import ModuleParam
from xsanconf.errors import ParseError
from xsanconf.formats.modprobe import (
    ModprobeAlias,
    ModprobeBadLine,
    ModprobeBlacklist,
    ModprobeComment,
    ModprobeConfig,
    ModprobeEmptyLine,
    ModprobeInclude,
    ModprobeInstall,
    ModprobeOptions,
    ModprobeRemove,
    ModprobeSoftdep,
    ModprobeWeakdep,
)
from xsanconf.testing.modprobe import modprobe_documents, modprobe_options_lines

SBP2 = """\
# /etc/modprobe.d/sbp2.conf
options sbp2 exclusive_login=0 serialize_io=1
options firewire-sbp2 exclusive_login=0 workarounds=0x1

alias ieee1394-unit-00609e-010483 sbp2
blacklist firewire-ohci
install sbp2 /sbin/modprobe --ignore-install sbp2 $CMDLINE_OPTS; /bin/true
remove sbp2 /sbin/modprobe -r --ignore-remove sbp2
softdep sbp2 pre: ohci1394 post: sd_mod sr_mod
weakdep sbp2 scsi_mod
"""


def load(text: str) -> xsanconf.Document:
    return xsanconf.loads(text, "modprobe")


def model(text: str) -> ModprobeConfig:
    return load(text).model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# reading


def test_reads_every_command() -> None:
    config = model(SBP2)
    kinds = [type(line) for line in config.lines]
    assert kinds == [
        ModprobeOptions,
        ModprobeOptions,
        ModprobeAlias,
        ModprobeBlacklist,
        ModprobeInstall,
        ModprobeRemove,
        ModprobeSoftdep,
        ModprobeWeakdep,
    ]
    assert all(line.used for line in config.lines)
    first, second = config.options()
    assert first.module == "sbp2"
    assert first.params == [ModuleParam("exclusive_login", "0"), ModuleParam("serialize_io", "1")]
    assert second.module == "firewire-sbp2" and second.module_key == "firewire_sbp2"
    (alias,) = config.aliases()
    assert (alias.pattern, alias.target) == ("ieee1394-unit-00609e-010483", "sbp2")
    assert alias.module_key == "ieee1394_unit_00609e_010483"
    assert config.blacklists()[0].module_key == "firewire_ohci"
    install = config.installs("sbp2")[0]
    assert install.shell_command == "/sbin/modprobe --ignore-install sbp2 $CMDLINE_OPTS; /bin/true"
    assert config.removes()[0].shell_command == "/sbin/modprobe -r --ignore-remove sbp2"
    softdep = config.softdeps()[0]
    assert (softdep.pre, softdep.post) == (["ohci1394"], ["sd_mod", "sr_mod"])
    assert config.weakdeps()[0].modules == ["scsi_mod"]
    assert config.modules() == [
        "sbp2",
        "firewire_sbp2",
        "ieee1394_unit_00609e_010483",
        "firewire_ohci",
    ]


def test_module_names_match_with_dash_and_underscore_equal() -> None:
    config = model(SBP2)
    assert [o.module for o in config.options("firewire_sbp2")] == ["firewire-sbp2"]
    assert config.param("firewire_sbp2", "exclusive-login") == ModuleParam("exclusive_login", "0")
    assert config.blacklists("firewire_ohci")


def test_options_lines_accumulate_and_the_last_value_wins() -> None:
    config = model("options md_mod start_ro=1 x\noptions md-mod start_ro=0\n")
    assert config.params("md_mod") == {
        "x": ModuleParam("x"),
        "start_ro": ModuleParam("start_ro", "0"),
    }


def test_quoted_values_keep_their_spaces() -> None:
    (line,) = model('options dyn dyndbg="file x.c +p"  other=1\n').options()
    assert line.params == [ModuleParam("dyndbg", "file x.c +p"), ModuleParam("other", "1")]


def test_a_trailing_comment_is_part_of_the_options() -> None:
    (line,) = model("options sbp2 exclusive_login=0  # no exclusive login\n").options()
    assert line.options == "exclusive_login=0  # no exclusive login"
    assert [p.name for p in line.params] == ["exclusive_login", "#", "no", "exclusive", "login"]


def test_tabs_split_words_and_become_spaces_in_options() -> None:
    (line,) = model("options\tzfs\tzfs_arc_max=1\tl2arc=2\n").options()
    assert line.module == "zfs"
    assert line.options == "zfs_arc_max=1 l2arc=2"


def test_backslash_newline_joins_lines_without_a_space() -> None:
    text = "remove iwlwifi \\\n(/sbin/lsmod | grep -o) \\\n&& /sbin/modprobe -r mac80211\n"
    (line,) = model(text).removes()
    assert line.shell_command == "(/sbin/lsmod | grep -o) && /sbin/modprobe -r mac80211"
    assert line.position == (1, 1)
    assert line.kmod_line_number == 3
    joined = model("opt\\\nions a\\\nb x=1\n").options()[0]
    assert (joined.module, joined.params) == ("ab", [ModuleParam("x", "1")])


def test_a_backslash_before_another_character_is_dropped() -> None:
    (line,) = model("options esc a\\b=1 c\\\\d=2\n").options()
    assert line.params == [ModuleParam("ab", "1"), ModuleParam("c\\d", "2")]


def test_only_a_first_column_hash_starts_a_comment() -> None:
    config = model("# a comment\n  # not one to kmod\n\t#nor this\noptions a b=1\n")
    bad = config.ignored
    assert [type(line) for line in bad] == [ModprobeBadLine, ModprobeBadLine]
    assert [line.command for line in bad if isinstance(line, ModprobeBadLine)] == ["#", "#nor"]
    assert [line.position for line in bad] == [(2, 3), (3, 2)]
    assert "first column" in (bad[0].problem or "")
    assert len(config.options()) == 1


def test_a_comment_ending_in_a_backslash_swallows_the_next_line() -> None:
    config = model("# see below \\\noptions zfs zfs_arc_max=1\noptions zfs l2arc=2\n")
    comment, options = config.lines
    assert isinstance(comment, ModprobeComment)
    assert comment.swallowed_lines == 1
    assert comment.problem == (
        "the comment ends with a backslash: kmod also ignores the next 1 line(s)"
    )
    assert config.params("zfs") == {"l2arc": ModuleParam("l2arc", "2")}
    assert options.position == (3, 1)


def test_a_backslash_inside_a_comment_does_not_continue_it() -> None:
    assert model("# C:\\path\\\\\noptions a b=1\n").lines[0].kmod_line == "options a b=1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Options sbp2 exclusive_login=0", "unknown command 'Options': kmod ignores the line"),
        ("options sbp2", "nothing follows 'options sbp2': kmod ignores the line"),
        ("options sbp2 ", "nothing follows 'options sbp2': kmod ignores the line"),
        ("options", "'options' needs a module name: kmod ignores the line"),
        ("install sbp2", "nothing follows 'install sbp2': kmod ignores the line"),
        ("softdep sbp2", "nothing follows 'softdep sbp2': kmod ignores the line"),
        ("alias only-pattern", "'alias' needs a pattern and a module name: kmod ignores the line"),
        ("blacklist", "'blacklist' needs a module name: kmod ignores the line"),
        (
            "blacklist foo[0-9",
            "bad module name 'foo[0-9' (unclosed '[' at character 4): kmod ignores the line",
        ),
        ("alias a] b", "bad name 'a]' (unbalanced ']' at character 2): kmod ignores the line"),
        ("include /etc/modprobe.d/more", "kmod no longer reads 'include' (deprecated, ignored)"),
        ("config binary_indexes yes", "kmod no longer reads 'config' (deprecated, ignored)"),
        ("U2FsdGVkX18TrSLuiOp", "unknown command 'U2FsdGVkX18TrSLuiOp': kmod ignores the line"),
    ],
)
def test_lines_kmod_ignores_say_why(text: str, problem: str) -> None:
    (line,) = model("# header\n" + text + "\n").lines
    assert line.problem == problem
    assert not line.used
    assert line.position == (2, 1)


def test_two_trailing_blanks_leave_kmod_an_option_string() -> None:
    (line,) = model("options sbp2  \n").lines
    assert isinstance(line, ModprobeOptions)
    assert line.used and line.options == " " and line.params == []


def test_extra_words_are_ignored_silently() -> None:
    alias, blacklist, softdep = model("alias a b c\nblacklist x y\nsoftdep m z pre: p\n").lines
    assert isinstance(alias, ModprobeAlias) and alias.ignored_words == "c"
    assert isinstance(blacklist, ModprobeBlacklist) and blacklist.ignored_words == "y"
    assert isinstance(softdep, ModprobeSoftdep) and softdep.ignored_words == ["z"]
    assert alias.used and blacklist.used and softdep.used


def test_include_and_config_are_kept_and_marked() -> None:
    config = model("include /etc/modprobe.d/x\nconfig binary_indexes no\n")
    assert [type(line) for line in config.includes] == [ModprobeInclude, ModprobeInclude]
    assert [line.module for line in config.includes] == ["/etc/modprobe.d/x", "binary_indexes"]


def test_crlf_lines_keep_the_carriage_return_for_kmod() -> None:
    config = model("blacklist floppy\r\noptions a b=1\r\n")
    blacklist, options = config.lines
    assert config.crlf
    assert blacklist.kmod_line == "blacklist floppy\r"
    assert isinstance(blacklist, ModprobeBlacklist) and blacklist.module == "floppy\r"
    assert isinstance(options, ModprobeOptions) and options.params == [ModuleParam("b", "1")]


def test_continuations_with_no_words_are_an_empty_line() -> None:
    (line,) = model("  \\\n\n").lines
    assert isinstance(line, ModprobeEmptyLine) and line.used


def test_positions_are_one_based_line_and_column() -> None:
    config = model("\n\n   options a b=1\n\tblacklist c\n")
    assert [line.position for line in config.lines] == [(3, 4), (4, 2)]


def test_a_nul_byte_is_a_parse_error_with_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        load("options a b=1\nblacklist x\x00y\n")
    assert (caught.value.line, caught.value.column) == (2, 12)


@given(st.text())
def test_any_text_parses_and_round_trips(text: str) -> None:
    text = text.replace("\x00", "")
    doc = load(text)
    assert xsanconf.dumps(doc) == text
    for line in doc.model.lines:
        _ = line.problem


@given(modprobe_documents())
def test_generated_documents_round_trip(text: str) -> None:
    doc = load(text)
    assert xsanconf.dumps(doc) == text
    xsanconf.to_data(doc)


@given(modprobe_options_lines(), st.sampled_from(["\n", "\r\n", ""]))
def test_generated_options_lines_read_as_written(
    drawn: tuple[str, str, list[ModuleParam]], end: str
) -> None:
    text, module, params = drawn
    (line,) = model("# x\n" + text + end).options()
    assert line.module == module
    assert line.params == params


# editing


def test_set_param_changes_only_that_word() -> None:
    doc = load(SBP2)
    doc.model.set_param("firewire_sbp2", "exclusive-login", "1")
    after = xsanconf.dumps(doc)
    assert changed_lines(SBP2, after) == [
        "-options firewire-sbp2 exclusive_login=0 workarounds=0x1\n",
        "+options firewire-sbp2 exclusive_login=1 workarounds=0x1\n",
    ]


def test_set_param_appends_to_the_modules_options_line() -> None:
    doc = load(SBP2)
    doc.model.set_param("sbp2", "max_speed", "2")
    assert changed_lines(SBP2, xsanconf.dumps(doc)) == [
        "-options sbp2 exclusive_login=0 serialize_io=1\n",
        "+options sbp2 exclusive_login=0 serialize_io=1 max_speed=2\n",
    ]


def test_set_param_adds_a_line_after_the_last_options_line() -> None:
    doc = load(SBP2)
    doc.model.set_param("zfs", "zfs_arc_max", "1073741824")
    assert changed_lines(SBP2, xsanconf.dumps(doc)) == ["+options zfs zfs_arc_max=1073741824\n"]
    assert xsanconf.dumps(doc).splitlines()[3] == "options zfs zfs_arc_max=1073741824"
    assert doc.model.param("zfs", "zfs_arc_max") == ModuleParam("zfs_arc_max", "1073741824")


def test_set_param_rewrites_the_last_occurrence() -> None:
    text = "options a x=1\noptions a y=2 x=3\n"
    doc = load(text)
    doc.model.set_param("a", "x", "4")
    assert xsanconf.dumps(doc) == "options a x=1\noptions a y=2 x=4\n"
    assert doc.model.param("a", "x") == ModuleParam("x", "4")


def test_set_param_quotes_and_escapes() -> None:
    doc = load("options dyn x=1\n")
    doc.model.set_param("dyn", "dyndbg", "file a\\b.c +p")
    assert xsanconf.dumps(doc) == 'options dyn x=1 dyndbg="file a\\\\b.c +p"\n'
    assert doc.model.param("dyn", "dyndbg") == ModuleParam("dyndbg", "file a\\b.c +p")


def test_set_param_goes_before_a_trailing_comment() -> None:
    doc = load("options sbp2 exclusive_login=0  # for two heads\n")
    doc.model.set_param("sbp2", "serialize_io", "1")
    assert xsanconf.dumps(doc) == "options sbp2 exclusive_login=0 serialize_io=1  # for two heads\n"


def test_set_param_keeps_crlf_and_continuations() -> None:
    text = "options a \\\n\tx=1\r\nblacklist b\r\n"
    doc = load(text)
    doc.model.set_param("a", "x", "2")
    doc.model.set_param("c", "y", "3")
    assert xsanconf.dumps(doc) == "options a \\\n\tx=2\r\noptions c y=3\r\nblacklist b\r\n"


def test_a_backslash_before_crlf_does_not_continue_the_line() -> None:
    # kmod reads the backslash as escaping the CR, and the newline then ends the line
    options, bad = model("options a \\\r\n\tx=1\r\n").lines
    assert isinstance(options, ModprobeOptions) and options.params == []
    assert options.options == "\r"
    assert isinstance(bad, ModprobeBadLine) and bad.command == "x=1\r"


def test_set_param_in_a_file_without_commands_or_final_newline() -> None:
    doc = load("# only a comment")
    doc.model.set_param("sbp2", "exclusive_login", "0")
    assert xsanconf.dumps(doc) == "# only a comment\noptions sbp2 exclusive_login=0\n"


def test_remove_param_takes_its_word_and_one_separator() -> None:
    doc = load(SBP2)
    assert doc.model.remove_param("sbp2", "serialize_io") == 1
    assert changed_lines(SBP2, xsanconf.dumps(doc)) == [
        "-options sbp2 exclusive_login=0 serialize_io=1\n",
        "+options sbp2 exclusive_login=0\n",
    ]
    doc.model.remove_param("sbp2", "exclusive_login")
    assert "options sbp2" not in xsanconf.dumps(doc)


def test_remove_param_of_the_first_word() -> None:
    doc = load("options a  x=1\ty=2\n")
    doc.model.remove_param("a", "x")
    assert xsanconf.dumps(doc) == "options a\ty=2\n"


def test_remove_line_takes_the_whole_line() -> None:
    doc = load(SBP2)
    doc.model.blacklists("firewire_ohci")[0].remove()
    assert changed_lines(SBP2, xsanconf.dumps(doc)) == ["-blacklist firewire-ohci\n"]


def test_add_blacklist_and_install() -> None:
    doc = load(SBP2)
    doc.model.add_blacklist("ohci1394")
    doc.model.add_install("firewire_sbp2", "/bin/false")
    after = xsanconf.dumps(doc)
    assert changed_lines(SBP2, after) == [
        "+blacklist ohci1394\n",
        "+install firewire_sbp2 /bin/false\n",
    ]
    assert [b.module for b in doc.model.blacklists()] == ["firewire-ohci", "ohci1394"]


# plain data


def test_directives_and_build_round_trip_meaning() -> None:
    doc = load(SBP2)
    data = xsanconf.to_data(doc)
    first = data["directives"][0]
    assert first == {
        "name": "options",
        "args": ["sbp2", "exclusive_login=0", "serialize_io=1"],
        "line": 2,
    }
    rebuilt = xsanconf.from_data(data)
    assert [(d.name, d.args) for d in rebuilt.codec.directives(rebuilt)] == [
        (d["name"], d["args"]) for d in data["directives"]
    ]


@given(modprobe_documents())
def test_data_rebuilds_to_the_same_directives(text: str) -> None:
    data = xsanconf.to_data(load(text))
    rebuilt = xsanconf.to_data(xsanconf.from_data(data))
    assert [(d["name"], d["args"]) for d in rebuilt["directives"]] == [
        (d["name"], d["args"]) for d in data["directives"]
    ]


def test_sniff_recognises_modprobe_text() -> None:
    from xsanconf.formats import modprobe

    assert modprobe.sniff(SBP2)
    assert modprobe.sniff("# x\nblacklist floppy\n")
    assert not modprobe.sniff("vfio\nvfio_pci\n")


# corpus


def modprobe_corpus() -> list[object]:
    """The modprobe.d files of the corpus folder (it also holds module lists)."""
    return [
        p
        for p in corpus_files("modprobe")
        if p.values[0] is None or corpus_kind(p.values[0]) == "modprobe"  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("file", modprobe_corpus())
def test_corpus_files_read_as_kmod_does(file: Path) -> None:
    text = read(file)
    config = model(text)
    for line in config.lines:
        assert line.kmod_line.replace("\r", "") in text.replace("\\\n", "").replace("\r", "")
        if isinstance(line, ModprobeOptions) and line.used:
            assert line.params, line
            assert all(p.name for p in line.params)
    if "U2FsdGVk" in text:  # encrypted with openssl: every line is a bad line to kmod
        assert config.lines and all(isinstance(line, ModprobeBadLine) for line in config.lines)
