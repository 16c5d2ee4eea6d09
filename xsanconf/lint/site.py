"""The site: hosts, their files parsed into documents, and indexes that rules query.

* ``Site.load(paths, host_overrides=...)`` builds a site from CLI paths (an ``etc`` directory or a
  host root containing ``etc/`` -> one host; a directory of host roots -> several hosts; a file ->
  its host (nearest ``etc`` ancestor's parent) is loaded whole, with its sibling hosts when the
  parent holds some, and reporting is limited to the given files: ``Site.focus``).
* Every file a host carries that a codec knows is loaded with ``recover=True``: a file that does not
  parse still appears (``SiteFile.doc.parsed`` is False, ``doc.problems`` holds the error).
* Paths in configs (drbd ``include``, IET ``Path=``) resolve inside the host root, never on the
  machine running the linter.  Files that cannot be read (permissions, broken or escaping
  symbolic links, FIFOs, devices, directories where a file belongs) and include problems become
  :class:`SiteProblem` entries, which the SYN rules report.  FIFOs and devices are never opened.

Everything is indexed once while loading, so the cost grows linearly with the number of hosts.
"""

from __future__ import annotations

import errno
import functools
import itertools
import os
import posixpath
import stat
from collections.abc import Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from xsanconf.limits import MAX_FILE_BYTES, read_checked, read_regular
from xsanconf.lint.diagnostics import Location, Severity

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.formats import Include, IncludeStyle
    from xsanconf.formats.drbd import DrbdResource, DrbdSection
    from xsanconf.syntax import Node, Token, Trivia

__all__ = [
    "Host",
    "Site",
    "SiteError",
    "SiteFile",
    "SiteProblem",
    "CIB_FILES",
    "on_disk",
    "read_include_order",
    "resolve_in_root",
]

# Limits that keep a hostile or broken tree from costing unbounded time or memory (README:
# "Limits"); the file size bound is MAX_FILE_BYTES.
MAX_INCLUDE_MATCHES = 1024  # files one include pattern may name
MAX_INCLUDE_DEPTH = 64  # files included from included files ...
MAX_GLOB_LISTING = 100_000  # directory entries one include pattern may list
# files all the include statements of one file, and of one host, may name: 2,000 different
# patterns naming 1,000 files each must not cost two million reads
MAX_INCLUDED_PER_FILE = 4 * MAX_INCLUDE_MATCHES
MAX_INCLUDED_PER_HOST = 16 * MAX_INCLUDE_MATCHES
MAX_SYMLINK_HOPS = 40  # as Linux follows them: ELOOP beyond


def resolve_in_root(root: str | os.PathLike[str], rel: str) -> tuple[str, str | None]:
    """``rel`` (a path inside a host root) as that host resolves it.

    Symbolic links are followed with the host root as ``/``: an absolute target starts at the
    root, ``..`` stops there.  A copied host tree (a backup, an etckeeper checkout) thus reads
    its own files through its absolute links, and never a file of the linting machine.
    Returns the link-free path inside the root (it may not exist) and, when a link cannot be
    followed (a loop), why.
    """
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    done: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        here = "/".join([*done, part])
        try:
            info = os.lstat(os.path.join(root, here))
        except OSError:
            return "/".join([here, *parts]), None
        if not stat.S_ISLNK(info.st_mode):
            done.append(part)
            continue
        hops += 1
        if hops > MAX_SYMLINK_HOPS:
            return here, os.strerror(errno.ELOOP)
        try:
            target = os.readlink(os.path.join(root, here))
        except OSError as error:
            return here, f"cannot be read: {error.strerror}"
        if target.startswith("/"):
            done = []
        parts[:0] = [p for p in target.split("/") if p not in ("", ".")]
    return "/".join(done), None


# (the files in its reading order, the files seen by realpath, the include stack)
_Reading = tuple[list["SiteFile"], set[str], list[str]]

# The running machine's kernel file systems: their "files" may block (/proc/kmsg) or never end.
_KERNEL_DIRS = ("/proc", "/sys", "/dev")
_GLOB_CHARS = frozenset("*?[")


class SiteError(ValueError):
    """A command-line path that names no host: a usage error, not a finding."""


@attrs.frozen
class SiteProblem:
    """A file that could not be read, or an include that does not resolve: reported by SYN rules."""

    code: str  # "SYN001" (cannot read) or "SYN003" (include problem)
    severity: Severity
    message: str
    location: Location
    related: tuple[Location, ...] = ()


# SiteFile, Host and Site are built with repr=False: they are never printed, and attrs would
# compile a __repr__ for each on every run.
@attrs.define(eq=False, repr=False)
class SiteFile:
    """One parsed file of a host."""

    host: Host
    rel: str  # POSIX path inside the host root, e.g. "etc/drbd.d/r0.res"
    path: str  # the path shown to the user (as given on the command line, joined with rel)
    kind: str
    doc: Document
    # (document generation, its lines): rules that look at a line per finding split once
    _lines: tuple[int, list[str]] | None = attrs.field(default=None, init=False)

    def location(
        self, item: Node | Token | Trivia | None = None, message: str | None = None
    ) -> Location:
        """Where ``item`` (a token or node of ``doc``) is; the file's start without one."""
        if item is None:
            return Location(self.path, host=self.host.name, message=message)
        line, column = self.doc.position(item)
        end_line, end_column = self.doc.end_position(item)
        return Location(self.path, line, column, end_line, end_column, self.host.name, message)

    def text(self) -> str:
        return self.doc.render()

    def lines(self) -> list[str]:
        """The text split at newlines, computed once per edit (not once per finding: a file
        of 25,000 findings would cost 25,000 renderings)."""
        cached = self._lines
        if cached is None or cached[0] != self.doc.generation:
            cached = self._lines = (self.doc.generation, self.text().split("\n"))
        return cached[1]


