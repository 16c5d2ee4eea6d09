"""The multipath codec: reading as multipathd reads, edits, bad input, corpus, native oracles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings

import xsanconf
from tests.corpus import CORPUS as CORPUS_ROOT
from tests.corpus import corpus_files, read
from xsanconf.formats.multipath import INVALID, MultipathConfig, MultipathEntry
from xsanconf.formats.multipath.lexer import tokenize
from xsanconf.testing.multipath import MultipathSample, multipath_configs


def load(text: str) -> xsanconf.Document:
    return xsanconf.loads(textwrap.dedent(text), "multipath")


def model(text: str) -> MultipathConfig:
    config = load(text).model
    assert isinstance(config, MultipathConfig)
    return config


# -- reading -------------------------------------------------------------------------------

SAMPLE = """\
# /etc/multipath.conf
defaults {
\tuser_friendly_names yes
\tpolling_interval    10   # seconds
\tfind_multipaths     yes
\tpath_grouping_policy group_by_prio
}
blacklist {
\tdevnode "^(ram|loop|fd)[0-9]*"
\twwid 3600508b4000156d70001200000000000
\tproperty "(SCSI_IDENT_|ID_WWN)"
\tdevice {
\t\tvendor "DGC"
\t\tproduct "LUNZ"
\t}
}
blacklist_exceptions {
\twwid "3600a0b80000b8c5d00000000"
}
devices {
\tdevice {
\t\tvendor "COMPELNT"
\t\tproduct "Compellent Vol"
\t\tno_path_retry queue
\t}
}
overrides {
\tno_path_retry fail
\tprotocol {
\t\ttype "scsi:iscsi"
\t\tfast_io_fail_tmo off
\t}
}
multipaths {
\tmultipath {
\t\twwid 3600508b4000156d700012000000b0000
\t\talias yellow
\t}
}
"""


def test_sections_read_into_typed_views() -> None:
    config = model(SAMPLE)
    assert config.defaults.user_friendly_names is True
    assert config.defaults.polling_interval == 10
    assert config.defaults.find_multipaths == "on"  # the pre-0.7.7 `yes`
    assert config.defaults.path_grouping_policy == "group_by_prio"
    assert config.blacklist.devnodes == ["^(ram|loop|fd)[0-9]*"]
    assert config.blacklist.wwids == ["3600508b4000156d70001200000000000"]
    assert config.blacklist.properties == ["(SCSI_IDENT_|ID_WWN)"]
    assert [(d.vendor, d.product) for d in config.blacklist.devices] == [("DGC", "LUNZ")]
    assert config.blacklist_exceptions.wwids == ["3600a0b80000b8c5d00000000"]
    [device] = config.devices
    assert (device.vendor, device.product, device.typed("no_path_retry")) == (
        "COMPELNT",
        "Compellent Vol",
        "queue",
    )
    assert config.overrides.value("no_path_retry") == "fail"
    [protocol] = config.overrides.protocols
    assert (protocol.type, protocol.typed("fast_io_fail_tmo")) == ("scsi:iscsi", "off")
    [entry] = config.multipaths
    assert isinstance(entry, MultipathEntry)
    assert (entry.wwid, entry.alias) == ("3600508b4000156d700012000000b0000", "yellow")
    assert config.unknown == []
    assert config.ignored_lines == []


def test_positions_point_at_lines() -> None:
    doc = load(SAMPLE)
    config = doc.model
    assert doc.position(config.defaults.option("polling_interval").token) == (4, 2)
    assert config.multipaths[0].position == (35, 2)
    assert config.blacklist.devices[0].position == (12, 2)


def test_duplicate_defaults_merge_and_the_last_value_wins() -> None:
    config = model(
        """\
        defaults {
            polling_interval 5
            user_friendly_names no
            polling_interval 7
        }
        defaults {
            user_friendly_names yes
        }
        """
    )
    assert len(config.defaults.sections) == 2
    assert config.defaults.polling_interval == 7
    assert config.defaults.user_friendly_names is True
    assert [o.value for o in config.defaults.duplicates] == ["5", "no"]


def test_blacklist_sections_accumulate() -> None:
    config = model('blacklist {\n devnode "^sda"\n}\nblacklist {\n devnode "^sdb"\n}\n')
    assert config.blacklist.devnodes == ["^sda", "^sdb"]


def test_same_wwid_entries_merge_later_settings_winning() -> None:
    config = model(
        """\
        multipaths {
            multipath {
                wwid 36001
                alias first
                rr_weight priorities
            }
            multipath {
                wwid 36001
                alias second
            }
            multipath {
                alias orphan
            }
        }
        """
    )
    assert len(config.multipath("36001")) == 2
    merged = config.merged_multipaths()
    assert list(merged) == ["36001"]
    assert {k: o.value for k, o in merged["36001"].items()} == {
        "wwid": "36001",
        "alias": "second",
        "rr_weight": "priorities",
    }


@pytest.mark.parametrize(
    ("line", "value", "ignored"),
    [
        ("alias foo", "foo", []),
        ("alias foo#comment", "foo", []),
        ("alias foo!comment", "foo", []),
        ('alias "a # b ! c"', "a # b ! c", []),
        ('alias "say ""hi"""', 'say "hi"', []),
        ('alias ""', "", []),
        ('alias "  lead"', "  lead", []),
        ('alias "x"y', "x", ["y"]),
        ('alias x"y"', "x", ['"y"']),
        ("alias a b c", "a", ["b", "c"]),
        ("alias 'a b'", "'a", ["b'"]),
        ("alias a\u00a0b", "a", ["b"]),  # non-ASCII is a blank to multipathd
        ('alias "caf\u00e9"', "caf\u00e9", []),  # but kept inside quotes
        ("alias a\\b", "a\\b", []),  # no backslash escapes
        ("alias x}", "x", ["}"]),
    ],
)
def test_values_are_read_as_alloc_strvec_splits_them(
    line: str, value: str, ignored: list[str]
) -> None:
    [entry] = model(f"multipaths {{\n multipath {{\n  wwid 1\n  {line}\n }}\n}}\n").multipaths
    option = entry.option("alias")
    assert option is not None
    assert (option.value, option.ignored) == (value, ignored)


