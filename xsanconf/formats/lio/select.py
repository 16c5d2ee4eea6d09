"""Selectors over saveconfig.json, for ``xsanconf get/set/unset``.

A selector is a path of object keys: ``storage_objects[name=disk0].wwn``,
``targets[wwn=iqn.2003-01.org.example:t1].tpgs[tag=1].attributes.authentication``,
``targets[wwn=IQN].tpgs[tag=1].node_acls[node_wwn=IQN].chap_password``,
``fabric_modules[name=iscsi].discovery_userid``.  A step ``KEY[k=v,k=v]`` picks the object in
the array ``KEY`` whose members have those values; ``KEY[N]`` picks item ``N`` (from 0).
Where a key is repeated, the last member is the one read and changed (as Python's ``json``
keeps the last).

``get`` prints a string as it is, any other value as JSON.  ``set`` takes a value as JSON when
it is a JSON literal (``true``, ``1``, ``null``, ``"text"``, ``{...}``, ``[...]``), except that a
member holding a string stays a string unless the value is written in JSON quotes; anything
else is a string.  ``set`` adds what is missing on the way: keys, arrays, and an object
``{k: v, ...}`` for a ``[k=v]`` step that matches nothing (``storage_objects[name=disk1,
plugin=block].dev``).  ``unset`` removes the member, or the array item the last step picks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf.formats._lines import steps_of
from xsanconf.formats.lio.tree import (
    JsonArray,
    JsonObject,
    JsonScalar,
    JsonView,
    decode,
    literal,
    object_text,
    root_value,
)
from xsanconf.select import SelectorError, Step

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.syntax import Node, Token

__all__ = ["get_value", "set_value", "unset_value"]

_EXAMPLE = "e.g. storage_objects[name=disk0].wwn"


def _fail(selector: str, why: str) -> SelectorError:
    return SelectorError(f"selector {selector!r}: {why} ({_EXAMPLE})")


def _steps(selector: str) -> list[Step]:
    steps = steps_of(selector)
    for step in steps:
        if step.filter is not None and step.keyed is None and not step.filter.strip().isdigit():
            raise _fail(selector, f"[{step.filter}] is neither [N] nor [key=value]")
    return steps


def _shown(value: object) -> str:
    """How ``get`` prints a plain value, and how a filter value is compared."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def _matches(item: JsonView, pairs: list[tuple[str, str]]) -> bool:
    if not isinstance(item, JsonObject):
        return False
    for key, wanted in pairs:
        found = item.get(key)
        if not isinstance(found, JsonScalar) or _shown(found.value) != wanted:
            return False
    return True


def _pick(array: JsonArray, step: Step) -> tuple[Node | Token, JsonView] | None:
    """The item (node or token) and its view a ``[N]`` or ``[k=v]`` step picks (the first
    match)."""
    nodes = array.entries()
    items = array.items()
    assert step.filter is not None
    if step.keyed is None:
        index = int(step.filter.strip())
        return (nodes[index], items[index]) if index < len(items) else None
    for node, item in zip(nodes, items, strict=True):
        if _matches(item, step.keys):
            return node, item
    return None


def _json_value(text: str) -> str | None:
    """``text`` as JSON text when it is one JSON value :func:`parse` reads, else None."""
    from xsanconf.errors import ParseError
    from xsanconf.formats.lio import parse

    try:
        root = parse(text)
    except ParseError:
        return None
    from xsanconf.syntax import render

    return render(root).strip(" \t\r\n")


def _new_text(value: str, current: JsonView | None) -> str:
    as_json = _json_value(value)
    if as_json is not None and as_json.startswith('"'):
        return as_json
    if isinstance(current, JsonScalar) and current.item.kind in ("STRING", "SECRET"):
        return literal(value)
    return as_json if as_json is not None else literal(value)


def _walk(doc: Document, selector: str, steps: list[Step], create: bool) -> JsonView | None:
    """The value the steps before the last name (an object), created on the way if asked."""
    current = root_value(doc)
    for step in steps:
        if not isinstance(current, JsonObject):
            if current is None:
                return None
            raise _fail(selector, f"{step.name!r} is looked up in a value that is not an object")
        found = current.get(step.name)
        if step.filter is None:
            if found is None and create:
                current.set(step.name, "{}")
                found = current.get(step.name)
            current = found
            continue
        if found is None and create:
            current.set(step.name, "[]")
            found = current.get(step.name)
        if found is None:
            return None
        if not isinstance(found, JsonArray):
            raise _fail(
                selector, f"{step.name!r} is not an array, so [{step.filter}] picks nothing"
            )
        picked = _pick(found, step)
        if picked is None and create:
            picked = _add_item(found, step, selector)
        current = None if picked is None else picked[1]
    return current


def _add_item(array: JsonArray, step: Step, selector: str) -> tuple[Node | Token, JsonView]:
    if step.keyed is None:
        raise _fail(selector, f"there is no item {step.filter} to set; name one by [key=value]")
    array.append(object_text(array.doc, [(k, _new_text(v, None)) for k, v in step.keys]))
    node = array.entries()[-1]
    return node, array.items()[-1]


def get_value(doc: Document, selector: str) -> list[str]:
    steps = _steps(selector)
    *path, last = steps
    parent = _walk(doc, selector, [*path, Step(last.name)], create=False)
    value = parent
    if last.filter is not None:
        if not isinstance(value, JsonArray):
            return []
        picked = _pick(value, last)
        value = None if picked is None else picked[1]
    if value is None:
        return []
    return [_shown(value.plain())]


def set_value(doc: Document, selector: str, value: str) -> None:
    steps = _steps(selector)
    *path, last = steps
    if last.filter is not None:
        raise _fail(selector, "set names a key: to add an item, set one of its keys")
    owner = _walk(doc, selector, path, create=True)
    if not isinstance(owner, JsonObject):
        raise _fail(selector, "the value is set in an object; the path leads elsewhere")
    current = owner.get(last.name)
    text = _new_text(value, current)
    if isinstance(current, JsonScalar) and _same(current, text):
        return  # the value it holds, maybe spelled otherwise: no byte changes
    owner.set(last.name, text)


def _same(current: JsonScalar, text: str) -> bool:
    from xsanconf.formats.lio import parse

    token = next((t for t in parse(text).tokens()), None)
    if token is None or (token.kind in ("STRING", "SECRET")) != (
        current.item.kind in ("STRING", "SECRET")
    ):
        return False
    old, new = current.value, decode(token)
    return type(old) is type(new) and old == new


def unset_value(doc: Document, selector: str) -> int:
    steps = _steps(selector)
    *path, last = steps
    owner = _walk(doc, selector, path, create=False)
    if not isinstance(owner, JsonObject):
        return 0
    if last.filter is None:
        return owner.remove(last.name)
    array = owner.get(last.name)
    if not isinstance(array, JsonArray):
        return 0
    picked = _pick(array, last)
    if picked is None:
        return 0
    array.remove_item(picked[0])
    return 1
