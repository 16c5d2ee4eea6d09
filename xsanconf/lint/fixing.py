"""Apply the fixes diagnostics carry: ``xsanlint --fix``, ``--unsafe-fixes`` and ``--diff``.

Every round happens in memory.  Lint; take the fixes asked for (safe ones, and unsafe ones too
with ``unsafe=True``); keep those whose edits overlap no fix already taken this round (the others
wait: the next round re-lints the new text and offers them again at their new positions); apply
them file by file; re-parse each changed file with its kind and refuse a fix whose result would
not parse; rebuild the site from the new texts and lint again.  The rounds stop when no fix
applies, or after :data:`ROUNDS`.

Only :func:`write_changes` touches the disk, once the rounds are done: each file is written
atomically (temporary file beside it, then a rename; mode and owner kept) after a last re-parse,
only inside its host root, and a rename never replaces an existing file.  ``--diff`` prints
:func:`unified_diff` of the same changes and writes nothing.

Some rules list directories on disk (kmod's modprobe.d reading): the rebuilt hosts tell them
what the rounds renamed (:attr:`Host.renamed`), so the rounds see a rename before it is written
and ``--diff`` shows what ``--fix`` writes.  :func:`fix_in_place` (``--fix``) still loads the site
again from disk after writing and fixes again, until a pass changes nothing, in case a rule
reads the disk some other way.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping

import attrs

from xsanconf.api import ENCODING, ERRORS, loads
from xsanconf.document import Document
from xsanconf.edit import line_starts
from xsanconf.errors import ParseError
from xsanconf.formats import detect_kind
from xsanconf.lint.diagnostics import Diagnostic, Fix
from xsanconf.lint.engine import LintOptions, LintResult, lint
from xsanconf.lint.site import Host, Site, SiteFile, on_disk, read_include_order
from xsanconf.lint.splice import Span, apply_edits, conflicting, offset, splice

__all__ = [
    "ROUNDS",
    "FileChange",
    "FixRun",
    "Refusal",
    "Written",
    "apply_edits",
    "fix_in_place",
    "fix_site",
    "fixable",
    "unified_diff",
    "write_changes",
]

# Fixes that keep re-offering themselves (a rule whose fix does not silence it) stop here.
ROUNDS = 10


@attrs.frozen
class Refusal:
    """A fix that was not applied, and why."""

    diagnostic: Diagnostic
    reason: str

    def __str__(self) -> str:
        loc = self.diagnostic.location
        where = f"{loc.path}:{loc.line}:{loc.column}"
        return f"{where}: {self.diagnostic.code} fix not applied: {self.reason}"


@attrs.frozen
class FileChange:
    """One file's text before and after the fixes, and its name after them."""

    file: SiteFile  # as loaded from disk
    before: str
    after: str
    new_rel: str

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def new_path(self) -> str:
        return _shown(self.file.host, self.new_rel)

    @property
    def renamed(self) -> bool:
        return self.new_rel != self.file.rel


@attrs.define
class FixRun:
    """What the rounds did: the changes, the fixes applied and refused, the findings left."""

    changes: list[FileChange]
    applied: list[Diagnostic]
    refused: list[Refusal]
    result: LintResult  # the lint of the fixed texts
    rounds: int  # rounds that applied fixes


def fix_site(
    site: Site, options: LintOptions | None = None, *, unsafe: bool = False, rounds: int = ROUNDS
) -> FixRun:
    """Compute the fixes for ``site`` in rounds, in memory; nothing is written."""
    return _Rounds(site, options or LintOptions(), unsafe).run(rounds)


@attrs.define
class Written:
    """What :func:`fix_in_place` did, and the site as the disk holds it afterwards."""

    site: Site
    result: LintResult
    fixed: int
    refused: list[Refusal]
    failed: list[tuple[FileChange, str]]  # changes not written, with the reason


