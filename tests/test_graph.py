"""``xsanconf graph``: the stack graph of a site, drawn as DOT, SVG and Mermaid.

Golden DOT files live in ``tests/data/graph/<site>.dot`` (the structure, without findings, so
that a new rule does not change them); ``XSANCONF_UPDATE_GOLDEN=1 pytest tests/test_graph.py``
rewrites them after an intended change -- review the diff before committing it.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.lint.sites import write_site
from xsanconf.cli.main import app
from xsanconf.graph import GraphEdge, GraphNode, HostCluster, StackGraph, build_graph
from xsanconf.graph.render import (
    GraphvizNotFoundError,
    render_dot,
    render_mermaid,
    render_svg,
    safe_ids,
)
from xsanconf.lint.diagnostics import Diagnostic, Location, Severity
from xsanconf.lint.engine import lint
from xsanconf.lint.site import Site

REPO = Path(__file__).resolve().parents[1]
SITES = REPO / "fixtures" / "sites"
GOLDEN = REPO / "tests" / "data" / "graph"
UPDATE = os.environ.get("XSANCONF_UPDATE_GOLDEN") == "1"
GOLDEN_SITES = sorted(
    p.name
    for p in SITES.iterdir()
    if p.name.startswith("stack-")
    # every target implementation, and a Pacemaker pair
    or p.name in ("example", "example-fixed", "lio-pair-bad", "tgt-servers", "scst-pair-bad")
    or p.name == "example-pacemaker"
)


def _graph(name: str, findings: bool = False) -> StackGraph:
    site = Site.load([SITES / name])
    return build_graph(site, lint(site).diagnostics if findings else ())


# Golden DOT --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN_SITES)
def test_dot_matches_the_golden_file(name: str) -> None:
    text = render_dot(_graph(name))
    golden = GOLDEN / f"{name}.dot"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="ascii")
    assert golden.exists(), f"no golden file {golden}: run with XSANCONF_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="ascii"), (
        f"DOT for {name} differs from {golden}; if the change is intended, "
        "rerun with XSANCONF_UPDATE_GOLDEN=1 and review the diff"
    )


def test_there_are_golden_sites() -> None:
    assert {"example", "example-fixed", "stack-ok"} <= set(GOLDEN_SITES)


def test_output_is_deterministic() -> None:
    first = render_dot(_graph("stack-ok", findings=True))
    assert render_dot(_graph("stack-ok", findings=True)) == first


# The chain ---------------------------------------------------------------------------------------


def test_example_chain_from_disk_to_map() -> None:
    graph = _graph("example")
    edges = {(e.source, e.target): e.label for e in graph.edges}
    lun = "san1/lun/iqn.2009-02.nl.example:storage.xensan/0"
    path = "xen1/path/san1/iqn.2009-02.nl.example:storage.xensan/0"
    wwid = "1494554000000000031343934353534303366313630633030"
    assert edges[("san1/disk//dev/vg00/san", "san1/drbd/xensan/0")] == "/dev/vg00/san"
    assert edges[("san1/drbd/xensan/0", lun)] == "/dev/drbd0"
    assert edges[(lun, path)] == f"WWID {wwid}"
    assert edges[(path, f"xen1/map/{wwid}")] == "alias xensan"
    # san2 presents another WWID (no ScsiId): no path leads to it
    assert not [e for e in graph.edges if e.source.startswith("san2/lun/")]
    assert {h.name for h in graph.hosts} == {"san1", "san2", "xen1", "xen2"}


def test_guests_hang_off_their_maps() -> None:
    graph = _graph("stack-ok")
    guests = [e for e in graph.edges if e.target.startswith("xen1/guest/")]
    assert sorted(e.label for e in guests) == ["/dev/mapper/vm-a", "/dev/mapper/vm-b"]
    assert all(e.source.startswith("xen1/map/") for e in guests)


def test_drbd_script_guest_and_plain_disk_lun(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "dom0": {
                "etc/drbd.conf": (
                    "resource r0 {\n on dom0 { device /dev/drbd3; disk /dev/vg/r0;"
                    " address 10.0.0.1:7788; meta-disk internal; }\n"
                    " on peer { device /dev/drbd3; disk /dev/vg/r0;"
                    " address 10.0.0.2:7788; meta-disk internal; }\n}\n"
                ),
                "etc/ietd.conf": (
                    "Target iqn.2024-01.org.example:plain\n\tLun 0 Path=/dev/vg/plain\n"
                ),
                "etc/xen/g1.cfg": "name = 'g1'\ndisk = ['drbd:r0,xvda,w']\n",
            }
        },
    )
    graph = build_graph(Site.load([site]))
    edges = {(e.source, e.target): e.label for e in graph.edges}
    assert edges[("dom0/drbd/r0/0", "dom0/guest/etc/xen/g1.cfg/0")] == "drbd:r0"
    lun = "dom0/lun/iqn.2024-01.org.example:plain/0"
    assert edges[("dom0/disk//dev/vg/plain", lun)] == "/dev/vg/plain"


def test_host_without_stack_still_appears(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"lonely": {"etc/modules": "loop\n"}})
    graph = build_graph(Site.load([site]))
    assert [n.kind for n in graph.nodes] == ["host"]
    assert 'subgraph "cluster_lonely"' in render_dot(graph)


# Findings ----------------------------------------------------------------------------------------


def test_findings_attach_to_the_narrowest_element() -> None:
    site = Site.load([SITES / "stack-ok"])
    ietd = SITES / "stack-ok" / "san1" / "etc" / "iet" / "ietd.conf"
    path_param = (4, 8, 4, 23)  # "Path=/dev/drbd0" on the Lun 0 line
    found = [
        Diagnostic("T001", "t", Severity.ERROR, "m", Location(str(ietd), 4, 1, 4, 60, "san1")),
        Diagnostic("T002", "t", Severity.ERROR, "m", Location(str(ietd), *path_param, "san1")),
        Diagnostic("T003", "t", Severity.ERROR, "m", Location(str(ietd), 2, 1, 2, 40, "san1")),
        Diagnostic("T004", "t", Severity.ERROR, "m", Location(str(ietd), 1, 1, 1, 5, "san1")),
        Diagnostic("T005", "t", Severity.ERROR, "m", Location("elsewhere", 1, 1, None, None, None)),
    ]
    graph = build_graph(site, found)
    lun0 = graph.node("san1/lun/iqn.2024-01.org.example.san:vm/0")
    lun1 = graph.node("san1/lun/iqn.2024-01.org.example.san:vm/1")
    assert lun0.codes == ("T001", "T002", "T003")  # its line, a piece of it, its target
    assert lun1.codes == ("T003",)
    link = next(e for e in graph.edges if e.target == lun0.id)
    assert link.codes == ("T002",)  # only the Path= piece is the link
    assert next(h for h in graph.hosts if h.name == "san1").codes == ("T004",)  # a comment line
    assert graph.codes == ("T005",)
    dot = render_dot(graph)
    assert "codes: T001 T002 T003" in dot
    assert 'label="/dev/drbd0\\ncodes: T002", color="#c0392b"' in dot
    assert '"site" [label="site\\ncodes: T005"' in dot


def test_example_findings_on_the_picture() -> None:
    graph = _graph("example", findings=True)
    assert "IET004" in graph.node("san2/lun/iqn.2009-02.nl.example:storage.xensan/0").codes
    assert (
        "MPATH006" in graph.node("xen2/map/1494554000000000031343934353534303366313630633030").codes
    )
    assert "DRBD001" in graph.node("san1/drbd/xensan/0").codes
    marked = {c for n in graph.nodes for c in n.codes} | {c for h in graph.hosts for c in h.codes}
    assert {"MOD003", "ISCSI002"} <= marked


# Escaping and identifiers ------------------------------------------------------------------------

HOSTILE = 'a "q" \\ <script>&amp;\nnext é\x07'


def _hostile_graph() -> StackGraph:
    nodes = (
        GraphNode('h-1/x "y"', "drbd", (HOSTILE,), "h-1", ("T1",)),
        GraphNode("h-1/x_y", "map", ("plain",), "h-1"),
    )
    edges = (GraphEdge('h-1/x "y"', "h-1/x_y", HOSTILE, ("T2",)),)
    return StackGraph((HostCluster("h-1", ("T3",)),), nodes, edges)


def test_dot_escaping_is_ascii_and_stable() -> None:
    dot = render_dot(_hostile_graph())
    assert dot.isascii()
    expected = 'a \\"q\\" \\\\ <script>&amp;amp;\\nnext &#233;?'
    assert f'label="{expected}\\ncodes: T1"' in dot
    assert '"n_h_1_x__y_" [' in dot and '"n_h_1_x_y" [' in dot
    assert 'subgraph "cluster_h_1" {' in dot


def test_safe_ids_are_distinct_and_stable() -> None:
    ids = safe_ids(["a-b", "a_b", "a.b"])
    assert ids == {"a-b": "n_a_b", "a.b": "n_a_b_2", "a_b": "n_a_b_3"}
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", v) for v in ids.values())


# Mermaid -----------------------------------------------------------------------------------------


def test_mermaid_structure() -> None:
    graph = _graph("stack-ok", findings=False)
    text = render_mermaid(graph)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    subgraphs = [line for line in lines if line.startswith("  subgraph ")]
    assert [s.split("[")[0] for s in subgraphs] == [
        f"  subgraph cluster_{h}" for h in ("san1", "san2", "xen1", "xen2")
    ]
    assert lines.count("  end") == len(subgraphs)
    defined = {m.group(1) for m in re.finditer(r"^    (n_\w+)[\[\(\{]", text, re.MULTILINE)}
    assert len(defined) == len(graph.nodes)
    for source, target in re.findall(r"^  (\w+) -->\|\"[^\"]*\"\| (\w+)$", text, re.MULTILINE):
        assert source in defined and target in defined
    assert len(re.findall(r"-->", text)) == len(graph.edges)
    assert "classDef" not in text  # nothing to mark


def test_mermaid_escaping_and_marks() -> None:
    text = render_mermaid(_hostile_graph())
    assert text.isascii()
    label = "a #quot;q#quot; \\ #lt;script#gt;#amp;amp;<br/>next #233;?"
    assert f'n_h_1_x__y_["{label}<br/>codes: T1"]' in text
    assert "  class n_h_1_x__y_ finding" in text
    assert "  style cluster_h_1 stroke:#c0392b" in text
    assert "  linkStyle 0 stroke:#c0392b" in text


# SVG and the command -----------------------------------------------------------------------------

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


@needs_dot
def test_svg_is_drawn_by_graphviz() -> None:
    svg = render_svg(_graph("example", findings=True))
    root = ET.fromstring(svg[svg.find("<svg") :])
    assert root.tag.endswith("svg")
    assert "DRBD xensan/0" in svg and "codes: IET004" in svg


@needs_dot
def test_svg_of_hostile_text_is_well_formed() -> None:
    svg = render_svg(_hostile_graph())
    ET.fromstring(svg[svg.find("<svg") :])
    assert "<script>" not in svg


def test_svg_without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        render_svg(_hostile_graph())
    result = CliRunner().invoke(app, ["graph", str(SITES / "stack-ok"), "--format", "svg"])
    assert result.exit_code == 2
    assert "Graphviz's `dot` is not installed" in result.output


def test_cli_dot_and_mermaid(tmp_path: Path) -> None:
    runner = CliRunner()
    site = str(SITES / "stack-ok")
    done = runner.invoke(app, ["graph", site, "--no-findings"])
    assert done.exit_code == 0, done.output
    assert done.output == (GOLDEN / "stack-ok.dot").read_text()
    target = tmp_path / "stack.mmd"
    done = runner.invoke(app, ["graph", site, "-f", "mermaid", "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert target.read_text().startswith("flowchart LR\n")


def test_cli_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(app, ["graph", str(tmp_path / "missing")])
    assert done.exit_code == 2
    assert "no such file or directory" in done.output
    done = runner.invoke(app, ["graph", str(SITES / "stack-ok"), "--format", "png"])
    assert done.exit_code == 2
    assert "unknown format 'png'" in done.output


def test_the_peers_of_a_drbd_resource_are_linked() -> None:
    graph = build_graph(
        Site.load([Path(__file__).resolve().parent.parent / "fixtures/sites/example"])
    )
    links = [(e.source, e.target) for e in graph.edges if e.label == "DRBD replication xensan/0"]
    assert links == [("san1/drbd/xensan/0", "san2/drbd/xensan/0")]
    # each inferred iSCSI path names the head it reaches
    paths = [n for n in graph.nodes if n.kind == "path"]
    assert paths and all(n.label[1].startswith(("to san1 (IET):", "to san2 (IET):")) for n in paths)


# Every target implementation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "host", "first", "identity"),
    [
        ("lio-pair-bad", "san1", "LIO LUN 0", "identity wwn 0b6f3c52-7d1e-4a8b-9c3d-2e4f6a8b0c1d"),
        ("tgt-servers", "san1", "tgt LUN 1", "identity scsi_id 5a4e7c0d9e1b2f30"),
        ("tgt-servers", "tgt1", "tgt LUN 1", "identity: tgt default"),
        ("scst-pair-bad", "san1", "SCST LUN 0", "identity t10_dev_id vmstore-r0"),
        ("scst-pair-bad", "san2", "SCST LUN 0", "identity: SCST default"),
        ("example", "san1", "IET LUN 0", "identity ScsiId 149455403f160c00"),
        ("example", "san2", "IET LUN 0", "identity: IET default"),
    ],
)
def test_a_lun_names_its_implementation_and_identity_setting(
    site: str, host: str, first: str, identity: str
) -> None:
    (lun,) = [n for n in _graph(site).nodes_of(host) if n.kind == "lun"]
    assert lun.label[0] == first
    assert lun.label[2] == identity


def test_a_path_names_the_head_and_its_implementation() -> None:
    paths = [n for n in _graph("stack-ok").nodes_of("xen1") if n.kind == "path"]
    assert sorted(n.label[1] for n in paths) == [
        "to san1 (IET): LUN 0",
        "to san1 (IET): LUN 1",
        "to san2 (IET): LUN 0",
        "to san2 (IET): LUN 1",
    ]
