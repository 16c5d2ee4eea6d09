"""DRBD001-DRBD010 on small sites: what fires, what must not, per targeted version, and fixes."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.corpus import CORPUS
from tests.lint.drbdadm import DRBDADM, run_dump
from tests.lint.sites import apply, messages, write_site
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"

SAN1 = (
    "    device /dev/drbd0;\n"
    "    disk /dev/vg00/r0;\n"
    "    address 10.0.0.1:7788;\n"
    "    meta-disk internal;\n"
)
SAN2 = SAN1.replace("10.0.0.1", "10.0.0.2")


def resource(body: str = "", name: str = "r0", san1: str = SAN1, san2: str = SAN2) -> str:
    """A two-node resource with complete host sections; ``body`` goes before them."""
    return f"resource {name} {{\n{body}  on san1 {{\n{san1}  }}\n  on san2 {{\n{san2}  }}\n}}\n"


def run(
    tmp_path: Path,
    code: str,
    hosts: Mapping[str, Mapping[str, str]] | str,
    version: str = "9",
) -> list[Diagnostic]:
    """Lint a site with one rule; a plain text is san1's /etc/drbd.conf."""
    if isinstance(hosts, str):
        hosts = {"san1": {"etc/drbd.conf": hosts}}
    write_site(tmp_path / "site", hosts)
    result = lint(
        Site.load([tmp_path / "site"]), LintOptions(select=(code,), versions={"drbd": version})
    )
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


def fixed(found: list[Diagnostic], text: str) -> str:
    assert len(found) == 1, messages(found)
    fix = found[0].fix
    assert fix is not None
    return apply(text, fix.edits)


# DRBD001 dual-primary-not-allowed ---------------------------------------------------------------

BOTH = "  startup {\n    become-primary-on both;\n  }\n"


@pytest.mark.parametrize("version", ["8.3", "8.4", "9"])
def test_drbd001_become_primary_on_both_without_allow(tmp_path: Path, version: str) -> None:
    found = run(tmp_path, "DRBD001", resource(BOTH), version)
    assert len(found) == 1
    assert "resource r0" in found[0].message and "allow-two-primaries" in found[0].message
    assert (found[0].location.line, found[0].location.column) == (3, 5)
    assert found[0].location.host == "san1"


def test_drbd001_two_hosts_named(tmp_path: Path) -> None:
    text = resource("  startup { become-primary-on san1 san2; }\n")
    assert len(run(tmp_path, "DRBD001", text, "8.4")) == 1


def test_drbd001_one_host_named_is_fine(tmp_path: Path) -> None:
    assert run(tmp_path, "DRBD001", resource("  startup { become-primary-on san1; }\n")) == []


def test_drbd001_allow_inherited_from_common(tmp_path: Path) -> None:
    text = "common {\n  net { allow-two-primaries yes; }\n}\n" + resource(BOTH)
    assert run(tmp_path, "DRBD001", text, "8.4") == []


def test_drbd001_resource_overrides_common(tmp_path: Path) -> None:
    text = "common {\n  net { allow-two-primaries yes; }\n}\n" + resource(
        BOTH + "  net { allow-two-primaries no; }\n"
    )
    assert len(run(tmp_path, "DRBD001", text, "8.4")) == 1


def test_drbd001_startup_from_common(tmp_path: Path) -> None:
    text = "common {\n" + BOTH + "}\n" + resource() + resource(name="r1")
    found = run(tmp_path, "DRBD001", text, "8.4")
    assert sorted(m.split(":")[0] for m in messages(found)) == ["resource r0", "resource r1"]


def test_drbd001_83_bare_flag_counts(tmp_path: Path) -> None:
    text = resource(BOTH + "  net { allow-two-primaries; }\n  protocol C;\n")
    assert run(tmp_path, "DRBD001", text, "8.3") == []


def test_drbd001_fix_adds_to_existing_net(tmp_path: Path) -> None:
    text = resource(BOTH + "  net {\n    protocol C;\n  }\n")
    found = run(tmp_path, "DRBD001", text, "8.4")
    assert found[0].fix is not None and not found[0].fix.safe
    assert fixed(found, text) == text.replace(
        "    protocol C;\n", "    protocol C;\n    allow-two-primaries yes;\n"
    )


def test_drbd001_fix_creates_net_and_uses_83_flag(tmp_path: Path) -> None:
    text = resource(BOTH)
    result = fixed(run(tmp_path, "DRBD001", text, "8.3"), text)
    assert result == text.replace("  }\n}\n", "  }\n  net {\n    allow-two-primaries;\n  }\n}\n")


