"""xsanlint query / export: the tables over the site facts, their filters, formats and schema."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

from tests.lint.conftest import Runner
from xsanconf.lint.query import QUERIES, SCHEMA, QueryContext, export, run_query
from xsanconf.lint.site import Site

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "fixtures" / "sites"
SCHEMA_FILE = REPO / "xsanconf" / "schemas" / "site-export.schema.json"
STACK_OK = SITES / "stack-ok"
WWID_A = "14945540000000000766d2d61000000000000000000000000"
WWID_B = "14945540000000000766d2d62000000000000000000000000"


def table(name: str, site: Path, *args: str, xsanlint: Runner) -> list[dict[str, object]]:
    code, out, err = xsanlint("query", name, site, "--format", "json", *args)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    return rows


def test_luns_of_a_replicated_pair(xsanlint: Runner) -> None:
    rows = table("luns", STACK_OK, xsanlint=xsanlint)
    assert [(r["host"], r["lun"], r["drbd"], r["wwid"], r["cache"]) for r in rows] == [
        ("san1", 0, "vm-a/0", WWID_A, "write-through"),
        ("san1", 1, "vm-b/0", WWID_B, "write-through"),
        ("san2", 0, "vm-a/0", WWID_A, "write-through"),
        ("san2", 1, "vm-b/0", WWID_B, "write-through"),
    ]
    assert {r["implementation"] for r in rows} == {"iet"}


def test_paths_name_the_heads_that_present_each_map(xsanlint: Runner) -> None:
    rows = table("paths", STACK_OK, xsanlint=xsanlint)
    assert [(r["initiator"], r["map"], r["heads"]) for r in rows] == [
        ("xen1", "vm-a", ["san1", "san2"]),
        ("xen1", "vm-b", ["san1", "san2"]),
        ("xen2", "vm-a", ["san1", "san2"]),
        ("xen2", "vm-b", ["san1", "san2"]),
    ]


def test_guests_and_the_hosts_that_can_run_them(xsanlint: Runner) -> None:
    rows = table("guests", STACK_OK, "--where", "host=xen1", xsanlint=xsanlint)
    assert [(r["guest"], r["map"], r["wwid"], r["hosts"]) for r in rows] == [
        ("vm-a", "vm-a", WWID_A, ["xen1", "xen2"]),
        ("vm-b", "vm-b", WWID_B, ["xen1", "xen2"]),
    ]


def test_example_site_tables(xsanlint: Runner) -> None:
    example = SITES / "example"
    hosts = table("hosts", example, xsanlint=xsanlint)
    assert [(r["host"], r["roles"], r["drbd"]) for r in hosts] == [
        ("san1", ["drbd", "target"], "8.4 or 9"),
        ("san2", ["drbd", "target"], "8.4 or 9"),
        ("xen1", ["initiator", "multipath"], "8.4 or 9"),
        ("xen2", ["initiator", "multipath"], "8.4 or 9"),
    ]
    drbd = table("drbd", example, xsanlint=xsanlint)
    assert [(r["host"], r["resource"], r["device"], r["peers"], r["protocol"]) for r in drbd] == [
        ("san1", "xensan", "/dev/drbd0", ["san2"], ["C"]),
        ("san2", "xensan", "/dev/drbd0", ["san1"], ["C"]),
    ]
    luns = table("luns", example, xsanlint=xsanlint)
    # the example's deliberate mistake: san2 sets no ScsiId, so the heads present two WWIDs
    assert [(r["host"], r["identity"]) for r in luns] == [("san1", "ScsiId"), ("san2", "default")]
    assert luns[0]["wwid"] != luns[1]["wwid"]
    initiators = table("initiators", example, xsanlint=xsanlint)
    assert [(r["host"], r["startup"], r["replacement_timeout"]) for r in initiators] == [
        ("xen1", "manual", "120"),
        ("xen2", "automatic", "120"),
    ]
    paths = table("paths", example, xsanlint=xsanlint)
    assert [(r["initiator"], r["map"], r["heads"]) for r in paths] == [
        ("xen1", "xensan", ["san1"]),
        ("xen2", "xensan", ["san1"]),
    ]
    boot = table("boot", example, xsanlint=xsanlint)
    assert [(r["host"], r["first"], r["second"], r["order"]) for r in boot] == [
        ("san1", "drbd", "iscsitarget", None),  # the example carries no rc links or units
        ("san2", "drbd", "iscsitarget", None),
        ("xen1", "open-iscsi", "multipathd", None),
        ("xen2", "open-iscsi", "multipathd", None),
    ]


def test_boot_order_from_runlevel_links(xsanlint: Runner, tmp_path: Path) -> None:
    root = tmp_path / "san1"
    (root / "etc" / "drbd.d").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("san1\n")
    (root / "etc" / "drbd.conf").write_text(
        "resource r0 {\n  on san1 { device /dev/drbd0; disk /dev/sda1; "
        "address 10.0.0.1:7788; meta-disk internal; }\n"
        "  on san2 { device /dev/drbd0; disk /dev/sda1; "
        "address 10.0.0.2:7788; meta-disk internal; }\n}\n"
    )
    (root / "etc" / "init.d").mkdir()
    for script in ("drbd", "iscsitarget"):
        (root / "etc" / "init.d" / script).write_text("#!/bin/sh\n")
    (root / "etc" / "rc2.d").mkdir()
    (root / "etc" / "rc2.d" / "S20iscsitarget").symlink_to("../init.d/iscsitarget")
    (root / "etc" / "rc2.d" / "S70drbd").symlink_to("../init.d/drbd")
    rows = table("boot", root, xsanlint=xsanlint)
    assert [(r["mechanism"], r["first"], r["second"], r["order"]) for r in rows] == [
        ("links", "drbd", "iscsitarget", "after")
    ]


def test_where_filters_and_its_errors(xsanlint: Runner) -> None:
    both = ("--where", "heads=san2", "--where", "map=vm-b")
    rows = table("paths", STACK_OK, *both, xsanlint=xsanlint)
    assert [r["initiator"] for r in rows] == ["xen1", "xen2"]
    assert table("luns", STACK_OK, "--where", "lun=1", "--where", "host=san2", xsanlint=xsanlint)
    code, _, err = xsanlint("query", "luns", STACK_OK, "--where", "colour=red")
    assert code == 2 and "luns has no column 'colour'" in err
    code, _, err = xsanlint("query", "luns", STACK_OK, "--where", "host")
    assert code == 2 and "use COLUMN=VALUE" in err
    code, _, err = xsanlint("query", "nothing", STACK_OK)
    assert code == 2 and "no query 'nothing'" in err
    code, _, err = xsanlint("query", "luns", STACK_OK, "--format", "yaml")
    assert code == 2 and "use text, json or csv" in err


def test_text_and_csv_render_the_same_table(xsanlint: Runner) -> None:
    code, text, _ = xsanlint("query", "luns", STACK_OK)
    assert code == 0
    header, *lines = text.splitlines()
    assert header.split() == [c.upper() for c in QUERIES["luns"].columns]
    assert len(lines) == 4
    code, out, _ = xsanlint("query", "paths", STACK_OK, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["heads"] == "san1,san2" and rows[0]["map"] == "vm-a"
    assert list(rows[0]) == list(QUERIES["paths"].columns)


def test_unknown_cells_are_dashes_in_text_and_null_in_json(xsanlint: Runner) -> None:
    code, text, _ = xsanlint("query", "hosts", SITES / "example")
    assert code == 0
    san1 = next(line for line in text.splitlines() if line.startswith("san1"))
    assert " - " in san1  # the multipath version of a head without multipath-tools
    assert table("hosts", SITES / "example", xsanlint=xsanlint)[0]["multipath"] is None


@pytest.mark.parametrize("site", ["example", "stack-ok", "stack-identity-mismatch", "drbd-drift"])
def test_export_matches_its_schema(xsanlint: Runner, site: str, tmp_path: Path) -> None:
    out = tmp_path / "site.json"
    code, _, err = xsanlint("export", SITES / site, "--output", out)
    assert code == 0, err
    data = json.loads(out.read_text())
    assert data["schema"] == SCHEMA
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert set(data["tables"]) == set(QUERIES)
    assert {f["kind"] for h in data["hosts"] for f in h["files"]}


def test_the_schema_documents_every_column() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    tables = schema["properties"]["tables"]["properties"]
    for name, query in QUERIES.items():
        assert tuple(tables[name]["items"]["properties"]) == query.columns, name
        assert tables[name]["items"]["required"] == list(query.columns), name


def _bench() -> ModuleType:
    bench = REPO / "benchmarks" / "bench_lint.py"
    spec = importlib.util.spec_from_file_location("bench_lint", bench)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_query_on_a_generated_500_host_site(tmp_path: Path) -> None:
    site_root = _bench().generate(tmp_path, 500)
    site = Site.load([site_root])
    ctx = QueryContext(site)
    luns = run_query("luns", ctx)
    heads = [h for h in site.hosts if h.documents("ietd")]
    assert len(luns.rows) == 2 * len(heads)  # two LUNs per head
    assert all(r["wwid"] and r["drbd"] for r in luns.rows)
    paths = run_query("paths", ctx)
    assert paths.rows and all(len(r["heads"]) == 2 for r in paths.rows)  # type: ignore[arg-type]
    for name in QUERIES:
        assert run_query(name, ctx).rows, name
    data = export(ctx)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
