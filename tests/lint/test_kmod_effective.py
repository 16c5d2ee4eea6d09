"""The effective kmod view of a host: which files kmod reads, in which order, and which value
of each module parameter wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tests.lint.sites import write_site
from xsanconf.lint.kmod import KmodConfig, ListReader, Skip, kmod_config
from xsanconf.lint.site import Site


def view(tmp_path: Path, files: Mapping[str, str], version: int | None = None) -> KmodConfig:
    write_site(tmp_path / "site", {"h": files})
    site = Site.load([tmp_path / "site"])
    return kmod_config(site.hosts[0], version)


def read_order(config: KmodConfig) -> list[str]:
    return [f.rel for f in config.read]


def skips(config: KmodConfig) -> dict[str, Skip | None]:
    return {f.rel: f.skip for f in config.files}


def test_site_loads_modprobe_d_outside_etc(tmp_path: Path) -> None:
    write_site(
        tmp_path / "site",
        {
            "h": {
                "lib/modprobe.d/a.conf": "options m p=1\n",
                "usr/lib/modprobe.d/b.conf": "options m p=1\n",
                "run/modprobe.d/c.conf": "options m p=1\n",
                "usr/local/lib/modprobe.d/d.conf": "options m p=1\n",
                "usr/lib/modules-load.d/e.conf": "m\n",
                "lib/other/f.conf": "options m p=1\n",
            }
        },
    )
    host = Site.load([tmp_path / "site"]).hosts[0]
    assert sorted((f.rel, f.kind) for f in host.files if f.kind in ("modprobe", "modules")) == [
        ("lib/modprobe.d/a.conf", "modprobe"),
        ("run/modprobe.d/c.conf", "modprobe"),
        ("usr/lib/modprobe.d/b.conf", "modprobe"),
        ("usr/lib/modules-load.d/e.conf", "modules"),
        ("usr/local/lib/modprobe.d/d.conf", "modprobe"),
    ]


def test_files_read_by_name_across_directories_higher_directory_hides_lower(
    tmp_path: Path,
) -> None:
    config = view(
        tmp_path,
        {
            "lib/modprobe.d/a.conf": "options m p=lib\n",
            "etc/modprobe.d/a.conf": "options m p=etc\n",
            "usr/lib/modprobe.d/b.conf": "options m q=1\n",
            "run/modprobe.d/c.conf": "options m r=1\n",
            "usr/local/lib/modprobe.d/a.conf": "options m p=local\n",
        },
    )
    assert read_order(config) == [
        "etc/modprobe.d/a.conf",
        "usr/lib/modprobe.d/b.conf",
        "run/modprobe.d/c.conf",
    ]
    shadowed = {f.rel: f.shadowed_by.rel for f in config.files if f.shadowed_by is not None}
    assert shadowed == {
        "usr/local/lib/modprobe.d/a.conf": "etc/modprobe.d/a.conf",
        "lib/modprobe.d/a.conf": "etc/modprobe.d/a.conf",
    }
    winner = config.effective("m", "p")
    assert winner is not None and winner.value == "etc"


def test_last_file_by_name_wins_even_from_a_lower_directory(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {
            "lib/modprobe.d/00-vendor.conf": "options m p=1\n",
            "etc/modprobe.d/50-admin.conf": "options m p=2\n",
            "lib/modprobe.d/99-late.conf": "options m p=3\n",
        },
    )
    assert [(s.file.rel, s.value) for s in config.settings("m", "p")] == [
        ("lib/modprobe.d/00-vendor.conf", "1"),
        ("etc/modprobe.d/50-admin.conf", "2"),
        ("lib/modprobe.d/99-late.conf", "3"),
    ]
    winner = config.effective("m", "p")
    assert winner is not None and winner.place.endswith("lib/modprobe.d/99-late.conf:1")


def test_options_accumulate_in_order_last_value_of_a_line_wins(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {"etc/modprobe.d/a.conf": "options m p=1 q=1 p=2\noptions m q=3\n"},
    )
    assert [str(s.param) for s in config.settings("m")] == ["p=1", "q=1", "p=2", "q=3"]
    p, q = config.effective("m", "p"), config.effective("m", "q")
    assert p is not None and p.value == "2" and q is not None and q.value == "3"


def test_dash_and_underscore_fold_in_module_and_parameter_names(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {
            "etc/modprobe.d/a.conf": "options firewire-sbp2 exclusive-login=1\n",
            "etc/modprobe.d/b.conf": "options firewire_sbp2 exclusive_login=0\n",
        },
    )
    found = config.settings("firewire-sbp2", "exclusive_login")
    assert [(s.module, s.param.name, s.value) for s in found] == [
        ("firewire_sbp2", "exclusive-login", "1"),
        ("firewire_sbp2", "exclusive_login", "0"),
    ]
    assert config.modules() == ["firewire_sbp2"]


def test_only_conf_names_are_read(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {
            "etc/modprobe.d/sbp2": "options sbp2 exclusive_login=0\n",
            "etc/modprobe.d/.hidden.conf": "options sbp2 exclusive_login=0\n",
            "etc/modprobe.d/x.conf~": "options sbp2 exclusive_login=0\n",
            "etc/modprobe.d/x.conf.dpkg-old": "options sbp2 exclusive_login=0\n",
            "etc/modprobe.d/.conf": "options sbp2 exclusive_login=0\n",
            "etc/modprobe.conf": "options sbp2 exclusive_login=0\n",
        },
    )
    assert skips(config) == {
        "etc/modprobe.d/.conf": Skip.HIDDEN,
        "etc/modprobe.d/.hidden.conf": Skip.HIDDEN,
        "etc/modprobe.d/sbp2": Skip.NO_CONF_SUFFIX,
        "etc/modprobe.d/x.conf.dpkg-old": Skip.BACKUP,
        "etc/modprobe.d/x.conf~": Skip.BACKUP,
        "etc/modprobe.conf": Skip.NOT_READ,
    }
    assert config.effective("sbp2", "exclusive_login") is None
    unread = config.unread_settings("sbp2", "exclusive_login")
    assert ("etc/modprobe.d/sbp2", "its name does not end in .conf") in [
        (s.file.rel, why) for s, why in unread
    ]


def test_dev_null_link_masks_a_vendor_file(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"lib/modprobe.d/x.conf": "options m p=1\n"}})
    (tmp_path / "site/h/etc/modprobe.d").mkdir()
    os.symlink("/dev/null", tmp_path / "site/h/etc/modprobe.d/x.conf")
    config = kmod_config(Site.load([tmp_path / "site"]).hosts[0])
    assert skips(config) == {
        "etc/modprobe.d/x.conf": None,
        "lib/modprobe.d/x.conf": Skip.SHADOWED,
    }
    assert config.files[0].masked and config.files[0].empty
    assert config.effective("m", "p") is None


def test_merged_usr_reads_lib_once(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"usr/lib/modprobe.d/x.conf": "options m p=1\n"}})
    os.symlink("usr/lib", tmp_path / "site/h/lib")
    config = kmod_config(Site.load([tmp_path / "site"]).hosts[0])
    assert skips(config) == {"usr/lib/modprobe.d/x.conf": None}


def test_directories_and_dangling_links_are_skipped(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"etc/modprobe.d/sub.conf/x.conf": "options m p=1\n"}})
    os.symlink("missing.conf", tmp_path / "site/h/etc/modprobe.d/gone.conf")
    config = kmod_config(Site.load([tmp_path / "site"]).hosts[0])
    assert skips(config) == {
        "etc/modprobe.d/gone.conf": Skip.BROKEN,
        "etc/modprobe.d/sub.conf": Skip.DIRECTORY,
    }


def test_older_kmod_reads_fewer_directories(tmp_path: Path) -> None:
    files = {
        "usr/lib/modprobe.d/a.conf": "options m p=usr\n",
        "usr/local/lib/modprobe.d/b.conf": "options m p=local\n",
        "lib/modprobe.d/a.conf": "options m p=lib\n",
    }
    newest = view(tmp_path / "new", files)
    assert read_order(newest) == ["usr/lib/modprobe.d/a.conf", "usr/local/lib/modprobe.d/b.conf"]
    kmod30 = view(tmp_path / "k30", files, version=30)
    assert read_order(kmod30) == ["lib/modprobe.d/a.conf", "usr/local/lib/modprobe.d/b.conf"]
    kmod28 = view(tmp_path / "k28", files, version=28)
    assert read_order(kmod28) == ["lib/modprobe.d/a.conf"]
    assert skips(kmod28)["usr/local/lib/modprobe.d/b.conf"] is Skip.NOT_YET


def test_module_lists_and_who_reads_them(tmp_path: Path) -> None:
    write_site(
        tmp_path / "site",
        {
            "h": {
                "etc/modules": "sbp2 exclusive_login=0\n",
                "etc/modules-load.d/fw.conf": "firewire-sbp2\n",
                "etc/modules-load.d/old": "sbp2\n",
                "etc/initramfs-tools/modules": "sbp2 exclusive_login=1\n",
                "usr/lib/modules-load.d/fw.conf": "firewire_ohci\n",
            }
        },
    )
    os.symlink("../modules", tmp_path / "site/h/etc/modules-load.d/modules.conf")
    config = kmod_config(Site.load([tmp_path / "site"]).hosts[0])
    readers = {m.file.rel: (sorted(r.name for r in m.readers), m.skip) for m in config.lists}
    assert readers == {
        "etc/modules": (["SYSTEMD", "SYSVINIT"], None),
        "etc/modules-load.d/fw.conf": (["SYSTEMD"], None),
        "etc/modules-load.d/modules.conf": ([], "it is a link to etc/modules"),
        "etc/modules-load.d/old": ([], "systemd-modules-load reads only *.conf files"),
        "usr/lib/modules-load.d/fw.conf": (
            [],
            f"{tmp_path}/site/h/etc/modules-load.d/fw.conf has the same name and takes precedence",
        ),
        "etc/initramfs-tools/modules": (["INITRAMFS"], None),
    }
    boot = config.list_settings("sbp2", "exclusive_login")
    assert [(s.file.rel, s.value) for s in boot] == [
        ("etc/modules", "0"),
        ("etc/initramfs-tools/modules", "1"),
    ]
    assert ListReader.SYSTEMD.passes_params is False
    assert [m.what.split(" by ")[0] for m in config.mentions("firewire_sbp2")] == ["loaded at boot"]


def test_mentions_and_modules_that_never_load(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {
            "etc/modprobe.d/a.conf": (
                "blacklist sbp2\nsoftdep firewire_sbp2 pre: firewire-ohci\n"
                "install sbp2 /bin/false\nalias fw-disk firewire_sbp2\n"
            ),
        },
    )
    assert config.mentions("sbp2") == []
    assert config.never_loads("sbp2") is not None
    assert [m.what for m in config.mentions("firewire-sbp2")] == ["softdep line", "alias fw-disk"]
    assert [m.what for m in config.mentions("firewire_ohci")] == ["softdep line"]
    assert config.never_loads("firewire_sbp2") is None


def test_first_install_line_decides(tmp_path: Path) -> None:
    config = view(
        tmp_path,
        {
            "etc/modprobe.d/a.conf": "install sbp2 /sbin/modprobe --ignore-install sbp2\n",
            "etc/modprobe.d/b.conf": "install sbp2 /bin/true\n",
        },
    )
    assert config.never_loads("sbp2") is None


def test_view_is_computed_once_per_host_and_version(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"etc/modprobe.d/a.conf": "options m p=1\n"}})
    host = Site.load([tmp_path / "site"]).hosts[0]
    assert kmod_config(host) is kmod_config(host)
    assert kmod_config(host, 28) is not kmod_config(host)