def test_drbd001_fix_writes_the_flag_every_candidate_reads(tmp_path: Path) -> None:
    """drbd-utils 8.9 with no kernel evidence may run 8.3, 8.4 or 9: the bare flag, which
    all three read (8.3 refuses "allow-two-primaries yes")."""
    text = resource(BOTH)
    status = "Package: drbd-utils\nStatus: install ok installed\nVersion: 8.9.10-2\n"
    write_site(tmp_path, {"san1": {"etc/drbd.conf": text, "var/lib/dpkg/status": status}})
    result = lint(Site.load([tmp_path]), LintOptions(select=("DRBD001",)))
    assert fixed(list(result.diagnostics), text) == text.replace(
        "  }\n}\n", "  }\n  net {\n    allow-two-primaries;\n  }\n}\n"
    )


# DRBD002 dual-primary-needs-protocol-c ---------------------------------------------------------

ALLOW = "  net { allow-two-primaries yes; }\n"


def test_drbd002_resource_level_protocol_a(tmp_path: Path) -> None:
    found = run(tmp_path, "DRBD002", resource("  protocol A;\n" + ALLOW))
    assert len(found) == 1
    assert "protocol is A" in found[0].message
    assert found[0].location.line == 3  # the allow-two-primaries statement
    assert [r.line for r in found[0].related] == [2]


def test_drbd002_protocol_inherited_from_common(tmp_path: Path) -> None:
    text = "common { protocol b; }\n" + resource(ALLOW)
    assert "protocol is B" in run(tmp_path, "DRBD002", text, "8.4")[0].message


@pytest.mark.parametrize("protocol", ["", "  protocol C;\n", "  net { protocol c; }\n"])
def test_drbd002_protocol_c_or_default(tmp_path: Path, protocol: str) -> None:
    assert run(tmp_path, "DRBD002", resource(protocol + ALLOW)) == []


def test_drbd002_single_primary_may_use_protocol_a(tmp_path: Path) -> None:
    assert run(tmp_path, "DRBD002", resource("  protocol A;\n")) == []


def test_drbd002_connection_net_of_drbd9(tmp_path: Path) -> None:
    body = ALLOW + "  connection {\n    host san1;\n    host san2;\n    net { protocol A; }\n  }\n"
    assert len(run(tmp_path, "DRBD002", resource(body))) == 1


# DRBD003 dual-primary-without-fencing ----------------------------------------------------------


def test_drbd003_no_fencing_no_handler(tmp_path: Path) -> None:
    found = run(tmp_path, "DRBD003", resource(ALLOW))
    assert len(found) == 1
    assert "fencing is not set" in found[0].message and "fence-peer" in found[0].message


def test_drbd003_weak_fencing(tmp_path: Path) -> None:
    body = (
        "  net { allow-two-primaries yes; fencing resource-only; }\n"
        '  handlers { fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh"; }\n'
    )
    found = run(tmp_path, "DRBD003", resource(body))
    assert messages(found) and "fencing is resource-only" in found[0].message
    assert "handler" not in found[0].message


def test_drbd003_fencing_and_handler_from_common(tmp_path: Path) -> None:
    common = (
        "common {\n  net { fencing resource-and-stonith; }\n"
        '  handlers { fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh"; }\n}\n'
    )
    assert run(tmp_path, "DRBD003", common + resource(ALLOW)) == []


def test_drbd003_84_disk_fencing_and_outdate_peer_alias(tmp_path: Path) -> None:
    body = (
        ALLOW + "  disk { fencing resource-and-stonith; }\n"
        '  handlers { outdate-peer "/usr/lib/drbd/crm-fence-peer.sh"; }\n'
    )
    assert run(tmp_path, "DRBD003", resource(body), "8.4") == []


def test_drbd003_single_primary_is_not_judged(tmp_path: Path) -> None:
    assert run(tmp_path, "DRBD003", resource()) == []


# DRBD004 host-sections --------------------------------------------------------------------------


def host_named(hostname: str, text: str) -> dict[str, dict[str, str]]:
    return {"san1": {"etc/hostname": hostname + "\n", "etc/drbd.conf": text}}


def test_drbd004_hostname_matches_no_section(tmp_path: Path) -> None:
    found = run(tmp_path, "DRBD004", host_named("storage-a", resource()))
    assert len(found) == 1
    assert "host storage-a matches none" in found[0].message
    assert found[0].location.line == 1


def test_drbd004_single_host_section(tmp_path: Path) -> None:
    text = "resource r0 {\n  on san1 {\n" + SAN1 + "  }\n}\n"
    found = run(tmp_path, "DRBD004", text)
    assert len(found) == 1 and "1 host section" in found[0].message


