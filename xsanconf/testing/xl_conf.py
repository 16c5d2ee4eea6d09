"""Hypothesis strategies for /etc/xen/xl.conf (dotted keys, the guest-config value syntax)."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.testing.xen_domain import xen_configs

__all__ = ["xl_confs"]


def xl_confs() -> st.SearchStrategy[str]:
    return xen_configs(dotted=True)
