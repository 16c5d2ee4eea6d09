"""Rules from outside the package: entry points, --rules-from files, their namespace and failures.

Each run is a separate process: a plugin's rules join the process-wide registry, and the other
tests count and page the built-in rules.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from xsanconf.lint.plugins import ENTRY_POINT_GROUP, RESERVED_FAMILIES, entry_points

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "fixtures" / "sites" / "example"
PLUGIN = REPO / "contrib" / "xsanlint-house-rules"
HOUSE_RULES = PLUGIN / "src" / "xsanlint_house_rules" / "__init__.py"
XEN1_MULTIPATH = Path("xen1") / "etc" / "multipath.conf"


def xsanlint(
    *args: str | Path,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-c", "from xsanconf.lint.cli import run; run()", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=cwd,
    )


def codes(output: str) -> list[str]:
    return [d["code"] for d in json.loads(output)["diagnostics"]]


def write_plugin(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(
        "from xsanconf.lint.api import Severity, rule\n"
        "from xsanconf.lint.diagnostics import Location\n" + body,
        encoding="utf-8",
    )
    return path


ONE_FINDING = """
@rule("{code}", "{name}", Severity.WARNING, scope="site")
def check(site, ctx):
    "Reports the first file of the site."
    first = next(iter(site.files()))
    yield ctx.diagnostic("house finding", first.location())
"""


def test_rules_from_file_fires_beside_the_built_in_rules() -> None:
    done = xsanlint("--rules-from", HOUSE_RULES, "--format", "json", EXAMPLE)
    assert done.returncode == 1, done.stderr
    found = codes(done.stdout)
    assert found.count("HOUSE001") == 2  # alias xensan on xen1 and xen2
    assert found.count("HOUSE002") == 2
    assert "IET004" in found  # the built-in rules still run


def test_plugin_findings_are_suppressed_like_ours(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE, site)
    conf = site / XEN1_MULTIPATH
    lines = conf.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("alias xensan"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at, f"{indent}# xsanlint: disable=HOUSE001\n")
    conf.write_text("".join(lines), encoding="utf-8")

    done = xsanlint("--rules-from", HOUSE_RULES, "--select", "HOUSE", "--format", "json", site)
    found = json.loads(done.stdout)["diagnostics"]
    assert [(d["code"], d["host"]) for d in found if d["code"] == "HOUSE001"] == [
        ("HOUSE001", "xen2")
    ]
    ignored = xsanlint("--rules-from", HOUSE_RULES, "--ignore", "HOUSE", "--format", "json", site)
    assert not [c for c in codes(ignored.stdout) if c.startswith("HOUSE")]


def test_rules_from_in_the_configuration_resolve_against_its_folder(tmp_path: Path) -> None:
    (tmp_path / "xsanlint.toml").write_text(
        f'rules-from = ["{os.path.relpath(HOUSE_RULES, tmp_path)}"]\nselect = ["HOUSE002"]\n',
        encoding="utf-8",
    )
    done = xsanlint("-f", "json", EXAMPLE, cwd=tmp_path)
    assert codes(done.stdout) == ["HOUSE002", "HOUSE002"], done.stderr


def test_rules_list_and_page_name_the_plugin() -> None:
    listed = xsanlint("rules", "--rules-from", HOUSE_RULES, "--format", "json")
    house = [r for r in json.loads(listed.stdout) if r["code"].startswith("HOUSE")]
    assert [r["code"] for r in house] == ["HOUSE001", "HOUSE002"]
    assert all(r["origin"] == str(HOUSE_RULES) for r in house)
    assert all(r["origin"] == "xsanconf" for r in json.loads(listed.stdout) if r not in house)
    page = xsanlint("rule", "HOUSE001", "--rules-from", HOUSE_RULES)
    assert page.returncode == 0, page.stderr
    assert page.stdout.startswith("# HOUSE001 alias-naming\n")
    assert "From the plugin" in page.stdout and "alias lun-xensan" in page.stdout


@pytest.mark.parametrize("family", sorted(RESERVED_FAMILIES))
def test_codes_of_our_families_are_refused(tmp_path: Path, family: str) -> None:
    plugin = write_plugin(tmp_path, "clash.py", ONE_FINDING.format(code=f"{family}X901", name="x"))
    done = xsanlint("--rules-from", plugin, "--format", "json", EXAMPLE)
    assert done.returncode == 2
    assert f"begins with {family}, a family of xsanconf's own" in done.stderr
    assert f"{family}X901" not in codes(done.stdout)
    assert "IET004" in codes(done.stdout)  # the rest still runs


@pytest.mark.parametrize("code", ["house001", "HOUSE", "HOUSE-001", "DRBD001"])
def test_malformed_or_taken_codes_are_refused(tmp_path: Path, code: str) -> None:
    plugin = write_plugin(tmp_path, "bad.py", ONE_FINDING.format(code=code, name="x"))
    done = xsanlint("--rules-from", plugin, "--select", "IET004", "--format", "json", EXAMPLE)
    assert done.returncode == 2
    assert f"plugin {plugin}:" in done.stderr and "its rules did not run" in done.stderr
    assert set(codes(done.stdout)) == {"IET004"}


def test_a_plugin_that_fails_to_import_is_named_and_the_rest_runs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import no_such_module_anywhere\n", encoding="utf-8")
    good = write_plugin(tmp_path, "good.py", ONE_FINDING.format(code="HOUSE900", name="x"))
    done = xsanlint("--rules-from", broken, "--rules-from", good, "--format", "json", EXAMPLE)
    assert done.returncode == 2
    assert f"plugin {broken}: ModuleNotFoundError" in done.stderr
    assert "Traceback" not in done.stderr
    found = codes(done.stdout)
    assert "HOUSE900" in found and "IET004" in found
    missing = xsanlint("--rules-from", tmp_path / "nope.py", "--select", "IET004", EXAMPLE)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_plugin_rule_that_raises_is_an_internal_error_of_that_rule(tmp_path: Path) -> None:
    plugin = write_plugin(
        tmp_path,
        "raises.py",
        '@rule("HOUSE901", "raises", Severity.ERROR, scope="site")\n'
        "def check(site, ctx):\n"
        '    "Raises."\n'
        "    yield from ()\n"
        '    raise RuntimeError("house bug")\n',
    )
    done = xsanlint("--rules-from", plugin, "--format", "json", EXAMPLE)
    assert done.returncode == 2
    assert "internal error in rule HOUSE901: RuntimeError: house bug" in done.stderr
    assert "IET004" in codes(done.stdout)


def test_two_plugins_cannot_take_one_code(tmp_path: Path) -> None:
    first = write_plugin(tmp_path, "first.py", ONE_FINDING.format(code="HOUSE902", name="a"))
    second = write_plugin(tmp_path, "second.py", ONE_FINDING.format(code="HOUSE902", name="b"))
    done = xsanlint("--rules-from", first, "--rules-from", second, "--select", "HOUSE", EXAMPLE)
    assert done.returncode == 2
    assert f"plugin {second}: ValueError: rule HOUSE902 registered twice" in done.stderr


def test_entry_points_are_found_as_importlib_metadata_finds_them() -> None:
    """Our reader of entry_points.txt against the standard library's, on this environment."""
    from importlib.metadata import entry_points as standard

    for group in ("console_scripts", "pytest11", ENTRY_POINT_GROUP):
        ours = sorted((p.name, p.value) for p in entry_points(group))
        theirs = sorted((p.name, p.value) for p in standard(group=group))
        assert ours == theirs, group


