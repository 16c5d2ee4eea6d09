"""Valid documents of every kind, one strategy per kind name (``xsanconf.KINDS``)."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.testing.drbd import drbd_documents
from xsanconf.testing.iet_access import iet_access_documents
from xsanconf.testing.ietd import ietd_documents
from xsanconf.testing.init_script import init_scripts
from xsanconf.testing.initiatorname import initiatorname_documents
from xsanconf.testing.iscsid import iscsid_documents
from xsanconf.testing.lio import lio_documents
from xsanconf.testing.lvm import lvm_documents
from xsanconf.testing.modprobe import modprobe_documents
from xsanconf.testing.modules import modules_documents
from xsanconf.testing.multipath import multipath_documents
from xsanconf.testing.shell_vars import shell_vars_documents
from xsanconf.testing.systemd_unit import unit_files
from xsanconf.testing.tgt import tgt_documents
from xsanconf.testing.xen_domain import xen_configs, xen_programs
from xsanconf.testing.xend_config import xend_configs
from xsanconf.testing.xl_conf import xl_confs

__all__ = ["DOCUMENTS"]

DOCUMENTS: dict[str, st.SearchStrategy[str]] = {
    "drbd": drbd_documents(),
    "ietd": ietd_documents(),
    "lio": lio_documents(),
    "tgt": tgt_documents(),
    "iet-access": iet_access_documents(),
    "iscsid": iscsid_documents(),
    "initiatorname": initiatorname_documents(),
    "multipath": multipath_documents,
    "modprobe": modprobe_documents(),
    "modules": modules_documents(),
    "init-script": init_scripts(),
    "systemd-unit": unit_files(),
    "xend-config": xend_configs(),
    "xl-conf": xl_confs(),
    "xen-domain": st.one_of(xen_configs(), xen_programs()),
    "shell-vars": shell_vars_documents(),
    "lvm": lvm_documents(),
}
