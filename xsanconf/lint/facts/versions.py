"""Which software versions each host runs, and on what evidence: one value per host.

A rule that depends on a version asks :func:`host_versions` for the host's
:class:`HostVersions`; it is built once per host (and settings), on first use, from the
strongest evidence at hand:

1. the user's settings: ``--target san1:drbd=8.4`` / ``[tool.xsanlint.hosts.san1.versions]``
   for one host, ``--target drbd=8.4`` / ``[tool.xsanlint.versions]`` for all;
2. captured state in the host root (:mod:`xsanconf.lint.facts.captures`: a copied root, a
   sosreport, a supportconfig, plain captures): ``/proc/drbd`` (``version: 8.4.11``), a saved
   ``modinfo drbd``; for multipath-tools the version line of a verbose ``multipath`` capture;
3. the host's package database: ``var/lib/dpkg/status`` (only the stanzas of the packages
   asked about are read: one regular-expression pass over the file), or the rpm database
   ``var/lib/rpm/rpmdb.sqlite``;
4. kernel modules on disk: an out-of-tree ``drbd.ko`` under ``lib/modules/*/updates`` or
   ``extra`` is DRBD 9 (or 8.4 where it sits in a ``drbd84`` folder, as ELRepo's
   ``kmod-drbd84`` installs it); otherwise the kernel's own module: Linux 2.6.33 to 3.7 carry
   DRBD 8.3, 3.8 and later 8.4 (drbd.org's table of in-tree versions: 3.8 has 8.4.2);
5. the configuration's own syntax, weakest: a keyword that drbdadm 9 reads where it stands
   and 8.4 refuses (``node-id``, ``connection-mesh``, ``fencing`` in ``net``), found with the
   same keyword tables as SYN002.  (Old spellings such as ``syncer`` are no such evidence:
   later versions still read many of them, and they outlive upgrades.)

Each step narrows the candidates left by the stronger ones and never empties them: evidence
that contradicts stronger evidence is kept in the record (and DRBD011 reports the syntax
case) but changes nothing.  The DRBD *syntax* drbdadm accepts is the kernel module's: the
utilities from 8.9 on carry an 8.4 (and, until 9.28, an 8.3) parser and pick one by the
loaded module's version, so drbd-utils 8.9.10 alone leaves 8.3, 8.4 and 9 open, while
drbd8-utils 8.3.7 speaks 8.3 only.

This machine's ``/proc`` is never read: a live root's ``proc/drbd`` is a kernel pseudo-file.
"""

from __future__ import annotations

import functools
import os
import re
import weakref
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from xsanconf.domain.version import Version, parse_version

if TYPE_CHECKING:
    from xsanconf.lint.site import Host

__all__ = [
    "COMPONENTS",
    "DRBD_SERIES",
    "Assumed",
    "Evidence",
    "HostVersions",
    "host_versions",
    "series_of",
]

DRBD_SERIES = ("8.3", "8.4", "9")
# component -> what it is called in the output; ``drbd`` is the kernel module (the syntax
# drbdadm accepts), the others the user-space packages
COMPONENTS: dict[str, str] = {
    "drbd": "DRBD kernel module",
    "drbd-utils": "drbd-utils",
    "multipath": "multipath-tools",
    "open-iscsi": "open-iscsi",
    "kmod": "kmod",
    "iet": "iSCSI Enterprise Target",
    "lio": "LIO kernel target",
    "tgt": "tgt",
    "scst": "SCST",
    "xen": "Xen toolstack",
}
# Package names per component, Debian and RPM spellings alike.
_PACKAGES: dict[str, tuple[str, ...]] = {
    "drbd-utils": ("drbd-utils", "drbd8-utils", "drbd84-utils", "drbd83-utils", "drbd90-utils"),
    "multipath": ("multipath-tools", "device-mapper-multipath"),
    "open-iscsi": ("open-iscsi",),
    "kmod": ("kmod",),
    "iet": ("iscsitarget",),
    "tgt": ("tgt", "scsi-target-utils"),
    # SCST's core modules (its own RPMs, Ubuntu's DKMS package), then its admin tool
    "scst": ("scst", "scst-dkms", "scstadmin"),
    "xen": ("xen", "xen-utils-common"),
}
# LIO is the kernel's own target (target_core_mod, Linux 2.6.38 and later): its version is
# the kernel's, asked of hosts that run it (a saveconfig.json, or targetcli and rtslib).
_LIO_TOOLS = ("targetcli-fb", "targetcli", "python3-rtslib-fb", "python-rtslib")
_KERNEL_RPMS = ("kernel", "kernel-core", "kernel-default")
# Kernel module packages that fix the DRBD series outright.
_MODULE_PACKAGES: dict[str, str] = {
    "drbd-dkms": "9",
    "kmod-drbd90": "9",
    "kmod-drbd9x": "9",
    "kmod-drbd84": "8.4",
    "kmod-drbd83": "8.3",
    "drbd8-module-source": "",  # the series is the version of the package
}


