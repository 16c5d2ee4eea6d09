"""scst.conf facts for the SYN rules, read from the codec's model of what scstadmin reads.

``invalid_values`` (SYN001) holds only what scstadmin or the kernel refuses: scstadmin's
``checkConfiguration`` FATALs (an initiator in two groups of one target, a device name with
a ``/``) and its warning that drops a LUN whose device the file does not define,
``configToAttr``'s "has an invalid value" (a third word on an attribute line),
``applyLunAssignments``' "has multiple devices assigned", and the vdisk attributes
``scst_vdisk.c`` refuses (``t10_dev_id`` over 25 characters, ``usn`` over 20, a malformed
``naa_id``/``eui64_id``, a relative ``filename``, a flag that is not a number, ``read_only``
with ``write_through`` or ``nv_cache`` on a ``vdisk_fileio`` device).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from xsanconf.domain.scst_identity import T10_DEV_ID_MAX, USN_MAX, eui64_id_problem, naa_id_problem
from xsanconf.formats.scst.lexer import BLANKS, comment_start
from xsanconf.formats.scst.luns import VDISK_HANDLERS
from xsanconf.formats.scst.model import (
    ScstConfig,
    ScstDevice,
    ScstEntry,
    ScstLun,
    ScstScope,
    ScstTarget,
    is_section_word,
    read_number,
)
from xsanconf.lint.diagnostics import Location
from xsanconf.lint.facts import Finding, final_newline_fix
from xsanconf.syntax import Node, Token

if TYPE_CHECKING:
    from xsanconf.lint.site import SiteFile

__all__ = ["duplicates", "invalid_values", "read_differently"]

_ACCOUNTS = ("IncomingUser", "OutgoingUser")

_FLAGS = (
    "write_through",
    "nv_cache",
    "o_direct",
    "read_only",
    "removable",
    "rotational",
    "thin_provisioned",
    "blocksize",
    "enabled",
)


def _config(file: SiteFile) -> ScstConfig:
    model: ScstConfig = file.doc.model
    return model


def _scopes(config: ScstConfig) -> Iterator[ScstScope]:
    """The file and every block in it (the ones scstadmin keeps)."""
    stack: list[ScstScope] = [config]
    while stack:
        scope = stack.pop()
        yield scope
        stack.extend(ScstScope(scope.doc, e.node) for e in scope.entries() if e.node is not None)


def invalid_values(file: SiteFile) -> Iterator[Finding]:
    config = _config(file)
    yield from _three_word_attributes(file, config)
    yield from _device_names(file, config)
    for device in config.devices:
        yield from _device_values(file, device)
    defined = {d.name for h in config.handlers for d in h.devices}
    for target in config.targets:
        yield from _target_values(file, target, defined)


def _three_word_attributes(file: SiteFile, config: ScstConfig) -> Iterator[Finding]:
    for scope in _scopes(config):
        for name, entries in _attribute_lines(scope).items():
            if len({e.value for e in entries}) == 1 and any(len(e.words) > 2 for e in entries):
                third = next(e for e in entries if len(e.words) > 2)
                yield Finding(
                    f"scstadmin refuses this: attribute '{name}' has an invalid value (a third "
                    f'word); a value with blanks goes in double quotes: {name} "value with blanks"',
                    file.location(third.token),
                )


def _attribute_lines(scope: ScstScope) -> dict[str, list[ScstEntry]]:
    out: dict[str, list[ScstEntry]] = {}
    for entry in scope.entries():
        if entry.node is None and entry.value is not None and not is_section_word(entry.keyword):
            out.setdefault(entry.keyword, []).append(entry)
    return out


def _device_names(file: SiteFile, config: ScstConfig) -> Iterator[Finding]:
    for handler in config.handlers:
        for device in handler.devices:
            if "/" in device.name and not device.name.startswith("/dev/"):
                yield Finding(
                    f"scstadmin refuses the file: device '{device.name}' of handler "
                    f"'{handler.name}' may not contain '/'",
                    file.location(device.entry.token),
                )


def _attribute(file: SiteFile, device: ScstDevice, name: str) -> Location:
    entry = device.attribute_entry(name)
    return file.location(entry.token if entry is not None else device.entry.token)


def _device_values(file: SiteFile, device: ScstDevice) -> Iterator[Finding]:
    if device.handler not in VDISK_HANDLERS:
        return
    refused = f"the kernel refuses device '{device.name}'"
    t10, usn = device.t10_dev_id, device.usn
    if t10 is not None and len(t10.encode("utf-8", "surrogateescape")) > T10_DEV_ID_MAX:
        yield Finding(
            f"{refused}: a t10_dev_id is at most {T10_DEV_ID_MAX} characters",
            _attribute(file, device, "t10_dev_id"),
        )
    if usn is not None and len(usn.encode("utf-8", "surrogateescape")) > USN_MAX:
        yield Finding(
            f"{refused}: a usn is at most {USN_MAX} characters", _attribute(file, device, "usn")
        )
    for name, check in (("eui64_id", eui64_id_problem), ("naa_id", naa_id_problem)):
        value = device.value(name)
        why = check(value) if value is not None else None
        if why is not None:
            yield Finding(
                f"the kernel refuses {name} {value!r}: {why}", _attribute(file, device, name)
            )
    filename = device.filename
    if filename is not None and not filename.startswith("/"):
        yield Finding(
            f"{refused}: its filename must be an absolute path",
            _attribute(file, device, "filename"),
        )
    for name in _FLAGS:
        value = device.value(name)
        if value is not None and name != "enabled" and read_number(value) is None:
            yield Finding(
                f"{refused}: {name} takes a number, not {value!r}", _attribute(file, device, name)
            )
    writes = device.write_through or device.nv_cache
    if device.handler == "vdisk_fileio" and device.read_only and writes:
        yield Finding(
            f'{refused}: read_only 1 with write_through or nv_cache ("Write options on read '
            'only device")',
            _attribute(file, device, "read_only"),
        )


def _target_values(file: SiteFile, target: ScstTarget, defined: set[str]) -> Iterator[Finding]:
    where = f"{target.driver.name}/{target.name}"
    yield from _lun_values(file, where, target.luns, defined)
    for group in target.groups:
        yield from _lun_values(file, f"group {group.name} of {where}", group.luns, defined)
    seen: dict[str, str] = {}
    for group in target.groups:
        for entry in group.scope.entries("INITIATOR") if group.scope is not None else []:
            name = entry.value or ""
            if name in seen and seen[name] != group.name:
                yield Finding(
                    f"scstadmin refuses the file: initiator '{name}' is in group "
                    f"'{seen[name]}' and in group '{group.name}' of {where}",
                    file.location(entry.token),
                )
            seen.setdefault(name, group.name)


def _lun_values(
    file: SiteFile, where: str, luns: list[ScstLun], defined: set[str]
) -> Iterator[Finding]:
    numbers: dict[str, list[ScstEntry]] = {}
    for lun in luns:
        numbers.setdefault(lun.entry.value or "", []).append(lun.entry)
        device = lun.device
        if device is not None and device not in defined:
            yield Finding(
                f"scstadmin drops LUN {lun.entry.value} of {where}: device '{device}' is not "
                "defined in this file",
                file.location(lun.entry.token),
            )
    for number, entries in numbers.items():
        if len({e.words[2] if len(e.words) > 2 else "" for e in entries}) > 1:
            yield Finding(
                f"scstadmin refuses the file: LUN {number} of {where} has several devices",
                file.location(entries[-1].token),
            )


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """Text scstadmin drops or reads otherwise than it looks."""
    legacy = _config(file).legacy_line
    if legacy is not None:
        yield Finding(
            "scstadmin reads this file as the pre-2.0 format because of this '[...]' section "
            "and converts it with the running system's targets; write it in the current "
            "format (scstadmin -write_config)",
            Location(file.path, legacy, 1, legacy, 1, file.host.name),
        )
    yield from _dropped(file)
    yield from _eaten_characters(file)
    yield from _extra_words(file)


def _dropped(file: SiteFile) -> Iterator[Finding]:
    last = _last_token(file.doc.root)
    stack: list[Node] = [file.doc.root]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, Node):
                stack.append(child)
                yield from _block_findings(file, child)
            elif isinstance(child, Token) and child.kind == "LOST":
                if child is last:
                    yield Finding(
                        "the last line has no newline: scstadmin drops it; end the file with a "
                        "newline",
                        file.location(child),
                        fix=final_newline_fix(file),
                    )
                else:
                    yield Finding(
                        "scstadmin drops text that stands before '}' on its line; put '}' on a "
                        "line of its own",
                        file.location(child),
                    )


def _last_token(root: Node) -> Token | None:
    last = None
    for token in root.tokens():
        if token.text:
            last = token
    return last


def _block_findings(file: SiteFile, block: Node) -> Iterator[Finding]:
    head = block.children[0]
    close = block.children[-1]
    if isinstance(head, Token) and head.kind == "LBRACE":
        yield Finding(
            "a '{' with no name before it on its line opens a block scstadmin reads and throws "
            "away; put '{' at the end of the line that names the block",
            file.location(head),
        )
    if isinstance(close, Token) and close.kind == "RBRACE" and not close.text:
        yield Finding(
            "this block is never closed: scstadmin closes it at the end of the file, so "
            "everything after it belongs to it",
            file.location(head),
        )


def _eaten_characters(file: SiteFile) -> Iterator[Finding]:
    """A ``#`` right after a character: scstadmin removes that character with the comment."""
    for number, line in enumerate(file.lines(), start=1):
        if "#" not in line:
            continue
        cut = comment_start(line.rstrip("\r"))
        if cut is None or line[cut] in BLANKS or line[cut] == "#":
            continue
        yield Finding(
            f"scstadmin removes the '{line[cut]}' before '#' with the comment (a comment takes "
            "the character before it); put a blank before '#', or write '\\#' for a '#' in a "
            "value",
            Location(file.path, number, cut + 1, number, len(line) + 1, file.host.name),
        )


