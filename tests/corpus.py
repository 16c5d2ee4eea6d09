"""Access to the shared real-world corpus (``../shared/corpus`` beside the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from xsanconf.formats import detect_kind

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"

# The folder a file sits in says its format family; its original path says the exact kind.
FOLDER_DEFAULT = {
    "drbd": "drbd",
    "ietd": "ietd",
    "iscsid": "iscsid",
    "modprobe": "modprobe",
    "multipath": "multipath",
}


def original_path(file: Path) -> str:
    """The path the file had in its repository (``NNN__owner__repo__a__b`` -> ``a/b``)."""
    parts = file.name.split("__")
    return "/".join(parts[3:]) if len(parts) > 3 else file.name


# Kinds each folder may hold; a name that means another family elsewhere (multipath's
# `drbd.conf` blacklist drop-in) takes the folder's kind.
FOLDER_KINDS = {
    "drbd": {"drbd"},
    "ietd": {"ietd", "iet-access"},
    "iscsid": {"iscsid", "initiatorname"},
    "modprobe": {"modprobe", "modules"},
    "multipath": {"multipath"},
}


def corpus_kind(file: Path) -> str:
    folder = file.parent.name
    path = original_path(file)
    if "modules-load" in path:  # a modules-load.d file kept under another name upstream
        return "modules"
    kind = detect_kind(path)
    return kind if kind in FOLDER_KINDS[folder] else FOLDER_DEFAULT[folder]


def corpus_files(*folders: str) -> list[object]:
    """pytest params, one per corpus file; one skip param with the reason when there is none."""
    if not CORPUS.is_dir():
        return [
            pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=f"{CORPUS} is absent"))
        ]
    files = sorted(f for folder in folders for f in (CORPUS / folder).iterdir() if f.is_file())
    return [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in files]


def read(file: Path) -> str:
    return file.read_bytes().decode("utf-8", "surrogateescape")
