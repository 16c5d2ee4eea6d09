"""MPATH002-MPATH005 and MPATH007 on small sites: what fires, what must not, fixes, regexes."""

from __future__ import annotations

import ctypes
import random
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint.sites import apply, messages, write_site
from xsanconf.lint.diagnostics import Diagnostic, Severity
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.rules import _posix_ere as ere
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
WWID = "3600508b4000156d700012000000b0000"
IET = "1494554000000000031343934353534303366313630633030"


def entry(wwid: str = WWID, alias: str | None = "data", extra: str = "") -> str:
    alias_line = f"\t\talias {alias}\n" if alias else ""
    return f"\tmultipath {{\n\t\twwid {wwid}\n{alias_line}{extra}\t}}\n"


def conf(*parts: str, entries: str = "") -> str:
    """A multipath.conf: top-level sections, then a ``multipaths`` section with ``entries``."""
    body = "".join(parts)
    return body + (f"multipaths {{\n{entries}}}\n" if entries else "")


def run(
    tmp_path: Path,
    code: str,
    hosts: Mapping[str, Mapping[str, str]] | str,
    version: str | None = None,
) -> list[Diagnostic]:
    """Lint a site with one rule; a plain text is xen1's /etc/multipath.conf."""
    if isinstance(hosts, str):
        hosts = {"xen1": {"etc/multipath.conf": hosts}}
    write_site(tmp_path / "site", hosts)
    versions = {"multipath": version} if version else {}
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,), versions=versions))
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


# MPATH002 -----------------------------------------------------------------------------------


def test_a_configured_wwid_blacklisted_by_a_match_all_pattern(tmp_path: Path) -> None:
    text = conf('blacklist {\n\twwid ".*"\n}\n', entries=entry())
    [found] = run(tmp_path, "MPATH002", text)
    assert WWID in found.message and "blacklist_exceptions" in found.message
    assert (found.location.line, found.location.column) == (6, 3)
    assert found.related[0].line == 2


def test_an_exception_for_the_wwid_rescues_it(tmp_path: Path) -> None:
    text = conf(
        'blacklist {\n\twwid ".*"\n}\n',
        f'blacklist_exceptions {{\n\twwid "^{WWID}$"\n}}\n',
        entries=entry(),
    )
    assert run(tmp_path, "MPATH002", text) == []


def test_blacklist_patterns_are_unanchored(tmp_path: Path) -> None:
    # "b4000" matches inside the wwid; "^600508" does not (the wwid starts with its type, 3)
    assert run(
        tmp_path / "a", "MPATH002", conf('blacklist {\n\twwid "b4000"\n}\n', entries=entry())
    )
    assert not run(
        tmp_path / "b", "MPATH002", conf('blacklist {\n\twwid "^600508"\n}\n', entries=entry())
    )


def test_sections_merge_across_conf_d_from_0_6_0(tmp_path: Path) -> None:
    hosts = {
        "xen1": {
            "etc/multipath.conf": conf('blacklist {\n\twwid ".*"\n}\n', entries=entry()),
            "etc/multipath/conf.d/local.conf": f'blacklist_exceptions {{\n\twwid "{WWID}"\n}}\n',
        }
    }
    assert run(tmp_path / "new", "MPATH002", hosts) == []
    # multipath-tools 0.5.0 reads no conf.d: the exception is not there
    assert len(run(tmp_path / "old", "MPATH002", hosts, version="0.5.0")) == 1


def test_a_devnode_blacklist_of_every_scsi_disk_is_not_rescued_by_a_wwid_exception(
    tmp_path: Path,
) -> None:
    text = conf(
        'blacklist {\n\tdevnode "^sd[a-z]"\n}\n',
        f'blacklist_exceptions {{\n\twwid "^{WWID}$"\n}}\n',
        entries=entry(),
    )
    [found] = run(tmp_path, "MPATH002", text)
    assert "devnode" in found.message and "every SCSI disk" in found.message


def test_a_devnode_exception_rescues_scsi_disks(tmp_path: Path) -> None:
    text = conf(
        'blacklist {\n\tdevnode ".*"\n}\n',
        'blacklist_exceptions {\n\tdevnode "^sd"\n}\n',
        entries=entry(),
    )
    assert run(tmp_path, "MPATH002", text) == []