@attrs.define(eq=False, repr=False)
class Host:
    name: str  # etc/hostname, else the directory name; for "/" the running node's name
    root: Path
    files: list[SiteFile] = attrs.field(factory=list)
    # files the fix rounds renamed in memory (old rel -> new rel): what a directory listing of
    # the disk shows under the old name, the host holds under the new one
    renamed: dict[str, str] = attrs.field(factory=dict)
    # what could not be read (set by xsanconf.load_host; a Site keeps all hosts' problems)
    problems: list[SiteProblem] = attrs.field(factory=list)
    _by_rel: dict[str, SiteFile] = attrs.field(factory=dict, init=False, repr=False)
    # for kinds whose daemon follows includes from a main file (the registry's IncludeStyle):
    # the files in its reading order, and where each file's includes stand with the files
    # each brought in (by the including file's rel)
    _read_order: dict[str, list[SiteFile]] = attrs.field(factory=dict, init=False, repr=False)
    _includes: dict[str, list[tuple[tuple[int, int], list[SiteFile]]]] = attrs.field(
        factory=dict, init=False, repr=False
    )
    _drbd_resources: list[tuple[SiteFile, DrbdResource]] | None = attrs.field(
        default=None, init=False, repr=False
    )

    def add(self, file: SiteFile) -> None:
        self.files.append(file)
        self._by_rel[file.rel] = file

    def known(self, kind: str) -> bool:
        """Whether facts drawn from this host's files of ``kind`` can be trusted.

        False when one of them did not parse (binary data, an unclosed brace, garbage): the
        daemon refuses or misreads it, so what the host's ``kind`` configuration says as a
        whole is unknown, and nothing may be concluded from what it seems to lack ("no alias",
        "no host section").  SYN001 reports the file itself.  For drbd only the files
        drbdadm reads count (for every kind whose daemon follows includes from a main file:
        the files it reads).  Files that are each a whole of their own (a guest, an init
        script, a unit, one daemon's defaults, a node record: ``separate`` in the registry) do
        not make the others unknown: their readers skip the one that does not parse.
        """
        from xsanconf.formats import entry

        if kind in _separate_kinds():
            return True
        if entry(kind).includes is not None:
            files: Iterable[SiteFile] = self._read_order.get(kind, [])
        else:
            files = (f for f in self.files if f.kind == kind)
        return all(f.doc.parsed for f in files)

    def documents(self, kind: str) -> list[SiteFile]:
        """This host's files of ``kind``, in the order the daemon reads them; none when the
        host's ``kind`` configuration is not :meth:`known`, so that facts built from them are
        absent rather than partial (rules stay silent without facts).

        For drbd that is drbd.conf and its includes as drbdadm reads them, followed by the
        drbd files nothing includes (drbdadm never reads those, but they are still checked).
        """
        if not self.known(kind):
            return []
        found = [f for f in self.files if f.kind == kind]
        order = self._read_order.get(kind)
        if order:
            read = {id(f) for f in order}
            return [*order, *(f for f in found if id(f) not in read)]
        return found

    def tgt_files(self) -> list[SiteFile]:
        """targets.conf and the files its includes name, in tgt-admin's reading order, each
        once (none when one of them does not parse)."""
        return list(self._read_order.get("tgt", [])) if self.known("tgt") else []

    def file(self, rel: str) -> SiteFile | None:
        return self._by_rel.get(rel)

    def fs_path(self, config_path: str) -> Path:
        """Where a path named in this host's configuration (``/dev/drbd0``, ``/etc/iet/x``) is
        on the linting machine: inside the host root, never the linting machine's own file."""
        inside = posixpath.normpath("/" + config_path).lstrip("/")
        return self.root / inside if inside else self.root

    def read_text(self, config_path: str) -> str | None:
        """The text of a file of this host that the site does not load as a document (a
        bindings file, an init script's dependency list); None when it cannot be read safely:
        it resolves outside the host root (links included) or onto the running machine's
        /proc, /sys or /dev, is not a regular file (a FIFO would block), is over
        ``MAX_FILE_BYTES`` or cannot be read."""
        resolved, trouble = resolve_in_root(self.root, posixpath.normpath("/" + config_path))
        if trouble is not None:
            return None
        path = self.root / resolved if resolved else self.root
        # Most files asked for are absent (rules look for optional files on every host): one
        # lstat says so, where realpath would take one per component of the path.
        if not os.path.lexists(path) or _on_kernel_fs(os.path.realpath(path)):
            return None
        return read_regular(path)

    def drbd_files(self) -> list[SiteFile]:
        """drbd.conf and the files it includes, in drbdadm's reading order, each once (none
        when one of them did not parse: :meth:`known`)."""
        return list(self._read_order.get("drbd", [])) if self.known("drbd") else []

    def drbd_resources(self) -> list[tuple[SiteFile, DrbdResource]]:
        """Resources from /etc/drbd.conf and what it includes, in drbdadm's reading order
        (none when one of those files did not parse: :meth:`known`)."""
        return list(self._resources_in_order()) if self.known("drbd") else []

    def drbd_resource(self, name: str) -> tuple[SiteFile, DrbdResource] | None:
        """The resource ``name`` and the file that holds it, as drbdadm finds it through
        drbd.conf and its includes; None when drbdadm reads no resource of that name."""
        return next(((f, r) for f, r in self._resources_in_order() if r.name == name), None)

    def _resources_in_order(self) -> list[tuple[SiteFile, DrbdResource]]:
        """Every resource drbdadm reads: each file's resources in text order, an included
        file's where its include stands."""
        found = self._drbd_resources
        if found is None:
            found = self._drbd_resources = []
            order = self._read_order.get("drbd")
            if order:
                self._walk_resources(order[0], found)
        return found

    def _walk_resources(self, file: SiteFile, found: list[tuple[SiteFile, DrbdResource]]) -> None:
        config = file.doc.model
        items: list[tuple[tuple[int, int], DrbdResource | None, list[SiteFile]]] = [
            (r.position, r, []) for r in config.resources
        ]
        items += [(at, None, files) for at, files in self._includes.get(file.rel, [])]
        for _, resource, files in sorted(items, key=lambda item: item[0]):
            if resource is not None:
                found.append((file, resource))
            for included in files:  # each read once: the walk is bounded by the include depth
                self._walk_resources(included, found)

    def drbd_common(self) -> tuple[SiteFile, DrbdSection] | None:
        """The first ``common`` section drbdadm reads (a second one is a drbdadm error)."""
        for file in self.drbd_files():
            common = file.doc.model.common
            if common is not None:
                return file, common
        return None


