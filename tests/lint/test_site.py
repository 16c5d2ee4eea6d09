"""Loading sites: what a path means, host names, drbd includes resolved inside the host root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.lint.conftest import SITES
from tests.lint.sites import write_site
from xsanconf.lint import site as site_module
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.site import MAX_INCLUDE_MATCHES, Site, SiteError

EXAMPLE = SITES / "example"


def _problems(site: Site) -> list[tuple[str, str, int, str]]:
    return [(p.code, str(p.severity), p.location.line, p.message) for p in site.problems]


def test_a_site_of_hosts() -> None:
    site = Site.load([EXAMPLE])
    assert [h.name for h in site.hosts] == ["san1", "san2", "xen1", "xen2"]
    san1 = site.host("san1")
    assert san1 is not None and san1.root == EXAMPLE / "san1"
    kinds = {f.rel: f.kind for f in san1.files}
    assert kinds == {
        "etc/default/iscsitarget": "shell-vars",
        "etc/drbd.conf": "drbd",
        "etc/drbd.d/global_common.conf": "drbd",
        "etc/drbd.d/xensan.res": "drbd",
        "etc/ietd.conf": "ietd",
    }
    assert site.problems == []
    assert site.focus == frozenset()


def test_an_etc_directory_and_a_host_root_are_one_host() -> None:
    for path in (EXAMPLE / "xen1", EXAMPLE / "xen1" / "etc"):
        site = Site.load([path])
        assert [h.name for h in site.hosts] == ["xen1"]
        assert site.hosts[0].file("etc/multipath.conf") is not None


def test_relative_paths_are_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    monkeypatch.chdir(tmp_path / "h")
    (file,) = Site.load(["etc"]).files()
    assert file.path == "etc/drbd.conf"
    monkeypatch.chdir(tmp_path)
    (file,) = Site.load(["./h/"]).files()
    assert file.path == "h/etc/drbd.conf"
    assert file.host.name == "h"


def test_host_name_comes_from_etc_hostname(tmp_path: Path) -> None:
    write_site(tmp_path, {"dir": {"etc/hostname": "# set by the installer\n\n node7.example \n"}})
    (host,) = Site.load([tmp_path / "dir"]).hosts
    assert host.name == "node7.example"


def test_host_override_names_the_host(tmp_path: Path) -> None:
    write_site(tmp_path, {"a": {}, "b": {}})
    site = Site.load([tmp_path / "b"], {"first": tmp_path / "a"})
    assert [h.name for h in site.hosts] == ["first", "b"]
    same = Site.load([tmp_path / "a"], {"first": tmp_path / "a"})
    assert [h.name for h in same.hosts] == ["first"]


def test_a_file_loads_its_host_and_the_hosts_beside_it() -> None:
    res = EXAMPLE / "san2" / "etc" / "drbd.d" / "xensan.res"
    site = Site.load([res])
    assert [h.name for h in site.hosts] == ["san1", "san2", "xen1", "xen2"]
    assert site.focus == frozenset({str(res)})
    assert site.file_at(str(res)) is not None


def test_a_file_of_a_lone_host(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    (tmp_path / "notes").mkdir()
    site = Site.load([tmp_path / "h" / "etc" / "drbd.conf"])
    assert [h.name for h in site.hosts] == ["h"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such file or directory"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "not a host"),
        (lambda p: (p / "f.conf").write_text("x") and p / "f.conf", "below an etc directory"),
    ],
)
def test_paths_that_name_no_host(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(SiteError, match=message):
        Site.load([path])


def test_multipath_drop_in_named_drbd_conf_is_multipath(tmp_path: Path) -> None:
    drop_in = 'blacklist {\n\tdevnode "^drbd[0-9]+"\n}\n'
    write_site(tmp_path, {"h": {"etc/multipath/conf.d/drbd.conf": drop_in}})
    (file,) = Site.load([tmp_path / "h"]).files()
    assert file.kind == "multipath" and file.doc.parsed


def test_drbd_reading_order_follows_includes(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": (
                    "resource first { }\n"
                    'include "drbd.d/global_common.conf";\n'
                    'include "/etc/drbd.d/*.res";\n'
                    "resource last { }\n"
                ),
                "etc/drbd.d/global_common.conf": "common { }\n",
                "etc/drbd.d/b.res": "resource b { }\n",
                "etc/drbd.d/a.res": 'resource a { }\ninclude "b.res";\n',
                "etc/drbd.d/stale.res.bak": "resource a { }\n",
            }
        },
    )
    host = Site.load([tmp_path / "h"]).hosts[0]
    assert [f.rel for f in host.drbd_files()] == [
        "etc/drbd.conf",
        "etc/drbd.d/global_common.conf",
        "etc/drbd.d/a.res",
        "etc/drbd.d/b.res",
    ]
    # an included file is read where its include stands
    assert [r.name for _, r in host.drbd_resources()] == ["first", "a", "b", "last"]
    common = host.drbd_common()
    assert common is not None and common[0].rel == "etc/drbd.d/global_common.conf"
    # files nothing includes are still checked, after the ones drbdadm reads
    assert host.documents("drbd")[-1].rel == "etc/drbd.d/stale.res.bak"


def test_a_glob_include_into_an_empty_directory_is_no_problem(tmp_path: Path) -> None:
    """drbd-utils' own drbd.conf includes drbd.d/*.res before any resource exists; drbdadm
    ignores a pattern that matches nothing.  A pattern into a missing directory is reported."""
    conf = 'include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n'
    common = "global { usage-count no; }\n"
    write_site(tmp_path, {"h": {"etc/drbd.conf": conf, "etc/drbd.d/global_common.conf": common}})
    assert _problems(Site.load([tmp_path / "h"])) == []
    (tmp_path / "h" / "etc" / "drbd.conf").write_text(conf.replace("drbd.d/*", "drbd.e/*"))
    assert _problems(Site.load([tmp_path / "h"])) == [
        (
            "SYN003",
            "warning",
            2,
            "include 'drbd.e/*.res' matches no file (drbdadm ignores it silently)",
        )
    ]


def test_include_problems(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": (
                    'include "/etc/drbd.d/missing.conf";\n'
                    'include "nothing/*.res";\n'
                    'include "../../outside.conf";\n'
                    'include "drbd.d/loop.res";\n'
                ),
                "etc/drbd.d/loop.res": 'include "/etc/drbd.conf";\n',
            }
        },
    )
    site = Site.load([tmp_path / "h"])
    assert _problems(site) == [
        (
            "SYN003",
            "error",
            1,
            "include '/etc/drbd.d/missing.conf': etc/drbd.d/missing.conf does "
            'not exist (drbdadm fails: "Failed to open include file")',
        ),
        (
            "SYN003",
            "warning",
            2,
            "include 'nothing/*.res' matches no file (drbdadm ignores it silently)",
        ),
        (
            "SYN003",
            "error",
            3,
            "include '../../outside.conf': outside.conf does not exist (drbdadm fails: "
            '"Failed to open include file")',
        ),
        (
            "SYN003",
            "error",
            1,
            "include loop: etc/drbd.conf -> etc/drbd.d/loop.res -> etc/drbd.conf",
        ),
    ]
    assert site.problems[-1].location.path.endswith("etc/drbd.d/loop.res")
    assert site.problems[1].severity is Severity.WARNING


RES_R0 = "resource r0 {\n  on h { device /dev/drbd0; }\n}\n"


@pytest.mark.parametrize(
    "pattern",
    ["/etc/x/../../../../etc/drbd.d/r0.res", "../../../etc/drbd.d/r0.res", "/../etc/drbd.d/*.res"],
)
def test_dot_dot_in_an_include_stops_at_the_host_root(tmp_path: Path, pattern: str) -> None:
    """The host root is "/": "/.." is "/", so the include names the host's own file."""
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": f'include "{pattern}";\n',
                "etc/drbd.d/r0.res": RES_R0,
            }
        },
    )
    site = Site.load([tmp_path / "h"])
    assert _problems(site) == []
    host = site.hosts[0]
    assert [r.name for _, r in host.drbd_resources()] == ["r0"]


