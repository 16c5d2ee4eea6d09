"""MOD001-MOD004 on small sites: what fires, what must not, and the exact fixes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tests.lint.sites import apply, write_site
from xsanconf.lint.diagnostics import Diagnostic, FileRename
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"
LIST = "# /etc/modules: kernel modules to load at boot\n"


def run(tmp_path: Path, code: str, files: Mapping[str, str]) -> list[Diagnostic]:
    """Lint one host ``h`` with one rule."""
    write_site(tmp_path / "site", {"h": files})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,)))
    assert not result.failures, result.failures
    return [d for d in result.diagnostics if d.code == code]


def path(tmp_path: Path, rel: str) -> str:
    return f"{tmp_path}/site/h/{rel}"


def fixed(tmp_path: Path, found: Diagnostic, files: Mapping[str, str], rel: str) -> str:
    assert found.fix is not None and not found.fix.safe
    return apply(files[rel], found.fix.edits, path(tmp_path, rel))


# MOD001


def test_mod001_default_on_fix_adds_the_value_to_the_options_line(tmp_path: Path) -> None:
    files = {
        "etc/modules": LIST + "sbp2\n",
        "etc/modprobe.d/sbp2.conf": "# FireWire disks\noptions sbp2 serialize_io=1\n",
    }
    (found,) = run(tmp_path, "MOD001", files)
    assert found.message == (
        "sbp2 logs in to the FireWire disk exclusively, so the other hosts sharing it cannot "
        "log in: exclusive_login is on by default and no modprobe.d file kmod reads sets it"
    )
    assert (found.location.path, found.location.line) == (
        path(tmp_path, "etc/modprobe.d/sbp2.conf"),
        2,
    )
    assert fixed(tmp_path, found, files, "etc/modprobe.d/sbp2.conf") == (
        "# FireWire disks\noptions sbp2 serialize_io=1 exclusive_login=0\n"
    )


def test_mod001_winning_value_on_fix_rewrites_that_value(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/00-fw.conf": "options firewire-sbp2 exclusive_login=0\n",
        "lib/modprobe.d/99-vendor.conf": "options firewire_sbp2  exclusive-login=Y workarounds=1\n",
    }
    (found,) = run(tmp_path, "MOD001", files)
    assert found.location.path == path(tmp_path, "lib/modprobe.d/99-vendor.conf")
    assert "exclusive-login=Y is the last value kmod passes" in found.message
    assert fixed(tmp_path, found, files, "lib/modprobe.d/99-vendor.conf") == (
        "options firewire_sbp2  exclusive-login=0 workarounds=1\n"
    )


def test_mod001_values_read_as_true_or_false(tmp_path: Path) -> None:
    fires = {}
    for value in ("exclusive_login", "exclusive_login=1", "exclusive_login=y",
                  "exclusive_login=2", "exclusive_login=0", "exclusive_login=N",
                  "exclusive_login=no", "exclusive_login=off"):  # fmt: skip
        files = {"etc/modprobe.d/sbp2.conf": f"options sbp2 {value}\n"}
        fires[value] = bool(run(tmp_path / value, "MOD001", files))
    assert fires == {
        "exclusive_login": True,
        "exclusive_login=1": True,
        "exclusive_login=y": True,
        "exclusive_login=2": True,
        "exclusive_login=0": False,
        "exclusive_login=N": False,
        "exclusive_login=no": False,
        "exclusive_login=off": False,
    }


def test_mod001_ignored_file_turning_it_off_is_renamed(tmp_path: Path) -> None:
    files = {
        "etc/modules": LIST + "sbp2\n",
        "etc/modprobe.d/sbp2": "options sbp2 exclusive_login=0 serialize_io=1\n",
    }
    (found,) = run(tmp_path, "MOD001", files)
    assert found.location.path == path(tmp_path, "etc/modprobe.d/sbp2")
    assert "is never read (its name does not end in .conf)" in found.message
    assert found.fix is not None and not found.fix.safe and found.fix.edits == ()
    assert found.fix.renames == (
        FileRename(
            path(tmp_path, "etc/modprobe.d/sbp2"), path(tmp_path, "etc/modprobe.d/sbp2.conf")
        ),
    )


def test_mod001_parameters_in_etc_modules_do_not_count(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "MOD001", {"etc/modules": LIST + "sbp2 exclusive_login=0\n"})
    assert found.location.path == path(tmp_path, "etc/modules")
    assert "systemd-modules-load fails on it" in found.message
    assert found.fix is None  # no modprobe.d file to edit


def test_mod001_boot_list_turning_it_back_on(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "etc/initramfs-tools/modules": "sbp2 exclusive_login=1\n",
    }
    (found,) = run(tmp_path, "MOD001", files)
    assert found.location.path == path(tmp_path, "etc/initramfs-tools/modules")
    assert "after exclusive_login=0 from" in found.message


def test_mod001_adds_an_options_line_to_the_module_file(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/firewire-sbp2.conf": "softdep firewire_sbp2 pre: firewire_ohci\n",
    }
    (found,) = run(tmp_path, "MOD001", files)
    assert fixed(tmp_path, found, files, "etc/modprobe.d/firewire-sbp2.conf") == (
        "softdep firewire_sbp2 pre: firewire_ohci\noptions firewire_sbp2 exclusive_login=0\n"
    )


def test_mod001_silent_without_firewire_or_when_it_never_loads(tmp_path: Path) -> None:
    assert run(tmp_path / "a", "MOD001", {"etc/modprobe.d/x.conf": "options e1000 p=1\n"}) == []
    assert run(tmp_path / "b", "MOD001", {"etc/modprobe.d/x.conf": "blacklist sbp2\n"}) == []
    never = {"etc/modules": "sbp2\n", "etc/modprobe.d/x.conf": "install sbp2 /bin/false\n"}
    assert run(tmp_path / "c", "MOD001", never) == []


# MOD002


def test_mod002_later_file_wins(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "lib/modprobe.d/zz.conf": "options sbp2 exclusive_login=1 serialize_io=1\n",
    }
    (found,) = run(tmp_path, "MOD002", files)
    assert found.message == (
        "sbp2: exclusive_login=0 is overridden by exclusive_login=1 in "
        f"{path(tmp_path, 'lib/modprobe.d/zz.conf')}:1; kmod passes every options line of a "
        "module (files in name order) and the kernel keeps the last value"
    )
    assert found.location.path == path(tmp_path, "etc/modprobe.d/sbp2.conf")
    assert [r.path for r in found.related] == [path(tmp_path, "lib/modprobe.d/zz.conf")]


def test_mod002_same_line_and_folded_names(tmp_path: Path) -> None:
    files = {"etc/modprobe.d/a.conf": "options firewire-sbp2 workarounds=1 workarounds=0x10\n"}
    (found,) = run(tmp_path, "MOD002", files)
    assert "later on the same line" in found.message
    files = {
        "etc/modprobe.d/a.conf": "options firewire-sbp2 exclusive-login=0\n",
        "etc/modprobe.d/b.conf": "options firewire_sbp2 exclusive_login=1\n",
    }
    assert len(run(tmp_path / "b", "MOD002", files)) == 1


def test_mod002_silent_for_equal_values_and_ignored_files(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/a.conf": "options sbp2 exclusive_login=0\n",
        "etc/modprobe.d/b.conf": "options sbp2 exclusive_login=0\n",
        "etc/modprobe.d/c": "options sbp2 exclusive_login=1\n",
        "etc/modules": "sbp2 exclusive_login=0\n",
    }
    assert run(tmp_path, "MOD002", files) == []


def test_mod002_boot_list_against_modprobe_d(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/a.conf": "options sbp2 exclusive_login=0\n",
        "etc/modules": "sbp2 exclusive_login=1\n",
    }
    (found,) = run(tmp_path, "MOD002", files)
    assert found.location.path == path(tmp_path, "etc/modules")
    assert "loaded by a boot script the value on this line wins" in found.message


def test_mod002_boot_lists_disagree_without_modprobe_d(tmp_path: Path) -> None:
    files = {
        "etc/modules": "sbp2 exclusive_login=0\n",
        "etc/initramfs-tools/modules": "sbp2 exclusive_login=1\n",
    }
    (found,) = run(tmp_path, "MOD002", files)
    assert found.location.path == path(tmp_path, "etc/modules")
    assert found.related[0].path == path(tmp_path, "etc/initramfs-tools/modules")


# MOD003


def test_mod003_no_conf_suffix_rename_fix(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "MOD003", {"etc/modprobe.d/sbp2": "options sbp2 serialize_io=1\n"})
    assert found.message == (
        "kmod ignores this file: it reads only *.conf files in /etc/modprobe.d/, so none of "
        "its lines take effect"
    )
    assert found.fix is not None and not found.fix.safe
    assert found.fix.renames == (
        FileRename(
            path(tmp_path, "etc/modprobe.d/sbp2"), path(tmp_path, "etc/modprobe.d/sbp2.conf")
        ),
    )


def test_mod003_no_rename_onto_an_existing_name(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2": "options sbp2 serialize_io=1\n",
        "lib/modprobe.d/sbp2.conf": "options sbp2 serialize_io=1\n",
    }
    (found,) = run(tmp_path, "MOD003", files)
    assert found.fix is None


def test_mod003_shadowed_file(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/fw.conf": "options sbp2 serialize_io=1\n",
        "lib/modprobe.d/fw.conf": "options sbp2 exclusive_login=0\n",
    }
    (found,) = run(tmp_path, "MOD003", files)
    assert found.location.path == path(tmp_path, "lib/modprobe.d/fw.conf")
    assert found.message == (
        f"kmod does not read this file: {path(tmp_path, 'etc/modprobe.d/fw.conf')} has the same "
        "name in a directory of higher precedence and is read instead"
    )


def test_mod003_masks_copies_backups_and_readmes_are_fine(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/same.conf": "options m p=1\n",
        "lib/modprobe.d/same.conf": "options m p=1\n",
        "etc/modprobe.d/empty.conf": "# disabled on purpose\n",
        "lib/modprobe.d/empty.conf": "options m q=1\n",
        "etc/modprobe.d/README": "Files here must end in .conf.\n",
        "etc/modprobe.d/x.conf.dpkg-old": "options m p=2\n",
        "etc/modprobe.d/.x.conf.swp": "options m p=2\n",
    }
    assert run(tmp_path, "MOD003", files) == []


def test_mod003_dev_null_mask_is_fine(tmp_path: Path) -> None:
    write_site(tmp_path / "site", {"h": {"lib/modprobe.d/x.conf": "options m p=1\n"}})
    (tmp_path / "site/h/etc/modprobe.d").mkdir()
    os.symlink("/dev/null", tmp_path / "site/h/etc/modprobe.d/x.conf")
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("MOD003",)))
    assert result.diagnostics == []


def test_mod003_include_config_and_modprobe_conf(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/a.conf": "include /etc/modprobe.d/local\nconfig /etc/other\n",
        "etc/modprobe.conf": "options sbp2 exclusive_login=0\n",
    }
    found = run(tmp_path, "MOD003", files)
    assert sorted((d.location.path.rsplit("/", 1)[1], d.location.line) for d in found) == [
        ("a.conf", 1),
        ("a.conf", 2),
        ("modprobe.conf", 1),
    ]
    include = next(d for d in found if d.location.line == 1 and "a.conf" in d.location.path)
    assert include.message.startswith(
        "kmod does not read 'include' (a module-init-tools directive): /etc/modprobe.d/local"
    )


# MOD004


def test_mod004_params_moved_into_the_module_options(tmp_path: Path) -> None:
    files = {
        "etc/modules": LIST + "sbp2 exclusive_login=0 serialize_io=1\nloop\n",
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
    }
    (found,) = run(tmp_path, "MOD004", files)
    assert found.message == (
        "systemd-modules-load reads the whole line 'sbp2 exclusive_login=0 serialize_io=1' as "
        "a module name and fails; parameters belong in /etc/modprobe.d/*.conf"
    )
    assert fixed(tmp_path, found, files, "etc/modules") == LIST + "sbp2\nloop\n"
    assert fixed(tmp_path, found, files, "etc/modprobe.d/sbp2.conf") == (
        "options sbp2 exclusive_login=0 serialize_io=1\n"
    )


def test_mod004_no_fix_without_an_options_line(tmp_path: Path) -> None:
    (found,) = run(tmp_path, "MOD004", {"etc/modules": "sbp2 exclusive_login=0\n"})
    assert found.fix is None


def test_mod004_which_lists(tmp_path: Path) -> None:
    write_site(
        tmp_path / "site",
        {
            "h": {
                "etc/modules": "sbp2 exclusive_login=0\n",
                "etc/modules-load.d/fw.conf": "firewire-sbp2 exclusive_login=0\n",
                "etc/modules-load.d/off": "sbp2 exclusive_login=0\n",
                "etc/initramfs-tools/modules": "sbp2 exclusive_login=0\n",
            }
        },
    )
    os.symlink("../modules", tmp_path / "site/h/etc/modules-load.d/modules.conf")
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("MOD004",)))
    assert sorted(d.location.path.split("/h/")[1] for d in result.diagnostics) == [
        "etc/modules",
        "etc/modules-load.d/fw.conf",
    ]


# the example sites


def test_example_site_mod_findings() -> None:
    result = lint(Site.load([FIXTURES / "example"]), LintOptions(select=("MOD",)))
    found = sorted((d.location.host, d.code, d.location.path.split("/etc/")[1])
                   for d in result.diagnostics)  # fmt: skip
    assert found == [
        ("xen1", "MOD004", "modules"),
        ("xen2", "MOD001", "modprobe.d/sbp2"),
        ("xen2", "MOD003", "modprobe.d/sbp2"),
        ("xen2", "MOD004", "modules"),
    ]


def test_example_fixed_site_is_clean_of_mod_findings() -> None:
    result = lint(Site.load([FIXTURES / "example-fixed"]), LintOptions(select=("MOD",)))
    assert result.diagnostics == []


# the kernel command line

GRUB_CFG = (
    'set default="0"\n'
    "menuentry 'Debian GNU/Linux' {\n"
    "\tlinux\t/vmlinuz-2.6.32 root=/dev/sda1 ro quiet WORDS\n"
    "}\n"
)


def grub_cfg(words: str) -> str:
    return GRUB_CFG.replace("WORDS", words)


def test_mod001_silent_when_the_kernel_command_line_turns_it_off(tmp_path: Path) -> None:
    base = {"etc/modules": LIST + "sbp2\n"}
    sources = {
        "grub.cfg": {"boot/grub/grub.cfg": grub_cfg("sbp2.exclusive_login=0")},
        "default": {"etc/default/grub": 'GRUB_CMDLINE_LINUX="sbp2.exclusive-login=0"\n'},
        "proc": {"proc/cmdline": "ro firewire_sbp2.exclusive_login=0 sbp2.exclusive_login=0\n"},
    }
    for name, files in sources.items():
        assert run(tmp_path / name, "MOD001", {**base, **files}) == [], name
    assert run(tmp_path / "none", "MOD001", base) != []


def test_mod001_silent_when_the_command_line_overrides_modprobe_d(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=1\n",
        "boot/grub/grub.cfg": grub_cfg("sbp2.exclusive_login=0"),
    }
    assert run(tmp_path, "MOD001", files) == []


def test_mod001_command_line_turns_it_on_over_modprobe_d(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "boot/grub/grub.cfg": grub_cfg("sbp2.exclusive_login=1"),
    }
    (found,) = run(tmp_path, "MOD001", files)
    grub = path(tmp_path, "boot/grub/grub.cfg")
    assert found.message == (
        "sbp2 logs in to the FireWire disk exclusively, so the other hosts sharing it cannot "
        "log in: sbp2.exclusive_login=1 on the kernel command line (grub.cfg entry 'Debian "
        f"GNU/Linux', {grub}:3) is the last value kmod passes (it adds the command line's "
        "options after every modprobe.d line); set sbp2.exclusive_login=0 there"
    )
    assert (found.location.path, found.location.line) == (grub, 3)
    assert [(r.path, r.message) for r in found.related] == [
        (path(tmp_path, "etc/modprobe.d/sbp2.conf"), "overridden by the kernel command line")
    ]
    assert found.fix is None


def test_mod002_command_line_contradicts_modprobe_d_and_wins(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=1 serialize_io=1\n",
        "etc/default/grub": 'GRUB_CMDLINE_LINUX_DEFAULT="quiet sbp2.exclusive_login=0"\n',
    }
    (found,) = run(tmp_path, "MOD002", files)
    grub = path(tmp_path, "etc/default/grub")
    assert found.message == (
        "sbp2: exclusive_login=1 is overridden by sbp2.exclusive_login=0 on the kernel command "
        "line (GRUB_CMDLINE_LINUX_DEFAULT, which grub-mkconfig writes into grub.cfg, "
        f"{grub}:1); kmod adds the kernel command line's options after every modprobe.d "
        "options line, and the kernel keeps the last value"
    )
    assert found.location.path == path(tmp_path, "etc/modprobe.d/sbp2.conf")
    assert [(r.path, r.line, r.message) for r in found.related] == [(grub, 1, "this value wins")]


def test_mod002_agreeing_command_line_is_silent(tmp_path: Path) -> None:
    files = {
        "etc/modprobe.d/sbp2.conf": "options sbp2 exclusive_login=0\n",
        "proc/cmdline": "ro sbp2.exclusive-login=0\n",
    }
    assert run(tmp_path, "MOD002", files) == []


def test_mod002_repeated_on_the_command_line_last_wins(tmp_path: Path) -> None:
    files = {
        "etc/modules": LIST + "sbp2\n",
        "proc/cmdline": "sbp2.exclusive_login=1 ro sbp2.exclusive_login=0\n",
    }
    (found,) = run(tmp_path, "MOD002", files)
    assert found.message.startswith(
        "sbp2: sbp2.exclusive_login=1 is overridden by sbp2.exclusive_login=0 on the kernel "
        "command line (the one the host booted with, "
    )
    assert found.message.endswith("; the kernel keeps the last value")
    assert (found.location.line, found.location.column) == (1, 1)
    assert run(tmp_path / "mod001", "MOD001", files) == []


def test_mod_rules_survive_a_broken_grub_cfg(tmp_path: Path) -> None:
    files = {
        "etc/modules": LIST + "sbp2\n",
        "boot/grub/grub.cfg": "menuentry 'x {\n\tlinux /vmlinuz \"sbp2.exclusive_login=0\n}}}\n",
    }
    write_site(tmp_path / "site", {"h": files})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("MOD",)))
    assert not result.failures
    assert [d.code for d in result.diagnostics] == ["MOD001"]


def test_fixture_site_where_the_kernel_command_line_decides() -> None:
    """fixtures/sites/kmod-cmdline/README.md: grub.cfg, /etc/default/grub and a captured
    proc/cmdline each change a verdict."""
    site = FIXTURES / "kmod-cmdline"
    result = lint(Site.load([site]), LintOptions(select=("MOD",)))
    found = {
        (d.code, d.location.host, os.path.relpath(d.location.path, site), d.location.line)
        for d in result.diagnostics
    }
    assert found == {
        ("MOD001", "xen2", "xen2/boot/grub/grub.cfg", 37),
        ("MOD002", "xen2", "xen2/etc/modprobe.d/sbp2.conf", 2),
        ("MOD002", "xen3", "xen3/etc/modprobe.d/sbp2.conf", 1),
    }


def test_mod001_holds_for_the_grub_entries_that_do_not_turn_it_off(tmp_path: Path) -> None:
    """GRUB_DEFAULT=saved: the entry is chosen at boot; one entry turns the login off, the
    recovery entry does not."""
    cfg = (
        'set default="${saved_entry}"\n'
        "menuentry 'Debian GNU/Linux' {\n"
        "\tlinux\t/vmlinuz root=/dev/sda1 ro quiet sbp2.exclusive_login=0\n"
        "}\n"
        "menuentry 'Debian GNU/Linux (recovery mode)' {\n"
        "\tlinux\t/vmlinuz root=/dev/sda1 ro single\n"
        "}\n"
    )
    files = {"etc/modules": LIST + "sbp2\n", "boot/grub/grub.cfg": cfg}
    (found,) = run(tmp_path, "MOD001", files)
    assert found.message.endswith(
        "no modprobe.d file kmod reads sets it; grub.cfg entry 'Debian GNU/Linux' sets "
        "sbp2.exclusive_login=0 on its kernel command line, but which entry boots is chosen at "
        "boot: this holds for the entries that do not turn it off"
    )
    assert [(r.line, r.message) for r in found.related] == [
        (3, "sbp2.exclusive_login=0 on grub.cfg entry 'Debian GNU/Linux' only")
    ]
    every = cfg.replace(" single", " single sbp2.exclusive_login=0")
    assert run(tmp_path / "every", "MOD001", {**files, "boot/grub/grub.cfg": every}) == []
