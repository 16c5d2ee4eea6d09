"""The kernel command line a host boots with: grub.cfg's default entry, /etc/default/grub and
a captured proc/cmdline, read tolerantly and within bounds."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf.limits import MAX_FILE_BYTES
from xsanconf.lint.boot_cmdline import CommandLine, command_line
from xsanconf.lint.kmod import kmod_config
from xsanconf.lint.site import Host, Site

HEAD = """\
if [ -s $prefix/grubenv ]; then
  load_env
fi
if [ "${next_entry}" ] ; then
   set default="${next_entry}"
   set next_entry=
else
   set default="DEFAULT"
fi
"""
ENTRIES = """\
menuentry 'Debian GNU/Linux' --class debian $menuentry_id_option 'gnulinux-simple-abc' {
	insmod ext2
	echo	'Loading Linux 2.6.32-5-xen-amd64 ...'
	linux	/vmlinuz-2.6.32-5-xen-amd64 root=UUID=abc ro  quiet sbp2.exclusive_login=0
	initrd	/initrd.img-2.6.32-5-xen-amd64
}
submenu 'Advanced options for Debian GNU/Linux' $menuentry_id_option 'gnulinux-advanced-abc' {
	menuentry 'Debian GNU/Linux, with Linux 2.6.32 (recovery mode)' {
		linux	/vmlinuz-2.6.32-5-xen-amd64 root=UUID=abc ro single
	}
	menuentry 'Debian GNU/Linux, with Linux 2.6.26' --id old-kernel {
		linux	/vmlinuz-2.6.26 root=UUID=abc ro "firewire-sbp2.exclusive_login=1"
	}
}
"""


def grub_cfg(default: str = "0", entries: str = ENTRIES) -> str:
    return HEAD.replace("DEFAULT", default) + entries


def host_of(tmp_path: Path, files: Mapping[str, str]) -> Host:
    write_site(tmp_path / "site", {"h": {"etc/hostname": "h\n", **files}})
    return Site.load([tmp_path / "site"]).hosts[0]


def line_of(tmp_path: Path, files: Mapping[str, str]) -> CommandLine | None:
    return command_line(host_of(tmp_path, files))


def values(found: CommandLine | None) -> list[str]:
    assert found is not None
    return [s.word for s in found.settings]


@pytest.mark.parametrize(
    ("default", "wanted"),
    [
        ("0", ["sbp2.exclusive_login=0"]),
        ("Debian GNU/Linux", ["sbp2.exclusive_login=0"]),
        ("gnulinux-simple-abc", ["sbp2.exclusive_login=0"]),
        ("1>0", []),
        ("1>1", ["firewire-sbp2.exclusive_login=1"]),
        ("gnulinux-advanced-abc>old-kernel", ["firewire-sbp2.exclusive_login=1"]),
    ],
)
def test_grub_cfg_default_entry(tmp_path: Path, default: str, wanted: list[str]) -> None:
    assert values(line_of(tmp_path, {"boot/grub/grub.cfg": grub_cfg(default)})) == wanted


def test_the_grub_cfg_setting_says_where_it_is(tmp_path: Path) -> None:
    found = line_of(tmp_path, {"boot/grub/grub.cfg": grub_cfg("0")})
    assert found is not None
    (setting,) = found.settings
    assert setting.source == "grub.cfg entry 'Debian GNU/Linux'"
    assert (setting.where.line, setting.where.column) == (13, 60)
    assert setting.place == f"{tmp_path}/site/h/boot/grub/grub.cfg:13"


def test_unknown_default_counts_what_every_entry_agrees_on(tmp_path: Path) -> None:
    """GRUB_DEFAULT=saved: the entry is chosen at boot, so a value counts only if every entry
    gives it."""
    disagree = line_of(tmp_path / "a", {"boot/grub/grub.cfg": grub_cfg("${saved_entry}")})
    assert values(disagree) == []
    same = ENTRIES.replace(" single", " single sbp2.exclusive_login=0").replace(
        '"firewire-sbp2.exclusive_login=1"', "sbp2.exclusive-login=0"
    )
    found = line_of(tmp_path / "b", {"boot/grub/grub.cfg": grub_cfg("${saved_entry}", same)})
    assert values(found) == ["sbp2.exclusive_login=0"]
    assert found is not None
    assert found.settings[0].source == "every grub.cfg entry; which one boots is chosen at boot"


def test_grub_variables_and_quoting_in_linux_lines(tmp_path: Path) -> None:
    entries = (
        "menuentry 'x' {\n"
        "\tlinux16 /vmlinuz ro $vt_handoff sbp2.serialize_io=$x 'sbp2.exclusive_login=0' "
        '"mod.p=a b" m\\ 2.q=1\n'
        "}\n"
    )
    found = line_of(tmp_path, {"boot/grub2/grub.cfg": grub_cfg("0", entries)})
    assert values(found) == ["sbp2.exclusive_login=0", 'mod.p="a b"']
    assert found is not None
    assert found.of("mod", "p")[0].value == "a b"


def test_a_xen_dom0_entry_gives_the_kernel_its_command_line_on_the_first_module(
    tmp_path: Path,
) -> None:
    entries = (
        "menuentry 'Debian GNU/Linux, with Xen 4.0-amd64 and Linux 2.6.32-5-xen-amd64' {\n"
        "\tmultiboot\t/boot/xen-4.0-amd64.gz placeholder dom0_mem=1024M sbp2.serialize_io=1\n"
        "\tmodule\t/boot/vmlinuz-2.6.32-5-xen-amd64 placeholder root=/dev/sda1 ro "
        "sbp2.exclusive_login=0\n"
        "\tmodule\t--nounzip /boot/initrd.img-2.6.32-5-xen-amd64 sbp2.workarounds=1\n"
        "}\n"
    )
    found = line_of(tmp_path, {"boot/grub/grub.cfg": grub_cfg("0", entries)})
    assert values(found) == ["sbp2.exclusive_login=0"]
    assert found is not None
    assert found.settings[0].where.line == 12


@pytest.mark.parametrize(
    "text",
    [
        "menuentry 'x {\n\tlinux /vmlinuz sbp2.exclusive_login=0\n}\n",  # unclosed quote
        "}\n}\nlinux /vmlinuz sbp2.exclusive_login=0\n{\n",  # braces out of order
        "menuentry\nmenuentry 'a'\nsubmenu {\nset default=\nset\n",  # truncated commands
        "\x00\xff\ufffd garbage \\",
        "",
    ],
)
def test_a_broken_grub_cfg_gives_no_crash_and_no_setting(tmp_path: Path, text: str) -> None:
    host = host_of(tmp_path, {"boot/grub/grub.cfg": text})
    assert command_line(host) is None
    assert kmod_config(host).winner("sbp2", "exclusive_login") is None


def test_a_grub_cfg_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = grub_cfg("0") + "#" * MAX_FILE_BYTES
    assert line_of(tmp_path, {"boot/grub/grub.cfg": big}) is None


def test_a_fifo_for_grub_cfg_is_not_opened(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"etc/hostname": "h\n"}})
    (tmp_path / "site/h/boot/grub").mkdir(parents=True)
    os.mkfifo(tmp_path / "site/h/boot/grub/grub.cfg")
    assert command_line(Site.load([tmp_path / "site"]).hosts[0]) is None


def test_default_grub_both_variables_and_grub_d_in_order(tmp_path: Path) -> None:
    files = {
        "etc/default/grub": (
            'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet sbp2.exclusive_login=1"\n'
            'GRUB_CMDLINE_LINUX="console=ttyS0 sbp2.serialize_io=1"\n'
        ),
        "etc/default/grub.d/50-firewire.cfg": (
            'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT sbp2.exclusive_login=0"\n'
        ),
        "etc/default/grub.d/README": "GRUB_CMDLINE_LINUX=sbp2.workarounds=1\n",  # not *.cfg
    }
    host = host_of(tmp_path, files)
    found = command_line(host)
    assert values(found) == [
        "sbp2.serialize_io=1",
        "sbp2.exclusive_login=1",
        "sbp2.exclusive_login=0",
    ]
    assert found is not None
    last = found.settings[-1]
    assert last.place == f"{tmp_path}/site/h/etc/default/grub.d/50-firewire.cfg:1"
    assert last.source == "GRUB_CMDLINE_LINUX_DEFAULT, which grub-mkconfig writes into grub.cfg"
    assert host.file("etc/default/grub.d/50-firewire.cfg") is not None


def test_grub_cfg_wins_over_default_grub_and_proc(tmp_path: Path) -> None:
    files = {
        "boot/grub/grub.cfg": grub_cfg("0"),
        "etc/default/grub": 'GRUB_CMDLINE_LINUX="sbp2.exclusive_login=1"\n',
        "proc/cmdline": "ro sbp2.exclusive_login=1\n",
    }
    assert values(line_of(tmp_path, files)) == ["sbp2.exclusive_login=0"]


def test_captured_proc_cmdline(tmp_path: Path) -> None:
    found = line_of(tmp_path, {"proc/cmdline": "BOOT_IMAGE=/vmlinuz ro sbp2.exclusive_login=0\n"})
    assert values(found) == ["sbp2.exclusive_login=0"]
    assert found is not None
    where = found.settings[0].where
    assert (where.line, where.column, where.end_column) == (1, 24, 46)
    assert found.settings[0].source == "the one the host booted with"


def test_a_plain_capture_of_proc_cmdline(tmp_path: Path) -> None:
    found = line_of(tmp_path, {"captures/proc-cmdline.txt": "ro sbp2.exclusive_login=0\n"})
    assert values(found) == ["sbp2.exclusive_login=0"]
    assert found is not None and found.settings[0].where.path.endswith("captures/proc-cmdline.txt")


def test_a_link_to_the_live_proc_cmdline_is_never_read(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"etc/hostname": "h\n"}})
    (tmp_path / "site/h/proc").mkdir()
    os.symlink("/proc/cmdline", tmp_path / "site/h/proc/cmdline")
    # the link names the host's own /proc/cmdline: inside this copy, which does not hold it
    assert command_line(Site.load([tmp_path / "site"]).hosts[0]) is None
    os.remove(tmp_path / "site/h/proc/cmdline")
    os.symlink("../../../../../../../../../../proc/cmdline", tmp_path / "site/h/proc/cmdline")
    assert command_line(Site.load([tmp_path / "site"]).hosts[0]) is None


def test_kmod_adds_the_command_line_after_modprobe_d(tmp_path: Path) -> None:
    host = host_of(
        tmp_path,
        {
            "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=1\n",
            "proc/cmdline": "ro sbp2.exclusive_login=0 sbp2.serialize_io=1\n",
        },
    )
    view = kmod_config(host)
    winner = view.winner("sbp2", "exclusive_login")
    assert winner is not None and winner.value == "0"
    assert winner.origin == "kernel command line"
    effective = view.effective("sbp2", "exclusive_login")  # modprobe.d alone
    assert effective is not None and effective.value == "1"
    assert view.modules() == ["sbp2"]


# modprobe.blacklist= (kmod's kcmdline_parse_result)


def test_modprobe_blacklist_is_a_blacklist_not_an_option(tmp_path: Path) -> None:
    """Two modprobe.blacklist= words add up: they were once two values of an option of a
    module named 'modprobe', and MOD002 called the first overridden."""
    line = "root=/dev/sda1 modprobe.blacklist=sbp2,firewire-sbp2 modprobe.blacklist=ohci1394 ro\n"
    host = host_of(tmp_path, {"proc/cmdline": line})
    found = command_line(host)
    assert found is not None and found.settings == ()
    assert [(b.name, b.matches_a_module, b.where.column) for b in found.blacklists] == [
        ("sbp2", True, 16),
        ("firewire-sbp2", False, 16),
        ("ohci1394", True, 54),
    ]
    view = kmod_config(host)
    assert view.modules() == []
    # kmod keeps a command line's name as written and compares it with firewire_sbp2
    assert view.blacklisted("firewire_sbp2") == []
    assert [b.name for b in view.blacklisted("sbp2")] == ["sbp2"]  # type: ignore[union-attr]


def test_modprobe_blacklist_without_a_value_is_an_option_of_a_module_modprobe(
    tmp_path: Path,
) -> None:
    found = line_of(tmp_path, {"proc/cmdline": "modprobe.blacklist modprobe.x=1\n"})
    assert found is not None and found.blacklists == ()
    assert [s.word for s in found.settings] == ["modprobe.blacklist", "modprobe.x=1"]


def test_blacklists_join_the_modprobe_d_ones(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/fw.conf": "blacklist firewire-sbp2\n",
        "etc/default/grub": 'GRUB_CMDLINE_LINUX="modprobe.blacklist=firewire_sbp2"\n',
    }
    view = kmod_config(host_of(tmp_path, files))
    found = view.blacklisted("firewire-sbp2")
    assert [type(b).__name__ for b in found] == ["tuple", "CmdlineBlacklisting"]


def test_blacklists_of_grub_cfg_entries_count_when_every_entry_agrees(tmp_path: Path) -> None:
    entries = (
        "menuentry 'a' {\n\tlinux /vmlinuz modprobe.blacklist=sbp2\n}\n"
        "menuentry 'b' {\n\tlinux /vmlinuz modprobe.blacklist=sbp2 quiet\n}\n"
    )
    found = line_of(tmp_path, {"boot/grub/grub.cfg": grub_cfg("${saved_entry}", entries)})
    assert found is not None and [b.name for b in found.blacklists] == ["sbp2"]
    other = entries.replace("quiet", "modprobe.blacklist=ohci1394")
    found = line_of(tmp_path / "2", {"boot/grub/grub.cfg": grub_cfg("${saved_entry}", other)})
    assert found is not None and found.blacklists == ()


# GRUB legacy

MENU_LST = """\
# menu.lst - See: grub(8), info grub, update-grub(8)
default\t\tDEFAULT
timeout\t\t5
## ## End Default Options ##
title\t\tXen 3.2-1-amd64 / Debian GNU/Linux, kernel 2.6.26-2-xen-amd64
root\t\t(hd0,0)
kernel\t\t/boot/xen-3.2-1-amd64.gz dom0_mem=1024M
module\t\t/boot/vmlinuz-2.6.26-2-xen-amd64 root=/dev/sda1 ro sbp2.exclusive_login=0
module\t\t/boot/initrd.img-2.6.26-2-xen-amd64