@pytest.mark.parametrize(
    ("hostname", "configured", "fires"),
    [
        ("san1.example.com", "san1", {"8.3": True, "8.4": True, "9": False}),
        ("SAN1", "san1", {"8.3": True, "8.4": True, "9": False}),
        ("san1", "san1.example.com", {"8.3": True, "8.4": True, "9": False}),
        ("san1.a.com", "san1.b.com", {"8.3": True, "8.4": True, "9": True}),
        ("san10", "san1", {"8.3": True, "8.4": True, "9": True}),
        ("san1", "san1", {"8.3": False, "8.4": False, "9": False}),
    ],
)
def test_drbd004_matching_per_version(
    tmp_path: Path, hostname: str, configured: str, fires: dict[str, bool]
) -> None:
    text = resource().replace("on san1 {", f"on {configured} {{")
    for version, expected in fires.items():
        site = tmp_path / version
        found = run(site, "DRBD004", host_named(hostname, text), version)
        assert bool(found) is expected, (version, messages(found))


def test_drbd004_explains_the_near_miss(tmp_path: Path) -> None:
    found = run(tmp_path, "DRBD004", host_named("san1.example.com", resource()), "8.4")
    assert "would match with drbdadm 9" in found[0].message


def test_drbd004_two_sections_match_in_9(tmp_path: Path) -> None:
    text = resource().replace("on san2 {", "on SAN1.example.com {")
    found = run(tmp_path, "DRBD004", text)
    assert len(found) == 1 and "several host sections" in found[0].message
    assert run(tmp_path / "84", "DRBD004", text, "8.4") == []


def test_drbd004_floating_is_not_name_matched(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n  volume 0 { device minor 1; disk /dev/sda1; }\n"
        "  floating 10.0.0.1:7788 { node-id 0; }\n  floating 10.0.0.2:7788 { node-id 1; }\n}\n"
    )
    assert run(tmp_path, "DRBD004", host_named("storage-a", text)) == []


def test_drbd004_relates_the_peers(tmp_path: Path) -> None:
    hosts = {
        "san1": {"etc/hostname": "storage-a\n", "etc/drbd.conf": resource()},
        "san2": {"etc/drbd.conf": resource()},
    }
    found = run(tmp_path, "DRBD004", hosts)
    assert len(found) == 1 and found[0].location.host == "storage-a"
    assert [r.host for r in found[0].related] == ["san2"]


def stacked_site(third: str = "charlie") -> dict[str, dict[str, str]]:
    """alice and bob replicate r0; r0-U stacks on it towards a third node (drbd.conf(5))."""
    lower = resource().replace("san1", "alice").replace("san2", "bob")
    upper = (
        "resource r0-U {\n  stacked-on-top-of r0 {\n    device /dev/drbd10;\n"
        "    address 10.0.0.10:7789;\n  }\n  on charlie {\n    device /dev/drbd10;\n"
        "    disk /dev/vg00/r0u;\n    address 10.0.1.3:7789;\n    meta-disk internal;\n  }\n}\n"
    )
    text = lower + upper
    return {
        "alice": {"etc/drbd.conf": text},
        "bob": {"etc/drbd.conf": text},
        "charlie": {"etc/hostname": third + "\n", "etc/drbd.conf": text},
    }


@pytest.mark.parametrize("version", ["8.3", "8.4", "9"])
def test_drbd004_stacked_third_node_defines_the_lower_resource(
    tmp_path: Path, version: str
) -> None:
    # drbdadm needs r0 on charlie to resolve stacked-on-top-of r0, and skips it there
    assert run(tmp_path, "DRBD004", stacked_site(), version) == []
    alone = {"charlie": stacked_site()["charlie"]}
    assert run(tmp_path / "alone", "DRBD004", alone, version) == []


def test_drbd004_same_drbd_d_on_every_node(tmp_path: Path) -> None:
    r0 = resource()
    r1 = resource(name="r1").replace("san1", "san3").replace("10.0.0.1:", "10.0.0.3:")
    files = {"etc/drbd.conf": 'include "drbd.d/*.res";\n', "etc/drbd.d/r0.res": r0}
    files["etc/drbd.d/r1.res"] = r1
    hosts = {"san1": files, "san2": files, "san3": files}
    assert run(tmp_path, "DRBD004", hosts) == []
    # a host of the site outside both pairs, and a partial copy of the site
    assert run(tmp_path / "xen", "DRBD004", {**hosts, "xen1": {"etc/drbd.conf": r0}}) == []
    assert run(tmp_path / "part", "DRBD004", {"san3": files}) == []


