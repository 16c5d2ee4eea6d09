"""The ``xsanlint`` command: wires the site loader, the engine and a reporter; nothing more.

``--version`` is answered before typer, lark or any codec is imported, so it stays fast.
Exit codes: 0 nothing at or above ``--fail-on``, 1 findings, 2 usage, configuration or internal
error.  An unexpected exception is reported in one line, never as a traceback.
"""

# No ``from __future__ import annotations`` here: typer reads the option annotations at runtime,
# and they name ``typer``, which is imported only inside the functions that build the apps.
import posixpath
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from xsanconf.lint.engine import LintResult
    from xsanconf.lint.fixing import Written
    from xsanconf.lint.query import QueryContext
    from xsanconf.lint.rule import Rule
    from xsanconf.lint.site import Site

__all__ = ["run"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

MAIN_HELP = """\
Check the configuration of a site of storage hosts (DRBD, IET, open-iscsi, dm-multipath, kmod)
for mistakes inside files, across the files of a host and across hosts.

PATH is an etc directory or a host root containing etc/ (one host; an unpacked sosreport or a
supportconfig directory is one too), a directory whose sub-directories are host roots (a site),
or a file (its host, and the site around it, are loaded for context; only findings in the given
files, or involving them, are reported).  Captured command output in a host root (captures/,
a sosreport's sos_commands/) is compared with the configuration by the STATE rules.

\b
Examples:
  xsanlint /etc                                  lint this machine
  xsanlint fixtures/sites/example                lint a site of four hosts
  xsanlint --host san1=backup/san1 --host san2=backup/san2
  xsanlint site/ --select DRBD --ignore DRBD008  only DRBD rules, without DRBD008
  xsanlint site/ --target drbd=8.4               check against DRBD 8.4
  xsanlint site/ --format sarif --output xsanlint.sarif
  xsanlint site/ --diff                          show what --fix would change
  xsanlint site/ --fix                           apply the safe fixes
  xsanlint rules                                 list every rule
  xsanlint hosts site/                           the versions assumed for each host
  xsanlint rule DRBD001                          explain one rule
  xsanlint query luns site/ --where host=san1    ask the site: hosts, drbd, luns, paths,
                                                 initiators, guests, boot (--format csv|json)
  xsanlint export site/ --output site.json       the whole site model, for OPA/conftest
  xsanlint site/ --rules-from house_rules.py     run your own rules too
  (a site directory named rules, rule, hosts, query or export: write ./NAME)

\b
Configuration: [tool.xsanlint] in pyproject.toml, or xsanlint.toml / .xsanlint.toml, found by
walking up from the working directory; command-line options win.
Suppress one finding with an own-line comment above the statement or section:
  # xsanlint: disable=DRBD008
or for a whole file: # xsanlint: disable-file=DRBD008

\b
Fixes: a safe fix keeps what the daemon does and only changes how it is written (a renamed
option, a missing final newline); an unsafe fix changes behaviour (DRBD001 allows two
primaries) and needs a review.  --fix applies the safe ones, --unsafe-fixes the others too,
--diff prints the change as a diff for patch -p1 or git apply and writes nothing (lines holding a
secret are left out; a change next to one is named on stderr).  Fixes are applied in rounds until
none is left; a change whose result would not parse is refused; files are replaced atomically,
keeping mode and owner.  Then the findings that remain are reported, and set the exit status.

Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or internal error.
With --diff: 1 if there is something to change.
"""


def _version() -> str:
    from xsanconf import __version__

    return f"xsanlint (xsanconf) {__version__}"


def main() -> None:
    """The ``xsanlint`` command: :func:`run`, then leave without tearing the interpreter down.

    Freeing every module, class and syntax tree at exit costs a tenth of a short run, and a
    process that is about to end has nothing to free: its output is flushed here, its files
    were closed where they were written, and it registers no exit handlers.

    The cyclic garbage collector is off for the same reason: importing the codecs and rules,
    parsing and checking allocate many objects and free few (a 500-host site peaks at the same
    memory either way), so its passes cost a twentieth of a short run and find nothing.
    """
    import gc
    import os

    gc.disable()
    code = EXIT_ERROR
    try:
        run()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else EXIT_ERROR if done.code else 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        code = code or EXIT_ERROR
    os._exit(code)


def run(argv: list[str] | None = None) -> None:
    """Run xsanlint on ``argv`` (default: the command line); always raises SystemExit."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["--version"], ["-V"]):
        sys.stdout.write(_version() + "\n")
        raise SystemExit(EXIT_CLEAN)
    try:
        code = _dispatch(args)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("xsanlint: interrupted\n")
        code = EXIT_ERROR
    except Exception as error:  # the promise: never a traceback
        sys.stderr.write(f"xsanlint: internal error: {type(error).__name__}: {error}\n")
        code = EXIT_ERROR
    raise SystemExit(code)


def _dispatch(args: list[str]) -> int:
    from xsanconf.lint.argv import read_check_args

    quick = read_check_args(args)
    if quick is not None:
        try:
            return _lint(_request(**quick))  # type: ignore[arg-type]
        except SystemExit as done:
            return int(done.code or 0) if not isinstance(done.code, str) else EXIT_ERROR
    app = (
        _docs_app()
        if args[:1] in (["rule"], ["rules"], ["hosts"], ["query"], ["export"])
        else _check_app()
    )
    try:
        app(args=args, prog_name="xsanlint", standalone_mode=True)
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else EXIT_ERROR
    return EXIT_CLEAN


def _fail(message: str) -> None:
    sys.stderr.write(f"xsanlint: {message}\n")
    raise SystemExit(EXIT_ERROR)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    found = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            _fail(f"{what} takes NAME=VALUE, got {value!r}")
        found[name.strip()] = rest.strip()
    return found


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for value in values or [] for v in value.split(",") if v.strip())


def _check_app() -> Any:
    import typer

    app = typer.Typer(
        add_completion=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.command(help=MAIN_HELP, epilog="More: xsanlint rules --help, xsanlint rule --help")
    def check(  # noqa: PLR0917 -- typer maps each command-line option to a parameter
        paths: Annotated[
            list[Path] | None,
            typer.Argument(metavar="PATH...", help="Hosts, sites or files.", show_default=False),
        ] = None,
        host: Annotated[
            list[str] | None,
            typer.Option("--host", metavar="NAME=PATH", help="A host root, named explicitly."),
        ] = None,
        output_format: Annotated[
            str | None,
            typer.Option(
                "--format", "-f", metavar="FORMAT", help="text (default), json, sarif, github, html"
            ),
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE."),
        ] = None,
        select: Annotated[
            list[str] | None,
            typer.Option(
                metavar="RULES",
                help="Rules to run: codes, prefixes (DRBD) or names; comma-separated.",
            ),
        ] = None,
        ignore: Annotated[
            list[str] | None, typer.Option(metavar="RULES", help="Rules not to run.")
        ] = None,
        extend_select: Annotated[
            list[str] | None,
            typer.Option(metavar="RULES", help="Rules to run in addition to the selection."),
        ] = None,
        target: Annotated[
            list[str] | None,
            typer.Option(
                metavar="[HOST:]KIND=VERSION",
                help=(
                    "Version a host runs, stronger than what its files show (see `xsanlint "
                    "hosts`): drbd=8.3|8.4|9, multipath=0.4.5...0.14.3, iet=1.4.20, kmod=29, "
                    "drbd-utils, open-iscsi, xen; HOST: for one host (san1:drbd=8.4)."
                ),
            ),
        ] = None,
        severity: Annotated[
            list[str] | None,
            typer.Option(metavar="RULE=LEVEL", help="Override a severity, e.g. DRBD008=error."),
        ] = None,
        fail_on: Annotated[
            str | None,
            typer.Option(
                metavar="LEVEL",
                help="Lowest severity that fails the run: info, warning (default), error.",
            ),
        ] = None,
        exit_zero: Annotated[
            bool, typer.Option("--exit-zero", help="Exit 0 even with findings.")
        ] = False,
        statistics: Annotated[
            bool,
            typer.Option(
                "--statistics",
                help="Print only a table of the findings per rule (most first; [*]: --fix "
                "fixes some) and the summary, not the findings.",
            ),
        ] = False,
        config: Annotated[
            Path | None,
            typer.Option(metavar="FILE", help="Use this configuration file instead of searching."),
        ] = None,
        isolated: Annotated[
            bool, typer.Option("--isolated", help="Ignore configuration files.")
        ] = False,
        color: Annotated[str, typer.Option(metavar="WHEN", help="auto, always or never.")] = "auto",
        fix: Annotated[
            bool,
            typer.Option("--fix", help="Apply the safe fixes (same meaning), then report."),
        ] = False,
        unsafe_fixes: Annotated[
            bool,
            typer.Option(
                "--unsafe-fixes",
                help="Apply the unsafe fixes too (they change behaviour: review); implies --fix.",
            ),
        ] = False,
        diff: Annotated[
            bool,
            typer.Option("--diff", help="Print the fixes as a unified diff; write nothing."),
        ] = False,
        show_secrets: Annotated[
            bool,
            typer.Option(
                "--show-secrets",
                help="Show passwords and shared secrets in source lines and fixes "
                "(masked as ******** by default).",
            ),
        ] = False,
        baseline: Annotated[
            Path | None,
            typer.Option(
                metavar="FILE",
                help="Report only findings this baseline file does not hold.",
            ),
        ] = None,
        update_baseline: Annotated[
            bool,
            typer.Option(
                "--update-baseline",
                help="Write the current findings to the --baseline FILE (atomically), exit 0.",
            ),
        ] = False,
        rules_from: Annotated[
            list[Path] | None,
            typer.Option(
                "--rules-from",
                metavar="FILE",
                help="Load rules from a plain Python file too (see README: Your own rules).",
            ),
        ] = None,
        version: Annotated[bool, typer.Option("--version", "-V", help="Show the version.")] = False,
    ) -> None:
        if version:
            sys.stdout.write(_version() + "\n")
            raise SystemExit(EXIT_CLEAN)
        # every parameter but --version is an option of the request, under the same name
        given = {name: value for name, value in locals().items() if name != "version"}
        request = _request(**given)
        raise SystemExit(_lint(request))

    return app


def _request(
    *,
    paths: list[Path] | None = None,
    host: list[str] | None = None,
    output_format: str | None = None,
    output: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
    target: list[str] | None = None,
    severity: list[str] | None = None,
    fail_on: str | None = None,
    exit_zero: bool = False,
    statistics: bool = False,
    config: Path | None = None,
    isolated: bool = False,
    color: str = "auto",
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    show_secrets: bool = False,
    baseline: Path | None = None,
    update_baseline: bool = False,
    rules_from: list[Path] | None = None,
) -> "CheckRequest":
    """The request for the check command's parameters, however they were read (typer or
    :mod:`xsanconf.lint.argv`); the defaults are the typer command's."""
    return CheckRequest(
        paths=paths or [],
        hosts=host or [],
        output_format=output_format,
        output=output,
        select=_split(select),
        ignore=_split(ignore),
        extend_select=_split(extend_select),
        target=target or [],
        severity=severity or [],
        fail_on=fail_on,
        exit_zero=exit_zero,
        statistics=statistics,
        config=config,
        isolated=isolated,
        color=color,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        diff=diff,
        show_secrets=show_secrets,
        baseline=baseline,
        update_baseline=update_baseline,
        rules_from=rules_from or [],
    )


