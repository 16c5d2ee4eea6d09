"""xsanlint query / export: the tables over the site facts, their filters, formats and schema."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shutil
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


LUN_COLUMNS = ("host", "implementation", "identity", "wwid", "cache", "access")


def _luns(site: str, xsanlint: Runner) -> list[tuple[object, ...]]:
    rows = table("luns", SITES / site, xsanlint=xsanlint)
    return [tuple(r[c] for c in LUN_COLUMNS) for r in rows]


def test_luns_of_lio_heads(xsanlint: Runner) -> None:
    # san1 writes back and lets any initiator in; san2 has an ACL with CHAP
    assert _luns("lio-pair-bad", xsanlint) == [
        ("san1", "lio", "wwn", "360014050b6f3c527d1e4a8b9c3d2e4f6", "write-back", ["open"]),
        (
            "san2",
            "lio",
            "wwn",
            "36001405f41d8e273a9c4b5d8e6f7a1b2",
            "write-through",
            ["initiators", "chap"],
        ),
    ]


def test_luns_of_tgt_servers(xsanlint: Runner) -> None:
    rows = _luns("tgt-servers", xsanlint)
    assert [r[:3] for r in rows] == [
        ("san1", "tgt", "scsi_id"),
        ("san2", "tgt", "scsi_id"),
        ("tgt1", "tgt", "default"),
        ("tgt2", "tgt", "default"),
    ]
    # tgtd's default identity: tid 1, LUN 1 on both servers
    assert rows[2][3] == rows[3][3] == "360000000000000000e00000000010001"


def test_luns_of_scst_heads(xsanlint: Runner) -> None:
    assert _luns("scst-pair-bad", xsanlint) == [
        ("san1", "scst", "t10_dev_id", "2766d73746f72652d", "write-through", ["chap"]),
        ("san2", "scst", "default", "26431613962656461", "write-back", ["chap"]),
    ]


def test_luns_of_iet_heads_with_chap(xsanlint: Runner) -> None:
    rows = _luns("state-ok", xsanlint)
    assert {(r[1], r[2], r[5] and tuple(r[5])) for r in rows} == {("iet", "ScsiId", ("chap",))}


def test_paths_name_the_implementations(xsanlint: Runner) -> None:
    rows = table("paths", SITES / "state-ok", "--where", "initiator=xen1", xsanlint=xsanlint)
    assert [(r["map"], r["heads"], r["implementations"]) for r in rows] == [
        ("vm-a", ["san1", "san2"], ["iet"]),
        ("vm-b", ["san1", "san2"], ["iet"]),
    ]


def test_drbd_roles_and_connections_when_captured(xsanlint: Runner) -> None:
    columns = ("host", "resource", "role", "disk_state", "connection", "peer_roles")
    rows = table("drbd", SITES / "state-broken", xsanlint=xsanlint)
    assert [tuple(r[c] for c in columns) for r in rows] == [
        # san1: drbdsetup status (9), peers by name
        ("san1", "vm-a", "Primary", "UpToDate", ["san2=Connected"], ["san2=Primary"]),
        ("san1", "vm-b", "Primary", "UpToDate", ["san2=StandAlone"], ["san2=Unknown"]),
        # san2: 8.4's /proc/drbd, which names no peer: the configuration's one
        ("san2", "vm-a", "Primary", "UpToDate", ["san1=Connected"], ["san1=Primary"]),
        ("san2", "vm-b", "Secondary", "UpToDate", ["san1=StandAlone"], ["san1=Unknown"]),
    ]


def test_drbd_state_is_unknown_without_a_capture(xsanlint: Runner) -> None:
    rows = table("drbd", SITES / "lio-pair-bad", xsanlint=xsanlint)
    assert rows and all(
        r[c] is None for r in rows for c in ("role", "disk_state", "connection", "peer_roles")
    )


def test_a_resource_missing_from_the_status_capture_is_down(tmp_path: Path) -> None:
    for host in ("san1", "san2"):
        shutil.copytree(SITES / "state-ok" / host, tmp_path / host)
    status = tmp_path / "san1" / "captures" / "drbdadm-status.txt"
    status.write_text(status.read_text().split("\n\nvm-b")[0] + "\n")
    rows = run_query("drbd", QueryContext(Site.load([tmp_path]))).rows
    san1 = {r["resource"]: r for r in rows if r["host"] == "san1"}
    assert san1["vm-b"]["role"] == "down" and san1["vm-b"]["connection"] == []
    assert san1["vm-a"]["role"] == "Primary"


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


@pytest.mark.parametrize(
    "site",
    [
        "example",
        "stack-ok",
        "stack-identity-mismatch",
        "drbd-drift",
        "state-broken",
        "lio-pair-bad",
        "tgt-servers",
        "scst-pair-bad",
        "example-pacemaker",
    ],
)
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


def _dpkg(*packages: tuple[str, str]) -> str:
    return "".join(
        f"Package: {name}\nStatus: install ok installed\nVersion: {version}\n\n"
        for name, version in packages
    )


def test_hosts_show_the_target_software_and_its_versions(xsanlint: Runner, tmp_path: Path) -> None:
    from tests.lint.sites import write_site

    lio = (SITES / "lio-pair" / "san1" / "etc" / "target" / "saveconfig.json").read_text()
    tgt = (SITES / "tgt-servers" / "tgt1" / "etc" / "tgt" / "conf.d" / "backup.conf").read_text()
    write_site(
        tmp_path,
        {
            # LIO: the kernel's version, from lib/modules; targetcli beside it
            "lio1": {
                "etc/target/saveconfig.json": lio,
                "var/lib/dpkg/status": _dpkg(("targetcli-fb", "1:2.1.53-1.1")),
                "lib/modules/6.1.0-18-amd64/modules.dep": "",
            },
            # LIO without lib/modules: the kernel packages
            "lio2": {
                "etc/target/saveconfig.json": lio,
                "var/lib/dpkg/status": _dpkg(("linux-image-6.1.0-18-amd64", "6.1.76-1")),
            },
            "tgt1": {
                "etc/tgt/targets.conf": tgt,
                "var/lib/dpkg/status": _dpkg(("tgt", "1:1.0.85-1+deb12u1")),
            },
            "scst1": {"var/lib/dpkg/status": _dpkg(("scstadmin", "3.7.0-1"))},
            # a kernel alone runs no LIO: nothing is said of it
            "xen1": {"var/lib/dpkg/status": _dpkg(("linux-image-6.1.0-18-amd64", "6.1.76-1"))},
        },
    )
    rows = {r["host"]: r for r in table("hosts", tmp_path, xsanlint=xsanlint)}
    columns = ("targets", "lio", "tgt", "scst")
    assert {h: tuple(r[c] for c in columns) for h, r in rows.items()} == {
        "lio1": (["lio"], "6.1.0-18-amd64", None, None),
        "lio2": (["lio"], "6.1.0-18-amd64", None, None),
        "scst1": ([], None, None, "3.7.0"),
        "tgt1": (["tgt"], None, "1.0.85", None),
        "xen1": ([], None, None, None),
    }
    evidence = rows["lio1"]["evidence"]
    assert isinstance(evidence, list)
    assert "lio: lib/modules: 6.1.0-18-amd64" in evidence
    assert "lio: var/lib/dpkg/status: targetcli-fb 1:2.1.53-1.1" in evidence
    code, text, _ = xsanlint("hosts", tmp_path)
    assert code == 0
    assert any(line.split()[:3] == ["tgt1", "tgt", "1.0.85"] for line in text.splitlines()), text
