"""iscsid.conf values as open-iscsi's record reader takes them (``usr/idbm.c``).

``idbm_rec_update_param`` compares an enumeration (``node.startup``) and a Yes/No option with
``strcmp`` against its exact spellings; anything else is an unknown value, the line is ignored
and the record keeps its compiled-in default.  Numbers are read with ``strtoul`` and no error
check: text that does not start with a digit reads as 0, and a negative number wraps
(``15s`` reads as 15, as meant).  iscsid starts either way, so every finding here is a
warning.  The reading has not changed across open-iscsi releases, so the versions are not consulted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from xsanconf.domain.numerals import read_signed_int
from xsanconf.formats.iscsid.keys import read_c_integer
from xsanconf.lint.diagnostics import Severity
from xsanconf.lint.values import Invalid

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["invalid_values"]

# what strtoul reads as the number it shows (``15s`` is 15: the unit is only noise)
_NUMBER_FIRST = re.compile(r"[ \t\n\r\v\f]*([+-]?[0-9]+)")


def invalid_values(file: SiteFile, versions: Sequence[str]) -> Iterator[Invalid]:
    """Each enumeration or Yes/No value iscsid ignores, and each number it reads otherwise."""
    for entry in file.doc.model.entries:
        spec = entry.spec
        if spec is None or entry.secret or entry.inline_comment is not None:
            continue  # unknown keys: SYN002; a '# ...' in the value: SYN005
        if entry.dropped is not None:
            continue  # the line is not read at all: SYN005
        value = entry.value
        message = None
        if spec.type in ("enum", "bool") and value not in spec.options:
            default = spec.default if spec.type == "enum" else ("Yes" if spec.default else "No")
            choices = ", ".join(spec.options)
            message = (
                f"'{value}' is not a value of {entry.key} ({choices}; exact case): iscsid "
                f"ignores the line and keeps the default, {default}"
            )
        elif spec.type == "int":
            read = read_c_integer(value, spec.bits)
            number = _NUMBER_FIRST.match(value)
            if number is None or read_signed_int(number.group(1)) != read:
                message = (
                    f"'{value}' is not a number {entry.key} can hold: iscsid reads it as "
                    f"{read} (strtoul reads no digits as 0, and a negative number wraps in an "
                    "unsigned field)"
                )
        if message is not None:
            yield Invalid(file.location(entry.token), message, Severity.WARNING)
