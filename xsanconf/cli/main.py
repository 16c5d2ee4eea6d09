"""``xsanconf``: parse configuration files into plain data, build them back, list the kinds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand


class _Command(TyperCommand):
    """Usage lines and argument lists in the usual Unix style: ``FILE SELECTOR VALUE``,
    ``FILE...``, without typer's ``{file}`` and ``<list[Path]>``."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _metavar(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_metavar(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _metavar(param: Any) -> str:
    if param.metavar is not None:
        return str(param.metavar)
    name = (param.name or "").upper()
    return f"{name}..." if param.nargs != 1 else name


app = typer.Typer(
    name="xsanconf",
    help=(
        "Lossless parsers for shared-storage configuration: DRBD, IET, open-iscsi, "
        "dm-multipath, kmod.\n\n"
        "Examples:\n\n"
        "  xsanconf parse /etc/drbd.conf            # outline of what was understood\n\n"
        "  xsanconf parse --json /etc/drbd.conf     # the model as JSON\n\n"
        "  xsanconf parse --json r0.res > r0.json && xsanconf build r0.json\n\n"
        "  xsanconf get /etc/drbd.conf resource[r0].net.protocol\n\n"
        "  xsanconf set --diff /etc/drbd.conf resource[r0].net.allow-two-primaries yes\n\n"
        "  xsanconf kinds                           # the formats xsanconf reads"
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # selectors have [brackets]; print help text as written
)


def _version(value: bool) -> None:
    if value:
        from xsanconf import __version__

        typer.echo(f"xsanconf {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Lossless parsers for shared-storage configuration."""


def _check_kind(kind: str | None) -> None:
    """A usage error (exit 2) naming the kinds, for a --kind xsanconf does not know."""
    from xsanconf.formats import KINDS

    if kind is not None and kind not in KINDS:
        raise typer.BadParameter(
            f"unknown kind {kind!r}; one of: {', '.join(KINDS)}", param_hint="--kind"
        )


def _parse_one(path: Path, kind: str | None, show_secrets: bool) -> dict[str, Any]:
    from xsanconf.api import load
    from xsanconf.data import to_data
    from xsanconf.errors import ParseError
    from xsanconf.limits import file_problem

    entry: dict[str, Any] = {"file": str(path), "kind": kind, "status": "ok", "errors": []}
    problem = file_problem(path)
    if problem is not None:
        entry.update(status="failed", errors=[{"line": None, "column": None, "error": problem}])
        typer.echo(f"{path}: {problem}", err=True)
        return entry
    try:
        doc = load(path, kind)
    except ParseError as error:
        error.path = str(path)
        if not show_secrets:
            _hide_secrets(error, path, kind)
        entry.update(status="failed", errors=[_error(error)])
        typer.echo(f"{error.location}: {error.message}", err=True)
        return entry
    except OSError as error:
        message = error.strerror or str(error)
        entry.update(status="failed", errors=[{"line": None, "column": None, "error": message}])
        typer.echo(f"{path}: {message}", err=True)
        return entry
    data = to_data(doc, redact_secrets=not show_secrets)
    entry["kind"] = doc.kind
    entry["parsed"] = data["directives"]
    return entry


def _hide_secrets(error: Any, path: Path, kind: str | None) -> None:
    """A parse error may quote the word it stumbled on, which may be a password: mask it."""
    from xsanconf.api import read_text
    from xsanconf.formats import detect_kind
    from xsanconf.secrets import scrub, secret_values

    try:
        text = read_text(path)
    except OSError:
        return
    # the format's own reading finds a value the line pattern cannot (on a line of its own)
    error.message = scrub(
        error.message, secret_values(text, kind=kind or detect_kind(str(path), text))
    )


def _error(error: Any) -> dict[str, Any]:
    return {"line": error.line, "column": error.column, "error": error.message}


def _outline(directives: list[dict[str, Any]], depth: int = 0) -> list[str]:
    lines = []
    for d in directives:
        args = " ".join(d.get("args", []))
        if "\n" in args:  # a statement over several lines (an xm config's Python): its first
            args = args.split("\n", 1)[0].rstrip() + " ..."
        line = f"{'  ' * depth}{d['name']} {args}".rstrip()
        if d.get("line") is not None:
            line = f"{line:<60} :{d['line']}"
        lines.append(line)
        if d.get("block"):
            lines += _outline(d["block"], depth + 1)
    return lines


@app.command(cls=_Command)
def parse(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Files to parse.", show_default=False)
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            metavar="KIND",
            help="Format of the files (default: from name and content).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the model as JSON (crossplane-style envelope).")
    ] = False,
    show_secrets: Annotated[
        bool,
        typer.Option("--show-secrets", help="Print passwords and shared secrets as they are."),
    ] = False,
) -> None:
    """Parse FILES and print what was understood.

    Errors go to stderr as path:line:col: message; the exit code is 1 when any file fails.
    Secrets (CHAP passwords, DRBD shared secrets) print as ******** unless --show-secrets.
    """
    _check_kind(kind)
    entries = [_parse_one(path, kind, show_secrets) for path in files]
    failed = any(e["status"] != "ok" for e in entries)
    if as_json:
        envelope = {
            "status": "failed" if failed else "ok",
            "errors": [dict(err, file=e["file"]) for e in entries for err in e["errors"]],
            "config": entries,
        }
        typer.echo(json.dumps(envelope, indent=2, ensure_ascii=False))
    else:
        for e in entries:
            if e["status"] == "ok":
                typer.echo(f"{e['file']} ({e['kind']})")
                for line in _outline(e["parsed"], 1):
                    typer.echo(line)
    if failed:
        raise typer.Exit(1)


