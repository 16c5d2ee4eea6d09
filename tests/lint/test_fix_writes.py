"""``xsanlint --fix`` writes only inside each host root, even when the tree changes under it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.sites import write_site
from xsanconf import writing
from xsanconf.document import Document
from xsanconf.lint import fixing
from xsanconf.lint.engine import LintOptions
from xsanconf.lint.fixing import fix_site, write_changes
from xsanconf.lint.site import Site

CONF = "node.startup = automatic"  # no final newline: SYN005 fixes it
THEIRS = "node.startup = manual\n"


def _site(tmp_path: Path) -> tuple[Path, Path, Site]:
    write_site(
        tmp_path / "site",
        {"h": {"etc/iscsi/iscsid.conf": CONF}},
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "iscsid.conf").write_text(THEIRS)
    return tmp_path / "site" / "h", outside, Site.load([tmp_path / "site"])


def _swap(host: Path, outside: Path, moved: str) -> None:
    """What a hostile process does: the directory goes, a link to outside takes its name."""
    (host / "etc" / "iscsi").rename(host / "etc" / moved)
    (host / "etc" / "iscsi").symlink_to(outside)


def _untouched(outside: Path) -> None:
    assert [p.name for p in outside.iterdir()] == ["iscsid.conf"]  # no temporary file left there
    assert (outside / "iscsid.conf").read_text() == THEIRS


def test_a_directory_swapped_after_linting_is_resolved_again_inside_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Swapped after the paths were resolved by the site loader and just before writing:
    the link is followed as the host follows it (inside the root), so the file is missing."""
    host, outside, site = _site(tmp_path)
    run = fix_site(site, LintOptions(select=("SYN005",)))
    assert [c.file.rel for c in run.changes] == ["etc/iscsi/iscsid.conf"]
    real_parse = fixing._parse

    def swapping(text: str, kind: str, path: str) -> Document | str:
        if not (host / "etc" / "iscsi").is_symlink():
            _swap(host, outside, "iscsi.old")
        return real_parse(text, kind, path)

    monkeypatch.setattr(fixing, "_parse", swapping)
    failed = write_changes(run.changes)
    # the absolute link names the root's own /tmp/..., which h does not hold
    assert [reason for _, reason in failed] == ["its directory tmp does not exist; not written"]
    _untouched(outside)
    assert (host / "etc" / "iscsi.old" / "iscsid.conf").read_text() == CONF


def test_a_directory_swapped_while_writing_cannot_redirect_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Swapped once the directory is open: the write goes to the directory that was
    verified (now under another name), never through the new link."""
    host, outside, site = _site(tmp_path)
    run = fix_site(site, LintOptions(select=("SYN005",)))
    real = writing._replace_in
    swapped = []

    def swapping(*args: object, **kwargs: object) -> None:
        _swap(host, outside, "iscsi.old")
        swapped.append(True)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "_replace_in", swapping)
    assert write_changes(run.changes) == []
    assert swapped
    _untouched(outside)
    assert (host / "etc" / "iscsi.old" / "iscsid.conf").read_text() == CONF + "\n"


def test_a_read_only_file_is_not_fixed(tmp_path: Path) -> None:
    """xsanlint has no --force: a file nobody may write stays as it is, and says why."""
    host, _, site = _site(tmp_path)
    conf = host / "etc" / "iscsi" / "iscsid.conf"
    conf.chmod(0o444)
    run = fix_site(site, LintOptions(select=("SYN005",)))
    assert [reason for _, reason in write_changes(run.changes)] == [
        "it is read-only (mode 0444); not written"
    ]
    assert conf.read_text() == CONF
