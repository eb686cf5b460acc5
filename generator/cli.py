"""The command line: thin click commands, each calling one function of the package.

Exit status: 0 success, 1 the content has errors, 2 the command was misused, 70 an internal
error (a bug in reportgen: one line and a hint to report it; the traceback only with --debug),
128+N interrupted by signal N (nothing was published). `main(argv)` is callable from tests.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from generator.limits import DEFAULT_MEMORY_MB, DEFAULT_SECONDS

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE
# `build --pdf-standard`, the default first: the keys of generator/writers/pdf/render.py PDF_STANDARDS
# (named here so that `reportgen --help` does not import the PDF writer; a test holds them equal).
PDF_STANDARDS = ("a2+ua1", "ua1")


# A diagnostic as printed: `path:line[:col]: severity[code]: message` (generator/diagnostics.py)
_DIAGNOSTIC = re.compile(r"^(?P<where>.*?:) (?P<severity>error|warning)(?P<code>\[[a-z0-9-]+\]):")
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def styled(line: str) -> str:
    """A diagnostic line with its `path:line:` bold and its `error[code]` red (a warning's yellow).
    click.echo drops the styles again unless colour is on (`_colour`): on a terminal, never with
    NO_COLOR; a user's text cannot add styles of its own (diagnostics print control characters
    escaped, `\\x1b`)."""
    match = _DIAGNOSTIC.match(line)
    if match is None:
        return line
    return (click.style(match["where"], bold=True) + " "
            + click.style(match["severity"] + match["code"], fg=_SEVERITY_COLOUR[match["severity"]], bold=True)
            + ":" + line[match.end():])


def _is_error(line: str) -> bool:
    match = _DIAGNOSTIC.match(line)
    return match is None or match["severity"] == "error"


def _echo_diagnostics(lines, quiet: bool = False) -> None:
    """Diagnostic lines on stderr, coloured where colour is on; with --quiet, the errors only."""
    for line in lines:
        if not quiet or _is_error(line):
            click.echo(styled(line), err=True)


def _print_diagnostics(diags, quiet: bool = False) -> None:
    _echo_diagnostics(map(str, diags.sorted()), quiet)


def _colour(ctx, param, value: bool | None) -> None:
    """--color/--no-color, on the program and on its commands: colour or not, whatever the stream.
    Without either, click colours a stream only when it is a terminal, and never while NO_COLOR is
    set to anything but "" (https://no-color.org: a command-line flag wins over it)."""
    if value is not None:
        ctx.color = value
        if ctx.parent is not None:
            ctx.parent.color = value
    elif ctx.color is None and os.environ.get("NO_COLOR"):
        ctx.color = False


colour_option = click.option(
    "--color/--no-color", "color", default=None, expose_value=False, is_eager=True, callback=_colour,
    help="Colour the diagnostics (errors red, warnings yellow), or not [default: on a terminal, unless NO_COLOR is set].")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Also print each stage of the build and its time.")


class _EchoLog(logging.Handler):
    """The build's stage timings (logger `reportgen`, INFO) on stderr, with --verbose."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"reportgen: {record.getMessage()}", err=True)


@contextmanager
def _talk(quiet: bool, verbose: bool):
    """-q and -v: at most one; -v shows the logger `reportgen` while the command runs."""
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose ask for opposite things: give one")
    if not verbose:
        yield
        return
    logger, handler = logging.getLogger("reportgen"), _EchoLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _formats(value: str) -> tuple[str, ...]:
    from generator.writing import FORMATS  # noqa: PLC0415 - keep `--help` fast

    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return formats


def _complete_formats(ctx, param, incomplete: str) -> list[str]:
    """--format: the formats not yet in the comma-separated list, each after what is typed so far."""
    from generator.writing import FORMATS  # noqa: PLC0415

    done, _, last = incomplete.rpartition(",")
    chosen = {f.strip().lower() for f in done.split(",")}
    prefix = done + "," if done else ""
    return [prefix + f for f in FORMATS if f.startswith(last.lower()) and f not in chosen]


def _complete_themes(ctx, param, incomplete: str) -> list:
    """--theme NAME|DIR: the shipped themes' names, and the shell's own folder names."""
    from click.shell_completion import CompletionItem  # noqa: PLC0415
    from generator.themes import shipped_themes  # noqa: PLC0415

    folders = [CompletionItem(incomplete, type="dir")]  # first: the bash script resets its list for it
    if "/" in incomplete:
        return folders
    return folders + [CompletionItem(name) for name in shipped_themes() if name.startswith(incomplete)]


def _complete_frameworks(ctx, param, incomplete: str) -> list:
    """--framework: the ids `new` can find (the shipped ones, and those of --frameworks DIR given
    before it), each with its name."""
    from click.shell_completion import CompletionItem  # noqa: PLC0415
    from generator.scaffold import framework_choices  # noqa: PLC0415

    folder = Path(ctx.params.get("report_dir") or ".")
    return [CompletionItem(framework_id, help=name or None)
            for framework_id, name in framework_choices(folder, ctx.params.get("framework_dirs") or ())
            if framework_id.startswith(incomplete)]


class FileError(click.ClickException):
    """A file named on the command line cannot be read as its kind: one line, exit status 2.

    `reportgen: error: 'x.pdf' is not a readable PDF: <reason>` (see generator.formats.package)."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"reportgen: error: {self.format_message()}", err=True)


class ToolError(FileError):
    """A program the options ask for is not installed: one line saying how to install it, exit status 2."""


def _reference_doc(ctx, param, value: Path | None) -> Path | None:
    """--reference-doc: an untrusted file, read once here within the ZIP limits (what the DOCX
    writer takes of it, generator/formats/reference.py), so that a file that is not a Word
    document is a usage error before anything is built."""
    if value is None:
        return None
    from generator.formats.package import UnreadableFile  # noqa: PLC0415
    from generator.formats.reference import read_reference  # noqa: PLC0415

    try:
        read_reference(value)
    except UnreadableFile as exc:
        raise FileError(f"--reference-doc: {exc}") from None
    return value


def _report_dir(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise click.BadParameter(f"'{value}' is not a folder")
    return path


frameworks_option = click.option(
    "--frameworks", "framework_dirs", multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR",
    help="A folder of framework files (<id>.yaml) to look in, besides the report's frameworks/ and the "
         "shipped ones; may be repeated. Only folders named here are read outside the report.")


def _theme(ctx, param, value: str | None):
    """--theme NAME|DIR: a value with a slash, or naming an existing folder, is a theme folder."""
    if value is None:
        return None
    if "/" in value or Path(value).is_dir():
        path = Path(value)
        if not path.is_dir():
            raise click.BadParameter(f"'{value}' is not a folder")
        return path.resolve()
    return value


theme_option = click.option(
    "--theme", "theme", metavar="NAME|DIR", callback=_theme, shell_complete=_complete_themes,
    help="The theme: a shipped theme's name (default, plain), or a theme folder; wins over report.yaml's theme.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportgen")
@click.option("--debug", is_flag=True, help="On an internal error, show the Python traceback (read by `main`).")
@colour_option
def cli(debug):
    """Build rated inspection reports from Markdown and YAML."""


@cli.command()
@click.argument("report_dirs", metavar="[DIR]...", nargs=-1)
@click.option("--format", "formats", default="pdf,docx,html", show_default=True, shell_complete=_complete_formats,
              help="Comma-separated formats: pdf, docx, html.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: out/<slug>/ in the project root, see README]; with several "
                   "DIRs, the parent folder: each report goes to OUT/<slug>/.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the one format asked for to FILE (its suffix names the format: -o report.pdf) "
                   "instead of OUT/<slug>.<format>; one DIR only.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="With several DIRs: build N at a time [default: one per core].")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-remote", is_flag=True, help="Allow images from http(s) URLs (off: only local files).")
@click.option("--reference-doc", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              callback=_reference_doc,
              help="Take the DOCX styles from this .docx (a house template) instead of report.yaml's "
                   "docx_reference or styles/reference.docx.")
@click.option("--pdf-standard", type=click.Choice(PDF_STANDARDS), default=PDF_STANDARDS[0], show_default=True,
              help="What the PDF declares and is built to meet: a2+ua1 (archival PDF/A-2u and PDF/UA-1 "
                   "in one file) or ua1 (PDF/UA-1 only).")
@click.option("--draft/--final", "draft", default=None,
              help="Mark the outputs as a draft (watermark, banner, version on the cover), or not; "
                   "[default: report.yaml's status].")
@click.option("--docx-page-numbers", is_flag=True,
              help="Give the DOCX's contents page numbers as LibreOffice lays it out (needs LibreOffice; "
                   "a few seconds more). Without it, Word adds them when it opens the file; LibreOffice shows none.")
@click.option("--source-map", is_flag=True,
              help="A final build's DOCX carries the source map too, as a draft's does: `reportgen review` "
                   "locates reviewers' comments and changes in the chapters by it (it names the report's files).")
@click.option("--overwrite-edited", is_flag=True,
              help="Replace outputs changed since reportgen wrote them (a reviewer's DOCX or annotated PDF). "
                   "Without it the build refuses and replaces nothing.")
@click.option("--time-limit", type=click.FloatRange(min=1), default=DEFAULT_SECONDS, show_default=True,
              metavar="SECONDS",
              help="Stop a report's build after this long (each report's, with several DIRs): an error "
                   "build-limit, the earlier outputs unchanged.")
@click.option("--memory-limit", type=click.IntRange(min=100), default=DEFAULT_MEMORY_MB, show_default=True,
              metavar="MB",
              help="Stop a report's build when it needs more than this much memory (address space, in MB, "
                   "per process of the build).")
@frameworks_option
@theme_option
@quiet_option
@verbose_option
@colour_option
@click.pass_context
def build(ctx, report_dirs, out_dir, jobs, quiet, verbose, **given):
    """Build DIR (default: the current folder) into OUT/<slug>.<format>; several DIRs in parallel."""
    if given["output"] is not None:
        given["formats"] = _output_format(ctx, given["output"], given["formats"], out_dir, report_dirs)
    options = build_options(**given)
    if not report_dirs and not Path("report.yaml").is_file():
        raise click.UsageError("give the report folder: reportgen build DIR (or run it inside the folder that "
                               "holds report.yaml)")
    folders = [_report_dir(d) for d in report_dirs or (".",)]
    from generator.writing import PdfProcess, ToolMissing, pdf_apart, require_tools  # noqa: PLC0415

    try:
        require_tools(options.formats, options.docx_page_numbers)
    except ToolMissing as exc:
        raise ToolError(str(exc)) from None
    with _talk(quiet, verbose):
        if len(folders) > 1:
            if options.source_map:
                raise click.UsageError("--source-map builds one report at a time: give one DIR")
            _build_several(folders, out_dir, jobs, options, quiet)
            return

        # the PDF's process first, so that its import of WeasyPrint overlaps ours of the pipeline
        pdf_process = PdfProcess(options.limits.memory) if pdf_apart(None, options.formats) else None
        from generator.build import build as run_build  # noqa: PLC0415
        from generator.diagnostics import ContentError  # noqa: PLC0415

        try:
            built = run_build(folders[0], out_dir, options, pdf_process=pdf_process)
        except ContentError as exc:
            _print_diagnostics(exc.diagnostics, quiet and not options.strict)
            click.echo(f"build failed: {len(exc.diagnostics.errors) or len(exc.diagnostics.items)} problem(s); "
                       "nothing was written", err=True)
            sys.exit(EXIT_CONTENT)
    _print_diagnostics(built.diagnostics, quiet)
    if not quiet:
        for path in built.outputs.values():
            click.echo(f"wrote {path}")


def _output_format(ctx, output: Path, formats: str, out_dir, report_dirs) -> str:
    """-o FILE: the one format it is, from --format or else from FILE's suffix; a usage error for
    several formats or folders, --out as well, or a suffix that is not the format's."""
    from generator.writing import FORMATS  # noqa: PLC0415

    if len(report_dirs) > 1:
        raise click.UsageError(f"-o '{output}' is one file: give one DIR (several DIRs build into --out PARENT)")
    if out_dir is not None:
        raise click.UsageError(f"-o '{output}' names the file; --out names a folder: give one of them")
    slug = Path(report_dirs[0] if report_dirs else ".").resolve().name
    if output.name.startswith(f".{slug}."):
        raise click.UsageError(f"-o '{output}': names beginning '.{slug}.' are reportgen's own (its record of "
                               "outputs, its staging folders): give another name")
    suffix = output.suffix.lower().lstrip(".")
    if ctx.get_parameter_source("formats") == click.core.ParameterSource.DEFAULT:
        if suffix not in FORMATS:
            raise click.UsageError(f"-o '{output}': the file's suffix names the format, and it is not one of "
                                   f"{', '.join('.' + f for f in FORMATS)}: name it FILE.pdf, FILE.docx or FILE.html")
        return suffix
    chosen = _formats(formats)
    if len(chosen) > 1:
        raise click.UsageError(f"-o '{output}' is one file, and --format asks for {len(chosen)} "
                               f"({', '.join(chosen)}): give one format, or --out FOLDER for several")
    if suffix != chosen[0]:
        raise click.UsageError(f"-o '{output}' ends in '{output.suffix or '(no suffix)'}' but the format is "
                               f"{chosen[0]}: name the file {output.stem}.{chosen[0]}, or give --format "
                               f"{suffix or chosen[0]}")
    return formats


def build_options(**given):
    """The command line's options as the one value every build takes (generator/writing.py
    `Options`): each click option is named as the field it sets (`--format` is `formats`,
    `--frameworks` is `framework_dirs`), so a new option is a field there and its click option
    here; only `--format`'s text and the two limits are made into values on the way."""
    from generator.limits import Limits  # noqa: PLC0415
    from generator.writing import Options  # noqa: PLC0415

    if "formats" in given:
        given["formats"] = _formats(given["formats"])
    if "time_limit" in given or "memory_limit" in given:
        given["limits"] = Limits(given.pop("time_limit", DEFAULT_SECONDS), given.pop("memory_limit", DEFAULT_MEMORY_MB))
    return Options(**given)


def _build_several(folders, parent, jobs, options, quiet: bool = False) -> None:
    """`build DIR DIR...`: a process pool (generator.batch), one summary line per report as it
    finishes, then every report's diagnostics; exit 1 if any report failed."""
    from generator.batch import SameName, build_many, plan  # noqa: PLC0415

    try:
        jobs_list = plan(folders, parent, options)
    except SameName as exc:
        raise click.UsageError(str(exc)) from None
    results = build_many(jobs_list, jobs, quiet=quiet)
    for result in results:
        _echo_diagnostics(result.diagnostics, quiet)
    failed = [r for r in results if not r.ok]
    if quiet and not failed:
        return
    click.echo(f"{len(results) - len(failed)} of {len(results)} report(s) built"
               + (f"; failed: {', '.join(r.report_dir.name for r in failed)}" if failed else ""),
               err=bool(failed))
    if any(r.internal for r in failed):
        sys.exit(EXIT_INTERNAL)
    if failed:
        sys.exit(EXIT_CONTENT)


@cli.command()
@click.argument("report_dir", metavar="[DIR]", required=False)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-remote", is_flag=True, help="Allow images from http(s) URLs.")
@click.option("--draft/--final", "draft", default=None,
              help="Check it as a draft build or a final one (a final build refuses the placeholders a draft "
                   "only warns of) [default: report.yaml's status].")
@frameworks_option
@theme_option
@quiet_option
@verbose_option
@colour_option
def check(report_dir, strict, quiet, verbose, **given):
    """Validate DIR (default: the current folder) and report every problem; writes nothing."""
    from generator.build import check as run_check  # noqa: PLC0415
    from generator.diagnostics import ContentError, Diagnostics  # noqa: PLC0415

    if report_dir is None:
        if not Path("report.yaml").is_file():
            raise click.UsageError("give the report folder: reportgen check DIR (or run it inside the folder that "
                                   "holds report.yaml)")
        report_dir = "."
    diags = Diagnostics()
    with _talk(quiet, verbose):
        try:
            run_check(_report_dir(report_dir), diags, build_options(strict=strict, **given))
        except ContentError:
            _print_diagnostics(diags, quiet)
            sys.exit(EXIT_CONTENT)
    _print_diagnostics(diags, quiet and not strict)
    if diags.has_errors(strict):
        sys.exit(EXIT_CONTENT)
    if not quiet:
        click.echo(f"{report_dir}: ok")


@cli.command()
@click.argument("report_dir", metavar="DIR")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the preview in the web browser (Python's webbrowser: $BROWSER, else the desktop's).")
@click.option("--allow-remote", is_flag=True, help="Allow images from http(s) URLs.")
@click.option("--draft/--final", "draft", default=None,
              help="Preview it as a draft or not [default: report.yaml's status].")
@frameworks_option
@theme_option
def serve(report_dir, port, open_browser, **given):
    """Preview DIR in the browser, rebuilt each time a file of it changes (Ctrl-C stops).

    One line on the terminal per save: what was saved, then `rebuilt in 0.15 s: ok` or
    `failed in ... (N errors): ` and the first located error; the page lists them all."""
    from generator.preview import PortInUse, WatchFailed, serve as run_serve  # noqa: PLC0415
    from generator.preview.server import describe  # noqa: PLC0415

    def ready(url, preview):
        click.echo(f"serving {report_dir} at {url} (Ctrl-C stops): {preview.outcome.summary('built')}", err=True)
        if open_browser:  # in its own thread: a browser command may run until the browser is closed
            import threading  # noqa: PLC0415

            threading.Thread(target=_open_browser, args=(url,), daemon=True, name="reportgen-open").start()

    def changed(preview, done):
        click.echo(f"{describe(done)}: {preview.outcome.summary()}", err=True)

    try:
        run_serve(_report_dir(report_dir), port, build_options(**given), ready, changed)
    except PortInUse as exc:
        raise click.UsageError(str(exc)) from None
    except WatchFailed as exc:
        raise FileError(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _open_browser(url: str) -> None:
    import webbrowser  # noqa: PLC0415

    try:
        opened = webbrowser.open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        click.echo(f"no web browser could be started: open {url} in yours", err=True)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def text(file):
    """Print the normalised text of a built PDF, DOCX or HTML file."""
    from generator.text import UnreadableFile, file_text  # noqa: PLC0415

    try:
        click.echo(file_text(file), nl=False)
    except UnreadableFile as exc:
        raise FileError(str(exc)) from None


@cli.command()
@click.argument("report_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--framework", "framework_id", metavar="ID", shell_complete=_complete_frameworks,
              help="Framework id, e.g. hmip-pdu-2023 [without it: the list of frameworks].")
@click.option("--title", metavar="NAME",
              help="The inspected unit's name as it is written, e.g. 'Westshire PDU' [default: the folder's "
                   "name, each word with a capital, the framework's abbreviations in capitals].")
@frameworks_option
def new(report_dir, framework_id, title, framework_dirs):
    """Create a report folder DIR laid out from a framework."""
    from generator.diagnostics import ContentError  # noqa: PLC0415
    from generator.scaffold import (  # noqa: PLC0415
        NameRefused, TitleRefused, framework_choices, likely_framework, scaffold)

    if framework_id is None:  # say which there are, and the line to type
        choices = framework_choices(report_dir, framework_dirs)
        if not choices:
            raise click.UsageError("no framework found: give --frameworks DIR, a folder of framework files")
        width = max(len(framework_id) for framework_id, _ in choices)
        click.echo("reportgen new: which framework is the report made under? Give it with --framework ID, one of:",
                   err=True)
        for framework_id, name in choices:
            click.echo(f"  {framework_id:<{width}}  {name}".rstrip(), err=True)
        line = ["reportgen", "new", str(report_dir), "--framework", likely_framework(report_dir, dict(choices))]
        line += [arg for folder in framework_dirs for arg in ("--frameworks", str(folder))]
        click.echo(f"type: {shlex.join(line)}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        written = scaffold(report_dir, framework_id, framework_dirs, title)
    except TitleRefused as exc:
        raise click.BadParameter(str(exc), param_hint="'--title'") from None
    except NameRefused as exc:
        raise click.BadParameter(str(exc), param_hint="'DIR'") from None
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics)
        sys.exit(EXIT_CONTENT)
    shown = shlex.quote(str(report_dir))
    click.echo(f"created {shown} ({len(written)} files); next: reportgen check {shown}")


def _same_file(a: Path, b: Path) -> bool:
    """True if `a` and `b` name the same file (a symlink, a hard link, another spelling of the path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): not the same
        return False


def _diff_structure(old: Path, new: Path | None) -> None:
    """`reportgen diff` of two editions (or, `new` None, of one folder's editions): their structure."""
    from generator.diagnostics import ContentError, Diagnostics  # noqa: PLC0415
    from generator.structure import NotComparable, edition_differences, said, structure_differences  # noqa: PLC0415
    from generator.text import UnreadableFile  # noqa: PLC0415

    show = Diagnostics().show
    try:
        differences = edition_differences(old, show) if new is None else structure_differences(old, new, show)
    except UnreadableFile as exc:
        raise FileError(str(exc)) from None
    except NotComparable as exc:
        raise click.UsageError(str(exc)) from None
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics)
        click.echo("diff: a report folder cannot be read; nothing compared", err=True)
        sys.exit(EXIT_USAGE)
    for difference in differences:  # in reading order, chapter by chapter
        click.echo(said(difference))
    errors = [d for d in differences if d.severity == "error"]
    if not errors:
        click.echo("same structure")
    else:
        click.echo(f"{len(errors)} structural difference(s)")
    sys.exit(1 if errors else 0)


@cli.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--html", "html_file", type=click.Path(dir_okay=False, writable=True, path_type=Path), metavar="FILE",
              help="Also write a redline page to FILE: the new text with insertions and deletions marked, "
                   "by part, the changed ratings and score at the top.")
@click.option("--editions", is_flag=True,
              help="Compare the editions of the one report folder OLD (report.yaml editions:) by structure.")
def diff(old, new, html_file, editions):
    """Unified diff of the normalised text of two built files, or of two report folders.

    Two editions in different languages (the languages the files or report folders declare) are
    compared by structure, not words: "same structure", or each part, footnote, figure, table,
    cross-reference, block or template value one lacks, and each number that differs, placed on
    both sides. `reportgen diff FOLDER --editions` compares one report folder's editions.

    Exit status as diff(1): 0 the texts are the same, 1 they differ, 2 trouble (misuse, an
    unreadable file, or a report folder with errors: those are not a difference)."""
    from generator.diagnostics import ContentError  # noqa: PLC0415
    from generator.redline import read, redline_html, unified  # noqa: PLC0415
    from generator.text import UnreadableFile  # noqa: PLC0415

    if editions or new is None:
        if not editions:
            raise click.UsageError("give two built files or two report folders to compare, or one report folder "
                                   "and --editions")
        if new is not None or not old.is_dir() or html_file is not None:
            raise click.UsageError("--editions compares the editions of one report folder: reportgen diff FOLDER "
                                   "--editions (without a second side or --html)")
        _diff_structure(old, None)
    if old.is_dir() != new.is_dir():
        folder, file = (old, new) if old.is_dir() else (new, old)
        raise click.UsageError(f"'{folder}' is a folder but '{file}' is not: give two built files or two "
                               "report folders")
    from generator.structure import NotComparable, differ_in_language  # noqa: PLC0415

    try:
        other_language = differ_in_language(old, new)
    except UnreadableFile as exc:
        raise FileError(str(exc)) from None
    except (ContentError, NotComparable):
        other_language = False  # the text diff below says what is wrong
    if other_language:
        if html_file is not None:
            raise click.UsageError("--html writes a redline of words; two editions in different languages are "
                                   "compared by structure: leave out --html")
        _diff_structure(old, new)
    if old.is_dir() != new.is_dir():
        folder, file = (old, new) if old.is_dir() else (new, old)
        raise click.UsageError(f"'{folder}' is a folder but '{file}' is not: give two built files or two "
                               "report folders")
    if html_file is not None:
        for side in (old, new):
            if _same_file(html_file, side):
                raise click.UsageError(f"--html '{html_file}' is the file '{side}' being compared: the redline "
                                       "page would overwrite it; give another file")
    try:
        sides = read(old), read(new)
    except UnreadableFile as exc:
        raise FileError(str(exc)) from None
    except ContentError as exc:
        _print_diagnostics(exc.diagnostics)
        click.echo("diff: a report folder has errors; nothing compared", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(unified(*sides), nl=False)
    if html_file is not None:
        try:
            html_file.write_text(redline_html(*sides), encoding="utf-8")
        except OSError as exc:
            raise FileError(f"cannot write '{html_file}': {exc.strerror or exc}") from None
        click.echo(f"wrote {html_file}", err=True)
    sys.exit(0 if sides[0].text == sides[1].text else 1)


@cli.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def a11y(files):
    """Check built PDF, DOCX and HTML files for accessibility (PDF/UA, WCAG 2.2)."""
    from generator.checks import NotCheckable, check_files, format_of, pdfa_unchecked  # noqa: PLC0415

    try:
        failures = check_files(files)
    except NotCheckable as exc:
        raise FileError(str(exc)) from None
    for failure in failures:
        click.echo(str(failure))
    for path in files:  # what a PDF/A claim needs that these checks cannot decide
        note = pdfa_unchecked(path) if format_of(path) == "pdf" else None
        if note:
            click.echo(f"note: {note}", err=True)
    if failures:
        click.echo(f"{len(failures)} accessibility failure(s) in {len({f.path for f in failures})} file(s)", err=True)
        sys.exit(EXIT_CONTENT)
    click.echo(f"{len(files)} file(s): no accessibility failures")


@cli.command()
@click.argument("reviewed", metavar="REVIEWED", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("report_dir", metavar="[DIR]", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), metavar="PAGE",
              help="Also write a review page to PAGE: every item by part, with its context and a link to its line.")
@click.option("--apply", "apply_changes", is_flag=True,
              help="Write the tracked insertions and deletions in the authors' prose back into the chapter files "
                   "(DOCX only); computed text and changed contexts are left, and said why.")
def review(reviewed, report_dir, html_file, apply_changes):
    """List the comments, replies and tracked changes of a reviewed DOCX (or PDF), each at its
    chapter file and line, or its report.yaml key; DIR: the report folder [default: the current one].

    Exit status: 0 nothing to review, 1 something to review, 2 trouble (not a DOCX or PDF, no
    source map, a file over the limits)."""
    from generator.formats.package import UnreadableFile  # noqa: PLC0415

    if report_dir is None:
        report_dir = Path(".")
    if not (report_dir / "report.yaml").is_file():
        raise click.UsageError(f"'{report_dir}' holds no report.yaml: give the report folder, "
                               "reportgen review REVIEWED.docx DIR")
    if html_file is not None:  # checked before anything is read: the page must overwrite nothing of the review's
        if _same_file(html_file, reviewed):
            raise click.UsageError(f"--html '{html_file}' is the reviewed file: the review page would overwrite it; "
                                   "give another file")
        inside = html_file.resolve().parent
        if inside == report_dir.resolve() or inside.is_relative_to(report_dir.resolve()):
            raise click.UsageError(f"--html '{html_file}' is inside the report folder '{report_dir}': the review "
                                   "page is not part of the report (it would overwrite or add a file there); "
                                   "give a file outside it")
    suffix = reviewed.suffix.lower()
    notes: list[str] = []
    try:
        if suffix == ".pdf":
            if apply_changes:
                raise click.UsageError("--apply takes a DOCX: a PDF's annotations are listed, not applied")
            from generator.diagnostics import ContentError  # noqa: PLC0415
            from generator.review.pdf import read_pdf_review  # noqa: PLC0415

            try:  # a PDF is located through the model, rebuilt from the folder: its errors come first
                items = read_pdf_review(reviewed, report_dir)
            except ContentError as exc:
                _print_diagnostics(exc.diagnostics)
                click.echo("review: the report folder has errors; fix them, then review again", err=True)
                sys.exit(EXIT_CONTENT)
        elif suffix == ".docx":
            from generator.review.docx import NoSourceMap, review_items  # noqa: PLC0415

            try:
                items, notes = review_items(reviewed, report_dir)
            except NoSourceMap as exc:
                raise FileError(str(exc)) from None
        else:
            raise click.UsageError(f"'{reviewed}': review a .docx (or a .pdf)")
    except UnreadableFile as exc:
        raise FileError(str(exc)) from None
    for note in notes:
        click.echo(f"note: {note}", err=True)
    for item in items:
        click.echo(str(item))
    if html_file is not None:
        from generator.review.page import review_page  # noqa: PLC0415

        try:
            html_file.write_text(review_page(items, reviewed, report_dir), encoding="utf-8")
        except OSError as exc:
            raise FileError(f"cannot write '{html_file}': {exc.strerror or exc}") from None
        click.echo(f"wrote {html_file}", err=True)
    if apply_changes:
        from generator.review.apply import apply  # noqa: PLC0415

        outcome = apply(items, report_dir)
        for line in outcome:
            click.echo(line)
        done = sum(line.startswith("applied ") for line in outcome)
        click.echo(f"--apply: {done} change(s) applied, {len(outcome) - done} left (said why above)", err=True)
    click.echo(f"{len(items)} item(s) to review" if items else "nothing to review", err=True)
    sys.exit(1 if items else 0)


def main(argv: list[str] | None = None) -> None:
    """Entry point; usage errors exit 2 (click's convention), content errors 1.

    The last guard: an interruption exits 128+N; anything else that escapes is a bug in reportgen,
    said in one line with a hint to report it (the traceback only with --debug), exit 70.

    Run as the program (`argv` None: the process's own command line, which ends with the
    command), everything left is frozen out of the garbage collector's sight before Python
    shuts down: its last full collection would walk every object the run made, 50 ms of a
    build's 0.4 s, to free memory the process is about to give back whole."""
    try:
        _main(list(sys.argv[1:] if argv is None else argv))
    finally:
        if argv is None:
            import gc  # noqa: PLC0415

            gc.freeze()


def _main(args: list[str]) -> None:
    try:
        cli.main(args=args, prog_name="reportgen", standalone_mode=False)
        sys.exit(0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("reportgen: aborted", err=True)
        sys.exit(EXIT_CONTENT)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that turns any escape into a message
        from generator.publish import Interrupted  # noqa: PLC0415

        if isinstance(exc, (Interrupted, KeyboardInterrupt)):
            signum = getattr(exc, "signum", 2)
            click.echo(f"reportgen: interrupted ({exc or 'SIGINT'}); the previous outputs are unchanged", err=True)
            sys.exit(128 + signum)
        if "--debug" in args:
            import traceback  # noqa: PLC0415

            traceback.print_exception(exc)
        click.echo(f"reportgen: internal-error: {type(exc).__name__}: {str(exc)[:300]}\n"
                   "This is a bug in reportgen, not in your report. Please report it with the command you ran "
                   "(run again with --debug for the details).", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