@app.command(cls=_Command)
def build(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="JSON", help="JSON from `xsanconf parse --json` (or '-' for stdin)."
        ),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", metavar="KIND", help="Format to build (default: from the data)."
        ),
    ] = None,
) -> None:
    """Render plain data (JSON) back to configuration text on stdout.

    Accepts a whole `parse --json` envelope (every file is printed, each after a `# file:`
    comment when there are several) or one document's data (`{"kind": ..., "directives": [...]}`).
    Data whose secrets were redacted (`********`) is refused, exit 1: export it with
    `parse --json --show-secrets` to build it back.
    """
    from xsanconf.data import from_data
    from xsanconf.errors import ParseError

    _check_kind(kind)
    raw = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        typer.echo(f"{source}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}", err=True)
        raise typer.Exit(1) from None
    documents = (
        [
            {"kind": c["kind"], "directives": c["parsed"], "path": c["file"]}
            for c in data["config"]
            if c.get("parsed") is not None
        ]
        if isinstance(data, dict) and "config" in data
        else [data]
    )
    try:
        for item in documents:
            doc = from_data(item, kind)
            if len(documents) > 1:
                typer.echo(f"# file: {item.get('path')}")
            typer.echo(doc.render(), nl=False)
    except (ParseError, ValueError, KeyError, TypeError) as error:
        typer.echo(f"{source}: cannot build: {error}", err=True)
        raise typer.Exit(1) from None


def _editable(file: Path, kind: str | None) -> tuple[Any, Any, str]:
    """The document, its codec and the text read, or a clear exit when one is unusable.

    The file is checked as ``parse`` checks it (a FIFO, a device or a file over the size limit
    is refused, never opened blocking nor read without bound)."""
    from xsanconf.api import loads
    from xsanconf.errors import ParseError
    from xsanconf.formats import detect_kind
    from xsanconf.limits import read_checked

    _check_kind(kind)
    text, why = read_checked(file)
    if text is None:
        typer.echo(f"{file}: {why}", err=True)
        raise typer.Exit(1)
    kind = kind or detect_kind(str(file), text)
    try:
        if kind is None:
            raise ParseError("cannot tell which format this file is; pass a kind", line=1, column=1)
        doc = loads(text, kind, path=str(file))
    except ParseError as error:
        error.path = str(file)
        typer.echo(f"{error.location}: {error.message}", err=True)
        raise typer.Exit(1) from None
    fmt = doc.codec
    if not fmt.editable:
        typer.echo(f"{file}: selectors are not supported for {doc.kind} files yet", err=True)
        raise typer.Exit(2)
    return doc, fmt, text


