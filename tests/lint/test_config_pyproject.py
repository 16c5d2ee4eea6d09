"""A pyproject.toml that cannot hold a [tool.xsanlint] table is not parsed at all."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xsanconf.lint.config import ConfigError, FileConfig, load_config


def _project(tmp_path: Path, name: str, text: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / name).write_text(text)
    return project


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "x"\n',
        # a project that installs or mentions xsanlint but configures nothing of it
        '[project.scripts]\nxsanlint = "xsanconf.lint.cli:main"\n[tool.ruff]\nline-length = 99\n',
        '[tool.hatch.envs.default.scripts]\nlint = "xsanlint site/"\n',
    ],
)
def test_a_pyproject_without_our_table_is_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    project = _project(tmp_path, "pyproject.toml", text)
    monkeypatch.setitem(sys.modules, "tomllib", None)  # parsing would fail
    assert load_config(start=project) == FileConfig()


@pytest.mark.parametrize(
    "table",
    [
        '[tool.xsanlint]\nselect = ["DRBD"]\n',
        '[tool]\nxsanlint = { select = ["DRBD"] }\n',
        'tool.xsanlint.select = ["DRBD"]\n',
        '[tool."xsanlint"]\nselect = ["DRBD"]\n',
        "[ tool . 'xsanlint' ]\nselect = [\"DRBD\"]\n",
        '[tool]\nxsanlint.select = ["DRBD"]\n',
        'tool = { xsanlint = { select = ["DRBD"] } }\n',
        '"tool".xsanlint.select = ["DRBD"]\n',
    ],
)
def test_every_spelling_of_the_table_is_read(tmp_path: Path, table: str) -> None:
    project = _project(tmp_path, "pyproject.toml", f'{table}[project]\nname = "x"\n')
    assert load_config(start=project).select == ("DRBD",)


def test_an_invalid_pyproject_naming_us_fails(tmp_path: Path) -> None:
    project = _project(tmp_path, "pyproject.toml", '[tool.xsanlint]\nselect = ["DRBD"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(start=project)


def test_xsanlint_toml_is_always_read(tmp_path: Path) -> None:
    # xsanlint.toml is a configuration whether or not it has a [tool.xsanlint] table
    project = _project(tmp_path, "xsanlint.toml", 'fail-on = "error"\n')
    assert load_config(start=project).fail_on is not None