def test_unquoted_bang_starts_a_comment() -> None:
    config = model("blacklist {\n devnode ^cciss!c[0-9]d[0-9]*\n}\n")
    assert config.blacklist.devnodes == ["^cciss"]


@pytest.mark.parametrize(
    ("keyword", "value", "typed"),
    [
        ("user_friendly_names", "yes", True),
        ("user_friendly_names", "0", False),
        ("user_friendly_names", "Yes", INVALID),  # strcmp: case matters
        ("find_multipaths", "no", "off"),
        ("find_multipaths", "1", "on"),
        ("find_multipaths", "greedy", "greedy"),
        ("find_multipaths", "maybe", INVALID),
        ("polling_interval", "10", 10),
        ("polling_interval", "abc", INVALID),
        ("polling_interval", "-1", INVALID),
        ("path_grouping_policy", "multibus", "multibus"),
        ("path_grouping_policy", "failover_x", "failover"),  # strncmp
        ("path_grouping_policy", "round-robin", INVALID),
        ("failback", "immediate", "immediate"),
        ("failback", "30", 30),
        ("failback", "inmediate", INVALID),
        ("no_path_retry", "0", "fail"),
        ("no_path_retry", "queue", "queue"),
        ("no_path_retry", "12", 12),
        ("flush_on_last_del", "yes", "always"),
        ("dev_loss_tmo", "infinity", "infinity"),
        # sscanf("%u") into an unsigned int: C wraps what does not fit (multipath -t agrees)
        ("dev_loss_tmo", "600", 600),
        ("dev_loss_tmo", "+5", 5),
        ("dev_loss_tmo", "30s", 30),
        ("dev_loss_tmo", "99999999999", 1215752191),
        ("dev_loss_tmo", "4294967296", None),  # wraps to 0: DEV_LOSS_TMO_UNSET
        ("dev_loss_tmo", "4294967295", "infinity"),  # MAX_DEV_LOSS_TMO
        ("dev_loss_tmo", "-1", "infinity"),
        ("dev_loss_tmo", "99999999999999999999999", "infinity"),  # strtoul: ULONG_MAX
        ("dev_loss_tmo", "0", None),
        ("dev_loss_tmo", "x", INVALID),
        ("max_fds", "max", "max"),
        ("rr_weight", "priorities", "priorities"),
        ("path_selector", "round-robin 0", "round-robin 0"),
        ("path_selector", "round-robin", INVALID),  # set_arg_str: the count is missing
        ("features", "1 queue_if_no_path", "1 queue_if_no_path"),
        ("features", "2 queue_if_no_path", INVALID),  # the count is wrong
        ("failback", "0", None),  # FAILBACK_UNDEF: as if unset
        ("alias_prefix", "mp/x", INVALID),  # set_str_noslash
    ],
)
def test_typed_values_follow_the_dict_c_handlers(keyword: str, value: str, typed: object) -> None:
    config = model(f'defaults {{\n {keyword} "{value}"\n}}\n')
    option = config.defaults.option(keyword)
    assert option is not None
    assert (option.typed, option.valid) == (typed, typed is not INVALID)
    assert config.defaults.typed(keyword) == (None if typed is INVALID else typed)


def test_a_refused_value_leaves_the_previous_one() -> None:
    config = model("defaults {\n polling_interval 5\n polling_interval 5s\n}\n")
    assert config.defaults.value("polling_interval") == "5s"  # the line a rule reports
    assert config.defaults.typed("polling_interval") == 5  # the value multipathd uses


