"""The pipeline, stage by stage, and the safe writing of its outputs.

`check` runs load -> validate -> resolve -> merge -> parse -> assemble and writes nothing;
`build` then writes each requested format into a private staging folder and publishes them all
or none (`generator.publish`), so a failed, interrupted or killed build loses nothing.
"""

from __future__ import annotations

import hashlib
import logging
import shlex
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from generator.diagnostics import ContentError, Diagnostics
from generator.editions import Edition, edition_suffix_of
from generator.inputs import recording
from generator.limits import LimitExceeded, bounded, message, stop_clock
from generator.model import Document
from generator.publish import OutputsRecord, Staging, file_digest, interrupts_as_exceptions, recover, record_name
from generator.resources import cache_refusals
from generator.stages.assemble import assemble
from generator.stages.load import Sources, load
from generator.stages.merge import merge
from generator.stages.parity import check_editions
from generator.stages.resolve import resolve
from generator.stages.translate import edition_sources, relocate
from generator.stages.validate import validate
from generator.writing import (FORMATS, WRITERS, Options, PdfProcess, ToolMissing, pdf_apart, pdf_job, require_tools,
                               write_and_check)


_LOG = logging.getLogger("reportgen.build")  # stage timings, shown by `-v` (generator/cli.py)


@dataclass
class Built:
    document: Document  # the primary edition's (or, with --edition, the one built)
    outputs: dict[str, Path]  # format -> the primary's output (or the one edition's)
    diagnostics: Diagnostics
    editions: dict[str, dict[str, Path]] | None = None  # language -> format -> output: every edition built

    @property
    def all_outputs(self) -> tuple[Path, ...]:
        """Every output written, every edition's, the primary's first."""
        return tuple(path for made in (self.editions or {"": self.outputs}).values() for path in made.values())


class EditionUnknown(ValueError):
    """--edition names a language the report has no edition in (a usage error: exit 2)."""


def check(report_dir: Path, diags: Diagnostics | None = None, options: Options | None = None,
          **changes) -> Document:
    """Stages 1-6. Raises ContentError carrying every diagnostic if the content has errors.

    Of `options` (generator/writing.py; keywords change single fields, as `build`'s do), these
    shape the document: `allow_remote` lets images be http(s) URLs (fetched when the PDF is
    written); `framework_dirs` are folders the user named for frameworks (`--frameworks`);
    `draft` True or False overrides report.yaml's `status` (`--draft`, `--final`); `theme` is
    `--theme`: a theme name (str) or folder (Path), which wins over report.yaml's `theme:`."""
    return _check(report_dir, diags, replace(options or Options(), **changes))[0][0][1]


def check_all(report_dir: Path, diags: Diagnostics | None = None, options: Options | None = None,
              **changes) -> list[tuple[Edition, Document]]:
    """`check` of every edition report.yaml lists (`editions:`), the primary first; with
    `options.edition` (--edition), that one edition's alone."""
    return _check(report_dir, diags, replace(options or Options(), **changes))[0]


def _check(report_dir: Path, diags: Diagnostics | None,
           options: Options) -> tuple[list[tuple[Edition, Document]], dict[Path, str], Sources]:
    """`check` of each edition asked for, and the files it read (resolved path -> SHA-256:
    generator/inputs.py `recording`): every edition's files, whichever are asked for, so that
    the fingerprint of what outputs were built from is the same for each."""
    diags = diags if diags is not None else Diagnostics()

    def stop_if_errors(value):
        if value is None or diags.errors:
            raise ContentError(diags)
        return value

    with recording() as reads:
        with stage("load"):
            sources = load(report_dir, diags, options.framework_dirs, options.theme)
        with stage("validate"):
            validated = stop_if_errors(validate(sources, diags))
        if len(sources.editions) > 1:  # a report with one edition: nothing to compare, outputs as before
            with stage("parity"):
                check_editions(sources, diags)
        chosen = chosen_editions(sources.editions, options.edition)
        with stage("resolve"):
            resolved = stop_if_errors(resolve(validated, diags))
        documents, failed = [], False
        for edition in chosen:  # each edition's problems, all at once: one failing goes on to the next
            try:
                if edition.primary:
                    documents.append((edition, _document(resolved, diags, options)))
                    continue
                with stage(f"translate {edition.language}"):
                    translated = edition_sources(sources, validated.framework, edition, diags)
                if translated is None:
                    failed = True
                    continue
                documents.append((edition, _edition_document(translated, resolved, diags, options)))
            except ContentError:
                failed = True
        if failed or diags.errors:
            raise ContentError(diags)
        return documents, reads, sources