@attrs.define(eq=False, repr=False)
class Site:
    hosts: list[Host] = attrs.field(factory=list)
    problems: list[SiteProblem] = attrs.field(factory=list)
    # display paths of the files given on the command line; empty: report everything
    focus: frozenset[str] = frozenset()
    # hosts reported whole because a file given is context, not a document (etc/hostname)
    focus_hosts: frozenset[str] = frozenset()
    _by_name: dict[str, Host] = attrs.field(factory=dict, init=False, repr=False)
    _by_path: dict[str, SiteFile] | None = attrs.field(default=None, init=False, repr=False)

    def add_host(self, host: Host) -> None:
        self._by_path = None
        self.hosts.append(host)
        self._by_name.setdefault(host.name, host)

    def files(self, kind: str | None = None) -> Iterator[SiteFile]:
        for host in self.hosts:
            for file in host.files:
                if kind is None or file.kind == kind:
                    yield file

    def host(self, name: str) -> Host | None:
        return self._by_name.get(name)

    def kinds(self) -> set[str]:
        return {f.kind for f in self.files()}

    def file_at(self, path: str) -> SiteFile | None:
        """The file shown to the user as ``path``."""
        if self._by_path is None:
            self._by_path = {posixpath.normpath(f.path): f for f in self.files()}
        return self._by_path.get(posixpath.normpath(path))

    @classmethod
    def load(
        cls,
        paths: Iterable[str | os.PathLike[str]],
        host_overrides: Mapping[str, str | os.PathLike[str]] | None = None,
    ) -> Site:
        """Load the hosts the command-line ``paths`` name (see the module docstring).

        ``host_overrides`` maps a host name to its root (``--host NAME=PATH``).
        Raises :class:`SiteError` for a path that names no host.
        """
        return _SiteLoader().load(paths, host_overrides or {})


# Loading


def _display(path: str | os.PathLike[str]) -> str:
    text = os.fspath(path)
    return posixpath.normpath(text.replace(os.sep, "/")) if text else "."


def _join(root: str, rel: str) -> str:
    return rel if root in ("", ".") else posixpath.join(root, rel)


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")


class _SiteLoader:
    def __init__(self) -> None:
        self.site = Site()
        self.seen_roots: set[str] = set()

    def load(
        self,
        paths: Iterable[str | os.PathLike[str]],
        overrides: Mapping[str, str | os.PathLike[str]],
    ) -> Site:
        focus: set[str] = set()
        roots: dict[str, str] = {}  # focused file -> its host root
        for name, root in overrides.items():
            self.add_host(_host_root(_display(root)), name)
        for raw in paths:
            path = _display(raw)
            if not os.path.lexists(path):
                raise SiteError(f"{path}: no such file or directory")
            if os.path.isdir(path):
                self.add_directory(path)
            else:
                path = _anchored(path)
                focus.add(path)
                roots[path] = self.add_file(path)
        self.site.focus = frozenset(focus)
        # A file no codec reads (etc/hostname, a runlevel link, a unit in lib/systemd) is
        # context: what it changes shows anywhere on its host, so the whole host is reported.
        self.site.focus_hosts = frozenset(
            host.name
            for path, root in roots.items()
            if self.site.file_at(path) is None
            for host in self.site.hosts
            if os.path.realpath(host.root) == os.path.realpath(root)
        )
        return self.site

    def add_directory(self, path: str) -> None:
        if posixpath.basename(path) == "etc" or _is_host_root(path):
            self.add_host(_host_root(path))
            return
        roots = _host_roots_below(path)
        if not roots:
            raise SiteError(
                f"{path}: not a host (no etc/ directory, sosreport or supportconfig) and no "
                "sub-directory is one; give an etc directory, a host root or a directory of "
                "host roots"
            )
        for root in roots:
            self.add_host(root)

    def add_file(self, path: str) -> str:
        """Load the host of the file at ``path`` (with its sibling hosts); its host root."""
        parts = path.split("/")
        if "etc" in parts[:-1]:
            etc_index = len(parts) - 2 - parts[-2::-1].index("etc")
            root = "/".join(parts[:etc_index]) or ("/" if path.startswith("/") else ".")
        else:
            found = _root_outside_etc(path)
            if found is None:
                raise SiteError(f"{path}: a file must sit below an etc directory of a host")
            root = found
        if root in ("/", "."):
            self.add_host(root)
            return root
        # a file of one host in a directory of hosts: the other hosts give cross-host context
        siblings = _host_roots_below(posixpath.dirname(root))
        for host_root in siblings if root in siblings else [root]:
            self.add_host(host_root)
        return root

    def add_host(self, root: str, name: str | None = None) -> None:
        real_root = os.path.realpath(root)
        if real_root in self.seen_roots:
            return
        self.seen_roots.add(real_root)
        host = Host(name or "", Path(root))
        reader = _HostReader(self.site, host, root, real_root)
        host.name = name or _host_name(reader, root, real_root)
        reader.read_etc()
        reader.read_cib()
        reader.resolve_includes()
        self.site.add_host(host)


