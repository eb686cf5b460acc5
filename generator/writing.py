"""Writing the outputs: each format into the build's staging folder, then its accessibility checks;
the PDF in a second process started before the report is even read.

This module is light to import on purpose (no stage, writer or checker at module level), because
`reportgen build` imports it first: it forks the PDF's process (`PdfProcess`) at once, and that
child imports WeasyPrint, pikepdf and the PDF checker (half a second) while the parent imports
the pipeline and checks the report. The parent then hands the child the print HTML
(`PdfJob`) and writes the DOCX and HTML itself while the child lays out the PDF. Both cores, and
WeasyPrint's start-up off the critical path. Without a fork (one core, threads already running,
or a caller that runs builds in parallel itself: `Options.parallel`, REPORTGEN_BUILD_JOBS=1)
every format is written here, one after another: the same files, the same diagnostics.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostics
from generator.limits import Limits
from generator.publish import Forked, can_fork


FORMATS = ("pdf", "docx", "html")  # the writers' formats (WRITERS below), in the order a build writes them


@dataclass(frozen=True)
class Options:
    """Everything a build is asked to do, beyond which report and where: one value that every path
    takes (`reportgen build` of one report or several, a batch's jobs, the preview's rebuild) and
    every writer is passed. The command line maps its options onto it in one place
    (`cli.build_options`): a new option is a field here and a line there."""

    formats: tuple[str, ...] = FORMATS
    strict: bool = False  # warnings are errors (--strict)
    allow_remote: bool = False  # images may be http(s) URLs (--allow-remote)
    framework_dirs: tuple[Path, ...] = ()  # folders the user named for frameworks (--frameworks)
    theme: str | Path | None = None  # --theme: a theme's name (str) or folder (Path); None: report.yaml's
    draft: bool | None = None  # --draft/--final; None: report.yaml's status
    reference_doc: Path | None = None  # DOCX styles from this file instead of report.yaml's or ours
    pdf_standard: str | None = None  # what the PDF declares (writers/pdf/render.py PDF_STANDARDS); None: the default
    docx_page_numbers: bool = False  # the DOCX contents' page numbers, laid out by LibreOffice (--docx-page-numbers)
    source_map: bool = False  # a final build's DOCX carries the source map too (--source-map; a draft's always does)
    overwrite_edited: bool = False  # replace outputs changed since reportgen wrote them (--overwrite-edited)
    limits: Limits = field(default_factory=Limits)  # --time-limit, --memory-limit (each report's own)
    output: Path | None = None  # -o FILE: the one format written to FILE instead of OUT/<slug>.<format>
    parallel: bool | None = None  # the PDF written in a second process (None: `pdf_apart` decides)
    edition: str | None = None  # --edition: build or check this edition's language alone (None: every edition)

    def __post_init__(self) -> None:  # lists from a caller held as tuples: the value stays hashable and frozen
        object.__setattr__(self, "formats", tuple(self.formats))
        object.__setattr__(self, "framework_dirs", tuple(self.framework_dirs))


# Each writer is imported only when its format is asked for (WeasyPrint and python-docx are slow
# to import). The PDF is the HTML writer's print HTML, paginated: composed here, so that no writer
# imports another.

# A writer may call `inspect(document)` with its output open in memory before writing it (the PDF
# writer does, with the repaired pikepdf.Pdf): the build checks it there instead of reading the file.

@dataclass(frozen=True)
class PdfJob:
    """All the PDF writer needs, as plain picklable data: what crosses to the PDF's process."""

    html: str  # the HTML writer's print media
    report_dir: Path
    options: Options
    watermark: str | None  # a draft's label
    theme: object  # generator.themes.Theme
    cover_label: str  # the cover's page label, in the document's words


def pdf_job(doc, report_dir: Path, options: Options) -> PdfJob:
    from generator.writers.html import write_html  # noqa: PLC0415

    from generator.words import words_of  # noqa: PLC0415

    return PdfJob(write_html(doc, "print", report_dir), report_dir, options, doc.draft.label if doc.draft else None,
                  doc.theme, words_of(doc)["cover_page"])


def write_pdf_job(job: PdfJob, target, diags: Diagnostics, inspect=None) -> None:
    from generator.writers.pdf.render import write_pdf  # noqa: PLC0415

    standard = {"standard": job.options.pdf_standard} if job.options.pdf_standard else {}
    write_pdf(job.html, job.report_dir, target, diags, allow_remote=job.options.allow_remote, inspect=inspect,
              watermark=job.watermark, theme=job.theme, cover_label=job.cover_label, **standard)


def _write_pdf(doc, report_dir: Path, target, diags: Diagnostics, options: Options, inspect=None) -> None:
    write_pdf_job(pdf_job(doc, report_dir, options), target, diags, inspect)


def _write_html(doc, report_dir: Path, target, diags: Diagnostics, options: Options, inspect=None) -> None:
    from generator.writers.html import write_html  # noqa: PLC0415

    target.write(write_html(doc, "screen", report_dir).encode("utf-8"))


def _write_docx(doc, report_dir: Path, target, diags: Diagnostics, options: Options, inspect=None) -> None:
    from generator.writers.docx.writer import write_docx  # noqa: PLC0415

    write_docx(doc, report_dir, target, diags, reference_doc=options.reference_doc,
               allow_remote=options.allow_remote, page_numbers=options.docx_page_numbers,
               source_map=True if options.source_map else None)


WRITERS = {"pdf": _write_pdf, "docx": _write_docx, "html": _write_html}
assert tuple(WRITERS) == FORMATS