def _extra_words(file: SiteFile) -> Iterator[Finding]:
    config = _config(file)
    for scope in _scopes(config):
        for entry in scope.all_entries():
            found = entry.elements
            if len(found) > 3 and entry.keyword not in _ACCOUNTS:
                yield Finding(
                    f"scstadmin reads only the first three words of a line: "
                    f"'{entry.token.text[found[3][1] :]}' is ignored",
                    file.location(entry.token),
                )


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A later block or line of the same name replaces an earlier one (a Perl hash)."""
    config = _config(file)
    for scope in _scopes(config):
        # entries are views made afresh by each call: compare their tokens
        kept = {entry.key: entry for entry in scope.entries()}
        kept_tokens = {id(e.token) for e in kept.values()}
        for entry in scope.all_entries():
            if id(entry.token) in kept_tokens or not entry.key:
                continue
            key = entry.key
            later = next((kept[key[:n]] for n in range(len(key), 0, -1) if key[:n] in kept), None)
            if later is None:
                continue
            # an account's key holds its secret: name the user only
            shown = key if key[0] not in _ACCOUNTS else (key[0], *(key[1:2] and key[1].split()[:1]))
            what = " ".join(shown)
            gone = "this block and all it holds" if entry.node is not None else "this line"
            yield Finding(
                f"'{what}' is given again at line {later.position[0]}: scstadmin keeps only the "
                f"later one and ignores {gone}",
                file.location(entry.token),
                (file.location(later.token, "given again here"),),
            )