def read_include_order(site: Site, host: Host) -> None:
    """Read ``host``'s main files (drbd.conf, tgt's targets.conf) and what they include in their
    daemon's order, from the files the host already holds (reading from disk only what it does
    not), reporting include problems to ``site``: what the loader does, for a host built from
    other texts (``--fix`` rounds)."""
    root = str(host.root)
    _HostReader(site, host, root, os.path.realpath(root)).resolve_includes()


def on_disk(host: Host, rel: str) -> Path | None:
    """Where the host's file ``rel`` is on the linting machine, links followed as the host
    follows them (:func:`resolve_in_root`); None when a link loops."""
    resolved, trouble = resolve_in_root(host.root, rel)
    return None if trouble is not None else host.root / resolved


def _host_name(reader: _HostReader, root: str, real_root: str) -> str:
    # The running machine is known by its node name (drbdadm compares `uname -n`); a sosreport
    # or supportconfig by the node name it recorded (its directory is named for the case, and
    # it may hold no etc/hostname); a copied host tree by its etc/hostname, else by its
    # directory's name.
    if real_root == "/":
        return os.uname().nodename
    recorded = None
    if not os.path.isdir(os.path.join(real_root, "etc")) or os.path.isdir(
        os.path.join(real_root, "sos_commands")
    ):  # a report, maybe: only then is the module that reads them imported
        from xsanconf.captures.layout import layout_of, sos_hostname, supportconfig_hostname

        layout = layout_of(real_root)
        if layout == "sosreport":
            recorded = sos_hostname(real_root)
        elif layout == "supportconfig":
            recorded = supportconfig_hostname(real_root)
    return recorded or reader.hostname() or posixpath.basename(os.path.abspath(root))


def _is_host_root(path: str) -> bool:
    """A host root: it holds etc/, or it is an unpacked sosreport (``sos_commands/``) or a
    supportconfig directory (``basic-environment.txt``), which may hold no etc/."""
    return (
        os.path.isdir(os.path.join(path, "etc"))
        or os.path.isdir(os.path.join(path, "sos_commands"))
        or os.path.isfile(os.path.join(path, "basic-environment.txt"))
    )


def _anchored(path: str) -> str:
    """A file's path as it names its host: a relative path that does not show the host's etc
    (``drbd.conf``, given in /etc) is taken from the root."""
    if "etc" in path.split("/")[:-1] or _root_outside_etc(path) is not None:
        return path
    return os.path.abspath(path)


def _root_outside_etc(path: str) -> str | None:
    """The host root of a file in a directory outside etc that kmod or systemd reads
    (``usr/lib/modules-load.d/drbd.conf``) or that rules read for context (a unit in
    ``lib/systemd/system`` or its drop-in directory, ``var/lib/multipath/bindings``), None
    for any other file."""
    for rel in _CONTEXT_FILES_OUTSIDE_ETC:
        if path == rel or path.endswith("/" + rel):
            root = path[: -len(rel)].rstrip("/")
            return root or ("/" if path.startswith("/") else ".")
    captured = _cib_capture_root(path)
    if captured is not None:
        return captured
    padded = "/" + posixpath.dirname(path) + "/"
    for rel_dir in (
        *_CONFIG_DIRS_OUTSIDE_ETC,
        *_CONTEXT_DIRS_OUTSIDE_ETC,
        *_RECORD_DIRS_OUTSIDE_ETC,
    ):
        at = padded.find(f"/{rel_dir}/")
        nested = padded[at + len(rel_dir) + 2 :]
        # kmod and systemd read those directories flat; a unit's drop-ins sit one level down;
        # the iSCSI node database nests its records
        deep = rel_dir in _RECORD_DIRS_OUTSIDE_ETC or (
            rel_dir.endswith("/system") and nested.count("/") == 1
        )
        if at >= 0 and (not nested or deep):
            root = padded[1 : at + 1].rstrip("/")
            return root or ("/" if path.startswith("/") else ".")
    return None


def _cib_capture_root(path: str) -> str | None:
    """The host root of a captured CIB: ``ROOT/cib.xml`` beside ``ROOT/etc``, or crm_report's
    ``ROOT/sos_commands/pacemaker/crm_report/NODE/cib.xml``; None for any other file."""
    parts = path.split("/")
    if parts[-1] != "cib.xml":
        return None
    if parts[-5:-2] == ["sos_commands", "pacemaker", "crm_report"]:
        root = "/".join(parts[:-5])
    else:
        root = "/".join(parts[:-1])
        if not os.path.isdir(os.path.join(root or ".", "etc")):
            return None
    return root or ("/" if path.startswith("/") else ".")


