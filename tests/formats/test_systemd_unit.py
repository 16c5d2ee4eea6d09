"""The systemd-unit codec: sections, repeated keys, continuations, resets, edits; Augeas check."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

import xsanconf
from xsanconf.formats.systemd_unit import SystemdUnit, build, directives
from xsanconf.testing.systemd_unit import unit_files

DRBD = """\
# drbd.service as drbd-utils ships it
[Unit]
Description=DRBD -- please disable. Unless you are NOT using a cluster manager.
Wants=network.target sshd.service
After=network.target sshd.service

[Service]
Type=oneshot
ExecStart=/lib/drbd/drbd start
; a comment of the other kind
ExecStop=/lib/drbd/drbd stop

[Install]
WantedBy=multi-user.target
"""


def load(text: str) -> SystemdUnit:
    return xsanconf.loads(text, "systemd-unit").model  # type: ignore[no-any-return]


def test_sections_and_keys() -> None:
    unit = load(DRBD)
    assert [s.name for s in unit.sections()] == ["Unit", "Service", "Install"]
    assert unit.value("Service", "Type") == "oneshot"
    assert unit.list_value("Unit", "After") == ["network.target", "sshd.service"]
    assert unit.dependencies()["Wants"] == ["network.target", "sshd.service"]
    entry = unit.entries("Unit", "After")[0]
    assert entry.position == (5, 1)


def test_repeated_keys_append_and_empty_resets() -> None:
    unit = load("[Unit]\nAfter=a.service\nAfter=b.service c.service\nBefore=x\nBefore=\n")
    assert unit.list_value("Unit", "After") == ["a.service", "b.service", "c.service"]
    assert unit.list_value("Unit", "Before") == []


def test_continuation_lines_and_comments_inside_them() -> None:
    text = "[Unit]\nAfter=a.service \\\n# skipped by systemd\n  b.service\nBefore=z\n"
    unit = load(text)
    assert unit.list_value("Unit", "After") == ["a.service", "b.service"]
    assert unit.list_value("Unit", "Before") == ["z"]


def test_spaces_around_equals_and_crlf() -> None:
    unit = load("[Unit]\r\n  After = a.service  \r\n")
    assert unit.entries("Unit", "After")[0].key == "After"
    assert unit.list_value("Unit", "After") == ["a.service"]


def test_assignment_before_any_section_is_kept_apart() -> None:
    unit = load("After=x\n[Unit]\nAfter=y\n")
    assert [e.value for e in unit.orphan_entries()] == ["x"]
    assert unit.list_value("Unit", "After") == ["y"]


def test_add_after_to_a_drop_in_changes_one_line() -> None:
    text = "[Unit]\nRequires=drbd.service\n\n[Service]\nType=forking\n"
    doc = xsanconf.loads(text, "systemd-unit")
    doc.model.section("Unit").add("After", "drbd.service")
    assert doc.render() == (
        "[Unit]\nRequires=drbd.service\nAfter=drbd.service\n\n[Service]\nType=forking\n"
    )


def test_set_keeps_spacing_and_new_section_gets_a_blank_line() -> None:
    text = "[Unit]\r\nDescription = old\r\n"
    doc = xsanconf.loads(text, "systemd-unit")
    doc.model.set("Unit", "Description", "new")
    doc.model.set("Install", "WantedBy", "multi-user.target")
    assert doc.render() == (
        "[Unit]\r\nDescription = new\r\n\r\n[Install]\r\nWantedBy=multi-user.target\r\n"
    )


def test_remove_entry() -> None:
    doc = xsanconf.loads(DRBD, "systemd-unit")
    doc.model.entries("Unit", "Wants")[0].remove()
    assert "Wants=" not in doc.render()
    assert doc.render().count("\n") == DRBD.count("\n") - 1


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("[Unit]\nAfter\n", 2, 1, "no '='"),
        ("[Unit]\n  [Broken\n", 2, 3, "'[' without ']'"),
    ],
)
def test_bad_lines(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(xsanconf.ParseError) as info:
        xsanconf.loads(text, "systemd-unit")
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message


def test_directives_and_build() -> None:
    doc = xsanconf.loads(DRBD, "systemd-unit")
    data = directives(doc)
    assert [d.name for d in data] == ["[Unit]", "[Service]", "[Install]"]
    rebuilt = load(build(data))
    assert rebuilt.dependencies() == doc.model.dependencies()
    assert rebuilt.value("Service", "ExecStop") == "/lib/drbd/drbd stop"


@given(unit_files())
def test_round_trip(text: str) -> None:
    doc = xsanconf.loads(text, "systemd-unit")
    assert doc.render() == text
    xsanconf.to_data(doc)


# Augeas's Systemd lens as a second opinion on the dependency lists.

AUGTOOL = shutil.which("augtool")
_LENS = Path("/usr/share/augeas/lenses/dist/systemd.aug")


def _augeas_lists(text: str) -> dict[str, list[list[str]]] | None:
    assert AUGTOOL is not None
    with tempfile.TemporaryDirectory() as root:
        Path(root, "x.service").write_text(text)
        out = subprocess.run(
            [AUGTOOL, "--noautoload", "--root", root, "--transform", "Systemd.lns incl /x.service"],
            input="print /files/x.service/Unit\nprint /augeas/files/x.service/error\n",
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    if "/augeas/files/x.service/error" in out:
        return None
    found: dict[str, list[list[str]]] = {}
    for line in out.splitlines():
        path, _, value = line.partition(" = ")
        parts = path.split("/")
        if len(parts) == 6 and parts[5].startswith("value") and value:
            key, index = parts[4].split("[")[0], parts[4]
            entries = found.setdefault(key, [])
            if not entries or entries[-1][0] != index:
                entries.append([index])
            entries[-1].append(value.strip('"'))
    return {k: [e[1:] for e in v] for k, v in found.items()}


@pytest.mark.skipif(
    AUGTOOL is None or not _LENS.exists(),
    reason="augtool or the Systemd lens is not installed (augeas-tools, augeas-lenses)",
)
@settings(max_examples=25, deadline=None)
@given(unit_files())
def test_dependency_lists_agree_with_augeas(text: str) -> None:
    text = text.replace("\r\n", "\n")
    theirs = _augeas_lists(text)
    if theirs is None:
        return  # the lens is stricter than systemd (e.g. sections it does not know)
    ours: dict[str, list[list[str]]] = {}
    for section in load(text).sections("Unit"):
        for entry in section.entries():
            if (
                entry.key in ("After", "Before", "Requires", "Wants", "BindsTo", "PartOf")
                and entry.words
            ):
                ours.setdefault(entry.key, []).append(entry.words)
    assert {k: v for k, v in theirs.items() if k in ours or v} == ours


# The units the machine running the tests has installed: real files from many packages.

_INSTALLED = sorted(
    p
    for d in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
    if d.is_dir()
    for p in d.iterdir()
    if p.is_file()
    and not p.is_symlink()
    and p.suffix in (".service", ".socket", ".target", ".mount")
)


@pytest.mark.skipif(not _INSTALLED, reason="no systemd units installed on this machine")
def test_installed_units_round_trip_and_parse() -> None:
    for path in _INSTALLED:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        doc = xsanconf.loads(text, "systemd-unit", path=str(path))
        assert doc.render() == text, path
        doc.model.dependencies()
