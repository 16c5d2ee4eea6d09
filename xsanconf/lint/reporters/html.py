"""``--format html``: one self-contained page: the stack's picture, the findings, the rule pages.

Everything is inline (CSS, the SVG Graphviz draws) and nothing is fetched, so the file can be
mailed or attached to a ticket and opened offline.  The picture keeps its natural size inside a
scrolling frame -- a stack of a few hosts is wider than any screen, and shrunk to fit it is
unreadable -- with zoom buttons made of radio inputs and CSS (no script), and a legend drawn by
Graphviz from a sample stack in the same shapes.  Findings are listed by host, each with its
source excerpt (secrets masked as in the text report) and a link to its rule's page, which is
embedded further down; a table groups them by rule.  Every piece of text from the site goes
through :func:`html.escape`.  Without Graphviz the picture is a table of the stack's links.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from itertools import pairwise
from typing import TYPE_CHECKING

from xsanconf.lint.diagnostics import Diagnostic, Location
from xsanconf.lint.reporters import Report, shown_source, summary_line

if TYPE_CHECKING:
    from xsanconf.graph import StackGraph
    from xsanconf.lint.engine import LintResult

__all__ = ["report"]

# Control characters (and lone surrogates, the undecodable bytes of a file) are not text a
# browser shows: each becomes one visible character.
_UNPRINTABLE = {c: "?" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)}
_UNPRINTABLE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})

_STYLE = """
:root { --error: #c0392b; --warning: #b9770e; --info: #1f618d; --line: #d5d8dc; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px;
  padding: 1em 2em; color: #1c2833; background: #fff; }
h1 { margin-bottom: .2em; } h2 { border-bottom: 2px solid var(--line); padding-bottom: .2em; }
nav a { margin-right: 1em; }
.summary { font-weight: 600; }
.stack { overflow: auto; max-height: 85vh; border: 1px solid var(--line); padding: .5em; }
.stack svg { display: block; max-width: none; --zoom: 1;
  width: calc(var(--width) * var(--zoom)); height: calc(var(--height) * var(--zoom)); }
.zoom { position: absolute; opacity: 0; pointer-events: none; }
.zoom + label { display: inline-block; border: 1px solid var(--line); border-radius: 3px;
  padding: 0 .5em; margin: 0 .2em .4em 0; cursor: pointer; }
.zoom:checked + label { background: #d6eaf8; border-color: var(--info); font-weight: 600; }
.zoom:focus-visible + label { outline: 2px solid var(--info); }
#zoom-50:checked ~ .stack svg { --zoom: .5; }
#zoom-150:checked ~ .stack svg { --zoom: 1.5; }
#zoom-200:checked ~ .stack svg { --zoom: 2; }
#zoom-fit:checked ~ .stack svg { width: 100%; height: auto; }
.legend { border: 1px solid var(--line); padding: .2em .8em; margin-top: .8em; }
.legend svg { display: block; max-width: none; }
.legend-picture { overflow-x: auto; }
.note { color: #566573; font-style: italic; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .25em .5em; text-align: left;
  vertical-align: top; }
.finding { border-left: 4px solid var(--line); margin: .8em 0; padding: .2em .8em; }
.finding.error { border-color: var(--error); } .finding.warning { border-color: var(--warning); }
.finding.info { border-color: var(--info); }
.sev { font-weight: 700; text-transform: uppercase; font-size: 85%; }
.error .sev, .sev.error { color: var(--error); }
.warning .sev, .sev.warning { color: var(--warning); }
.info .sev, .sev.info { color: var(--info); }
.code { font-family: monospace; font-weight: 700; }
.where { font-family: monospace; color: #566573; margin: .2em 0; }
pre { background: #f4f6f7; padding: .5em; overflow-x: auto; margin: .3em 0; }
pre .hit { background: #fdebd0; display: block; }
.codes { color: var(--error); font-family: monospace; }
details { margin: .4em 0; } summary { cursor: pointer; }
"""


def _text(value: object) -> str:
    return html.escape(str(value).translate(_UNPRINTABLE), quote=True)


def _where(loc: Location) -> str:
    return f"{loc.path}:{loc.line}:{loc.column}"


def _excerpt(d: Diagnostic, report: Report) -> str:
    """The finding's source line, secrets masked (as the file's format finds them: a DRBD
    ``shared-secret`` value may sit on the line after its keyword)."""
    loc = d.location
    line = shown_source(report, loc.path, loc.line)
    if line is None:
        return ""
    return f'<pre><span class="hit">{loc.line:>5} | {_text(line.expandtabs(8))}</span></pre>'


def _finding(number: int, d: Diagnostic, report: Report) -> str:
    sev = str(d.severity)
    parts = [
        f'<article class="finding {sev}" id="f-{number}">',
        f'<div><span class="sev">{sev}</span> <a class="code" href="#rule-{_text(d.code)}">'
        f"{_text(d.code)}</a> {_text(d.name)}: {_text(d.message)}</div>",
        f'<p class="where">{_text(_where(d.location))}</p>',
        _excerpt(d, report),
    ]
    if d.related:
        items = "".join(
            f"<li><span class='where'>{_text(_where(r))}</span>"
            f"{' [' + _text(r.host) + ']' if r.host else ''}"
            f"{': ' + _text(r.message) if r.message else ''}</li>"
            for r in d.related
        )
        parts.append(f"<ul>{items}</ul>")
    if d.fix is not None:
        kind = "safe fix" if d.fix.safe else "unsafe fix: review before applying"
        parts.append(f"<p>help: {_text(d.fix.description)} [{kind}]</p>")
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


def _by_host(numbered: list[tuple[int, Diagnostic]], report: Report) -> list[str]:
    groups: dict[str, list[tuple[int, Diagnostic]]] = defaultdict(list)
    for number, d in numbered:
        groups[d.location.host or ""].append((number, d))
    out = ['<section id="by-host"><h2>Findings by host</h2>']
    if not numbered:
        out.append("<p>No findings.</p>")
    for index, host in enumerate(sorted(groups), 1):
        found = groups[host]
        out.append(f'<h3 id="host-{index}">{_text(host or "(no host)")} ({len(found)})</h3>')
        out.extend(_finding(number, d, report) for number, d in found)
    out.append("</section>")
    return out


def _by_rule(numbered: list[tuple[int, Diagnostic]]) -> list[str]:
    groups: dict[str, list[tuple[int, Diagnostic]]] = defaultdict(list)
    for number, d in numbered:
        groups[d.code].append((number, d))
    out = ['<section id="by-rule"><h2>Findings by rule</h2>']
    if not groups:
        out.append("<p>No findings.</p>")
    else:
        out.append("<table><tr><th>rule</th><th>severity</th><th>findings</th></tr>")
    for code in sorted(groups):
        found = groups[code]
        first = found[0][1]
        links = "<br>".join(
            f'<a href="#f-{n}">{_text(d.location.host or "")} {_text(_where(d.location))}</a>'
            for n, d in found
        )
        out.append(
            f'<tr><td><a class="code" href="#rule-{_text(code)}">{_text(code)}</a> '
            f"{_text(first.name)}</td>"
            f'<td class="sev {first.severity}">{first.severity}</td><td>{links}</td></tr>'
        )
    if groups:
        out.append("</table>")
    out.append("</section>")
    return out


def _rule_pages(codes: list[str], report: Report) -> list[str]:
    out = ['<section id="rules"><h2>Rule pages</h2>']
    for code in codes:
        text = report.page_help(code)
        body = f"<pre>{_text(text)}</pre>" if text else '<p class="note">No page.</p>'
        out.append(
            f'<details id="rule-{_text(code)}"><summary class="code">{_text(code)}</summary>'
            f"{body}</details>"
        )
    out.append("</section>")
    return out


def _codes(codes: tuple[str, ...]) -> str:
    return f' <span class="codes">{_text(" ".join(codes))}</span>' if codes else ""


def _link_table(graph: StackGraph) -> str:
    """The stack as rows of links, for a page drawn without Graphviz."""
    nodes = {n.id: n for n in graph.nodes}

    def cell(node_id: str) -> str:
        node = nodes[node_id]
        label = _text(" / ".join(node.label))
        return f"<td>{_text(node.host)}</td><td>{label}{_codes(node.codes)}</td>"

    rows = [
        f"<tr>{cell(e.source)}<td>{_text(e.label)}{_codes(e.codes)}</td>{cell(e.target)}</tr>"
        for e in graph.edges
    ]
    lone = {n.id for n in graph.nodes} - {e.source for e in graph.edges}
    lone -= {e.target for e in graph.edges}
    rows += [f"<tr>{cell(i)}<td></td><td></td><td></td></tr>" for i in sorted(lone)]
    head = "<tr><th>host</th><th>from</th><th>link</th><th>host</th><th>to</th></tr>"
    return f'<table class="links">{head}{"".join(rows)}</table>'


# The zoom buttons: (id suffix, label); 100 is the natural size, "fit" the page's width.
_ZOOMS = (("fit", "fit"), ("50", "50%"), ("100", "100%"), ("150", "150%"), ("200", "200%"))
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)(pt|px)?"[^>]*?\bheight="([0-9.]+)(pt|px)?"')


def _zoomable(svg: str) -> str:
    """The SVG at its natural size in a scrolling frame, after the zoom buttons."""
    svg = svg[svg.find("<svg") :]
    size = _SVG_SIZE.search(svg)
    style = ""
    if size is not None:
        width, width_unit, height, height_unit = size.groups()
        width, height = width + (width_unit or "px"), height + (height_unit or "px")
        style = f' style="--width: {width}; --height: {height}"'
    buttons = "".join(
        f'<input class="zoom" type="radio" name="zoom" id="zoom-{key}"'
        f'{" checked" if key == "100" else ""}><label for="zoom-{key}">{label}</label>'
        for key, label in _ZOOMS
    )
    return f'<div class="zoomable">zoom: {buttons}<div class="stack"{style}>{svg}</div></div>'


def _legend_graph() -> StackGraph:
    """A sample stack, one element of each kind, drawn in the picture's shapes and colours.

    The two hosts are not linked, so that Graphviz stacks them and the legend stays narrow.
    """
    from xsanconf.graph import GraphEdge, GraphNode, HostCluster, StackGraph

    head, xen = "a SAN head (a host)", "a Xen host"
    hosts = (
        [
            GraphNode("disk", "disk", ("backing disk",), head),
            GraphNode("drbd", "drbd", ("DRBD resource", "its device here"), head),
            GraphNode(
                "lun",
                "lun",
                (
                    "IET / LIO / tgt / SCST LUN",
                    "target",
                    "identity: the setting it comes from",
                    "the WWID it presents",
                ),
                head,
            ),
        ],
        [
            GraphNode(
                "path", "path", ("iSCSI path", "to a head (its target): LUN", "(by WWID)"), xen
            ),
            GraphNode("map", "map", ("multipath map", "WWID, grouping policy"), xen),
            GraphNode("guest", "guest", ("guest disk", "red: has findings"), xen, ("CODE",)),
        ],
    )
    links = (("disk path", "device path"), ("alias or WWID", "disk line of the guest"))
    edges = tuple(
        GraphEdge(a.id, b.id, label)
        for chain, labels in zip(hosts, links, strict=True)
        for (a, b), label in zip(pairwise(chain), labels, strict=True)
    )
    nodes = tuple(node for chain in hosts for node in chain)
    return StackGraph((HostCluster(head), HostCluster(xen)), nodes, edges)


_LEGEND_TEXT = (
    "Each frame is a host. Shapes: cylinder, a backing disk; box, a DRBD resource; 3-D box, a "
    "target's LUN, labelled with its implementation (IET, LIO, tgt, SCST, or LU for a "
    "Pacemaker iSCSILogicalUnit) and the setting its identity comes from (IET "
    "<code>ScsiId</code>, LIO <code>wwn</code>, tgt <code>scsi_id</code>, SCST "
    "<code>t10_dev_id</code>, <code>eui64_id</code> or <code>naa_id</code>), or the "
    "implementation's default, which differs per head or repeats per server; ellipse, an iSCSI "
    "path (labelled with the head it reaches and that head's target implementation); double "
    "box, a multipath map; component, a guest's disk; note, findings of no host. An edge's "
    "label is what links its two ends: the disk path, DRBD replication between "
    "the peers of a resource, the device path a LUN exports, the WWID a LUN presents (to the "
    "iSCSI paths), the map's alias, the guest's disk line. "
    "Red elements, edges and frames have findings: their <code>codes:</code> line names the "
    'rules (see <a href="#by-rule">Findings by rule</a>).'
)


def _legend(svg: str) -> str:
    return (
        '<figure class="legend" id="legend"><figcaption><strong>Legend</strong></figcaption>'
        f'<div class="legend-picture">{svg[svg.find("<svg") :]}</div>'
        f"<p>{_LEGEND_TEXT}</p></figure>"
    )


def _picture(result: LintResult, report: Report) -> list[str]:
    from xsanconf.graph.render import GraphvizError, GraphvizNotFoundError, render_svg

    out = ['<section id="stack"><h2>The stack</h2>']
    graph = report.stack_graph(result.diagnostics)
    if graph is None:
        out.append('<p class="note">The stack is not available for this run.</p></section>')
        return out
    try:
        svg = render_svg(graph)
        legend = render_svg(_legend_graph())
    except (GraphvizNotFoundError, GraphvizError) as error:
        out.append(f'<p class="note">No picture: {_text(error)}. The links:</p>')
        out.append(_link_table(graph))
    else:
        out.append(_zoomable(svg))
        out.append(_legend(legend))
    hosts = [h for h in graph.hosts if h.codes]
    if graph.codes or hosts:
        items = [f"<li>{_text(h.name)}: {_text(' '.join(h.codes))}</li>" for h in hosts]
        if graph.codes:
            items.append(f"<li>site: {_text(' '.join(graph.codes))}</li>")
        out.append(
            "<p>Findings on hosts that no element of the picture stands for:</p>"
            f'<ul class="codes">{"".join(items)}</ul>'
        )
    out.append("</section>")
    return out


def report(result: LintResult, options: Report) -> str:
    numbered = list(enumerate(result.diagnostics, 1))
    summary = summary_line(result, options.hosts)
    codes = sorted({d.code for d in result.diagnostics})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>xsanlint report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>xsanlint report</h1>",
        f'<p class="summary">{_text(summary)}</p>',
        '<nav><a href="#stack">stack</a><a href="#by-host">by host</a>'
        '<a href="#by-rule">by rule</a><a href="#rules">rule pages</a></nav>',
        *_picture(result, options),
        *_by_host(numbered, options),
        *_by_rule(numbered),
        *_rule_pages(codes, options),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
