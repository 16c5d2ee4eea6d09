"""Small SAN sites for the stack index and identity rule tests: two heads, initiators, guests."""

from __future__ import annotations

from xsanconf.domain.wwid import iet_wwid

TARGET = "iqn.2024-01.org.example:r0"


def wwid(scsi_id: str) -> str:
    found = iet_wwid(scsi_id)
    assert found is not None
    return found.value


def drbd_conf(*resources: tuple[str, int]) -> str:
    """drbd.conf with two-node resources ``(name, minor)`` on san1 and san2."""
    out = []
    for name, minor in resources:
        port = 7788 + minor
        sections = "".join(
            f"  on {host} {{\n"
            f"    device    /dev/drbd{minor};\n"
            f"    disk      /dev/vg0/{name};\n"
            f"    address   10.0.0.{i}:{port};\n"
            "    meta-disk internal;\n"
            "  }\n"
            for i, host in ((1, "san1"), (2, "san2"))
        )
        out.append(f"resource {name} {{\n{sections}}}\n")
    return "".join(out)


def ietd_conf(*luns: str, target: str = TARGET) -> str:
    """An ietd.conf with one target and ``Lun`` lines (``"0 Path=..."``)."""
    return f"Target {target}\n" + "".join(f"\tLun {lun}\n" for lun in luns)


def head(*luns: str, drbd: str | None = None, rel: str = "etc/iet/ietd.conf") -> dict[str, str]:
    return {
        "etc/drbd.conf": drbd if drbd is not None else drbd_conf(("r0", 0)),
        rel: ietd_conf(*luns),
    }


def multipath_conf(*entries: tuple[str, str], body: str = "", entry_body: str = "") -> str:
    """multipath.conf with ``body`` first, then one entry per ``(wwid, alias)``."""
    maps = "".join(
        f"\tmultipath {{\n\t\twwid {w}\n\t\talias {a}\n{entry_body}\t}}\n" for w, a in entries
    )
    return f"{body}multipaths {{\n{maps}}}\n"
