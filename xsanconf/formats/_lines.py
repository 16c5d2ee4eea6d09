"""What the flat line formats share for editing: selectors that name one key, one-line values,
and adding a line at the end of a file.

initiatorname.iscsi, /etc/default files, iscsid.conf, xend-config.sxp and the Xen configs are
lists of ``key = value`` lines with no sections, so a selector names a key and nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xsanconf import edit
from xsanconf.select import SelectorError, Step, parse_selector
from xsanconf.syntax import Node, Token, Trivia, render

if TYPE_CHECKING:
    from xsanconf.document import Document

__all__ = [
    "LineView",
    "append_last_line",
    "check_one_line",
    "plain_key",
    "remove_line",
    "steps_of",
]


def steps_of(selector: str) -> list[Step]:
    """The selector's steps, with surrounding blanks a shell quote may have kept removed."""
    return parse_selector(selector.strip())


def plain_key(selector: str, kind: str, example: str) -> str:
    """The one key a flat format's selector names (``ISCSITARGET_ENABLE``)."""
    steps = steps_of(selector)
    if len(steps) != 1 or steps[0].filter is not None:
        raise SelectorError(
            f"selector {selector!r}: a {kind} file has no sections; name one key, e.g. {example}"
        )
    return steps[0].name


def check_one_line(value: str) -> str:
    """``value`` itself; a value with a line break cannot be a line's value."""
    if "\n" in value or "\r" in value:
        raise ValueError(f"a value must fit on one line: {value!r}")
    return value


def append_last_line(root: Node, token: Node | Token) -> None:
    """Add ``token`` (or a section node) as the file's last line; a last line without a
    newline first gets one."""
    children = root.children
    newline = edit.newline_style(root)
    if children and not render(children[-1]).endswith("\n"):
        children.append(Trivia(newline))
    children.extend([token, Trivia(newline)])


def remove_line(root: Node, container: Node, child: Token) -> None:
    """Remove ``child``'s line from a section node whose last line ends in ``root``.

    Tokenizers leave the newline after a section's last line to the file, so when that line
    goes, the line above it, now the last, gives its own end back to the file in place of the
    removed line's.
    """
    was_last = bool(container.children) and container.children[-1] is child
    edit.remove_child(container, child)
    if container is root or not was_last or not container.children:
        return
    last = container.children[-1]
    at = edit.index_of(root, container) + 1
    tail = root.children[at] if at < len(root.children) else None
    if not (isinstance(last, Trivia) and last.text.endswith("\n")):
        return
    if isinstance(tail, Trivia) and not tail.text.strip():
        if tail.text.endswith("\n"):
            container.children.pop()
            root.children[at] = last
        elif tail is root.children[-1]:
            del root.children[at]  # the blanks that ended the file's unterminated last line


class LineView:
    """A view of one significant line of a flat file: its token, where it is, and removing it.

    The line formats' entry views (``InitiatorEntry``, ``ShellAssignment``, ``ModulesLine``,
    ``XendEntry``) share this much; each reads its own syntax from ``token.text``.
    """

    __slots__ = ("doc", "token")

    def __init__(self, doc: Document, token: Token) -> None:
        self.doc = doc
        self.token = token

    @property
    def position(self) -> tuple[int, int]:
        return self.doc.position(self.token)

    def remove(self) -> None:
        """Remove the line (its indentation and line end with it)."""
        edit.remove_child(self.doc.root, self.token)
        self.doc.touched()
