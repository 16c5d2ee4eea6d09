"""SYN001 and SYN004 on LIO saveconfig.json: what ``targetctl restore`` refuses or never reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.site import Site

from .conftest import SITES
from .sites import write_site

PATH = "etc/target/saveconfig.json"


def _found(tmp_path: Path, text: str, code: str = "SYN001") -> list[tuple[int, str]]:
    write_site(tmp_path / "site", {"san1": {PATH: text}})
    result = lint(Site.load([tmp_path / "site"]), LintOptions(select=(code,)))
    return [(d.location.line or 0, d.message) for d in result.diagnostics if d.code == code]


def _config(storage: list[dict[str, object]], luns: list[dict[str, object]]) -> str:
    target = {"wwn": "iqn.x:t", "fabric": "iscsi", "tpgs": [{"tag": 1, "luns": luns}]}
    return json.dumps({"storage_objects": storage, "targets": [target]}, indent=2) + "\n"


BLOCK = {"name": "a", "plugin": "block", "dev": "/dev/drbd0", "wwn": "ab"}
LUN = {"index": 0, "storage_object": "/backstores/block/a"}


@pytest.mark.parametrize("site", ["lio-pair", "lio-pair-bad"])
def test_the_lio_sites_restore_cleanly(site: str) -> None:
    result = lint(Site.load([SITES / site]), LintOptions(select=("SYN",)))
    assert list(result.diagnostics) == []


@pytest.mark.parametrize(
    ("storage", "luns", "message"),
    [
        ([BLOCK], [{"index": 0, "storage_object": "/backstores/block/b"}], "no storage object"),
        ([BLOCK], [{"index": 0, "storage_object": "/backstores/iblock/a"}], "no storage object"),
        ([BLOCK], [{"index": 0, "storage_object": "block/a"}], "/backstores/PLUGIN/NAME"),
        ([BLOCK], [{"storage_object": "/backstores/block/a"}], "without 'index'"),
        ([{**BLOCK, "plugin": "disk"}], [], "the plugin 'disk'"),
        ([{**BLOCK, "size": 1}], [], "takes no 'size'"),
        ([{**BLOCK, "readonly": "no"}], [], "'readonly' of 'a' must be true, false or a number"),
        ([{**BLOCK, "readonly": None}], [], "'readonly' of 'a' must be"),
        ([{**BLOCK, "name": "a b"}], [], "cannot hold '/', blanks"),
        ([{"plugin": "block"}], [], "without 'name'"),
        ([BLOCK, {**BLOCK, "plugin": "iblock"}], [LUN], "block/a is defined again"),
        (
            [{"name": "f", "plugin": "fileio", "dev": "/f", "write_back": "false"}],
            [],
            "'write_back' of 'f' must be",
        ),
    ],
)
def test_what_restore_refuses_is_reported(
    tmp_path: Path, storage: list[dict[str, object]], luns: list[dict[str, object]], message: str
) -> None:
    found = _found(tmp_path, _config(storage, luns))
    assert [m for _, m in found if message in m], found


@pytest.mark.parametrize(
    "storage",
    [
        [{**BLOCK, "readonly": True, "exclusive": 1, "write_back": "anything"}],
        [{"name": "f", "plugin": "fileio", "dev": "/f", "write_back": "", "aio": False}],
        [{"name": "r", "plugin": "rd_mcp", "size": 1, "nullio": True}],
        [{**BLOCK, "readonly": "no"}, {**BLOCK, "plugin": "iblock"}],  # the first is not created
    ],
)
def test_what_restore_takes_is_not_reported(
    tmp_path: Path, storage: list[dict[str, object]]
) -> None:
    found = _found(tmp_path, _config(storage, []))
    assert [m for _, m in found if "defined again" in m or "readonly" not in m] == []


def test_tpg_acl_and_portal_refusals(tmp_path: Path) -> None:
    tpg = {
        "tag": 1,
        "enable": "yes",
        "luns": [LUN],
        "portals": [{"ip_address": "0.0.0.0"}],
        "node_acls": [
            {"mapped_luns": []},
            {"node_wwn": "iqn.i", "mapped_luns": [{"index": 0, "tpg_lun": 7}, {"index": 1}]},
        ],
    }
    text = json.dumps(
        {
            "storage_objects": [BLOCK],
            "targets": [
                {"fabric": "iscsi", "tpgs": []},
                {"wwn": "t", "fabric": "iscsi", "tpgs": [tpg]},
            ],
        }
    )
    found = " | ".join(m for _, m in _found(tmp_path, text))
    for part in (
        "a target without 'wwn'",
        "'enable' of a TPG of t must be true, false or a number",
        "a portal of t without 'port'",
        "a node ACL of t without 'node_wwn'",
        "names TPG LUN 7, which this TPG does not have",
        "a mapped LUN of iqn.i without 'tpg_lun'",
    ):
        assert part in found


def test_a_file_that_is_no_object_restores_nothing(tmp_path: Path) -> None:
    assert [m for _, m in _found(tmp_path, "[]\n")] == [
        "the file holds no JSON object: targetctl restore fails on it and restores nothing"
    ]


def test_a_repeated_key_is_a_duplicate_json_reads_once(tmp_path: Path) -> None:
    text = '{\n  "storage_objects": [\n    {"name": "a",\n     "name": "b"}\n  ]\n}\n'
    found = _found(tmp_path, text, "SYN004")
    assert found == [
        (
            3,
            "'name' is given again in this object (line 4); Python's json, and so rtslib, "
            "reads only the last one, so this one has no effect",
        )
    ]
