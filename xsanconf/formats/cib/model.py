"""A typed, read-only view of a Pacemaker CIB: what the cluster is told to run, and in what order.

Read from ``configuration``: cluster properties (``crm_config``), ``nodes``, ``resources``
(primitives, groups, clones and promotable clones, resource templates), ``constraints`` (order,
colocation, location, with resource sets), ``fencing-topology`` and ``rsc_defaults``.  The
``status`` section (runtime state, in ``cibadmin -Q`` output) is ignored.

Attribute sets (``instance_attributes``, ``meta_attributes``) are simplified: sets without a
``<rule>`` are applied highest ``score`` first, in document order among equals, and the first
set that names a setting wins (as Pacemaker unpacks them).  A set with a rule applies only when
the rule holds (a node, a date, an operation): its settings are *conditional* --
:meth:`Attributes.get` does not return them and :meth:`Attributes.is_conditional` says so, and
rules stay silent on them.  ``id-ref`` references to sets and nvpairs are followed; a
``template`` supplies a primitive's agent and the attributes it does not set itself.  Bundles,
tags, alerts, ``score-attribute`` and ``<rule>`` in location constraints are read as present
but not evaluated (a location with a rule has ``rule=True`` and no node).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from xsanconf.formats.cib.xml import Element

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.domain.target import TargetLun

__all__ = [
    "Attributes",
    "Cib",
    "Clone",
    "Colocation",
    "FencingLevel",
    "Group",
    "Location",
    "Nvpair",
    "Order",
    "Primitive",
    "ResourceSet",
    "is_true",
    "score_value",
]

INFINITY = 1_000_000  # Pacemaker's INFINITY; scores beyond it are clamped to it
# crm_is_true
_TRUE = frozenset({"true", "on", "yes", "y", "1"})
# Pacemaker 2.1 renamed the roles; 1.x names are still accepted
PROMOTED_ROLES = frozenset({"Master", "Promoted"})


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUE


def score_value(text: str | None) -> int | None:
    """A score as Pacemaker reads it (``INFINITY``, ``+INFINITY``, ``-INFINITY``, integers);
    None for no score or an unreadable one."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("infinity", "+infinity"):
        return INFINITY
    if word == "-infinity":
        return -INFINITY
    try:
        return max(-INFINITY, min(INFINITY, int(word)))
    except ValueError:
        return None


@attrs.frozen(eq=False, repr=False)
class Nvpair:
    name: str
    value: str | None
    element: Element


@attrs.frozen(eq=False, repr=False)
class AttributeSet:
    id: str | None
    score: int
    conditional: bool  # holds a <rule>: applies only when it holds
    nvpairs: tuple[Nvpair, ...]
    element: Element


@attrs.frozen(eq=False, repr=False)
class Attributes:
    """The settings of one kind (instance or meta) of one resource, sets merged."""

    sets: tuple[AttributeSet, ...] = ()

    def _ordered(self) -> list[AttributeSet]:
        return sorted(self.sets, key=lambda s: -s.score)  # stable: document order among equals

    def nvpair(self, name: str) -> Nvpair | None:
        """The nvpair that sets ``name`` unconditionally, if any."""
        for found in self._ordered():
            if found.conditional:
                continue
            for pair in found.nvpairs:
                if pair.name == name:
                    return pair
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        pair = self.nvpair(name)
        return default if pair is None or pair.value is None else pair.value

    def is_conditional(self, name: str) -> bool:
        """Whether a set with a rule sets ``name``: its value depends on where and when."""
        return any(p.name == name for s in self.sets if s.conditional for p in s.nvpairs)

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for found in self._ordered():
            for pair in found.nvpairs:
                seen.setdefault(pair.name)
        return list(seen)

    def merged(self, fallback: Attributes) -> Attributes:
        """These settings, then ``fallback``'s for what these do not set."""
        low = [attrs.evolve(s, score=min(s.score, 0) - INFINITY - 1) for s in fallback.sets]
        return Attributes((*self.sets, *low))


