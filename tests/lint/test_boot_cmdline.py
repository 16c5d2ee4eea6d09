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