def report_editions(report_dir: Path) -> list[Edition]:
    """The editions report.yaml lists, as the build reads them (the primary alone if report.yaml
    cannot be read or its `editions:` is wrong: the check says why). For the command line, to
    refuse an --edition the report does not have, or -o FILE for several editions, as misuse."""
    from generator.editions import editions_of  # noqa: PLC0415
    from generator.stages.load import report_languages  # noqa: PLC0415

    return editions_of(report_languages(report_dir))


def chosen_editions(editions: list[Edition], language: str | None) -> list[Edition]:
    """The editions a build or check makes: all (the primary first), or the one `--edition` names."""
    if language is None:
        return list(editions)
    found = [e for e in editions if language.lower() in (e.language.lower(), e.subtag)]  # cy-GB, or cy
    if not found:
        raise EditionUnknown(f"--edition {language}: the report has no such edition; its editions: "
                             + ", ".join(e.language for e in editions))
    return found


def _document(resolved, diags: Diagnostics, options: Options) -> Document:
    """Stages 4-6 of one edition: merge, parse and assemble."""

    def stop_if_errors(value):
        if value is None or diags.errors:
            raise ContentError(diags)
        return value

    with stage("merge"):
        merged = merge(resolved, diags)
    if any(part.file not in merged for part in resolved.validated.report.parts):  # the merge stopped at a limit
        raise ContentError(diags)
    # on to parse and assemble even when a chapter's template failed (merge hands on its Markdown):
    # every problem at once
    with stage("parse and assemble"):
        return stop_if_errors(assemble(resolved, merged, diags, options.allow_remote, options.draft))


def _edition_document(sources, primary, diags: Diagnostics, options: Options) -> Document:
    """Stages 2-6 of a further edition, on its translated sources. What they find that the
    primary's stages found too (a warning on shared data) is said once; the edition's computed
    content is the primary's (the same ratings, by id, and score), or the build stops."""
    own = Diagnostics(diags.base)
    try:
        validated = validate(sources, own)
        resolved = resolve(validated, own) if validated is not None and not own.errors else None
        if resolved is not None:
            _same_results(primary, resolved, own)
        return _document(resolved, own, options) if resolved is not None and not own.errors else None
    finally:
        relocate(sources, own)  # what is wrong with a translated value: at the translation
        known = set(diags.items)
        diags.items.extend(item for item in own.items if item not in known)
        if own.errors:
            raise ContentError(diags)


def _same_results(primary, edition, diags: Diagnostics) -> None:
    """The findings are shared: the edition computes the same rating (by id) for each standard,
    the same domains' ratings, score and overall as the primary. (They cannot differ but by a
    defect: this says so rather than print a different report.)"""
    def ids(resolved):
        return ({sid: (r.rating.id if r.rating else None, r.not_applicable) for sid, r in resolved.standards.items()},
                {d: (r.id if r else None) for d, r in resolved.domain_ratings.items()},
                resolved.score, resolved.max_score, resolved.overall.id if resolved.overall else None)

    if ids(primary) != ids(edition):
        diags.error("edition-differs", f"the {edition.validated.report.metadata.language} edition computes other "
                    "ratings or scores than the primary's from the same findings: check that its framework "
                    "translation gives each rating its own label", edition.validated.sources.report.path)


@contextmanager
def stage(name: str):
    """With `-v` (the logger `reportgen` at INFO), one line when the stage ends: its name and time."""
    if not _LOG.isEnabledFor(logging.INFO):
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _LOG.info("%-20s %6.2f s", name, time.perf_counter() - start)