def _selector_failed(error: Exception) -> typer.Exit:
    typer.echo(f"xsanconf: {error}", err=True)
    return typer.Exit(2)


def _refused(file: Path, selector: str, error: Exception) -> typer.Exit:
    """A value the format cannot hold: say why; nothing is written."""
    typer.echo(f"{file}: cannot change {selector}: {error}; nothing written", err=True)
    return typer.Exit(1)


def _write_back(
    file: Path, doc: Any, before: str, selector: str, *, show_diff: bool, force: bool
) -> None:
    """Print the change, or write it atomically; either only once the new text is known to
    parse and to read back as the edited model does."""
    from xsanconf.api import write_text
    from xsanconf.writing import ReadOnlyFileError, WriteError

    after = doc.render()
    if after == before:
        return
    _check_reads_back(file, doc, after, selector)
    if show_diff:
        typer.echo(_masked_diff(file, doc, before, after), nl=False)
        return
    try:
        write_text(file, after, expected=before, force=force)
    except WriteError as error:
        hint = " (--force writes it anyway)" if isinstance(error, ReadOnlyFileError) else ""
        typer.echo(f"xsanconf: {error}; nothing written{hint}", err=True)
        raise typer.Exit(1) from None


def _masked_diff(file: Path, doc: Any, before: str, after: str) -> str:
    """The change as a unified diff with every secret masked, on the changed lines and on
    their neighbours alike, as each side's format reads its secrets (``get`` is the way to
    print a secret)."""
    import difflib

    from xsanconf.api import loads
    from xsanconf.secrets import redact_diff

    diff = difflib.unified_diff(
        before.splitlines(True), after.splitlines(True), str(file), str(file)
    )
    sides = [loads(text, doc.kind, path=str(file), recover=True) for text in (before, after)]
    return redact_diff("".join(diff), sides)


def _check_reads_back(file: Path, doc: Any, after: str, selector: str) -> None:
    from xsanconf.api import loads
    from xsanconf.errors import ParseError

    try:
        again = loads(after, doc.kind, path=str(file))
    except ParseError as error:
        typer.echo(f"{file}: refusing to write a change that does not parse: {error}", err=True)
        raise typer.Exit(1) from None
    if doc.codec.get_value(again, selector) != doc.codec.get_value(doc, selector):
        typer.echo(
            f"{file}: refusing to write: {selector} would not read back as it was set", err=True
        )
        raise typer.Exit(1)