def _host_root(path: str) -> str:
    """The host root for an etc directory or a host root."""
    if posixpath.basename(path) == "etc":
        parent = posixpath.dirname(path)
        return parent or ("/" if path.startswith("/") else ".")
    return path


def _host_roots_below(path: str) -> list[str]:
    try:
        names = sorted(os.listdir(path or "."))
    except OSError:
        return []
    return [
        _join(path if path != "." else "", name)
        for name in names
        if _is_host_root(os.path.join(path or ".", name))
    ]


class _HostReader:
    """Reads one host's files, indexes them and resolves includes inside its root."""

    def __init__(self, site: Site, host: Host, root: str, real_root: str) -> None:
        self.site = site
        self.host = host
        self.root = root
        self.real_root = real_root
        self.unreadable: set[str] = set()  # reported once, even when an include names it again
        # include patterns already expanded and followed (rooted): every file a repeated
        # pattern names was read then, and the daemon (drbdadm) skips a file it has read
        self.followed: set[str] = set()
        self.included: dict[str, int] = {}  # files the includes of a file named, by file
        self.included_by_host = 0

    def shown(self, rel: str) -> str:
        return _join(self.root if self.root != "." else "", rel)

    def fs(self, rel: str) -> str:
        return os.path.join(self.root, rel)

    def real(self, rel: str) -> str:
        """Where ``rel`` is on the linting machine, links followed as the host follows them."""
        return os.path.normpath(self.fs(resolve_in_root(self.root, rel)[0]))

    def problem(
        self,
        code: str,
        message: str,
        rel: str,
        *,
        severity: Severity = Severity.ERROR,
        at: Location | None = None,
    ) -> None:
        location = at or Location(self.shown(rel), host=self.host.name or None)
        self.site.problems.append(SiteProblem(code, severity, message, location))

    def hostname(self) -> str | None:
        why, path, _ = self.why_unreadable("etc/hostname")
        text = read_regular(path) if why is None else None
        if text is None:
            return None
        for line in text.splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                return word.split()[0]
        return None

    def why_unreadable(self, rel: str) -> tuple[str | None, str, Severity]:
        """Why the file at ``rel`` cannot be read as a configuration file (None when it can),
        where it is read from on the linting machine, and how grave not reading it is."""
        resolved, trouble = resolve_in_root(self.root, rel)
        path = self.fs(resolved)
        if trouble is not None:
            try:
                target = os.readlink(self.fs(rel))
            except OSError:
                target = f"/{resolved}"
            return f"symbolic link to {target} cannot be followed: {trouble}", path, Severity.ERROR
        try:
            info = os.lstat(path)
        except OSError as error:
            if resolved == posixpath.normpath(rel):
                return f"cannot be read: {error.strerror}", path, Severity.ERROR
            try:
                target = os.readlink(self.fs(rel))
            except OSError:  # the link is a directory on the way
                target = f"/{resolved}"
            top = resolved.split("/", 1)[0]
            if top != "etc" and not os.path.isdir(self.fs(top)):
                # an etc-only copy: the link points at vendor files the copy does not hold
                why = f"is a symbolic link to {target}, which this copy of the host does not hold"
                return f"{why}; not read", path, Severity.WARNING
            return f"broken symbolic link to {target}", path, Severity.ERROR
        if stat.S_ISDIR(info.st_mode):
            return "is a directory where a file is expected", path, Severity.ERROR
        if not stat.S_ISREG(info.st_mode):
            why = f"is a {_file_type(info.st_mode)}, not a regular file; not read"
            return why, path, Severity.ERROR
        real = os.path.realpath(path)
        if _on_kernel_fs(real):
            why = f"is a kernel pseudo-file ({real}), not a configuration file; not read"
            return why, path, Severity.ERROR
        if info.st_size > MAX_FILE_BYTES:
            return (
                f"is {info.st_size} bytes long, over the {MAX_FILE_BYTES // 1024 // 1024} MiB "
                "limit for a configuration file; not read",
                path,
                Severity.ERROR,
            )
        return None, path, Severity.ERROR

    def read_etc(self) -> None:
        from xsanconf.formats import detect_kind, host_file_kind

        visited = {self.real("etc")}
        stack = ["etc"]
        for rel_dir in (*_CONFIG_DIRS_OUTSIDE_ETC, *_RECORD_DIRS_OUTSIDE_ETC):  # after etc
            real = self.real(rel_dir)
            if real not in visited and os.path.isdir(real):
                visited.add(real)
                stack.insert(0, rel_dir)
        while stack:
            rel_dir = stack.pop()
            try:
                entries = sorted(os.scandir(self.real(rel_dir)), key=lambda e: e.name)
            except OSError as error:
                if detect_kind(f"{rel_dir}/probe.conf") is not None:
                    self.problem("SYN001", f"directory cannot be read: {error.strerror}", rel_dir)
                continue
            subdirs = []
            for entry in entries:
                if _left_alone(entry):
                    continue
                rel = f"{rel_dir}/{entry.name}"
                kind = host_file_kind(rel)
                if _is_dir(entry, self, rel) and not _names_a_file(rel, kind):
                    real = self.real(rel)
                    if real not in visited:
                        visited.add(real)
                        subdirs.append(rel)
                elif kind is not None:
                    self.read(rel, kind)
            stack.extend(reversed(subdirs))

    def read_cib(self) -> None:
        """The host's Pacemaker CIB: the first of :data:`CIB_FILES` it holds (one CIB a host:
        the file on disk, a capture and crm_report's copy hold the same configuration)."""
        for pattern in CIB_FILES:
            for rel in self._cib_candidates(pattern):
                if os.path.lexists(self.fs(rel)):
                    self.read(rel, "cib")
                    return

    def _cib_candidates(self, pattern: str) -> list[str]:
        """``pattern`` itself, or for ``DIR/*/NAME`` each node directory (the host's first)."""
        base, star, name = pattern.partition("/*/")
        if not star:
            return [pattern]
        try:
            nodes = sorted(os.listdir(self.real(base)))
        except OSError:
            return []
        nodes.sort(key=lambda node: node != self.host.name)
        return [f"{base}/{node}/{name}" for node in nodes]

    def read(self, rel: str, kind: str) -> SiteFile | None:
        """Load one file, or record why it cannot be read."""
        found = self.host.file(rel)
        if found is not None or rel in self.unreadable:
            return found
        from xsanconf.api import loads

        why, path, severity = self.why_unreadable(rel)
        text = None
        if why is None:
            # checked by name above; the open file is checked again, so a FIFO or a larger
            # file put there since is not read either
            text, why = read_checked(path)
        if text is None:
            self.unreadable.add(rel)
            self.problem("SYN001", why or "cannot be read", rel, severity=severity)
            return None
        shown = self.shown(rel)
        file = SiteFile(self.host, rel, shown, kind, loads(text, kind, path=shown, recover=True))
        self.host.add(file)
        return file

    def resolve_includes(self) -> None:
        """Each daemon's reading order (the registry's :class:`~xsanconf.formats.IncludeStyle`):
        its main file, each include expanded where it stands, each file once."""
        from xsanconf.formats import entries

        self.host._drbd_resources = None
        for found in entries():
            style = found.includes
            if style is None:
                continue
            main = self.host.file(style.main)
            if main is None or main.kind != found.kind:
                continue
            order = self.host._read_order[found.kind] = []
            self._follow(found.kind, style, main, (order, set(), []))

    def _follow(self, kind: str, style: IncludeStyle, file: SiteFile, reading: _Reading) -> None:
        """Read ``file`` as its daemon does: its includes in text order, each included file
        where its include stands."""
        # 8.4 and 9 skip a file already read (by realpath); a file on the include stack is a loop
        from xsanconf.formats import codec

        order, seen, stack = reading
        seen.add(self.real(file.rel))
        order.append(file)
        inner = (order, seen, [*stack, file.rel])
        placed = self.host._includes[file.rel] = []
        for include in codec(kind).includes(file.doc):
            placed.append((include.position, self._include(kind, style, file, include, inner)))

    def _include(
        self, kind: str, style: IncludeStyle, file: SiteFile, include: Include, reading: _Reading
    ) -> list[SiteFile]:
        """The files ``include`` brings in (each followed in turn)."""
        _, seen, stack = reading
        at = file.location(include.anchor)
        if len(stack) >= MAX_INCLUDE_DEPTH:
            self.problem(
                "SYN003",
                f"includes nested more than {MAX_INCLUDE_DEPTH} files deep; not followed",
                file.rel,
                at=at,
            )
            return []
        matches = self._expand(file, include.pattern, style, at, include.optional)
        if not self._within_include_bounds(file, len(matches), kind, at):
            return []
        on_stack = {self.real(s): s for s in stack} if matches and style.loops == "error" else {}
        brought: list[SiteFile] = []
        for rel in matches:
            real = self.real(rel)
            if real in on_stack:
                chain = " -> ".join([*stack, rel])
                self.problem("SYN003", f"include loop: {chain}", rel, at=at)
                continue
            if real in seen:
                continue
            included = self.read(rel, kind)
            if included is not None:
                brought.append(included)
                self._follow(kind, style, included, reading)
        if include.pattern is not None:
            # followed to the end (a pattern on its way is followed again: a loop shows)
            self.followed.add(self._rooted(file, include.pattern))
        return brought

    def _within_include_bounds(self, file: SiteFile, count: int, kind: str, at: Location) -> bool:
        """Count ``count`` more files named by includes of ``file``; False (reported once) when
        that passes the bound for the file or for the host: its includes are not followed."""
        before = self.included.get(file.rel, 0)
        host_before = self.included_by_host
        self.included[file.rel] = before + count
        self.included_by_host += count
        for bound, was, what in (
            (MAX_INCLUDED_PER_FILE, before, "this file"),
            (MAX_INCLUDED_PER_HOST, host_before, f"this host's {kind} files"),
        ):
            if was + count > bound:
                if was <= bound:
                    self.problem(
                        "SYN003",
                        f"the includes of {what} name more than {bound} files; "
                        "this one and those after it are not followed",
                        file.rel,
                        at=at,
                    )
                return False
        return True

    @staticmethod
    def _rooted(file: SiteFile, pattern: str) -> str:
        """An include pattern relative to the host root (drbdadm reads it from the file's
        directory)."""
        base = posixpath.dirname(file.rel)
        joined = pattern if pattern.startswith("/") else posixpath.join(base, pattern)
        # the host root is "/": ".." there stays there, as the kernel resolves "/.."
        return posixpath.normpath("/" + joined.lstrip("/")).lstrip("/") or "."

    def _expand(
        self,
        file: SiteFile,
        pattern: str | None,
        style: IncludeStyle,
        at: Location,
        optional: bool = False,
    ) -> list[str]:
        """Paths (relative to the host root) an include pattern names, sorted as glob(3) does;
        none for a pattern already followed (what it names has been read)."""
        if pattern is None:
            return []
        if style.relative_to == "root":
            return self._expand_from_root(file, pattern, style, at, optional)
        rooted = self._rooted(file, pattern)
        if not _GLOB_CHARS & set(pattern) and not os.path.lexists(self.real(rooted)):
            self.problem(
                "SYN003",
                f"include {pattern!r}: {rooted} does not exist ({style.missing})",
                file.rel,
                at=at,
            )
            return []
        if rooted in self.followed:
            # drbdadm globs it again and skips every file, each already read (by realpath)
            return []
        if not _GLOB_CHARS & set(pattern):
            return [rooted]
        matches, overflow = self._glob(rooted)
        if overflow:
            self.problem(
                "SYN003",
                f"include {pattern!r} {overflow}",
                file.rel,
                at=at,
            )
        elif not matches and not self._glob_directory_exists(rooted):
            # An empty drop-in directory is a package's default (drbd-utils' drbd.conf includes
            # drbd.d/*.res before any resource exists): drbdadm ignores a glob that matches
            # nothing, and so do we unless the directory it looks in is missing.
            self.problem(
                "SYN003",
                f"include {pattern!r} matches no file ({style.empty})",
                file.rel,
                severity=Severity.WARNING,
                at=at,
            )
        return [posixpath.normpath(m.replace(os.sep, "/")) for m in matches]

    def _expand_from_root(
        self, file: SiteFile, pattern: str, style: IncludeStyle, at: Location, optional: bool
    ) -> list[str]:
        """The files an include names as Config::General expands it (tgt-admin): a glob
        (``{a,b}`` alternatives too, regular files only; none is fine), a directory (its
        regular files in name order) or a file, which must exist unless the include is
        optional.  The daemon runs from ``/``, so a relative path starts there."""
        rooted = posixpath.normpath("/" + pattern.lstrip("/")).lstrip("/") or "."
        if _GLOB_CHARS & set(pattern) or (style.braces and "{" in pattern) or "\\" in pattern:
            found: list[str] = []
            for alternative in _braces(rooted) if style.braces else [rooted]:
                matches, overflow = self._glob(alternative)
                if overflow:
                    self.problem("SYN003", f"include {pattern!r} {overflow}", file.rel, at=at)
                found += [m for m in matches if os.path.isfile(self.real(m))]
            return found[:MAX_INCLUDE_MATCHES]
        real = self.real(rooted)
        if style.directories and os.path.isdir(real):
            try:
                names = sorted(os.listdir(real))
            except OSError:
                names = []
            found = [posixpath.join(rooted, n) for n in names]
            return [r for r in found if os.path.isfile(self.real(r))][:MAX_INCLUDE_MATCHES]
        if not os.path.lexists(real):
            if not optional:
                self.problem(
                    "SYN003",
                    f"include {pattern!r}: {rooted} does not exist ({style.missing})",
                    file.rel,
                    at=at,
                )
            return []
        return [rooted]

    def _glob_directory_exists(self, rooted: str) -> bool:
        """Whether the directory a glob pattern starts listing in (its path up to the first
        component with wildcards) is a directory of the host."""
        parts = rooted.split("/")
        fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARS & set(part))
        return os.path.isdir(self.real("/".join(parts[:fixed]) or "."))

    def _glob(self, rooted: str) -> tuple[list[str], str | None]:
        """glob(3) of ``rooted`` inside the host root, bounded: the sorted matches, and what
        bound cut them short (None: nothing).

        Directories on the way are followed as the host follows them (:func:`resolve_in_root`);
        at most ``MAX_INCLUDE_MATCHES`` matches and ``MAX_GLOB_LISTING`` listed entries, so
        that ``include "/*/*/*/*"`` on a live machine's root stays cheap.
        """
        found = [""]
        listed = 0
        parts = rooted.split("/")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following: list[str] = []
            for base in found:
                names, count = self._matching_names(base, part)
                listed += count
                for name in names:
                    rel = posixpath.join(base, name) if base else name
                    if last or os.path.isdir(self.real(rel)):
                        following.append(rel)
                if listed > MAX_GLOB_LISTING or len(following) > MAX_INCLUDE_MATCHES:
                    return _bounded(sorted(following), listed, last)
            found = following
        return sorted(found), None

    def _matching_names(self, base: str, part: str) -> tuple[list[str], int]:
        """Names in directory ``base`` that ``part`` matches, and how many names were listed."""
        if not _GLOB_CHARS & set(part):
            return ([part] if os.path.lexists(self.real(posixpath.join(base, part))) else []), 0
        directory = self.real(base) if base else self.root
        try:
            names = os.listdir(directory)
        except OSError:
            return [], 0
        # glob(3): a leading dot is matched only by a pattern that starts with one
        hidden_ok = part.startswith(".")
        matched = [
            n for n in names if (hidden_ok or not n.startswith(".")) and fnmatchcase(n, part)
        ]
        return matched, len(names)