class ToolMissing(Exception):
    """A program the build was asked to use is not installed: a usage error (exit 2), raised
    before anything is written."""


def require_tools(formats, docx_page_numbers: bool) -> None:
    """Raise ToolMissing if the options ask for a program that is not installed: LibreOffice for
    the DOCX's page numbers (the DOCX writer's pagination pass, imported only when asked for)."""
    if not (docx_page_numbers and "docx" in formats):
        return
    from generator.writers.docx.pagination import INSTALL_HINT, libreoffice  # noqa: PLC0415

    if libreoffice() is None:
        raise ToolMissing("--docx-page-numbers lays the DOCX out with LibreOffice, and LibreOffice is not "
                          f"installed (no soffice or libreoffice on PATH): {INSTALL_HINT}; or build without "
                          "--docx-page-numbers (Word adds the page numbers when it opens the DOCX)")


def write_and_check(fmt: str, write, staged: Path, final: Path, diags: Diagnostics) -> None:
    """`write(handle, inspect)` writes `fmt` into `staged`; then its accessibility checks run
    (failures are warnings `a11y-<rule>` named for `final`): on the writer's document in memory if
    it hands it over (`inspect`), else on the written file."""
    from generator.checks import FORMATS, NotCheckable, check_file, check_open  # noqa: PLC0415

    failures: list | None = None

    def inspect(opened) -> None:
        nonlocal failures
        failures = check_open(opened, fmt, str(final))

    with open(staged, "wb") as handle:
        write(handle, inspect)
    if diags.errors or fmt not in FORMATS:  # a writer that failed leaves nothing worth checking
        return
    if failures is None:
        try:
            failures = check_file(staged, fmt, str(final))
        except NotCheckable as exc:  # an output past the readers' limits (e.g. over 200 MB)
            diags.warning("a11y-not-checked", f"the accessibility checks could not read it: {exc}", final)
            return
    for failure in failures:
        diags.warning(f"a11y-{failure.rule}", f"{failure.where}: {failure.message} ({failure.reference})", final)


# --------------------------------------------------------------------------- the PDF's process

def pdf_apart(options: Options | None, formats) -> bool:
    """Whether the PDF is written in a second process: asked for, forking is safe here, and not
    turned off by a caller that already runs builds side by side (a pool of builds)."""
    if (options is not None and options.parallel is False) or os.environ.get("REPORTGEN_BUILD_JOBS", "").strip() == "1":
        return False
    return "pdf" in formats and can_fork()


def _warm_up() -> None:
    """What the PDF's process needs, imported while it waits for its job. Then everything
    imported is moved out of the garbage collector's sight (gc.freeze): its full collections,
    which WeasyPrint's layout sets off, no longer walk the libraries' objects (400 pages: 5% less
    CPU and 9 MiB less at the peak). That process ends with its job, so nothing is held longer."""
    import gc  # noqa: PLC0415

    import generator.checks.pdf  # noqa: F401, PLC0415
    import generator.themes  # noqa: F401, PLC0415 - a job's theme unpickles into it
    import generator.writers.pdf.render  # noqa: F401, PLC0415
    import weasyprint  # noqa: F401, PLC0415

    gc.freeze()


class PdfProcess:
    """A forked child that imports the PDF writer at once, then writes and checks one `PdfJob`.

    Start it as early as possible (`reportgen build` does, before importing the pipeline), hand it
    the job with `write`, and collect its diagnostics with `result`. The job goes through a file in
    the staging folder, not the pipe, so that the parent never waits on a child still importing.
    Leaving the `with` block (or `stop`) kills a child that has not finished and reaps it: before
    the staging folder is removed (see `publish.Forked`). `memory`: the child's address space is
    capped at what it holds when forked plus this many bytes (the build's --memory-limit): past
    it, a MemoryError comes back through `result` (generator/limits.py)."""

    def __init__(self, memory: int | None = None):
        jobs, self._jobs = os.pipe()

        def serve() -> list:
            os.close(self._jobs)
            if memory:
                from generator.limits import cap_memory  # noqa: PLC0415

                cap_memory(memory)
            _warm_up()
            with os.fdopen(jobs, "rb") as handle:
                named = handle.read()
            if not named:  # the parent gave up (the report has errors)
                return []
            path = Path(os.fsdecode(named))
            job, staged, final = pickle.loads(path.read_bytes())  # noqa: S301 - our parent's, in its staging
            path.unlink()
            diags = Diagnostics()
            write_and_check("pdf", lambda handle, inspect: write_pdf_job(job, handle, diags, inspect), staged,
                            final, diags)
            return diags.items

        self._child = Forked(serve)
        os.close(jobs)

    def write(self, job: PdfJob, staged: Path, final: Path) -> None:
        """Hand the child its job: the PDF `staged`, its diagnostics named for `final`."""
        path = staged.with_name(staged.name + ".job")
        path.write_bytes(pickle.dumps((job, staged, final)))
        try:
            os.write(self._jobs, os.fsencode(path))
        except BrokenPipeError:  # the child has already ended: `result` raises what ended it
            pass
        self._close_jobs()

    def result(self) -> list:
        """The child's diagnostics; raises what it raised."""
        return self._child.result()

    def _close_jobs(self) -> None:
        if self._jobs is not None:
            os.close(self._jobs)
            self._jobs = None

    def stop(self) -> None:
        self._close_jobs()
        self._child.stop()

    def __enter__(self) -> PdfProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
