"""The ``drbd`` codec: drbd.conf and the files it includes (DRBD 8.3, 8.4 and 9)."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from xsanconf.data import REDACTED, Directive
from xsanconf.errors import ParseError
from xsanconf.formats.drbd.lexer import secret_words, tokenize, words
from xsanconf.formats.drbd.model import (
    DrbdConfig,
    DrbdConnection,
    DrbdHost,
    DrbdResource,
    DrbdSection,
    DrbdStatement,
    DrbdVolume,
)
from xsanconf.formats.drbd.values import quote, quoted_word, unquote
from xsanconf.parsing import parse_with
from xsanconf.secrets import mask_spans
from xsanconf.select import SelectorError, parse_selector
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.document import Document
    from xsanconf.formats import Include

__all__ = [
    "KIND",
    "DrbdConfig",
    "DrbdConnection",
    "DrbdHost",
    "DrbdResource",
    "DrbdSection",
    "DrbdStatement",
    "DrbdVolume",
    "build",
    "directives",
    "get_value",
    "includes",
    "model",
    "parse",
    "redact",
    "set_value",
    "sniff",
    "token_secrets",
    "unset_value",
]

KIND = "drbd"

_NAMES = {
    "STMT": "a statement",
    "HEAD": "a section",
    "SKIP_HEAD": "a skip section",
    "SKIP_BODY": "skipped text",
    "RBRACE": "'}'",
}


def parse(text: str, path: str | None = None) -> Node:
    return parse_with("drbd", tokenize, text, path=path, names=_NAMES, eof_closer="RBRACE")


def model(doc: Document) -> DrbdConfig:
    return DrbdConfig(doc)


def includes(doc: Document) -> list[Include]:
    """The top-level ``include`` statements, where they stand (drbdadm reads an included
    file's resources there); an include with no argument names nothing."""
    from xsanconf.formats import Include

    config: DrbdConfig = doc.model
    return [Include(s.args[0] if s.args else None, s.token, s.position) for s in config.includes]


def problems(doc: Document, text: str) -> list[ParseError]:
    """Sections left open at the end of the file: drbdadm takes them as closed there."""
    found = []
    for section in DrbdConfig(doc).unclosed():
        line, column = section.position
        found.append(
            ParseError.at(
                text,
                len(text),
                f"unexpected end of input: '{section.keyword}' section opened at line {line}, "
                f"column {column} is not closed with '}}'",
                path=doc.path,
                expected=["'}'"],
            )
        )
    return found[-1:]  # the innermost is the one to close first


# Compiled on first use: only a file of unknown kind is sniffed, and linting never asks.
@functools.cache
def _sniff_pattern() -> re.Pattern[str]:
    # blanks, not \s, after ^: "^\s*" at every line start ran over all the blank lines after it
    return re.compile(r"^[^\S\n]*+(resource\s++\S++\s*+\{|global\s*+\{|common\s*+\{)", re.M)


def sniff(text: str) -> bool:
    return _sniff_pattern().search(text) is not None


def directives(doc: Document) -> list[Directive]:
    return _directives(doc, doc.root)


def _words_of(token: Token) -> list[str]:
    return [unquote(w) for _, _, w in words(token.text)]


def _directives(doc: Document, node: Node) -> list[Directive]:
    out: list[Directive] = []
    for child in node.children:
        if isinstance(child, Token) and child.kind == "STMT":
            found = _words_of(child)
            out.append(Directive(found[0], found[1:], None, doc.position(child)[0]))
        elif isinstance(child, Node):
            head = child.children[0]
            assert isinstance(head, Token)
            found = _words_of(head)
            line = doc.position(head)[0]
            if child.kind == "skip":
                body = "".join(
                    c.text for c in child.children if isinstance(c, Token) and c.kind == "SKIP_BODY"
                )
                out.append(Directive(found[0], found[1:], [_raw(body)], line))
            else:
                out.append(Directive(found[0], found[1:], _directives(doc, child), line))
    return out


_SECRETS = frozenset({"shared-secret"})


def redact(directive: Directive) -> Directive:
    """The directive with its secret (the peers' ``shared-secret``) blanked out, also in the
    text of a skipped block."""
    if directive.name in _SECRETS and directive.args:
        return Directive(directive.name, [REDACTED], directive.block, directive.line)
    if directive.name == "" and directive.args:
        body = directive.args[0]
        found = secret_words(body, _SECRETS) if "shared-secret" in body else []
        if found:
            return Directive("", [mask_spans(body, found)], directive.block, directive.line)
    return directive


def token_secrets(token: Token) -> list[tuple[int, int]]:
    """Where a token holds a ``shared-secret`` value: every word after the keyword, on any
    line (drbdadm lets the value sit on the next one).  Skipped text and the text of a file
    that did not parse are read word by word the same way."""
    if "shared-secret" not in token.text:
        return []
    if token.kind == "STMT":
        found = words(token.text)
        return [(s, e) for s, e, _ in found[1:]] if found[0][2] in _SECRETS else []
    if token.kind in ("SKIP_BODY", "RAW"):
        return secret_words(token.text, _SECRETS)
    return []


def _raw(body: str) -> Directive:
    """A skipped block's text, kept whole: it need not be valid."""
    return Directive("", [body])


def build(items: list[Directive], level: int = 0, skipped: bool = False) -> str:
    """drbd.conf text for directives, indented with tabs."""
    indent = "\t" * level
    lines: list[str] = []
    for d in items:
        # only inside ``skip`` is a nameless directive raw text; elsewhere it is a "" statement
        if skipped and d.name == "" and d.args:
            lines.append(d.args[0])
            continue
        head = indent + " ".join(quote(w) for w in [d.name, *d.args])
        if d.block is None:
            lines.append(head + ";\n")
        elif d.name == "skip":
            lines.append(head + " {" + build(d.block, level + 1, skipped=True) + "}\n")
        else:
            lines.append(head + " {\n" + build(d.block, level + 1) + indent + "}\n")
    return "".join(lines)


# Options whose value is several words; any other value is one word, quoted when it must be
# (a handler command with arguments is one quoted string to drbdadm).
_MULTI_WORD = frozenset(
    {"address", "device", "meta-disk", "flexible-meta-disk", "become-primary-on", "hosts", "host"}
)


def _walk(doc: Document, selector: str, create: bool) -> tuple[DrbdSection, str] | None:
    """The section a selector's last step lives in, and that step's option keyword."""
    steps = parse_selector(selector)
    section: DrbdSection = DrbdConfig(doc)
    for step in steps[:-1]:
        args = step.filter.split() if step.filter else []
        found = section.section(step.name, *args)
        if found is None:
            if not create:
                return None
            found = section.add_section(step.name, *args)
        section = found
    last = steps[-1]
    if last.filter is not None:
        raise SelectorError(f"selector {selector!r}: the last step names an option, not a section")
    return section, last.name


def get_value(doc: Document, selector: str) -> list[str]:
    """Values of the selected option (several when the option is repeated)."""
    found = _walk(doc, selector, create=False)
    if found is None:
        return []
    section, keyword = found
    return [s.value or "" for s in section.statements(keyword)]


def set_value(doc: Document, selector: str, value: str) -> None:
    """Set an option, adding it (and the sections on its way) in the file's style if absent."""
    found = _walk(doc, selector, create=True)
    assert found is not None
    section, keyword = found
    words = value.split() if keyword in _MULTI_WORD else [value]
    # a value given as the file writes it ("/usr/lib/drbd/crm-fence-peer.sh", with its quotes,
    # as `get` cannot show) is that value, not one holding quotes
    section.set(keyword, *(unquote(w) if quoted_word(w) else w for w in words))


def unset_value(doc: Document, selector: str) -> int:
    found = _walk(doc, selector, create=False)
    if found is None:
        return 0
    section, keyword = found
    return section.unset(keyword)