_SELECTOR_HELP = "What to read or change (see the table below), e.g. resource[r0].net.protocol"
_KIND = typer.Option(
    "--kind", "-k", metavar="KIND", help="Format of the file (default: from name and content)."
)
_DIFF = typer.Option("--diff", help="Print a unified diff instead of writing the file.")
_FORCE = typer.Option(
    "--force", help="Write a read-only file (mode 0444, or one you may not write) all the same."
)
_FILE = typer.Argument(metavar="FILE", help="The file to change.")
_SELECTOR = typer.Argument(metavar="SELECTOR", help=_SELECTOR_HELP)
_SELECTORS = """Selectors, by kind (a [filter] picks a section; keys compare as the format's reader
compares them):

\b
  drbd           resource[r0].net.protocol   resource[r0].on[alice].address   global.usage-count
  ietd           iSNSServer   IncomingUser   IncomingUser[USER] (value: the password)
                 target[IQN]   target[IQN].MaxConnections   target[IQN].lun[0]
                 target[IQN].lun[0].ScsiId   target[IQN].IncomingUser (value: USER PASSWORD)
  lio            storage_objects[name=disk0].wwn   storage_objects[name=disk0].attributes.X
                 targets[wwn=IQN].tpgs[tag=1].attributes.authentication
                 targets[wwn=IQN].tpgs[tag=1].node_acls[node_wwn=IQN].chap_userid
                 fabric_modules[name=iscsi].discovery_userid   (JSON values; [N] picks item N)
  tgt            default-driver   target[IQN].initiator-address (a list: set adds)
                 target[IQN].incominguser[USER] (value: the password)
                 target[IQN].backing-store[PATH]   target[IQN].backing-store[PATH].scsi_id
  iet-access     target[IQN]   target[ALL]   (value: a list, "10.0.0.1, 10.0.0.0/24")
  iscsid         node.session.timeo.replacement_timeout   (the key, taken whole)
  iscsi-node     node.session.timeo.replacement_timeout   (a record: the key, taken whole)
  initiatorname  InitiatorName   InitiatorAlias
  shell-vars     ISCSITARGET_ENABLE   (the value is quoted as the shell needs)
  multipath      defaults.user_friendly_names   multipaths.multipath[wwid=3600...].alias
                 devices.device[vendor=HP,product=HSV1].no_path_retry (a new device: both)
                 blacklist.devnode (a list: set adds)
                 blacklist.devnode[^sda$]   multipaths.multipath[wwid=3600...] (unset: the entry)
  modprobe       options[firewire_sbp2].exclusive_login   options[MOD]   alias[PATTERN]
                 blacklist (a list: set adds)   blacklist[sbp2]   install[MOD]   softdep[MOD]
  modules        modules (a list: set adds)   modules[loop]   modules[loop].max_loop
  systemd-unit   Unit.After   Service.ExecStart   Install.WantedBy
  init-script    Required-Start   Default-Start   (an LSB header keyword)
  xend-config    xend-relocation-server   xend-relocation-hosts-allow
  xen-domain     memory   name   disk   disk[0]   (numbers, 'strings' and [lists] as written)
                 (a value xm's Python code computes prints as the file writes it)
  xl-conf        autoballoon   vif.default.bridge   (the key, taken whole)
  lvm            devices/filter   global/use_lvmetad   (the path; a value as LVM writes it)
  scst           setup_id   HANDLER[vdisk_blockio].DEVICE[disk1].t10_dev_id
                 TARGET_DRIVER[iscsi].TARGET[IQN].enabled   ...TARGET[IQN].LUN[0] (value: device)
                 ...TARGET[IQN].GROUP[g].INITIATOR (a list: set adds)   ...INITIATOR[PATTERN]
                 ...TARGET[IQN].IncomingUser (value: USER SECRET)   ...IncomingUser[USER]
  cib            property[stonith-enabled]   nodes   resource[ID]   resource[ID].params.NAME
                 resource[ID].meta.NAME   (get only: the CIB is changed with pcs or crm)

get prints one value a line (every entry of a list) and exits 1 when nothing is set;
unset exits 1 when there was nothing to remove; a bad selector exits 2."""


@app.command(cls=_Command, epilog=_SELECTORS)
def get(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The file to read.")],
    selector: Annotated[str, _SELECTOR],
    kind: Annotated[str | None, _KIND] = None,
) -> None:
    """Print the value of the setting SELECTOR names in FILE (exit 1 when it is not set)."""
    from xsanconf.select import SelectorError

    doc, fmt, _ = _editable(file, kind)
    try:
        values = fmt.get_value(doc, selector)
    except SelectorError as error:
        raise _selector_failed(error) from None
    for value in values:
        typer.echo(value)
    if not values:
        raise typer.Exit(1)


@app.command("set", cls=_Command, epilog=_SELECTORS)
def set_(
    file: Annotated[Path, _FILE],
    selector: Annotated[str, _SELECTOR],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
    *,
    kind: Annotated[str | None, _KIND] = None,
    show_diff: Annotated[bool, _DIFF] = False,
    force: Annotated[bool, _FORCE] = False,
) -> None:
    """Set a value in FILE, changing only what it must; the rest of the file stays byte for byte.

    A missing setting is added beside its siblings, in the file's own style (indentation, tabs,
    aligned values, quotes, CRLF); setting the value `get` prints changes nothing.  The file is
    replaced atomically (through symbolic links; mode and owner kept; a file with several hard
    links in place), only if the result parses and reads back as set, and only if nobody
    changed the file meanwhile; a value the format cannot hold (a line break, a ',' in an ietd
    Lun parameter ...) is refused with exit code 1, and so is a read-only file (unless --force).
    --diff masks secrets.
    """
    from xsanconf.select import SelectorError

    doc, fmt, before = _editable(file, kind)
    try:
        if fmt.get_value(doc, selector) == [value]:
            return  # already so: set is idempotent, whatever the spelling of a list or quotes
        fmt.set_value(doc, selector, value)
    except SelectorError as error:
        raise _selector_failed(error) from None
    except ValueError as error:
        raise _refused(file, selector, error) from None
    _write_back(file, doc, before, selector, show_diff=show_diff, force=force)