def test_unknown_keywords_are_kept_with_their_section() -> None:
    config = model(
        """\
        defaults {
            udev_dir /dev
            Polling_interval 5
        }
        multipaths {
            multipath {
                wwid 1
                path_checker tur
            }
        }
        devnode_blacklist {
            devnode "*"
        }
        """
    )
    found = [(o.keyword, o.section.keyword) for o in config.unknown]
    assert found == [
        ("udev_dir", "defaults"),
        ("Polling_interval", "defaults"),
        ("path_checker", "multipath"),
        ("devnode_blacklist", ""),
        ("devnode", ""),
    ]


def test_an_unknown_section_is_not_entered_and_its_brace_closes_the_parent() -> None:
    # multipathd reads the misspelt section's lines as defaults options, and its `}` closes
    # `defaults`: `user_friendly_names` then sits at the top level, where it is unknown.
    config = model(
        """\
        defaults {
            blacklist_exception {
                polling_interval 3
            }
            user_friendly_names yes
        }
        """
    )
    assert config.defaults.polling_interval == 3
    assert config.defaults.option("polling_interval").misplaced  # type: ignore[union-attr]
    assert [(o.keyword, o.section.keyword) for o in config.unknown] == [
        ("blacklist_exception", "defaults"),
        ("user_friendly_names", ""),
    ]
    assert config.defaults.user_friendly_names is None
    assert [config.doc.position(t) for t in config.stray_closers] == [(6, 1)]


def test_brace_on_the_next_line() -> None:
    config = model(
        """\
        multipaths {
            multipath
            {
                wwid 1
            }
        }
        overrides
        {
            no_path_retry fail
        }
        """
    )
    [entry] = config.multipaths
    assert entry.brace_on_next_line
    assert entry.wwid == "1"
    # `overrides` alone has no value: multipathd drops the line, so it never opens the section
    assert not config.overrides
    assert [(o.keyword, o.section.keyword) for o in config.unknown] == [("no_path_retry", "")]
    reasons = [(config.doc.position(i.token)[0], i.reason) for i in config.ignored_lines]
    assert reasons == [
        (3, "a line starting with '{' is skipped"),
        (7, "missing value for option 'overrides'"),
        (8, "a line starting with '{' is skipped"),
    ]
    assert [config.doc.position(t) for t in config.stray_closers] == [(10, 1)]


def test_words_after_a_section_brace_are_ignored() -> None:
    doc = xsanconf.loads(
        'blacklist { devnode "^sda" }\n}\n', "multipath"
    )  # one-line sections do not work
    config = doc.model
    [section] = config.blacklist.sections
    assert section.head_ignored == ["devnode", '"^sda"', "}"]
    assert config.blacklist.devnodes == []


def test_words_after_a_closing_brace_are_ignored() -> None:
    config = model("defaults {\n{\n polling_interval 5\n} extra # note\n")
    [defaults] = config.defaults.sections
    assert defaults.close_ignored == ["extra"]
    assert config.defaults.polling_interval == 5
    assert not defaults.brace_on_next_line  # the stray `{` line follows a complete head
    assert [i.reason for i in config.ignored_lines] == ["a line starting with '{' is skipped"]


def test_a_closing_brace_after_a_value_does_not_close() -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        load("multipaths {\n multipath {\n  wwid 1 }\n}\n")
    assert (caught.value.line, caught.value.column) == (5, 1)
    assert "'multipaths' section opened at line 1, column 1" in caught.value.message
    doc = xsanconf.loads("multipaths {\n multipath {\n  wwid 1 }\n}\n", "multipath", recover=True)
    [entry] = doc.model.multipaths
    assert entry.option("wwid").ignored == ["}"]  # type: ignore[union-attr]
    assert entry.closed  # by the `}` meant for `multipaths`
    assert not doc.model.sections[0].closed  # `multipaths` is left open


def test_a_quoted_keyword_is_never_a_keyword() -> None:
    config = model('"defaults" {\n}\n')
    assert not config.defaults
    assert [o.keyword for o in config.unknown] == ['"defaults"']


def test_text_after_a_lone_carriage_return_is_not_read() -> None:
    config = model("defaults {\n polling_interval 5\r user_friendly_names yes\n}\n")
    assert config.defaults.polling_interval == 5
    assert config.defaults.option("user_friendly_names") is None


LONG_LINES = (
    "defaults {\n"
    + "#"
    + "x" * 1022
    + "polling_interval 9\n"  # the comment fills the first 1023-byte read
    + "#"
    + "y" * 1021
    + "max_fds 77\n"  # the read ends after the `m`
    + "}\n"
)


def test_a_line_longer_than_1023_bytes_goes_on_as_a_new_line() -> None:
    config = model(LONG_LINES)
    assert config.defaults.polling_interval == 9
    assert [(o.keyword, o.value) for o in config.unknown] == [("ax_fds", "77")]
    assert config.defaults.option("max_fds") is None


def test_tokens_are_one_per_line() -> None:
    lexed = tokenize("defaults {  # c\n\tpolling_interval 5 ! x\n}\r\n")
    assert [(t.type, str(t)) for t in lexed.tokens] == [
        ("HEAD", "defaults {"),
        ("STMT", "polling_interval 5"),
        ("RBRACE", "}"),
    ]
    assert lexed.gaps == ["", "  # c\n\t", " ! x\n", "\r\n"]