def _braces(pattern: str) -> list[str]:
    """``a{b,c}d`` as ``abd``, ``acd`` (csh braces, as bsd_glob's GLOB_BRACE expands them),
    at most ``MAX_INCLUDE_MATCHES`` alternatives."""
    out = [pattern]
    done: list[str] = []
    while out and len(done) + len(out) <= MAX_INCLUDE_MATCHES:
        text = out.pop(0)
        start = text.find("{")
        depth, cut, end = 0, [start], -1
        for at in range(start + 1, len(text)) if start >= 0 else ():
            char = text[at]
            if char == "{":
                depth += 1
            elif char == "}" and depth:
                depth -= 1
            elif char == "}":
                end = at
                break
            elif char == "," and not depth:
                cut.append(at)
        if end < 0 or len(cut) < 2:
            done.append(text)
            continue
        cut.append(end)
        head, tail = text[:start], text[end + 1 :]
        out[:0] = [head + text[a + 1 : b] + tail for a, b in itertools.pairwise(cut)]
    return [*done, *out][:MAX_INCLUDE_MATCHES]


def _bounded(matches: list[str], listed: int, last: bool) -> tuple[list[str], str]:
    """What a glob cut short by a bound reads, and the one message that says so."""
    if listed > MAX_GLOB_LISTING:
        bound = f"lists more than {MAX_GLOB_LISTING} directory entries"
    else:
        bound = f"matches more than {MAX_INCLUDE_MATCHES} {'files' if last else 'directories'}"
    kept = matches[:MAX_INCLUDE_MATCHES] if last else []
    if not kept:
        where = "" if last else " before its last part"
        return [], f"{bound}{where}; no file of it is read"
    return kept, f"{bound}; only the first {len(kept)} are read"