def test_a_file_included_twice_is_read_once(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        {
            "h": {
                "etc/drbd.conf": 'include "drbd.d/r.res";\ninclude "/etc/drbd.d/*.res";\n',
                "etc/drbd.d/r.res": "resource r { }\n",
            }
        },
    )
    site = Site.load([tmp_path / "h"])
    assert site.problems == []
    assert [r.name for _, r in site.hosts[0].drbd_resources()] == ["r"]


def test_links_that_leave_the_host_are_not_followed(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": 'include "drbd.d/*.res";\n'}})
    secret = tmp_path / "secret.res"
    secret.write_text("resource stolen { }\n")
    (tmp_path / "h" / "etc" / "drbd.d").mkdir()
    os.symlink(secret, tmp_path / "h" / "etc" / "drbd.d" / "x.res")
    site = Site.load([tmp_path / "h"])
    # the host resolves the absolute link inside its own root, where there is no such file
    assert [p.message for p in site.problems] == [
        f"is a symbolic link to {secret}, which this copy of the host does not hold; not read"
    ]
    assert site.hosts[0].drbd_resources() == []


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xsanconf.lint.site

    def refuse(path: str) -> tuple[str | None, str | None]:
        return None, "cannot be read: Permission denied"

    write_site(tmp_path, {"h": {"etc/multipath.conf": "defaults {\n}\n"}})
    monkeypatch.setattr(xsanconf.lint.site, "read_checked", refuse)
    site = Site.load([tmp_path / "h"])
    assert [(p.code, p.message) for p in site.problems] == [
        ("SYN001", "cannot be read: Permission denied")
    ]


def test_loading_is_linear_in_hosts(tmp_path: Path) -> None:
    """An index, not a scan: finding a host or a file costs the same with many hosts."""
    write_site(tmp_path, {f"h{i:03d}": {"etc/drbd.conf": "global { }\n"} for i in range(60)})
    site = Site.load([tmp_path])
    assert site.host("h059") is site.hosts[-1]
    assert site.file_at(str(tmp_path / "h030" / "etc" / "drbd.conf")) is not None


def test_config_paths_resolve_inside_the_host_root() -> None:
    host = Site.load([EXAMPLE / "san1"]).hosts[0]
    assert host.fs_path("/etc/ietd.conf") == EXAMPLE / "san1" / "etc" / "ietd.conf"
    assert host.fs_path("/../../etc/passwd") == EXAMPLE / "san1" / "etc" / "passwd"
    assert host.fs_path("/") == EXAMPLE / "san1"


def test_absolute_links_resolve_inside_the_host_root(tmp_path: Path) -> None:
    """A copied host tree (a backup, an etckeeper checkout) keeps absolute links: they name
    the host's own files, not the linting machine's."""
    write_site(tmp_path, {"h": {"etc/drbd.d/r.res": "resource r { }\n"}})
    etc = tmp_path / "h" / "etc"
    os.symlink("/etc/drbd.d/r.res", etc / "drbd.conf")
    os.symlink("/etc/drbd.d", etc / "drbd-link.d")
    os.symlink("/dev/null", etc / "modprobe.d")  # not a directory to the host: nothing to read
    site = Site.load([tmp_path / "h"])
    assert site.problems == []
    assert [r.name for _, r in site.hosts[0].drbd_resources()] == ["r"]


def test_links_to_vendor_files_an_etc_copy_lacks_are_warnings(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/hostname": "h\n"}})
    os.symlink("/usr/share/doc/multipath.conf", tmp_path / "h" / "etc" / "multipath.conf")
    (problem,) = Site.load([tmp_path / "h"]).problems
    assert problem.severity == Severity.WARNING
    assert "which this copy of the host does not hold" in problem.message


def test_drop_ins_named_after_daemons_are_of_their_directory_kind(tmp_path: Path) -> None:
    # drbd-utils and multipath-tools ship /usr/lib/modules-load.d/{drbd,multipath}.conf;
    # options for drbd often live in /etc/modprobe.d/drbd.conf, and the target's start
    # after DRBD in a unit drop-in named after it
    write_site(
        tmp_path,
        {
            "h": {
                "usr/lib/modules-load.d/drbd.conf": "drbd\n",
                "usr/lib/modules-load.d/multipath.conf": "# load it early\ndm-multipath\n",
                "etc/modprobe.d/drbd.conf": "options drbd minor_count=64\n",
                "etc/modprobe.d/multipath.conf": "softdep dm-multipath pre: dm-round-robin\n",
                "etc/systemd/system/tgt.service.d/drbd.conf": "[Unit]\nAfter=drbd.service\n",
            }
        },
    )
    site = Site.load([tmp_path / "h"])
    kinds = {f.rel: (f.kind, f.doc.parsed) for f in site.files()}
    assert kinds == {
        "usr/lib/modules-load.d/drbd.conf": ("modules", True),
        "usr/lib/modules-load.d/multipath.conf": ("modules", True),
        "etc/modprobe.d/drbd.conf": ("modprobe", True),
        "etc/modprobe.d/multipath.conf": ("modprobe", True),
        "etc/systemd/system/tgt.service.d/drbd.conf": ("systemd-unit", True),
    }
    assert not site.problems


def test_a_file_outside_etc_that_kmod_reads_names_its_host(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"usr/lib/modules-load.d/drbd.conf": "drbd\n"}})
    given = tmp_path / "h" / "usr" / "lib" / "modules-load.d" / "drbd.conf"
    site = Site.load([given])
    assert [h.name for h in site.hosts] == ["h"]
    assert site.file_at(str(given)) is not None


def test_a_relative_file_given_inside_etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": "global { }\n"}})
    monkeypatch.chdir(tmp_path / "h" / "etc")  # "cd /etc; xsanlint drbd.conf"
    site = Site.load(["drbd.conf"])
    assert [h.name for h in site.hosts] == ["h"]
    shown = str(tmp_path / "h" / "etc" / "drbd.conf")
    assert site.focus == frozenset({shown}) and site.file_at(shown) is not None


def _include_messages(site: Site) -> list[str]:
    return [p.message for p in site.problems if p.code == "SYN003"]


def test_a_glob_that_overflows_on_directories_says_so_once(tmp_path: Path) -> None:
    write_site(tmp_path, {"h": {"etc/drbd.conf": 'include "drbd.d/*/*.res";\n'}})
    for i in range(MAX_INCLUDE_MATCHES + 1):
        (tmp_path / "h" / "etc" / "drbd.d" / f"d{i:05d}").mkdir(parents=True)
    site = Site.load([tmp_path / "h"])
    assert _include_messages(site) == [
        f"include 'drbd.d/*/*.res' matches more than {MAX_INCLUDE_MATCHES} directories before "
        "its last part; no file of it is read"
    ]


def test_a_glob_cut_short_before_any_match_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(site_module, "MAX_GLOB_LISTING", 10)
    files = {f"etc/drbd.d/r{i}.conf": "" for i in range(20)}
    write_site(tmp_path, {"h": {"etc/drbd.conf": 'include "drbd.d/*.res";\n', **files}})
    site = Site.load([tmp_path / "h"])
    assert _include_messages(site) == [
        "include 'drbd.d/*.res' lists more than 10 directory entries; no file of it is read"
    ]


_NODE_DB = "iqn.2009-02.nl.example:storage.xensan/10.0.0.1,3260,1"


def test_the_iscsi_node_database_is_read_in_etc_and_var_lib(tmp_path: Path) -> None:
    """Debian keeps the node database in /etc/iscsi, Red Hat in /var/lib/iscsi; a discovery
    portal's links into the node directories are not read a second time."""
    record = "# BEGIN RECORD 2.0-873\nnode.startup = automatic\n# END RECORD\n"
    write_site(
        tmp_path,
        {
            "deb": {f"etc/iscsi/nodes/{_NODE_DB}/default": record},
            "rh": {
                "etc/hostname": "rh\n",
                f"var/lib/iscsi/nodes/{_NODE_DB}/default": record,
                "var/lib/iscsi/send_targets/10.0.0.1,3260/st_config": "discovery.startup = on\n",
                "var/lib/iscsi/ifaces/iface0": "iface.iscsi_ifacename = iface0\n",
                "var/lib/iscsi/README": "not a record\n",
            },
        },
    )
    os.symlink(
        f"../../nodes/{_NODE_DB}",
        tmp_path
        / "rh/var/lib/iscsi/send_targets/10.0.0.1,3260"
        / (_NODE_DB.replace("/", ",") + ",default"),
    )
    site = Site.load([tmp_path])
    found = {(f.host.name, f.rel) for f in site.files("iscsi-node")}
    assert found == {
        ("deb", f"etc/iscsi/nodes/{_NODE_DB}/default"),
        ("rh", f"var/lib/iscsi/nodes/{_NODE_DB}/default"),
        ("rh", "var/lib/iscsi/send_targets/10.0.0.1,3260/st_config"),
        ("rh", "var/lib/iscsi/ifaces/iface0"),
    }
    assert not site.problems


def test_a_node_record_given_names_its_host(tmp_path: Path) -> None:
    rel = f"var/lib/iscsi/nodes/{_NODE_DB}/default"
    write_site(tmp_path, {"h": {rel: "node.startup = manual\n"}})
    given = tmp_path / "h" / rel
    site = Site.load([given])
    assert [h.name for h in site.hosts] == ["h"]
    assert site.file_at(str(given)) is not None
