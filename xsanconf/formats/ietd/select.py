"""Selectors over ietd.conf, for ``xsanconf get/set/unset``.

* ``KEYWORD`` -- a global line (``iSNSServer``, ``IncomingUser``);
* ``target[NAME]`` -- a whole target (to read its name or remove it);
* ``target[NAME].KEYWORD`` -- a target's parameter (``MaxConnections``, ``Alias``);
* ``target[NAME].lun[N]`` -- a ``Lun`` line's whole parameter list;
* ``target[NAME].lun[N].KEY`` -- one ``Lun`` parameter (``ScsiId``, ``Path``, ``Type``);
* ``IncomingUser[USER]`` / ``OutgoingUser[USER]`` (globally or in a target) -- one account,
  whose value is its password.

Keywords, target names and Lun keys compare ignoring case, as ietd compares them.  Accounts are
keyed by user: ``set ...IncomingUser "USER PASSWORD"`` changes that user's line or adds one and
leaves the other users alone; ``unset ...IncomingUser`` removes every account of the scope.
Setting something in a missing target or Lun adds the target (or the ``Lun`` line) first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.domain.numerals import read_int
from xsanconf.formats._lines import check_one_line, steps_of
from xsanconf.formats.ietd.keywords import keyword_kind
from xsanconf.formats.ietd.lun import LunParams
from xsanconf.formats.ietd.model import (
    Direction,
    IetAccount,
    IetConfig,
    IetLun,
    IetTarget,
    _Scope,
)
from xsanconf.select import SelectorError, Step

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = ["get_value", "set_value", "unset_value"]

_EXAMPLE = "e.g. target[iqn.2001-04.com.example:xensan].lun[0].ScsiId"


def _fail(selector: str, why: str) -> SelectorError:
    return SelectorError(f"selector {selector!r}: {why} ({_EXAMPLE})")


class _Path:
    """What a selector names: a scope, and in it a keyword (with an account's user), a Lun
    number, or a Lun's parameter key."""

    def __init__(self, selector: str) -> None:
        steps = steps_of(selector)
        self.selector = selector
        self.target: str | None = None
        self.lun: int | None = None
        self.key: str | None = None
        self.user: str | None = None
        if steps[0].name.lower() == "target":
            self.target = self._target_name(steps[0])
            steps = steps[1:]
            if not steps:
                return  # the target itself
        if steps and steps[0].name.lower() == "lun" and self.target is not None:
            self.lun = self._lun_number(steps[0])
            steps = steps[1:]
            if len(steps) > 1 or (steps and steps[0].filter is not None):
                raise _fail(selector, "a Lun parameter is the last step")
            self.key = self._checked_key(steps[0].name) if steps else None
            return
        if len(steps) != 1:
            raise _fail(selector, "name a keyword, a target's keyword or a Lun")
        self.key = self._checked_key(steps[0].name)
        if steps[0].filter is not None:
            if keyword_kind(self.key) != "account":
                raise _fail(selector, "only IncomingUser and OutgoingUser take a [USER]")
            self.user = steps[0].filter.strip()

    def _checked_key(self, key: str) -> str:
        if key.startswith("#") or any(c in key for c in " \t=,"):
            raise _fail(self.selector, f"{key!r} is not a keyword")
        return key

    def _target_name(self, step: Step) -> str:
        if not step.filter or not step.filter.strip():
            raise _fail(self.selector, "a target is named as target[NAME]")
        return step.filter.strip()

    def _lun_number(self, step: Step) -> int:
        number = read_int(step.filter.strip()) if step.filter is not None else None
        if number is None:
            raise _fail(self.selector, "a Lun is named by its number, lun[N]")
        return number

    # finding (and making) what the path names

    def scope(self, doc: Document, create: bool) -> _Scope | None:
        config = IetConfig(doc)
        if self.target is None:
            return config
        found = config.target(self.target)
        if found is None and create:
            found = config.add_target(self.target)
        return found

    def lun_line(self, doc: Document) -> IetLun | None:
        target = self.scope(doc, create=False)
        if not isinstance(target, IetTarget) or self.lun is None:
            return None
        return target.lun(self.lun)

    def accounts(self, scope: _Scope) -> list[IetAccount]:
        assert self.key is not None
        found = [a for a in scope.accounts() if a.keyword.lower() == self.key.lower()]
        return [a for a in found if self.user is None or a.user == self.user]


def get_value(doc: Document, selector: str) -> list[str]:
    """The value ietd reads: a parameter's first word, an account's ``USER PASSWORD`` (its
    password for ``[USER]``), a Lun's parameter list or one parameter of it."""
    path = _Path(selector)
    if path.lun is not None:
        lun = path.lun_line(doc)
        if lun is None:
            return []
        if path.key is None:
            return [lun.params_text]
        value = lun.params.get(path.key)
        return [value] if value is not None else []
    scope = path.scope(doc, create=False)
    if scope is None:
        return []
    if isinstance(scope, IetTarget) and path.key is None:
        return [scope.name or ""]
    assert path.key is not None
    if keyword_kind(path.key) == "account":
        accounts = path.accounts(scope)
        if path.user is not None:
            return [a.password for a in accounts if a.password is not None]
        return [" ".join(a.args[:2]) for a in accounts]
    return [s.value for s in scope.statements(path.key) if s.value is not None]


def set_value(doc: Document, selector: str, value: str) -> None:
    path = _Path(selector)
    check_one_line(value)
    if path.lun is not None:
        _set_lun(doc, path, value)
        return
    if path.key is None:
        raise _fail(selector, "a target has no value of its own; name one of its settings")
    scope = path.scope(doc, create=True)
    assert scope is not None
    if keyword_kind(path.key) == "account":
        _set_account(scope, path, value)
    else:
        scope.set(path.key, value)


def _set_lun(doc: Document, path: _Path, value: str) -> None:
    target = path.scope(doc, create=True)
    assert isinstance(target, IetTarget) and path.lun is not None
    lun = target.lun(path.lun)
    if path.key is None:
        pairs = _param_pairs(value)
        if lun is None:
            target.add_lun(path.lun, pairs)
        else:
            lun.set_params(pairs)
    elif lun is None:
        target.add_lun(path.lun, [(path.key, value)])
    else:
        lun.set_param(path.key, value)


def _param_pairs(value: str) -> list[tuple[str, str]]:
    """``Path=/dev/x,Type=blockio`` as (key, value) pairs; a piece without ``=`` is refused."""
    pieces = LunParams.parse(value.strip()).pieces
    if not pieces or any(p.value is None for p in pieces):
        raise ValueError(f"a Lun parameter list is KEY=VALUE,KEY=VALUE...: {value!r}")
    return [(p.key.strip(), (p.value or "").strip()) for p in pieces]


def _set_account(scope: _Scope, path: _Path, value: str) -> None:
    assert path.key is not None
    if path.user is not None:
        user, password = path.user, value
    else:
        words = value.split()
        if len(words) != 2:
            raise ValueError(f"an account is 'USER PASSWORD', two words: got {len(words)}")
        user, password = words
    direction: Direction = "incoming" if path.key.lower() == "incominguser" else "outgoing"
    same_user = [a for a in scope.accounts(direction) if a.user == user]
    if same_user:
        same_user[-1].set(user, password)
    else:
        scope.add_account(direction, user, password)


def unset_value(doc: Document, selector: str) -> int:
    path = _Path(selector)
    if path.lun is not None:
        lun = path.lun_line(doc)
        if lun is None:
            return 0
        if path.key is None:
            lun.remove()
            return 1
        return lun.remove_param(path.key)
    scope = path.scope(doc, create=False)
    if scope is None:
        return 0
    if isinstance(scope, IetTarget) and path.key is None:
        scope.remove()
        return 1
    assert path.key is not None
    if keyword_kind(path.key) == "account":
        found = path.accounts(scope)
        for account in found:
            account.remove()
        return len(found)
    return scope.unset(path.key)