class CheckRequest(NamedTuple):
    """The lint command's options as given on the command line (None: not given)."""

    paths: list[Path]
    hosts: list[str]
    output_format: str | None
    output: Path | None
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    extend_select: tuple[str, ...]
    target: list[str]
    severity: list[str]
    fail_on: str | None
    exit_zero: bool
    statistics: bool
    config: Path | None
    isolated: bool
    color: str
    fix: bool = False
    unsafe_fixes: bool = False  # implies fix
    diff: bool = False  # show the fixes, write nothing
    show_secrets: bool = False  # secrets unmasked in the report
    baseline: Path | None = None  # report only findings it does not hold
    update_baseline: bool = False  # write the findings to the baseline instead
    rules_from: list[Path] = []  # noqa: RUF012 -- NamedTuple default, never mutated


def _lint(request: CheckRequest) -> int:
    from xsanconf.lint.config import ConfigError, FileConfig, load_config
    from xsanconf.lint.diagnostics import Severity
    from xsanconf.lint.engine import LintOptions, SelectionError, lint
    from xsanconf.lint.reporters import FORMATS, Report, render
    from xsanconf.lint.site import Site, SiteError

    if not request.paths and not request.hosts:
        _fail("give at least one PATH or --host NAME=PATH (see xsanlint --help)")
    if request.update_baseline and request.baseline is None:
        _fail("--update-baseline needs --baseline FILE")
    try:
        file_config = FileConfig() if request.isolated else load_config(request.config)
        fmt = request.output_format or file_config.format or "text"
        if fmt not in FORMATS:
            _fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
        threshold = (
            Severity.parse(request.fail_on)
            if request.fail_on
            else file_config.fail_on or Severity.WARNING
        )
        severities = dict(file_config.severities)
        given = _pairs(request.severity, "--severity")
        severities.update({k: Severity.parse(v) for k, v in given.items()})
        # --select replaces the file's whole selection; otherwise the command line adds to it,
        # and a rule it names outright is no longer ignored by the file
        base = FileConfig() if request.select else file_config
        file_ignore = tuple(i for i in base.ignore if i not in request.extend_select)
        options = LintOptions(
            select=request.select or (file_config.select or ()),
            ignore=(*file_ignore, *request.ignore),
            extend_select=(*base.extend_select, *request.extend_select),
            severities=severities,
            per_path_ignores=file_config.per_path_ignores,
            **_targets(file_config, request.target),
        )
        plugins_failed = _load_plugins([*file_config.rules_from, *request.rules_from])
        site = Site.load(request.paths, _pairs(request.hosts, "--host"))
        if request.diff:
            return _diff(request, site, options, request.exit_zero or file_config.exit_zero)
        fixed = None
        if request.fix or request.unsafe_fixes:
            done = _fix(request, site, options)
            site, result, fixed = done.site, done.result, done.fixed
        else:
            result = lint(site, options)
        if request.baseline is not None:
            result = _baseline(request, result, site)
    except (ConfigError, SelectionError, SiteError, ValueError) as error:
        _fail(str(error))
        raise AssertionError("unreachable") from None
    secret_spans = None
    if not request.show_secrets:
        from xsanconf.lint.redaction import hide_secrets, line_secrets

        result = hide_secrets(result, site)
        secret_spans = line_secrets(site)
    report = Report(
        source_line=_source_lines(site),
        color=_use_color(request.color, request.output),
        statistics=request.statistics,
        hosts=len(site.hosts),
        page_help=_page_text,
        show_secrets=request.show_secrets,
        secret_spans=secret_spans,
        stack_graph=_stack_graph(site, options.versions) if fmt == "html" else lambda found: None,
        host_versions=lambda: _host_versions(site, options),
    )
    text = render(fmt, result, report)
    _write(text, request.output)
    for failure in result.failures:
        sys.stderr.write(f"xsanlint: internal error in rule {failure.code}: {failure.error}\n")
    if fixed is not None:
        sys.stderr.write(f"xsanlint: {fixed} fixed, {len(result.diagnostics)} remaining\n")
    if plugins_failed:
        return EXIT_ERROR  # some rules the user asked for did not run: the result is partial
    return _exit_code(result, threshold, request.exit_zero or file_config.exit_zero)


