"""``xsanlint hosts SITE``: the versions assumed for each host, and the evidence for them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from xsanconf.lint.facts.versions import COMPONENTS, HostVersions, host_versions

if TYPE_CHECKING:
    from xsanconf.lint.site import Site

__all__ = ["assumed_versions", "render_hosts"]


def assumed_versions(
    site: Site,
    targets: Mapping[str, str],
    host_targets: Mapping[str, Mapping[str, str]],
) -> list[HostVersions]:
    return [host_versions(h, targets, host_targets.get(h.name)) for h in site.hosts]


def versions_data(found: list[HostVersions]) -> dict[str, Any]:
    return {hv.host: hv.to_data() for hv in found}


def render_hosts(found: list[HostVersions], fmt: str) -> str:
    """A table (``text``) or ``json`` of every host's components."""
    if fmt == "json":
        return json.dumps({"hosts": versions_data(found)}, indent=2) + "\n"
    rows = [("HOST", "COMPONENT", "VERSIONS", "EVIDENCE")]
    for hv in found:
        for component, assumed in hv.components.items():
            if not assumed.known and not assumed.evidence:
                continue
            evidence = "; ".join(
                f"{e.where}: {e.says}" if e.where else e.says for e in assumed.evidence
            )
            ignored = "; ".join(f"{e.where}: {e.says}" for e in assumed.ignored)
            if ignored:
                evidence += f" (contradicted, not used: {ignored})"
            rows.append((hv.host, COMPONENTS[component], assumed.shown(), evidence))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