def fingerprint(reads: dict[Path, str], report_dir: Path, doc: Document, editions: bool = False) -> str:
    """What outputs were built from: every file the check read (a report's file by its path in the
    report folder, any other by its bytes alone: the same wherever the checkout is) and whether,
    and as which version, it is a draft. Kept in the record of outputs to tell a stale one."""
    digest = hashlib.sha256()
    for path, sha in sorted((_in_report(path, report_dir), sha) for path, sha in reads.items()):
        digest.update(f"{path}\0{sha}\n".encode("utf-8", "surrogateescape"))
    if editions:  # several editions: a draft's version, the same in each (its label is in each one's language)
        digest.update(f"draft-version\0{doc.draft.version if doc.draft else '-'}\n".encode("utf-8", "surrogateescape"))
    else:
        digest.update(f"draft\0{doc.draft.mark if doc.draft else ''}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _fingerprints(reads: dict[Path, str], report_dir: Path, doc: Document, sources: Sources):
    """What each output was built from: with one edition, the `fingerprint` of every file read;
    with several, each edition's own (the files it reads: report.yaml, the framework, the images,
    the theme, and its own chapters and translations, not another edition's), as a function of an
    output's name: a change to the Welsh chapters does not make the English outputs stale."""
    if len(sources.editions) <= 1:
        return fingerprint(reads, report_dir, doc)
    own = {}
    for edition in sources.editions:
        others = set() if edition.primary else {_resolved(c.path) for c in sources.chapters.values()}
        for subtag, files in sources.edition_files.items():
            if subtag != edition.subtag:
                others.update(_resolved(c.path) for c in files.chapters.values())
                others.update(_resolved(p) for p in (files.report_path, files.framework_path) if p is not None)
        own[edition.subtag if not edition.primary else ""] = fingerprint(
            {path: sha for path, sha in reads.items() if path not in others}, report_dir, doc, True)
    further = [e.subtag for e in sources.editions if not e.primary]
    return lambda name: own[edition_suffix_of(Path(name), further) or ""]


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _in_report(path: Path, report_dir: Path) -> str:
    return path.relative_to(report_dir).as_posix() if path.is_relative_to(report_dir) else ""


def _write_formats(doc: Document, report_dir: Path, staging: Staging, names: dict[str, str],
                   targets: dict[str, Path], diags: Diagnostics, options: Options,
                   pdf_process: PdfProcess | None) -> None:
    """Write and check every format (`names`: format -> output name) into `staging`: in order
    here, or the PDF in `pdf_process` (generator/writing.py) and the others here meanwhile. Either
    way the same files and the same diagnostics; the PDF's process is stopped before the staging
    folder can be removed."""

    def write(fmt: str) -> None:
        name = names[fmt]
        with stage(f"write {fmt}"):
            write_and_check(fmt, lambda handle, inspect: WRITERS[fmt](doc, report_dir, handle, diags, options, inspect),
                            staging.path(name), targets[name], diags)

    if pdf_process is None or "pdf" not in names:
        for fmt in names:
            write(fmt)
        return
    name = names["pdf"]
    try:
        pdf_process.write(pdf_job(doc, report_dir, options), staging.path(name), targets[name])
        for fmt in names:
            if fmt != "pdf":
                write(fmt)
        with stage("pdf (its process)"):  # the wait for the second process, once the others are written
            diags.items.extend(pdf_process.result())
    finally:
        pdf_process.stop()


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


def build(report_dir: Path, out_dir: Path | None = None, options: Options | None = None, *,
          pdf_process: PdfProcess | None = None, **changes) -> Built:
    """Check, write each format of `options.formats`, publish. `options` (generator/writing.py
    `Options`; default `Options()`) is everything the command line asks for; keywords change
    single fields of it (`build(report, out, formats=("html",), draft=True)`).

    `parallel`: whether this build may write its PDF in a second process (generator/writing.py)
    while it writes the other formats; `build DIR...` passes False, its process pool being the
    parallelism. `pdf_process`: that process, already started by the caller (the command line
    starts it before importing this module); else the build starts it itself.
    `docx_page_numbers` raises ToolMissing, before anything else, if LibreOffice is not
    installed. `overwrite_edited`: replace outputs changed since reportgen wrote them (else the
    build refuses with `output-edited` and replaces nothing: generator/publish.py `OutputsRecord`).
    `limits`: the build's time and memory (generator/limits.py): past either, a ContentError with
    the one error `build-limit` on the report folder, and the earlier outputs as they were."""
    options = replace(options or Options(), **changes)
    if options.output is not None and len(options.formats) != 1:
        raise ValueError(f"output {options.output} is one file: one format, not {', '.join(options.formats)}")
    try:
        require_tools(options.formats, options.docx_page_numbers)
    except ToolMissing:
        if pdf_process is not None:  # the caller's, started before it knew
            pdf_process.stop()
        raise
    limits = options.limits
    try:
        with bounded(limits):
            if pdf_process is None and pdf_apart(options, options.formats):
                pdf_process = PdfProcess(limits.memory)
            with pdf_process or nullcontext():
                return _build(report_dir, out_dir, options, pdf_process)
    except LimitExceeded as exc:
        diags = Diagnostics()
        diags.error("build-limit", message(exc, limits), report_dir)
        raise ContentError(diags) from None


def _refuse_edited(edited, record: OutputsRecord, diags: Diagnostics, report_dir: Path) -> None:
    """An `output-edited` error for each output someone changed, then stop: nothing is replaced.

    The message says the next step in commands to copy: move the file aside under a free name
    (the build replaces only its own outputs, so beside them is safe), build again; a reviewed
    DOCX or PDF stays listable by `reportgen review` after the rebuild."""
    for found in edited:
        shown = diags.show(found.path)
        if found.recorded:
            why = "it was changed after reportgen wrote it"
        else:
            why = ("reportgen has no record of writing it (a file put here, or an output of an earlier reportgen)"
                   + (f", its record {record.path.name} being damaged" if record.damaged else "")
                   + ", and it differs from the new output")
        aside = _aside(found.path)
        move = f"mv {shlex.quote(shown)} {shlex.quote(diags.show(aside))}"
        if found.path.suffix in (".docx", ".pdf"):
            what = (f"{why}; replacing it would lose a reviewer's comments and changes, so no output was replaced. "
                    f"Keep it: move it aside ({move}) and build again; "
                    f"'reportgen review {shlex.quote(diags.show(aside))} {shlex.quote(diags.show(report_dir))}' "
                    "lists its comments and changes, before the rebuild and after. "
                    "Or build with --overwrite-edited to replace it (its edits are lost)")
        else:
            what = (f"{why}; replacing it would lose that edit, so no output was replaced: move it aside ({move}) "
                    "and build again, or build with --overwrite-edited to replace it (the edit is lost)")
        diags.error("output-edited", what, found.path)
    raise ContentError(diags)


def _aside(path: Path) -> Path:
    """A free name beside `path` for a reviewer's copy: `surrey-pdu-reviewed.docx`, `-reviewed-2`, ..."""
    for n in range(1, 100):
        candidate = path.with_name(f"{path.stem}-reviewed{'' if n == 1 else f'-{n}'}{path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    return path.with_name(f"{path.stem}-reviewed-N{path.suffix}")


def _build(report_dir: Path, out_dir: Path | None, options: Options, pdf_process: PdfProcess | None) -> Built:
    report_dir = report_dir.resolve()
    diags = Diagnostics()
    formats, overwrite_edited = options.formats, options.overwrite_edited
    started = time.perf_counter()
    documents, reads, sources = _check(report_dir, diags, options)
    slug = report_dir.name
    if options.output is not None and len(documents) != 1:
        raise ValueError(f"output {options.output} is one file: one edition, not "
                         f"{', '.join(e.language for e, _ in documents)} (--edition)")
    if options.output is not None:  # -o FILE: one format, to that file (the command line checked its suffix)
        out_dir, named = options.output.parent.resolve(), [{formats[0]: options.output.name}]
        where = out_dir / options.output.name
    else:  # each edition's: <slug>.pdf, <slug>.cy.pdf (generator/editions.py)
        out_dir = (out_dir or default_out_dir(report_dir)).resolve()
        named = [{fmt: f"{slug}{edition.suffix}.{fmt}" for fmt in formats} for edition, _ in documents]
        where = out_dir
    if where == report_dir or where.is_relative_to(report_dir):
        diags.error("out-inside-content", f"the output {'file' if options.output else 'folder'} must not be inside "
                    "the report folder", where)
        raise ContentError(diags)
    targets = {name: out_dir / name for names in named for name in names.values()}
    doc = documents[0][1]
    built_from = _fingerprints(reads, report_dir, doc, sources)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir, slug)
        record = OutputsRecord.read(out_dir, slug, also=tuple(targets))
        if not overwrite_edited and (edited := record.edited(targets)):  # known edits: refused before writing
            _refuse_edited(edited, record, diags, report_dir)
        with interrupts_as_exceptions(), Staging(out_dir, slug) as staging:
            for index, ((_, document), names) in enumerate(zip(documents, named)):
                # the PDF's process writes one PDF: the first edition's; each further edition's its own
                process = pdf_process if index == 0 or pdf_process is None else PdfProcess(options.limits.memory)
                _write_formats(document, report_dir, staging, names, targets, diags, options, process)
            if diags.has_errors(options.strict):
                raise ContentError(diags)
            written = {name: file_digest(staging.path(name)) for name in targets}
            if not overwrite_edited and (edited := record.edited(targets, written)):  # again, just before
                _refuse_edited(edited, record, diags, report_dir)
            name = record_name(slug)
            staging.path(name).write_text(record.updated(written, built_from), encoding="utf-8")
            stop_clock()  # publishing is a few renames, all or none: never cut short by the time limit
            with stage("publish"):
                staging.publish({**targets, name: out_dir / name})
    except OSError as exc:  # a full disk, a read-only or unreadable output folder, a target in the way
        named = Path(exc.filename) if exc.filename else None
        where = named if named in targets.values() else out_dir  # never name the staging folder
        diags.error("output-failed", f"cannot write the outputs: {exc.strerror or exc}; "
                    "the previous outputs are unchanged", where)
        raise ContentError(diags) from None
    for stale in record.stale(built_from, exclude=targets):  # after the publish: a note, never a reason to fail
        diags.warning("output-stale", f"built from {stale.why} and not rebuilt by this build: it does not show the "
                      "report as it is now; build it again (--format " + stale.path.suffix.lstrip(".").lower()
                      + "), or remove it", stale.path)
    for path, message in cache_refusals():  # once a process: the build was right, only slower
        diags.warning("cache-refused", message, path)
    _LOG.info("%-20s %6.2f s", "built in", time.perf_counter() - started)
    by_language = {edition.language: {fmt: targets[names[fmt]] for fmt in formats}
                   for (edition, _), names in zip(documents, named)}
    return Built(doc, next(iter(by_language.values())), diags, by_language)