def test_inverted_patterns_from_0_8_5(tmp_path: Path) -> None:
    # "!^3" blacklists every wwid that does not start with 3 (NAA): the IET wwid (type 1)
    text = conf(
        'blacklist {\n\twwid "!^3"\n}\n',
        entries=entry() + entry(IET, "iet"),
    )
    [found] = run(tmp_path / "new", "MPATH002", text)
    assert IET in found.message
    # before 0.8.5 a quoted value starting with '!' was cut off: nothing can be said
    assert run(tmp_path / "old", "MPATH002", text, version="0.8.4") == []


def test_a_pattern_multipathd_drops_blacklists_nothing(tmp_path: Path) -> None:
    text = conf('blacklist {\n\twwid "*"\n}\n', entries=entry())
    assert run(tmp_path, "MPATH002", text) == []


# MPATH003 -----------------------------------------------------------------------------------


def test_one_alias_for_two_wwids(tmp_path: Path) -> None:
    text = conf(entries=entry(WWID, "data") + entry(IET, "data"))
    [found] = run(tmp_path, "MPATH003", text)
    assert "alias 'data'" in found.message and IET in found.message
    assert found.location.line == 8
    assert found.related[0].line == 4


def test_one_wwid_in_two_entries_depends_on_the_version(tmp_path: Path) -> None:
    text = conf(entries=entry(WWID, "a") + entry(WWID, "b"))
    [merged] = run(tmp_path / "new", "MPATH003", text)
    assert "merges them" in merged.message
    [first] = run(tmp_path / "old", "MPATH003", text, version="0.7.7")
    assert "only the first entry" in first.message


def test_duplicates_across_files_of_one_host(tmp_path: Path) -> None:
    hosts = {
        "xen1": {
            "etc/multipath.conf": conf(entries=entry(WWID, "data")),
            "etc/multipath/conf.d/more.conf": conf(entries=entry(IET, "data")),
        }
    }
    [found] = run(tmp_path, "MPATH003", hosts)
    assert found.location.path.endswith("more.conf")


def test_distinct_maps_and_other_hosts_are_fine(tmp_path: Path) -> None:
    hosts = {
        "xen1": {"etc/multipath.conf": conf(entries=entry(WWID, "a") + entry(IET, "b"))},
        "xen2": {"etc/multipath.conf": conf(entries=entry(WWID, "a") + entry(IET, "b"))},
    }
    assert run(tmp_path, "MPATH003", hosts) == []


# MPATH004 -----------------------------------------------------------------------------------

LENNY = (
    "defaults {\n"
    "\tuser_friendly_names yes\n"
    "\tudev_dir /dev\n"
    '\tdefault_getuid_callout "/sbin/scsi_id -g -u -s /block/%n"\n'
    "}\n"
)


def test_removed_keywords_are_removed_by_a_safe_fix(tmp_path: Path) -> None:
    found = run(tmp_path, "MPATH004", LENNY)
    assert [d.location.line for d in found] == [3, 4]
    text = LENNY
    for d in reversed(found):
        assert d.fix is not None and d.fix.safe
        text = apply(text, d.fix.edits)
    assert text == "defaults {\n\tuser_friendly_names yes\n}\n"


def test_fixes_keep_crlf_line_ends(tmp_path: Path) -> None:
    text = LENNY.replace("\n", "\r\n")
    found = run(tmp_path, "MPATH004", text, version="0.8.4")
    for d in reversed(found):
        assert d.fix is not None
        text = apply(text, d.fix.edits)
    assert text == 'defaults {\r\n\tuser_friendly_names yes\r\n\tuid_attribute "ID_SERIAL"\r\n}\r\n'


def test_the_fixed_file_is_clean(tmp_path: Path) -> None:
    fixed = "defaults {\n\tuser_friendly_names yes\n}\n"
    assert run(tmp_path, "MPATH004", fixed) == []


def test_lenny_keywords_under_lenny(tmp_path: Path) -> None:
    # 0.4.8: udev_dir is valid; default_getuid_callout is an alias of getuid_callout
    [found] = run(tmp_path, "MPATH004", LENNY, version="0.4.8")
    assert found.fix is not None and found.fix.safe
    assert apply(LENNY, found.fix.edits) == LENNY.replace(
        "default_getuid_callout", "getuid_callout"
    )