@functools.cache  # compiled on first use: many runs never need it
def _xen_utils() -> re.Pattern[str]:
    return re.compile(r"xen-utils-(\d+\.\d+)")


@functools.cache  # compiled on first use: many runs never need it
def _kernel_image() -> re.Pattern[str]:
    return re.compile(r"linux-image-(\d+\.\d+[^\s]*)")


_DPKG_LIMIT = 64 << 20  # a status file of every Debian package is about 80 MB; hosts have far less
_RPMDB_LIMIT = 512 << 20
_KO_LIMIT = 32 << 20


@attrs.frozen(repr=False)
class Evidence:
    """One fact about a version: where it was read, and what it says."""

    source: str  # setting, proc, modinfo, capture, dpkg, rpm, modules, config, default
    where: str  # a path inside the host root, a setting's origin
    says: str  # "drbd8-utils 2:8.3.7-2.1"

    def to_data(self) -> dict[str, str]:
        return {"source": self.source, "where": self.where, "says": self.says}


@attrs.frozen(repr=False)
class Assumed:
    """The versions a component of a host may have, and the evidence for them.

    ``versions`` lists candidates: DRBD series (``8.3``, ``8.4``, ``9``) for ``drbd``, one
    version for the other components when it is known; empty when nothing is known (rules
    then use their default).  ``ignored`` is evidence that contradicted stronger evidence.
    """

    component: str
    versions: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()
    ignored: tuple[Evidence, ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.versions)

    @property
    def from_host(self) -> tuple[Evidence, ...]:
        """The evidence read from the host besides its configuration: captured state, the
        package database, kernel modules (not a setting, the files' syntax or a default)."""
        return tuple(e for e in self.evidence if e.source not in ("setting", "config", "default"))

    def shown(self) -> str:
        if not self.versions:
            return "unknown"
        return " or ".join(self.versions)

    def to_data(self) -> dict[str, object]:
        return {
            "versions": list(self.versions),
            "evidence": [e.to_data() for e in self.evidence],
            "ignored": [e.to_data() for e in self.ignored],
        }


@attrs.frozen(repr=False)
class HostVersions:
    """Every component of one host."""

    host: str
    components: Mapping[str, Assumed]

    @property
    def drbd(self) -> tuple[str, ...]:
        """The DRBD series drbdadm on this host may parse with, oldest first."""
        return self.components["drbd"].versions

    def version(self, component: str) -> str | None:
        """The one version of ``component`` when it is known, else None."""
        versions = self.components[component].versions
        return versions[0] if len(versions) == 1 else None

    def to_data(self) -> dict[str, object]:
        return {name: assumed.to_data() for name, assumed in self.components.items()}


def series_of(version: Version) -> str:
    """The DRBD series of a module version: ``8.4.11`` -> ``8.4``, ``9.2.4`` -> ``9``."""
    return "9" if version.release[0] >= 9 else version.series(2)


# Building -----------------------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Host, dict[tuple[tuple[str, str], ...], HostVersions]] = (
    weakref.WeakKeyDictionary()
)


