"""BOOT001-BOOT002 and XEN001-XEN003 on small host roots: what fires, where, on what evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.boot_hosts import DRBD_INIT, IET_INIT, write_host
from xsanconf.lint.diagnostics import Diagnostic, TextEdit
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

R0 = "resource r0 { protocol C; }\n"  # DRBD replicates something: its order matters
SCRIPTS = {"etc/init.d/drbd": DRBD_INIT, "etc/init.d/iscsitarget": IET_INIT}
LENNY = {
    "etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget",
    "etc/rc2.d/S70drbd": "../init.d/drbd",
    "etc/rc0.d/K08drbd": "../init.d/drbd",
    "etc/rc0.d/K20iscsitarget": "../init.d/iscsitarget",
}


def run(root: Path, codes: tuple[str, ...]) -> list[Diagnostic]:
    result = lint(Site.load([root]), LintOptions(select=codes))
    assert not result.failures, result.failures
    return list(result.diagnostics)


# BOOT


def test_lenny_links_fire_both_rules_naming_both_links(tmp_path: Path) -> None:
    write_host(tmp_path / "san1", SCRIPTS, LENNY)
    found = {d.code: d for d in run(tmp_path / "san1", ("BOOT",))}
    assert set(found) == {"BOOT001", "BOOT002"}
    start = found["BOOT001"]
    assert start.location.path.endswith("etc/rc2.d/S20iscsitarget")
    assert "S70drbd -> ../init.d/drbd" in start.message
    assert "S20iscsitarget -> ../init.d/iscsitarget" in start.message
    assert [r.message for r in start.related] == [
        "etc/rc2.d/S70drbd -> ../init.d/drbd",
        "etc/rc2.d/S20iscsitarget -> ../init.d/iscsitarget",
    ]
    stop = found["BOOT002"]
    assert "K08drbd runs before K20iscsitarget" in stop.message
    assert stop.location.path.endswith("etc/rc0.d/K20iscsitarget")


def test_a_script_that_does_not_parse_leaves_the_others_read(tmp_path: Path) -> None:
    # each init script is a document of its own: a binary one hides no other's header
    files = {**SCRIPTS, "etc/init.d/vendor-tool": "\x7fELF\x02\x01\x01\x00\n"}
    write_host(tmp_path / "links", files, LENNY)
    found = [d.code for d in run(tmp_path / "links", ("BOOT", "SYN001"))]
    assert sorted(found) == ["BOOT001", "BOOT002", "SYN001"]
    write_host(tmp_path / "insserv", {**files, "etc/insserv.conf": ""})
    found = [d.code for d in run(tmp_path / "insserv", ("BOOT", "SYN001"))]
    assert sorted(found) == ["BOOT001", "BOOT002", "SYN001"]


def test_renumbered_links_are_clean(tmp_path: Path) -> None:
    links = {
        "etc/rc2.d/S70drbd": "../init.d/drbd",
        "etc/rc2.d/S75iscsitarget": "../init.d/iscsitarget",
        "etc/rc0.d/K05iscsitarget": "../init.d/iscsitarget",
        "etc/rc0.d/K08drbd": "../init.d/drbd",
    }
    write_host(tmp_path / "san1", SCRIPTS, links)
    assert run(tmp_path / "san1", ("BOOT",)) == []


def test_insserv_headers_fire_with_a_header_fix(tmp_path: Path) -> None:
    write_host(tmp_path / "san1", {**SCRIPTS, "etc/insserv.conf": ""})
    found = {d.code: d for d in run(tmp_path / "san1", ("BOOT",))}
    start = found["BOOT001"]
    assert "no declared dependency orders drbd and iscsitarget" in start.message
    assert start.location.path.endswith("etc/init.d/iscsitarget")
    assert start.location.line == 4
    assert start.fix is not None
    assert not start.fix.safe
    edit = start.fix.edits[0]
    assert (edit.line, edit.text) == (7, "\n# Should-Start:      drbd")
    assert found["BOOT002"].fix.edits[0].text == "\n# Should-Stop:       drbd"  # type: ignore[union-attr]


def test_systemd_race_states_its_assumption(tmp_path: Path) -> None:
    write_host(
        tmp_path / "san1",
        {"etc/drbd.conf": R0, "etc/tgt/targets.conf": ""},
        dirs=("etc/systemd/system",),
    )
    found = {d.code: d for d in run(tmp_path / "san1", ("BOOT",))}
    assert set(found) == {"BOOT001", "BOOT002"}
    message = found["BOOT001"].message
    assert "neither drbd.service nor tgt.service has After= or Before=" in message
    assert "assumption: the site does not carry /lib/systemd/system/drbd.service" in message


def test_systemd_drop_in_fixes_both(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": R0,
        "etc/tgt/targets.conf": "",
        "etc/systemd/system/tgt.service.d/after-drbd.conf": (
            "[Unit]\nAfter=drbd.service\nRequires=drbd.service\n"
        ),
    }
    write_host(tmp_path / "san1", files)
    assert run(tmp_path / "san1", ("BOOT",)) == []


def test_systemd_reversed_order_points_at_the_unit_key(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": R0,
        "etc/systemd/system/drbd.service.d/late.conf": (
            "[Unit]\nAfter=rtslib-fb-targetctl.service\n"
        ),
        "etc/rtslib-fb-target/saveconfig.json": "{}",
    }
    write_host(tmp_path / "san1", files)
    found = {d.code: d for d in run(tmp_path / "san1", ("BOOT",))}
    start = found["BOOT001"]
    assert start.message.startswith("rtslib-fb-targetctl starts before drbd")
    assert start.location.path.endswith("drbd.service.d/late.conf")
    assert start.location.line == 2
    assert "late.conf: After=rtslib-fb-targetctl.service" in start.message


def test_silent_without_a_target_or_without_drbd(tmp_path: Path) -> None:
    write_host(
        tmp_path / "a", {"etc/init.d/drbd": DRBD_INIT}, {"etc/rc2.d/S70drbd": "../init.d/drbd"}
    )
    write_host(
        tmp_path / "b",
        {"etc/init.d/iscsitarget": IET_INIT},
        {"etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget"},
    )
    assert run(tmp_path / "a", ("BOOT",)) == []
    assert run(tmp_path / "b", ("BOOT",)) == []


def test_silent_while_drbd_replicates_nothing(tmp_path: Path) -> None:
    """drbd-utils and a target installed side by side, no resource yet: nothing to export."""
    unused = {**SCRIPTS, "etc/drbd.conf": 'include "drbd.d/*.res";\n'}
    write_host(tmp_path / "san1", unused, LENNY)
    assert run(tmp_path / "san1", ("BOOT",)) == []
    used = {**unused, "etc/drbd.d/r0.res": R0}
    write_host(tmp_path / "san2", used, LENNY)
    assert {d.code for d in run(tmp_path / "san2", ("BOOT",))} == {"BOOT001", "BOOT002"}


# XEN


def _guest(disks: str, name: str = "vm1") -> str:
    return f"name = '{name}'\nmemory = 512\ndisk = [ {disks} ]\n"


def test_local_image_on_migrating_hosts(tmp_path: Path) -> None:
    cfg = _guest("'phy:/dev/mapper/xensan,xvda1,w', 'tap:aio:/srv/xen/swap.img,xvda2,w'")
    write_host(tmp_path / "site/xen1", {"etc/hostname": "xen1\n", "etc/xen/vm1.cfg": cfg})
    write_host(tmp_path / "site/xen2", {"etc/hostname": "xen2\n", "etc/xen/vm1.cfg": cfg})
    found = run(tmp_path / "site", ("XEN001",))
    assert [(d.location.host, d.location.line, d.location.column) for d in found] == [
        ("xen1", 3, 44),
        ("xen2", 3, 44),
    ]
    assert "also configured on xen2" in found[0].message
    assert "tap:aio:/srv/xen/swap.img" in found[0].message


def test_local_device_and_nfs_image(tmp_path: Path) -> None:
    files = {
        "etc/xen/vm1.cfg": _guest("'phy:sdb,xvda1,w', 'file:/srv/nfs/vm1.img,xvda2,w'"),
        "etc/xen/xend-config.sxp": (
            "(xend-relocation-server yes)\n(xend-relocation-hosts-allow '^xen2$')\n"
        ),
        "etc/fstab": "nas:/export /srv/nfs nfs defaults 0 0\n",
    }
    write_host(tmp_path / "xen1", files)
    found = run(tmp_path / "xen1", ("XEN",))
    assert [d.code for d in found] == ["XEN001"]
    assert "/dev/sdb" in found[0].message
    assert "relocation server is enabled" in found[0].message


def test_single_host_without_relocation_is_not_migrating(tmp_path: Path) -> None:
    write_host(tmp_path / "xen1", {"etc/xen/vm1": _guest("'file:/srv/vm1.img,xvda,w'")})
    assert run(tmp_path / "xen1", ("XEN001",)) == []


def test_auto_link_counts_once(tmp_path: Path) -> None:
    cfg = _guest("'file:/srv/vm1.img,xvda,w'")
    for h in ("xen1", "xen2"):
        write_host(
            tmp_path / "site" / h,
            {"etc/hostname": h, "etc/xen/vm1.cfg": cfg},
            {"etc/xen/auto/vm1": "../vm1.cfg"},
        )
    assert len(run(tmp_path / "site", ("XEN001",))) == 2


MULTIPATH = """\
defaults {
    user_friendly_names yes
}
multipaths {
    multipath {
        wwid  3600140512345678901234567890abcde
        alias xensan
    }
}
"""


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        ("/dev/mapper/xensan", False),
        ("/dev/mapper/xensan-part1", False),
        ("/dev/mapper/3600140512345678901234567890abcde", False),
        ("/dev/disk/by-id/dm-uuid-mpath-3600140512345678901234567890abcde", False),
        ("/dev/disk/by-id/dm-name-xensan", False),
        ("/dev/mapper/mpathb", True),
        ("/dev/mapper/mpatha", False),  # in /etc/multipath/bindings
        ("/dev/disk/by-id/scsi-36001405ffffffffffffffffffffffff", True),
        ("/dev/vg0/vm1", False),
    ],
)
def test_guest_disk_unknown(tmp_path: Path, path: str, fires: bool) -> None:
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/multipath/bindings": "# bindings\nmpatha 36001405aaaa\n",
        "etc/xen/vm1.cfg": _guest(f"'phy:{path},xvda,w'"),
    }
    write_host(tmp_path / "xen1", files)
    found = run(tmp_path / "xen1", ("XEN002",))
    assert bool(found) == fires
    if fires:
        assert path in found[0].message
        assert found[0].location.line == 3
        assert found[0].related[0].path.endswith("etc/multipath.conf")


def test_a_guest_config_that_does_not_parse_hides_no_other_guest(tmp_path: Path) -> None:
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/xen/vm1.cfg": _guest("'phy:/dev/mapper/mpathb,xvda,w'"),
        "etc/xen/vm2.cfg": "\x7fELF\x02\x01\x01\x00\n",
    }
    write_host(tmp_path / "xen1", files)
    assert sorted(d.code for d in run(tmp_path / "xen1", ("XEN002", "SYN001"))) == [
        "SYN001",
        "XEN002",
    ]


def test_guest_disk_on_a_logical_volume_the_host_knows(tmp_path: Path) -> None:
    # /dev/mapper/VG-LV of a volume in the host's LVM metadata backup is no multipath map
    backup = 'guests-vg {\n\tlogical_volumes {\n\n\t\tvm-1 {\n\t\t\tid = "x"\n\t\t}\n\t}\n}\n'
    disks = "'phy:/dev/mapper/guests--vg-vm--1,xvda,w', 'phy:/dev/mapper/guests--vg-vm2,xvdb,w'"
    files = {
        "etc/multipath.conf": MULTIPATH,
        "etc/lvm/backup/guests-vg": backup,
        "etc/xen/vm1.cfg": _guest(disks),
    }
    write_host(tmp_path / "xen1", files)
    found = run(tmp_path / "xen1", ("XEN002",))
    assert [d.message.split(" uses ")[1].split(",")[0] for d in found] == [
        "/dev/mapper/guests--vg-vm2"  # no such volume in the backup
    ]


def test_guest_disk_unknown_is_silent_without_multipath(tmp_path: Path) -> None:
    write_host(tmp_path / "xen1", {"etc/xen/vm1.cfg": _guest("'phy:/dev/mapper/mpathb,xvda,w'")})
    assert run(tmp_path / "xen1", ("XEN002",)) == []


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("(xend-relocation-server yes)\n", True),
        ("(xend-relocation-server yes)\n(xend-relocation-hosts-allow '')\n", True),
        ("(xend-relocation-server yes)\n(xend-relocation-hosts-allow '^xen2$ .*')\n", True),
        ("(xend-relocation-ssl-server on)\n(xend-relocation-hosts-allow '^.*$')\n", True),
        ("(xend-relocation-server yes)\n(xend-relocation-hosts-allow '^xen2$')\n", False),
        ("(xend-relocation-server no)\n", False),
        ("(xend-relocation-hosts-allow '')\n", False),
        ("(xend-relocation-server no)\n(xend-relocation-server yes)\n", False),  # the first wins
    ],
)
def test_relocation_open(tmp_path: Path, text: str, fires: bool) -> None:
    write_host(tmp_path / "xen1", {"etc/xen/xend-config.sxp": text})
    found = run(tmp_path / "xen1", ("XEN003",))
    assert bool(found) == fires
    if fires:
        assert "anyone who reaches port 8002" in found[0].message
        assert found[0].related


def test_python_guest_config_is_read_not_a_crash(tmp_path: Path) -> None:
    files = {
        "etc/xen/vm1.cfg": "import os\nname = 'vm1'\n",
        "etc/xen/vm2.cfg": "import os\nx = `1`\n",
    }
    write_host(tmp_path / "xen1", files)
    result = lint(Site.load([tmp_path / "xen1"]))
    assert not result.failures
    syn = [d for d in result.diagnostics if d.code == "SYN001"]
    # xm's Python: the first is read by Python's parser; the second is Python 2 only (backquotes)
    assert [Path(d.location.path).name for d in syn] == ["vm2.cfg"]
    assert "xm reads this config as Python, and Python cannot" in syn[0].message


def _apply(edit: TextEdit) -> None:
    path = Path(edit.path)
    lines = path.read_text().split("\n")
    start = sum(len(line) + 1 for line in lines[: edit.line - 1]) + edit.column - 1
    end = sum(len(line) + 1 for line in lines[: edit.end_line - 1]) + edit.end_column - 1
    text = "\n".join(lines)
    path.write_text(text[:start] + edit.text + text[end:])


def test_header_fixes_make_the_host_clean(tmp_path: Path) -> None:
    write_host(tmp_path / "san1", {**SCRIPTS, "etc/insserv.conf": ""})
    for code in ("BOOT001", "BOOT002"):
        (found,) = run(tmp_path / "san1", (code,))
        assert found.fix is not None
        _apply(found.fix.edits[0])
    assert run(tmp_path / "san1", ("BOOT",)) == []
    header = (tmp_path / "san1/etc/init.d/iscsitarget").read_text().splitlines()[2:9]
    assert header[-2:] == ["# Should-Start:      drbd", "# Should-Stop:       drbd"]


def test_existing_should_start_is_extended_in_place(tmp_path: Path) -> None:
    target = IET_INIT.replace("# Default-Start:", "# Should-Start:      sshd\n# Default-Start:")
    write_host(
        tmp_path / "san1", {**SCRIPTS, "etc/init.d/iscsitarget": target, "etc/insserv.conf": ""}
    )
    (found,) = run(tmp_path / "san1", ("BOOT001",))
    assert found.fix is not None
    edit = found.fix.edits[0]
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (6, 1, 6, 26)
    assert edit.text == "# Should-Start:      sshd drbd"


@pytest.mark.parametrize("service", ["rtslib-fb-targetctl", "target", "tgt", "scst", "iscsi-scst"])
def test_every_target_service_is_ordered_against_drbd(tmp_path: Path, service: str) -> None:
    """LIO (Debian's rtslib-fb-targetctl, RHEL's target), tgt and SCST init scripts, as IET's."""
    script = IET_INIT.replace("Provides:          iscsitarget", f"Provides:          {service}")
    files = {"etc/drbd.conf": R0, "etc/init.d/drbd": DRBD_INIT, f"etc/init.d/{service}": script}
    links = {
        f"etc/rc2.d/S20{service}": f"../init.d/{service}",
        "etc/rc2.d/S70drbd": "../init.d/drbd",
        "etc/rc0.d/K08drbd": "../init.d/drbd",
        f"etc/rc0.d/K20{service}": f"../init.d/{service}",
    }
    write_host(tmp_path / "san1", files, links)
    found = {d.code: d for d in run(tmp_path / "san1", ("BOOT",))}
    assert set(found) == {"BOOT001", "BOOT002"}
    assert found["BOOT001"].location.path.endswith(f"etc/rc2.d/S20{service}")
    assert found["BOOT002"].location.path.endswith(f"etc/rc0.d/K20{service}")


@pytest.mark.parametrize("service", ["rtslib-fb-targetctl", "target", "tgt", "scst"])
def test_every_target_unit_is_ordered_against_drbd(tmp_path: Path, service: str) -> None:
    files = {
        "etc/drbd.conf": R0,
        "etc/systemd/system/drbd.service": "[Unit]\nDescription=DRBD\n[Service]\nType=oneshot\n",
        f"etc/systemd/system/{service}.service": "[Unit]\nDescription=t\n[Service]\nType=oneshot\n",
    }
    write_host(tmp_path / "san1", files)
    found = {d.code for d in run(tmp_path / "san1", ("BOOT",))}
    assert found == {"BOOT001", "BOOT002"}
