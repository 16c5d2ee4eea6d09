"""The format registry is the one place that says which path is which kind, how its daemon
reads it and which codec reads it: the site loader, ``detect_kind`` and the pre-commit hook
follow it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import attrs
import pytest

from tests.lint.sites import write_site
from xsanconf.api import loads
from xsanconf.data import to_data
from xsanconf.formats import (
    _ENTRIES,
    CAPABILITY_FUNCTIONS,
    Codec,
    NotEditableError,
    codec,
    detect_kind,
    entries,
    entry,
    host_file_kind,
)
from xsanconf.lint.hook_pattern import files_pattern
from xsanconf.lint.site import Site
from xsanconf.syntax import Token


def test_every_kind_names_the_paths_the_hook_selects() -> None:
    for found in entries():
        assert found.paths, f"{found.kind}: no path patterns, the pre-commit hook misses it"
        for fragment in found.paths:
            re.compile(fragment)


def test_the_target_formats_are_flagged() -> None:
    assert {e.kind for e in entries() if e.targets} >= {"ietd"}
    assert not entry("drbd").targets and not entry("iet-access").targets


def test_kinds_read_file_by_file() -> None:
    separate = {e.kind for e in entries() if e.separate}
    # each node record is a whole of its own too: iscsiadm reads them one by one
    assert separate == {"xen-domain", "init-script", "systemd-unit", "shell-vars", "iscsi-node"}


def test_a_kind_with_includes_has_a_codec_that_reads_them() -> None:
    with_includes = [e for e in entries() if e.includes is not None]
    assert [e.kind for e in with_includes] == ["drbd", "tgt"]
    for found in with_includes:
        assert found.includes is not None
        assert detect_kind(found.includes.main) == found.kind
        assert callable(codec(found.kind).includes)


def test_drbd_declares_its_includes_where_they_stand() -> None:
    doc = loads('include "drbd.d/*.res";\nresource r0 { }\ninclude "x.res";\ninclude;\n', "drbd")
    found = codec("drbd").includes(doc)
    assert [(i.pattern, i.position) for i in found] == [
        ("drbd.d/*.res", (1, 1)),
        ("x.res", (3, 1)),
        (None, (4, 1)),
    ]


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("etc/drbd.conf", "drbd"),
        ("etc/multipath/conf.d/drbd.conf", "multipath"),  # drbd-utils' blacklist drop-in
        ("etc/modules-load.d/drbd.conf", "modules"),
        ("etc/modprobe.d/drbd.conf", "modprobe"),
        ("etc/systemd/system/tgt.service.d/drbd.conf", "systemd-unit"),
        ("usr/lib/modules-load.d/multipath.conf", "modules"),
        ("etc/init.d/iscsitarget", "init-script"),
        ("etc/xen/auto/vm1", "xen-domain"),
        ("etc/hostname", None),
    ],
)
def test_the_kind_of_a_host_file(rel: str, kind: str | None) -> None:
    assert host_file_kind(rel) == kind


def test_directories_outside_etc_come_from_the_registry(tmp_path: Path) -> None:
    dirs = [d for e in entries() for d in e.outside_etc]
    assert "lib/modprobe.d" in dirs and "usr/lib/modules-load.d" in dirs
    pattern = re.compile(files_pattern())
    files = {"etc/hostname": "h\n"}
    for directory in dirs:
        assert pattern.search(f"site/h/{directory}/x.conf"), directory
        files[f"{directory}/x.conf"] = "# nothing\n"
    write_site(tmp_path, {"h": files})
    (host,) = Site.load([tmp_path / "h"]).hosts
    read = {f.rel for f in host.files}
    assert read == {f"{d}/x.conf" for d in dirs}


def test_every_registered_module_is_importable() -> None:
    # KINDS lists the kinds whose module is installed: all of them here
    assert [e.kind for e in entries()] == [e.kind for e in _ENTRIES]


@pytest.mark.parametrize(
    "path",
    [
        "site/h/etc/init.d/iscsitarget",
        "site/h/etc/init.d/rtslib-fb-targetctl",
        "site/h/etc/systemd/system/target.service",
        "site/h/etc/systemd/system/tgt.service.d/drbd.conf",
        "site/h/lib/systemd/system/scst.service",
        "site/h/etc/xen/vm1",
        "site/h/etc/xen/auto/vm1.cfg",
        "site/h/etc/default/iscsitarget",
    ],
)
def test_init_scripts_units_and_guests_match_the_hook(path: str) -> None:
    assert host_file_kind(path.split("/", 2)[2]) is not None
    assert re.search(files_pattern(), path)


# The codec contract, declared --------------------------------------------------------------

OPTIONAL = [name for names in CAPABILITY_FUNCTIONS.values() for name in names]


@pytest.mark.parametrize("kind", [e.kind for e in _ENTRIES])
def test_each_codec_module_defines_what_its_entry_declares(kind: str) -> None:
    declared = entry(kind)
    module = importlib.import_module(declared.module)
    for name in ("KIND", "parse", "model", "directives", "build", "sniff"):
        assert hasattr(module, name), f"{kind}: the codec module lacks {name}"
    wanted = {n for c in declared.capabilities() for n in CAPABILITY_FUNCTIONS[c]}
    present = {n for n in OPTIONAL if callable(getattr(module, n, None))}
    assert present == wanted, f"{kind}: defines {sorted(present)}, declares {sorted(wanted)}"


def test_a_capability_not_declared_is_the_formats_default() -> None:
    from xsanconf.data import Directive

    multipath = entry("multipath")
    plain = Codec(
        attrs.evolve(multipath, editable=False), importlib.import_module(multipath.module)
    )
    doc = loads("defaults {\n}\n", "multipath")
    assert plain.includes(doc) == []
    assert plain.token_secrets(Token("STMT", "password x")) == []
    directive = Directive("password", ["x"])
    assert plain.redact(directive) is directive
    with pytest.raises(NotEditableError, match="not supported for multipath"):
        plain.get_value(doc, "defaults.polling_interval")


def test_secrets_are_redacted_by_declaration() -> None:
    assert codec("ietd").secrets and not codec("multipath").secrets
    doc = loads("IncomingUser joe secretsecret12\n", "ietd")
    assert "secretsecret12" not in str(to_data(doc, redact_secrets=True))