def host_versions(
    host: Host,
    site_targets: Mapping[str, str] | None = None,
    host_targets: Mapping[str, str] | None = None,
) -> HostVersions:
    """``host``'s versions under these settings (``--target``), built on first use."""
    settings = {**(site_targets or {}), **(host_targets or {})}
    key = tuple(sorted(settings.items()))
    per_settings = _CACHE.setdefault(host, {})
    found = per_settings.get(key)
    if found is None:
        found = per_settings[key] = _build(host, site_targets or {}, host_targets or {})
    return found


def _build(host: Host, site: Mapping[str, str], own: Mapping[str, str]) -> HostVersions:
    packages = _Packages(host)
    components: dict[str, Assumed] = {}
    for component in COMPONENTS:
        setting = _setting(component, site, own, host.name)
        if setting is not None:
            components[component] = setting
        elif component == "drbd":
            components[component] = _drbd(host, packages)
        elif component == "lio":
            components[component] = _lio(host, packages)
        else:
            components[component] = _package_version(component, packages, host)
    return HostVersions(host.name, components)


def _setting(
    component: str, site: Mapping[str, str], own: Mapping[str, str], name: str
) -> Assumed | None:
    for settings, where in ((own, f"the setting for host {name}"), (site, "the site setting")):
        value = settings.get(component)
        if value is not None:
            says = f"{component} = {value}"
            return Assumed(component, (value,), (Evidence("setting", where, says),))
    return None


def _package_version(component: str, packages: _Packages, host: Host) -> Assumed:
    if component == "multipath":
        from xsanconf.lint.facts.captures import multipath_version

        captured = multipath_version(host)
        if captured is not None:
            text, capture = captured
            says = f"multipath-tools v{text}"
            return Assumed(component, (text,), (Evidence("capture", capture.rel, says),))
    for name in _PACKAGES.get(component, ()):
        found = packages.get(name)
        if found is not None:
            version, evidence = found
            return Assumed(component, (str(version),), (evidence,))
    if component == "xen":
        for _, (version, evidence) in packages.matching(_xen_utils()):
            return Assumed(component, (str(version),), (evidence,))
    return Assumed(component, ())


def _lio(host: Host, packages: _Packages) -> Assumed:
    """The kernel LIO runs in, on a host with a LIO configuration or targetcli: the kernels in
    ``lib/modules``, else the kernel packages; targetcli's package is evidence beside them."""
    tools = [found[1] for name in _LIO_TOOLS if (found := packages.get(name)) is not None]
    if not tools and not host.documents("lio"):
        return Assumed("lio", ())
    evidence: list[Evidence] = []
    modules = _inside(host, "lib/modules")
    try:
        listed = sorted(os.listdir(modules)) if modules is not None else []
    except OSError:
        listed = []
    kernels = [k for k in listed[:64] if re.match(r"\d+\.\d+", k)]
    if kernels:
        evidence.append(Evidence("modules", "lib/modules", ", ".join(kernels)))
    else:
        for name, (_, said) in packages.matching(_kernel_image()):
            image = _kernel_image().match(name)
            assert image is not None
            kernels.append(image.group(1))
            evidence.append(said)
        for name in _KERNEL_RPMS:
            rpm = packages.get(name)
            if rpm is not None:
                kernels.append(str(rpm[0]))
                evidence.append(rpm[1])
    return Assumed("lio", tuple(dict.fromkeys(kernels)), (*evidence, *tools))


# DRBD: the kernel module's series -----------------------------------------------------------


def _drbd(host: Host, packages: _Packages) -> Assumed:
    candidates = set(DRBD_SERIES)
    kept: list[Evidence] = []
    ignored: list[Evidence] = []
    for allowed, evidence in _drbd_evidence(host, packages):
        narrowed = candidates & allowed
        if narrowed:
            candidates = narrowed
            kept.append(evidence)
        else:
            ignored.append(evidence)
    if not kept:
        # Nothing on the host says: today's drbd-utils (9.28 and later) parse 8.4 and 9 only
        candidates = set(_NO_EVIDENCE)
        says = "no evidence on the host: drbd-utils 9.28 and later read DRBD 8.4 and 9"
        kept.append(Evidence("default", "", says))
    versions = tuple(v for v in DRBD_SERIES if v in candidates)
    return Assumed("drbd", versions, tuple(kept), tuple(ignored))


