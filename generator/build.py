"""The pipeline, stage by stage, and the safe writing of its outputs.

`check` runs load -> validate -> resolve -> merge -> parse -> assemble and writes nothing;
`build` then writes each requested format into a private staging folder and publishes them all
or none (`generator.publish`), so a failed, interrupted or killed build loses nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import ContentError, Diagnostics
from generator.model import Document
from generator.publish import Forked, Staging, can_fork, interrupts_as_exceptions, recover
from generator.stages.assemble import assemble
from generator.stages.load import load
from generator.stages.merge import merge
from generator.stages.resolve import resolve
from generator.stages.validate import validate

FORMATS = ("pdf", "docx", "html")


@dataclass
class Built:
    document: Document
    outputs: dict[str, Path]
    diagnostics: Diagnostics


def check(report_dir: Path, diags: Diagnostics | None = None, allow_remote: bool = False,
          framework_dirs=(), draft: bool | None = None, theme=None) -> Document:
    """Stages 1-6. Raises ContentError carrying every diagnostic if the content has errors.

    `allow_remote` lets images be http(s) URLs (fetched when the PDF is written);
    `framework_dirs` are folders the user named for frameworks (`--frameworks`); `draft` True or
    False overrides report.yaml's `status` (`--draft`, `--final`); `theme` is `--theme`: a theme
    name (str) or folder (Path), which wins over report.yaml's `theme:`."""
    diags = diags if diags is not None else Diagnostics()

    def stop_if_errors(value):
        if value is None or diags.errors:
            raise ContentError(diags)
        return value

    sources = load(report_dir, diags, framework_dirs, theme)
    validated = stop_if_errors(validate(sources, diags))
    resolved = stop_if_errors(resolve(validated, diags))
    merged = merge(resolved, diags)
    if any(part.file not in merged for part in resolved.validated.report.parts):  # the merge stopped at a limit
        raise ContentError(diags)
    # on to parse and assemble even when a chapter's template failed (merge hands on its Markdown):
    # every problem at once
    return stop_if_errors(assemble(resolved, merged, diags, allow_remote, draft))


@dataclass(frozen=True)
class Options:
    """How a build runs, beyond which formats: passed to every writer."""

    strict: bool = False
    allow_remote: bool = False
    reference_doc: Path | None = None  # DOCX styles from this file instead of report.yaml's or ours
    pdf_standard: str | None = None  # what the PDF declares (writers/pdf/render.py PDF_STANDARDS); None: the default
    parallel: bool | None = None  # the other formats written beside the PDF (None: `_parallel` decides)
    docx_page_numbers: bool = False  # the DOCX contents' page numbers, laid out by LibreOffice (--docx-page-numbers)


# Each writer is imported only when its format is asked for (WeasyPrint and python-docx are slow
# to import). The PDF is the HTML writer's print HTML, paginated: composed here, so that no writer
# imports another.

# A writer may call `inspect(document)` with its output open in memory before writing it (the PDF
# writer does, with the repaired pikepdf.Pdf): the build checks it there instead of reading the file.

def _write_html(doc: Document, report_dir: Path, target, diags: Diagnostics, options: Options,
                inspect=None) -> None:
    from generator.writers.html import write_html  # noqa: PLC0415

    target.write(write_html(doc, "screen", report_dir).encode("utf-8"))


def _write_pdf(doc: Document, report_dir: Path, target, diags: Diagnostics, options: Options,
               inspect=None) -> None:
    from generator.writers.html import write_html  # noqa: PLC0415
    from generator.writers.pdf.render import write_pdf  # noqa: PLC0415

    standard = {"standard": options.pdf_standard} if options.pdf_standard else {}
    write_pdf(write_html(doc, "print"), report_dir, target, diags, allow_remote=options.allow_remote,
              inspect=inspect, watermark=doc.draft.label if doc.draft else None, theme=doc.theme, **standard)


def _write_docx(doc: Document, report_dir: Path, target, diags: Diagnostics, options: Options,
                inspect=None) -> None:
    from generator.writers.docx.writer import write_docx  # noqa: PLC0415

    write_docx(doc, report_dir, target, diags, reference_doc=options.reference_doc,
               allow_remote=options.allow_remote, page_numbers=options.docx_page_numbers)


WRITERS = {"pdf": _write_pdf, "docx": _write_docx, "html": _write_html}


class ToolMissing(Exception):
    """A program the build was asked to use is not installed: a usage error (exit 2), raised
    before anything is written."""


def require_tools(formats, docx_page_numbers: bool) -> None:
    """Raise ToolMissing if the options ask for a program that is not installed: LibreOffice for
    the DOCX's page numbers (the writer's pagination pass, imported only when asked for)."""
    if not (docx_page_numbers and "docx" in formats):
        return
    from generator.writers.docx.pagination import INSTALL_HINT, libreoffice  # noqa: PLC0415

    if libreoffice() is None:
        raise ToolMissing("--docx-page-numbers lays the DOCX out with LibreOffice, and LibreOffice is not "
                          f"installed (no soffice or libreoffice on PATH): {INSTALL_HINT}; or build without "
                          "--docx-page-numbers (Word adds the page numbers when it opens the DOCX)")


def _check_accessibility(written: Path, fmt: str, final: Path, diags: Diagnostics) -> None:
    """The `reportgen a11y` checks on a just-written output: failures are warnings `a11y-<rule>`."""
    from generator.checks import FORMATS, NotCheckable, check_file  # noqa: PLC0415

    if fmt not in FORMATS:
        return
    try:
        failures = check_file(written, fmt, str(final))
    except NotCheckable as exc:  # an output past the readers' limits (e.g. over 200 MB)
        diags.warning("a11y-not-checked", f"the accessibility checks could not read it: {exc}", final)
        return
    _report_failures(failures, final, diags)


