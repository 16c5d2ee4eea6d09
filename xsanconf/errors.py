"""Errors raised for input that cannot be read as the format it claims to be."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["BuildError", "ParseError", "line_col"]


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of character offset ``pos`` in ``text``."""
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return line, column


class BuildError(ValueError):
    """Data that no text of its kind reads back as: ``from_data`` refuses it rather than write
    text that does not parse, or that a daemon would read as something else."""


class ParseError(ValueError):
    """The input is not valid for its format.

    ``line`` and ``column`` are 1-based and point inside the input (for an unexpected end of
    input, just past its last character); ``expected`` names what would have been accepted.
    ``str(error)`` is ``path:line:col: message`` followed by the offending line and a caret.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int,
        column: int,
        path: str | None = None,
        expected: Sequence[str] = (),
        source_line: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        self.expected = tuple(expected)
        self.source_line = source_line

    @classmethod
    def at(
        cls,
        text: str,
        pos: int,
        message: str,
        *,
        path: str | None = None,
        expected: Sequence[str] = (),
    ) -> ParseError:
        line, column = line_col(text, pos)
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", start)
        source = text[start : end if end >= 0 else len(text)].rstrip("\r")
        return cls(
            message,
            line=line,
            column=column,
            path=path,
            expected=expected,
            source_line=source,
        )

    def with_path(self, path: str) -> ParseError:
        self.path = path
        return self

    @property
    def location(self) -> str:
        return f"{self.path or '<string>'}:{self.line}:{self.column}"

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}"
        if self.source_line is None:
            return head
        shown = self.source_line.encode("utf-8", "backslashreplace").decode("utf-8")
        # keep tabs so the caret lines up under the offending character
        caret = "".join("\t" if ch == "\t" else " " for ch in shown[: self.column - 1]) + "^"
        return f"{head}\n    {shown}\n    {caret}"