def _load_plugins(files: "Sequence[Path]") -> bool:
    """Load the installed plugins and the rule files given, before any rule is selected;
    print the plugins that failed (the run goes on without their rules); whether any did."""
    from xsanconf.lint.plugins import load_entry_point_plugins, load_rule_files, problems

    # the built-in families load later, as the run needs them: a plugin cannot take one of
    # their codes, whose prefixes are reserved (xsanconf.lint.plugins)
    load_entry_point_plugins()
    load_rule_files(files)
    found = problems()
    for problem in found:
        sys.stderr.write(f"xsanlint: {problem} (its rules did not run)\n")
    return bool(found)


def _baseline(request: CheckRequest, result: "LintResult", site: "Site") -> "LintResult":
    """``result`` without the findings the baseline holds; with --update-baseline, the
    baseline rewritten with every finding, and none reported."""
    import attrs

    from xsanconf.lint.baseline import keys, new_findings, read_baseline, write_baseline
    from xsanconf.lint.redaction import hide_secrets, mask_text

    assert request.baseline is not None
    masked = hide_secrets(result, site)  # keys never depend on --show-secrets
    lines = _source_lines(site)

    def masked_line(path: str, number: int) -> str | None:
        line = lines(path, number)
        return None if line is None else mask_text(line, site)

    found = keys(masked.diagnostics, site, masked_line)
    if request.update_baseline:
        count = write_baseline(request.baseline, found)
        sys.stderr.write(f"xsanlint: {request.baseline}: baseline of {count} findings written\n")
        return attrs.evolve(result, diagnostics=[])
    fresh = new_findings(result.diagnostics, found, read_baseline(request.baseline))
    known = len(result.diagnostics) - len(fresh)
    if known:
        sys.stderr.write(f"xsanlint: {known} findings of the baseline {request.baseline} hidden\n")
    return attrs.evolve(result, diagnostics=[result.diagnostics[i] for i in fresh])


