"""Which keywords multipathd knows in which section (multipath-tools ``dict.c``, 0.9.x-0.14.x).

The grammar knows no keyword at all: a keyword's validity and its section nesting are decided
here, so that a misspelt or retired keyword still parses and the model can say where it sits.
"""

from __future__ import annotations

import attrs

__all__ = [
    "BRACELESS_SECTIONS",
    "DEPRECATED",
    "ROOT",
    "SectionSpec",
]


@attrs.frozen
class SectionSpec:
    """A section's keyword table: its plain options and its sub-sections."""

    name: str
    options: frozenset[str] = frozenset()
    subsections: dict[str, SectionSpec] = attrs.field(factory=dict)

    def knows(self, keyword: str) -> bool:
        return keyword in self.options or keyword in self.subsections


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Options valid in defaults, devices/device, overrides and multipaths/multipath alike.
_PATH_OPTIONS = _words(
    "path_grouping_policy path_selector prio prio_args failback rr_weight no_path_retry rr_min_io "
    "rr_min_io_rq pg_timeout flush_on_last_del features user_friendly_names deferred_remove "
    "delay_watch_checks delay_wait_checks san_path_err_threshold san_path_err_forget_rate "
    "san_path_err_recovery_time marginal_path_err_sample_time marginal_path_err_rate_threshold "
    "marginal_path_err_recheck_gap_time marginal_path_double_failed_time skip_kpartx "
    "purge_disconnected max_sectors_kb ghost_delay"
)
# Options shared by defaults, devices/device and overrides (not multipaths/multipath).
_HW_OPTIONS = _words(
    "uid_attribute getuid_callout path_checker checker alias_prefix fast_io_fail_tmo dev_loss_tmo "
    "eh_deadline retain_attached_hw_handler detect_prio detect_checker detect_pgpolicy "
    "detect_pgpolicy_use_tpg all_tg_pt recheck_wwid"
)

DEFAULTS = SectionSpec(
    "defaults",
    _PATH_OPTIONS
    | _HW_OPTIONS
    | _words(
        "verbosity polling_interval max_polling_interval reassign_maps multipath_dir uid_attrs "
        "max_fds queue_without_daemon checker_timeout allow_usb_devices mode uid gid max_retries "
        "bindings_file wwids_file prkeys_file log_checker_err reservation_key force_sync "
        "strict_timing partition_delimiter config_dir find_multipaths uxsock_timeout "
        "retrigger_tries retrigger_delay missing_uev_wait_timeout disable_changed_wwids "
        "remove_retries auto_resize find_multipaths_timeout enable_foreign marginal_pathgroups"
    ),
)

_BLACKLIST_DEVICE = SectionSpec("device", _words("vendor product"))
BLACKLIST = SectionSpec(
    "blacklist", _words("devnode wwid property protocol"), {"device": _BLACKLIST_DEVICE}
)
BLACKLIST_EXCEPTIONS = SectionSpec(
    "blacklist_exceptions", _words("devnode wwid property protocol"), {"device": _BLACKLIST_DEVICE}
)

DEVICE = SectionSpec(
    "device",
    _PATH_OPTIONS
    | _HW_OPTIONS
    | _words("vendor product revision product_blacklist hardware_handler vpd_vendor"),
)
DEVICES = SectionSpec("devices", subsections={"device": DEVICE})

PROTOCOL = SectionSpec("protocol", _words("type fast_io_fail_tmo dev_loss_tmo eh_deadline"))
OVERRIDES = SectionSpec(
    "overrides", (_PATH_OPTIONS - {"pg_timeout"}) | _HW_OPTIONS, {"protocol": PROTOCOL}
)

MULTIPATH = SectionSpec(
    "multipath",
    _PATH_OPTIONS | _words("wwid alias mode uid gid reservation_key"),
)
MULTIPATHS = SectionSpec("multipaths", subsections={"multipath": MULTIPATH})

ROOT = SectionSpec(
    "",
    subsections={
        "defaults": DEFAULTS,
        "blacklist": BLACKLIST,
        "blacklist_exceptions": BLACKLIST_EXCEPTIONS,
        "devices": DEVICES,
        "overrides": OVERRIDES,
        "multipaths": MULTIPATHS,
    },
)

# `is_sublevel_keyword()` in parser.c: these open their section even without a value on the
# line (so `multipath` with `{` on the next line still works, with an error logged); every
# other keyword, `overrides` and `protocol` included, is dropped when it has no value.
BRACELESS_SECTIONS = _words(
    "defaults blacklist blacklist_exceptions devices device multipaths multipath"
)

# Keywords multipathd still accepts but ignores (``deprecated_*_handler``), with the release
# from which they are ignored.
DEPRECATED: dict[str, str] = {
    "multipath_dir": "0.9.0",
    "config_dir": "0.9.0",
    "getuid_callout": "0.9.0",
    "pg_timeout": "0.9.0",
    "disable_changed_wwids": "0.9.6",
    "bindings_file": "0.9.7",
    "wwids_file": "0.9.7",
    "prkeys_file": "0.9.7",
}