def test_a_scsi_id_callout_becomes_uid_attribute_while_callouts_still_work(
    tmp_path: Path,
) -> None:
    text = 'defaults {\n\tgetuid_callout "/lib/udev/scsi_id -g -u -d /dev/%n"\n}\n'
    [found] = run(tmp_path, "MPATH004", text, version="0.8.4")
    assert found.fix is not None and found.fix.safe
    assert apply(text, found.fix.edits) == 'defaults {\n\tuid_attribute "ID_SERIAL"\n}\n'


def test_a_scsi_id_callout_without_u_differs_for_blanks(tmp_path: Path) -> None:
    text = 'defaults {\n\tgetuid_callout "/lib/udev/scsi_id --whitelisted --device=/dev/%n"\n}\n'
    [found] = run(tmp_path, "MPATH004", text, version="0.6.4")
    assert found.fix is not None and not found.fix.safe


def test_a_custom_callout_gets_no_fix(tmp_path: Path) -> None:
    text = 'defaults {\n\tgetuid_callout "/usr/local/bin/my_id %n"\n}\n'
    [found] = run(tmp_path, "MPATH004", text)
    assert found.fix is None
    assert "ignores it" in found.message
    assert run(tmp_path / "old", "MPATH004", text, version="0.4.9") == []


def test_an_alias_is_renamed_safely_while_it_works_and_unsafely_after(tmp_path: Path) -> None:
    text = "defaults {\n\tdefault_path_checker   tur\n}\n"
    [alias] = run(tmp_path / "a", "MPATH004", text, version="0.8.4")
    assert alias.fix is not None and alias.fix.safe
    assert apply(text, alias.fix.edits) == "defaults {\n\tpath_checker   tur\n}\n"
    [gone] = run(tmp_path / "b", "MPATH004", text, version="0.9.0")
    assert gone.fix is not None and not gone.fix.safe
    assert "removed in multipath-tools 0.9.0" in gone.message


def test_default_selector_becomes_selector_or_path_selector(tmp_path: Path) -> None:
    text = 'defaults {\n\tdefault_selector "round-robin 0"\n}\n'
    [old] = run(tmp_path / "a", "MPATH004", text, version="0.4.9")
    assert old.fix is not None
    assert apply(text, old.fix.edits) == 'defaults {\n\tselector "round-robin 0"\n}\n'
    [new] = run(tmp_path / "b", "MPATH004", text, version="0.5.0")
    assert new.fix is not None
    assert apply(text, new.fix.edits) == 'defaults {\n\tpath_selector "round-robin 0"\n}\n'


def test_selector_is_fine_until_0_5_0(tmp_path: Path) -> None:
    text = 'defaults {\n\tselector "round-robin 0"\n}\n'
    assert run(tmp_path / "a", "MPATH004", text, version="0.4.9") == []
    [found] = run(tmp_path / "b", "MPATH004", text, version="0.5.0")
    assert found.fix is not None and not found.fix.safe


def test_flush_on_last_del_yes_is_always_from_0_9_9(tmp_path: Path) -> None:
    text = "defaults {\n\tflush_on_last_del yes\n}\n"
    assert run(tmp_path / "a", "MPATH004", text, version="0.9.8") == []
    [found] = run(tmp_path / "b", "MPATH004", text, version="0.9.9")
    assert found.fix is not None and found.fix.safe
    assert apply(text, found.fix.edits) == "defaults {\n\tflush_on_last_del always\n}\n"


def test_readsector0_gets_an_unsafe_fix_where_the_checker_is_read(tmp_path: Path) -> None:
    text = "devices {\n\tdevice {\n\t\tvendor IET\n\t\tpath_checker readsector0\n\t}\n}\n"
    [found] = run(tmp_path / "a", "MPATH004", text)
    assert found.fix is not None and not found.fix.safe
    assert "path_checker directio" in apply(text, found.fix.edits)
    # inside a multipath entry path_checker is not read at all: SYN002's business
    in_entry = conf(entries=entry(extra="\t\tpath_checker readsector0\n"))
    assert run(tmp_path / "b", "MPATH004", in_entry) == []


