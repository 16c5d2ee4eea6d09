"""The public parse/build API: ``loads``/``dumps`` on text, ``load``/``dump`` on files."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Literal, overload

from xsanconf.document import Document
from xsanconf.errors import ParseError
from xsanconf.formats import codec, detect_kind
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.formats.drbd import DrbdConfig
    from xsanconf.formats.iet_access import IetAccessFile
    from xsanconf.formats.ietd import IetConfig
    from xsanconf.formats.init_script import InitScript
    from xsanconf.formats.initiatorname import InitiatorNameFile
    from xsanconf.formats.iscsid import IscsidConfig
    from xsanconf.formats.modprobe import ModprobeConfig
    from xsanconf.formats.modules import ModulesConfig
    from xsanconf.formats.multipath import MultipathConfig
    from xsanconf.formats.shell_vars import ShellVars
    from xsanconf.formats.systemd_unit import SystemdUnit
    from xsanconf.formats.xen_domain import XenConfig
    from xsanconf.formats.xend_config import XendConfig
    from xsanconf.formats.xl_conf import XlConf

__all__ = ["dump", "dumps", "load", "loads", "read_text", "write_text"]

# Files are text in whatever bytes they hold: undecodable bytes survive as lone surrogates.
ENCODING = "utf-8"
ERRORS = "surrogateescape"
# Lone surrogates that surrogateescape cannot encode: text no file read as above produces, that
# the codecs cannot measure in bytes and that no file could be written with.
_NOT_FILE_TEXT = re.compile("[\ud800-\udc7f\udd00-\udfff]")


# Each kind's document is typed with its model (``loads(text, "drbd").model`` is a DrbdConfig);
# a kind only known at run time gives a Document[Any].
@overload
def loads(
    text: str, kind: Literal["drbd"], *, path: str | None = None, recover: bool = False
) -> Document[DrbdConfig]: ...
@overload
def loads(
    text: str, kind: Literal["ietd"], *, path: str | None = None, recover: bool = False
) -> Document[IetConfig]: ...
@overload
def loads(
    text: str, kind: Literal["iet-access"], *, path: str | None = None, recover: bool = False
) -> Document[IetAccessFile]: ...
@overload
def loads(
    text: str, kind: Literal["iscsid"], *, path: str | None = None, recover: bool = False
) -> Document[IscsidConfig]: ...
@overload
def loads(
    text: str, kind: Literal["initiatorname"], *, path: str | None = None, recover: bool = False
) -> Document[InitiatorNameFile]: ...
@overload
def loads(
    text: str, kind: Literal["multipath"], *, path: str | None = None, recover: bool = False
) -> Document[MultipathConfig]: ...
@overload
def loads(
    text: str, kind: Literal["modprobe"], *, path: str | None = None, recover: bool = False
) -> Document[ModprobeConfig]: ...
@overload
def loads(
    text: str, kind: Literal["modules"], *, path: str | None = None, recover: bool = False
) -> Document[ModulesConfig]: ...
@overload
def loads(
    text: str, kind: Literal["init-script"], *, path: str | None = None, recover: bool = False
) -> Document[InitScript]: ...
@overload
def loads(
    text: str, kind: Literal["systemd-unit"], *, path: str | None = None, recover: bool = False
) -> Document[SystemdUnit]: ...
@overload
def loads(
    text: str, kind: Literal["xend-config"], *, path: str | None = None, recover: bool = False
) -> Document[XendConfig]: ...
@overload
def loads(
    text: str, kind: Literal["xl-conf"], *, path: str | None = None, recover: bool = False
) -> Document[XlConf]: ...
@overload
def loads(
    text: str, kind: Literal["xen-domain"], *, path: str | None = None, recover: bool = False
) -> Document[XenConfig]: ...
@overload
def loads(
    text: str, kind: Literal["shell-vars"], *, path: str | None = None, recover: bool = False
) -> Document[ShellVars]: ...
@overload
def loads(
    text: str, kind: str, *, path: str | None = None, recover: bool = False
) -> Document[Any]: ...
def loads(text: str, kind: str, *, path: str | None = None, recover: bool = False) -> Document[Any]:
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
        stray = _NOT_FILE_TEXT.search(text)
        if stray is not None:
            raise ParseError.at(
                text,
                stray.start(),
                f"lone surrogate U+{ord(stray.group()):04X}: no file holds it (read from a file, "
                "only U+DC80..U+DCFF stand for bytes that are not UTF-8)",
                path=path,
            )
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
    if fmt.entry.problems:
        doc.problems.extend(fmt.problems(doc, text))
        if doc.problems and not recover:
            raise doc.problems[0]
    return doc


def dumps(doc: Document) -> str:
    return doc.render()


def read_text(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        return handle.read().decode(ENCODING, ERRORS)


@overload
def load(
    path: str | os.PathLike[str], kind: Literal["drbd"], *, recover: bool = False
) -> Document[DrbdConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["ietd"], *, recover: bool = False
) -> Document[IetConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["iet-access"], *, recover: bool = False
) -> Document[IetAccessFile]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["iscsid"], *, recover: bool = False
) -> Document[IscsidConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["initiatorname"], *, recover: bool = False
) -> Document[InitiatorNameFile]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["multipath"], *, recover: bool = False
) -> Document[MultipathConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["modprobe"], *, recover: bool = False
) -> Document[ModprobeConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["modules"], *, recover: bool = False
) -> Document[ModulesConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["init-script"], *, recover: bool = False
) -> Document[InitScript]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["systemd-unit"], *, recover: bool = False
) -> Document[SystemdUnit]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["xend-config"], *, recover: bool = False
) -> Document[XendConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["xl-conf"], *, recover: bool = False
) -> Document[XlConf]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["xen-domain"], *, recover: bool = False
) -> Document[XenConfig]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: Literal["shell-vars"], *, recover: bool = False
) -> Document[ShellVars]: ...
@overload
def load(
    path: str | os.PathLike[str], kind: str | None = None, *, recover: bool = False
) -> Document[Any]: ...
def load(
    path: str | os.PathLike[str], kind: str | None = None, *, recover: bool = False
) -> Document[Any]:
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
