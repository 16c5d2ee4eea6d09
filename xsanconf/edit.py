"""Line-aware edits on a container's children, shared by every format's model.

An edit only adds, removes or replaces leaves, so everything it does not touch re-renders
byte for byte.  New lines borrow the indentation and newline style of their neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence

from xsanconf.syntax import Node, Token, Trivia, leaves

__all__ = [
    "aligned_gap",
    "append_line",
    "display_width",
    "index_of",
    "indent_before",
    "indent_unit",
    "line_starts",
    "insert_line_after",
    "newline_style",
    "pad_to",
    "remove_child",
    "replace_child",
]

Child = Node | Token | Trivia


def index_of(container: Node, child: Child) -> int:
    for i, c in enumerate(container.children):
        if c is child:
            return i
    raise ValueError("not a child of this container")


def _is_indent(item: Child) -> bool:
    return isinstance(item, Trivia) and "\n" not in item.text and not item.text.strip()


def _ends_line(item: Child) -> bool:
    return isinstance(item, Trivia) and item.text.endswith("\n")


def _starts_line(children: Sequence[Child], i: int) -> bool:
    """Whether ``children[i]`` is the first non-blank thing on its line (within the container)."""
    j = i - 1
    if j >= 0 and _is_indent(children[j]):
        j -= 1
    return j < 0 or _ends_line(children[j])


def indent_before(container: Node, child: Child) -> str:
    """The indentation of ``child``'s line if it starts the line, else ``""``."""
    i = index_of(container, child)
    children = container.children
    before = children[i - 1] if i > 0 else None
    if isinstance(before, Trivia) and _is_indent(before) and _starts_line(children, i):
        return before.text
    return ""


def indent_unit(root: Node, default: str = "\t") -> str:
    """The document's indentation step: a tab, or the smallest run of spaces used to indent."""
    widths: set[int] = set()
    previous_ended_line = True
    for leaf in leaves(root):
        if isinstance(leaf, Trivia):
            text = leaf.text
            if previous_ended_line and "\n" not in text and text and not text.strip():
                if text.startswith("\t"):
                    return "\t"
                widths.add(len(text) - len(text.lstrip(" ")))
            previous_ended_line = text.endswith("\n")
        else:
            previous_ended_line = False
    widths.discard(0)
    return " " * min(widths) if widths else default


def newline_style(root: Node) -> str:
    for leaf in leaves(root):
        if isinstance(leaf, Trivia) and leaf.text.endswith("\n"):
            return "\r\n" if leaf.text.endswith("\r\n") else "\n"
    return "\n"


def remove_child(container: Node, child: Child) -> None:
    """Remove ``child``; when it stands alone on its line, the whole line goes with it."""
    children = container.children
    i = index_of(container, child)
    start, end = i, i + 1
    alone_start = _starts_line(children, i)
    if alone_start and i > 0 and _is_indent(children[i - 1]):
        start = i - 1
    if alone_start and end < len(children) and _ends_line(children[end]):
        end += 1  # its line end, with any comment on the same line
    elif end < len(children) and _is_indent(children[end]):
        end += 1  # the space before the next item on the same line
    elif not alone_start and start > 0 and _is_indent(children[start - 1]):
        start -= 1
    del children[start:end]


def replace_child(container: Node, old: Child, new: Child) -> None:
    container.children[index_of(container, old)] = new


def _line_end_index(children: Sequence[Child], i: int) -> int:
    """Index just past the trivia that ends the line ``children[i]`` is on (or len)."""
    j = i + 1
    while j < len(children):
        if _ends_line(children[j]):
            return j + 1
        if not isinstance(children[j], Trivia):
            return j
        j += 1
    return j


def insert_line_after(
    container: Node, anchor: Child | None, item: Child, indent: str, newline: str
) -> None:
    """Insert ``item`` on a line of its own after ``anchor``'s line (at the top if ``None``)."""
    children = container.children
    if anchor is None:
        at = 0
    else:
        at = _line_end_index(children, index_of(container, anchor))
        if at > 0 and not _ends_line(children[at - 1]):
            # the anchor's line has no newline yet (last line of a file): give it one
            children.insert(at, Trivia(newline))
            at += 1
    new: list[Child] = [Trivia(indent)] if indent else []
    new += [item, Trivia(newline)]
    children[at:at] = new


def append_line(
    container: Node, item: Child, indent: str, newline: str, close_indent: str = ""
) -> None:
    """Append ``item`` as the last line inside a section whose last child closes it (``}``).

    A section closed on the same line as other content (``net { }``) is opened up.
    """
    children = container.children
    close = len(children) - 1
    line: list[Child] = [*([Trivia(indent)] if indent else []), item, Trivia(newline)]
    if _starts_line(children, close):
        at = close - 1 if close > 0 and _is_indent(children[close - 1]) else close
        children[at:at] = line
        return
    if close > 0 and _is_indent(children[close - 1]):
        del children[close - 1]
        close -= 1
    children[close:close] = [
        Trivia(newline),
        *line,
        *([Trivia(close_indent)] if close_indent else []),
    ]


def display_width(text: str) -> int:
    """How many columns ``text`` takes on a terminal (tabs stop every 8 columns)."""
    return len(text.expandtabs(8))


def pad_to(head: str, column: int, tabs: bool) -> str:
    """Blanks that take a line starting with ``head`` to display ``column`` (at least one)."""
    width = display_width(head)
    if width >= column:
        return "\t" if tabs else " "
    if not tabs:
        return " " * (column - width)
    out = ""
    while (width // 8 + 1) * 8 <= column:
        out += "\t"
        width = (width // 8 + 1) * 8
    return out + " " * (column - width)


def aligned_gap(samples: Sequence[tuple[str, str]], head: str, default: str = " ") -> str:
    """The blanks to write after ``head`` (a new line up to its value) in the siblings' style.

    ``samples`` hold, for sibling lines, the text before the gap (indentation included) and
    the gap itself.  When the siblings' values all start in one display column and the file
    pads to it (keywords of different widths, or a gap wider than one blank), the value goes to that
    column too, with tabs when the siblings pad with tabs; otherwise the commonest gap.
    """
    if not samples:
        return default
    columns = {display_width(before + gap) for before, gap in samples}
    gaps = [gap for _, gap in samples]
    heads = {display_width(before) for before, _ in samples}
    padded = len(heads) > 1 or any(len(g) > 1 for g in gaps)  # not one blank by chance
    if len(columns) == 1 and padded:
        return pad_to(head, columns.pop(), any("\t" in g for g in gaps))
    common = max(gaps, key=gaps.count)  # the first of the commonest, for a stable result
    return common if common in (" ", "\t") else default


def line_starts(text: str) -> list[int]:
    """Where each line starts; lines end at ``\\n`` only, as :meth:`Document.position` counts."""
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts
