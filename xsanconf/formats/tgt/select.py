"""Selectors over targets.conf, for ``xsanconf get/set/unset``.

* ``KEY`` -- a global option (``default-driver``, ``incomingdiscoveryuser``);
* ``target[NAME]`` -- a whole target (get: its name; unset: every block of it);
* ``target[NAME].KEY`` -- a target option; for list options (``initiator-address``,
  ``initiator-name``, ``incominguser``, ``backing-store``, ``direct-store``, ``mode_page``,
  ``params``) ``set`` adds a line unless the value is there, ``get`` prints every value;
* ``target[NAME].incominguser[USER]`` (also ``outgoinguser``) -- one account, whose value is
  its password; ``set ...incominguser "USER PASSWORD"`` changes that user's line or adds one;
* ``target[NAME].backing-store[PATH]`` (or ``direct-store``) -- one LUN (get: its path;
  unset: its line or blocks);
* ``target[NAME].backing-store[PATH].KEY`` -- an option of that LUN's ``<backing-store PATH>``
  block (``scsi_id``, ``lun``, ``write-cache``); the block is added when the target has no
  ``backing-store`` lines (tgt-admin refuses a target that mixes both forms).

Names compare case-sensitively, as tgt-admin compares them.  Setting something in a missing
target adds the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.tgt.model import MULTI_OPTIONS, STORE_KINDS, TgtConfig, TgtTarget, _Scope
from xsanconf.select import SelectorError

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value"]

_EXAMPLE = "e.g. target[iqn.2001-04.com.example:disk1].backing-store[/dev/drbd0].scsi_id"
_ACCOUNTS = ("incominguser", "outgoinguser", "incomingdiscoveryuser", "outgoingdiscoveryuser")


def _fail(selector: str, why: str) -> SelectorError:
    return SelectorError(f"selector {selector!r}: {why} ({_EXAMPLE})")


class _Path:
    """A target (or none: the file), a LUN of it, a key, an account's user."""

    def __init__(self, selector: str) -> None:
        steps = steps_of(selector)
        self.selector = selector
        self.target: str | None = None
        self.store: tuple[str, str] | None = None
        self.key: str | None = None
        self.user: str | None = None
        if steps[0].name == "target" and steps[0].filter is not None:
            self.target = steps[0].filter.strip()
            if not self.target:
                raise _fail(selector, "a target is named as target[NAME]")
            steps = steps[1:]
            if not steps:
                return
            if steps[0].name in STORE_KINDS and steps[0].filter is not None:
                self.store = (steps[0].name, steps[0].filter.strip())
                steps = steps[1:]
                if not steps:
                    return
        if len(steps) != 1:
            raise _fail(selector, "name an option, a target's option or a LUN's option")
        self.key = self._checked(steps[0].name)
        if steps[0].filter is not None:
            if self.key not in _ACCOUNTS:
                raise _fail(selector, "only account options take a [USER]")
            self.user = steps[0].filter.strip()

    def _checked(self, key: str) -> str:
        if not key or key.startswith("#") or any(c in key for c in " \t=<>"):
            raise _fail(self.selector, f"{key!r} is not an option name")
        return key

    def scope(self, doc: Document, create: bool) -> _Scope | None:
        config = TgtConfig(doc)
        if self.target is None:
            return config
        found = config.target(self.target)
        if found is None and create:
            found = config.add_target(self.target)
        if found is None or self.store is None:
            return found
        kind, path = self.store
        block = found.store_block(path, kind)
        if block is None and create:
            if any(s.value is not None for s in found.statements(kind)):
                raise ValueError(
                    f"target {self.target} defines its LUNs with '{kind}' lines: a "
                    f"<{kind} {path}> block beside them is refused by tgt-admin; set the "
                    "option for the whole target instead"
                )
            block = found.add_store_block(path, kind)
        return block


def get_value(doc: Document, selector: str) -> list[str]:
    path = _Path(selector)
    if path.key is None:
        return _whole(doc, path)
    scope = path.scope(doc, create=False)
    if scope is None:
        return []
    statements = scope.statements(path.key)
    if path.user is not None:
        return [s.password or "" for s in statements if s.user == path.user]
    return [s.value for s in statements if s.value is not None]


def _whole(doc: Document, path: _Path) -> list[str]:
    """A target's name, or a LUN's path, when it is defined."""
    target = TgtConfig(doc).target(path.target or "")
    if target is None:
        return []
    if path.store is None:
        return [target.name or ""]
    kind, wanted = path.store
    return [wanted] if any(s.kind == kind and s.path == wanted for s in target.stores()) else []


def set_value(doc: Document, selector: str, value: str) -> None:
    path = _Path(selector)
    check_one_line(value)
    if path.key is None:
        raise _fail(selector, "a target or LUN has no value of its own; name one of its options")
    scope = path.scope(doc, create=True)
    assert scope is not None
    if path.key in _ACCOUNTS:
        _set_account(scope, path, value)
    elif path.key in MULTI_OPTIONS:
        if value not in scope.values(path.key):
            scope.add(path.key, value)
    else:
        scope.set(path.key, value)


def _set_account(scope: _Scope, path: _Path, value: str) -> None:
    assert path.key is not None
    if path.user is not None:
        user, password = path.user, value
    else:
        words = value.split(" ")
        if len(words) != 2 or not all(words):
            raise ValueError(f"an account is 'USER PASSWORD', two words: {value!r}")
        user, password = words
    if not user or " " in password or not password:
        raise ValueError("an account's user and password are single words")
    same = [s for s in scope.statements(path.key) if s.user == user]
    if same:
        same[-1].set(f"{user} {password}")
    else:
        scope.add(path.key, f"{user} {password}")


def unset_value(doc: Document, selector: str) -> int:
    path = _Path(selector)
    if path.key is None:
        return _remove_whole(doc, path)
    scope = path.scope(doc, create=False)
    if scope is None:
        return 0
    if path.user is not None:
        found = [s for s in scope.statements(path.key) if s.user == path.user]
        for statement in found:
            statement.remove()
        return len(found)
    return scope.unset(path.key)


def _remove_whole(doc: Document, path: _Path) -> int:
    target = TgtConfig(doc).target(path.target or "")
    if target is None:
        return 0
    if path.store is None:
        for node in target.nodes:
            TgtTarget(doc, [node]).remove()
        return 1
    kind, wanted = path.store
    removed = 0
    for statement in target.statements(kind):
        if statement.value == wanted:
            statement.remove()
            removed += 1
    for block in target.blocks(kind):
        if block.name == wanted:
            block.remove()
            removed += 1
    return removed
