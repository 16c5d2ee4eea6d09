"""Every boot and Xen corpus file round-trips and parses; Python-only xm configs stay raw."""

from __future__ import annotations

from pathlib import Path

import pytest

import xsanconf
from tests.corpus import corpus_files, original_path, read


def kind_of(file: Path) -> str:
    """The kind by the file's original name (the corpus keeps init scripts under any name)."""
    name = original_path(file).rsplit("/", 1)[-1]
    if file.parent.name == "boot":
        return "systemd-unit" if name.endswith(".service") else "init-script"
    if name.endswith(".sxp"):
        return "xend-config"
    if name == "xl.conf":
        return "xl-conf"
    return "xen-domain"


# xm configs that are Python programs (imports, functions, computed values): read by
# Python's parser, never run; the settings each one leaves certain.
PYTHON_PROGRAMS = {
    "007__Trimet__depo_xen_cfg__vdata__images__exchange__serverex.cfg": ("serverex", 2),
    "008__Trimet__depo_xen_cfg__vdata__images__iisserver__iisserver.cfg": ("iisserver", 1),
    "009__Trimet__depo_xen_cfg__vdata__images__terminal__terminal.cfg": ("terminal", 1),
    "015__xen-project__xen__tools__examples__xmexample2": (None, 1),
    "016__xen-project__xen__tools__examples__xmexample3": (None, 0),
}


@pytest.mark.parametrize("file", corpus_files("boot", "xen"))
def test_corpus_file_round_trips_and_parses(file: Path) -> None:
    kind = kind_of(file)
    text = read(file)
    recovered = xsanconf.loads(text, kind, path=str(file), recover=True)
    assert xsanconf.dumps(recovered) == text
    doc = xsanconf.loads(text, kind, path=str(file))
    assert doc.render() == text
    xsanconf.to_data(doc)
    expected = PYTHON_PROGRAMS.get(file.name)
    if expected is not None:
        name, disks = expected
        assert doc.model.name == name
        assert len(doc.model.disks) == disks
        assert any(t.kind == "PYTHON" for t in doc.root.children if hasattr(t, "kind"))


@pytest.mark.parametrize("file", corpus_files("boot"))
def test_init_scripts_and_units_give_their_ordering(file: Path) -> None:
    kind = kind_of(file)
    doc = xsanconf.loads(read(file), kind)
    if kind == "systemd-unit":
        deps = doc.model.dependencies()
        assert deps["After"], "every unit in the corpus orders itself after something"
        return
    header = doc.model.header
    if header is None:
        assert "BEGIN INIT INFO" not in read(file)
        return
    assert header.field("Provides") is not None
    assert header.field("Default-Start") is not None


def test_known_headers() -> None:
    files = {
        f.name: f for f in (Path(__file__).parent.parent.parent / "shared/corpus/boot").glob("*")
    }
    if not files:
        pytest.skip("the corpus is absent")
    doc = xsanconf.loads(
        read(files["011__mikumeow__PVE_BAK__etc__init.d__open-iscsi"]), "init-script"
    )
    header = doc.model.header
    assert header.provides == ["open-iscsi", "iscsi"]
    assert header.required_start == ["$network", "$local_fs", "iscsid"]
    assert header.required_stop == ["$network", "$local_fs", "iscsid", "sendsigs"]
    assert header.default_start == ["S"]
    typo = xsanconf.loads(
        read(files["015__OpenMandrivaAssociation__iscsitarget__iscsitarget.init"]), "init-script"
    )
    assert typo.model.header.required_stop == []  # the file says "Requires-Stop"
    assert typo.model.header.words("Requires-Stop") == ["$network"]


@pytest.mark.parametrize("file", corpus_files("xen"))
def test_xen_disks_read(file: Path) -> None:
    if kind_of(file) != "xen-domain":
        return
    config = xsanconf.loads(read(file), "xen-domain").model
    assert config.name or file.name in PYTHON_PROGRAMS  # xmexample2's name needs xm's vmid
    for disk in config.disks:
        spec = disk.spec
        assert spec.vdev, disk.text
        assert spec.target, disk.text
