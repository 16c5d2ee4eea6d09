"""The ordering model: runlevel links, insserv's .depend files, LSB headers, systemd units."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import xsanconf
from tests.lint.boot_hosts import DRBD_INIT, IET_INIT, host
from xsanconf.lint.boot_order import SHIPPED_UNITS, BootOrder
from xsanconf.lint.rc_links import rc_links

LENNY_LINKS = {
    "etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget",
    "etc/rc2.d/S70drbd": "../init.d/drbd",
    "etc/rc0.d/K08drbd": "../init.d/drbd",
    "etc/rc0.d/K20iscsitarget": "../init.d/iscsitarget",
    "etc/rc6.d/K08drbd": "../init.d/drbd",
    "etc/rc6.d/K20iscsitarget": "../init.d/iscsitarget",
}
SCRIPTS = {"etc/init.d/drbd": DRBD_INIT, "etc/init.d/iscsitarget": IET_INIT}


# runlevel links


def test_links_are_read_without_being_followed(tmp_path: Path) -> None:
    root = tmp_path / "h"
    (root / "etc/rcS.d").mkdir(parents=True)
    (root / "etc/rc2.d").mkdir(parents=True)
    os.symlink("../init.d/open-iscsi", root / "etc/rcS.d/S45open-iscsi")
    os.symlink("/../../../outside", root / "etc/rc2.d/S10escape")
    os.symlink("../../../../x", root / "etc/rc2.d/S11climb")
    os.symlink("../init.d/missing", root / "etc/rc2.d/S100late")
    (root / "etc/rc2.d/README").write_text("not a link\n")
    links = rc_links(root)
    assert [link.link_name for link in links] == [
        "S45open-iscsi",
        "S100late",
        "S10escape",
        "S11climb",
    ]
    first = links[0]
    assert (first.runlevel, first.action, first.number, first.name) == ("S", "S", 45, "open-iscsi")
    assert first.target == "../init.d/open-iscsi"
    assert first.target_rel == "etc/init.d/open-iscsi"
    assert first.shown == "etc/rcS.d/S45open-iscsi -> ../init.d/open-iscsi"
    assert links[2].target_rel == "outside"  # an absolute target is taken inside the host root
    assert links[3].target_rel is None  # climbs out of the root
    assert links[1].script == "missing"  # a broken link is still a fact
    assert first.runs_before(links[1])


def test_lenny_links_start_the_target_first_and_stop_drbd_first(tmp_path: Path) -> None:
    order = BootOrder(host(tmp_path / "san1", SCRIPTS, LENNY_LINKS))
    assert order.mechanism == "links"
    start = order.start("drbd", "iscsitarget")
    assert start is not None
    assert start.order == "after"
    assert start.runlevels == ("2",)
    assert [e.text for e in start.evidence] == [
        "etc/rc2.d/S70drbd -> ../init.d/drbd",
        "etc/rc2.d/S20iscsitarget -> ../init.d/iscsitarget",
    ]
    assert start.related[0].path.endswith("etc/rc2.d/S70drbd")
    stop = order.stop("drbd", "iscsitarget")
    assert stop is not None
    assert stop.order == "before"
    assert stop.runlevels == ("0", "6")


def test_renumbered_links_are_in_order(tmp_path: Path) -> None:
    links = {
        "etc/rc2.d/S70drbd": "../init.d/drbd",
        "etc/rc2.d/S75iscsitarget": "../init.d/iscsitarget",
        "etc/rc0.d/K05iscsitarget": "../init.d/iscsitarget",
        "etc/rc0.d/K08drbd": "../init.d/drbd",
    }
    order = BootOrder(host(tmp_path / "san1", SCRIPTS, links))
    assert order.start("drbd", "iscsitarget").order == "before"  # type: ignore[union-attr]
    assert order.stop("drbd", "iscsitarget").order == "after"  # type: ignore[union-attr]


def test_rcs_runs_before_numbered_runlevels(tmp_path: Path) -> None:
    links = {
        "etc/rcS.d/S45drbd": "../init.d/drbd",
        "etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget",
    }
    order = BootOrder(host(tmp_path / "h", {}, links))
    relation = order.start("drbd", "iscsitarget")
    assert relation is not None
    assert relation.order == "before"
    assert "rcS.d runs before rc2.d" in relation.detail


def test_target_without_kill_link_is_stopped_after_drbd(tmp_path: Path) -> None:
    links = {
        "etc/rc2.d/S70drbd": "../init.d/drbd",
        "etc/rc2.d/S75iscsitarget": "../init.d/iscsitarget",
        "etc/rc0.d/K08drbd": "../init.d/drbd",
    }
    relation = BootOrder(host(tmp_path / "h", {}, links)).stop("drbd", "iscsitarget")
    assert relation is not None
    assert relation.order == "before"
    assert "sendsigs" in relation.detail


def test_no_facts_no_relation(tmp_path: Path) -> None:
    order = BootOrder(host(tmp_path / "h", {}, {"etc/rc2.d/S70drbd": "../init.d/drbd"}))
    assert order.start("drbd", "iscsitarget") is None
    assert order.stop("drbd", "iscsitarget") is None


# insserv


DEPEND_START = """\
TARGETS = drbd iscsitarget sendsigs
INTERACTIVE =
iscsitarget: rsyslog drbd
drbd: rsyslog
"""
DEPEND_STOP = """\
TARGETS = iscsitarget drbd sendsigs
drbd: iscsitarget
sendsigs: drbd
"""


def test_depend_files_decide_under_insserv(tmp_path: Path) -> None:
    files = {
        **SCRIPTS,
        "etc/init.d/.depend.start": DEPEND_START,
        "etc/init.d/.depend.stop": DEPEND_STOP,
    }
    order = BootOrder(host(tmp_path / "h", files, LENNY_LINKS))
    assert order.mechanism == "insserv"
    start = order.start("drbd", "iscsitarget")
    assert start is not None
    assert start.order == "before"
    assert start.evidence[0].text == "etc/init.d/.depend.start: iscsitarget: rsyslog drbd"
    assert start.evidence[0].location is not None
    assert start.evidence[0].location.line == 3
    stop = order.stop("drbd", "iscsitarget")
    assert stop is not None
    assert stop.order == "after"


def test_depend_files_without_a_dependency_are_unordered(tmp_path: Path) -> None:
    files = {
        "etc/init.d/.depend.start": (
            "TARGETS = drbd iscsitarget\ndrbd: rsyslog\niscsitarget: rsyslog\n"
        ),
    }
    relation = BootOrder(host(tmp_path / "h", files)).start("drbd", "iscsitarget")
    assert relation is not None
    assert relation.order == "unordered"


# LSB headers


def test_shipped_headers_do_not_order_drbd_and_the_target(tmp_path: Path) -> None:
    order = BootOrder(host(tmp_path / "h", {**SCRIPTS, "etc/insserv.conf": ""}))
    assert order.mechanism == "lsb"
    start = order.start("drbd", "iscsitarget")
    assert start is not None
    assert start.order == "unordered"
    assert start.assumption is None
    assert [e.text for e in start.evidence] == [
        "etc/init.d/drbd: # Required-Start: $local_fs $network $syslog",
        "etc/init.d/iscsitarget: # Required-Start: $remote_fs $syslog $network $time procps",
    ]


def test_should_start_and_should_stop_order_the_target(tmp_path: Path) -> None:
    target = IET_INIT.replace(
        "# Default-Start:", "# Should-Start:      drbd\n# Should-Stop:       drbd\n# Default-Start:"
    )
    order = BootOrder(
        host(tmp_path / "h", {"etc/init.d/drbd": DRBD_INIT, "etc/init.d/iscsitarget": target})
    )
    assert order.start("drbd", "iscsitarget").order == "before"  # type: ignore[union-attr]
    stop = order.stop("drbd", "iscsitarget")
    assert stop is not None
    assert stop.order == "after"
    assert stop.evidence[0].text == "etc/init.d/iscsitarget: # Should-Stop: drbd"
    assert stop.assumption is not None  # no links, no insserv files: what insserv would derive


def test_x_start_before_and_transitive_order(tmp_path: Path) -> None:
    drbd = DRBD_INIT.replace("heartbeat corosync\n# X-Stop", "heartbeat corosync lvm2\n# X-Stop")
    lvm = "### BEGIN INIT INFO\n# Provides: lvm2\n# Required-Start: $local_fs\n### END INIT INFO\n"
    target = IET_INIT.replace("procps\n# Required-Stop", "procps lvm2\n# Required-Stop")
    files = {"etc/init.d/drbd": drbd, "etc/init.d/lvm2": lvm, "etc/init.d/iscsitarget": target}
    relation = BootOrder(host(tmp_path / "h", files)).start("drbd", "iscsitarget")
    assert relation is not None
    assert relation.order == "before"
    assert [e.text.split(":")[0] for e in relation.evidence] == [
        "etc/init.d/drbd",
        "etc/init.d/iscsitarget",
    ]


def test_drbd_header_requiring_the_target_is_reversed(tmp_path: Path) -> None:
    drbd = DRBD_INIT.replace(
        "$local_fs $network $syslog\n# Required-Stop", "$local_fs iscsitarget\n# Required-Stop"
    )
    relation = BootOrder(host(tmp_path / "h", {**SCRIPTS, "etc/init.d/drbd": drbd})).start(
        "drbd", "iscsitarget"
    )
    assert relation is not None
    assert relation.order == "after"


# systemd


def test_systemd_without_lib_assumes_the_shipped_units(tmp_path: Path) -> None:
    order = BootOrder(host(tmp_path / "h", SCRIPTS, dirs=("etc/systemd/system",)))
    assert order.mechanism == "systemd"
    relation = order.start("drbd", "iscsitarget")
    assert relation is not None
    assert relation.order == "unordered"
    assert relation.assumption is not None
    assert "drbd.service" in relation.assumption
    assert "generates it from /etc/init.d/iscsitarget" in relation.assumption


def test_drop_in_after_orders_start_and_reverses_stop(tmp_path: Path) -> None:
    files = {
        **SCRIPTS,
        "etc/systemd/system/iscsitarget.service.d/after-drbd.conf": "[Unit]\nAfter=drbd.service\n",
    }
    order = BootOrder(host(tmp_path / "h", files))
    start = order.start("drbd", "iscsitarget")
    assert start is not None
    assert start.order == "before"
    assert start.evidence[0].text.endswith("after-drbd.conf: After=drbd.service")
    assert start.evidence[0].location is not None
    assert start.evidence[0].location.line == 2
    assert order.stop("drbd", "iscsitarget").order == "after"  # type: ignore[union-attr]


def test_before_drbd_on_the_target_is_reversed(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": "",
        "etc/systemd/system/tgt.service": (
            "[Unit]\nBefore=drbd.service\n[Service]\nExecStart=/usr/sbin/tgtd\n"
        ),
    }
    order = BootOrder(host(tmp_path / "h", files))
    assert order.start("drbd", "tgt").order == "after"  # type: ignore[union-attr]
    assert order.stop("drbd", "tgt").order == "before"  # type: ignore[union-attr]


def test_drop_ins_cannot_reset_and_lib_units_are_read(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": "",
        "lib/systemd/system/target.service": "[Unit]\nAfter=network.target drbd@r0.target\n",
        "etc/systemd/system/target.service.d/reset.conf": "[Unit]\nAfter=\n",
    }
    order = BootOrder(host(tmp_path / "h", files))
    relation = order.start("drbd", "target")
    assert relation is not None
    # drbd@r0.target stands for DRBD; the empty After= in a drop-in resets nothing
    assert relation.order == "before"
    assert relation.assumption is not None
    assert "target.service" not in relation.assumption


def test_full_override_in_etc_replaces_the_lib_unit(tmp_path: Path) -> None:
    files = {
        "etc/drbd.conf": "",
        "lib/systemd/system/target.service": "[Unit]\nAfter=drbd.service\n",
        "etc/systemd/system/target.service": "[Unit]\nAfter=network.target\n",
    }
    assert BootOrder(host(tmp_path / "h", files)).start("drbd", "target").order == "unordered"  # type: ignore[union-attr]


def test_masked_unit_is_not_started(tmp_path: Path) -> None:
    files = {"etc/drbd.conf": "", "etc/tgt/targets.conf": ""}
    links = {"etc/systemd/system/tgt.service": "/dev/null"}
    order = BootOrder(host(tmp_path / "h", files, links))
    assert order.present("tgt")
    assert order.start("drbd", "tgt") is None


def test_presence_from_configuration(tmp_path: Path) -> None:
    order = BootOrder(host(tmp_path / "h", {"etc/iet/ietd.conf": "", "etc/drbd.d/r0.res": ""}))
    assert order.present("drbd")
    assert order.present("iscsitarget")
    assert not order.present("tgt")
    assert order.mechanism is None
    assert order.start("drbd", "iscsitarget") is None


def test_initiator_and_multipath_order(tmp_path: Path) -> None:
    files = {
        "etc/iscsi/iscsid.conf": "",
        "etc/multipath.conf": "",
    }
    order = BootOrder(host(tmp_path / "h", files, dirs=("etc/systemd/system",)))
    relation = order.start("iscsid", "open-iscsi")
    assert relation is not None
    assert relation.order == "before"  # open-iscsi.service: After=iscsid.service (shipped)
    assert order.start("multipathd", "open-iscsi").order == "unordered"  # type: ignore[union-attr]


@pytest.mark.parametrize("service", sorted(SHIPPED_UNITS))
def test_shipped_table_agrees_with_installed_units(service: str) -> None:
    """Where the package is installed here, its unit orders at least what the table assumes."""
    unit = next(
        (
            d / f"{service}.service"
            for d in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
            if (d / f"{service}.service").is_file()
        ),
        None,
    )
    if unit is None:
        pytest.skip(f"{service}.service is not installed on this machine")
    model = xsanconf.loads(unit.read_text(), "systemd-unit").model
    for key, names in SHIPPED_UNITS[service].items():
        assert set(names) <= set(model.list_value("Unit", key)), key


def test_directories_linked_out_of_the_root_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink("../init.d/drbd", outside / "S70drbd")
    (outside / "drbd.service").write_text("[Unit]\nBefore=tgt.service\n")
    root = tmp_path / "h"
    (root / "etc/systemd").mkdir(parents=True)
    os.symlink(outside, root / "etc/rc2.d")
    os.symlink(outside, root / "etc/systemd/system")
    assert rc_links(root) == []
    order = BootOrder(host(root, {"etc/drbd.conf": "", "etc/tgt/targets.conf": ""}))
    assert not order.uses_systemd


def test_provides_aliases_name_one_service(tmp_path: Path) -> None:
    script = IET_INIT.replace("# Provides:          iscsitarget", "# Provides: iscsi-target")
    order = BootOrder(host(tmp_path / "h", {"etc/init.d/iscsitarget": script}))
    assert order.present("iscsi-target")
    assert order.services(["iscsitarget", "iscsi-target", "tgt"]) == ["iscsitarget"]
