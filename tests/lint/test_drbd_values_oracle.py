"""The DRBD value table (``xsanconf.lint.facts.drbd_options``) against drbdadm's own parsers.

For every numeric option and each version whose parser range-checks it, the bounds are
accepted and one past each bound is refused; for every enum, each value is accepted and a
wrong one refused where drbdadm checks enums while parsing.  drbd-utils ships the 8.4 and 8.3
back-ends beside drbdadm 9, so the three tables are checked on one machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.drbdadm import missing, refusal
from xsanconf.lint.facts.drbd import STATEMENTS
from xsanconf.lint.facts.drbd_options import ENUMS, FLAGS, NUMBERS, value_problem

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(missing() is not None, reason=str(missing())),
]

_SECTIONS = ("global", "net", "disk", "syncer", "startup", "options")


def _section(keyword: str, version: str) -> str | None:
    for section in _SECTIONS:
        if version in STATEMENTS[section].get(keyword, ()):
            return section
    return None


def config(keyword: str, value: str, version: str) -> str | None:
    """A resource that sets ``keyword value`` where ``version`` reads it; None: nowhere."""
    if keyword == "protocol":
        head, option = "", f"  protocol {value};\n"
    else:
        section = _section(keyword, version)
        if section is None:
            return None
        statement = f"{section} {{ {keyword} {value}; }}\n".replace(" ;", ";")
        head = statement if section == "global" else ""
        option = "  protocol C;\n" + ("" if section == "global" else "  " + statement)
    return (
        head
        + "resource r0 {\n"
        + option
        + "  on alpha { device /dev/drbd0; disk /dev/sdb1; address 127.0.0.1:7788; "
        "meta-disk internal; }\n"
        "  on beta { device /dev/drbd0; disk /dev/sdb1; address 10.0.0.2:7788; "
        "meta-disk internal; }\n}\n"
    )


def _numbers() -> list[object]:
    return [
        pytest.param(keyword, version, id=f"{keyword}@{version}")
        for keyword, (_, ranges) in NUMBERS.items()
        for version in ranges
    ]


@pytest.mark.parametrize(("keyword", "version"), _numbers())
def test_ranges_match_drbdadm(keyword: str, version: str, tmp_path: Path) -> None:
    low, high = NUMBERS[keyword][1][version]
    probes = [(str(low), True), (str(high), True), (str(high + 1), False), ("12Q", False)]
    if low > 0:
        probes.append((str(low - 1), False))
    for value, accepted in probes:
        text = config(keyword, value, version)
        assert text is not None, f"{keyword} has a range at {version} but no place to stand"
        theirs = refusal(text, version, tmp_path)
        ours = value_problem(keyword, [value], version)
        assert (theirs is None) == accepted, f"{keyword} {value} at {version}: {theirs}"
        assert (ours is None) == accepted, f"{keyword} {value} at {version}: {ours}"


def _enums() -> list[object]:
    return [
        pytest.param(keyword, version, id=f"{keyword}@{version}")
        for keyword, per_version in ENUMS.items()
        for version in per_version
    ]


@pytest.mark.parametrize(("keyword", "version"), _enums())
def test_enums_match_drbdadm(keyword: str, version: str, tmp_path: Path) -> None:
    if keyword == "usage-count":
        pytest.skip("usage-count is read by the tools, not by the parsers checked here")
    for value in sorted(ENUMS[keyword][version]):
        text = config(keyword, value, version)
        if text is None:
            pytest.skip(f"{keyword} stands nowhere at {version}")
        assert refusal(text, version, tmp_path) is None, f"{keyword} {value} at {version}"
        assert value_problem(keyword, [value], version) is None
    wrong = value_problem(keyword, ["bogus"], version)
    assert wrong is not None
    text = config(keyword, "bogus", version)
    assert text is not None
    theirs = refusal(text, version, tmp_path)
    # where drbdadm leaves enums to drbdsetup, the table says so instead of claiming a refusal
    assert (theirs is not None) == wrong[1], f"{keyword} bogus at {version}: {theirs}"


@pytest.mark.parametrize("version", ["8.3", "8.4", "9"])
@pytest.mark.parametrize("keyword", sorted(FLAGS))
def test_flags_match_drbdadm(keyword: str, version: str, tmp_path: Path) -> None:
    for value in ("", "yes", "maybe"):
        text = config(keyword, value, version)
        if text is None:
            pytest.skip(f"{keyword} stands nowhere at {version}")
        theirs = refusal(text, version, tmp_path)
        if value == "" and theirs is not None:
            pytest.skip(f"the installed drbdadm does not know {keyword} (newer drbd-utils do)")
        ours = value_problem(keyword, value.split(), version)
        assert (theirs is None) == (ours is None), f"{keyword} {value!r} at {version}: {theirs}"