def test_sniff() -> None:
    codec = xsanconf.formats.codec("multipath")
    assert codec.sniff("# x\ndefaults {\n}\n")
    assert codec.sniff("blacklist{\n}\n")
    assert not codec.sniff("resource r0 {\n}\n")


# -- edits ---------------------------------------------------------------------------------

ALIGNED = """\
defaults {
        polling_interval        5
        path_selector           "round-robin 0"
        user_friendly_names     yes
}

blacklist {
\tdevnode "^sda$"
}

multipaths {
\tmultipath {
\t\twwid\t3600a
\t\talias\tdata1
\t}

\tmultipath {
\t\twwid\t3600b
\t\talias\tdata2
\t}
}
"""


def test_set_changes_only_the_value_token() -> None:
    doc = load(ALIGNED)
    doc.model.defaults.set("polling_interval", "10")
    doc.model.defaults.set("path_selector", "service-time 0")
    doc.model.multipaths[0].set("alias", "db")
    assert doc.render() == ALIGNED.replace("interval        5", "interval        10").replace(
        '"round-robin 0"', '"service-time 0"'
    ).replace("alias\tdata1", "alias\tdb")


def test_set_quotes_what_needs_quotes_and_keeps_quotes() -> None:
    doc = load('defaults {\n uid_attribute "ID_SERIAL"\n prio const\n}\n')
    doc.model.defaults.set("uid_attribute", "ID_WWN")
    doc.model.defaults.set("prio", 'weighted "path"')
    assert doc.render() == 'defaults {\n uid_attribute "ID_WWN"\n prio "weighted ""path"""\n}\n'


def test_add_option_copies_indentation_and_column_alignment() -> None:
    doc = load(ALIGNED)
    doc.model.defaults.set("max_fds", "max")
    doc.model.blacklist.add("devnode", "^sdb$")
    expected = ALIGNED.replace(
        "        user_friendly_names     yes\n",
        "        user_friendly_names     yes\n        max_fds                 max\n",
    ).replace('\tdevnode "^sda$"\n', '\tdevnode "^sda$"\n\tdevnode "^sdb$"\n')
    assert doc.render() == expected


def test_add_multipath_in_the_style_of_its_siblings() -> None:
    doc = load(ALIGNED)
    doc.model.add_multipath("3600c", "data3", no_path_retry="queue")
    expected = ALIGNED.replace(
        "\t\talias\tdata2\n\t}\n}\n",
        "\t\talias\tdata2\n\t}\n\tmultipath {\n\t\twwid\t3600c\n\t\talias\tdata3\n"
        "\t\tno_path_retry\tqueue\n\t}\n}\n",
    )
    assert doc.render() == expected


def test_add_multipath_creates_the_section_with_the_file_newline() -> None:
    doc = load("defaults {\r\n  user_friendly_names yes\r\n}\r\n")
    doc.model.add_multipath("3600d", "x")
    assert doc.render() == (
        "defaults {\r\n  user_friendly_names yes\r\n}\r\n"
        "multipaths {\r\n  multipath {\r\n    wwid 3600d\r\n    alias x\r\n  }\r\n}\r\n"
    )


def test_set_in_missing_defaults_adds_the_section() -> None:
    doc = load("blacklist {\n\twwid .*\n}")  # no final newline
    doc.model.defaults.set("find_multipaths", "strict")
    assert doc.render() == "blacklist {\n\twwid .*\n}\ndefaults {\n\tfind_multipaths strict\n}\n"


def test_remove_a_multipath_entry_takes_only_its_lines() -> None:
    doc = load(ALIGNED)
    doc.model.multipaths[0].remove()
    assert doc.render() == ALIGNED.replace(
        "\tmultipath {\n\t\twwid\t3600a\n\t\talias\tdata1\n\t}\n", ""
    )
    assert [e.wwid for e in doc.model.multipaths] == ["3600b"]


def test_remove_an_entry_whose_brace_is_on_the_next_line() -> None:
    text = "multipaths {\n multipath\n {\n  wwid 1\n }\n # keep\n multipath {\n  wwid 2\n }\n}\n"
    doc = load(text)
    doc.model.multipaths[0].remove()
    assert doc.render() == "multipaths {\n # keep\n multipath {\n  wwid 2\n }\n}\n"


def test_remove_and_unset_options() -> None:
    doc = load(ALIGNED)
    doc.model.defaults.option("path_selector").remove()  # type: ignore[union-attr]
    assert doc.model.defaults.unset("user_friendly_names") == 1
    assert doc.render() == ALIGNED.replace(
        '        path_selector           "round-robin 0"\n', ""
    ).replace("        user_friendly_names     yes\n", "")


