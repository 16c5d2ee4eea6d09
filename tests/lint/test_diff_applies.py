"""``--diff`` shows what ``--fix`` writes: applied with patch or git, it gives the same tree.

And fix edits cost time linear in the file, and only when a fix is applied or shown.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.lint.conftest import Runner
from xsanconf.api import loads
from xsanconf.lint import twin_edits
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.fixing import FileChange, apply_edits, fix_site, unified_diff
from xsanconf.lint.patch import make_patch
from xsanconf.lint.site import Host, Site, SiteFile
from xsanconf.lint.twin_edits import copy_tree, tree_edits
from xsanconf.syntax import Node, Token, Trivia, render

SITES = Path(__file__).parent.parent.parent / "fixtures" / "sites"
SECRET = "OnlyForTheTest42"


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _copies(tmp_path: Path, names: tuple[str, ...]) -> None:
    for name in names:
        shutil.copytree(SITES / "example", tmp_path / name / "site")


def _apply(tool: list[str], where: Path, diff: str) -> None:
    done = subprocess.run(tool, check=False, cwd=where, input=diff, text=True, capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _fixable(out: str, unsafe: bool) -> int:
    found = re.search(r"(\d+) fixable with --fix(?: \((\d+) more with --unsafe-fixes\))?", out)
    assert found is not None, out
    return int(found[1]) + (int(found[2] or 0) if unsafe else 0)


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("flags", [(), ("--unsafe-fixes",)])
def test_diff_applied_with_patch_or_git_is_what_fix_writes(
    xsanlint: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...]
) -> None:
    _copies(tmp_path, ("fixed", "patched", "git"))
    monkeypatch.chdir(tmp_path / "fixed")
    summary = xsanlint("site")[1]
    code, diff, err = xsanlint("site", "--diff", *flags)
    assert code == 1, err
    assert "rename from site/xen2/etc/modprobe.d/sbp2\n" in diff or not flags
    assert "********" not in diff and SECRET not in diff
    would = int(re.search(r"(\d+) would be fixed", err)[1])  # type: ignore[index]
    code, _, err = xsanlint("site", "--fix", *flags)
    fixed = int(re.search(r"(\d+) fixed", err)[1])  # type: ignore[index]
    # one fix makes another possible: once modprobe.d/sbp2 is named sbp2.conf, kmod reads it,
    # and MOD004 can drop the parameters from xen2's modules (the file already sets them)
    enabled = 1 if flags else 0
    assert would == fixed == _fixable(summary, bool(flags)) + enabled
    _apply(["patch", "-p1", "--batch", "--quiet"], tmp_path / "patched", diff)
    subprocess.run(["git", "init", "-q", "."], cwd=tmp_path / "git", check=True)
    _apply(["git", "apply", "-p1", "-"], tmp_path / "git", diff)
    shutil.rmtree(tmp_path / "git" / ".git")
    fixed_tree = _files(tmp_path / "fixed")
    assert fixed_tree != _files(SITES / "example")
    assert _files(tmp_path / "patched") == fixed_tree
    assert _files(tmp_path / "git") == fixed_tree


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
def test_diff_never_prints_a_secret_next_to_a_fixed_line(
    xsanlint: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copies(tmp_path, ("fixed", "patched"))
    for name in ("fixed", "patched"):
        ietd = tmp_path / name / "site/san2/etc/ietd.conf"
        text = ietd.read_text()
        # the secret right before the fixed Lun line (context stops short of it), and right
        # after the other head's (that change cannot be shown with context after it: withheld)
        ietd.write_text(text.replace("\tLun 0", f"\tOutgoingUser out {SECRET}\n\tLun 0"))
        ietd = tmp_path / name / "site/san1/etc/ietd.conf"
        lines = ietd.read_text().splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if "Lun 0" in line)
        lines.insert(at + 1, f"\tOutgoingUser out {SECRET}\n")
        ietd.write_text("".join(lines))
    monkeypatch.chdir(tmp_path / "fixed")
    code, diff, err = xsanlint("site", "--diff", "--unsafe-fixes")
    assert code == 1, err
    assert SECRET not in diff + err and "********" not in diff
    assert "site/san1/etc/ietd.conf:4: change not shown: the line after it holds a secret" in err
    assert "+\tLun 0 Path=/dev/drbd0,Type=blockio\n" in diff  # san2's, without the secret
    assert SECRET in xsanlint("site", "--diff", "--unsafe-fixes", "--show-secrets")[1]  # asked
    xsanlint("site", "--fix", "--unsafe-fixes")
    _apply(["patch", "-p1", "--batch", "--quiet"], tmp_path / "patched", diff)
    fixed, patched = _files(tmp_path / "fixed"), _files(tmp_path / "patched")
    withheld = "site/san1/etc/ietd.conf"
    assert patched[withheld] != fixed[withheld]
    assert {k: v for k, v in patched.items() if k != withheld} == {
        k: v for k, v in fixed.items() if k != withheld
    }


# Linear time


def _site_with(tmp_path: Path, tail: str) -> Site:
    root = tmp_path / "site"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(SITES / "example", root)
    res = root / "san1/etc/drbd.d/xensan.res"
    res.write_text(res.read_text() + tail)
    return Site.load([root])


def _seconds(tmp_path: Path, tail: str) -> float:
    site = _site_with(tmp_path, tail)
    started = time.perf_counter()
    lint(site, LintOptions())
    run = fix_site(site, LintOptions(), unsafe=True)
    assert run.applied and "resync-rate" in unified_diff(run.changes)
    return time.perf_counter() - started


@pytest.mark.parametrize(
    "tail", ["\n" * 20_000, "# the same comment\n" * 30_000], ids=["blank", "comment"]
)
def test_fix_edits_and_diff_cost_linear_time(tmp_path: Path, tail: str) -> None:
    """A line diff took 81 s (20 KB of blank lines) and 194 s (30,000 equal comment lines)."""
    baseline = _seconds(tmp_path, "")
    assert _seconds(tmp_path, tail) < 20 * baseline + 5


def test_plain_lint_makes_no_fix_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []
    real = twin_edits.tree_spans
    monkeypatch.setattr(twin_edits, "tree_spans", lambda a, b: made.append(1) or real(a, b))
    site = Site.load([SITES / "example"])
    # DRBD007's fixes are the exception: whether one is offered depends on re-reading its
    # result with every DRBD version the host may run, so their edits are made to check that
    checked = lint(site, LintOptions(select=("DRBD007",))).diagnostics
    assert 0 < len(made) <= len(checked)
    made.clear()
    result = lint(site, LintOptions(ignore=("DRBD007",)))
    assert any(d.fix is not None for d in result.diagnostics)
    assert made == []
    assert all(d.fix.edits or d.fix.renames for d in result.diagnostics if d.fix is not None)
    assert made


# The edits of a tree against its edited copy


def _random_tree(rng: random.Random, depth: int = 0) -> Node:
    children: list[Node | Token | Trivia] = []
    for _ in range(rng.randint(0, 6)):
        pick = rng.random()
        if pick < 0.25 and depth < 3:
            children.append(_random_tree(rng, depth + 1))
        elif pick < 0.6:
            children.append(Token(rng.choice("AB"), rng.choice(["x", "y", "x\n", ""])))
        else:
            children.append(Trivia(rng.choice([" ", "\n", "\n\n", "# c\n"])))
    return Node(rng.choice("nm"), children)


def _mutate(rng: random.Random, root: Node) -> None:
    nodes = [root]
    for node in nodes:
        nodes += [c for c in node.children if isinstance(c, Node)]
    for _ in range(rng.randint(1, 4)):
        node = rng.choice(nodes)
        at = rng.randint(0, len(node.children))
        action = rng.random()
        if action < 0.4:
            node.children.insert(at, rng.choice([Token("A", "new\n"), Trivia("\n"), Node("n", [])]))
        elif node.children and action < 0.7:
            del node.children[min(at, len(node.children) - 1)]
        elif node.children:
            leaf = node.children[min(at, len(node.children) - 1)]
            if not isinstance(leaf, Node):
                leaf.text = rng.choice(["z", "", "\n", "x"])


def test_tree_edits_turn_the_old_text_into_the_new() -> None:
    rng = random.Random(13)
    for _ in range(3000):
        old = _random_tree(rng)
        new = copy_tree(old)
        _mutate(rng, new)
        edits = tree_edits("f", old, new)
        assert apply_edits(render(old), edits) == render(new)
        assert (render(old) == render(new)) == (not edits) or edits


# Random changes: the diff applies, and never prints a secret line

_POOL = ["a = 1\n", "b = 2\n", "# same\n", "\n", f"node.session.auth.password = {SECRET}\n"]


def _holds_secret(line: str) -> bool:
    return SECRET in line


def _random_change(rng: random.Random, path: str) -> FileChange:
    lines = [rng.choice(_POOL) for _ in range(rng.randint(0, 30))]
    new = list(lines)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(new))
        action = rng.random()
        if action < 0.4:
            new.insert(at, rng.choice([*_POOL[:3], "c = 3\n"]))
        elif new and action < 0.7:
            del new[min(at, len(new) - 1)]
        elif new:
            new[min(at, len(new) - 1)] = "d = 4\n"
    before, after = "".join(lines), "".join(new)
    if rng.random() < 0.2:
        after = after.rstrip("\n")  # a last line without a newline
    host = Host("h", Path("."))
    file = SiteFile(host, path, path, "iscsid", loads(before, "iscsid"))
    return FileChange(file, before, after, path)


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_random_diffs_apply_and_hide_secret_lines(tmp_path: Path) -> None:
    rng = random.Random(14)
    for case in range(30):
        change = _random_change(rng, f"etc/case{case}.conf")
        patch = make_patch([change], _holds_secret)
        assert SECRET not in patch.text
        for tool in (["patch", "-p1", "--batch", "--quiet"], ["git", "apply", "-p1", "-"]):
            where = tmp_path / f"{case}-{tool[0]}"
            (where / "etc").mkdir(parents=True)
            (where / change.path).write_text(change.before)
            if patch.text:
                _apply(tool, where, patch.text)
            if not patch.withheld:
                assert (where / change.path).read_text() == change.after, patch.text
