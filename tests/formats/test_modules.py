"""The modules codec: /etc/modules, modules-load.d and initramfs-tools module lists."""

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
from xsanconf.formats.modules import ModulesComment, ModulesConfig, ModulesEntry
from xsanconf.testing.modules import modules_documents, modules_lines

ETC_MODULES = """\
# /etc/modules: kernel modules to load at boot time.
#
# Parameters can be specified after the module name.

vfio
vfio-pci
sbp2 exclusive_login=0 serialize_io=1
  ; a comment to systemd only
\t# indented
"""


def load(text: str) -> xsanconf.Document:
    return xsanconf.loads(text, "modules")


def model(text: str) -> ModulesConfig:
    return load(text).model  # type: ignore[no-any-return]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_reads_modules_and_parameters() -> None:
    config = model(ETC_MODULES)
    assert config.modules() == ["vfio", "vfio-pci", "sbp2"]
    sbp2 = config.entry("sbp2")
    assert sbp2 is not None
    assert sbp2.params == [ModuleParam("exclusive_login", "0"), ModuleParam("serialize_io", "1")]
    assert sbp2.position == (7, 1)
    pci = config.entry("vfio_pci")
    assert pci is not None and pci.module == "vfio-pci"


def test_parameters_are_flagged_for_systemd() -> None:
    config = model(ETC_MODULES)
    vfio, _, sbp2 = config.entries
    assert vfio.problem is None
    assert sbp2.systemd_name == "sbp2 exclusive_login=0 serialize_io=1"
    assert sbp2.problem == (
        "systemd-modules-load reads the whole line 'sbp2 exclusive_login=0 serialize_io=1' as "
        "a module name and fails; parameters belong in /etc/modprobe.d/*.conf"
    )


def test_comments_the_readers_disagree_about_are_kept_and_marked() -> None:
    semicolon, indented = model(ETC_MODULES).comments
    assert isinstance(semicolon, ModulesComment) and semicolon.marker == ";"
    assert semicolon.position == (8, 3)
    assert "only for systemd-modules-load" in (semicolon.problem or "")
    assert indented.marker == "#" and indented.position == (9, 2)
    assert "Debian's init script" in (indented.problem or "")


def test_trailing_blanks_and_crlf_stay_out_of_the_line() -> None:
    config = model("vfio  \r\nsbp2\tx=1 \r\n")
    assert config.crlf
    assert [e.text for e in config.entries] == ["vfio", "sbp2\tx=1"]
    assert config.entries[1].params == [ModuleParam("x", "1")]


def test_a_nul_byte_is_a_parse_error_with_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        load("vfio\nsb\x00p2\n")
    assert (caught.value.line, caught.value.column) == (2, 3)


def test_remove_params_keeps_the_module_name() -> None:
    doc = load(ETC_MODULES)
    doc.model.entry("sbp2").remove_params()
    assert changed_lines(ETC_MODULES, xsanconf.dumps(doc)) == [
        "-sbp2 exclusive_login=0 serialize_io=1\n",
        "+sbp2\n",
    ]


def test_add_goes_after_the_last_module() -> None:
    doc = load(ETC_MODULES)
    doc.model.add("firewire-sbp2")
    assert changed_lines(ETC_MODULES, xsanconf.dumps(doc)) == ["+firewire-sbp2\n"]
    assert xsanconf.dumps(doc).splitlines()[7] == "firewire-sbp2"


def test_add_to_a_file_of_comments_without_final_newline() -> None:
    doc = load("# /etc/modules\r\n# nothing yet")
    doc.model.add("vfio", ModuleParam("x", "a b"))
    assert xsanconf.dumps(doc) == '# /etc/modules\r\n# nothing yet\r\nvfio x="a b"\r\n'


def test_remove_an_entry() -> None:
    doc = load(ETC_MODULES)
    doc.model.entry("vfio").remove()
    assert changed_lines(ETC_MODULES, xsanconf.dumps(doc)) == ["-vfio\n"]


def test_add_rejects_a_name_with_blanks() -> None:
    with pytest.raises(ValueError, match="not a module line"):
        model("").add("a b")


def test_data_and_build() -> None:
    doc = load(ETC_MODULES)
    data = xsanconf.to_data(doc)
    assert data["directives"][2] == {
        "name": "sbp2",
        "args": ["exclusive_login=0", "serialize_io=1"],
        "line": 7,
    }
    rebuilt = xsanconf.from_data(data)
    assert rebuilt.model.modules() == ["vfio", "vfio-pci", "sbp2"]


@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    text = text.replace("\x00", "")
    assert xsanconf.dumps(load(text)) == text


@given(modules_documents())
def test_generated_documents_round_trip(text: str) -> None:
    doc = load(text)
    assert xsanconf.dumps(doc) == text
    xsanconf.to_data(doc)


@given(modules_lines(), st.sampled_from(["\n", "\r\n", ""]))
def test_generated_lines_read_as_written(
    drawn: tuple[str, str, list[ModuleParam]], end: str
) -> None:
    text, module, params = drawn
    (entry,) = model("# header\n" + text + end).entries
    assert isinstance(entry, ModulesEntry)
    assert entry.module == module
    assert entry.params == params
    assert (entry.problem is None) == (not params)


def _module_lists() -> list[object]:
    return [
        p
        for p in corpus_files("modprobe")
        if p.values[0] is None or corpus_kind(p.values[0]) == "modules"  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("file", _module_lists())
def test_corpus_module_lists(file: Path) -> None:
    text = read(file)
    config = model(text)
    for entry in config.entries:
        assert entry.module and entry.module in text
        assert not entry.module.startswith(("#", ";"))
    expected = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith(("#", ";"))
    ]
    assert [e.text for e in config.entries] == expected
