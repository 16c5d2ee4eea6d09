"""The examples of a rule page as a site on disk, and where its findings point in that site."""

from __future__ import annotations

from pathlib import Path

from tests.lint.sites import write_site
from xsanconf.lint.diagnostics import Diagnostic
from xsanconf.lint.engine import LintOptions, lint
from xsanconf.lint.pages import Example
from xsanconf.lint.site import Site
from xsanconf.testing.initramfs import initramfs_image

__all__ = ["Place", "lint_examples", "marked", "place", "write_examples"]

Place = tuple[str, str, int]  # host, path inside the host root, line


def write_examples(root: Path, examples: list[Example]) -> LintOptions:
    """Write the blocks of one section as a site below ``root``; the options their
    ``target="kind=version"`` attributes ask for.  A block with ``initramfs="boot/IMAGE"`` is
    a file inside that image of its host, which is built from such blocks (gzip, after an
    early microcode archive, as initramfs-tools builds one)."""
    hosts: dict[str, dict[str, str]] = {}
    images: dict[tuple[str, str], dict[str, bytes]] = {}
    versions: dict[str, str] = {}
    for example in examples:
        assert example.path, f'a block without title="path": {example}'
        image = example.attributes.get("initramfs")
        if image is not None:
            images.setdefault((example.host, image), {})[example.path] = example.text.encode()
            continue
        hosts.setdefault(example.host, {})[example.path] = example.text
        kind, _, version = example.attributes.get("target", "").partition("=")
        if kind:
            versions[kind] = version
    write_site(root, hosts)
    for (host, image), files in images.items():
        (root / host / image).parent.mkdir(parents=True, exist_ok=True)
        (root / host / image).write_bytes(initramfs_image(files))
    return LintOptions(versions=versions)


def lint_examples(root: Path, examples: list[Example]) -> list[Diagnostic]:
    options = write_examples(root, examples)
    result = lint(Site.load([root]), options)
    assert not result.failures, result.failures
    return list(result.diagnostics)


def place(d: Diagnostic, root: Path) -> Place:
    host = d.location.host or ""
    return host, Path(d.location.path).relative_to(root / host).as_posix(), d.location.line


def marked(examples: list[Example]) -> set[Place]:
    """The lines the examples mark with ``# <- CODE``."""
    return {(e.host, e.path, m.line) for e in examples for m in e.marks}