def test_remove_an_unknown_section_takes_its_block() -> None:
    doc = load("defaults {\n foo {\n  polling_interval 3\n }\n}\n")
    [unknown] = [o for o in doc.model.unknown if o.keyword == "foo"]
    unknown.remove()
    assert doc.render() == "defaults {\n}\n"
    assert doc.model.unknown == [] and doc.model.stray_closers == []


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('defaults {\n\talias "abc\n}\n', 2, 8, "missing closing quote"),
        ('blacklist {\n devnode "^sd""\n}\n', 2, 10, "missing closing quote"),
        ("defaults {\n\tpolling_interval 5\n", 3, 1, "'defaults' section opened at line 1"),
        ("defaults {\n}\n}\n", 3, 1, "unexpected '}': no section is open here"),
        ("}\n", 1, 1, "unexpected '}'"),
        ("{\n", 1, 1, "unexpected '{': an opening brace belongs on the line"),
        (
            "multipaths {\n multipath {\n  wwid 1\n }\n",
            5,
            1,
            "'multipaths' section opened at line 1, column 1",
        ),
        ("a\x00b\n", 1, 2, "binary data"),
        ("x {\n" * 101 + "}\n" * 101, 101, 1, "sections nested deeper than 100 levels"),
    ],
)
def test_bad_input_is_reported_with_line_and_column(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(xsanconf.ParseError) as caught:
        xsanconf.loads(text, "multipath")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in caught.value.message
    recovered = xsanconf.loads(text, "multipath", recover=True)
    assert recovered.render() == text
    assert recovered.problems


def test_recovery_keeps_the_model_of_an_unclosed_quote() -> None:
    doc = xsanconf.loads('defaults {\n\talias "abc  \n}\n', "multipath", recover=True)
    option = doc.model.defaults.option("alias")
    assert option is not None and option.unclosed_quote
    assert option.value == "abc  "  # multipathd reads to the end of the line


# -- data ----------------------------------------------------------------------------------


def test_directives_and_build() -> None:
    doc = load(SAMPLE)
    data = xsanconf.to_data(doc)
    first = data["directives"][0]
    assert first["name"] == "defaults" and first["line"] == 2
    assert first["block"][1] == {"name": "polling_interval", "args": ["10"], "line": 4}
    rebuilt = xsanconf.from_data(data)
    assert rebuilt.model.multipaths[0].alias == "yellow"
    assert rebuilt.model.overrides.protocols[0].type == "scsi:iscsi"

    def without_lines(items: list[dict[str, object]]) -> list[dict[str, object]]:
        return [
            {**d, "line": None, "block": without_lines(d["block"]) if "block" in d else None}  # type: ignore[arg-type]
            for d in items
        ]

    assert without_lines(xsanconf.to_data(rebuilt)["directives"]) == without_lines(
        data["directives"]
    )


# -- properties ----------------------------------------------------------------------------


@given(multipath_configs())
def test_generated_files_round_trip_and_read_back(sample: MultipathSample) -> None:
    doc = xsanconf.loads(sample.text, "multipath")
    assert doc.render() == sample.text
    config = doc.model
    assert {k: o.value for k, o in config.defaults.options.items()} == sample.defaults
    assert [(e.wwid, e.alias) for e in config.multipaths] == sample.multipaths
    assert [(e.kind, e.pattern) for e in config.blacklist.entries] == sample.blacklist
    assert config.unknown == []


@given(multipath_configs())
def test_long_line_reading_agrees_with_the_fast_path(sample: MultipathSample) -> None:
    # A comment line over 255 characters sends the tokenizer down its per-line path (the one
    # that splits lines at 1023 bytes as fgets does); both must see the same tokens.
    fast = tokenize(sample.text)
    slow = tokenize(sample.text + "\n#" + "x" * 300)
    assert [(t.type, str(t), t.start_pos) for t in slow.tokens] == [
        (t.type, str(t), t.start_pos) for t in fast.tokens
    ]
    assert slow.gaps[:-1] == fast.gaps[:-1]


@given(multipath_configs())
def test_edits_on_generated_files_touch_only_their_lines(sample: MultipathSample) -> None:
    doc = xsanconf.loads(sample.text, "multipath")
    before = sample.text.splitlines()
    entries = [e for e in doc.model.multipaths if e.alias is not None]
    if not entries:
        return
    entries[-1].set("alias", "renamed")
    after = doc.render().splitlines()
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) <= 1
    reread = xsanconf.loads(doc.render(), "multipath").model
    assert [e.alias for e in reread.multipaths if e.alias is not None][-1] == "renamed"


# -- corpus --------------------------------------------------------------------------------

CORPUS = corpus_files("multipath")


@pytest.mark.parametrize("file", CORPUS)
def test_corpus_file_model(file: Path) -> None:
    config = xsanconf.loads(read(file), "multipath", path=str(file)).model
    for section in config.walk():
        for option in section.options:
            assert option.keyword
            assert option.section is section
    for entry in config.multipaths:
        assert entry.wwid, f"{file.name}: multipath entry without wwid"
    for device in config.devices:
        assert device.vendor is not None and device.product is not None
    # the only unknown keyword in the corpus is the retired `prio_callout` (gone in 0.4.9)
    assert {o.keyword for o in config.unknown} <= {"prio_callout"}


