"""The public parse/build API: ``loads``/``dumps`` on text, ``load``/``dump`` on files."""

from __future__ import annotations

import os

from xsanconf.document import Document
from xsanconf.errors import ParseError
from xsanconf.formats import codec, detect_kind
from xsanconf.syntax import Node, Token

__all__ = ["dump", "dumps", "load", "loads", "read_text", "write_text"]

# Files are text in whatever bytes they hold: undecodable bytes survive as lone surrogates.
ENCODING = "utf-8"
ERRORS = "surrogateescape"


def loads(text: str, kind: str, *, path: str | None = None, recover: bool = False) -> Document:
    """Parse ``text`` as ``kind``; raises :class:`ParseError` for input the format rejects.

    With ``recover=True`` bad input gives a document that still renders to ``text`` and whose
    ``problems`` hold the errors: where the format tolerates the input (a section left open at
    the end of the file) the full model is kept; otherwise the tree is one opaque ``RAW`` token
    and the model is empty.
    """
    try:
        nul = text.find("\x00")
        if nul >= 0:
            raise ParseError.at(text, nul, "binary data (NUL byte): not a text file", path=path)
        fmt = codec(kind)
        root = fmt.parse(text, path)
    except ParseError as error:
        if not recover:
            raise
        doc = Document(kind, Node("unparsed", [Token("RAW", text)] if text else []), path)
        doc.problems.append(error)
        return doc
    doc = Document(kind, root, path)
    # Input a format tolerates but should not be trusted with (a section left open at the end
    # of the file): strict loading refuses it, recovery keeps the whole model and the problem.
    check = getattr(fmt, "problems", None)
    if check is not None:
        doc.problems.extend(check(doc, text))
        if doc.problems and not recover:
            raise doc.problems[0]
    return doc


def dumps(doc: Document) -> str:
    return doc.render()


def read_text(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        return handle.read().decode(ENCODING, ERRORS)


def load(
    path: str | os.PathLike[str], kind: str | None = None, *, recover: bool = False
) -> Document:
    """Read and parse a file; the kind comes from its name and location, else its content."""
    name = os.fspath(path)
    text = read_text(name)
    if kind is None:
        kind = detect_kind(name, text)
        if kind is None:
            raise ParseError(
                "cannot tell which format this file is; pass a kind", line=1, column=1, path=name
            )
    doc = loads(text, kind, path=name, recover=recover)
    doc.loaded_text = text
    return doc


def write_text(
    path: str | os.PathLike[str], text: str, *, expected: str | None = None, force: bool = False
) -> None:
    """Replace a file atomically: a temporary file beside it, then a rename; mode and owner
    kept, written through symbolic links; ``expected``, the text read before, must still be
    the file's.  Raises :class:`xsanconf.writing.WriteError` (an ``OSError``) saying why not.
    See :mod:`xsanconf.writing` for hard links and read-only files (``force``)."""
    from xsanconf.writing import replace_file

    before = None if expected is None else expected.encode(ENCODING, ERRORS)
    replace_file(path, text.encode(ENCODING, ERRORS), expected=before, force=force)


def dump(doc: Document, path: str | os.PathLike[str] | None = None, *, force: bool = False) -> None:
    """Write ``doc`` to ``path`` (default: where it was read from), atomically.

    Written back where :func:`load` read it, the file must still hold the text that was read:
    another program's change is never overwritten (:class:`xsanconf.writing.ChangedOnDiskError`).
    """
    target = path if path is not None else doc.path
    if target is None:
        raise ValueError("the document has no path; pass one")
    expected = doc.loaded_text if path is None else None
    write_text(target, doc.render(), expected=expected, force=force)
    doc.loaded_text = doc.render() if path is None else doc.loaded_text
