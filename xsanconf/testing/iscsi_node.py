"""Hypothesis strategies for open-iscsi record files (iscsid.conf's syntax between markers)."""

from __future__ import annotations

from hypothesis import strategies as st

from xsanconf.testing.iscsid import iscsid_documents_with_settings

__all__ = ["iscsi_node_documents", "iscsi_node_documents_with_settings"]

_VERSIONS = st.sampled_from(["2.0-873", "2.0-874", "2.1.8", "6.2.0.874", ""])
_NEWLINE = st.sampled_from(["\n", "\n", "\r\n"])
_END_NEWLINE = st.sampled_from(["\n", "\r\n", ""])


@st.composite
def iscsi_node_documents_with_settings(
    draw: st.DrawFn,
) -> tuple[str, list[tuple[str, str]], str | None]:
    """A record text, the ``(name, value)`` pairs idbm reads from it, and the version its
    ``# BEGIN RECORD`` line names (None: no marker, or one without a version).

    The markers are optional and may stand anywhere a comment may: idbm skips them as comments.
    """
    body, read = draw(iscsid_documents_with_settings())
    if not draw(st.booleans()):
        return body, read, None
    version = draw(_VERSIONS)
    begin = "# BEGIN RECORD" + (f" {version}" if version else "") + draw(_NEWLINE)
    # a body whose last line has no newline ends the file: a marker after it would join it
    end = "" if body and not body.endswith("\n") else "# END RECORD" + draw(_END_NEWLINE)
    return begin + body + end, read, version or None


@st.composite
def iscsi_node_documents(draw: st.DrawFn) -> str:
    """A record text: markers, settings, dropped lines, comments, blank lines, CRLF."""
    return draw(iscsi_node_documents_with_settings())[0]