def test_the_example_plugin_installs_into_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    """pip-install contrib/xsanlint-house-rules into a new virtual environment that reaches
    this xsanconf (and its dependencies) through a .pth file, then lint with it."""
    fresh = tmp_path / "venv"
    try:
        venv.create(fresh, with_pip=True)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot create a virtual environment with pip here: {error}")
    python = fresh / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # this environment's packages (xsanconf, lark, attrs ...) and this checkout's sources
    ours = {p for p in sys.path if p.endswith("site-packages")} | {str(REPO)}
    Path(purelib, "xsanconf-under-test.pth").write_text("\n".join(sorted(ours)) + "\n")
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-cache-dir", str(PLUGIN)]
    # offline first, with the venv's own setuptools (enough where it builds wheels itself);
    # else as a user would, letting pip fetch the build backend
    installed = subprocess.run(
        [*pip, "--no-build-isolation", "--no-index"], capture_output=True, text=True, check=False
    )
    if installed.returncode != 0:
        try:
            installed = subprocess.run(
                pip, capture_output=True, text=True, check=False, timeout=240
            )
        except subprocess.TimeoutExpired:
            pytest.skip("pip could not fetch a build backend in time (offline?)")
        offline = ("etwork", "satisfies the requirement", "No matching distribution", "resolve")
        if installed.returncode != 0 and any(w in installed.stderr for w in offline):
            why = installed.stderr[-300:]
            pytest.skip(f"pip could not fetch a build backend (offline?): {why}")
    assert installed.returncode == 0, installed.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = xsanlint("--select", "HOUSE", "--format", "json", EXAMPLE, python=str(python), env=env)
    assert sorted(codes(done.stdout)) == ["HOUSE001", "HOUSE001", "HOUSE002", "HOUSE002"], (
        done.stderr
    )
    quiet = xsanlint("--select", "HOUSE", "--ignore", "HOUSE001", EXAMPLE, python=str(python))
    assert "HOUSE002" in quiet.stdout and "HOUSE001" not in quiet.stdout
    listed = xsanlint("rules", python=str(python), env=env)
    assert "HOUSE001" in listed.stdout and "[plugin house (xsanlint-house-rules)]" in listed.stdout