def _host_versions(site: "Site", options: Any) -> dict[str, Any]:
    from xsanconf.lint.hosts_view import assumed_versions, versions_data

    return versions_data(assumed_versions(site, options.versions, options.host_versions))


def _targets(file_config: Any, given: list[str]) -> dict[str, Any]:
    """``versions`` and ``host_versions`` of the lint options: the file's, then the command
    line's (``--target drbd=8.4`` for the site, ``--target san1:drbd=8.4`` for one host)."""
    site = dict(file_config.versions)
    hosts = {name: dict(own) for name, own in file_config.host_versions.items()}
    for key, value in _pairs(given, "--target").items():
        host, colon, kind = key.rpartition(":")
        if colon and host:
            hosts.setdefault(host, {})[kind] = value
        else:
            site[key] = value
    return {"versions": site, "host_versions": hosts}


def _fix(request: CheckRequest, site: "Site", options: Any) -> "Written":
    """Apply the fixes; the site as the disk then holds it, and its findings."""
    from xsanconf.lint.fixing import fix_in_place
    from xsanconf.lint.redaction import mask_text
    from xsanconf.lint.site import Site

    def reload(moved: "Mapping[str, str]") -> Site:
        # a file named on the command line may have been renamed (modprobe.d/x -> x.conf)
        paths = [Path(moved.get(posixpath.normpath(str(p)), str(p))) for p in request.paths]
        return Site.load(paths, _pairs(request.hosts, "--host"))

    done = fix_in_place(site, reload, options, unsafe=request.unsafe_fixes)
    shown = (lambda text: text) if request.show_secrets else (lambda text: mask_text(text, site))
    for refusal in done.refused:
        sys.stderr.write(f"xsanlint: {shown(str(refusal))}\n")
    for change, reason in done.failed:
        sys.stderr.write(f"xsanlint: {shown(f'{change.path}: {reason}')}\n")
    return done


def _diff(request: CheckRequest, site: "Site", options: Any, exit_zero: bool) -> int:
    """Print what the fixes would change; exit 1 when there is something to change."""
    from xsanconf.lint.fixing import fix_site
    from xsanconf.lint.patch import make_patch
    from xsanconf.lint.redaction import mask_text, secret_test

    run = fix_site(site, options, unsafe=request.unsafe_fixes)
    shown = (lambda text: text) if request.show_secrets else (lambda text: mask_text(text, site))
    for refusal in run.refused:
        sys.stderr.write(f"xsanlint: {shown(str(refusal))}\n")
    # secret lines are left out of the diff, not masked in it: a masked line does not apply
    if request.show_secrets:
        patch = make_patch(run.changes, None)
    else:
        from xsanconf.api import loads

        # the new texts' secrets too, found as in the files read
        after = [loads(c.after, c.file.kind, path=c.path, recover=True) for c in run.changes]
        patch = make_patch(run.changes, secret_test(site, after))
    for withheld in patch.withheld:
        sys.stderr.write(f"xsanlint: {withheld} (--show-secrets shows it; --fix applies it)\n")
    _write(patch.text, request.output)
    remaining = len(run.result.diagnostics)
    sys.stderr.write(f"xsanlint: {len(run.applied)} would be fixed, {remaining} would remain\n")
    if run.result.failures:
        return EXIT_ERROR
    return EXIT_FINDINGS if run.changes and not exit_zero else EXIT_CLEAN