def test_corpus_quirks_are_visible() -> None:
    folder = CORPUS_ROOT / "multipath"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    braces = xsanconf.load(folder / "005__Hexers__CD__multipath.conf", "multipath").model
    assert all(e.brace_on_next_line for e in braces.multipaths)
    assert len(braces.multipaths) == 28
    typo = xsanconf.load(folder / "006__JacobMulero__multipath__multipath.conf", "multipath")
    failback = [d.option("failback") for d in typo.model.devices]
    assert [f.typed for f in failback if f is not None] == [
        "immediate",
        30,
        INVALID,  # "inmediate"
    ]


# -- native oracles ------------------------------------------------------------------------
#
# `multipath -t` reads only /etc/multipath.conf (and conf.d): each file is put there in a
# private mount namespace over an overlay of /etc, so the machine's /etc is never touched.
# Its dump is itself multipath.conf syntax, so xsanconf reads it and the two models are
# compared on what the corpus file sets (the dump adds every built-in default and the
# built-in hardware table).

_RUN_IN_NAMESPACE = r"""
set -e
mount --make-rprivate /
scratch=$(mktemp -d)
mount -t tmpfs none "$scratch"
mkdir "$scratch/upper" "$scratch/work"
mount -t overlay overlay \
    -o lowerdir=/etc,upperdir="$scratch/upper",workdir="$scratch/work" /etc
mkdir -p /etc/multipath/conf.d
rm -f /etc/multipath/conf.d/*
cat > /etc/multipath.conf
exec multipath -t
"""


def _multipath_t_skip_reason() -> str | None:
    if shutil.which("multipath") is None:
        return "multipath-tools is not installed (multipath -t)"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    if os.geteuid() != 0:
        return "multipath -t in a private mount namespace needs root"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", _RUN_IN_NAMESPACE],
        input="defaults {\n\tpolling_interval 7\n}\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0 or "polling_interval 7" not in probe.stdout:
        return f"mount namespaces or overlayfs not allowed here: {probe.stderr.strip()[:200]}"
    return None


Dump = Callable[[str], "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="module")
def multipath_t() -> Dump:
    reason = _multipath_t_skip_reason()
    if reason is not None:
        pytest.skip(reason)

    def dump(text: str) -> subprocess.CompletedProcess[str]:
        data = text.encode("utf-8", "surrogateescape")
        result = subprocess.run(
            ["unshare", "-m", "sh", "-c", _RUN_IN_NAMESPACE],
            input=data,
            capture_output=True,
            check=False,
        )
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode("utf-8", "surrogateescape"),
            result.stderr.decode("utf-8", "surrogateescape"),
        )

    return dump


# Where multipath-tools 0.9.4 (Debian 12) and the model disagree on a corpus file, and why:
# {(file name prefix, start of the difference): reason}.  Empty: every corpus file agrees.
# By design the comparison leaves out what the dump cannot show: unknown keywords (not
# printed), deprecated ones (ignored: the dump shows the built-in value or nothing), and
# invalid values (multipathd keeps the previous value, e.g. 006's `failback inmediate`).
# The keyword table is multipath-tools 0.14's, so an option added after 0.9.4 would show up
# here as "not printed"; none is in the corpus.
MULTIPATH_T_DISAGREEMENTS: dict[tuple[str, str], str] = {}

# Values the model reads as current multipath-tools does, which the oracle (0.9.4) refuses.
NEWER_VALUES = {
    # 0.10 made flush_on_last_del an enum; 0.9.4 knows yes/no only ("invalid value")
    "flush_on_last_del": ("always", "never", "unused"),
}