def _on_kernel_fs(real: str) -> bool:
    return any(_inside(real, kernel) for kernel in _KERNEL_DIRS)


def _left_alone(entry: os.DirEntry[str]) -> bool:
    """Entries that are no configuration: a link to /dev/null masks a file of the same name in
    a directory of lower precedence (systemd units, modprobe.d, modules-load.d), and
    ``.NAME.*.xsanconf`` is the temporary file of a write that was interrupted."""
    if entry.name.startswith(".") and entry.name.endswith(".xsanconf"):
        return True
    try:
        return entry.is_symlink() and os.readlink(entry.path) == "/dev/null"
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str], reader: _HostReader, rel: str) -> bool:
    """Whether the entry is a directory to the host (a link is followed inside its root)."""
    try:
        if entry.is_symlink():
            return os.path.isdir(reader.real(rel))
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _config_dirs_outside_etc() -> tuple[str, ...]:
    from xsanconf.formats import entries

    return tuple(d for e in entries() for d in e.outside_etc)


# Directories outside etc that daemons read as documents (kmod's modprobe.d, systemd's
# modules-load.d: the registry's ``outside_etc``), highest precedence first.
_CONFIG_DIRS_OUTSIDE_ETC = _config_dirs_outside_etc()


@functools.cache
def _separate_kinds() -> frozenset[str]:
    """The kinds whose files are each read on their own, never merged into one configuration
    (the registry's ``separate``)."""
    from xsanconf.formats import entries

    return frozenset(e.kind for e in entries() if e.separate)


