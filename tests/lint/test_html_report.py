"""``xsanlint --format html``: one self-contained page with the picture and every finding."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lint.conftest import SITES, Runner
from tests.lint.sites import write_site
from tests.lint.test_secrets import MARK, SITE

EXAMPLE = SITES / "example"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER_TIMEOUT = 120


def _report(xsanlint: Runner, *args: str | Path) -> str:
    code, out, err = xsanlint(*args, "--format", "html")
    assert code in (0, 1), err
    return out


def _diagnostics(xsanlint: Runner, *args: str | Path) -> list[dict[str, object]]:
    _, out, _ = xsanlint(*args, "--format", "json")
    found: list[dict[str, object]] = json.loads(out)["diagnostics"]
    return found


def test_self_contained(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    for fetch in ("<script", "<link", "<iframe", "<img", "@import", "url("):
        assert fetch not in page.lower()


def test_every_finding_is_listed_once(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    found = _diagnostics(xsanlint, EXAMPLE)
    assert len(found) > 10
    assert page.count('<article class="finding') == len(found)
    for number, d in enumerate(found, 1):
        article = page.split(f'id="f-{number}">', 1)[1].split("</article>", 1)[0]
        assert f'href="#rule-{d["code"]}">{d["code"]}</a>' in article
        assert html.escape(str(d["message"])) in article
        assert f"{html.escape(str(d['path']))}:{d['line']}:{d['column']}" in article
        assert f'href="#f-{number}"' in page  # listed under its rule too
    for code in {d["code"] for d in found}:
        assert page.count(f'<details id="rule-{code}">') == 1


def test_findings_grouped_by_host_and_rule(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    hosts = re.findall(r'<h3 id="host-\d+">(\w+) \((\d+)\)</h3>', page)
    assert [h for h, _ in hosts] == ["san1", "san2", "xen1", "xen2"]
    by_host: dict[str, int] = {}
    for d in _diagnostics(xsanlint, EXAMPLE):
        by_host[str(d["host"])] = by_host.get(str(d["host"]), 0) + 1
    assert {h: int(n) for h, n in hosts} == by_host
    by_rule = page.split('<section id="by-rule">', 1)[1].split("</section>", 1)[0]
    assert by_rule.count("<tr>") == 1 + len({d["code"] for d in _diagnostics(xsanlint, EXAMPLE)})


def test_source_line_and_rule_page(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    assert '<span class="hit">   10 |                 become-primary-on both;</span>' in page
    rule = page.split('<details id="rule-DRBD001">', 1)[1].split("</details>", 1)[0]
    assert "# DRBD001 dual-primary-not-allowed" in rule and "## Why" in rule


NO_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


@NO_DOT
def test_the_picture_is_inline_svg(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    svg = page.split('<div class="stack"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "codes: IET004" in svg


@NO_DOT
def test_the_picture_keeps_its_natural_size_with_zoom_buttons(xsanlint: Runner) -> None:
    page = _report(xsanlint, EXAMPLE)
    size = re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', page)
    assert size is not None
    # the frame carries the natural size; CSS scales it by the checked zoom button
    assert f'<div class="stack" style="--width: {size[1]}pt; --height: {size[2]}pt">' in page
    assert re.findall(r'id="zoom-(\w+)"( checked)?>', page) == [
        ("fit", ""),
        ("50", ""),
        ("100", " checked"),
        ("150", ""),
        ("200", ""),
    ]
    assert "max-width: 100%" not in page  # what shrank the picture until it was unreadable


@NO_DOT
def test_the_legend_draws_every_kind_of_element(xsanlint: Runner) -> None:
    from xsanconf.graph import KINDS
    from xsanconf.lint.reporters.html import _legend_graph

    page = _report(xsanlint, EXAMPLE)
    legend = page.split('<figure class="legend" id="legend">', 1)[1].split("</figure>", 1)[0]
    graph = _legend_graph()
    assert {n.kind for n in graph.nodes} == set(KINDS) - {"host"}  # hosts are the frames
    assert legend.count("<svg") == 1
    for node in graph.nodes:
        assert f">{node.label[0]}</text>" in legend
    assert "red: has findings" in legend and "codes: CODE" in legend
    for edge in graph.edges:
        assert f">{html.escape(edge.label)}</text>" in legend
    assert "Red elements, edges and frames have findings" in legend


def test_without_graphviz_a_table(xsanlint: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = _report(xsanlint, EXAMPLE)
    assert "<svg" not in page
    assert "No picture: Graphviz&#x27;s `dot` is not installed" in page
    assert '<table class="links">' in page
    assert "<td>/dev/drbd0</td>" in page
    assert re.search(r'<td>IET LUN 0 / [^<]* <span class="codes">[^<]*IET004', page)


def test_hostile_names_are_escaped(xsanlint: Runner, tmp_path: Path) -> None:
    # kmod ignores a modprobe.d file without .conf: MOD003 names the file
    site = write_site(
        tmp_path / "site",
        {"h1": {"etc/modprobe.d/<script>alert(1)<": "options sbp2 x=1 <b>&amp;\n"}},
    )
    page = _report(xsanlint, site, "--isolated")
    assert "MOD003" in page
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;" in page
    assert "x=1 &lt;b&gt;&amp;amp;" in page


def test_no_secrets(xsanlint: Runner, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    page = _report(xsanlint, site, "--isolated")
    assert page.count('<article class="finding') >= 5
    assert MARK not in page
    assert "Tr0ub4dor" not in _report(xsanlint, EXAMPLE)
    # the check can fail: the secrets are there when asked for
    assert MARK in _report(xsanlint, site, "--isolated", "--show-secrets")


def _browser() -> str | None:
    return next((found for b in BROWSERS if (found := shutil.which(b))), None)


def _run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}"]
    try:
        return subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError) as error:
        pytest.skip(f"{browser} could not run headless here: {error}")


def test_renders_in_headless_chromium(xsanlint: Runner, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip(
            "no chromium, chromium-browser or google-chrome (Debian: apt-get install chromium)"
        )
    target = tmp_path / "report.html"
    code, _, err = xsanlint(EXAMPLE, "--format", "html", "--output", target)
    assert code == 1, err
    url = target.resolve().as_uri()
    shot = tmp_path / "report.png"
    done = _run_browser(
        browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000", url
    )
    if not shot.exists():
        pytest.skip(f"{browser} took no screenshot (exit {done.returncode}): {done.stderr[-500:]}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = _run_browser(browser, tmp_path / "profile", "--dump-dom", url).stdout
    assert "<h1>xsanlint report</h1>" in dom, dom[-2000:]
    if shutil.which("dot"):
        assert "<svg" in dom and "</svg>" in dom
    found = _diagnostics(xsanlint, EXAMPLE)
    for number, d in enumerate(found, 1):
        assert f'id="f-{number}"' in dom
        assert html.escape(str(d["message"]), quote=False) in dom


# Measures the laid-out page; appended to a copy of the report only (the report has no script).
MEASURE = """<script>
const find = (query) => document.querySelector(query);
const size = (query, side) => (find(query) ? find(query).getBoundingClientRect()[side] : 0);
const natural = (query) => (find(query) ? find(query).width.baseVal.value : 0);
const press = (id) => { const on = document.getElementById(id); if (on) on.checked = true; };
const frame = find('.stack');
const measured = {natural: natural('.stack svg'), shown: size('.stack svg', 'width'),
  frame: frame.clientWidth, scrolls: frame.scrollWidth > frame.clientWidth,
  legend: size('#legend', 'height'), legend_picture: size('.legend svg', 'width'),
  legend_natural: natural('.legend svg')};