def test_ignored_paths_are_removed_only_when_they_name_the_default(tmp_path: Path) -> None:
    default = "defaults {\n\tbindings_file /etc/multipath/bindings\n}\n"
    [same] = run(tmp_path / "a", "MPATH004", default)
    assert same.fix is not None and apply(default, same.fix.edits) == "defaults {\n}\n"
    moved = "defaults {\n\tbindings_file /var/lib/multipath/bindings\n}\n"
    [other] = run(tmp_path / "b", "MPATH004", moved)
    assert other.fix is None and "/etc/multipath/bindings" in other.message
    # 0.8.8 to 0.9.6 still read it, and log it as deprecated
    [logged] = run(tmp_path / "c", "MPATH004", moved, version="0.9.6")
    assert logged.fix is None and "still reads it" in logged.message
    assert run(tmp_path / "d", "MPATH004", moved, version="0.8.7") == []


def test_a_retired_alias_outside_defaults_is_not_renamed(tmp_path: Path) -> None:
    # default_features never worked in a device section: `features` there would change it
    text = 'devices {\n\tdevice {\n\t\tvendor IET\n\t\tdefault_features "0"\n\t}\n}\n'
    [found] = run(tmp_path, "MPATH004", text, version="0.8.4")
    assert found.fix is None and "never read in 'device'" in found.message


def test_getuid_callout_where_it_is_not_read_is_syn002s(tmp_path: Path) -> None:
    text = conf(entries=entry(extra='\t\tgetuid_callout "/lib/udev/scsi_id -g -u -d /dev/%n"\n'))
    assert run(tmp_path, "MPATH004", text) == []


def test_devnode_blacklist_becomes_blacklist(tmp_path: Path) -> None:
    text = 'devnode_blacklist {\n\tdevnode "^sda$"\n}\n'
    assert run(tmp_path / "a", "MPATH004", text, version="0.4.6") == []
    [found] = run(tmp_path / "b", "MPATH004", text, version="0.4.7")
    assert found.fix is not None and not found.fix.safe
    assert apply(text, found.fix.edits) == 'blacklist {\n\tdevnode "^sda$"\n}\n'


def test_syn002_leaves_retired_keywords_to_mpath004(tmp_path: Path) -> None:
    assert run(tmp_path, "SYN002", LENNY) == []


def test_an_unknown_version_is_refused() -> None:
    from xsanconf.lint.engine import SelectionError

    with pytest.raises(SelectionError, match="unknown multipath version"):
        LintOptions(versions={"multipath": "0.9"}).effective_versions()


def test_the_example_site_reports_mpath004_on_both_xen_hosts() -> None:
    result = lint(Site.load([FIXTURES / "example"]), LintOptions(select=("MPATH004",)))
    hosts = sorted({d.location.host or "" for d in result.diagnostics if d.code == "MPATH004"})
    assert hosts == ["xen1", "xen2"]


def test_the_fixed_example_site_is_clean_of_these_rules() -> None:
    codes = ("MPATH002", "MPATH003", "MPATH004", "MPATH005", "MPATH007")
    result = lint(Site.load([FIXTURES / "example-fixed"]), LintOptions(select=codes))
    assert result.diagnostics == [] and result.failures == []


# MPATH005 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["*", "(abc", "[[:foo:]]", "a{1", "sd[a-z", "^*", "a|*b", "[z-a]", "x{3,2}", "(?i)sda"],
)
def test_patterns_glibc_refuses(tmp_path: Path, pattern: str) -> None:
    text = f'blacklist {{\n\tdevnode "{pattern}"\n}}\n'
    [found] = run(tmp_path, "MPATH005", text)
    assert found.severity is Severity.ERROR
    assert "blacklists nothing" in found.message


@pytest.mark.parametrize(
    "pattern",
    # each is an error, or means something else, to Python's re; glibc compiles them all
    ["a{,3}", "sd[a-z]**", "^hd[a-z][[0-9]*]", "^(sda)|)", "[]a]", "()", "a|", "[\\]"],
)
def test_patterns_glibc_accepts(tmp_path: Path, pattern: str) -> None:
    text = f'blacklist_exceptions {{\n\tdevnode "{pattern}"\n}}\n'
    assert run(tmp_path, "MPATH005", text) == []


def test_a_glob_is_a_warning_with_a_regex_to_use(tmp_path: Path) -> None:
    [found] = run(tmp_path, "MPATH005", 'blacklist {\n\tdevnode "sd*"\n}\n')
    assert found.severity is Severity.WARNING
    assert "'^sd'" in found.message