_NO_EVIDENCE = ("8.4", "9")


def _drbd_evidence(host: Host, packages: _Packages) -> Iterator[tuple[set[str], Evidence]]:
    """(series it allows, evidence), strongest first; each source read only when reached."""
    yield from _captured(host)
    yield from _drbd_packages(packages)
    yield from _kernel_modules(host, packages)
    yield from _config_syntax(host)


def _captured(host: Host) -> Iterator[tuple[set[str], Evidence]]:
    """The module version captured state shows: ``/proc/drbd``'s ``version:`` line, else the
    ``version:`` of a saved ``modinfo drbd`` (files: :mod:`xsanconf.lint.facts.captures`)."""
    from xsanconf.lint.facts.captures import captures

    found = captures(host)
    proc = found.proc_drbd()
    if proc is not None and proc.parsed.version is not None:
        version = parse_version(proc.parsed.version)
        if version is not None:
            where = f"{proc.rel}:{proc.first_line + (proc.parsed.version_line or 1) - 1}"
            yield {series_of(version)}, Evidence("proc", where, f"version: {version.text}")
    modinfo = found.modinfo_drbd()
    if modinfo is not None and modinfo.parsed.version is not None:
        version = parse_version(modinfo.parsed.version)
        if version is not None:
            line = modinfo.first_line + modinfo.parsed.line_of("version") - 1
            says = f"version: {version.text}"
            yield {series_of(version)}, Evidence("modinfo", f"{modinfo.rel}:{line}", says)


def _drbd_packages(packages: _Packages) -> Iterator[tuple[set[str], Evidence]]:
    for name, series in _MODULE_PACKAGES.items():
        found = packages.get(name)
        if found is None:
            continue
        version, evidence = found
        yield {series or series_of(version)}, evidence
    for name in _PACKAGES["drbd-utils"]:
        found = packages.get(name)
        if found is None:
            continue
        version, evidence = found
        yield _utils_speak(version), evidence
        return


def _utils_speak(version: Version) -> set[str]:
    """The kernel series drbdadm of these utilities can drive."""
    if version < (8, 4):
        return {"8.3"}
    if version < (8, 9):
        return {"8.4"}  # drbd8-utils 8.4.x: one parser, the 8.4 one
    if version < (9, 28):
        return {"8.3", "8.4", "9"}
    return {"8.4", "9"}  # drbd-utils 9.28 dropped the 8.3 back-end


def _kernel_modules(host: Host, packages: _Packages) -> Iterator[tuple[set[str], Evidence]]:
    modules = _inside(host, "lib/modules")
    kernels: list[str] = []
    if modules is not None:
        try:
            kernels = sorted(os.listdir(modules))
        except OSError:
            kernels = []
    allowed: set[str] = set()
    said: list[tuple[str, str]] = []
    for kernel in kernels[:64]:  # a host keeps a handful; a bound keeps a strange tree cheap
        found = _module_series(host, kernel)
        if found is not None:
            allowed |= found[0]
            said.append(found[1:])
    if len(said) == 1:
        yield allowed, Evidence("modules", *said[0])
        return
    if said:
        listed = "; ".join(f"{rel}: {what}" for rel, what in said)
        yield allowed, Evidence("modules", "lib/modules", listed)
        return
    said_packages: list[str] = []
    # no modules copied: the installed kernel packages say which in-tree module they ship
    for name, (_, evidence) in packages.matching(_kernel_image()):
        image = _kernel_image().match(name)
        assert image is not None
        series = _in_tree(image.group(1))
        if series:
            allowed |= series
            said_packages.append(f"{evidence.says} (in-tree DRBD {' or '.join(sorted(series))})")
    if allowed:
        yield allowed, Evidence(packages.source, packages.where, "; ".join(said_packages))