def _exit_code(result: "LintResult", threshold: Any, exit_zero: bool) -> int:
    if result.failures:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    failing = any(d.severity >= threshold for d in result.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _write(text: str, output: Path | None) -> None:
    # Undecodable bytes of file names and contents travel as lone surrogates: write them back
    # as the bytes they were, whatever the terminal's encoding.
    data = text.encode("utf-8", "surrogateescape")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        _fail(f"{output}: cannot write the report: {error.strerror}")


def _use_color(mode: str, output: Path | None) -> bool:
    import os

    if mode == "always":
        return True
    if mode == "never" or output is not None or os.environ.get("NO_COLOR"):
        return False
    if mode != "auto":
        _fail(f"--color takes auto, always or never, not {mode!r}")
    return sys.stdout.isatty()


def _source_lines(site: "Site") -> Any:
    import posixpath

    cache: dict[str, list[str]] = {}

    def source_line(path: str, line: int) -> str | None:
        key = posixpath.normpath(path)
        if key not in cache:
            file = site.file_at(key)
            # split on "\n" only: line numbers count "\n", and str.splitlines also splits on
            # form feeds and other separators a configuration file may hold
            cache[key] = file.text().split("\n") if file is not None else []
        lines = cache[key]
        if 1 <= line <= len(lines) and "\x00" not in lines[line - 1]:
            return lines[line - 1].rstrip("\r")
        return None

    return source_line


def _stack_graph(site: "Site", versions: "Mapping[str, str]") -> Any:
    def stack_graph(diagnostics: Any) -> Any:
        from xsanconf.graph import build_graph

        return build_graph(site, diagnostics, versions)

    return stack_graph


def _page_text(code: str) -> str | None:
    from xsanconf.lint.rule import REGISTRY

    rule = REGISTRY.get(code)
    return _rule_page(rule) if rule is not None else None


def _rule_page(rule: "Rule") -> str:
    """The rule's page: ``rules/CODE.md`` for ours, the check's docstring for a plugin's."""
    import inspect

    from xsanconf.lint.pages import page

    found = page(rule.code) if rule.origin == "xsanconf" else None
    if found is not None:
        return found.text
    doc = inspect.getdoc(rule.check) or rule.summary
    return f"# {rule.code} {rule.name}\n\n{doc}\n"


def _query_context(
    paths: list[Path], hosts: list[str], target: list[str], config: Path | None, isolated: bool
) -> "QueryContext":
    """The site and the versions set for it, read as the lint command reads them."""
    from xsanconf.lint.config import ConfigError, FileConfig, load_config
    from xsanconf.lint.engine import LintOptions, SelectionError
    from xsanconf.lint.query import QueryContext
    from xsanconf.lint.site import Site, SiteError

    if not paths and not hosts:
        _fail("give at least one PATH or --host NAME=PATH")
    try:
        file_config = FileConfig() if isolated else load_config(config)
        options = LintOptions(**_targets(file_config, target))
        options.effective_versions()
        site = Site.load(paths, _pairs(hosts, "--host"))
    except (ConfigError, SelectionError, SiteError, ValueError) as error:
        _fail(str(error))
        raise AssertionError("unreachable") from None
    return QueryContext(site, options.versions, options.host_versions)


def _registry(rules_from: "Sequence[Path]") -> "dict[str, Rule]":
    """Every rule: built-in, installed plugins, the configuration's and ``rules_from`` files."""
    from xsanconf.lint.config import ConfigError, load_config
    from xsanconf.lint.rules import load_all

    try:
        configured = load_config(None).rules_from
    except ConfigError as error:
        _fail(str(error))
        raise AssertionError("unreachable") from None
    _load_plugins([*configured, *rules_from])
    return load_all()


# What `xsanlint rule CODE` says about the fixes a rule declares (Rule.fix)
_FIX_HELP = {
    "none": "none",
    "safe": "safe (`xsanlint --fix` applies it)",
    "unsafe": "unsafe (it changes behaviour: `xsanlint --unsafe-fixes` applies it; review it)",
    "safe-or-unsafe": (
        "safe or unsafe, depending on the finding (`--fix` applies the safe ones, "
        "`--unsafe-fixes` all)"
    ),
}


def _docs_app() -> Any:
    import typer

    app = typer.Typer(
        add_completion=False,
        rich_markup_mode=None,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    # the site options the query commands share with linting
    site_paths = Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATH...", help="As for linting.", show_default=False),
    ]
    host_roots = Annotated[
        list[str] | None,
        typer.Option("--host", metavar="NAME=PATH", help="A host root, named explicitly."),
    ]
    targets = Annotated[
        list[str] | None, typer.Option(metavar="[HOST:]KIND=VERSION", help="As for linting.")
    ]
    config_file = Annotated[Path | None, typer.Option(help="Configuration file.")]
    no_config = Annotated[bool, typer.Option(help="Read no configuration file.")]

    @app.command("rule")
    def rule_page(
        code: Annotated[
            str, typer.Argument(metavar="CODE", help="A rule code or name, e.g. DRBD001.")
        ],
        rules_from: Annotated[
            list[Path] | None,
            typer.Option("--rules-from", metavar="FILE", help="As for linting."),
        ] = None,
    ) -> None:
        """Print a rule's page: what it checks, why, bad and good examples, the fix.

        Example: xsanlint rule SYN003
        """
        registry = _registry(rules_from or [])
        wanted = code.upper()
        named = next((r.code for r in registry.values() if r.name == code), wanted)
        if named not in registry:
            _fail(f"no rule {code!r}; `xsanlint rules` lists them")
            return
        rule = registry[named]
        text = _rule_page(rule)
        title, _, rest = text.partition("\n")
        facts = (
            f"Default severity: {rule.severity}. Scope: {rule.scope}. Fix: {_FIX_HELP[rule.fix]}."
        )
        if rule.origin != "xsanconf":
            facts += f" From the plugin {rule.origin}."
        text = f"{title}\n\n{facts}\n{rest}"
        sys.stdout.write(text if text.endswith("\n") else text + "\n")

    @app.command("hosts")
    def hosts(
        paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="As for linting.")],
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="text (default) or json.")
        ] = "text",
        target: targets = None,
        config: config_file = None,
        isolated: no_config = False,
    ) -> None:
        """Show the versions assumed for each host (DRBD, multipath-tools, ...) and the
        evidence: settings, proc/drbd, the package database, kernel modules, the files.

        Example: xsanlint hosts fixtures/sites/example --target san1:drbd=8.4
        """
        from xsanconf.lint.config import ConfigError, FileConfig, load_config
        from xsanconf.lint.engine import LintOptions, SelectionError
        from xsanconf.lint.hosts_view import assumed_versions, render_hosts
        from xsanconf.lint.site import Site, SiteError

        if output_format not in ("text", "json"):
            _fail(f"unknown --format {output_format!r}; use text or json")
        try:
            file_config = FileConfig() if isolated else load_config(config)
            options = LintOptions(**_targets(file_config, target or []))
            options.effective_versions()
            site = Site.load(paths)
        except (ConfigError, SelectionError, SiteError, ValueError) as error:
            _fail(str(error))
            return
        found = assumed_versions(site, options.versions, options.host_versions)
        _write(render_hosts(found, output_format), None)

    @app.command("query")
    def query(  # noqa: PLR0917 -- typer maps each command-line option to a parameter
        name: Annotated[
            str,
            typer.Argument(
                metavar="NAME", help="hosts, drbd, luns, paths, initiators, guests or boot."
            ),
        ],
        paths: site_paths = None,
        host: host_roots = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="text (default), json or csv.")
        ] = "text",
        where: Annotated[
            list[str] | None,
            typer.Option(
                metavar="COLUMN=VALUE",
                help="Only rows where COLUMN is VALUE (a list column: holds VALUE); repeatable.",
            ),
        ] = None,
        target: targets = None,
        config: config_file = None,
        isolated: no_config = False,
    ) -> None:
        """Answer a question about the site as a table, from the facts the rules read.

        hosts: roles, versions and evidence. drbd: each host's DRBD volumes, peers, protocol.
        luns: each exported LUN, its backing device, replica, identity, WWID, cache. paths:
        each initiator's maps, the heads that present them, policy. initiators: names,
        startup, failover timeout, CHAP. guests: each guest disk on shared storage and the hosts
        that can run it. boot: each host's start order of the storage services.

        Example: xsanlint query luns fixtures/sites/example --where host=san1 --format csv
        """
        from xsanconf.lint.query import QUERIES, filter_rows, render_table, run_query

        if name not in QUERIES:
            _fail(f"no query {name!r}; use one of {', '.join(QUERIES)}")
        if output_format not in ("text", "json", "csv"):
            _fail(f"unknown --format {output_format!r}; use text, json or csv")
        ctx = _query_context(paths or [], host or [], target or [], config, isolated)
        try:
            table = filter_rows(run_query(name, ctx), where or [])
        except ValueError as error:
            _fail(str(error))
            return
        _write(render_table(table, output_format), None)

    @app.command("export")
    def export(  # noqa: PLR0917 -- typer maps each command-line option to a parameter
        paths: site_paths = None,
        host: host_roots = None,
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="json (the only one).")
        ] = "json",
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", metavar="FILE", help="Write it to FILE."),
        ] = None,
        target: targets = None,
        config: config_file = None,
        isolated: no_config = False,
    ) -> None:
        """Write the whole site model as one JSON document (schema xsanconf-site-export/1:
        hosts with their files and versions, and every query's table), for policy engines
        such as conftest/OPA.

        Example: xsanlint export fixtures/sites/example --output site.json
        """
        import json

        from xsanconf.lint.query import export as export_site

        if output_format != "json":
            _fail(f"unknown --format {output_format!r}; export writes json")
        ctx = _query_context(paths or [], host or [], target or [], config, isolated)
        _write(json.dumps(export_site(ctx), indent=2) + "\n", output)

    @app.command("rules")
    def list_rules(
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="text (default) or json.")
        ] = "text",
        rules_from: Annotated[
            list[Path] | None,
            typer.Option("--rules-from", metavar="FILE", help="As for linting."),
        ] = None,
    ) -> None:
        """List every rule: code, name, default severity, scope, fix and what it checks.

        The fix column: none; safe (--fix applies it); unsafe (--unsafe-fixes applies it);
        safe-or-unsafe (depending on the finding).

        Example: xsanlint rules --format json
        """
        import json

        registry = _registry(rules_from or [])
        rules = [registry[code] for code in sorted(registry)]
        if output_format == "json":
            data = [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": str(r.severity),
                    "scope": r.scope,
                    "needs": list(r.needed_kinds()),
                    "fix": r.fix,
                    "summary": r.summary,
                    "origin": r.origin,
                }
                for r in rules
            ]
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        elif output_format == "text":
            for r in rules:
                origin = f" [plugin {r.origin}]" if r.origin != "xsanconf" else ""
                sys.stdout.write(
                    f"{r.code:<9} {r.name:<32} {r.severity!s:<8} {r.scope:<5} {r.fix:<14} "
                    f"{r.summary}{origin}\n"
                )
        else:
            _fail(f"unknown --format {output_format!r}; use text or json")

    return app