def fix_in_place(
    site: Site,
    reload: Callable[[Mapping[str, str]], Site],
    options: LintOptions | None = None,
    *,
    unsafe: bool = False,
    passes: int = 3,
) -> Written:
    """Fix ``site`` and write the changes, in passes until one changes nothing.

    ``reload(moved)`` loads the site again from disk; ``moved`` maps the display paths of
    renamed files to their new ones (a file named on the command line may have moved).
    """
    options = options or LintOptions()
    done = Written(site, LintResult([], []), 0, [], [])
    for _ in range(passes):
        run = fix_site(done.site, options, unsafe=unsafe)
        done.refused += [r for r in run.refused if str(r) not in map(str, done.refused)]
        done.result = run.result
        if not run.changes:
            return done
        failed = write_changes(run.changes)
        done.failed += failed
        unwritten = {change.path for change, _ in failed}
        done.fixed += sum(1 for d in run.applied if not _touches(d, unwritten))
        moved = {c.path: c.new_path for c in run.changes if c.renamed and c.path not in unwritten}
        done.site = reload(moved)
        if failed:
            break  # the same changes would fail again
    done.result = lint(done.site, options)
    return done


def _touches(d: Diagnostic, paths: set[str]) -> bool:
    assert d.fix is not None
    touched = [e.path for e in d.fix.edits] + [r.path for r in d.fix.renames]
    return any(posixpath.normpath(p) in paths for p in touched)


def fixable(d: Diagnostic, unsafe: bool) -> bool:
    """Whether ``d`` carries a fix of the kind asked for."""
    return d.fix is not None and (d.fix.safe or unsafe)


# The files as the rounds change them


@attrs.define(eq=False)
class _Text:
    """One file of the site as the rounds have left it so far."""

    original: SiteFile
    rel: str
    kind: str
    text: str
    doc: Document

    @property
    def path(self) -> str:
        return _shown(self.original.host, self.rel)


def _shown(host: Host, rel: str) -> str:
    """The display path of ``rel`` in ``host``, as the site loader makes it."""
    root = str(host.root)
    return rel if root in ("", ".") else posixpath.join(root, rel)


def _rel_in(host: Host, path: str) -> str | None:
    """``path`` (a display path) relative to the host root; None outside it."""
    root = str(host.root)
    path = posixpath.normpath(path)
    if root in ("", "."):
        rel = path
    else:
        prefix = root.rstrip("/") + "/"
        if not path.startswith(prefix):
            return None
        rel = path[len(prefix) :]
    if rel in ("", ".", "..") or rel.startswith(("../", "/")):
        return None
    return rel


class _Rounds:
    """The texts of the site's files as the rounds change them, and what became of each fix."""

    def __init__(self, site: Site, options: LintOptions, unsafe: bool) -> None:
        self.original = site
        self.options = options
        self.unsafe = unsafe
        self.texts = [_Text(f, f.rel, f.kind, f.text(), f.doc) for f in site.files()]
        self.applied: list[Diagnostic] = []
        self.refused: list[Refusal] = []
        self.declined: set[Fix] = set()  # refused once: not tried again

    def by_path(self) -> dict[str, _Text]:
        return {posixpath.normpath(t.path): t for t in self.texts}

    def run(self, rounds: int) -> FixRun:
        current = self.original
        result = lint(current, self.options)
        done = 0
        while done < rounds:
            offered = [
                d
                for d in result.diagnostics
                if fixable(d, self.unsafe) and d.fix not in self.declined
            ]
            if not offered or not _Round(self).apply(offered):
                break
            done += 1
            current = self.rebuild()
            result = lint(current, self.options)
        return FixRun(self.changes(), self.applied, self.refused, result, done)

    def changes(self) -> list[FileChange]:
        return [
            FileChange(t.original, t.original.text(), t.text, t.rel)
            for t in self.texts
            if t.text != t.original.text() or t.rel != t.original.rel
        ]

    def rebuild(self) -> Site:
        """A site of the current texts, built as the loader builds one (drbd reading order,
        include problems), with the original's hosts, unreadable files and focus."""
        site = Site(problems=[p for p in self.original.problems if p.code != "SYN003"])
        for host in self.original.hosts:
            twin = Host(host.name, host.root)
            for text in self.texts:
                if text.original.host is host:
                    twin.add(SiteFile(twin, text.rel, text.path, text.kind, text.doc))
                    if text.rel != text.original.rel:
                        twin.renamed[text.original.rel] = text.rel
            read_include_order(site, twin)
            site.add_host(twin)
        moved = {posixpath.normpath(t.original.path): t.path for t in self.texts}
        site.focus = frozenset(posixpath.normpath(moved.get(p, p)) for p in self.original.focus)
        site.focus_hosts = self.original.focus_hosts
        return site