title\t\tDebian GNU/Linux, kernel 2.6.26-2-amd64
root\t\t(hd0,0)
kernel\t\t--no-mem-option /boot/vmlinuz-2.6.26-2-amd64 root=/dev/sda1 ro sbp2.exclusive_login=1
initrd\t\t/boot/initrd.img-2.6.26-2-amd64
"""


@pytest.mark.parametrize(
    ("name", "default", "wanted", "line"),
    [
        ("menu.lst", "0", ["sbp2.exclusive_login=0"], 8),  # Xen: the first module's line
        ("grub.conf", "1", ["sbp2.exclusive_login=1"], 13),  # --no-mem-option is skipped
        ("menu.lst", "=1", ["sbp2.exclusive_login=1"], 13),  # "default=1" (Red Hat's style)
        ("menu.lst", "7", [], None),  # no such entry: which boots is not known
    ],
)
def test_grub_legacy_default_entry(
    tmp_path: Path, name: str, default: str, wanted: list[str], line: int | None
) -> None:
    text = MENU_LST.replace("\t\tDEFAULT", default if default.startswith("=") else f"\t{default}")
    found = line_of(tmp_path, {f"boot/grub/{name}": text})
    assert found is not None
    assert [s.word for s in found.settings] == wanted
    if line is not None:
        assert found.settings[0].where.line == line
        assert found.settings[0].source.startswith(f"{name} entry ")


def test_grub_legacy_saved_default_counts_what_every_entry_agrees_on(tmp_path: Path) -> None:
    found = line_of(tmp_path, {"boot/grub/menu.lst": MENU_LST.replace("DEFAULT", "saved")})
    assert found is not None and found.settings == ()
    assert [s.word for s in found.per_entry] == [
        "sbp2.exclusive_login=0",
        "sbp2.exclusive_login=1",
    ]


def test_grub_legacy_passes_its_quotes_to_the_kernel(tmp_path: Path) -> None:
    text = 'title x\nkernel /vmlinuz "sbp2.exclusive_login=0" dyndbg="a b" sbp2.workarounds=1\n'
    found = line_of(tmp_path, {"boot/grub/menu.lst": text})
    assert found is not None
    assert [s.word for s in found.settings] == ["sbp2.exclusive_login=0", "sbp2.workarounds=1"]


def test_grub_cfg_wins_over_grub_legacy_which_wins_over_default_grub(tmp_path: Path) -> None:
    legacy = "default 0\ntitle x\nkernel /vmlinuz sbp2.exclusive_login=1\n"
    files = {
        "boot/grub/menu.lst": legacy,
        "etc/default/grub": 'GRUB_CMDLINE_LINUX="sbp2.exclusive_login=2"\n',
    }
    assert values(line_of(tmp_path, files)) == ["sbp2.exclusive_login=1"]
    files["boot/grub/grub.cfg"] = grub_cfg()
    assert values(line_of(tmp_path / "2", files)) == ["sbp2.exclusive_login=0"]


def test_mod002_does_not_take_two_blacklists_for_a_conflict(tmp_path: Path) -> None:
    from xsanconf.lint.engine import LintOptions, lint

    line = "root=/dev/sda1 modprobe.blacklist=sbp2 modprobe.blacklist=ohci1394\n"
    files = {"proc/cmdline": line, "etc/modprobe.d/drbd.conf": "options drbd minor_count=8\n"}
    site = Site.load([host_of(tmp_path, files).root.parent])
    assert list(lint(site, LintOptions(select=("MOD002",))).diagnostics) == []
