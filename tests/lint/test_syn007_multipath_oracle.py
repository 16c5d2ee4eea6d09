"""SYN007 against ``multipath -t``: every value the installed multipathd warns about (refused,
capped, a wrong argument count) is a SYN007 finding on that line, at that multipath-tools
version, and SYN007 reports no value the tool takes without a word.

The tool runs in a private mount namespace over an overlay of /etc (as in
``tests/formats/test_multipath.py``), on every corpus multipath.conf and on a battery of values
for each handler.  Skipped where multipath-tools, unshare or root is missing.  The one SYN007
finding that ``multipath -t`` cannot confirm by design -- ``dev_loss_tmo`` above 600 with
``fast_io_fail_tmo off``, limited when a map is set up -- is in neither input.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.corpus import corpus_files, read
from tests.formats.test_multipath import _RUN_IN_NAMESPACE, _multipath_t_skip_reason
from tests.lint.sites import write_site
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

# The warnings of dict.c's handlers about a value (0.8.8 and later), with their line.
_VALUE_WARNING = re.compile(
    r"line (\d+), (?:invalid value for|value for \S+ too|missing argument count|"
    r"invalid argument count|.* cannot contain a slash)"
)

# Where SYN007 and the tool disagree, and why: {(corpus file prefix or "battery-SECTION",
# line): reason}.  Empty: they agree everywhere (multipath-tools 0.9.4, Debian 12).
DISAGREEMENTS: dict[tuple[str, int], str] = {}

# One value per line, for each kind of handler: taken, refused, capped, miscounted.
_BATTERY = [
    *(f"failback {v}" for v in ("immediate", "inmediate", "manual", "followover", "30", "-5", "")),
    *(f"no_path_retry {v}" for v in ("queue", "fail", "0", "5", "-1", "forever", "1x")),
    *(f"rr_weight {v}" for v in ("priorities", "uniform", "even", "Uniform")),
    *(
        f"path_grouping_policy {v}"
        for v in ("failover", "multibus", "group_by_prio", "group_by_tpg", "round_robin")
    ),
    *(f"user_friendly_names {v}" for v in ("yes", "no", "1", "0", "Yes", "true")),
    *(f"dev_loss_tmo {v}" for v in ("infinity", "600", "never", "30s", "-1", "Infinity")),
    *(f"fast_io_fail_tmo {v}" for v in ("off", "0", "5", "none", "-2")),
    *(f"eh_deadline {v}" for v in ("off", "10", "never")),
    *(f"verbosity {v}" for v in ("2", "9", "-1", "two")),
    *(f"polling_interval {v}" for v in ("5", "-3", "five", "5 ")),
    *(f"max_polling_interval {v}" for v in ("20", "x")),
    *(f"checker_timeout {v}" for v in ("30", "-30", "thirty")),
    *(f"find_multipaths {v}" for v in ("yes", "no", "greedy", "smart", "strict", "maybe")),
    *(f"flush_on_last_del {v}" for v in ("yes", "no", "sometimes")),
    *(f"log_checker_err {v}" for v in ("once", "always", "never")),
    *(f"delay_watch_checks {v}" for v in ("no", "0", "12", "-4", "many")),
    *(f"ghost_delay {v}" for v in ("no", "30", "soon")),
    *(f"max_fds {v}" for v in ("max", "8192", "lots")),
    *(f"uxsock_timeout {v}" for v in ("4000", "10", "8000")),
    *(f"alias_prefix {v}" for v in ("mpath", "mp/ath")),
    *(
        f"path_selector {v}"
        for v in ('"service-time 0"', '"round-robin 0"', '"service-time"', '"queue-length 1"')
    ),
    *(
        f"features {v}"
        for v in ('"0"', '"1 queue_if_no_path"', '"2 queue_if_no_path"', '"queue_if_no_path"')
    ),
    *(f"hardware_handler {v}" for v in ('"1 alua"', '"0"', '"alua"')),
    *(f"retain_attached_hw_handler {v}" for v in ("yes", "maybe")),
    *(f"queue_without_daemon {v}" for v in ("no", "off")),
    *(f"rr_min_io {v}" for v in ("1000", "-1", "many")),
]


def _installed_version() -> str | None:
    try:
        out = subprocess.run(["multipath", "-h"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    found = re.search(r"multipath-tools v(\d+(?:\.\d+)+)", out.stdout + out.stderr)
    return found.group(1) if found else None


@pytest.fixture(scope="module")
def oracle() -> str:
    """The installed multipath-tools version (the tool runs as ``_tool_lines`` runs it)."""
    reason = _multipath_t_skip_reason()
    if reason is not None:
        pytest.skip(reason)
    version = _installed_version()
    if version is None:
        pytest.skip("multipath -h does not say its version")
    return version


def _tool_stderr(text: str) -> str:
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", _RUN_IN_NAMESPACE],
        input=text.encode("utf-8", "surrogateescape"),
        capture_output=True,
        check=False,
    )
    return result.stderr.decode("utf-8", "replace")


def _tool_lines(text: str) -> set[int]:
    return {int(m.group(1)) for m in _VALUE_WARNING.finditer(_tool_stderr(text))}


def _syn007_lines(tmp_path: Path, text: str, version: str) -> set[int]:
    write_site(tmp_path / "site", {"h": {"etc/multipath.conf": text}})
    options = LintOptions(select=("SYN007",), versions={"multipath": version})
    result = lint(Site.load([tmp_path / "site"]), options)
    assert not result.failures, result.failures
    return {d.location.line for d in result.diagnostics if d.code == "SYN007"}


def _compare(name: str, tool: set[int], mine: set[int]) -> None:
    known = {line for (prefix, line) in DISAGREEMENTS if name.startswith(prefix)}
    assert sorted((tool - mine) - known) == [], "multipath -t warns, SYN007 does not"
    assert sorted((mine - tool) - known) == [], "SYN007 claims a warning multipath -t does not make"


@pytest.mark.parametrize("file", corpus_files("multipath"))
def test_syn007_agrees_with_multipath_t_on_the_corpus(
    file: Path, oracle: str, tmp_path: Path
) -> None:
    text = read(file)
    _compare(file.name, _tool_lines(text), _syn007_lines(tmp_path, text, oracle))


@pytest.mark.parametrize("section", ["defaults", "device", "multipath"])
def test_syn007_agrees_with_multipath_t_on_every_handler(
    section: str, oracle: str, tmp_path: Path
) -> None:
    from xsanconf.formats.multipath.keywords import DEFAULTS, DEVICE, MULTIPATH

    table = {"defaults": DEFAULTS, "device": DEVICE, "multipath": MULTIPATH}[section]
    lines = [line for line in _BATTERY if line.split()[0] in table.options]
    if section == "defaults":
        text = "defaults {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"
        first = 2
    elif section == "device":
        head = "devices {\n\tdevice {\n\t\tvendor X\n\t\tproduct Y\n"
        text = head + "".join(f"\t\t{line}\n" for line in lines) + "\t}\n}\n"
        first = 5
    else:
        head = "multipaths {\n\tmultipath {\n\t\twwid 3600a0b800012345\n"
        text = head + "".join(f"\t\t{line}\n" for line in lines) + "\t}\n}\n"
        first = 4
    tool = _tool_lines(text)
    mine = _syn007_lines(tmp_path, text, oracle)
    assert tool, "the battery must make the tool warn, or it compares nothing"
    known = {line for (prefix, line) in DISAGREEMENTS if prefix == f"battery-{section}"}
    shown = {n: lines[n - first] for n in (tool ^ mine) - known}
    assert shown == {}, "SYN007 and multipath -t disagree on these values"


def test_a_device_the_tool_drops_is_reported(oracle: str, tmp_path: Path) -> None:
    text = "devices {\n\tdevice {\n\t\tvendor IET\n\t\tno_path_retry queue\n\t}\n}\n"
    assert "missing vendor or product parameter" in _tool_stderr(text)
    write_site(tmp_path / "site", {"h": {"etc/multipath.conf": text}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=("SYN005",)))
    assert [d.location.line for d in result.diagnostics] == [2]