def test_drbd004_copied_resource_still_reports_a_misnamed_host(tmp_path: Path) -> None:
    hosts = {
        "san1": {"etc/hostname": "SAN1\n", "etc/drbd.conf": resource() + resource(name="r1")},
        "san2": {"etc/drbd.conf": resource() + resource(name="r1")},
    }
    found = run(tmp_path, "DRBD004", hosts, "8.4")
    assert [d.location.host for d in found] == ["SAN1", "SAN1"]
    assert all("would match with drbdadm 9" in d.message for d in found)


# DRBD005 resource-collision --------------------------------------------------------------------


def test_drbd005_minor_shared(tmp_path: Path) -> None:
    text = resource() + resource(
        name="r1",
        san1=SAN1.replace("r0", "r1").replace("7788", "7789"),
        san2=SAN2.replace("r0", "r1").replace("7788", "7789").replace("drbd0", "drbd1"),
    )
    found = run(tmp_path, "DRBD005", text)
    assert messages(found) == ["resource r1: minor 0 of san1 is already used by resource r0"]
    assert found[0].location.line == 17 and found[0].related[0].line == 3


def test_drbd005_disk_and_address_shared(tmp_path: Path) -> None:
    second = resource(
        name="r1",
        san1=SAN1.replace("drbd0", "drbd1"),
        san2=SAN2.replace("drbd0", "drbd1").replace("r0", "r1").replace("7788", "7789"),
    )
    found = messages(run(tmp_path, "DRBD005", resource() + second))
    assert found == [
        "resource r1: backing disk /dev/vg00/r0 of san1 is already used by resource r0",
        "resource r1: address 10.0.0.1:7788 of san1 is already used by resource r0",
    ]


def test_drbd005_inherited_device(tmp_path: Path) -> None:
    other = "resource r1 {\n  device minor 0;\n  disk /dev/vg00/r1;\n  meta-disk internal;\n"
    other += "  on san1 { address 10.0.0.1:7789; }\n  on san2 { address 10.0.0.2:7789; }\n}\n"
    found = messages(run(tmp_path, "DRBD005", resource() + other))
    assert found == [
        "resource r1: minor 0 of san1 is already used by resource r0",
        "resource r1: minor 0 of san2 is already used by resource r0",
    ]


def test_drbd005_distinct_resources(tmp_path: Path) -> None:
    second = resource(
        name="r1",
        san1=SAN1.replace("drbd0", "drbd1").replace("r0", "r1").replace("7788", "7789"),
        san2=SAN2.replace("drbd0", "drbd1").replace("r0", "r1").replace("7788", "7789"),
    )
    assert run(tmp_path, "DRBD005", resource() + second) == []


def test_drbd005_loopback_is_per_host(tmp_path: Path) -> None:
    def local(name: str, minor: int) -> str:
        lines = f"    device minor {minor};\n    disk none;\n    address 127.0.0.1:7000;\n"
        return f"  on {name} {{\n{lines}    node-id {minor};\n  }}\n"

    text = "resource r0 {\n" + local("san1", 0) + local("san2", 1) + "}\n"
    assert run(tmp_path, "DRBD005", text) == []


# DRBD006 peer-config-drift ---------------------------------------------------------------------


def test_drbd006_same_model_different_text(tmp_path: Path) -> None:
    one = resource("  net { protocol C; shared-secret abc; }\n  disk { resync-rate 100M; }\n")
    two = (
        "resource r0 {\n  protocol c;\n  syncer { rate 102400K; }\n"
        '  net { shared-secret "abc"; }\n'
        "  on san2 { address 10.0.0.2:7788; device minor 0; disk /dev/vg00/r0; "
        "meta-disk internal; }\n"
        "  on san1 { address ipv4 10.0.0.1:7788; device /dev/drbd0 minor 0; "
        "disk /dev/vg00/r0; meta-disk internal; }\n}\n"
    )
    hosts = {"san1": {"etc/drbd.conf": one}, "san2": {"etc/drbd.conf": two}}
    assert run(tmp_path, "DRBD006", hosts) == []


def test_drbd006_common_counts(tmp_path: Path) -> None:
    hosts = {
        "san1": {"etc/drbd.conf": "common { net { max-buffers 8000; } }\n" + resource()},
        "san2": {"etc/drbd.conf": resource()},
    }
    found = run(tmp_path, "DRBD006", hosts)
    assert messages(found) == [
        "resource r0: net option max-buffers is set on san1 (8000) but not on san2"
    ]