# Directories outside etc with files rules read for context (boot_order.UNIT_DIRS, the
# multipath bindings of old releases); more specific paths first, as above.
_CONTEXT_DIRS_OUTSIDE_ETC = (
    "run/systemd/system",
    "usr/local/lib/systemd/system",
    "usr/lib/systemd/system",
    "lib/systemd/system",
    "var/lib/multipath",
)

# Where a host's Pacemaker CIB is, first found first: the file the cib daemon writes, a capture
# of the live CIB (``cibadmin -Q > cib.xml`` or ``pcs cluster cib cib.xml`` beside etc/), and
# what crm_report writes for a node in an unpacked sosreport (the node's own directory first).
CIB_FILES = (
    "var/lib/pacemaker/cib/cib.xml",
    "var/lib/heartbeat/crm/cib.xml",  # Pacemaker 1.0 / heartbeat
    "cib.xml",
    "sos_commands/pacemaker/crm_report/*/cib.xml",
)

# The captured CIBs of CIB_FILES, as regular expressions over the path below the host root.
CIB_CAPTURES = (r"cib\.xml", r"sos_commands/pacemaker/crm_report/[^/]+/cib\.xml")

# open-iscsi's node database where Red Hat keeps it (Debian's is etc/iscsi): read whole, after
# etc, as the documents of xsanconf.formats.iscsi_node (xsanconf.domain.iscsi_db).
_RECORD_DIRS_OUTSIDE_ETC = ("var/lib/iscsi",)

# Files outside etc that rules read for context: the kernel command line (boot_cmdline)
# and Pacemaker's CIB where the cib daemon keeps it (CLU rules; see CIB_FILES).
_CONTEXT_FILES_OUTSIDE_ETC = (
    "boot/grub/grub.cfg",
    "boot/grub2/grub.cfg",
    "boot/grub/menu.lst",
    "boot/grub/grub.conf",
    "proc/cmdline",
    "var/lib/pacemaker/cib/cib.xml",
    "var/lib/heartbeat/crm/cib.xml",
)

# Names that are files, never directories, wherever a codec reads them.
_FILE_SUFFIXES = (".conf", ".res", ".iscsi", ".allow", ".deny")


def _names_a_file(rel: str, kind: str | None) -> bool:
    """Whether a directory at ``rel`` stands where a daemon expects a file."""
    if kind is None:
        return False
    name = posixpath.basename(rel)
    return name.endswith(_FILE_SUFFIXES) or name in ("modules",)


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