@app.command(cls=_Command, epilog=_SELECTORS)
def unset(
    file: Annotated[Path, _FILE],
    selector: Annotated[str, _SELECTOR],
    kind: Annotated[str | None, _KIND] = None,
    show_diff: Annotated[bool, _DIFF] = False,
    force: Annotated[bool, _FORCE] = False,
) -> None:
    """Remove the setting SELECTOR names (its line goes; exit 1 when it was not set)."""
    from xsanconf.select import SelectorError

    doc, fmt, before = _editable(file, kind)
    try:
        removed = fmt.unset_value(doc, selector)
    except SelectorError as error:
        raise _selector_failed(error) from None
    except ValueError as error:
        raise _refused(file, selector, error) from None
    if not removed:
        typer.echo(f"{file}: {selector} is not set", err=True)
        raise typer.Exit(1)
    _write_back(file, doc, before, selector, show_diff=show_diff, force=force)


@app.command(cls=_Command)
def kinds() -> None:
    """List the formats xsanconf reads, with the files each kind is detected from."""
    from xsanconf.formats import KINDS, entry

    for name in KINDS:
        typer.echo(f"{name:<14} {entry(name).summary}")


@app.command(cls=_Command)
def graph(
    sites: Annotated[
        list[Path],
        typer.Argument(metavar="SITE...", help="Sites or host roots.", show_default=False),
    ],
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="dot, svg (needs Graphviz) or mermaid."
        ),
    ] = "dot",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(metavar="KIND=VERSION", help="Targeted version, e.g. drbd=8.4, iet=1.4.19."),
    ] = None,
    findings: Annotated[
        bool, typer.Option("--findings/--no-findings", help="Mark what xsanlint reports.")
    ] = True,
) -> None:
    """Draw the site's storage stack: disk -> DRBD -> IET LUN (WWID) -> iSCSI path -> multipath
    map -> guest disk, one cluster per host; elements with findings in red with their codes.

    \b
    Examples:
      xsanconf graph fixtures/sites/example | dot -Tpng > stack.png
      xsanconf graph site/ --format svg --output stack.svg
      xsanconf graph site/ --format mermaid       # paste into a Markdown ```mermaid block

    Exit status: 0 drawn, 2 when the site cannot be read or `dot` is missing or fails.
    """
    from xsanconf.graph import build_graph
    from xsanconf.graph.render import FORMATS, GraphvizError, GraphvizNotFoundError, render
    from xsanconf.lint.engine import LintOptions, SelectionError, lint
    from xsanconf.lint.site import Site, SiteError

    if output_format not in FORMATS:
        raise typer.BadParameter(
            f"unknown format {output_format!r}; use one of {', '.join(FORMATS)}",
            param_hint="--format",
        )
    versions = dict(v.split("=", 1) for v in target or [] if "=" in v)
    try:
        site = Site.load(sites)
        found = lint(site, LintOptions(versions=versions)).diagnostics if findings else []
        text = render(build_graph(site, found, versions), output_format)
    except (SiteError, SelectionError, GraphvizNotFoundError, GraphvizError) as error:
        typer.echo(f"xsanconf graph: {error}", err=True)
        raise typer.Exit(2) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        typer.echo(f"xsanconf graph: {output}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None


def run() -> None:
    """Console entry point: never a traceback for a user's mistake."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # a bug: say so plainly, exit 2
        typer.echo(f"xsanconf: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(2)