def test_drbd006_secret_is_never_shown(tmp_path: Path) -> None:
    hosts = {
        "san1": {"etc/drbd.conf": resource('  net { shared-secret "hunter2-one"; }\n')},
        "san2": {"etc/drbd.conf": resource('  net { shared-secret "hunter2-two"; }\n')},
    }
    found = run(tmp_path, "DRBD006", hosts)
    assert messages(found) == ["resource r0: shared-secret differs between san2 and san1"]
    assert found[0].location.host == "san2" and found[0].location.line == 2
    assert found[0].location.end_line == 2 and found[0].related[0].host == "san1"


def test_drbd006_drift_site(tmp_path: Path) -> None:
    found = run_fixture(tmp_path, "drbd-drift", "DRBD006")
    assert messages(found) == [
        "resource backup names host san2 (on san2) but the DRBD configuration of san2 does "
        "not define it",
        "resource xensan: shared-secret differs between san2 and san1",
        "resource xensan: net option after-sb-1pri is consensus on san2 but discard-secondary "
        "on san1",
        "resource xensan: address of 'on san2' is 10.0.0.2:7790 on san2 but 10.0.0.2:7788 on san1",
    ]
    assert all("Vo7ee" not in m for m in messages(found))
    assert found[2].related[0].path.endswith("san1/etc/drbd.d/global_common.conf")


def test_drbd006_only_hosts_of_the_site_are_compared(tmp_path: Path) -> None:
    assert run(tmp_path, "DRBD006", resource('  net { shared-secret "x"; }\n')) == []


def run_fixture(tmp_path: Path, name: str, code: str, version: str = "9") -> list[Diagnostic]:
    copy = tmp_path / name
    shutil.copytree(FIXTURES / name, copy)
    result = lint(Site.load([copy]), LintOptions(select=(code,), versions={"drbd": version}))
    assert not result.failures, result.failures
    return list(result.diagnostics)


@pytest.mark.parametrize("version", ["8.4", "9"])
def test_clean_site_has_no_drbd_findings(tmp_path: Path, version: str) -> None:
    assert run_fixture(tmp_path, "drbd-ok", "DRBD", version) == []


def test_hostname_mismatch_site(tmp_path: Path) -> None:
    found = run_fixture(tmp_path, "drbd-hostname-mismatch", "DRBD004")
    assert {d.location.host for d in found} == {"storage-b"}
    assert len(found) == 2  # both resources of san2
    older = run_fixture(tmp_path / "84", "drbd-hostname-mismatch", "DRBD004", "8.4")
    assert {d.location.host for d in older} == {"storage-b", "san1.example.com"}


# DRBD007 deprecated-option ---------------------------------------------------------------------


def test_drbd007_syncer_moves(tmp_path: Path) -> None:
    text = resource(
        "  disk {\n    on-io-error detach;\n  }\n"
        "  syncer {\n    rate 10M;\n    verify-alg sha1;\n  }\n"
    )
    found = run(tmp_path, "DRBD007", text)
    assert found[0].fix is not None and found[0].fix.safe
    expected = resource("  disk {\n    on-io-error detach;\n    resync-rate 10M;\n  }\n").replace(
        "  }\n}\n", "  }\n  net {\n    verify-alg sha1;\n  }\n}\n"
    )
    assert fixed(found, text) == expected


def test_drbd007_syncer_is_83_syntax(tmp_path: Path) -> None:
    text = resource("  protocol C;\n  syncer { rate 10M; }\n")
    assert run(tmp_path, "DRBD007", text, "8.3") == []
    assert len(run(tmp_path / "84", "DRBD007", text, "8.4")) == 1


def test_drbd007_syncer_conflict_gets_no_fix(tmp_path: Path) -> None:
    text = resource("  disk { resync-rate 20M; }\n  syncer { rate 10M; }\n")
    found = run(tmp_path, "DRBD007", text)
    assert len(found) == 1 and found[0].fix is None


def test_drbd007_syncer_in_common_keeps_crlf(tmp_path: Path) -> None:
    text = "common {\r\n\tsyncer {\r\n\t\trate 10M;\r\n\t}\r\n}\r\n" + resource().replace(
        "\n", "\r\n"
    )
    found = run(tmp_path, "DRBD007", text)
    assert fixed(found, text).startswith(
        "common {\r\n\tdisk {\r\n\t\tresync-rate 10M;\r\n\t}\r\n}\r\n"
    )


