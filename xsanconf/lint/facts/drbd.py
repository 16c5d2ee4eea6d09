"""drbd.conf facts for the SYN rules: which keywords each section takes in 8.3, 8.4 and 9.

Source: the parsers and config_flags tables of drbd-utils, as summarised in the project's drbd
reference (sections 2 and 3), corrected where drbdadm 9.22 and its 8.4 and 8.3 back-ends
disagree (``tests/lint/test_drbd_values_oracle.py`` places every option with them).
Keywords a version still accepts but has renamed (``syncer``, ``rate``, ``no-disk-flushes``)
count as known here: DRBD007 reports them as deprecated; the refusals DRBD007 reports with
their replacement are left to it (:func:`deprecation_reports`).  Values are
:mod:`xsanconf.lint.facts.drbd_options`'s.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from xsanconf.domain.numerals import read_int
from xsanconf.formats.drbd.lexer import words
from xsanconf.lint.facts import Finding
from xsanconf.lint.facts.drbd_options import LEGACY_NEGATIVES, SYNCER_IGNORED

if TYPE_CHECKING:
    from xsanconf.formats.drbd import DrbdSection, DrbdStatement
    from xsanconf.lint.site import Host, SiteFile
    from xsanconf.syntax import Token

__all__ = [
    "SECTIONS",
    "other_version_syntax",
    "refused",
    "STATEMENTS",
    "duplicates",
    "host_duplicates",
    "read_differently",
    "unknown_keywords",
]

ALL = ("8.3", "8.4", "9")
V84 = ("8.4", "9")
V9 = ("9",)
V8 = ("8.3", "8.4")
V83 = ("8.3",)


def _table(*rows: tuple[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for names, versions in rows:
        for name in names.split():
            table[name] = tuple(sorted({*table.get(name, ()), *versions}))
    return table


_NET_COMMON = (
    "timeout connect-int ping-int ping-timeout max-buffers max-epoch-size sndbuf-size "
    "rcvbuf-size ko-count allow-two-primaries cram-hmac-alg shared-secret after-sb-0pri "
    "after-sb-1pri after-sb-2pri always-asbp rr-conflict data-integrity-alg on-congestion "
    "congestion-fill congestion-extents"
)
_DISK_ATTACH_84 = (
    "size on-io-error disk-barrier disk-flushes disk-drain md-flushes resync-after al-extents "
    "al-updates discard-zeroes-if-aligned disable-write-same disk-timeout read-balancing "
    "rs-discard-granularity"
)
_PEER_DEVICE = "resync-rate c-plan-ahead c-delay-target c-fill-target c-max-rate c-min-rate"
_LEGACY_DISK_FLAGS = " ".join(sorted(LEGACY_NEGATIVES - {"no-tcp-cork"}))
_HANDLERS_83 = (
    "pri-on-incon-degr pri-lost-after-sb pri-lost initial-split-brain split-brain fence-peer "
    "outdate-peer local-io-error before-resync-target after-resync-target before-resync-source "
    "out-of-sync"
)

# Statements (``keyword value;``) each context takes, with the versions that take them.
STATEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "top": _table(("include", ALL)),
    "global": _table(
        ("usage-count minor-count dialog-refresh disable-ip-verification", ALL),
        ("udev-always-use-vnr cmd-timeout-short cmd-timeout-medium cmd-timeout-long", V84),
    ),
    "resource": _table(
        ("protocol device disk meta-disk flexible-meta-disk", ALL),
        ("ignore-on", V8),
        ("template-file", V9),
    ),
    "host": _table(
        ("address device disk meta-disk flexible-meta-disk", ALL),
        ("alternate-link-address", ("8.4",)),
        ("node-id", V9),
    ),
    "volume": _table(("device disk meta-disk flexible-meta-disk", V84), ("tiebreaker", V9)),
    "net": _table(
        (_NET_COMMON, ALL),
        ("protocol", V84),  # 8.3 takes it at resource level only
        ("unplug-watermark", V8),
        ("no-tcp-cork", V8),
        ("tcp-cork verify-alg csums-alg use-rle csums-after-crash-only socket-check-timeout", V84),
        (
            "fencing transport load-balance-paths allow-remote-read tls tls-keyring tls-privkey "
            "tls-certificate rdma-ctrl-rcvbuf-size rdma-ctrl-sndbuf-size",
            V9,
        ),
    ),
    "disk": _table(
        ("size on-io-error disk-timeout", ALL),
        ("fencing use-bmbv max-bio-bvecs " + _LEGACY_DISK_FLAGS, V8),  # 9: fencing is net's
        (_DISK_ATTACH_84 + " " + _PEER_DEVICE, V84),
        ("max-bio-bvecs rate after " + _LEGACY_DISK_FLAGS, ("8.4",)),  # 9 refuses the aliases
        (
            "bitmap resync-without-replication peer-tiebreaker max-bio-size diskless block-size "
            "discard-granularity",
            V9,
        ),
    ),
    "options": _table(
        ("cpu-mask on-no-data-accessible", V84),
        (
            "auto-promote auto-promote-timeout quorum quorum-minimum-redundancy on-no-quorum "
            "on-suspended-primary-outdated peer-ack-window peer-ack-delay twopc-timeout "
            "twopc-retry-timeout max-io-depth drbd8-api-compatibility",
            V9,
        ),
    ),
    "startup": _table(
        (
            "wfc-timeout degr-wfc-timeout outdated-wfc-timeout wait-after-sb stacked-timeouts "
            "become-primary-on",
            ALL,
        ),
    ),
    # drbdadm 9 still reads the syncer options that kept their meaning, not the resync
    # controller's (peer-device options in 9); 8.4 drops the ones 8.3 ignored
    "syncer": _table(
        ("after al-extents use-rle cpu-mask verify-alg csums-alg on-no-data-accessible", ALL),
        ("rate c-plan-ahead c-fill-target c-delay-target c-max-rate c-min-rate", V8),
        (" ".join(sorted(SYNCER_IGNORED)), V83),
    ),
    "handlers": _table(
        (_HANDLERS_83, ALL), ("unfence-peer", V84), ("quorum-lost disconnected", V9)
    ),
    "proxy": _table(
        ("memlimit read-loops compression bwlimit sndbuf-size rcvbuf-size ping-timeout", ALL)
    ),
    "host-proxy": _table(("inside outside", ALL)),
    "connection": _table(("host", V9)),
    "path": _table(("host", V9)),
    "connection-mesh": _table(("hosts", V9)),
}

# Sections (``keyword args { }``) each context takes.
SECTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "top": _table(("global common resource", ALL)),
    "resource": _table(
        ("on floating stacked-on-top-of disk net syncer startup handlers proxy", ALL),
        ("volume options", V84),
        ("connection connection-mesh _this_host", V9),
    ),
    "host": _table(("proxy", ALL), ("volume options", V84)),
    "volume": _table(("disk", V84)),
    "host-proxy": _table(("options", ALL)),
    "proxy": _table(("plugin", ALL)),
    # a host of a connection or path reached through DRBD Proxy takes its proxy's body:
    # "host NAME address ADDR via proxy on PROXY-HOST { inside ...; outside ...; }"
    "connection": _table(("net disk volume path host", V9)),
    "path": _table(("host", V9)),
    "connection-volume": _table(("disk", V9)),
    "connection-mesh": _table(("net", V9)),
}

# Option blocks in 9 take ``no-<option>`` for any option they know (parse9 find_field).
_NO_PREFIX_CONTEXTS = frozenset({"net", "disk", "options", "startup"})
_CONTEXT_OF = {
    "resource": "resource",
    "common": "resource",
    "on": "host",
    "floating": "host",
    "stacked-on-top-of": "host",
    "_this_host": "host",
}
# Sections whose bodies are free-form or not checked here.
_OPAQUE = frozenset({"plugin"})


def _context(section: DrbdSection) -> str | None:
    keyword = section.keyword
    parent = section.parent
    if parent is None:
        return "top"
    outer = _context(parent)
    if keyword in _CONTEXT_OF:
        return _CONTEXT_OF[keyword]
    if keyword == "proxy":
        return "host-proxy" if section.args[:1] == ["on"] or outer == "host" else "proxy"
    if keyword == "host" and outer in ("connection", "path"):
        return "host-proxy"
    if keyword == "volume":
        return "connection-volume" if outer == "connection" else "volume"
    if keyword == "options" and outer == "host-proxy":
        return None
    if keyword in _OPAQUE:
        return None
    return keyword


def _suggest(word: str, known: Iterable[str]) -> str:
    return _closest(word, tuple(known))


# A generated file repeats one unknown word on thousands of lines: compare it once.
@functools.lru_cache(maxsize=1024)
def _closest(word: str, known: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _known(table: dict[str, tuple[str, ...]], version: str) -> list[str]:
    return [k for k, versions in table.items() if version in versions]


def unknown_keywords(file: SiteFile, version: str | None) -> Iterator[Finding]:
    """Keywords and sections drbdadm of ``version`` does not take where they stand."""
    version = version or "9"
    for item, word, what, context, table in refused(file.doc.model, version):
        if deprecation_reports(context, word, version):
            continue
        yield _unknown(file, item, word, what, context=context, table=table, version=version)


Refusal = tuple["Token", str, str, str, dict[str, tuple[str, ...]]]


def refused(config: DrbdSection, version: str) -> Iterator[Refusal]:
    """(token, word, "option" or "section", context, table) for each keyword drbdadm of
    ``version`` refuses where it stands in ``config``."""
    for section, context in _read_sections(config, version):
        statements = STATEMENTS.get(context, {})
        for statement in section.statements():
            word = statement.keyword
            if not _statement_known(word, context, statements, version):
                yield statement.token, word, "option", context, statements
        sections = SECTIONS.get(context, {})
        for child in section.sections():
            if version not in sections.get(child.keyword, ()):
                assert child.head is not None
                yield child.head, child.keyword, "section", context, sections


def _read_sections(config: DrbdSection, version: str) -> Iterator[tuple[DrbdSection, str]]:
    """(section, context) for each section drbdadm of ``version`` reads where it stands (the
    body of a section it refuses is never read), from ``config`` down."""
    stack: list[tuple[DrbdSection, str]] = [(config, "top")]
    while stack:
        section, context = stack.pop()
        yield section, context
        sections = SECTIONS.get(context, {})
        for child in section.sections():
            inner = _context(child) if version in sections.get(child.keyword, ()) else None
            if inner is not None:
                stack.append((child, inner))


def other_version_syntax(config: DrbdSection, version: str) -> Iterator[tuple[Token, str, str]]:
    """(token, what is refused, the versions that read it) for each keyword drbdadm of
    ``version`` refuses in ``config`` that another DRBD version reads there."""
    for token, word, what, context, table in refused(config, version):
        readers = table.get(word, ())
        if readers and not deprecation_reports(context, word, version):
            where = "at top level" if context == "top" else f"in '{context}'"
            yield token, f"{what} '{word}' {where}", " and ".join(readers)


# Contexts whose statements are options with values in drbdadm's value table.
_VALUED = frozenset({"global", "net", "disk", "syncer", "startup", "options", "resource"})


def refused_values(file: SiteFile, version: str) -> Iterator[Finding]:
    """Values drbdadm (or, for 8.x enums, drbdsetup) of ``version`` refuses, for keywords it
    takes where they stand (SYN002 reports the others): enums, numbers with units and ranges,
    flags, and the ``device`` and ``meta-disk`` forms each parser reads."""
    from xsanconf.lint.facts.drbd_options import value_problem

    for section, context in _read_sections(file.doc.model, version):
        statements = STATEMENTS.get(context, {})
        for statement in section.statements():
            word = statement.keyword
            if not _statement_known(word, context, statements, version):
                continue
            if word == "device" and context in ("resource", "host", "volume"):
                problem = _device_problem(statement.args, version)
                found = (problem, True) if problem is not None else None
            elif word == "meta-disk" and version == "8.3" and context in ("resource", "host"):
                found = _meta_disk_83(statement.args)
            elif context in _VALUED:
                found = value_problem(word, statement.args, version)
            else:
                found = None
            if found is not None:
                problem, at_parse = found
                who = "drbdadm" if at_parse else "drbdsetup"
                when = "" if at_parse else " when it applies the options"
                shown = " ".join([word, *statement.args])
                yield Finding(
                    f"'{shown}': {problem}; {who} {version} refuses it{when}",
                    file.location(statement.token),
                )


_MINOR_NAME = re.compile(r"(?:/dev/)?drbd[0-9]+")
_ANY_NAME = re.compile(r"(?:/dev/)?drbd_.+")


def _device_problem(args: list[str], version: str) -> str | None:
    """``device [PATH] [minor N]`` as the parsers read it (parse_device)."""
    if not args or args[0] == "minor":
        return None
    path, has_minor = args[0], "minor" in args[1:]
    if version == "9" and has_minor and len(path) == 1 and path.isalpha():
        return None  # a WinDRBD drive letter
    if has_minor and (_MINOR_NAME.fullmatch(path) or _ANY_NAME.fullmatch(path)):
        return None
    if _MINOR_NAME.fullmatch(path):
        return None
    if not path.removeprefix("/dev/").startswith("drbd"):
        return f"the device name '{path}' does not start with /dev/drbd"
    if not has_minor:
        return f"'{path}' carries no minor number; write '{path} minor N'"
    return f"a device name of your own must start with /dev/drbd_ ('{path}')"


def _meta_disk_83(args: list[str]) -> tuple[str, bool] | None:
    """8.3 takes an external meta-disk only with its index (``meta-disk DEV [0];``)."""
    if not args or args[0] == "internal" or "[" in "".join(args):
        return None
    return "DRBD 8.3 takes an external meta-disk with its index ('DEV [0]')", True


def deprecation_reports(context: str, word: str, version: str) -> bool:
    """Whether DRBD007 reports this refusal, with its replacement: a ``syncer`` option after
    8.3, and ``fencing`` or the ``rate``/``after`` aliases in ``disk`` under 9.  SYN002 and
    DRBD011 leave those to it, so that one mistake gets one finding and its fix."""
    if version == "8.3":
        return False
    return context == "syncer" or (
        version == "9" and context == "disk" and word in ("fencing", "rate", "after")
    )


def _statement_known(
    word: str, context: str, table: dict[str, tuple[str, ...]], version: str
) -> bool:
    if version in table.get(word, ()):
        return True
    if context == "top" and version == "9" and word.startswith("require-drbd-module-version-"):
        return True
    if version == "9" and context in _NO_PREFIX_CONTEXTS and word.startswith("no-"):
        return version in table.get(word[3:], ())
    return False


def _unknown(
    file: SiteFile,
    item: object,
    word: str,
    what: str,
    *,
    context: str,
    table: dict[str, tuple[str, ...]],
    version: str,
) -> Finding:
    other = [v for v in table.get(word, ())]
    where = "at top level" if context == "top" else f"in a '{context}' section"
    if other:
        detail = f" (only in DRBD {', '.join(other)})"
    else:
        detail = _suggest(word, _known(table, version))
    message = f"unknown {what} '{word}' {where} for DRBD {version}{detail}"
    return Finding(message, file.location(item))  # type: ignore[arg-type]


# Sections a resource (or common) may hold once (parse84/parse9 check_upr).
_ONCE_PER_RESOURCE = frozenset({"net", "disk", "syncer", "startup", "handlers", "proxy", "options"})
# Statements that legitimately repeat in one section.
_REPEATABLE = frozenset({"include", "host"})


def duplicates(file: SiteFile) -> Iterator[Finding]:
    """A later statement or section that silently overrides or repeats one in the same scope."""
    config = file.doc.model
    for section in config.walk():
        yield from _duplicate_statements(file, section)
        yield from _duplicate_sections(file, section)


def _duplicate_statements(file: SiteFile, section: DrbdSection) -> Iterator[Finding]:
    first: dict[str, DrbdStatement] = {}
    for statement in section.statements():
        word = statement.keyword
        if word in _REPEATABLE:
            continue
        earlier = first.setdefault(word, statement)
        if earlier is not statement:
            line = earlier.position[0]
            yield Finding(
                f"'{word}' is set again in the same section (first at line {line}); "
                "drbdadm rejects or overrides the repeat",
                file.location(statement.token),
                (file.location(earlier.token, "first set here"),),
            )


def _duplicate_sections(file: SiteFile, section: DrbdSection) -> Iterator[Finding]:
    first: dict[tuple[str, ...], DrbdSection] = {}
    at_resource = section.keyword in ("resource", "common") and section.parent is not None
    for child in section.sections():
        if at_resource and child.keyword in _ONCE_PER_RESOURCE:
            key: tuple[str, ...] = (child.keyword,)
        elif child.keyword in ("on", "volume"):
            key = (child.keyword, *child.args)
        else:
            continue
        earlier = first.setdefault(key, child)
        if earlier is not child:
            assert child.head is not None and earlier.head is not None
            shown = " ".join(key)
            yield Finding(
                f"a second '{shown}' section in the same scope (first at line "
                f"{earlier.position[0]}); drbdadm allows one",
                file.location(child.head),
                (file.location(earlier.head, "first defined here"),),
            )


def host_duplicates(host: Host) -> Iterator[Finding]:
    """Resource names, ``global`` and ``common`` defined twice across what drbdadm reads, in the
    order it reads them (an included file where its include stands)."""
    sections: list[tuple[SiteFile, DrbdSection]] = list(host.drbd_resources())
    for file in host.drbd_files():
        sections += [(file, s) for s in file.doc.model.sections() if s.keyword in _SINGLETONS]
    resource_rank = {id(r): i for i, (_, r) in enumerate(host.drbd_resources())}
    file_rank = {id(f): i for i, f in enumerate(host.drbd_files())}

    def reading_rank(found: tuple[SiteFile, DrbdSection]) -> tuple[int, int]:
        # only sections of one key are compared: resources by reading order, global and
        # common by their file's place in it
        file, section = found
        if section.keyword == "resource":
            return (resource_rank[id(section)], 0)
        return (file_rank[id(file)], section.position[0])

    sections.sort(key=reading_rank)
    seen: dict[tuple[str, str], tuple[SiteFile, DrbdSection]] = {}
    for file, section in sections:
        key = (
            section.keyword,
            section.args[0] if section.keyword == "resource" and section.args else "",
        )
        earlier = seen.setdefault(key, (file, section))
        if earlier[1] is section:
            continue
        assert section.head is not None and earlier[1].head is not None
        name = " ".join(k for k in key if k)
        yield Finding(
            f"'{name}' is defined again (first in {_where(earlier[0], earlier[1], file)}); "
            "drbdadm fails with "
            "a conflicting definition",
            file.location(section.head),
            (earlier[0].location(earlier[1].head, "first defined here"),),
        )


_SINGLETONS = frozenset({"global", "common"})


def _where(file: SiteFile, section: DrbdSection, other: SiteFile) -> str:
    line = section.position[0]
    return f"line {line}" if file is other else f"{file.path}:{line}"


_WORD_THEN_HASH = re.compile(r"[A-Za-z0-9/._:\[\]%-]#")


def read_differently(file: SiteFile) -> Iterator[Finding]:
    """A ``#`` glued to a word (the rest of the line is a comment), a statement running on
    over a missing ``;``, and DRBD 9's ``no-X yes``."""
    config = file.doc.model
    for section in config.walk():
        for statement in section.statements():
            yield from _statement_surprises(file, statement)


