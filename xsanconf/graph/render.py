"""Draw a :class:`~xsanconf.graph.StackGraph`: DOT, SVG (through Graphviz's ``dot``), Mermaid.

Output is deterministic: elements come in the graph's sorted order, identifiers are sanitised
the same way every time, and text is escaped to plain ASCII (other characters become numeric
character references, which both Graphviz and Mermaid decode), so a golden file compares byte
for byte on any machine.  Findings are drawn in red with a ``codes:`` line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable

from xsanconf.graph import GraphEdge, GraphNode, StackGraph

__all__ = [
    "FORMATS",
    "GraphvizError",
    "GraphvizNotFoundError",
    "render",
    "render_dot",
    "render_mermaid",
    "render_svg",
]

FORMATS = ("dot", "svg", "mermaid")
DOT_TIMEOUT = 60.0  # seconds; a site of thousands of hosts lays out in a few
FINDING_COLOR = "#c0392b"

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_]")
_DOT_SHAPES = {
    "host": "plaintext",
    "disk": "cylinder",
    "drbd": "box",
    "lun": "box3d",
    "path": "ellipse",
    "map": "box, peripheries=2",
    "guest": "component",
}
_MERMAID_SHAPES = {
    "host": ('["', '"]'),
    "disk": ('[("', '")]'),
    "drbd": ('["', '"]'),
    "lun": ('[["', '"]]'),
    "path": ('("', '")'),
    "map": ('{{"', '"}}'),
    "guest": ('[/"', '"/]'),
}


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` is not installed."""


class GraphvizError(RuntimeError):
    """``dot`` failed or took too long."""


def safe_ids(raw: Iterable[str], prefix: str = "n_") -> dict[str, str]:
    """Identifiers made of ``[A-Za-z0-9_]`` for ``raw`` ones, distinct, the same on every run."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(raw)):
        base = prefix + _UNSAFE_ID.sub("_", name)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        found[name] = candidate
    return found


def _char_ref(char: str) -> str:
    point = ord(char)
    return "&#65533;" if 0xD800 <= point <= 0xDFFF else f"&#{point};"


def _dot_text(text: str) -> str:
    """``text`` for a double-quoted DOT string: ASCII only, line breaks as ``\\n``."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "&":
            out.append("&amp;")
        elif char == "\n":
            out.append("\\n")
        elif char < " " or char == "\x7f":
            out.append("?")
        elif char > "\x7e":
            out.append(_char_ref(char))
        else:
            out.append(char)
    return "".join(out)


def _lines(label: Iterable[str], codes: tuple[str, ...]) -> str:
    lines = list(label)
    if codes:
        lines.append("codes: " + " ".join(codes))
    return "\n".join(lines)


def _dot_marks(codes: tuple[str, ...]) -> str:
    if not codes:
        return ""
    return f', color="{FINDING_COLOR}", fontcolor="{FINDING_COLOR}", penwidth=2'


def _dot_node(node: GraphNode, ids: dict[str, str]) -> str:
    label = _dot_text(_lines(node.label, node.codes))
    shape = _DOT_SHAPES.get(node.kind, "box")
    return f'"{ids[node.id]}" [label="{label}", shape={shape}{_dot_marks(node.codes)}];'


def _dot_edge(edge: GraphEdge, ids: dict[str, str]) -> str:
    label = _dot_text(_lines([edge.label], edge.codes))
    return (
        f'"{ids[edge.source]}" -> "{ids[edge.target]}" [label="{label}"{_dot_marks(edge.codes)}];'
    )