def _module_series(host: Host, kernel: str) -> tuple[set[str], str, str] | None:
    """(series, the module's path, what it is) for the DRBD module of ``kernel``."""
    for folder in ("updates", "extra"):
        for path in _find_modules(host, f"lib/modules/{kernel}/{folder}"):
            rel = path
            data = _read(host, rel, _KO_LIMIT)
            version = _modinfo_version(data) if data is not None else None
            if version is not None:
                return {series_of(version)}, rel, f"out-of-tree drbd {version.text}"
            series = "8.4" if "/drbd84/" in rel else "9"
            return {series}, rel, f"out-of-tree module (DRBD {series})"
    for name in ("drbd.ko", "drbd.ko.xz", "drbd.ko.zst", "drbd.ko.gz"):
        rel = f"lib/modules/{kernel}/kernel/drivers/block/drbd/{name}"
        if _inside(host, rel) is not None:
            shipped = _in_tree(kernel)
            if shipped:
                return shipped, rel, f"in-tree module of Linux {kernel}"
    return None


def _find_modules(host: Host, rel: str) -> Iterator[str]:
    top = _inside(host, rel)
    if top is None:
        return
    for directory, folders, files in os.walk(top):
        folders[:] = sorted(folders)[:256]
        for name in sorted(files):
            if name.split(".ko", 1)[0] == "drbd" and ".ko" in name:
                yield os.path.relpath(os.path.join(directory, name), host.root).replace(os.sep, "/")


def _modinfo_version(data: bytes) -> Version | None:
    found = re.search(rb"\0version=([0-9][^\0]{0,40})\0", data)
    return parse_version(found.group(1).decode("ascii", "replace")) if found else None


def _in_tree(kernel: str) -> set[str]:
    """The DRBD series the kernel ``kernel`` (``4.9.0-3-amd64``) ships in its tree."""
    version = parse_version(kernel)
    if version is None or version < (2, 6, 33):
        return set()
    if version < (3, 8):
        return {"8.3"}
    if version < (7, 2):
        return {"8.4"}
    return {"8.4", "9"}  # LINBIT works to replace the in-tree 8.4.11 with 9 from about Linux 7.2


def _config_syntax(host: Host) -> Iterator[tuple[set[str], Evidence]]:
    """A keyword drbdadm 9 reads where it stands and 8.3 and 8.4 refuse (``node-id``,
    ``connection-mesh``, ``fencing`` in ``net``): the files were written for DRBD 9."""
    from xsanconf.lint.facts.drbd import refused

    for file in host.documents("drbd"):
        if not file.doc.parsed:
            continue
        config = file.doc.model
        nine = {(word, context) for _, word, _, context, _ in refused(config, "9")}
        # what 8.4 refuses and 9 reads: 8.3 (whose tables are 8.4's, less) refuses it too
        older = {(word, context): item for item, word, _, context, _ in refused(config, "8.4")}
        only_nine = [key for key in older if key not in nine]
        if only_nine:
            word, context = min(only_nine, key=lambda key: file.location(older[key]).line)
            line = file.location(older[(word, context)]).line
            where = "at top level" if context == "top" else f"in '{context}'"
            says = f"'{word}' {where} (only DRBD 9 reads it there)"
            yield {"9"}, Evidence("config", f"{file.rel}:{line}", says)
            return


# Package databases --------------------------------------------------------------------------