def _statement_surprises(file: SiteFile, statement: DrbdStatement) -> Iterator[Finding]:
    text = statement.token.text
    found = words(text)
    hash_at = _WORD_THEN_HASH.search(_without_quoted(text))
    if hash_at is not None:
        word = text[: hash_at.start() + 1].split()[-1]
        yield Finding(
            f"'#' right after '{word}' starts a comment: drbdadm reads the value as '{word}' "
            "and takes the rest of the line as a comment; quote the value",
            file.location(statement.token),
        )
    lines = {text.count("\n", 0, start) for start, _, _ in found}
    if len(lines) > 1 and len(found) > 2:
        first_on_next = next(w for s, _, w in found if text.count("\n", 0, s) > 0)
        if (
            first_on_next in STATEMENTS["net"]
            or first_on_next in STATEMENTS["disk"]
            or any(first_on_next in table for table in STATEMENTS.values())
        ):
            yield Finding(
                f"this statement runs on to the next line: '{first_on_next}' is read as a value "
                f"of '{found[0][2]}', not as an option of its own (a ';' is missing)",
                file.location(statement.token),
            )
    keyword = statement.keyword
    if keyword.startswith("no-") and statement.args[:1] == ["yes"]:
        yield Finding(
            f"'{keyword} yes' sets {keyword[3:]} to yes in DRBD 9 (the 'no-' prefix is ignored "
            "once a value is given); write it without 'yes'",
            file.location(statement.token),
        )