def test_single_quotes_are_part_of_the_pattern(tmp_path: Path) -> None:
    found = run(tmp_path, "MPATH005", "blacklist {\n\tdevnode '*'\n}\n")
    assert [d.severity for d in found] == [Severity.WARNING] * 2
    text = " | ".join(messages(found))
    assert "starts and ends with a single quote" in text and "write '.*'" in text


def test_a_perl_escape_is_a_warning(tmp_path: Path) -> None:
    [found] = run(tmp_path, "MPATH005", 'blacklist {\n\twwid "^3600\\d+"\n}\n')
    assert found.severity is Severity.WARNING and "'[0-9]'" in found.message


def test_device_patterns_and_exceptions_are_checked(tmp_path: Path) -> None:
    text = (
        'devices {\n\tdevice {\n\t\tvendor "IET("\n\t\tproduct "VIRTUAL-DISK"\n\t}\n}\n'
        'blacklist_exceptions {\n\twwid "[[:hex:]]"\n}\n'
    )
    found = run(tmp_path, "MPATH005", text)
    assert [d.location.line for d in found] == [3, 8]
    assert "stay blacklisted" in found[1].message


def test_negation_is_stripped_from_0_8_5(tmp_path: Path) -> None:
    text = 'blacklist {\n\tdevnode "!^(sd[a-z]|nvme[0-9])"\n}\n'
    assert run(tmp_path / "a", "MPATH005", text) == []
    assert len(run(tmp_path / "b", "MPATH005", 'blacklist {\n\tdevnode "!*"\n}\n')) == 1


# The regex dialect: parser against glibc ------------------------------------------------------


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    gnu = getattr(libc, "gnu_get_libc_version", None)
    return libc if gnu is not None else None


LIBC = _glibc()
needs_glibc = pytest.mark.skipif(LIBC is None, reason="glibc's regcomp is the oracle (Linux)")
REG_EXTENDED, REG_NOSUB = 1, 8
CODES = {
    2: "REG_BADPAT",
    3: "REG_ECOLLATE",
    4: "REG_ECTYPE",
    5: "REG_EESCAPE",
    6: "REG_ESUBREG",
    7: "REG_EBRACK",
    8: "REG_EPAREN",
    9: "REG_EBRACE",
    10: "REG_BADBR",
    11: "REG_ERANGE",
    13: "REG_BADRPT",
    15: "REG_ESIZE",
}


class _Compiled:
    """A pattern compiled by glibc (the C locale: Python leaves LC_COLLATE alone)."""

    def __init__(self, pattern: str) -> None:
        assert LIBC is not None
        self.buffer = ctypes.create_string_buffer(256)  # larger than regex_t
        self.code = LIBC.regcomp(self.buffer, pattern.encode(), REG_EXTENDED | REG_NOSUB)

    def search(self, text: str) -> bool:
        assert LIBC is not None
        return bool(LIBC.regexec(self.buffer, text.encode(), 0, None, 0) == 0)

    def free(self) -> None:
        if self.code == 0 and LIBC is not None:
            LIBC.regfree(self.buffer)


def _ours(pattern: str) -> tuple[str | None, ere.Ere | None]:
    try:
        return None, ere.parse(pattern)
    except ere.EreError as error:
        return error.code, None


DIALECT_CASES = [
    "", "*", "sd*", "a{,3}", "{1}", "a{}", "a{3,2}", "()", "a|", "|a", ")", "a)", "(a",
    "[[:alpha:]]", "[[:foo:]]", "\\d", "\\1", "(a)\\1", "(a\\1)", "(a)|\\1", "a**", "a+*",
    "[z-a]", "[a", "\\", "^*", "x$*", "a|*b", "(*a)", "a{1", "a{1,2", "a{x}", "x{32767}",
    "x{32768}", "[]a]", "[\\]", "^hd[a-z][[0-9]*]", "(?i)a", "a{1}{2}", "[[.a.]]",
    "[[.space.]]", "[[=a=]]", "[a-]", "[--z]", "[a-z-9]", "[", "[^", "[^]", "a{,}", "a{1\\,2}",
    "[[:alpha:]-z]", "[[.a.]-z]", "\\b*", "\\w*", "a^b", "[[:alpha:]-", "[[.{[.a.]",
]  # fmt: skip


