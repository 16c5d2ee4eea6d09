"""An example xsanlint plugin: two house rules of a site's multipath configuration.

HOUSE001 -- every multipath alias follows the site's naming scheme (``lun-<name>``, lower case),
so that guest configs and runbooks can be read at a glance.
HOUSE002 -- the effective ``defaults`` section sets ``no_path_retry`` explicitly: the house
decided how long I/O queues when every path is gone, and a host that leaves it to the compiled-in
default (which changed between multipath-tools releases) is out of policy.

Rules are written exactly as xsanconf's own: ``@rule`` declares the code, name, severity, scope
and the kinds of file the rule needs; the check gets the site and yields diagnostics.  Codes
begin with a prefix of the plugin's own (``HOUSE``), never one of xsanconf's families.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from xsanconf.lint.api import Diagnostic, RuleContext, Severity, Site, rule

ALIAS = re.compile(r"lun-[a-z0-9][a-z0-9-]*")


@rule("HOUSE001", "alias-naming", Severity.WARNING, scope="file", needs=("multipath",))
def alias_naming(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A multipath alias does not follow the house scheme `lun-<name>` (lower case).

    Bad:

        multipaths {
            multipath {
                wwid  3600140512345678901234567890abcd
                alias XenSan
            }
        }

    Good: `alias lun-xensan`.  No fix: renaming a map changes the device path guests open.
    """
    for file in site.files("multipath"):
        if not file.doc.parsed:
            continue  # a file that does not parse feeds no rule
        for entry in file.doc.model.multipaths:
            option = entry.option("alias")
            if option is None or option.value is None or ALIAS.fullmatch(option.value):
                continue
            message = f"alias {option.value!r} does not follow the house scheme lun-<name>"
            yield ctx.diagnostic(message, file.location(option.token))


@rule("HOUSE002", "no-path-retry-required", Severity.WARNING, scope="host", needs=("multipath",))
def no_path_retry_required(site: Site, ctx: RuleContext) -> Iterator[Diagnostic]:
    """The host's multipath `defaults` do not set `no_path_retry`, which the house requires.

    Good: `defaults { no_path_retry 12 }` in multipath.conf (or a conf.d file).
    """
    for host in site.hosts:
        files = host.documents("multipath")
        if not files:
            continue  # no multipath configuration, or one that does not parse: no facts
        if any(f.doc.model.defaults.option("no_path_retry") is not None for f in files):
            continue
        first = files[0]
        message = "the multipath defaults do not set no_path_retry (house policy)"
        yield ctx.diagnostic(message, first.location())
