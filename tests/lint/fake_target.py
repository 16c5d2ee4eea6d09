"""A small synthetic target format, for testing the target rules on implementations other than
IET before their codecs exist: each line ``lun TARGET NUMBER BACKING [key=value ...]`` is one
LUN, its model answers ``target_luns()`` as every target codec does.

Keys: ``impl`` (``tgt``, ``lio``, ``scst``; default ``tgt``), ``id`` (an explicit identity; the
default is ``TARGET:NUMBER``, the same on every server, as tgt numbers its defaults),
``cache`` (``wb``: write-back), ``open`` (``yes``: any initiator may log in), ``user`` and
``discovery`` (``NAME:SECRET`` incoming CHAP accounts of the target and of discovery).
Lines starting with ``#`` are comments.  The tests register the kind ``fake-target`` for files
named ``fake-targets.conf`` (``register`` below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pytest

from xsanconf.data import Directive
from xsanconf.domain.target import (
    ChapAccount,
    Implementation,
    LunIdentity,
    TargetAccess,
    TargetLun,
)
from xsanconf.domain.wwid import Wwid
from xsanconf.syntax import Node, Token, Trivia

if TYPE_CHECKING:
    from xsanconf.document import Document

KIND = "fake-target"
VENDOR = b"FAKE\0\0\0\0"


def parse(text: str, path: str | None = None) -> Node:
    children: list[Node | Token | Trivia] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        if body.startswith("lun "):
            children.append(Token("LINE", body))
            if line.endswith("\n"):
                children.append(Trivia("\n"))
        else:
            children.append(Trivia(line))
    return Node("file", children)


def wwid_of(identity: str) -> Wwid:
    """A T10 WWID of vendor ``FAKE`` (as udev would print it)."""
    return Wwid("1" + (VENDOR + identity.encode()).hex())


class FakeConfig:
    def __init__(self, doc: Document[Any]) -> None:
        self.doc = doc

    def target_luns(self, version: tuple[int, ...] | None = None) -> list[TargetLun]:
        found = []
        for token in self.doc.root.children:
            if isinstance(token, Token):
                found.append(_lun(token))
        return found


def _lun(token: Token) -> TargetLun:
    words, at = [], 0
    for word in token.text.split(" "):
        words.append((at, word))
        at += len(word) + 1
    (_, _), (_, target), (_, number), (backing_at, backing) = words[:4]
    keys: dict[str, tuple[int, str]] = {}
    for start, word in words[4:]:
        key, _, value = word.partition("=")
        keys[key] = (start, value)
    spans = {"backing": (token, backing_at, backing_at + len(backing))}
    for field, key in (("identity", "id"), ("cache", "cache")):
        if key in keys:
            start, value = keys[key]
            spans[field] = (token, start, start + len(key) + 1 + len(value))
    written = keys["id"][1] if "id" in keys else None
    chap = []
    for key, scope in (("user", "target"), ("discovery", "discovery")):
        if key in keys:
            user, _, secret = keys[key][1].partition(":")
            chap.append(ChapAccount("incoming", user, secret, scope, anchor=token))  # type: ignore[arg-type]
    opened = keys.get("open", (0, "no"))[1] == "yes"
    incoming = [a for a in chap if a.scope == "target"]
    return TargetLun(
        implementation=cast(Implementation, keys.get("impl", (0, "tgt"))[1]),
        target=target,
        lun=int(number),
        backing=backing,
        backing_kind="rdwr",
        identity=LunIdentity(
            vendor="FAKE",
            product="DISK",
            serial=written or f"{target}:{number}",
            wwid=wwid_of(written or f"{target}:{number}"),
            source="explicit" if written else "default",
            reason=None if written else "numbered from the target and LUN on every server",
            written=written,
        ),
        cache="write-back" if keys.get("cache", (0, ""))[1] == "wb" else "write-through",
        access=TargetAccess(
            open=opened and not incoming,
            chap_required=bool(incoming),
            reason="no initiator-address and no incominguser" if opened else None,
        ),
        cache_reason="write-cache on" if keys.get("cache", (0, ""))[1] == "wb" else None,
        chap=tuple(chap),
        anchor=token,
        anchors={"target": token, "lun": token},
        spans=spans,
    )


def model(doc: Document[Any]) -> FakeConfig:
    return FakeConfig(doc)


def directives(doc: Document[Any]) -> list[Directive]:
    return [Directive("lun", c.text.split()[1:]) for c in doc.root.children if isinstance(c, Token)]


def build(items: list[Directive]) -> str:
    return "".join(f"lun {' '.join(d.args)}\n" for d in items)


def sniff(text: str) -> bool:
    return False


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``fake-targets.conf`` a target kind of the registry for one test."""
    from xsanconf import formats

    found = formats.FormatEntry(
        KIND,
        __name__,
        "a synthetic target format (tests)",
        lambda p: p.name == "fake-targets.conf",
        (r"fake-targets\.conf",),
        targets=True,
        editable=False,
    )
    monkeypatch.setattr(formats, "_ENTRIES", (*formats._ENTRIES, found))
    monkeypatch.setattr(formats, "_BY_KIND", {**formats._BY_KIND, KIND: found})
    monkeypatch.setattr(formats, "KINDS", (*formats.KINDS, KIND))