@pytest.mark.parametrize(
    ("version", "before", "after"),
    [
        ("8.4", "no-disk-flushes;", "disk-flushes no;"),
        ("9", "no-md-flushes;", "md-flushes no;"),
        ("9", "rate 10M;", "resync-rate 10M;"),
        ("8.4", "after r9;", "resync-after r9;"),
    ],
)
def test_drbd007_disk_renames(tmp_path: Path, version: str, before: str, after: str) -> None:
    text = resource(f"  disk {{\n    {before}\n  }}\n")
    assert fixed(run(tmp_path, "DRBD007", text, version), text) == text.replace(before, after)


def test_drbd007_legacy_negatives_per_version(tmp_path: Path) -> None:
    text = resource("  disk { no-disk-flushes; }\n  net { no-use-rle; }\n")
    assert run(tmp_path / "83", "DRBD007", text, "8.3") == []
    assert len(run(tmp_path / "84", "DRBD007", text, "8.4")) == 1  # no-use-rle is not 8.4's
    found = run(tmp_path / "9", "DRBD007", text, "9")
    assert messages(found) == [
        "no-disk-flushes is the DRBD 8.3 spelling: write disk-flushes no",
        "no-use-rle is the DRBD 8.3 spelling: write use-rle no",
    ]


def test_drbd007_leaves_no_x_yes_to_syn005(tmp_path: Path) -> None:
    assert run(tmp_path, "DRBD007", resource("  disk { no-disk-flushes yes; }\n")) == []


@pytest.mark.parametrize("version", ["8.3", "8.4", "9"])
def test_drbd007_outdate_peer(tmp_path: Path, version: str) -> None:
    text = resource('  handlers {\n    outdate-peer "/usr/lib/drbd/outdate-peer.sh";\n  }\n')
    result = fixed(run(tmp_path, "DRBD007", text, version), text)
    assert result == text.replace("outdate-peer ", "fence-peer ")


def test_drbd007_named_connection(tmp_path: Path) -> None:
    text = resource("  connection link0 {\n    host san1;\n    host san2;\n  }\n")
    found = run(tmp_path, "DRBD007", text)
    assert "'link0'" in found[0].message
    assert fixed(found, text) == text.replace("connection link0 {", "connection {")


def test_drbd007_fencing_moves_to_net_in_9(tmp_path: Path) -> None:
    text = resource("  disk {\n    fencing resource-only;\n  }\n  net {\n    protocol C;\n  }\n")
    assert run(tmp_path / "84", "DRBD007", text, "8.4") == []
    result = fixed(run(tmp_path, "DRBD007", text), text)
    assert result == resource("  net {\n    protocol C;\n    fencing resource-only;\n  }\n")


def test_drbd007_flexible_meta_disk(tmp_path: Path) -> None:
    text = resource(san1=SAN1.replace("meta-disk internal", "flexible-meta-disk /dev/sdb1"))
    assert run(tmp_path / "83", "DRBD007", text, "8.3") == []
    result = fixed(run(tmp_path, "DRBD007", text, "8.4"), text)
    assert result == text.replace("flexible-meta-disk", "meta-disk")


# DRBD008 flushes-disabled ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "statement"),
    [("8.3", "no-disk-flushes;"), ("8.4", "disk-flushes no;"), ("9", "md-flushes no;")],
)
def test_drbd008_flushes_off(tmp_path: Path, version: str, statement: str) -> None:
    found = run(tmp_path, "DRBD008", resource(f"  disk {{ {statement} }}\n"), version)
    assert len(found) == 1 and "battery-backed" in found[0].message


def test_drbd008_common_reported_once(tmp_path: Path) -> None:
    text = "common { disk { disk-flushes no; } }\n" + resource() + resource(name="r1")
    found = run(tmp_path, "DRBD008", text)
    assert len(found) == 1 and found[0].location.line == 1


def test_drbd008_overridden_common_is_silent(tmp_path: Path) -> None:
    text = "common { disk { disk-flushes no; } }\n" + resource("  disk { disk-flushes yes; }\n")
    assert run(tmp_path, "DRBD008", text) == []


@pytest.mark.parametrize("statement", ["disk-barrier no;", "disk-flushes yes;", "no-disk-barrier;"])
def test_drbd008_flushes_on(tmp_path: Path, statement: str) -> None:
    assert run(tmp_path, "DRBD008", resource(f"  disk {{ {statement} }}\n"), "8.4") == []


# DRBD009 unsafe-split-brain-policy -------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["after-sb-1pri violently-as0p;", "after-sb-2pri violently-as0p;", "rr-conflict violently;"],
)
def test_drbd009_violent_policies(tmp_path: Path, statement: str) -> None:
    found = run(tmp_path, "DRBD009", resource(f"  net {{ {statement} }}\n"))
    assert len(found) == 1 and "resource r0" in found[0].message