class _Packages:
    """The host's installed packages, read on first question, only for the names asked."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._found: dict[str, tuple[Version, Evidence]] | None = None
        self.source = "dpkg"
        self.where = "var/lib/dpkg/status"

    def get(self, name: str) -> tuple[Version, Evidence] | None:
        return self._all().get(name)

    def matching(self, pattern: re.Pattern[str]) -> Iterator[tuple[str, tuple[Version, Evidence]]]:
        for name, found in sorted(self._all().items()):
            if pattern.match(name):
                yield name, found

    def _all(self) -> dict[str, tuple[Version, Evidence]]:
        if self._found is None:
            found = self._dpkg()
            if found is None:
                self.source, self.where = "rpm", "var/lib/rpm/rpmdb.sqlite"
                found = self._rpm()
            self._found = found or {}  # no database: asked once, never again
        return self._found

    def _dpkg(self) -> dict[str, tuple[Version, Evidence]] | None:
        data = _read(self._host, self.where, _DPKG_LIMIT)
        if data is None:
            return None
        return {
            name: (version, Evidence("dpkg", self.where, f"{name} {text}"))
            for name, text, version in dpkg_installed(data)
        }

    def _rpm(self) -> dict[str, tuple[Version, Evidence]] | None:
        path = _inside(self._host, self.where)
        if path is None or _too_big(path, _RPMDB_LIMIT):
            return None
        from xsanconf.lint.facts.rpmdb import installed  # its reader only where there is one

        found: dict[str, tuple[Version, Evidence]] = {}
        for name, text in installed(path, _wanted_rpm):
            version = parse_version(text)
            if version is not None:
                found[name] = (version, Evidence("rpm", self.where, f"{name} {text}"))
        return found


_NAMES = frozenset(
    [n for names in _PACKAGES.values() for n in names]
    + [*_MODULE_PACKAGES, *_LIO_TOOLS, *_KERNEL_RPMS]
)
_NAME_PATTERN = (
    "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True))
    + r"|xen-utils-\d[^\s]*|linux-image-\d[^\s]*"
)


@functools.cache  # compiled on first use: many runs never need it
def _stanza() -> re.Pattern[bytes]:
    return re.compile(rb"^Package: (" + _NAME_PATTERN.encode() + rb")\n", re.MULTILINE)


@functools.cache  # compiled on first use: many runs never need it
def _field() -> re.Pattern[bytes]:
    return re.compile(rb"^(Status|Version): *(.*)$", re.MULTILINE)


def _wanted_rpm(name: str) -> bool:
    return name in _NAMES or name.startswith("xen")


def dpkg_installed(data: bytes) -> Iterator[tuple[str, str, Version]]:
    """(package, version text, version) for the installed packages xsanlint asks about.

    One pass of a regular expression finds their stanzas; the rest of the file is never split.
    """
    for found in _stanza().finditer(data):
        end = data.find(b"\n\n", found.end())
        stanza = data[found.end() : end if end >= 0 else len(data)]
        fields = {m.group(1): m.group(2).strip() for m in _field().finditer(stanza)}
        status = fields.get(b"Status", b"").split()
        if status[-1:] != [b"installed"]:
            continue  # removed, config-files only, half-installed: nothing runs
        text = fields.get(b"Version", b"").decode("utf-8", "replace")
        version = parse_version(text)
        if version is not None:
            yield found.group(1).decode("ascii", "replace"), text, version


# Reading inside a host root -------------------------------------------------------------------


def _inside(host: Host, rel: str) -> str | None:
    """``rel`` on the linting machine, resolved as the host resolves it; None when it does not
    exist, leaves the root or lands on this machine's /proc, /sys or /dev."""
    from xsanconf.lint.site import _on_kernel_fs, resolve_in_root

    resolved, trouble = resolve_in_root(host.root, "/" + rel)
    if trouble is not None:
        return None
    path = os.path.join(host.root, resolved)
    if _on_kernel_fs(os.path.realpath(path)) or not os.path.lexists(path):
        return None
    return path


def _too_big(path: str, limit: int) -> bool:
    try:
        return os.stat(path).st_size > limit
    except OSError:
        return True


def _read(host: Host, rel: str, limit: int) -> bytes | None:
    """The bytes of a regular file of the host, at most ``limit``; None otherwise."""
    path = _inside(host, rel)
    if path is None:
        return None
    from xsanconf.limits import read_regular_bytes

    return read_regular_bytes(path, limit)
