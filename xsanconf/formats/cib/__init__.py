"""The ``cib`` codec: Pacemaker's cluster information base, read-only.

Read from ``var/lib/pacemaker/cib/cib.xml`` in a host root, or a capture of the live CIB
(``cibadmin -Q`` or ``pcs cluster cib`` output, the same XML with a ``status`` section) saved
as ``cib.xml`` beside the host's ``etc/``, or the ``cib.xml`` crm_report writes for a node
(sosreport: ``sos_commands/pacemaker/crm_report/NODE/cib.xml``).

Read-only: Pacemaker keeps a checksum of cib.xml in ``cib.xml.sig`` and refuses a file edited
by hand, and the live CIB is changed through ``cibadmin``, ``pcs`` or ``crm``.  So ``get``
works (selectors below) and ``set``/``unset``/``build`` refuse with that reason.  The XML reader
(:mod:`.xml`) refuses DTDs and entities.  Secrets: the value of an nvpair whose name names a
password (``incoming_password``, a fence device's ``passwd``) is masked everywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xsanconf.data import REDACTED, Directive
from xsanconf.formats.cib.model import Cib
from xsanconf.formats.cib.xml import Element, parse_xml

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.syntax import Node, Token

__all__ = [
    "KIND",
    "READ_ONLY",
    "Cib",
    "build",
    "directives",
    "get_value",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "cib"
READ_ONLY = (
    "the CIB is read-only here: Pacemaker refuses a cib.xml edited by hand (its checksum is "
    "in cib.xml.sig); change it with pcs, crm or cibadmin"
)


def parse(text: str, path: str | None = None) -> Node:
    return parse_xml(text, path)


def model(doc: Document) -> Cib:
    return Cib(doc)


_SNIFF = re.compile(r"\A(?:\s|<\?xml[^>]*>|<!--.*?-->)*<cib[\s>]", re.S)


def sniff(text: str) -> bool:
    return _SNIFF.match(text[:4096]) is not None


def directives(doc: Document) -> list[Directive]:
    """Each element as a directive named by its tag, its attributes as ``name=value``."""
    out: list[Directive] = []
    stack: list[tuple[list[Directive], Node]] = [(out, doc.root)]
    while stack:
        into, node = stack.pop()
        for child in node.children:
            if isinstance(child, Element):
                block: list[Directive] | None = [] if child.elements() else None
                line = doc.position(child)[0]
                into.append(
                    Directive(
                        child.tag, [f"{k}={v}" for k, v in child.attributes.items()], block, line
                    )
                )
                if block is not None:
                    stack.append((block, child))
    return out


def _secret_name(attributes: dict[str, str]) -> bool:
    from xsanconf.secrets import is_secret_name

    return is_secret_name(attributes.get("name", ""))


def redact(directive: Directive) -> Directive:
    if directive.name != "nvpair":
        return directive
    pairs = dict(a.partition("=")[::2] for a in directive.args)
    if not _secret_name(pairs) or "value" not in pairs:
        return directive
    args = [f"value={REDACTED}" if a.startswith("value=") else a for a in directive.args]
    return Directive(directive.name, args, directive.block, directive.line)


_VALUE_ATTRIBUTE = re.compile(r"""\svalue\s*=\s*(["'])(.*?)\1""", re.S)


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """The ``value`` of an nvpair tag whose ``name`` names a password."""
    text = token.text
    if not text.startswith("<nvpair") or "passw" not in text.lower():
        return []
    name = re.search(r"""\sname\s*=\s*(["'])(.*?)\1""", text, re.S)
    value = _VALUE_ATTRIBUTE.search(text)
    if name is None or value is None or not _secret_name({"name": name.group(2)}):
        return []
    return [(value.start(2), value.end(2))] if value.end(2) > value.start(2) else []


# selectors (get only):
#   property[stonith-enabled]            a cluster property
#   nodes                                the node names
#   resource[ID]                         the agent of a primitive (class:provider:type), or
#                                        group / clone / promotable-clone
#   resource[ID].params.NAME             an instance attribute
#   resource[ID].meta.NAME               a meta attribute (its own, not inherited)


def get_value(doc: Document, selector: str) -> list[str]:
    from xsanconf.select import SelectorError, parse_selector

    cib: Cib = doc.model
    steps = parse_selector(selector)
    head = steps[0]
    if head.name == "nodes" and len(steps) == 1 and head.filter is None:
        return [n.uname for n in cib.nodes if n.uname]
    if head.name == "property" and len(steps) == 1 and head.filter:
        value = cib.cluster_property(head.filter)
        return [] if value is None else [value]
    if head.name == "resource" and head.filter:
        return _resource_value(cib, head.filter, [s.name for s in steps[1:]])
    raise SelectorError(
        f"selector {selector!r}: a CIB takes property[NAME], nodes, resource[ID], "
        "resource[ID].params.NAME or resource[ID].meta.NAME"
    )


def _resource_value(cib: Cib, ident: str, rest: list[str]) -> list[str]:
    from xsanconf.select import SelectorError

    primitive = cib.primitives.get(ident)
    holder = primitive or cib.groups.get(ident) or cib.clones.get(ident)
    if holder is None:
        return []
    if not rest:
        if primitive is not None:
            return [primitive.agent]
        if ident in cib.groups:
            return ["group"]
        return ["promotable-clone" if cib.clones[ident].promotable else "clone"]
    if len(rest) == 2 and rest[0] in ("params", "meta"):
        if rest[0] == "params" and primitive is None:
            return []
        attributes = primitive.params if rest[0] == "params" and primitive else holder.meta
        value = attributes.get(rest[1])
        return [] if value is None else [value]
    raise SelectorError(f"resource[{ident}]: then .params.NAME or .meta.NAME")


def build(items: list[Directive]) -> str:
    raise ValueError(READ_ONLY)


def set_value(doc: Document, selector: str, value: str) -> None:
    raise ValueError(READ_ONLY)


def unset_value(doc: Document, selector: str) -> int:
    raise ValueError(READ_ONLY)