def test_drbd009_common_policy_reported_once(tmp_path: Path) -> None:
    text = "common { net { after-sb-0pri violently-as0p; } }\n" + resource() + resource(name="r1")
    assert len(run(tmp_path, "DRBD009", text)) == 1


def test_drbd009_dual_primary_discard_needs_notification(tmp_path: Path) -> None:
    body = "  net {\n    allow-two-primaries yes;\n    after-sb-0pri discard-least-changes;\n  }\n"
    found = run(tmp_path, "DRBD009", resource(body))
    assert len(found) == 1 and "split-brain handler" in found[0].message
    handler = '  handlers { split-brain "/usr/lib/drbd/notify-split-brain.sh root"; }\n'
    assert run(tmp_path / "h", "DRBD009", "common {\n" + handler + "}\n" + resource(body)) == []


def test_drbd009_discard_zero_changes_never_discards_writes(tmp_path: Path) -> None:
    # both nodes wrote: the kernel disconnects instead of choosing; one wrote: nothing is lost
    body = "  net {\n    allow-two-primaries yes;\n    after-sb-0pri discard-zero-changes;\n  }\n"
    assert run(tmp_path, "DRBD009", resource(body)) == []


def test_drbd009_single_primary_discard_is_fine(tmp_path: Path) -> None:
    body = "  net { after-sb-0pri discard-zero-changes; after-sb-1pri discard-secondary; }\n"
    assert run(tmp_path, "DRBD009", resource(body)) == []


# DRBD010 missing-required ----------------------------------------------------------------------


def test_drbd010_missing_disk_and_address(tmp_path: Path) -> None:
    found = run(tmp_path, "DRBD010", resource(san2="    device /dev/drbd0;\n"))
    assert messages(found) == ["resource r0: 'on san2' lacks disk (volume 0), address"]
    assert found[0].location.line == 8


