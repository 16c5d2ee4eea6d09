"""A whole host's configuration, read as ``xsanlint`` reads it.

A file on its own rarely tells the story: Debian's ``/etc/drbd.conf`` holds only
``include "drbd.d/*.res";``.  :func:`load_host` reads every file of a host that a codec knows,
follows DRBD's includes in drbdadm's order, and resolves paths inside the host root, with the
linter's own loader (:mod:`xsanconf.lint.site`), so the library and ``xsanlint`` agree.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xsanconf.lint.site import Host

__all__ = ["load_host"]


def load_host(root: str | os.PathLike[str]) -> Host:
    """Every configuration file of the host whose root is ``root``.

    ``root`` is a host's root directory (``/``, or a copy holding ``etc/``) or its ``etc``.
    ``host.files`` lists the files (each with its ``doc``); ``host.drbd_resource(name)`` finds
    a resource wherever drbd.conf's includes put it; ``host.problems`` lists the files that
    could not be read and the includes that do not resolve.  A file that does not parse is
    still there, with its ``doc.problems``.  Nothing is written.

    Raises ``ValueError`` when ``root`` is not a directory, names no host, or holds several
    (a site: use ``xsanconf.lint.site.Site.load``).
    """
    from xsanconf.lint.site import Site

    if not os.path.isdir(root):
        raise ValueError(f"{os.fspath(root)}: not a directory")
    site = Site.load([root])
    if len(site.hosts) != 1:
        names = ", ".join(h.name for h in site.hosts)
        raise ValueError(
            f"{os.fspath(root)}: holds {len(site.hosts)} hosts ({names}), not one; "
            "load a site with xsanconf.lint.site.Site.load"
        )
    host = site.hosts[0]
    host.problems = list(site.problems)
    return host
