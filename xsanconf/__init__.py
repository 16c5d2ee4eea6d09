"""xsanconf: lossless parsers and typed models for Linux shared-storage configuration.

    >>> import xsanconf
    >>> doc = xsanconf.loads("resource r0 {\\n  protocol C;\\n}\\n", "drbd")
    >>> doc.model.resources[0].name
    'r0'
    >>> xsanconf.dumps(doc) == "resource r0 {\\n  protocol C;\\n}\\n"
    True

The names below are imported on first use, so ``import xsanconf`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "Document",
    "ParseError",
    "__version__",
    "detect_kind",
    "dump",
    "dumps",
    "from_data",
    "load",
    "load_host",
    "loads",
    "to_data",
]

_LAZY = {
    "KINDS": "xsanconf.formats",
    "detect_kind": "xsanconf.formats",
    "Document": "xsanconf.document",
    "ParseError": "xsanconf.errors",
    "dump": "xsanconf.api",
    "dumps": "xsanconf.api",
    "load": "xsanconf.api",
    "load_host": "xsanconf.hosts",
    "loads": "xsanconf.api",
    "to_data": "xsanconf.data",
    "from_data": "xsanconf.data",
}

if TYPE_CHECKING:
    from xsanconf.api import dump, dumps, load, loads
    from xsanconf.data import from_data, to_data
    from xsanconf.document import Document
    from xsanconf.errors import ParseError
    from xsanconf.formats import KINDS, detect_kind
    from xsanconf.hosts import load_host


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xsanconf' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