def _report_failures(failures, final: Path, diags: Diagnostics) -> None:
    for failure in failures:
        diags.warning(f"a11y-{failure.rule}", f"{failure.where}: {failure.message} ({failure.reference})", final)


def _write_and_check(fmt: str, doc: Document, report_dir: Path, staged: Path, final: Path, diags: Diagnostics,
                     options: Options) -> None:
    """Write `fmt` into `staged`, then run its accessibility checks (failures named for `final`):
    on the writer's document in memory if it hands it over (`inspect`), else on the written file."""
    from generator.checks import check_open  # noqa: PLC0415

    failures: list | None = None

    def inspect(opened) -> None:
        nonlocal failures
        failures = check_open(opened, fmt, str(final))

    with open(staged, "wb") as handle:
        WRITERS[fmt](doc, report_dir, handle, diags, options, inspect)
    if diags.errors:  # a writer that failed leaves nothing worth checking
        return
    if failures is None:
        _check_accessibility(staged, fmt, final, diags)
    else:
        _report_failures(failures, final, diags)


# Both cores within one build: WeasyPrint's layout is CPU-bound and holds the GIL, so the DOCX and
# HTML writers run in a forked child process (`publish.Forked`) while this one writes the PDF, into
# the same staging folder; the child's diagnostics are merged back before anything is published.
# A caller that already runs builds in parallel (a pool of builds) turns it off with
# `Options(parallel=False)` or REPORTGEN_BUILD_JOBS=1, so as not to run two processes per core.

def _parallel(options: Options, formats) -> bool:
    if options.parallel is False or os.environ.get("REPORTGEN_BUILD_JOBS", "").strip() == "1":
        return False
    return "pdf" in formats and len(formats) > 1 and can_fork()


def _write_formats(formats, doc: Document, report_dir: Path, staging: Staging, targets: dict[str, Path],
                   diags: Diagnostics, options: Options) -> None:
    """Write and check every format into `staging`: in order, or the PDF here and the others
    beside it in a forked child (`_parallel`). Either way the same files and the same diagnostics."""
    slug = report_dir.name

    def write(fmts, into: Diagnostics) -> list:
        for fmt in fmts:
            name = f"{slug}.{fmt}"
            _write_and_check(fmt, doc, report_dir, staging.path(name), targets[name], into, options)
        return into.items

    if not _parallel(options, formats):
        write(formats, diags)
        return
    others = [fmt for fmt in formats if fmt != "pdf"]
    with Forked(lambda: write(others, Diagnostics())) as child:
        write(["pdf"], diags)
        diags.items.extend(child.result())


def default_out_dir(report_dir: Path) -> Path:
    """Where a report is built when no --out is given: `out/<slug>/` in the project root, the
    nearest folder above the report whose `content/` folder holds it (`make demo`'s layout);
    else `out/<slug>/` beside the report folder. Never relative to the working folder, so
    `build .` from inside the report works."""
    report_dir = report_dir.resolve()
    for root in report_dir.parents:
        if report_dir.is_relative_to(root / "content") and (root / "content").is_dir():
            return root / "out" / report_dir.name
    return report_dir.parent / "out" / report_dir.name


def build(report_dir: Path, out_dir: Path | None = None, formats=FORMATS, strict: bool = False,
          allow_remote: bool = False, reference_doc: Path | None = None, framework_dirs=(),
          pdf_standard: str | None = None, parallel: bool = True, draft: bool | None = None,
          theme=None, docx_page_numbers: bool = False) -> Built:
    """Check, write each format, publish. `parallel`: whether this build may run its formats
    side by side (`_parallel`: the DOCX and HTML in a second process beside the PDF); `build
    DIR...` passes False, its process pool being the parallelism. `draft` True or False
    overrides report.yaml's `status` (`--draft`, `--final`). `theme`: --theme, a theme's name or
    folder (wins over report.yaml's `theme:`). `docx_page_numbers`: the DOCX's contents carries
    page numbers as LibreOffice lays it out (raises ToolMissing, first, if it is not installed)."""
    require_tools(formats, docx_page_numbers)
    options = Options(strict, allow_remote, reference_doc, pdf_standard, parallel, docx_page_numbers)
    report_dir = report_dir.resolve()
    diags = Diagnostics()
    doc = check(report_dir, diags, allow_remote, framework_dirs, draft=draft, theme=theme)
    slug = report_dir.name
    out_dir = (out_dir or default_out_dir(report_dir)).resolve()
    if out_dir == report_dir or out_dir.is_relative_to(report_dir):
        diags.error("out-inside-content", "the output folder must not be inside the report folder", out_dir)
        raise ContentError(diags)
    targets = {f"{slug}.{fmt}": out_dir / f"{slug}.{fmt}" for fmt in formats}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir, slug)
        with interrupts_as_exceptions(), Staging(out_dir, slug) as staging:
            _write_formats(formats, doc, report_dir, staging, targets, diags, options)
            if diags.has_errors(options.strict):
                raise ContentError(diags)
            staging.publish(targets)
    except OSError as exc:  # a full disk, a read-only or unreadable output folder, a target in the way
        named = Path(exc.filename) if exc.filename else None
        where = named if named in targets.values() else out_dir  # never name the staging folder
        diags.error("output-failed", f"cannot write the outputs: {exc.strerror or exc}; "
                    "the previous outputs are unchanged", where)
        raise ContentError(diags) from None
    return Built(doc, {fmt: targets[f"{slug}.{fmt}"] for fmt in formats}, diags)