@attrs.frozen(eq=False, repr=False)
class Primitive:
    id: str
    cls: str | None  # "ocf", "lsb", "systemd", "stonith", "service"
    provider: str | None
    type: str | None
    params: Attributes
    meta: Attributes
    element: Element
    parent: str | None = None  # the group or clone holding it

    @property
    def agent(self) -> str:
        """``ocf:linbit:drbd``, ``stonith:fence_ipmilan``, ``systemd:drbd``."""
        return ":".join(p for p in (self.cls, self.provider, self.type) if p)

    def __repr__(self) -> str:
        return f"Primitive({self.id!r}, {self.agent!r})"


@attrs.frozen(eq=False, repr=False)
class Group:
    id: str
    members: tuple[str, ...]
    meta: Attributes
    element: Element
    parent: str | None = None


@attrs.frozen(eq=False, repr=False)
class Clone:
    """A clone; ``promotable`` for a Pacemaker 1.x ``<master>`` and a 2.x ``<clone>`` with
    ``promotable=true``."""

    id: str
    child: str | None
    meta: Attributes
    element: Element
    legacy_master: bool  # written as <master> (Pacemaker 1.x)

    @property
    def promotable(self) -> bool:
        return self.legacy_master or is_true(self.meta.get("promotable"))

    @property
    def promoted_max(self) -> int | None:
        """How many instances may be promoted at once (``promoted-max``, 1.x ``master-max``;
        default 1); None when set to something unreadable or only under a rule."""
        for name in ("promoted-max", "master-max"):
            if self.meta.is_conditional(name):
                return None
            value = self.meta.get(name)
            if value is not None:
                number = score_value(value)
                return number if number is not None and number != INFINITY else None
        return 1


@attrs.frozen(eq=False, repr=False)
class ResourceSet:
    """The resources a constraint names, with the action or role it names them in; a plain
    constraint's ``first``/``then`` or ``rsc``/``with-rsc`` are one-resource sets."""

    resources: tuple[str, ...]
    action: str | None = None
    role: str | None = None
    sequential: bool = True
    element: Element | None = None


@attrs.frozen(eq=False, repr=False)
class Order:
    """``sets[i]`` before ``sets[i + 1]``; ``kind`` Mandatory (the default), Optional or
    Serialize (1.x ``score="0"`` is Optional)."""

    id: str | None
    sets: tuple[ResourceSet, ...]
    kind: str
    element: Element

    @property
    def enforced(self) -> bool:
        return self.kind == "Mandatory"


@attrs.frozen(eq=False, repr=False)
class Colocation:
    """Resources kept together (or apart, for a negative score); ``sets`` holds the dependent
    resource first for a plain constraint (``rsc``, then ``with-rsc``)."""

    id: str | None
    sets: tuple[ResourceSet, ...]
    score: int | None
    element: Element

    @property
    def together(self) -> bool:
        return self.score is None or self.score > 0


@attrs.frozen(eq=False, repr=False)
class Location:
    id: str | None
    resource: str | None
    node: str | None
    score: int | None
    rule: bool
    element: Element


@attrs.frozen(eq=False, repr=False)
class FencingLevel:
    target: str | None
    index: int | None
    devices: tuple[str, ...]
    element: Element


@attrs.frozen(eq=False, repr=False)
class ClusterNode:
    id: str | None
    uname: str | None
    type: str | None
    element: Element


def _children(element: Element | None, *tags: str) -> Iterator[Element]:
    if element is not None:
        for child in element.elements():
            if child.tag in tags:
                yield child


