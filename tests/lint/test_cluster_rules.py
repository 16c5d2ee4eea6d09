"""CLU001-CLU004 beyond their pages' examples, and BOOT001/BOOT002 on cluster-managed hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.boot_hosts import DRBD_INIT, IET_INIT, write_host
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

IQN = "iqn.2009-02.nl.example:storage.xensan"


_DASHED = ("promoted_max", "stonith_enabled")


def nv(owner: str, **pairs: str) -> str:
    """nvpairs; ``promoted_max`` and ``stonith_enabled`` stand for the dashed names."""
    return "".join(
        f'<nvpair id="{owner}-{k}" name="{k.replace("_", "-") if k in _DASHED else k}" '
        f'value="{v}"/>'
        for k, v in pairs.items()
    )


def drbd_clone(
    resource: str = "xensan", *, tag: str = "clone", meta: str = "", drbd_params: str = ""
) -> str:
    promotable = nv("ms", promotable="true", notify="true") if tag == "clone" else ""
    return (
        f'<{tag} id="ms_drbd"><meta_attributes id="ms-meta">{promotable}{meta}</meta_attributes>'
        '<primitive id="p_drbd" class="ocf" provider="linbit" type="drbd">'
        f'<instance_attributes id="p_drbd-ia">{drbd_params or nv("p_drbd", drbd_resource=resource)}'
        f"</instance_attributes></primitive></{tag}>"
    )


def lu(ident: str = "p_lu", path: str = "/dev/drbd0") -> str:
    return (
        f'<primitive id="{ident}" class="ocf" provider="heartbeat" type="iSCSILogicalUnit">'
        f'<instance_attributes id="{ident}-ia">'
        f"{nv(ident, target_iqn=IQN, lun='0', path=path)}</instance_attributes></primitive>"
    )


TARGET = (
    '<primitive id="p_target" class="ocf" provider="heartbeat" type="iSCSITarget">'
    f'<instance_attributes id="p_target-ia">{nv("p_target", iqn=IQN)}</instance_attributes>'
    "</primitive>"
)
FENCE = '<primitive id="fence_san2" class="stonith" type="fence_ipmilan"/>'


def cib(resources: str, constraints: str = "", properties: str = "") -> str:
    return (
        '<cib epoch="1">\n<configuration>\n<crm_config><cluster_property_set id="opts">'
        f"{properties}</cluster_property_set></crm_config>\n<nodes/>\n"
        f"<resources>\n{resources}\n</resources>\n<constraints>\n{constraints}\n</constraints>\n"
        "</configuration>\n</cib>\n"
    )


DRBD_CONF = """\
resource xensan {
  net {
%s  }
  on san1 {
    device    /dev/drbd0;
    disk      /dev/vg00/san;
    address   10.0.0.1:7788;
    meta-disk internal;
  }
  on san2 {
    device    /dev/drbd0;
    disk      /dev/vg00/san;
    address   10.0.0.2:7788;
    meta-disk internal;
  }
}
"""


def run(
    tmp_path: Path,
    code: str,
    cib_text: str,
    *,
    net: str = "",
    files: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
) -> list[str]:
    root = write_host(
        tmp_path / "san1",
        {
            "etc/hostname": "san1\n",
            "var/lib/pacemaker/cib/cib.xml": cib_text,
            "etc/drbd.conf": DRBD_CONF % net,
            **(files or {}),
        },
        links or {},
    )
    found = lint(Site.load([root]), LintOptions(select=(code,))).diagnostics
    return [d.message for d in found]


# CLU001


def test_promoting_two_needs_allow_two_primaries(tmp_path: Path) -> None:
    text = cib(drbd_clone(meta=nv("ms", promoted_max="2")))
    found = run(tmp_path, "CLU001", text)
    assert len(found) == 1 and "allow-two-primaries" in found[0]
    assert run(tmp_path / "ok", "CLU001", text, net="    allow-two-primaries yes;\n") == []


def test_notify_may_come_from_rsc_defaults_and_a_rule_makes_it_unknown(tmp_path: Path) -> None:
    resources = drbd_clone(tag="master")
    without = run(tmp_path / "a", "CLU001", cib(resources))
    assert len(without) == 1 and "notify is not set" in without[0]
    defaults = cib(resources).replace(
        "</configuration>",
        f'<rsc_defaults><meta_attributes id="d">{nv("d", notify="true")}'
        "</meta_attributes></rsc_defaults></configuration>",
    )
    assert run(tmp_path / "b", "CLU001", defaults) == []
    on_the_primitive = resources.replace(
        '<instance_attributes id="p_drbd-ia">',
        f'<meta_attributes id="p-meta">{nv("p", notify="true")}</meta_attributes>'
        '<instance_attributes id="p_drbd-ia">',
    )
    assert len(run(tmp_path / "d", "CLU001", cib(on_the_primitive))) == 1
    ruled = resources.replace(
        '<meta_attributes id="ms-meta">',
        '<meta_attributes id="ms-meta"><rule id="r" score="0"><expression id="e" '
        'attribute="#uname" operation="eq" value="san1"/></rule>' + nv("ms", notify="false"),
    )
    assert run(tmp_path / "c", "CLU001", cib(ruled)) == []


def test_a_drbd_primitive_without_drbd_resource(tmp_path: Path) -> None:
    found = run(tmp_path, "CLU001", cib(drbd_clone(drbd_params=nv("p_drbd", x="1"))))
    assert len(found) == 1 and "sets no drbd_resource" in found[0]


def test_a_missing_resource_is_reported_only_with_a_drbd_configuration(tmp_path: Path) -> None:
    text = cib(drbd_clone("other"))
    assert len(run(tmp_path / "a", "CLU001", text)) == 1
    root = write_host(tmp_path / "b", {"var/lib/pacemaker/cib/cib.xml": text})
    assert lint(Site.load([root]), LintOptions(select=("CLU001",))).diagnostics == []


# CLU002


ORDERED = '<rsc_order id="o" first="ms_drbd" first-action="promote" then="g" then-action="start"/>'
COLOCATED = (
    '<rsc_colocation id="c" rsc="g" with-rsc="ms_drbd" with-rsc-role="Master" score="INFINITY"/>'
)


@pytest.mark.parametrize(
    ("constraints", "count"),
    [
        (COLOCATED + ORDERED, 0),
        (COLOCATED, 2),
        (
            COLOCATED
            + ORDERED.replace('then-action="start"', 'then-action="start" kind="Optional"'),
            2,
        ),
        # resource sets: promote the clone, then start the group
        (
            COLOCATED + '<rsc_order id="s"><resource_set id="s1" action="promote">'
            '<resource_ref id="ms_drbd"/></resource_set><resource_set id="s2" action="start">'
            '<resource_ref id="g"/></resource_set></rsc_order>',
            0,
        ),
        # a chain: the promotion orders an IP, the IP orders the group
        (
            COLOCATED + '<rsc_order id="o1" first="ms_drbd" first-action="promote" then="ip" '
            'then-action="start"/><rsc_order id="o2" first="ip" then="g"/>',
            0,
        ),
        # then-action defaults to first-action: this orders the IP's promotion, not its start
        (
            COLOCATED + '<rsc_order id="o1" first="ms_drbd" first-action="promote" then="ip"/>'
            '<rsc_order id="o2" first="ip" then="g"/>',
            2,
        ),
        # ordered after the start, not the promotion: DRBD may still be Secondary
        (COLOCATED + '<rsc_order id="o" first="ms_drbd" then="g"/>', 2),
        # a colocation with the clone in any role is not one with the promoted instance
        (COLOCATED.replace(' with-rsc-role="Master"', ""), 0),
    ],
)
def test_targets_must_start_after_the_promotion(
    tmp_path: Path, constraints: str, count: int
) -> None:
    resources = (
        drbd_clone()
        + '<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"/>'
        + f'<group id="g">{TARGET}{lu()}</group>'
    )
    assert len(run(tmp_path, "CLU002", cib(resources, constraints))) == count


def test_a_lu_on_drbd_without_any_constraint(tmp_path: Path) -> None:
    found = run(tmp_path / "a", "CLU002", cib(drbd_clone() + lu(path="/dev/drbd/by-res/xensan/0")))
    assert len(found) == 1 and "no constraint" in found[0]
    assert run(tmp_path / "b", "CLU002", cib(drbd_clone() + lu(path="/dev/sdb"))) == []
    located = '<rsc_order id="o" first="ms_drbd" first-action="promote" then="p_lu"/>'
    assert run(tmp_path / "c", "CLU002", cib(drbd_clone() + lu(), located)) == []


# CLU003

FENCING = "    fencing resource-and-stonith;\n"


def test_fencing_without_a_device(tmp_path: Path) -> None:
    found = run(tmp_path / "a", "CLU003", cib(drbd_clone()), net=FENCING)
    assert len(found) == 1 and "no fence device" in found[0]
    assert run(tmp_path / "b", "CLU003", cib(drbd_clone() + FENCE), net=FENCING) == []
    assert run(tmp_path / "c", "CLU003", cib(drbd_clone())) == []  # DRBD does not fence


def test_dual_primary_by_promoted_max_with_stonith_disabled(tmp_path: Path) -> None:
    text = cib(
        drbd_clone(meta=nv("ms", promoted_max="2")) + FENCE,
        properties=nv("opts", stonith_enabled="false"),
    )
    found = run(tmp_path, "CLU003", text)
    assert len(found) == 1 and "runs dual-primary" in found[0]
    assert "stonith-enabled=false" in found[0]


# CLU004


def test_sysv_links_and_masked_units(tmp_path: Path) -> None:
    text = cib(drbd_clone())
    links = {"etc/rc2.d/S70drbd": "../init.d/drbd"}
    assert len(run(tmp_path / "a", "CLU004", text, links=links)) == 1
    masked = {**links, "etc/systemd/system/drbd.service": "/dev/null"}
    assert run(tmp_path / "b", "CLU004", text, links=masked) == []
    stopped = {"etc/rc0.d/K08drbd": "../init.d/drbd"}
    assert run(tmp_path / "c", "CLU004", text, links=stopped) == []


def test_target_daemons_count_when_their_config_exports_the_cluster_target(
    tmp_path: Path,
) -> None:
    text = cib(drbd_clone() + f'<group id="g">{TARGET}{lu()}</group>')
    links = {"etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget"}
    own = {"etc/iet/ietd.conf": f"Target {IQN}\n  Lun 0 Path=/dev/drbd0,Type=blockio\n"}
    found = run(tmp_path / "a", "CLU004", text, files=own, links=links)
    assert len(found) == 1 and "ietd.conf" in found[0]
    other = {"etc/iet/ietd.conf": "Target iqn.2001-04.com.example:other\n"}
    assert run(tmp_path / "b", "CLU004", text, files=other, links=links) == []
    lio = {"etc/systemd/system/multi-user.target.wants/target.service": "/lib/x"}
    found = run(tmp_path / "c", "CLU004", text, links=lio)
    assert len(found) == 1 and "saved LIO configuration" in found[0]


def _managed_target(tmp_path: Path, files: dict[str, str], links: dict[str, str]) -> list[str]:
    return run(
        tmp_path, "CLU004", cib(f'<group id="g">{TARGET}{lu()}</group>'), files=files, links=links
    )


TGT_LINKS = {"etc/rc2.d/S20tgt": "../init.d/tgt"}


def test_tgt_targets_in_conf_d_count(tmp_path: Path) -> None:
    # the Debian layout: targets.conf only includes conf.d, where the target is
    files = {
        "etc/tgt/targets.conf": "include /etc/tgt/conf.d/*.conf\n",
        "etc/tgt/conf.d/xensan.conf": f"<target {IQN}>\n    backing-store /dev/drbd0\n</target>\n",
    }
    found = _managed_target(tmp_path, files, TGT_LINKS)
    assert len(found) == 1 and "/etc/tgt/conf.d/xensan.conf" in found[0]


def test_a_tgt_comment_naming_the_target_defines_nothing(tmp_path: Path) -> None:
    files = {
        "etc/tgt/targets.conf": (
            f"# {IQN} moved to Pacemaker\n"
            f"<target {IQN}-old>\n    backing-store /dev/sdb\n</target>\n"
        )
    }
    assert _managed_target(tmp_path, files, TGT_LINKS) == []


SCST_LINKS = {"etc/rc2.d/S20scst": "../init.d/scst"}


def _scst(name: str) -> dict[str, str]:
    return {
        "etc/scst.conf": (
            f"TARGET_DRIVER iscsi {{\n\tenabled 1\n\tTARGET {name} {{\n\t\tenabled 1\n\t}}\n}}\n"
        )
    }


def test_scst_targets_by_name_not_by_text(tmp_path: Path) -> None:
    found = _managed_target(tmp_path / "a", _scst(IQN), SCST_LINKS)
    assert len(found) == 1 and "/etc/scst.conf" in found[0]
    # a target whose name only starts like the cluster's is another target
    assert _managed_target(tmp_path / "b", _scst(IQN + "2"), SCST_LINKS) == []


# BOOT001/BOOT002 under Pacemaker

LENNY_LINKS = {
    "etc/rc2.d/S20iscsitarget": "../init.d/iscsitarget",
    "etc/rc2.d/S70drbd": "../init.d/drbd",
    "etc/rc0.d/K08drbd": "../init.d/drbd",
    "etc/rc0.d/K20iscsitarget": "../init.d/iscsitarget",
}


@pytest.mark.parametrize("code", ["BOOT001", "BOOT002"])
def test_the_cib_orders_a_cluster_managed_pair(tmp_path: Path, code: str) -> None:
    scripts = {"etc/init.d/drbd": DRBD_INIT, "etc/init.d/iscsitarget": IET_INIT}
    managed = cib(drbd_clone() + f'<group id="g">{TARGET}{lu()}</group>', COLOCATED + ORDERED)
    assert run(tmp_path / "a", code, managed, files=scripts, links=LENNY_LINKS) == []
    # only DRBD under Pacemaker: the target's service still starts at boot
    drbd_only = cib(drbd_clone())
    assert len(run(tmp_path / "b", code, drbd_only, files=scripts, links=LENNY_LINKS)) == 1