class _Round:
    """One round: the fixes taken, their edits by file, the renames."""

    def __init__(self, rounds: _Rounds) -> None:
        self.rounds = rounds
        self.files = rounds.by_path()
        self.spans: dict[str, list[Span]] = {}  # accepted edits by display path
        self.new_texts: dict[str, tuple[str, Document]] = {}
        self.renames: dict[str, str] = {}  # display path -> new rel
        self.taken: list[Fix] = []

    def apply(self, offered: Iterable[Diagnostic]) -> bool:
        for d in offered:
            assert d.fix is not None
            if d.fix in self.taken:
                self.rounds.applied.append(d)  # the same edits, reported twice
                continue
            reason = self.take(d.fix)
            if reason is None:
                self.taken.append(d.fix)
                self.rounds.applied.append(d)
            elif reason:
                self.rounds.refused.append(Refusal(d, reason))
                self.rounds.declined.add(d.fix)
        self.commit()
        return bool(self.taken)

    def take(self, fix: Fix) -> str | None:
        """Accept ``fix``: None; refuse it: the reason; leave it for the next round: ""."""
        planned = self.plan(fix)
        if isinstance(planned, str):
            return planned
        if self.overlaps(planned, fix):
            return ""
        results: dict[str, tuple[str, Document]] = {}
        for path, spans in planned.items():
            file = self.files[path]
            text = splice(file.text, [*self.spans.get(path, []), *spans])
            doc = _parse(text, file.kind, file.path)
            if isinstance(doc, str):
                return f"the result would not parse ({doc})"
            results[path] = (text, doc)
        unchanged = all(
            text == self.new_texts.get(path, (self.files[path].text,))[0]
            for path, (text, _) in results.items()
        )
        if unchanged and not fix.renames:
            return "it changes nothing"
        for rename in fix.renames:
            reason = self.check_rename(posixpath.normpath(rename.path), rename.new_path, results)
            if reason is not None:
                return reason
        for path, spans in planned.items():
            self.spans.setdefault(path, []).extend(spans)
        self.new_texts.update(results)
        for rename in fix.renames:
            file = self.files[posixpath.normpath(rename.path)]
            new_rel = _rel_in(file.original.host, rename.new_path)
            assert new_rel is not None
            self.renames[posixpath.normpath(rename.path)] = new_rel
        return None

    def plan(self, fix: Fix) -> dict[str, list[Span]] | str:
        """The fix's edits as offsets into the current texts; a reason when they do not fit."""
        planned: dict[str, list[Span]] = {}
        for edit in fix.edits:
            path = posixpath.normpath(edit.path)
            file = self.files.get(path)
            if file is None:
                return f"{edit.path} is not a parsed file of the site"
            starts = line_starts(file.text)
            start = offset(file.text, starts, edit.line, edit.column)
            end = offset(file.text, starts, edit.end_line, edit.end_column)
            if start is None or end is None or end < start:
                return f"an edit of {edit.path} is outside the file's text"
            planned.setdefault(path, []).append((start, end, edit.text))
        for path, spans in planned.items():
            if conflicting(spans):
                return f"its edits of {path} overlap each other"
        return planned

    def overlaps(self, planned: dict[str, list[Span]], fix: Fix) -> bool:
        renamed = {posixpath.normpath(r.path) for r in fix.renames}
        if renamed & (set(self.spans) | set(self.renames)):
            return True
        if set(planned) & set(self.renames):
            return True
        return any(
            conflicting([*self.spans.get(path, []), *spans]) for path, spans in planned.items()
        )

    def check_rename(
        self, path: str, new_path: str, results: dict[str, tuple[str, Document]]
    ) -> str | None:
        file = self.files.get(path)
        if file is None:
            return f"{path} is not a parsed file of the site"
        host = file.original.host
        new_rel = _rel_in(host, new_path)
        if new_rel is None:
            return f"{new_path} is outside the host root of {path}"
        taken = {t.rel for t in self.rounds.texts if t.original.host is host}
        taken |= set(self.renames.values())
        vacated = {t.original.rel for t in self.rounds.texts if t.original.host is host} - taken
        on_disk = os.path.lexists(host.root / new_rel) and new_rel not in vacated
        if new_rel in taken or on_disk:
            return f"{new_path} already exists; not replaced"
        text = results[path][0] if path in results else file.text
        kind = detect_kind(new_rel) or file.kind
        doc = _parse(text, kind, new_path)
        if isinstance(doc, str):
            return f"{new_path} would not parse as {kind} ({doc})"
        return None

    def commit(self) -> None:
        for path, (text, doc) in self.new_texts.items():
            file = self.files[path]
            file.text, file.doc = text, doc
        for path, new_rel in self.renames.items():
            file = self.files[path]
            file.rel = new_rel
            file.kind = detect_kind(new_rel) or file.kind
            parsed = _parse(file.text, file.kind, file.path)
            assert not isinstance(parsed, str), "checked when the rename was taken"
            file.doc = parsed