@needs_glibc
@pytest.mark.parametrize("pattern", DIALECT_CASES)
def test_the_parser_agrees_with_glibc_regcomp(pattern: str) -> None:
    compiled = _Compiled(pattern)
    compiled.free()
    code, _ = _ours(pattern)
    assert code == (CODES.get(compiled.code, str(compiled.code)) if compiled.code else None)


@needs_glibc
def test_random_patterns_compile_and_match_as_glibc_says() -> None:
    rng = random.Random(20261124)
    pieces = [
        *"ab()[]{}|*+?^$.\\-,:=0129",
        "[:alpha:]", "[.a.]", "[=b=]", "\\w", "\\b", "\\<", "{1,2}", "{,3}",
    ]  # fmt: skip
    disagreements: list[tuple[str, str | None, object]] = []
    for _ in range(4000):
        pattern = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        compiled = _Compiled(pattern)
        code, parsed = _ours(pattern)
        expected = CODES.get(compiled.code, str(compiled.code)) if compiled.code else None
        if code != expected:
            disagreements.append((pattern, expected, code))
        elif parsed is not None:
            for _ in range(3):
                subject = "".join(rng.choice("ab019-_ ") for _ in range(rng.randint(0, 6)))
                ours = parsed.search(subject)
                if ours is not None and ours != compiled.search(subject):
                    disagreements.append((pattern, subject, ours))
        compiled.free()
    assert disagreements == []


def test_matching_takes_linear_time_on_a_hostile_pattern() -> None:
    pattern = ere.parse("(a|a)*(a|a)*(a|a)*$" + "x")
    assert pattern.search("a" * 5000) is False


def test_deep_nesting_is_judged_without_recursion() -> None:
    pattern = ere.parse("(" * 5000 + "a" + ")" * 5000)
    assert pattern.search("a") is None  # too deep to expand: no verdict rather than a crash
    with pytest.raises(ere.EreError):
        ere.parse("(" * 5000)


def test_back_references_are_not_matched() -> None:
    assert ere.parse("(a)\\1").search("aa") is None


# MPATH007 -----------------------------------------------------------------------------------


def guest(name: str = "vm1", disk: str = "/dev/mapper/data") -> str:
    return f"name = '{name}'\nmemory = 512\ndisk = ['phy:{disk},xvda,w']\n"


def test_the_names_differ_fixture_fires_on_both_hosts() -> None:
    result = lint(Site.load([FIXTURES / "mpath-names-differ"]), LintOptions(select=("MPATH007",)))
    assert sorted(d.location.host or "" for d in result.diagnostics) == ["xen1", "xen2"]
    assert all("'mpatha'" in d.message or "'xensan'" in d.message for d in result.diagnostics)


def test_the_names_agree_fixture_is_silent() -> None:
    result = lint(Site.load([FIXTURES / "mpath-names-agree"]), LintOptions(select=("MPATH007",)))
    assert result.diagnostics == []


def test_different_aliases_fire_without_shared_guests(tmp_path: Path) -> None:
    hosts = {
        "xen1": {"etc/multipath.conf": conf(entries=entry(alias="data"))},
        "xen2": {"etc/multipath.conf": conf(entries=entry(alias="store"))},
        **{f"xen{n}": {"etc/multipath.conf": conf(entries=entry(alias="data"))} for n in (3, 4, 5)},
    }
    found = run(tmp_path, "MPATH007", hosts)
    assert sorted(d.location.host or "" for d in found) == [f"xen{n}" for n in range(1, 6)]
    [xen2] = [d for d in found if d.location.host == "xen2"]
    assert "'data' on xen1, xen3, xen4 (and 1 more hosts)" in xen2.message
    assert len(xen2.related) == 3
    [xen1] = [d for d in found if d.location.host == "xen1"]
    assert "but 'store' on xen2:" in xen1.message


def test_user_friendly_names_without_alias_on_hosts_sharing_a_guest(tmp_path: Path) -> None:
    ufn = "defaults {\n\tuser_friendly_names yes\n}\n"
    hosts = {
        "xen1": {
            "etc/multipath.conf": conf(ufn, entries=entry(alias=None)),
            "etc/xen/vm1": guest(),
        },
        "xen2": {
            "etc/multipath.conf": conf(ufn, entries=entry(alias=None)),
            "etc/xen/vm1": guest(),
        },
    }
    found = run(tmp_path / "shared", "MPATH007", hosts)
    assert sorted(d.location.host or "" for d in found) == ["xen1", "xen2"]
    assert "'vm1'" in found[0].message
    unshared = {
        h: {"etc/multipath.conf": files["etc/multipath.conf"]} for h, files in hosts.items()
    }
    assert run(tmp_path / "alone", "MPATH007", unshared) == []