@pytest.mark.parametrize("file", CORPUS)
def test_multipath_t_reads_what_xsanconf_reads(file: Path, multipath_t: Dump) -> None:
    text = read(file)
    result = multipath_t(text)
    if result.returncode != 0:
        pytest.skip(f"multipath -t rejects {file.name}: {result.stderr.strip()[:200]}")
    mine = xsanconf.loads(text, "multipath").model
    theirs = xsanconf.loads(result.stdout, "multipath").model
    problems = []
    for keyword, option in mine.defaults.options.items():
        if not option.known or option.deprecated or not option.valid:
            continue
        printed = theirs.defaults.option(keyword)
        if printed is None:
            problems.append(f"defaults {keyword}: not printed")
        elif printed.typed != option.typed:
            problems.append(f"defaults {keyword}: {option.typed!r} != {printed.typed!r}")
    merged = {
        w: {k: o.typed for k, o in opts.items() if o.valid and not o.deprecated}
        for w, opts in mine.merged_multipaths().items()
    }
    printed_mp = {
        w: {k: o.typed for k, o in opts.items()} for w, opts in theirs.merged_multipaths().items()
    }
    if merged.keys() != printed_mp.keys():
        problems.append(f"multipaths wwids {sorted(merged)} != {sorted(printed_mp)}")
    for wwid, options in merged.items():
        for keyword, value in options.items():
            got = printed_mp.get(wwid, {}).get(keyword)
            if got != value:
                problems.append(f"multipath {wwid} {keyword}: {value!r} != {got!r}")
    for name in ("blacklist", "blacklist_exceptions"):
        printed_entries = {(e.kind, e.pattern) for e in getattr(theirs, name).entries}
        printed_devices = {(d.vendor, d.product) for d in getattr(theirs, name).devices}
        for entry in getattr(mine, name).entries:
            if (entry.kind, entry.pattern) not in printed_entries:
                problems.append(f"{name} {entry.kind} {entry.pattern!r}: not printed")
        for device in getattr(mine, name).devices:
            if (device.vendor, device.product) not in printed_devices:
                problems.append(f"{name} device {device.vendor!r} {device.product!r}")
    printed_hw = {(d.vendor, d.product): d for d in theirs.devices}  # user entries come last
    for device in mine.devices:
        printed_device = printed_hw.get((device.vendor, device.product))
        if printed_device is None:
            problems.append(f"device {device.vendor!r}/{device.product!r}: not printed")
            continue
        for option in device.options:
            if not option.known or option.deprecated or not option.valid:
                continue
            got = printed_device.typed(option.keyword)
            if got != option.typed:
                problems.append(
                    f"device {device.vendor} {option.keyword}: {option.typed!r} != {got!r}"
                )
    expected = {
        what: why
        for (prefix, what), why in MULTIPATH_T_DISAGREEMENTS.items()
        if file.name.startswith(prefix)
    }
    assert [p for p in problems if not any(p.startswith(w) for w in expected)] == []


def _edge_sample(keyword: str, value: str) -> MultipathSample:
    text = f'defaults {{\n\t{keyword} "{value}"\n}}\n'
    return MultipathSample(text, {keyword: value})


# A differential test against a native tool runs the same examples on every run (derandomize):
# a disagreement it finds is a fact about multipathd to record in the model, not a coin toss in
# CI.  Numbers multipathd stores in a C unsigned int were found so; they stay as examples.
@settings(
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sample=multipath_configs())
@example(sample=_edge_sample("dev_loss_tmo", "99999999999"))
@example(sample=_edge_sample("dev_loss_tmo", "-1"))
@example(sample=_edge_sample("dev_loss_tmo", "4294967296"))
def test_multipath_t_reads_generated_files_as_xsanconf_does(
    sample: MultipathSample, multipath_t: Dump
) -> None:
    result = multipath_t(sample.text)
    # A pattern that is not a valid POSIX ERE makes multipathd drop the whole file ("error
    # parsing config file"); the model does not judge regular expressions.
    assume("error parsing config file" not in result.stderr)
    mine = xsanconf.loads(sample.text, "multipath").model
    theirs = xsanconf.loads(result.stdout, "multipath").model
    for keyword, option in mine.defaults.options.items():
        value = mine.defaults.typed(keyword)
        if value is None:
            continue  # unset (`failback 0`) or refused: the dump shows the built-in value
        if option.value in NEWER_VALUES.get(keyword, ()):
            continue
        printed = theirs.defaults.typed(keyword)
        if keyword == "max_fds" and printed == "max":
            continue  # capped at the system's limit
        assert printed == value, keyword

    def typed(config: MultipathConfig) -> dict[str, dict[str, object]]:
        merged = config.merged_multipaths().items()
        return {w: {k: o.typed for k, o in opts.items() if o.valid} for w, opts in merged}

    assert typed(mine) == typed(theirs)
    printed_entries = {(e.kind, e.pattern) for e in theirs.blacklist.entries}
    assert {(e.kind, e.pattern) for e in mine.blacklist.entries} <= printed_entries


@pytest.mark.parametrize(
    ("text", "check"),
    [
        # an unknown section's lines belong to the enclosing section, its `}` closes that one
        (
            "defaults {\n foo {\n  polling_interval 3\n }\n user_friendly_names yes\n}\n",
            lambda t: "\tpolling_interval 3\n" in t and 'user_friendly_names "no"' in t,
        ),
        # `multipath` with `{` on the next line still opens the entry
        (
            "multipaths {\n multipath\n {\n  wwid 3600x\n  alias a1\n }\n}\n",
            lambda t: 'alias "a1"' in t or "alias a1" in t,
        ),
        # `overrides` alone is dropped ("missing value"), so its options land at the top level
        (
            "overrides\n{\n no_path_retry fail\n}\n",
            lambda t: "overrides {\n}\n" in t and "no_path_retry" not in t.split("overrides")[1],
        ),
        # text after a lone CR is not read
        ("defaults {\n polling_interval 6\r polling_interval 8\n}\n", lambda t: "interval 6" in t),
        # fgets reads at most 1023 bytes: the rest of a long line is a line of its own
        (LONG_LINES, lambda t: "\tpolling_interval 9\n" in t and 'max_fds "max"' in t),
        # `""` inside quotes is a literal quote
        (
            'multipaths {\n multipath {\n  wwid 1\n  alias "a""b"\n }\n}\n',
            lambda t: 'alias "a""b"' in t,
        ),
    ],
)
def test_multipath_t_confirms_the_parser_quirks(
    text: str, check: Callable[[str], bool], multipath_t: Dump
) -> None:
    result = multipath_t(text)
    assert check(result.stdout), result.stdout
    config = xsanconf.loads(text, "multipath", recover=True).model
    dumped = xsanconf.loads(result.stdout, "multipath").model
    assert config.defaults.polling_interval in (None, dumped.defaults.polling_interval)
    assert [(e.wwid, e.alias) for e in config.multipaths] == [
        (e.wwid, e.alias) for e in dumped.multipaths
    ]


