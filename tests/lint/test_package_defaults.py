"""What distribution packages install lints clean: a new user's first `xsanlint /etc`."""

from __future__ import annotations

from tests.lint.conftest import REPO, Runner
from xsanconf.lint.site import Site

DEBIAN = REPO / "fixtures" / "hosts" / "debian-defaults"


def test_a_stock_debian_host_lints_clean(xsanlint: Runner) -> None:
    code, out, err = xsanlint(DEBIAN, "--fail-on", "info")
    assert (code, err) == (0, ""), out
    assert out.startswith("No problems found in ")


def test_the_stock_host_holds_what_it_claims() -> None:
    """The fixture keeps its point: drbd.conf's glob include matches nothing, and every
    package's files are read."""
    host = Site.load([DEBIAN]).hosts[0]
    assert host.name == "debian"
    assert 'include "drbd.d/*.res";' in (DEBIAN / "etc" / "drbd.conf").read_text()
    assert not list((DEBIAN / "etc" / "drbd.d").glob("*.res"))
    assert [f.rel for f in host.drbd_files()] == ["etc/drbd.conf", "etc/drbd.d/global_common.conf"]
    kinds = {f.rel: f.kind for f in host.files}
    assert kinds["etc/iscsi/iscsid.conf"] == "iscsid"
    assert kinds["etc/multipath/conf.d/drbd.conf"] == "multipath"
    assert kinds["etc/modules"] == "modules"
    assert kinds["lib/modprobe.d/aliases.conf"] == "modprobe"
    assert kinds["etc/init.d/drbd"] == "init-script"