class Cib:
    """The configuration a CIB holds.  Built once per document; every list is in document order."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        root = next((c for c in doc.root.children if isinstance(c, Element)), None)
        self.root = root if root is not None and root.tag == "cib" else None
        config = self.root.first("configuration") if self.root is not None else None
        self._ids: dict[str, Element] = {}
        if config is not None:
            self._index_ids(config)
        self.properties = self._attributes(_children(config, "crm_config"), "cluster_property_set")
        defaults = config.first("rsc_defaults") if config is not None else None
        self.rsc_defaults = self._attributes([defaults] if defaults else [], "meta_attributes")
        self.nodes = [
            ClusterNode(n.get("id"), n.get("uname"), n.get("type"), n)
            for nodes in _children(config, "nodes")
            for n in nodes.elements("node")
        ]
        self.primitives: dict[str, Primitive] = {}
        self.groups: dict[str, Group] = {}
        self.clones: dict[str, Clone] = {}
        for resources in _children(config, "resources"):
            for child in resources.elements():
                self._resource(child, None)
        constraints = list(_children(config, "constraints"))
        self.orders = [self._order(e) for c in constraints for e in c.elements("rsc_order")]
        self.colocations = [
            self._colocation(e) for c in constraints for e in c.elements("rsc_colocation")
        ]
        self.locations = [
            Location(
                e.get("id"),
                e.get("rsc"),
                e.get("node"),
                score_value(e.get("score")),
                e.first("rule") is not None,
                e,
            )
            for c in constraints
            for e in c.elements("rsc_location")
        ]
        self.fencing_levels = [
            FencingLevel(
                e.get("target") or e.get("target-pattern") or e.get("target-attribute"),
                _int(e.get("index")),
                tuple(d.strip() for d in (e.get("devices") or "").split(",") if d.strip()),
                e,
            )
            for t in _children(config, "fencing-topology")
            for e in t.elements("fencing-level")
        ]

    def __repr__(self) -> str:
        return f"Cib({len(self.primitives)} primitives)"

    # reading

    def _index_ids(self, config: Element) -> None:
        stack = [config]
        while stack:
            element = stack.pop()
            ident = element.get("id")
            if ident is not None and element.get("id-ref") is None:
                self._ids.setdefault(ident, element)
            stack.extend(element.elements())

    def _resolved(self, element: Element) -> Element:
        ref = element.get("id-ref")
        if ref is None:
            return element
        found = self._ids.get(ref)
        return found if found is not None and found.tag == element.tag else element

    def _attributes(self, holders: Iterable[Element], tag: str) -> Attributes:
        sets = []
        for holder in holders:
            for raw in holder.elements(tag):
                element = self._resolved(raw)
                pairs = []
                for raw_pair in element.elements("nvpair"):
                    nv = self._resolved(raw_pair)
                    name = nv.get("name")
                    if name is not None:
                        pairs.append(Nvpair(name, nv.get("value"), nv))
                score = score_value(element.get("score")) or 0
                sets.append(
                    AttributeSet(
                        element.get("id"),
                        score,
                        element.first("rule") is not None,
                        tuple(pairs),
                        element,
                    )
                )
        return Attributes(tuple(sets))

    def _resource(self, element: Element, parent: str | None) -> None:
        ident = element.get("id")
        if ident is None:
            return
        meta = self._attributes([element], "meta_attributes")
        if element.tag == "primitive":
            self._primitive(element, ident, meta, parent)
        elif element.tag == "group":
            members = element.elements("primitive")
            self.groups[ident] = Group(
                ident, tuple(m.get("id") or "" for m in members), meta, element, parent
            )
            for member in members:
                self._resource(member, ident)
        elif element.tag in ("clone", "master"):
            inner = [c for c in element.elements() if c.tag in ("primitive", "group")]
            child = inner[0].get("id") if inner else None
            self.clones[ident] = Clone(ident, child, meta, element, element.tag == "master")
            for c in inner:
                self._resource(c, ident)

    def _primitive(
        self, element: Element, ident: str, meta: Attributes, parent: str | None
    ) -> None:
        params = self._attributes([element], "instance_attributes")
        cls, provider, kind = element.get("class"), element.get("provider"), element.get("type")
        template = self._ids.get(element.get("template") or "")
        if template is not None and template.tag == "template":
            cls = cls or template.get("class")
            provider = provider or template.get("provider")
            kind = kind or template.get("type")
            params = params.merged(self._attributes([template], "instance_attributes"))
            meta = meta.merged(self._attributes([template], "meta_attributes"))
        self.primitives[ident] = Primitive(
            ident, cls, provider, kind, params, meta, element, parent
        )

    def _sets(self, element: Element, default_action: str | None) -> tuple[ResourceSet, ...]:
        found = []
        for raw in element.elements("resource_set"):
            rs = self._resolved(raw)
            found.append(
                ResourceSet(
                    tuple(r.get("id") or "" for r in rs.elements("resource_ref")),
                    rs.get("action") or default_action,
                    rs.get("role"),
                    rs.get("sequential") is None or is_true(rs.get("sequential")),
                    rs,
                )
            )
        return tuple(found)

    def _order(self, e: Element) -> Order:
        kind = e.get("kind")
        if kind is None:
            kind = "Optional" if score_value(e.get("score")) == 0 else "Mandatory"
        sets = self._sets(e, None)
        if not sets:
            first_action = e.get("first-action") or "start"
            sets = (
                ResourceSet((e.get("first") or "",), first_action, element=e),
                # then-action defaults to first-action
                ResourceSet(
                    (e.get("then") or "",), e.get("then-action") or first_action, element=e
                ),
            )
        return Order(e.get("id"), sets, kind, e)

    def _colocation(self, e: Element) -> Colocation:
        sets = self._sets(e, None)
        if not sets:
            sets = (
                ResourceSet((e.get("rsc") or "",), role=e.get("rsc-role"), element=e),
                ResourceSet((e.get("with-rsc") or "",), role=e.get("with-rsc-role"), element=e),
            )
        return Colocation(e.get("id"), sets, score_value(e.get("score")), e)

    # questions

    def cluster_property(self, name: str) -> str | None:
        return self.properties.get(name)

    @property
    def stonith_enabled(self) -> bool | None:
        """``stonith-enabled`` (default true); None when set only under a rule."""
        if self.properties.is_conditional("stonith-enabled"):
            return None
        value = self.properties.get("stonith-enabled")
        return True if value is None else is_true(value)

    def stonith_devices(self) -> list[Primitive]:
        return [p for p in self.primitives.values() if p.cls == "stonith"]

    def by_agent(self, provider: str | None, kind: str) -> list[Primitive]:
        """Primitives of OCF type ``kind`` (any provider when ``provider`` is None)."""
        return [
            p
            for p in self.primitives.values()
            if p.cls == "ocf" and p.type == kind and (provider is None or p.provider == provider)
        ]

    def parent(self, ident: str) -> str | None:
        for table in (self.primitives, self.groups):
            found = table.get(ident)
            if found is not None:
                return found.parent
        return None

    def ancestors(self, ident: str) -> list[str]:
        """``ident`` and the group and clone that hold it, innermost first."""
        out = [ident]
        parent = self.parent(ident)
        while parent is not None and parent not in out:
            out.append(parent)
            parent = self.parent(parent)
        return out

    def clone_of(self, ident: str) -> Clone | None:
        for name in self.ancestors(ident):
            if name in self.clones:
                return self.clones[name]
        return None

    def meta(self, ident: str, name: str) -> str | None:
        """A meta attribute as the resource gets it: its own, its containers', the defaults."""
        for name_ in self.ancestors(ident):
            holder = self.primitives.get(name_) or self.groups.get(name_) or self.clones.get(name_)
            if holder is not None and holder.meta.get(name) is not None:
                return holder.meta.get(name)
        return self.rsc_defaults.get(name)

    def constrained(self, ident: str) -> bool:
        """Whether any order or colocation constraint names ``ident`` or a container of it."""
        names = set(self.ancestors(ident))
        constraints: list[Order | Colocation] = [*self.orders, *self.colocations]
        return any(names.intersection(s.resources) for c in constraints for s in c.sets)

    def target_luns(
        self, version: tuple[int, ...] | None = None, *, implementation: str | None = None
    ) -> list[TargetLun]:
        """The LUNs the ``iSCSILogicalUnit`` primitives create (:mod:`.luns`)."""
        from xsanconf.formats.cib.luns import target_luns

        return target_luns(self, version, implementation=implementation)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