def test_drbd010_inherited_from_resource_and_volume(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n  volume 0 {\n    device minor 0;\n    disk /dev/vg00/r0;\n"
        "    meta-disk internal;\n  }\n"
        "  on san1 { address 10.0.0.1:7788; }\n  on san2 { address 10.0.0.2:7788; }\n}\n"
    )
    assert run(tmp_path, "DRBD010", text, "8.4") == []


def test_drbd010_meta_disk_required_before_9(tmp_path: Path) -> None:
    text = resource(san1=SAN1.replace("    meta-disk internal;\n", ""))
    assert run(tmp_path, "DRBD010", text, "9") == []
    found = run(tmp_path / "84", "DRBD010", text, "8.4")
    assert messages(found) == ["resource r0: 'on san1' lacks meta-disk (volume 0)"]


def test_drbd010_diskless_in_9(tmp_path: Path) -> None:
    text = resource(san2="    device /dev/drbd0;\n    disk none;\n    address 10.0.0.2:7788;\n")
    assert run(tmp_path, "DRBD010", text) == []


def test_drbd010_address_from_connection_in_9(tmp_path: Path) -> None:
    text = (
        "resource r0 {\n  volume 0 { device minor 0; disk /dev/vg00/r0; }\n"
        "  on san1 { node-id 0; }\n  on san2 { node-id 1; }\n"
        "  connection {\n    host san1 address 10.0.0.1:7788;\n"
        "    host san2 address 10.0.0.2:7788;\n  }\n}\n"
    )
    assert run(tmp_path, "DRBD010", text) == []
    assert (
        len(run(tmp_path / "without", "DRBD010", text.replace(" address 10.0.0.2:7788", ""))) == 1
    )


def test_drbd007_syncer_into_one_line_disk(tmp_path: Path) -> None:
    text = resource("  disk { on-io-error detach; }\n  syncer { rate 10M; }\n")
    expected = resource("  disk { on-io-error detach; resync-rate 10M; }\n")
    assert fixed(run(tmp_path, "DRBD007", text), text) == expected


# Real-world files ------------------------------------------------------------------------------

CORPUS_DRBD = sorted((CORPUS / "drbd").glob("*")) if (CORPUS / "drbd").is_dir() else []


@pytest.mark.skipif(not CORPUS_DRBD, reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("version", ["8.3", "8.4", "9"])
def test_rules_never_fail_on_the_corpus(tmp_path: Path, version: str) -> None:
    hosts = {
        f"h{i}": {"etc/hostname": "alice\n", "etc/drbd.conf": f.read_text(errors="replace")}
        for i, f in enumerate(CORPUS_DRBD)
    }
    write_site(tmp_path / "site", hosts)
    site = Site.load([tmp_path / "site"])
    result = lint(site, LintOptions(select=("DRBD",), versions={"drbd": version}))
    assert result.failures == []
    for found in result.diagnostics:
        for edit in found.fix.edits if found.fix else ():
            assert edit.path == found.location.path


def test_drbd007_syncer_messages(tmp_path: Path) -> None:
    text = resource("  syncer { }\n") + resource(
        "  syncer { rate 10M; delay-probe-volume 16; }\n", name="r1"
    ).replace("7788", "7789").replace("drbd0", "drbd1").replace("r0;", "r1;")
    assert messages(run(tmp_path, "DRBD007", text)) == [
        "the syncer section is DRBD 8.3 syntax: remove the empty section",
        "the syncer section is DRBD 8.3 syntax; drbdadm 9 refuses rate, delay-probe-volume "
        "there: rate -> disk { resync-rate }; drop delay-probe-volume",
    ]


def test_drbd010_stacked_addresses_from_paths_in_9(tmp_path: Path) -> None:
    text = (
        "resource upper {\n"
        "  stacked-on-top-of low1 { device /dev/drbd10; node-id 0; }\n"
        "  stacked-on-top-of low2 { device /dev/drbd10; node-id 1; }\n"
        "  connection {\n    path {\n      host san1 address 10.0.1.1:7100;\n"
        "      host san3 address 10.0.1.3:7100;\n    }\n  }\n}\n"
    )
    assert run(tmp_path, "DRBD010", text) == []
    assert len(run(tmp_path / "84", "DRBD010", text, "8.4")) == 2


# drbdadm as an oracle --------------------------------------------------------------------------

needs_drbdadm = pytest.mark.skipif(DRBDADM is None, reason="drbdadm (drbd-utils) is not installed")

LEGACY_CONFIG = """global { disable-ip-verification; }
common { protocol C; syncer { rate 30M; } handlers { outdate-peer "/bin/true"; } }
resource r0 {
  disk { no-disk-flushes; no-md-flushes; }
  syncer { al-extents 257; after r1; }
  net { allow-two-primaries; }
  on san1 { device /dev/drbd0; disk /dev/sda1; address 10.0.0.1:7789; meta-disk internal; }
  on san2 { device /dev/drbd0; disk /dev/sda1; address 10.0.0.2:7789;
            flexible-meta-disk /dev/sdb1; }
}
resource r1 {
  device minor 1; disk /dev/sda2; meta-disk internal;
  on san1 { address 10.0.0.1:7790; }
  on san2 { address 10.0.0.2:7790; }
}
"""


def drbdadm_dump(tmp_path: Path, text: str, version: str, node: str = "san1") -> str | None:
    """drbdadm's normalised dump of ``text``; ``None`` when it refuses the file."""
    config = tmp_path / "oracle.conf"
    config.write_text(text)
    done = run_dump(config, version, node)
    return done.stdout if done.returncode == 0 else None


@pytest.mark.oracle
@needs_drbdadm
@pytest.mark.parametrize(("changed", "drifts"), [("30M", False), ("31M", True)])
def test_effective_model_equals_drbdadm_dump(tmp_path: Path, changed: str, drifts: bool) -> None:
    """drbdadm 8.4 moves syncer options, merges protocol into net, renames aliases and rewrites
    8.3 flags; the model of its dump must equal the model of the original."""
    dump = drbdadm_dump(tmp_path, LEGACY_CONFIG, "8.4")
    assert dump is not None and "resync-rate      30M" in dump
    original = LEGACY_CONFIG.replace("rate 30M", f"rate {changed}")
    hosts = {
        "written": {"etc/hostname": "san1\n", "etc/drbd.conf": original},
        "dumped": {"etc/hostname": "san1\n", "etc/drbd.conf": dump},
    }
    found = run(tmp_path, "DRBD006", hosts, "8.4")
    assert bool(found) is drifts, messages(found)


@pytest.mark.oracle
@needs_drbdadm
@pytest.mark.parametrize("version", ["8.4", "9"])
@pytest.mark.parametrize("hostname", ["san1", "SAN1", "san1.example.com", "san10", "san2.x.y"])
def test_host_matching_agrees_with_drbdadm(tmp_path: Path, version: str, hostname: str) -> None:
    text = "global { disable-ip-verification; }\n" + resource()
    dump = drbdadm_dump(tmp_path, text, version, hostname)
    drbdadm_takes_it = dump is not None and "resource r0" in dump and "not ignored" in dump
    found = run(tmp_path, "DRBD004", host_named(hostname, text), version)
    assert (not found) is drbdadm_takes_it, (dump, messages(found))