press('zoom-200'); measured.double = size('.stack svg', 'width');
press('zoom-fit'); measured.fit = size('.stack svg', 'width');
const out = document.createElement('pre'); out.id = 'measured';
out.textContent = JSON.stringify(measured); document.body.append(out);
</script>"""


@NO_DOT
def test_the_picture_is_readable_in_headless_chromium(xsanlint: Runner, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium, chromium-browser or google-chrome")
    page = _report(xsanlint, EXAMPLE)
    target = tmp_path / "measure.html"
    target.write_text(page.replace("</body>", MEASURE + "</body>"))
    done = _run_browser(
        browser, tmp_path / "profile", "--window-size=1280,2000", "--dump-dom", target.as_uri()
    )
    found = re.search(r'<pre id="measured">([^<]*)</pre>', done.stdout)
    if found is None:
        pytest.skip(f"{browser} ran no script (exit {done.returncode}): {done.stderr[-500:]}")
    measured = json.loads(html.unescape(found[1]))
    # natural size (no shrinking to the page), in a frame that scrolls to show the rest
    assert measured["shown"] >= measured["natural"] - 1, measured
    assert measured["natural"] > measured["frame"] and measured["scrolls"], measured
    assert abs(measured["double"] - 2 * measured["natural"]) <= 2, measured
    assert measured["fit"] <= measured["frame"], measured
    assert measured["legend"] > 100, measured
    assert measured["legend_picture"] >= measured["legend_natural"] - 1, measured
