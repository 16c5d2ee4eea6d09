"""Where a host's captured state sits: an unpacked sosreport, a supportconfig directory, or
plain files of command output in the ``captures/`` folder of a host root.

* **sosreport** (sos 3.x and 4.x): a root holding ``sos_commands/``.  sos copies files to their
  own path below the root (``etc/``, ``proc/drbd``, ``proc/cmdline``), writes each command's
  output to ``sos_commands/<plugin>/<command>`` with the command line mangled into a name
  (``_mangle_command`` in sos/report/plugins/__init__.py: a leading ``/usr/sbin/`` and the
  like dropped, every run of characters other than letters, digits, ``_``, ``-``, ``.`` and
  ``/`` turned into one ``_``, ``/`` into ``.``), and puts the output of ``hostname`` at the
  root as ``hostname``.
* **supportconfig** (SUSE's supportutils): a directory of ``*.txt`` files, one per topic
  (``basic-environment.txt``, ``drbd.txt``, ``mpio.txt``, ``fs-iscsi.txt`` ...), each a run
  of sections that start with a marker line ``#==[ Command ]===...#`` (or ``Configuration
  File``, ``Log File``, ``System`` ...) followed by ``# /sbin/multipath -ll`` (the command or
  the file) and its output or content, up to the next marker.
* **plain captures**: ``<root>/captures/<name>.txt``, written by ``contrib/xsan-capture.sh``.

Only regular files inside the root are read, at most ``MAX_FILE_BYTES`` each; the running
machine's ``/proc`` is never read (:func:`xsanconf.lint.site.resolve_in_root` semantics are the
caller's: this module takes paths already inside a copied root).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Literal

import attrs

from xsanconf.limits import read_regular

__all__ = [
    "SOS_MARKER",
    "SUPPORTCONFIG_MARKER",
    "Layout",
    "Section",
    "layout_of",
    "sections",
    "sos_command_file",
    "sos_hostname",
    "supportconfig_hostname",
]

Layout = Literal["sosreport", "supportconfig", "root"]
SOS_MARKER = "sos_commands"
SUPPORTCONFIG_MARKER = "basic-environment.txt"


def layout_of(root: str | os.PathLike[str]) -> Layout:
    """What kind of host root ``root`` is."""
    if os.path.isdir(os.path.join(root, SOS_MARKER)):
        return "sosreport"
    if os.path.isfile(os.path.join(root, SUPPORTCONFIG_MARKER)):
        return "supportconfig"
    return "root"


def sos_command_file(command: str) -> str:
    """The name sos gives the output of ``command`` (``multipath -ll`` -> ``multipath_-ll``,
    ``iscsiadm -m node --op=show`` -> ``iscsiadm_-m_node_--op_show``)."""
    name = re.sub(r"^/(usr/|)(bin|sbin)/", "", command)
    name = re.sub(r"[^\w\-./]+", "_", name)
    return name.replace("/", ".").strip(" ._-")


def _first_word(text: str | None) -> str | None:
    for line in (text or "").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            return word.split()[0]
    return None


def sos_hostname(root: str | os.PathLike[str]) -> str | None:
    """The node name a sosreport recorded: the output of ``hostname`` (the node name drbdadm
    and Pacemaker compare), at the root or in the host plugin's folder."""
    for rel in ("hostname", "sos_commands/host/hostname", "sos_commands/general/hostname"):
        path = os.path.join(root, rel)
        real, real_root = os.path.realpath(path), os.path.realpath(root)
        if os.path.commonpath([real, real_root]) == real_root:  # a link out is not the host's
            name = _first_word(read_regular(path))
            if name is not None:
                # whole: a host whose kernel name is its FQDN is that name to drbdadm 8.4
                # (uname -n against its `on` sections) and to Pacemaker
                return name
    return None


@attrs.frozen
class Section:
    """One section of a supportconfig file: its kind (``Command``, ``Configuration File``),
    what it names (the command line or the file's path, as written) and its body."""

    kind: str
    title: str
    line: int  # of the body's first line, 1-based, in the whole file
    body: str


_MARKER = re.compile(r"^#==\[ (.+?) \]=*#\s*$")


def sections(text: str) -> Iterator[Section]:
    """The sections of a supportconfig file, in order.  A section ends at the next marker; the
    line after the marker (``# /sbin/drbdadm status``) names it."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        marker = _MARKER.match(lines[index])
        index += 1
        if marker is None:
            continue
        title = ""
        if index < len(lines) and lines[index].startswith("# "):
            title = lines[index][2:].strip()
            index += 1
        start = index
        while index < len(lines) and not _MARKER.match(lines[index]):
            index += 1
        body = "\n".join(lines[start:index]).rstrip("\n")
        yield Section(marker.group(1), title, start + 1, body + "\n" if body else "")


def supportconfig_hostname(root: str | os.PathLike[str]) -> str | None:
    """The node name in ``basic-environment.txt``: the second word of ``uname -a``."""
    text = read_regular(os.path.join(root, SUPPORTCONFIG_MARKER))
    if text is None:
        return None
    for section in sections(text):
        if section.kind == "Command" and re.search(r"(^|/)uname -a$", section.title):
            words = section.body.split()
            return words[1] if len(words) > 1 else None
    return None