def test_an_entry_can_turn_user_friendly_names_off(tmp_path: Path) -> None:
    ufn = "defaults {\n\tuser_friendly_names yes\n}\n"
    off = entry(alias=None, extra="\t\tuser_friendly_names no\n")
    hosts = {
        "xen1": {"etc/multipath.conf": conf(ufn, entries=off), "etc/xen/vm1": guest()},
        "xen2": {"etc/multipath.conf": conf(ufn, entries=off), "etc/xen/vm1": guest()},
    }
    assert run(tmp_path, "MPATH007", hosts) == []  # both hosts call it by its wwid


def test_equal_bindings_files_give_equal_names(tmp_path: Path) -> None:
    ufn = "defaults {\n\tuser_friendly_names yes\n}\n"
    files = {
        "etc/multipath.conf": conf(ufn, entries=entry(alias=None)),
        "etc/multipath/bindings": f"mpatha {WWID}\n",
        "etc/xen/vm1": guest(),
    }
    assert run(tmp_path, "MPATH007", {"xen1": files, "xen2": files}) == []


# The per-version retirements issue 15 names ------------------------------------------------


def test_disable_changed_wwids_is_ignored_from_0_8_1(tmp_path: Path) -> None:
    text = "defaults {\n\tdisable_changed_wwids yes\n}\n"
    assert run(tmp_path / "a", "MPATH004", text, "0.8.0") == []
    [found] = run(tmp_path / "b", "MPATH004", text, "0.8.1")
    assert "ignored since multipath-tools 0.8.1" in found.message
    assert found.fix is not None and found.fix.safe


def test_queue_if_no_path_feature_is_deprecated_from_0_7_2(tmp_path: Path) -> None:
    text = 'defaults {\n\tfeatures "1 queue_if_no_path"\n}\n'
    assert run(tmp_path / "a", "MPATH004", text, "0.7.1") == []
    [found] = run(tmp_path / "b", "MPATH004", text, "0.7.2")
    assert "deprecated since multipath-tools 0.7.2" in found.message
    assert found.fix is not None and not found.fix.safe
    assert found.fix.edits[0].text == 'no_path_retry "queue"'
    # the section's own no_path_retry wins: dropping the feature keeps the meaning
    both = 'defaults {\n\tfeatures "2 queue_if_no_path pg_init_retries"\n\tno_path_retry 5\n}\n'
    [found] = run(tmp_path / "c", "MPATH004", both, "0.9.4")
    assert found.fix is not None and found.fix.safe
    assert found.fix.edits[0].text == 'features "1 pg_init_retries"'


def test_a_device_without_vendor_or_product_is_dropped(tmp_path: Path) -> None:
    text = (
        "devices {\n\tdevice {\n\t\tvendor IET\n\t\tno_path_retry queue\n\t}\n"
        "\tdevice {\n\t\tvendor IET\n\t\tproduct VIRTUAL-DISK\n\t}\n}\n"
    )
    [found] = run(tmp_path, "SYN005", text)
    assert found.location.line == 2 and "no product" in found.message


def test_file_keywords_are_deprecated_from_0_8_8_before_they_are_ignored(tmp_path: Path) -> None:
    text = 'defaults {\n\tbindings_file "/etc/multipath/bindings"\n\tconfig_dir "/etc/mp.d"\n}\n'
    assert run(tmp_path / "a", "MPATH004", text, "0.8.7") == []
    bindings, config_dir = run(tmp_path / "b", "MPATH004", text, "0.8.8")
    assert "deprecated since multipath-tools 0.8.8" in bindings.message
    assert bindings.fix is not None and bindings.fix.safe  # it names the default file
    assert config_dir.fix is None and "still reads it" in config_dir.message
    bindings, config_dir = run(tmp_path / "c", "MPATH004", text, "0.9.4")
    assert "ignored from 0.9.7 on" in bindings.message
    assert "ignored since multipath-tools 0.9.0" in config_dir.message
