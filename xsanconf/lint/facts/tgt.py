"""targets.conf facts for the SYN rules: what ``tgt-admin -e`` refuses, ignores or reads
otherwise (``scripts/tgt-admin`` of fujita/tgt 1.0.97, Perl Config::General underneath).

Refused -- tgt-admin stops (``exit 1``) before or while it configures the targets, so tgtd
is left with the targets made so far (SYN001):

* an option with no value inside a target or LUN block (``check_value``: "Option ... has a
  missing value!"), and an account (``incominguser`` ...) without a password;
* ``default-driver`` or ``control-port`` given twice ("Multiple ... definitions are not
  allowed!");
* an option tgt-admin takes once given twice in one LUN block, or at target level
  (``check_if_hash_array``), except ``mode_page`` and ``params``;
* one name both as an option and as a block in one scope: ``backing-store /dev/a`` beside
  ``<backing-store /dev/b>`` (Config::General: "Block <backing-store> already exists as
  scalar entry!", or tgt-admin: "Your config file is not supported");
* a ``<target>`` block without a name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.formats.tgt.model import LUN_OPTIONS
from xsanconf.lint.facts import Finding

if TYPE_CHECKING:
    from xsanconf.formats.tgt.model import TgtBlock, TgtConfig, TgtStatement, _Scope
    from xsanconf.lint.site import SiteFile

__all__ = ["invalid_values", "read_differently", "unknown_keywords"]

# options add_backing_direct reads with check_if_hash_array in a LUN block: all but two
_ONCE = tuple(k for k in LUN_OPTIONS if k not in ("mode_page", "params"))
# the target-level fallbacks add_backing_direct checks (write-cache, allow-in-use and
# block-size it reads without the check)
_TARGET_ONCE = tuple(k for k in _ONCE if k not in ("write-cache", "allow-in-use", "block-size"))
_ALL_ACCOUNTS = ("incominguser", "outgoinguser", "incomingdiscoveryuser", "outgoingdiscoveryuser")
_GLOBAL_ONCE = ("default-driver", "control-port")
_GLOBAL = frozenset(
    {
        "default-driver",
        "ignore-errors",
        "control-port",
        "iSNS",
        "iSNSServerIP",
        "iSNSServerPort",
        "iSNSAccessControl",
        "incomingdiscoveryuser",
        "outgoingdiscoveryuser",
    }
)
# process_options' iSCSI parameters and target-level options
_TARGET = frozenset(
    {
        "backing-store",
        "direct-store",
        "driver",
        "controller_tid",
        "initiator-address",
        "initiator-name",
        "incominguser",
        "outgoinguser",
        "MaxRecvDataSegmentLength",
        "MaxXmitDataSegmentLength",
        "HeaderDigest",
        "DataDigest",
        "InitialR2T",
        "MaxOutstandingR2T",
        "ImmediateData",
        "FirstBurstLength",
        "MaxBurstLength",
        "DataPDUInOrder",
        "DataSequenceInOrder",
        "ErrorRecoveryLevel",
        "IFMarker",
        "OFMarker",
        "DefaultTime2Wait",
        "DefaultTime2Retain",
        "OFMarkInt",
        "IFMarkInt",
        "MaxConnections",
        "state",
        "mode_page",
        "params",
        *_ONCE,
    }
)
_LUN = frozenset({*_ONCE, "mode_page", "params"})


def _config(file: SiteFile) -> TgtConfig:
    config: TgtConfig = file.doc.model
    return config


def _scopes(config: TgtConfig) -> Iterator[tuple[_Scope, str]]:
    """Every scope with what it is: the file, each target block, each LUN block."""
    yield config, "file"
    for target in config.blocks("target"):
        yield target, "target"
        for block in target.blocks():
            if block.block_type in ("backing-store", "direct-store"):
                yield block, "lun"


def invalid_values(file: SiteFile) -> Iterator[Finding]:
    """What tgt-admin refuses (see the module's docstring)."""
    config = _config(file)
    for key in _GLOBAL_ONCE:
        found = config.statements(key)
        for statement in found[1:]:
            yield Finding(
                f"'{key}' is given again: tgt-admin stops (\"Multiple {key} definitions are "
                'not allowed!") and configures no target',
                file.location(statement.token),
                (file.location(found[0].token, f"the first '{key}'"),),
            )
    for scope, what in _scopes(config):
        yield from _missing_values(file, scope, what)
        yield from _repeated(file, scope, what)
        yield from _option_and_block(file, scope)
    for target in config.blocks("target"):
        if target.name is None:
            yield Finding(
                "a <target> block without a name: tgt-admin takes its options for targets "
                "and stops; write <target IQN>",
                file.location(target.header),
            )


def _missing_values(file: SiteFile, scope: _Scope, what: str) -> Iterator[Finding]:
    for statement in scope.statements():
        value = statement.value
        if what != "file" and not value:
            yield Finding(
                f"'{statement.key}' has no value: tgt-admin stops (\"Option {statement.key} "
                'has a missing value!")',
                file.location(statement.token),
            )
        elif statement.key in _ALL_ACCOUNTS and value and statement.password is None:
            yield Finding(
                f"'{statement.key} {statement.user}' has no password: tgt-admin stops "
                '("has a missing value!"); write USER PASSWORD, one space between',
                file.location(statement.token),
            )


def _repeated(file: SiteFile, scope: _Scope, what: str) -> Iterator[Finding]:
    if what == "file":
        return
    if what == "target":
        # read for each LUN (add_backing_direct): a target without LUNs reads none of them
        stores = [s for s in scope.statements() if s.key in ("backing-store", "direct-store")]
        if not stores and not scope.blocks("backing-store") and not scope.blocks("direct-store"):
            return
    for key in _ONCE if what == "lun" else _TARGET_ONCE:
        found = scope.statements(key)
        for statement in found[1:]:
            yield Finding(
                f"'{key}' is given again in this {what}: tgt-admin stops (\"Multiple '{key}' "
                'definitions ... not allowed!")',
                file.location(statement.token),
                (file.location(found[0].token, f"the first '{key}'"),),
            )


def _option_and_block(file: SiteFile, scope: _Scope) -> Iterator[Finding]:
    options: dict[str, TgtStatement] = {}
    for statement in scope.statements():
        options.setdefault(statement.key, statement)
    blocks: dict[str, TgtBlock] = {}
    for block in scope.blocks():
        blocks.setdefault(block.block_type, block)
    for name, block in blocks.items():
        line = options.get(name)
        if line is not None:
            yield Finding(
                f"'{name}' is both a line and a <{name}> block here: Config::General or "
                'tgt-admin refuses the mix ("already exists as scalar entry", "config file '
                f'is not supported"); write every {name} in one form',
                file.location(block.header),
                (file.location(line.token, f"the '{name}' line"),),
            )


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Options and blocks tgt-admin never looks at: it skips them without a word."""
    for scope, what in _scopes(_config(file)):
        known = {"file": _GLOBAL, "target": _TARGET, "lun": _LUN}[what]
        for statement in scope.statements():
            if statement.key not in known:
                hint = _case_hint(statement.key, known)
                yield Finding(
                    f"unknown option '{statement.key}' {_where(what)}: tgt-admin ignores it{hint}",
                    file.location(statement.token),
                )
        for block in scope.blocks():
            expected = {"file": ("target",), "target": ("backing-store", "direct-store")}
            if block.block_type not in expected.get(what, ()):
                hint = _case_hint(block.block_type, frozenset(expected.get(what, ())))
                yield Finding(
                    f"block <{block.block_type}> {_where(what)}: tgt-admin ignores it{hint}",
                    file.location(block.header),
                )


def _where(what: str) -> str:
    return {"file": "outside a target", "target": "in a target", "lun": "in a LUN block"}[what]


def _case_hint(name: str, known: frozenset[str]) -> str:
    for candidate in known:
        if candidate.lower() == name.lower():
            return f" (names are case-sensitive: '{candidate}')"
    return ""


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """``write-cache`` other than on or off: tgt-admin warns and leaves the cache on."""
    for scope, what in _scopes(_config(file)):
        if what == "file":
            continue
        for statement in scope.statements("write-cache"):
            if statement.value not in (None, "on", "off"):
                yield Finding(
                    f"write-cache {statement.value!r} is neither on nor off: tgt-admin only "
                    "warns and the write cache stays on",
                    file.location(statement.token),
                )