# Augeas's `Multipath` lens (augeas 1.14), a second opinion on the syntax.  Where it accepts a
# corpus file, its tree must hold the same (section path, keyword, value) leaves as ours.  It
# refuses much that multipathd reads; every refusal is listed here with its cause (found by
# editing the file until the lens accepts it), and the test fails if the list goes stale.
AUGEAS_REJECTS = {
    "003__": "`defaults{`: the lens wants blanks between a section name and its brace",
    "005__": "`multipath` with its `{` on the next line",
    "006__": "a line holding only a tab inside `devices`",
    "007__": "`multipaths{`: no blank before the brace",
    "011__": "CRLF line ends",
    "013__": "CRLF line ends",
    "014__": "`wwid $wwid`: `$` is not in the lens's value pattern",
    "027__": "comments after values (`rr_min_io 1    # for kernels up to 2.6.31`)",
    "028__": "`disable_changed_wwids` and `max_sectors_kb`: keywords the lens does not list",
}

# Where the lens accepts a file but reads a value differently:
AUGEAS_DISAGREEMENTS: dict[str, list[tuple[str, str, str, str]]] = {
    # file name prefix: (leaf path, xsanconf's value, Augeas's value, why)
    "026__": [
        (
            "blacklist/devnode",
            "'*'",
            "*",
            "the lens strips single quotes (its `qstr` deletes ['\"]); multipathd only knows "
            "double quotes, so the pattern it compiles is '*' with the quotes",
        )
    ],
}


def _augeas_leaves(file: Path) -> tuple[list[tuple[str, str]], str | None]:
    result = subprocess.run(
        ["augtool", "--noautoload", "--root", "/", "--transform", f"Multipath incl {file}"],
        input=f"print /augeas/files{file}/error\nprint /files{file}\n",
        capture_output=True,
        text=True,
        check=False,
    )
    error = None
    leaves = []
    prefix = f"/files{file}/"
    for line in result.stdout.splitlines():
        if line.startswith("/augeas/") and " = " in line and error is None:
            error = line.split(" = ", 1)[1]
        if line.startswith("/augeas/") and "/message = " in line:
            error = line.split(" = ", 1)[1]
        if not line.startswith(prefix) or " = " not in line:
            continue
        path, value = line[len(prefix) :].split(" = ", 1)
        path = re.sub(r"\[\d+\]", "", path)
        if path.rsplit("/", 1)[-1].startswith("#"):
            continue
        leaves.append((path, re.sub(r"\\(.)", r"\1", value[1:-1])))  # augtool's escapes
    return leaves, error


def _xsanconf_leaves(config: MultipathConfig) -> list[tuple[str, str]]:
    leaves = []

    def visit(section: object, path: str) -> None:
        items = [(config.doc.position(o.token), o) for o in section.options]  # type: ignore[attr-defined]
        items += [(s.position, s) for s in section.sections]  # type: ignore[attr-defined]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            if hasattr(item, "token"):
                leaves.append((path + item.keyword, item.value or ""))
            else:
                visit(item, path + item.keyword + "/")

    visit(config.top, "")
    return leaves


@pytest.mark.skipif(shutil.which("augtool") is None, reason="augtool (augeas-tools) not installed")
@pytest.mark.parametrize("file", CORPUS)
def test_augeas_multipath_lens_agrees(file: Path) -> None:
    theirs, error = _augeas_leaves(file)
    rejected = [why for prefix, why in AUGEAS_REJECTS.items() if file.name.startswith(prefix)]
    if error is not None:
        assert rejected, f"the Multipath lens now rejects {file.name}: {error}"
        return  # a listed disagreement: multipathd and xsanconf read the file
    assert not rejected, f"the Multipath lens now accepts {file.name}: drop it from the list"
    mine = _xsanconf_leaves(xsanconf.load(file, "multipath").model)
    for prefix, known in AUGEAS_DISAGREEMENTS.items():
        if file.name.startswith(prefix):
            for path, ours, augeas, _why in known:
                assert (path, ours) in mine and (path, augeas) in theirs  # still true
                mine = [(p, augeas if (p, v) == (path, ours) else v) for p, v in mine]
    assert mine == theirs
