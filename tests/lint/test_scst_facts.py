"""SYN001, SYN004 and SYN005 over scst.conf: what scstadmin refuses, replaces or drops.

Each expectation names the scstadmin (``scstadmin/scstadmin.sysfs/scstadmin``) or kernel
(``scst/src/dev_handlers/scst_vdisk.c``) code that decides it (SCST-project/scst).
"""

from __future__ import annotations

from pathlib import Path

from tests.lint.sites import write_site
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site


def _found(tmp_path: Path, text: str, code: str) -> list[tuple[int, str]]:
    write_site(tmp_path / "site", {"h": {"etc/scst.conf": text}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,)))
    return [(d.location.line, d.message) for d in result.diagnostics]


TARGET = "TARGET_DRIVER iscsi {\n\tenabled 1\n\tTARGET t {\n\t\tenabled 1\n%s\t}\n}\n"
DEVICE = "HANDLER vdisk_fileio {\n\tDEVICE d {\n%s\t}\n}\n"


def test_refusals(tmp_path: Path) -> None:
    text = (
        DEVICE % "\t\tfilename drbd0\n\t\tt10_dev_id 0123456789abcdefghijklmnop\n"
        "\t\tusn 0123456789abcdefghijk\n\t\tnaa_id 6001405123456789\n"
        "\t\twrite_through yes\n"
        + TARGET
        % (
            "\t\tLUN 0 d\n\t\tLUN 0 e\n\t\tLUN 1 nowhere\n\t\tIncomingUser joe secret\n"
            "\t\tGROUP a {\n\t\t\tINITIATOR iqn.x\n\t\t}\n"
            "\t\tGROUP b {\n\t\t\tINITIATOR iqn.x\n\t\t}\n"
        )
    )
    found = _found(tmp_path, text, "SYN001")
    messages = "\n".join(m for _, m in found)
    assert "t10_dev_id is at most 25" in messages  # vdev_set_t10_dev_id
    assert "usn is at most 20" in messages  # vdev_sysfs_usn_store
    assert "starts with 2, 3 or 5" in messages  # vdev_sysfs_naa_id_store
    assert "filename must be an absolute path" in messages  # "must be global"
    assert "write_through takes a number" in messages  # kstrtoull
    assert "LUN 0 of iscsi/t has several devices" in messages  # applyLunAssignments
    assert "device 'nowhere' is not defined" in messages  # checkConfiguration drops it
    assert "attribute 'IncomingUser' has an invalid value" in messages  # configToAttr
    assert "initiator 'iqn.x' is in group 'a' and in group 'b'" in messages  # checkConfiguration
    assert "secret" not in messages.replace('secret"', "")  # no password in a message


def test_a_good_file_has_nothing(tmp_path: Path) -> None:
    text = DEVICE % "\t\tfilename /dev/drbd0\n\t\twrite_through 1\n" + TARGET % "\t\tLUN 0 d\n"
    for code in ("SYN001", "SYN004", "SYN005"):
        assert _found(tmp_path / code, text, code) == []


def test_read_differently(tmp_path: Path) -> None:
    text = (
        "HANDLER vdisk_blockio {\n"
        "\tDEVICE a { filename /dev/drbd0 }\n"  # 2: dropped before '}'
        "\tDEVICE b\n"
        "\t{\n"  # 4: a nameless block
        "\t\tfilename /dev/drbd1\n"
        "\t}\n"
        "\tDEVICE c {\n"
        "\t\tfilename /dev/drbd2#primary\n"  # 8: the '2' goes with the comment
        "\t\tt10_dev_id c 1 2\n"  # 9: a fourth word
        "\t}\n"
        "}\n"
        "setup_id 1"  # 12: no newline
    )
    found = _found(tmp_path, text, "SYN005")
    assert [line for line, _ in found] == [2, 4, 8, 9, 12]
    assert "removes the '2' before '#'" in found[2][1]


def test_an_unclosed_block(tmp_path: Path) -> None:
    found = _found(tmp_path, "HANDLER h {\n\tDEVICE d {\n\t\tfilename /x\n}\n", "SYN005")
    assert [(line, "never closed" in m) for line, m in found] == [(1, True)]


def test_replaced_blocks_and_lines(tmp_path: Path) -> None:
    text = (
        "TARGET_DRIVER iscsi {\n"
        "\tTARGET t {\n\t\tLUN 0 a\n\t}\n"  # 2: replaced by line 5
        "\tTARGET t {\n\t\tLUN 1 b\n\t}\n"
        "\tenabled 1\n"
        "\tenabled 1\n"  # the same line twice: the first is the one dropped
        '\tIncomingUser "joe 0123456789ab"\n'
        '\tIncomingUser "joe 0123456789ab"\n'
        "}\n"
    )
    found = _found(tmp_path, text, "SYN004")
    assert [line for line, _ in found] == [2, 8, 10]
    assert "ignores this block and all it holds" in found[0][1]
    assert found[2][1].startswith("'IncomingUser joe' is given again")  # no secret shown


def test_the_pre_2_0_format(tmp_path: Path) -> None:
    found = _found(tmp_path, "# old\n[HANDLER vdisk]\nDEVICE d,/dev/drbd0\n", "SYN005")
    assert [(line, "pre-2.0 format" in m) for line, m in found] == [(2, True)]


def test_big_scopes_lint_in_linear_time(tmp_path: Path) -> None:
    """Each replaced line once searched the rest of its block for its replacement, and each
    group LUN re-read its group's initiators: 20,000 of each took minutes."""
    import time

    lines = "\tenabled 1\n" * 20_000
    group = (
        "\t\tGROUP g {\n"
        + "".join(f"\t\t\tLUN {n} d\n\t\t\tINITIATOR iqn.x:{n}\n" for n in range(5_000))
        + "\t\t}\n"
    )
    text = (
        DEVICE % "\t\tfilename /dev/drbd0\n"
        + "TARGET_DRIVER iscsi {\n"
        + lines
        + "\tTARGET t {\n\t\tenabled 1\n"
        + group
        + "\t}\n}\n"
    )
    write_site(tmp_path / "site", {"h": {"etc/scst.conf": text}})
    started = time.perf_counter()
    lint(Site.load([tmp_path / "site"]))
    assert time.perf_counter() - started < 10


def test_many_dropped_pieces_lint_in_linear_time(tmp_path: Path) -> None:
    """Each text dropped before a '}' looked for the file's last token again: 1,500 one-line
    blocks took 20 s (tests/test_fuzz.py's repeated line)."""
    import time

    text = "resource r { on a { device /dev/drbd0; } }\n" * 1500
    write_site(tmp_path / "site", {"h": {"etc/scst.conf": text}})
    started = time.perf_counter()
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("SYN005",)))
    assert time.perf_counter() - started < 8
    assert len(result.diagnostics) == 101  # 100 shown, one saying how many more
