"""Where the site loader finds a host's CIB: on disk, a capture beside etc/, crm_report's copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.lint.site import Site

CIB = (
    '<cib epoch="{n}"><configuration><nodes><node id="1" uname="{n}"/></nodes>'
    "</configuration></cib>\n"
)


@pytest.mark.parametrize(
    ("files", "read"),
    [
        (["var/lib/pacemaker/cib/cib.xml", "cib.xml"], "var/lib/pacemaker/cib/cib.xml"),
        (["cib.xml", "sos_commands/pacemaker/crm_report/san1/cib.xml"], "cib.xml"),
        (["var/lib/heartbeat/crm/cib.xml"], "var/lib/heartbeat/crm/cib.xml"),
        (
            [
                "sos_commands/pacemaker/crm_report/a-node/cib.xml",
                "sos_commands/pacemaker/crm_report/san1/cib.xml",
            ],
            "sos_commands/pacemaker/crm_report/san1/cib.xml",  # the host's own node first
        ),
        (
            ["sos_commands/pacemaker/crm_report/other/cib.xml"],
            "sos_commands/pacemaker/crm_report/other/cib.xml",
        ),
    ],
)
def test_one_cib_a_host_the_first_found(tmp_path: Path, files: list[str], read: str) -> None:
    write_site(tmp_path, {"san1": {rel: CIB.format(n=i) for i, rel in enumerate(files)}})
    site = Site.load([tmp_path])
    (host,) = site.hosts
    found = host.documents("cib")
    assert [f.rel for f in found] == [read]
    assert found[0].doc.model.nodes[0].uname == str(files.index(read))


def test_a_cib_file_given_alone_loads_its_host(tmp_path: Path) -> None:
    write_site(tmp_path, {"san1": {"var/lib/pacemaker/cib/cib.xml": CIB.format(n=1)}})
    site = Site.load([tmp_path / "san1" / "var/lib/pacemaker/cib/cib.xml"])
    assert [h.name for h in site.hosts] == ["san1"]
    assert site.hosts[0].documents("cib")


def test_a_hostile_cib_is_a_syntax_error_not_a_crash(tmp_path: Path) -> None:
    from xsanconf.lint.engine import lint

    bad = '<!DOCTYPE x [<!ENTITY a "b">]>\n<cib>&a;</cib>\n'
    write_site(tmp_path, {"san1": {"var/lib/pacemaker/cib/cib.xml": bad}})
    found = lint(Site.load([tmp_path])).diagnostics
    assert [(d.code, d.location.line, d.location.column) for d in found] == [("SYN001", 1, 1)]


@pytest.mark.parametrize("rel", ["cib.xml", "sos_commands/pacemaker/crm_report/san1/cib.xml"])
def test_a_captured_cib_given_alone_loads_its_host(tmp_path: Path, rel: str) -> None:
    """As the pre-commit hook passes a changed capture: it names its host root."""
    write_site(tmp_path, {"san1": {rel: CIB.format(n=1)}})
    site = Site.load([tmp_path / "san1" / rel])
    assert [h.name for h in site.hosts] == ["san1"]
    assert [f.rel for f in site.hosts[0].documents("cib")] == [rel]


def test_a_cib_xml_elsewhere_names_no_host(tmp_path: Path) -> None:
    from xsanconf.lint.site import SiteError

    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "cib.xml").write_text(CIB.format(n=1))
    with pytest.raises(SiteError):
        Site.load([tmp_path / "notes" / "cib.xml"])