def render_dot(graph: StackGraph) -> str:
    """The graph in Graphviz's DOT language: one ``subgraph cluster_<host>`` per host."""
    ids = safe_ids(n.id for n in graph.nodes)
    clusters = safe_ids((h.name for h in graph.hosts), prefix="cluster_")
    out = [
        "digraph stack {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.6];',
        '  node [fontname="Helvetica", fontsize=10, style=rounded];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    if graph.codes:
        label = _dot_text(_lines(["site"], graph.codes))
        out.append(f'  "site" [label="{label}", shape=note{_dot_marks(graph.codes)}];')
    for host in graph.hosts:
        out.append(f'  subgraph "{clusters[host.name]}" {{')
        out.append(f'    label="{_dot_text(_lines([host.name], host.codes))}";')
        if host.codes:
            out.append(f'    color="{FINDING_COLOR}"; fontcolor="{FINDING_COLOR}"; penwidth=2;')
        out.extend(f"    {_dot_node(n, ids)}" for n in graph.nodes_of(host.name))
        out.append("  }")
    out.extend(f"  {_dot_edge(e, ids)}" for e in graph.edges)
    out.append("}")
    return "\n".join(out) + "\n"


def render_svg(graph: StackGraph, timeout: float = DOT_TIMEOUT) -> str:
    """The graph laid out by Graphviz as an SVG document."""
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizNotFoundError(
            "Graphviz's `dot` is not installed (Debian: apt-get install graphviz); "
            "use --format dot or --format mermaid"
        )
    try:
        done = subprocess.run(
            [dot, "-Tsvg"],
            input=render_dot(graph).encode("ascii"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"`dot` did not finish within {timeout:g} s") from None
    except OSError as error:
        raise GraphvizError(f"cannot run `dot`: {error.strerror or error}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(f"`dot` failed: {reason[-1] if reason else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


_MERMAID_ESCAPES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;"}


def _mermaid_text(text: str) -> str:
    """``text`` inside a quoted Mermaid label: ASCII only, entity codes for what Mermaid reads."""
    out = []
    for char in text:
        if char in _MERMAID_ESCAPES:
            out.append(_MERMAID_ESCAPES[char])
        elif char == "\n":
            out.append("<br/>")
        elif char < " " or char == "\x7f":
            out.append("?")
        elif char > "\x7e":
            out.append(_char_ref(char).replace("&", "", 1))
        else:
            out.append(char)
    return "".join(out)


def render_mermaid(graph: StackGraph) -> str:
    """The graph as a Mermaid ``flowchart LR`` with one subgraph per host."""
    ids = safe_ids(n.id for n in graph.nodes)
    clusters = safe_ids((h.name for h in graph.hosts), prefix="cluster_")
    out = ["flowchart LR"]
    marked = [ids[n.id] for n in graph.nodes if n.codes]
    if graph.codes:
        out.append(f'  site["{_mermaid_text(_lines(["site"], graph.codes))}"]')
        marked.insert(0, "site")
    for host in graph.hosts:
        title = _mermaid_text(_lines([host.name], host.codes))
        out.append(f'  subgraph {clusters[host.name]}["{title}"]')
        for node in graph.nodes_of(host.name):
            start, end = _MERMAID_SHAPES.get(node.kind, ('["', '"]'))
            out.append(
                f"    {ids[node.id]}{start}{_mermaid_text(_lines(node.label, node.codes))}{end}"
            )
        out.append("  end")
    for edge in graph.edges:
        label = _mermaid_text(_lines([edge.label], edge.codes))
        out.append(f'  {ids[edge.source]} -->|"{label}"| {ids[edge.target]}')
    red = f"stroke:{FINDING_COLOR},stroke-width:2px,color:{FINDING_COLOR}"
    if marked:
        out.append(f"  classDef finding {red}")
        out.append(f"  class {','.join(marked)} finding")
    for host in graph.hosts:
        if host.codes:
            out.append(f"  style {clusters[host.name]} {red}")
    links = [str(i) for i, e in enumerate(graph.edges) if e.codes]
    if links:
        out.append(f"  linkStyle {','.join(links)} {red}")
    return "\n".join(out) + "\n"


def render(graph: StackGraph, fmt: str) -> str:
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "svg":
        return render_svg(graph)
    if fmt == "mermaid":
        return render_mermaid(graph)
    raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
