"""Baselines: report only the findings that were not there before.

``xsanlint --update-baseline --baseline FILE`` records the current findings; ``xsanlint
--baseline FILE`` then reports only findings the file does not hold, so errors that were
already there do not block every commit (etckeeper, pre-commit) while new ones do.

A finding is keyed, as ruff's and pylint's baselines key theirs, by what it says rather than
where: the rule code, the host, the file (its path inside the host root, so the same tree gives
the same keys whatever path it is linted at) and a fingerprint of the offending statement's
text and of the message with line and column numbers taken out.  Lines inserted above a
finding, or an unrelated edit elsewhere in the file, leave its key alone; editing the statement
itself makes it new.  Identical keys are counted, so a second copy of a baselined mistake is
reported.  Secrets are masked before anything is hashed, and only hashes are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xsanconf.lint.diagnostics import Diagnostic
    from xsanconf.lint.site import Site

__all__ = ["BaselineError", "Key", "keys", "new_findings", "read_baseline", "write_baseline"]

FORMAT = 1
Key = tuple[str, str, str, str]  # code, host, file, fingerprint
SourceLine = Callable[[str, int], "str | None"]

# `file:12:3`, `:12`, "line 12": positions that move when lines are inserted above
_POSITIONS = re.compile(r"(?<=:)\d+(?::\d+)?\b|\b(?<=line )\d+\b")
_BLANKS = re.compile(r"\s+")


class BaselineError(ValueError):
    """A baseline file that cannot be read or written: a usage error."""


def keys(findings: list[Diagnostic], site: Site, source_line: SourceLine) -> list[Key]:
    """Each finding's key (findings and source lines with secrets already masked)."""
    found = []
    for d in findings:
        loc = d.location
        file = site.file_at(loc.path)
        rel = file.rel if file is not None else loc.path
        statement = _BLANKS.sub(" ", source_line(loc.path, loc.line) or "").strip()
        message = _POSITIONS.sub("N", d.message)
        digest = hashlib.sha256(f"{d.code}\0{statement}\0{message}".encode("utf-8", "replace"))
        found.append((d.code, loc.host or "", rel, digest.hexdigest()[:20]))
    return found


def new_findings(findings: list[Diagnostic], found: list[Key], baseline: Counter[Key]) -> list[int]:
    """Indexes of the findings the baseline does not hold (each baselined key absorbs as many
    findings as its count)."""
    left = Counter(baseline)
    fresh = []
    for index, key in enumerate(found):
        if left[key] > 0:
            left[key] -= 1
        else:
            fresh.append(index)
    return fresh


def read_baseline(path: Path) -> Counter[Key]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline; write it with --update-baseline --baseline {path}"
        ) from None
    except OSError as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error.strerror}") from None
    except ValueError as error:
        raise BaselineError(f"{path}: not a baseline file: {error}") from None
    counts: Counter[Key] = Counter()
    try:
        if data["format"] != FORMAT:
            raise BaselineError(f"{path}: baseline format {data['format']!r} is not {FORMAT}")
        for entry in data["findings"]:
            key = (entry["code"], entry["host"], entry["file"], entry["fingerprint"])
            if not all(isinstance(part, str) for part in key):
                raise TypeError("a key part is not a string")
            counts[key] += int(entry["count"])
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, BaselineError):
            raise
        raise BaselineError(f"{path}: not a baseline file: {error!r}") from None
    return counts


def write_baseline(path: Path, found: list[Key]) -> int:
    """Write the keys to ``path`` atomically (a temporary file beside it, then a rename); how
    many findings it holds."""
    counts = Counter(found)
    entries = [
        {"code": code, "host": host, "file": file, "fingerprint": fingerprint, "count": n}
        for (code, host, file, fingerprint), n in sorted(counts.items())
    ]
    text = json.dumps({"format": FORMAT, "tool": "xsanlint", "findings": entries}, indent=1)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise BaselineError(f"{path}: cannot write the baseline: {error.strerror}") from None
    return sum(counts.values())
