"""Host roots for the boot-order and Xen tests: files, and symbolic links made with os.symlink."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from xsanconf.lint.site import Host, Site

__all__ = ["DRBD_INIT", "IET_INIT", "host", "write_host"]

DRBD_INIT = """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          drbd
# Required-Start:    $local_fs $network $syslog
# Required-Stop:     $local_fs $network $syslog
# Should-Start:      sshd multipathd
# Should-Stop:       sshd multipathd
# X-Start-Before:    heartbeat corosync
# X-Stop-After:      heartbeat corosync
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
### END INIT INFO
exit 0
"""

IET_INIT = """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          iscsitarget
# Required-Start:    $remote_fs $syslog $network $time procps
# Required-Stop:     $remote_fs $syslog $network $time procps
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
### END INIT INFO
exit 0
"""


def write_host(
    root: Path,
    files: Mapping[str, str] = {},
    links: Mapping[str, str] = {},
    dirs: tuple[str, ...] = (),
) -> Path:
    """A host root: ``files`` by path inside it, ``links`` as ``path -> target`` symlinks."""
    (root / "etc").mkdir(parents=True, exist_ok=True)
    for rel in dirs:
        (root / rel).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for rel, target in links.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / rel)
    return root


def host(
    root: Path,
    files: Mapping[str, str] = {},
    links: Mapping[str, str] = {},
    dirs: tuple[str, ...] = (),
) -> Host:
    write_host(root, files, links, dirs)
    return Site.load([root]).hosts[0]
