"""Plain data for any document, crossplane style: a list of directives with arguments and blocks.

:func:`to_data` and :func:`from_data` go through cattrs, so JSON export and import need no
hand-written dict code.  Data carries meaning, not layout: :func:`from_data` renders it in the
format's canonical style.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import cattrs

    from xsanconf.document import Document

__all__ = ["ConfigData", "Directive", "RedactedSecretError", "from_data", "to_data"]


@attrs.define
class Directive:
    """One statement or section: ``name args... ;`` or ``name args... { block }``.

    ``line`` is where it starts in its file (absent for data that was not parsed from text).
    """

    name: str
    args: list[str] = attrs.field(factory=list)
    block: list[Directive] | None = None
    line: int | None = None


@attrs.define
class ConfigData:
    kind: str
    directives: list[Directive] = attrs.field(factory=list)
    path: str | None = None


@cache
def _converter() -> cattrs.Converter:
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn

    converter = cattrs.Converter()
    # Absent lines and blocks are left out so that data written by hand stays short.
    converter.register_unstructure_hook(
        Directive,
        make_dict_unstructure_fn(Directive, converter, _cattrs_omit_if_default=True),
    )
    return converter


REDACTED = "********"


def to_data(doc: Document, *, redact_secrets: bool = False) -> dict[str, Any]:
    """Plain data for ``doc``; with ``redact_secrets`` passwords and keys read ``********``.

    A codec names its secrets with a ``redact(directive) -> Directive`` function.
    """
    directives = doc.codec.directives(doc)
    if redact_secrets and doc.codec.secrets:
        directives = _redacted(directives, doc.codec.redact)
    data = ConfigData(kind=doc.kind, directives=directives, path=doc.path)
    result: dict[str, Any] = _converter().unstructure(data)
    return result


def _redacted(items: list[Directive], redact: Callable[[Directive], Directive]) -> list[Directive]:
    out = []
    for item in items:
        clean = redact(item)
        if clean.block is not None:
            clean = attrs.evolve(clean, block=_redacted(clean.block, redact))
        out.append(clean)
    return out


class RedactedSecretError(ValueError):
    """Data whose secret was replaced by ``********`` on export: building it would write the
    placeholder as the real password."""


def from_data(data: dict[str, Any], kind: str | None = None) -> Document:
    """A document rendered from plain data (``kind`` overrides the data's own).

    Raises :class:`RedactedSecretError` when a secret holds the redaction placeholder (data
    exported without ``--show-secrets``): the placeholder is never written as a password.
    The text is read back before it is returned: :class:`~xsanconf.errors.BuildError` when it
    would not parse, or would read as other data (a value the format's syntax cannot hold).
    """
    from xsanconf.api import loads
    from xsanconf.errors import BuildError, ParseError
    from xsanconf.formats import codec

    if kind is not None:
        data = {**data, "kind": kind}
    config = _converter().structure(data, ConfigData)
    _refuse_redacted(config)
    fmt = codec(config.kind)
    refused = f"no {config.kind} text reads back as this data"
    try:
        doc = loads(fmt.build(config.directives), config.kind)
    except ParseError as error:
        raise BuildError(f"{refused}: the text would not parse ({error.message})") from None
    except ValueError as error:  # a value the codec's build refuses outright
        raise BuildError(f"{refused}: {error}") from None
    wanted, got = _unplaced(config.directives), _unplaced(fmt.directives(doc))
    if wanted != got:
        raise BuildError(f"{refused}: {_difference(wanted, got)}")
    doc.path = config.path
    return doc


# Stands in for the placeholder while the codec's own ``redact`` shows which arguments are
# secrets: a secret argument holding the placeholder comes back redacted, without the probe.
_PROBE = "xsanconfRedactionProbe"


def _refuse_redacted(config: ConfigData) -> None:
    from xsanconf.formats import codec

    found = codec(config.kind)
    if not found.secrets:
        return
    redact = found.redact
    for item in _walk(config.directives):
        if not any(REDACTED in arg for arg in item.args):
            continue
        probe = Directive(item.name, [a.replace(REDACTED, _PROBE) for a in item.args])
        before = sum(a.count(_PROBE) for a in probe.args)
        after = sum(a.count(_PROBE) for a in redact(probe).args)
        if after < before:
            where = f" (line {item.line})" if item.line is not None else ""
            raise RedactedSecretError(
                f"'{item.name}'{where} holds {REDACTED}, the placeholder `xsanconf parse --json` "
                "prints for a secret, not the secret itself; building it would write the "
                "placeholder as the password. Export with `xsanconf parse --json --show-secrets`"
            )


def _walk(items: list[Directive]) -> Iterator[Directive]:
    for item in items:
        yield item
        if item.block:
            yield from _walk(item.block)


def _unplaced(items: list[Directive]) -> list[Directive]:
    """``items`` without their line numbers (data written by hand has none)."""
    return [
        attrs.evolve(item, line=None, block=None if item.block is None else _unplaced(item.block))
        for item in items
    ]


def _difference(wanted: list[Directive], got: list[Directive]) -> str:
    """The first directive that would read back otherwise, for the error message."""
    for index, item in enumerate(wanted):
        back = got[index] if index < len(got) else None
        if item == back:
            continue
        if (
            back is not None
            and item.block is not None
            and back.block is not None
            and (item.name, item.args) == (back.name, back.args)
        ):
            return _difference(item.block, back.block)
        shown = f"{item.name} {item.args}" if item.args else repr(item.name)
        if back is None:
            return f"{shown} would not be read back"
        again = f"{back.name} {back.args}" if back.args else repr(back.name)
        return f"{shown} would read back as {again}"
    return f"the text would read back with {len(got) - len(wanted)} more directives"
