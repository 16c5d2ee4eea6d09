"""A lossless, hostile-input-safe reading of XML into the shared syntax tree.

The CIB is XML, and a CIB handed to a support engineer may come from anywhere: the reader must
neither expand entities (a "billion laughs" document grows to gigabytes) nor fetch anything (an
external entity or DTD names a file or a URL).  CPython's expat parser is used with every
declaration refused: a ``<!DOCTYPE`` is an error where it starts, so no entity can be declared,
and a reference to an undeclared entity is expat's own "undefined entity" error.  Parameter
entities are never parsed and no external entity handler is installed.  Nesting is bounded
(:data:`MAX_DEPTH`); the size of the input is bounded by the file limit of :mod:`xsanconf.limits`.

expat reports where each tag starts (a byte offset); the tag itself ends at its ``>`` (found
outside quoted attribute values).  Each tag is a :class:`~xsanconf.syntax.Token`, an element is
an :class:`Element` node (its start tag, children, end tag; an empty-element tag is one token),
and everything between tags -- text, comments, the XML declaration, processing instructions --
is trivia, so rendering the tree gives the input back byte for byte.
"""

from __future__ import annotations

from typing import NoReturn

from xsanconf.errors import ParseError
from xsanconf.syntax import Node, Token, Trivia, split_lines

__all__ = ["MAX_DEPTH", "Element", "parse_xml"]

# A CIB nests seven or eight levels (cib, configuration, resources, clone, group, primitive,
# instance_attributes, rule, expression); far deeper input is hostile or not a CIB.
MAX_DEPTH = 64


class Element(Node):
    """One XML element: ``tag``, its ``attributes`` (entity references resolved by expat:
    only the five predefined ones and character references exist here), its children."""

    __slots__ = ("attributes", "tag")

    def __init__(
        self, tag: str, attributes: dict[str, str], children: list[Node | Token | Trivia]
    ) -> None:
        super().__init__("element", children)
        self.tag = tag
        self.attributes = attributes

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {self.attributes.get('id')!r})"

    def elements(self, tag: str | None = None) -> list[Element]:
        """Child elements, those named ``tag`` when given, in document order."""
        return [
            c for c in self.children if isinstance(c, Element) and (tag is None or c.tag == tag)
        ]

    def first(self, tag: str) -> Element | None:
        found = self.elements(tag)
        return found[0] if found else None

    def get(self, name: str) -> str | None:
        return self.attributes.get(name)

    @property
    def start(self) -> Token:
        """The start tag (or the empty-element tag)."""
        first = self.children[0]
        assert isinstance(first, Token)
        return first


class _RefusedError(Exception):
    """Raised from an expat handler: a declaration this reader does not accept."""

    def __init__(self, byte_index: int, message: str, *, doctype: bool = False) -> None:
        super().__init__(message)
        self.byte_index = byte_index
        self.message = message
        self.doctype = doctype


class _Builder:
    """Collects expat's events and cuts the text into tags and the trivia between them."""

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.ascii = len(data) == len(text)
        # (byte offset, char offset) of the last conversion: events come in document order
        self._mark = (0, 0)
        self.pos = 0  # char offset up to which the text is placed in the tree
        self.root = Node("start", [])
        self.stack: list[tuple[Element | Node, bool]] = [(self.root, False)]  # (node, empty)

    def char_offset(self, byte_index: int) -> int:
        if self.ascii:
            return byte_index
        byte_at, char_at = self._mark
        if byte_index < byte_at:
            byte_at, char_at = 0, 0
        piece = self.data[byte_at:byte_index].decode("utf-8", "surrogateescape")
        self._mark = (byte_index, char_at + len(piece))
        return self._mark[1]

    def _trivia_to(self, at: int, parent: Element | Node | None = None) -> None:
        if at > self.pos:
            holder = self.stack[-1][0] if parent is None else parent
            holder.children.extend(split_lines(self.text[self.pos : at]))
            self.pos = at

    def _tag_end(self, at: int) -> int:
        """Offset just past the ``>`` closing the tag that starts at ``at``."""
        text = self.text
        quote = ""
        i = at + 1
        end = len(text)
        while i < end:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == ">":
                return i + 1
            i += 1
        return end  # expat accepted the tag, so this is not reached

    def start(self, byte_index: int, tag: str, attributes: dict[str, str]) -> None:
        at = self.char_offset(byte_index)
        self._trivia_to(at)
        end = self._tag_end(at)
        token_text = self.text[at:end]
        self.pos = end
        empty = token_text.endswith("/>")
        element = Element(tag, attributes, [Token("EMPTY" if empty else "STAG", token_text)])
        self.stack[-1][0].children.append(element)
        if len(self.stack) > MAX_DEPTH:
            raise _RefusedError(byte_index, f"elements nested deeper than {MAX_DEPTH} levels")
        self.stack.append((element, empty))

    def end(self, byte_index: int) -> None:
        element, empty = self.stack.pop()
        if empty:
            return
        at = self.char_offset(byte_index)
        self._trivia_to(at, element)
        end = self._tag_end(at)
        element.children.append(Token("ETAG", self.text[at:end]))
        self.pos = end

    def finish(self) -> Node:
        self._trivia_to(len(self.text))
        return self.root


def _refuse_doctype(byte_index: int) -> NoReturn:
    raise _RefusedError(
        byte_index,
        "a DOCTYPE declaration: refused (a CIB has none; DTDs and entities could expand "
        "without bound or fetch files)",
        doctype=True,
    )


def parse_xml(text: str, path: str | None = None) -> Node:
    """The lossless tree of an XML document; :class:`ParseError` at the offending character."""
    from xml.parsers import expat

    data = text.encode("utf-8", "surrogateescape")
    builder = _Builder(text, data)
    # the text is UTF-8 whatever the declaration says (it was read as UTF-8)
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.ordered_attributes = False
    parser.StartElementHandler = lambda tag, attributes: builder.start(
        parser.CurrentByteIndex, tag, attributes
    )
    parser.EndElementHandler = lambda _tag: builder.end(parser.CurrentByteIndex)
    parser.StartDoctypeDeclHandler = lambda *_: _refuse_doctype(parser.CurrentByteIndex)
    # unreachable without a DOCTYPE, kept as a second lock
    parser.EntityDeclHandler = lambda *_: _refuse_doctype(parser.CurrentByteIndex)
    parser.ExternalEntityRefHandler = lambda *_: _refuse_doctype(parser.CurrentByteIndex)
    try:
        parser.Parse(data, True)
    except _RefusedError as refused:
        where = builder.char_offset(refused.byte_index)
        if refused.doctype:  # expat reports it once read: point at where it starts
            declared = text.rfind("<!DOCTYPE", 0, where + 1)
            where = declared if declared >= 0 else where
        raise ParseError.at(text, where, refused.message, path=path) from None
    except expat.ExpatError as error:
        where = builder.char_offset(min(max(parser.ErrorByteIndex, 0), len(data)))
        message = expat.ErrorString(error.code) if error.code is not None else str(error)
        raise ParseError.at(text, where, f"not well-formed XML: {message}", path=path) from None
    return builder.finish()
