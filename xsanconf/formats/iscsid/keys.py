"""The iscsid.conf keys open-iscsi knows: type, allowed values, compiled-in default.

Facts from open-iscsi ``usr/idbm.c`` (``idbm_recinfo_node``, ``idbm_recinfo_discovery``,
``idbm_node_setup_defaults``, ``idbm_discovery_setup_defaults``), ``usr/idbm_fields.h`` and
``usr/iscsid.c``; see ``shared/reference/open-iscsi.md``.  Values are read as iscsid reads them:
integers with C ``strtoul`` (never an error), enumerations by exact, case-sensitive match (a value
that matches none is ignored and the earlier value kept), Yes/No options as enumerations.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from xsanconf.domain.numerals import read_int

__all__ = [
    "CHAP_ALGORITHMS",
    "KEYS",
    "KeySpec",
    "ValueType",
    "is_secret",
    "read_c_integer",
    "spec_for",
]

ValueType = Literal["int", "bool", "enum", "str", "list", "daemon"]

CHAP_ALGORITHMS = ("MD5", "SHA1", "SHA256", "SHA3-256")


@attrs.frozen
class KeySpec:
    """One known key.

    ``bits`` is the C field width of an integer (``-32`` for a signed ``int``, 8/16/32 for the
    unsigned ``iface`` fields).  ``identity`` keys (``can_modify = 0``) name a record and make no
    sense in iscsid.conf.  ``daemon`` keys are read by ``cfg_get_string_param``, not by idbm.
    """

    key: str
    type: ValueType
    default: object = None
    options: tuple[str, ...] = ()
    bits: int = -32
    identity: bool = False


def _int(key: str, default: int | None, bits: int = -32, identity: bool = False) -> KeySpec:
    return KeySpec(key, "int", default, bits=bits, identity=identity)


def _bool(key: str, default: bool) -> KeySpec:
    return KeySpec(key, "bool", default, options=("No", "Yes"))


def _enum(key: str, default: str, *options: str, identity: bool = False) -> KeySpec:
    return KeySpec(key, "enum", default, options=options, identity=identity)


def _str(key: str, identity: bool = False) -> KeySpec:
    return KeySpec(key, "str", "", identity=identity)


_DIGESTS = ("None", "CRC32C", "CRC32C,None", "None,CRC32C")
_STARTUP = ("manual", "automatic", "onboot")
_AUTH = ("None", "CHAP")
_CONN = "node.conn[0]"  # ISCSI_CONN_MAX is 1: there is no conn[1]

_NODE = [
    _str("node.name", identity=True),
    _int("node.tpgt", -1, identity=True),
    _enum("node.startup", "manual", *_STARTUP),
    _bool("node.leading_login", False),
    _str("node.discovery_address", identity=True),
    _int("node.discovery_port", 0, identity=True),
    _enum(
        "node.discovery_type",
        "static",
        "send_targets",
        "isns",
        "offload_send_targets",
        "static",
        "fw",
        identity=True,
    ),
    _int("node.session.initial_cmdsn", 0),
    _int("node.session.initial_login_retry_max", 4),
    _int("node.session.xmit_thread_priority", 0),
    _int("node.session.cmds_max", 128),
    _int("node.session.queue_depth", 32),
    _int("node.session.nr_sessions", 1),
    _enum("node.session.auth.authmethod", "None", *_AUTH),
    _str("node.session.auth.username"),
    _str("node.session.auth.password"),
    _int("node.session.auth.password_length", 0),
    _str("node.session.auth.username_in"),
    _str("node.session.auth.password_in"),
    _int("node.session.auth.password_in_length", 0),
    KeySpec("node.session.auth.chap_algs", "list", ("MD5",), options=CHAP_ALGORITHMS),
    _int("node.session.timeo.replacement_timeout", 120),
    _int("node.session.err_timeo.abort_timeout", 15),
    _int("node.session.err_timeo.lu_reset_timeout", 30),
    _int("node.session.err_timeo.tgt_reset_timeout", 30),
    _int("node.session.err_timeo.host_reset_timeout", 60),
    _bool("node.session.iscsi.FastAbort", True),
    _bool("node.session.iscsi.InitialR2T", False),
    _bool("node.session.iscsi.ImmediateData", True),
    _int("node.session.iscsi.FirstBurstLength", 262144),
    _int("node.session.iscsi.MaxBurstLength", 16776192),
    _int("node.session.iscsi.DefaultTime2Retain", 0),
    _int("node.session.iscsi.DefaultTime2Wait", 2),
    _int("node.session.iscsi.MaxConnections", 1),
    _int("node.session.iscsi.MaxOutstandingR2T", 1),
    _int("node.session.iscsi.ERL", 0),
    _enum("node.session.scan", "auto", "manual", "auto"),
    _int("node.session.reopen_max", 0),
    # open-iscsi 2.1.11 writes this name into every record; the next release renames it
    _int("node.session.conn_reopen_log_freq", 1),
    _int("node.session.sess_reopen_log_freq", 1),
    _str(f"{_CONN}.address", identity=True),
    _int(f"{_CONN}.port", 3260, identity=True),
    _enum(f"{_CONN}.startup", "manual", *_STARTUP),
    _int(f"{_CONN}.tcp.window_size", 524288),
    _int(f"{_CONN}.tcp.type_of_service", 0),
    _str(f"{_CONN}.tcp.congestion_control"),
    _int(f"{_CONN}.timeo.logout_timeout", 15),
    _int(f"{_CONN}.timeo.login_timeout", 30),
    _int(f"{_CONN}.timeo.auth_timeout", 45),
    _int(f"{_CONN}.timeo.noop_out_interval", 5),
    _int(f"{_CONN}.timeo.noop_out_timeout", 5),
    _int(f"{_CONN}.iscsi.MaxXmitDataSegmentLength", 0),
    _int(f"{_CONN}.iscsi.MaxRecvDataSegmentLength", 262144),
    _enum(f"{_CONN}.iscsi.HeaderDigest", "None", *_DIGESTS),
    _enum(f"{_CONN}.iscsi.DataDigest", "None", *_DIGESTS),
    _bool(f"{_CONN}.iscsi.IFMarker", False),
    _bool(f"{_CONN}.iscsi.OFMarker", False),
]

_DISCOVERY = [
    _enum("discovery.startup", "manual", "manual", "automatic"),
    _enum(
        "discovery.type",
        "sendtargets",
        "sendtargets",
        "isns",
        "offload_send_targets",
        "static",
        "fw",
        identity=True,
    ),
    _str("discovery.sendtargets.address", identity=True),
    _int("discovery.sendtargets.port", 3260, identity=True),
    _enum("discovery.sendtargets.auth.authmethod", "None", *_AUTH),
    _str("discovery.sendtargets.auth.username"),
    _str("discovery.sendtargets.auth.password"),
    _int("discovery.sendtargets.auth.password_length", 0),
    _str("discovery.sendtargets.auth.username_in"),
    _str("discovery.sendtargets.auth.password_in"),
    _int("discovery.sendtargets.auth.password_in_length", 0),
    _int("discovery.sendtargets.timeo.login_timeout", 15),
    _int("discovery.sendtargets.timeo.auth_timeout", 45),
    _int("discovery.sendtargets.timeo.active_timeout", 30),
    _int("discovery.sendtargets.reopen_max", 5),
    _bool("discovery.sendtargets.use_discoveryd", False),
    _int("discovery.sendtargets.discoveryd_poll_inval", 30),
    _int("discovery.sendtargets.iscsi.MaxRecvDataSegmentLength", 32768),
    _bool("discovery.isns.use_discoveryd", False),
    _int("discovery.isns.discoveryd_poll_inval", -1),
]

_IFACE_UNSIGNED = {
    "prefix_len": 8,
    "vlan_id": 16,
    "vlan_priority": 8,
    "mtu": 16,
    "port": 16,
    "tos": 8,
    "ttl": 8,
    "dup_addr_detect_cnt": 8,
    "flow_label": 32,
    "hop_limit": 8,
    "nd_reachable_tmo": 32,
    "nd_rexmit_time": 32,
    "nd_stale_tmo": 32,
    "router_adv_link_mtu": 32,
    "traffic_class": 8,
    "tcp_wsf": 8,
    "tcp_timer_scale": 8,
    "def_task_mgmt_timeout": 16,
    "erl": 8,
    "max_receive_data_len": 32,
    "first_burst_len": 32,
    "max_outstanding_r2t": 16,
    "max_burst_len": 32,
}
_IFACE_STRINGS = [
    "hwaddress",
    "iscsi_ifacename",
    "net_ifacename",
    "transport_name",
    "initiatorname",
    "bootproto",
    "ipaddress",
    "subnet_mask",
    "gateway",
    "primary_dns",
    "secondary_dns",
    "vlan_state",
    "ipv6_linklocal",
    "ipv6_router",
    "ipv6_autocfg",
    "linklocal_autocfg",
    "router_autocfg",
    "state",
    "delayed_ack",
    "tcp_nagle",
    "tcp_wsf_state",
    "tcp_timestamp",
    "dhcp_dns",
    "dhcp_slp_da",
    "tos_state",
    "gratuitous_arp",
    "dhcp_alt_client_id_state",
    "dhcp_alt_client_id",
    "dhcp_req_vendor_id_state",
    "dhcp_vendor_id_state",
    "dhcp_vendor_id",
    "dhcp_learn_iqn",
    "fragmentation",
    "incoming_forwarding",
    "gratuitous_neighbor_adv",
    "redirect",
    "ignore_icmp_echo_request",
    "mld",
    "header_digest",
    "data_digest",
    "immediate_data",
    "initial_r2t",
    "data_seq_inorder",
    "data_pdu_inorder",
    "chap_auth",
    "bidi_chap",
    "strict_login_compliance",
    "discovery_auth",
    "discovery_logout",
]
_IFACE = [
    *(_int(f"iface.{name}", None, bits=bits) for name, bits in _IFACE_UNSIGNED.items()),
    _int("iface.iface_num", None),
    *(_str(f"iface.{name}") for name in _IFACE_STRINGS),
]

# read by cfg_get_string_param: the first matching line wins (usr/iscsid.c, iscsid_req.c)
_DAEMON = [
    KeySpec("iscsid.startup", "daemon", None),
    KeySpec("iscsid.safe_logout", "daemon", False, options=("Yes",)),
    KeySpec("iscsid.ipc_auth_uid", "daemon", True, options=("No",)),
]

KEYS: dict[str, KeySpec] = {s.key: s for s in (*_NODE, *_DISCOVERY, *_IFACE, *_DAEMON)}

_PASSWORD = re.compile(r"password", re.I)


def spec_for(key: str) -> KeySpec | None:
    return KEYS.get(key)


def is_secret(key: str) -> bool:
    """Whether values of this key must never be shown (CHAP secrets, and look-alike typos)."""
    return _PASSWORD.search(key) is not None and not key.endswith("_length")


_C_INTEGER = re.compile(r"[ \t\n\r\v\f]*([+-]?)([0-9]*)")


def read_c_integer(value: str, bits: int = -32) -> int:
    """``strtoul(value, NULL, 10)`` stored in a C field of ``bits`` (negative: signed).

    No digits gives 0, trailing text is ignored (``15s`` is 15), ``-1`` wraps, overflow
    saturates at ``ULONG_MAX`` before the store truncates it.
    """
    m = _C_INTEGER.match(value)
    assert m is not None  # the pattern matches the empty string
    sign, digits = m.groups()
    number = read_int(digits) if digits else 0
    if number is None or number > 2**64 - 1:
        number = 2**64 - 1
    elif sign == "-":
        number = -number % 2**64
    width = abs(bits)
    stored: int = number % (1 << width)
    if bits < 0 and stored >= 1 << (width - 1):
        stored -= 1 << width
    return stored