def _without_quoted(text: str) -> str:
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', lambda m: "_" * len(m.group()), text)


# drbdadm's scanner (8.4, 9): an IPv4 address is its own token, so a host name or a mistyped
# address where one is expected is a parse error ("Parse error: 'an IP address' expected").
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_FAMILIES = ("ipv4", "ipv6", "ssocks", "sdp", "sci")


def invalid_values(file: SiteFile) -> Iterator[Finding]:
    """Addresses drbdadm refuses to parse (SYN001): a host name or a malformed IPv4 address,
    IPv6 without ``ipv6 [...]``, a missing or out-of-range port."""
    config = file.doc.model
    for section in config.walk():
        if section.keyword == "floating" and section.head is not None:
            yield from _address_problems(file, section.head, section.args)
        for statement in section.statements():
            if statement.keyword == "address":
                yield from _address_problems(file, statement.token, statement.args)
            elif statement.keyword == "host" and "address" in statement.args[1:2]:
                yield from _address_problems(file, statement.token, statement.args[2:])


def _address_problems(file: SiteFile, item: object, args: list[str]) -> Iterator[Finding]:
    words = [w for w in args if w not in ("via", "proxy")][:2]
    if not words:
        return
    family = words[0] if words[0] in _FAMILIES else None
    text = words[1] if family is not None and len(words) > 1 else words[0]
    where = file.location(item)  # type: ignore[arg-type]
    host, colon, port = text.rpartition(":")
    if not colon:
        yield Finding(f"address '{text}' has no ':PORT'; drbdadm refuses it", where)
        return
    if family == "ipv6" or host.startswith("["):
        if family != "ipv6":
            yield Finding(
                f"address '{text}': an IPv6 address needs the 'ipv6' keyword "
                "(ipv6 [ADDR]:PORT); drbdadm refuses it without",
                where,
            )
        elif not (host.startswith("[") and host.endswith("]")):
            yield Finding(
                f"address '{text}': drbdadm takes an IPv6 address only in brackets "
                "(ipv6 [ADDR]:PORT)",
                where,
            )
    elif not _IPV4.fullmatch(host):
        yield Finding(
            f"address '{text}': drbdadm expects an IPv4 address here, not "
            f"'{host}' (a host name is not resolved: write the address)",
            where,
        )
    number = read_int(port)
    if number is None or not 1 <= number <= 65535:
        yield Finding(f"address '{text}': the port must be a number from 1 to 65535", where)