def _parse(text: str, kind: str, path: str) -> Document | str:
    """The document of ``text``, or why it does not parse."""
    try:
        return loads(text, kind, path=path)
    except ParseError as error:
        return f"line {error.line}, column {error.column}: {error.message}"


# Output


def unified_diff(changes: Iterable[FileChange]) -> str:
    """The changes as a git-style unified diff (renames as ``rename from``/``rename to``) that
    ``patch -p1`` and ``git apply`` apply; :func:`xsanconf.lint.patch.make_patch` can keep
    secret lines out of it."""
    from xsanconf.lint.patch import make_patch

    return make_patch(changes).text


def write_changes(changes: Iterable[FileChange]) -> list[tuple[FileChange, str]]:
    """Write the changes to disk; the ones that could not be written, each with the reason."""
    failed = []
    written: dict[str, FileChange] = {}  # real path -> the change written there
    for change in changes:
        place = on_disk(change.file.host, change.file.rel)
        real = os.path.realpath(place) if place is not None else change.path
        twin = written.get(real)
        if twin is None:
            problem = _write(change)
            written[real] = change
        elif change.after != twin.after or change.renamed:
            problem = f"is the same file as {twin.path}, which was fixed differently"
        else:
            problem = None  # one file read under two names (a symbolic link): written once
        if problem is not None:
            failed.append((change, problem))
    return failed


def _write(change: FileChange) -> str | None:
    """Write one change: the file the site read, through symbolic links as the host follows
    them and never outside its root (:mod:`xsanconf.writing`), only if it still holds the
    text the site read; then the rename, which never replaces an existing file."""
    from xsanconf.writing import (
        ChangedOnDiskError,
        TargetExistsError,
        WriteError,
        rename_file,
        replace_file,
    )

    host = change.file.host
    try:
        if change.after != change.before:
            problem = _parse(change.after, change.file.kind, change.path)
            if isinstance(problem, str):
                return f"the fixed text would not parse ({problem}); not written"
            replace_file(
                change.file.rel,
                change.after.encode(ENCODING, ERRORS),
                root=host.root,
                expected=change.before.encode(ENCODING, ERRORS),
            )
    except ChangedOnDiskError:
        return "changed on disk while xsanlint ran; not written"
    except WriteError as error:
        return f"{error.reason}; not written"
    if change.renamed:
        try:
            rename_file(host.root, change.file.rel, change.new_rel)
        except TargetExistsError:
            return f"{change.new_path} already exists; not renamed"
        except WriteError as error:
            return f"{change.new_path}: {error.reason}; not renamed"
    return None
